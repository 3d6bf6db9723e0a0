"""Working days: Monday to Friday, less holidays, plus weekend days worked instead
(调休). Pure: the exceptions are handed in by the caller."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

MAX_SEARCH_DAYS = 366     # a year without a working day is a misconfigured calendar


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)   # weekend days worked

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for step in range(1, MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day within a year")

    def due_after_one_working_day(self, raised: datetime) -> datetime:
        """One working day after ``raised`` (a local, aware time).

        Raised on a working day: the same time on the next working day. Raised on a
        day off: the end of the first working day after it (the clock starts then)."""
        day = raised.date()
        if self.is_working_day(day):
            due_day = self.next_working_day(day)
            return datetime.combine(due_day, raised.timetz())
        first = self.next_working_day(day)
        return datetime.combine(first + timedelta(days=1), time(0, tzinfo=raised.tzinfo))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=n)))
