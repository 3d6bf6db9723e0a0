"""Months in the warehouse's time zone: period bounds and dates."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain import reports as calc
from services import clock
from services.errors import ValidationError


def _local_midnight(day: date) -> datetime:
    """The UTC moment a local calendar day starts."""
    from datetime import timezone

    return datetime.combine(day, time(0), tzinfo=clock.local_zone()).astimezone(timezone.utc)


def _check_period(period: str) -> str:
    try:
        calc.parse_period(period)
    except ValueError:
        raise ValidationError("bad_period", field="period", value=str(period)) from None
    return str(period).strip()


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[start, end) of a month in UTC (the month is local, in WAREHOUSE_TZ)."""
    period = _check_period(period)
    start = calc.period_first_day(period)
    end = calc.period_first_day(calc.next_period(period))
    return _local_midnight(start), _local_midnight(end)


def _as_start(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return _local_midnight(value)


def _as_end(value: date | datetime | None) -> datetime | None:
    """An end date is inclusive (the whole local day); a datetime is exclusive."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return _local_midnight(value + timedelta(days=1))


def period_dates(period: str) -> tuple[date, date]:
    """First and last calendar day of a month."""
    period = _check_period(period)
    first = calc.period_first_day(period)
    return first, calc.period_first_day(calc.next_period(period)) - timedelta(days=1)


def current_period() -> str:
    return clock.period_of(clock.now())
