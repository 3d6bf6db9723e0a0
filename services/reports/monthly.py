"""The monthly summary (进销存月报), period status and month closing (月结)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from db import Database
from db.models import ClosedPeriod
from db.queries import reports as q
from db.writes.periods import hold_stock_writers
from domain import reports as calc
from services import clock
from services.common import audit, require_role
from services.errors import InvalidState, ValidationError

from services.reports.common import ZERO, _frame, _local
from services.reports.periods import _check_period, current_period, period_bounds


CLOSE_ROLES = ("finance",)
SUMMARY_COLUMNS = ["sku", *calc.SUMMARY_FIELDS]
DETAIL_COLUMNS = ["sku", "name", "name_zh", "category", "unit", *calc.SUMMARY_FIELDS]
CATEGORY_COLUMNS = ["category", "items", *calc.SUMMARY_FIELDS]


def _month_figures(session: Session, period: str) -> dict[int, calc.MonthFigures]:
    """Per item figures of a month, from the last closed month's snapshot plus the
    ledger after it (or the whole ledger before the month when nothing is closed)."""
    start, end = period_bounds(period)
    figures: dict[int, calc.MonthFigures] = defaultdict(calc.MonthFigures)
    previous = q.last_closed_before(session, period)
    if previous is not None:
        for item_id, (qty, value) in q.snapshot_closing(session, previous).items():
            figures[item_id].add_opening(qty, value)
        gap_start = period_bounds(previous)[1]
        for item_id, _type, qty, value in q.movement_sums_by_item_type(session, gap_start, start):
            figures[item_id].add_opening(qty or ZERO, value or ZERO)
    else:
        for item_id, (qty, value) in q.balances_by_item_before(session, start).items():
            figures[item_id].add_opening(qty, value)
    for item_id, movement_type, qty, value in q.movement_sums_by_item_type(session, start, end):
        figures[item_id].add_movement(movement_type, qty or ZERO, value or ZERO)
    return {k: v for k, v in figures.items() if not v.is_empty()}


def _snapshot_figures(rows: list) -> dict[int, calc.MonthFigures]:
    result = {}
    for row in rows:
        result[row.item_id] = calc.MonthFigures(
            opening_qty=row.opening_qty, opening_value=row.opening_value,
            in_qty=row.in_qty, in_value=row.in_value, out_qty=row.out_qty,
            out_value=row.out_value, adjust_qty=row.adjust_qty, adjust_value=row.adjust_value)
    return result


def _summary_records(session: Session, figures: dict[int, calc.MonthFigures]) -> list[dict]:
    info = q.items_info(session, figures.keys())
    records = []
    for item_id, fig in figures.items():
        sku, name, name_zh, category, unit = info.get(item_id, (str(item_id), "", "", "", ""))
        records.append({"sku": sku, "name": name, "name_zh": name_zh, "category": category,
                        "unit": unit, **fig.as_dict()})
    records.sort(key=lambda r: r["sku"])
    return records


def monthly_summary(db: Database, period: str, *, details: bool = False) -> pd.DataFrame:
    """Per item: sku, opening, in, out, adjust, closing (qty and FIFO value) for a
    closed month (from its snapshot) or an open one (computed). ``details`` adds
    name, name_zh, category and unit after the SKU."""
    period = _check_period(period)
    if period > current_period():
        raise ValidationError("period_in_future", field="period", value=period)
    with db.read() as session:
        closed = q.closed_period(session, period)
        figures = (_snapshot_figures(q.snapshot_rows(session, period)) if closed is not None
                   else _month_figures(session, period))
        records = _summary_records(session, figures)
    return _frame(records, DETAIL_COLUMNS if details else SUMMARY_COLUMNS)[
        DETAIL_COLUMNS if details else SUMMARY_COLUMNS]


def monthly_summary_by_category(db: Database, period: str) -> pd.DataFrame:
    """The monthly summary totalled per item category (CATEGORY_COLUMNS)."""
    detail = monthly_summary(db, period, details=True)
    totals: dict[str, dict] = {}
    for row in detail.to_dict("records"):
        entry = totals.setdefault(row["category"], {
            "category": row["category"], "items": 0, **{f: ZERO for f in calc.SUMMARY_FIELDS}})
        entry["items"] += 1
        for name in calc.SUMMARY_FIELDS:
            entry[name] += row[name]
    return _frame([totals[k] for k in sorted(totals)], CATEGORY_COLUMNS)


def summary_totals(df: pd.DataFrame) -> dict[str, Decimal]:
    """Column totals of a monthly summary frame (Decimal)."""
    return {name: sum(df[name], ZERO) for name in calc.SUMMARY_FIELDS}


def period_status(db: Database, period: str) -> dict[str, Any]:
    """{"period", "closed", "closed_at", "closed_by", "can_close", "reason"}."""
    period = _check_period(period)
    with db.read() as session:
        closed = q.closed_period(session, period)
        reason = None if closed else _close_blocker(session, period)
    return {
        "period": period, "closed": closed is not None,
        "closed_at": _local(closed.closed_at) if closed else None,
        "closed_by": closed.closed_by if closed else "",
        "can_close": closed is None and reason is None, "reason": reason,
    }


def closed_periods(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        return [{"period": c.period, "closed_at": _local(c.closed_at), "closed_by": c.closed_by,
                 "items": c.item_count, "closing_value": c.closing_value}
                for c in q.closed_periods(session)]


def recent_periods(db: Database, count: int = 24) -> list[str]:
    """The current month and the ``count - 1`` before it, newest first."""
    periods = [current_period()]
    while len(periods) < count:
        periods.append(calc.previous_period(periods[-1]))
    return periods


def _close_blocker(session: Session, period: str) -> tuple[str, dict] | None:
    """Why ``period`` cannot be closed yet: (error code, params) or None."""
    if period >= current_period():
        return ("period_not_ended", {"period": period})
    first_at = q.first_movement_at(session)
    if first_at is not None:
        first = clock.period_of(first_at)
        for earlier in calc.periods_between(first, calc.previous_period(period)):
            if q.closed_period(session, earlier) is None:
                return ("previous_period_open", {"period": period, "open": earlier})
    return None


def close_month(db: Database, *, actor, period: str) -> dict[str, Any]:
    """Month-end closing (月结), finance only: writes the month's per-item figures
    once. The month must have ended and every earlier month with movements must be
    closed. Afterwards no movement may be dated in it."""
    period = _check_period(period)

    def work(session: Session) -> dict[str, Any]:
        require_role(session, actor, *CLOSE_ROLES)
        if q.closed_period(session, period) is not None:
            raise InvalidState("period_already_closed", period=period, state="closed")
        blocker = _close_blocker(session, period)
        if blocker is not None:
            code, params = blocker
            raise ValidationError(code, field="period", **params)
        # Wait for in-flight stock writers, and keep new ones out until commit.
        hold_stock_writers(session)
        figures = _month_figures(session, period)
        watermark = q.max_movement_id(session)
        closing_qty = sum((f.closing_qty for f in figures.values()), ZERO)
        closing_value = sum((f.closing_value for f in figures.values()), ZERO)
        session.add(ClosedPeriod(
            period=period, closed_at=clock.now(), closed_by=actor,
            last_movement_id=watermark, item_count=len(figures),
            closing_qty=closing_qty, closing_value=closing_value))
        session.flush()
        q.insert_snapshot(session, [
            {"period": period, "item_id": item_id, **fig.as_dict()}
            for item_id, fig in sorted(figures.items())
        ])
        audit(session, actor, "period.close", "period", period, items=len(figures),
              closing_qty=closing_qty, closing_value=closing_value)
        return {"period": period, "items": len(figures), "closing_qty": closing_qty,
                "closing_value": closing_value}

    return db.write(work)
