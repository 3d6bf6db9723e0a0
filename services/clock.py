"""The one place services ask for the time, so tests can move it."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

_frozen_now: datetime | None = None


def local_zone():
    name = os.environ.get("WAREHOUSE_TZ")
    if name:
        return ZoneInfo(name)
    return datetime.now().astimezone().tzinfo


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return _frozen_now or datetime.now(timezone.utc)


def today() -> date:
    """Today's date in the warehouse's time zone."""
    return to_local(now()).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def period_of(moment: datetime) -> str:
    """The 'YYYY-MM' month a moment falls in, in the warehouse's time zone."""
    return to_local(moment).strftime("%Y-%m")


def set_now(moment: datetime | None) -> None:
    """Tests only: pin the clock (None releases it)."""
    global _frozen_now
    _frozen_now = moment
