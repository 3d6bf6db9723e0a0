"""The working-day calendar (holidays and weekend days worked), maintained by admin;
deadlines are counted in it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import CALENDAR_KINDS, CalendarDay
from domain.calendar import WorkCalendar
from services import clock
from services.common import audit, clean_text, require_role
from services.errors import ValidationError

CALENDAR_ROLES = ("admin",)


def set_day(db: Database, *, actor, day, kind="holiday", name="") -> None:
    """Mark ``day`` a holiday, a (weekend) working day, or — kind "normal" — back to
    the ordinary Monday–Friday rule."""
    when = _day(day)
    if kind not in (*CALENDAR_KINDS, "normal"):
        raise ValidationError("invalid", field="kind", value=str(kind))
    name = clean_text(name, "name", max_len=100)

    def work(session):
        require_role(session, actor, *CALENDAR_ROLES)
        row = session.get(CalendarDay, when)
        if kind == "normal":
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(CalendarDay(day=when, kind=kind, name=name, set_by=actor,
                                    set_at=clock.now()))
        else:
            row.kind, row.name, row.set_by, row.set_at = kind, name, actor, clock.now()
        audit(session, actor, "calendar.set", "calendar_day", when.isoformat(), kind=kind,
              name=name)

    db.write(work)


def list_days(db: Database, *, year: int | None = None) -> list[dict]:
    with db.read() as session:
        query = select(CalendarDay).order_by(CalendarDay.day)
        if year is not None:
            query = query.where(CalendarDay.day >= date(year, 1, 1),
                                CalendarDay.day <= date(year, 12, 31))
        return [{"day": r.day, "kind": r.kind, "name": r.name, "set_by": r.set_by}
                for r in session.scalars(query)]


def work_calendar(session: Session) -> WorkCalendar:
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(holidays=frozenset(d for d, k in rows if k == "holiday"),
                        workdays=frozenset(d for d, k in rows if k == "workday"))


def due_one_working_day_after(session: Session, moment: datetime) -> datetime:
    # 004 ㈠8: each step of the receiving paperwork within one working day
    local = clock.to_local(moment)
    return work_calendar(session).due_after_one_working_day(local).astimezone(moment.tzinfo)


def _day(value) -> date:
    if isinstance(value, datetime):
        raise ValidationError("invalid_date", field="day", value=str(value))
    if isinstance(value, date):
        return value
    if value in (None, ""):
        raise ValidationError("required", field="day")
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError("invalid_date", field="day", value=str(value)[:40]) from None
