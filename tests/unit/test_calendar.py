"""The working-day calendar behind claim deadlines (004 ㈠8)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st

from domain.calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=SH)


def test_weekday_due_next_weekday_same_time():
    # Tuesday 2026-12-01 10:00 -> Wednesday 10:00
    assert WorkCalendar().due_after_one_working_day(at(2026, 12, 1)) == at(2026, 12, 2)


def test_friday_due_monday_across_the_weekend():
    assert WorkCalendar().due_after_one_working_day(at(2026, 12, 4, 16, 30)) == \
        at(2026, 12, 7, 16, 30)


def test_friday_before_a_monday_holiday_due_tuesday():
    cal = WorkCalendar(holidays=frozenset({date(2026, 12, 7)}))
    assert cal.due_after_one_working_day(at(2026, 12, 4, 9)) == at(2026, 12, 8, 9)


def test_raised_on_saturday_due_end_of_monday():
    assert WorkCalendar().due_after_one_working_day(at(2026, 12, 5, 11)) == \
        datetime(2026, 12, 8, 0, 0, tzinfo=SH)


def test_weekend_day_worked_counts():
    # 调休: Saturday 2026-12-05 is a working day
    cal = WorkCalendar(workdays=frozenset({date(2026, 12, 5)}))
    assert cal.due_after_one_working_day(at(2026, 12, 4, 15)) == at(2026, 12, 5, 15)


def test_a_week_of_holidays():
    golden_week = frozenset(date(2026, 10, d) for d in range(1, 8))
    cal = WorkCalendar(holidays=golden_week)
    assert cal.due_after_one_working_day(at(2026, 9, 30, 17)) == at(2026, 10, 8, 17)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
       st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 2, 1)), max_size=40))
def test_due_is_later_and_exactly_one_working_day_away(naive, holidays):
    cal = WorkCalendar(holidays=frozenset(holidays))
    raised = naive.replace(tzinfo=SH)
    due = cal.due_after_one_working_day(raised)
    assert due > raised
    if cal.is_working_day(raised.date()):
        assert cal.working_days_between(raised.date(), due.date()) == 1
        assert cal.is_working_day(due.date())
    else:
        # the end of the first working day after it
        last = due.date() - timedelta(days=1)
        assert cal.is_working_day(last)
        assert cal.working_days_between(raised.date(), last) == 1
