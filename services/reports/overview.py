"""The home dashboard, stock value by category and the movement trend."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from db import Database
from db.queries import reports as q
from domain import reports as calc
from domain import receiving as receiving_rules
from services import clock
from services.calendar import work_calendar
from services.errors import ValidationError
from services.ledger import INBOUND, ISSUE, OUTBOUND, RETURN

from services.reports.common import TREND_VIEWS, ZERO, _frame, _local
from services.reports.periods import _local_midnight, current_period, period_bounds
from services.reports.health import expiring


TREND_COLUMNS = ["period", "in_qty", "in_value", "out_qty", "out_value"]


def dashboard(db: Database) -> dict[str, Any]:
    """The home tiles' figures (today in local time)."""
    today = clock.today()
    day_start, day_end = _local_midnight(today), _local_midnight(today + timedelta(days=1))
    with db.read() as session:
        receipts = q.movement_totals(session, INBOUND, day_start, day_end)
        issues = q.movement_totals(session, [ISSUE], day_start, day_end)
        expiry = q.expiry_counts(session, {
            "expired": today - timedelta(days=1), "d30": today + timedelta(days=30),
            "d60": today + timedelta(days=60), "d90": today + timedelta(days=90)})
        quarantine = q.lots_status_summary(session, "quarantine")
        hold = q.lots_status_summary(session, "hold")
        below = q.count_below_reorder(session)
        due = q.deliveries_due(session, today, today + timedelta(days=7))
        open_receipts = q.open_receipts(session)
        stocktake = q.latest_stocktake(session)
        calendar = work_calendar(session)
    now_local = clock.to_local(clock.now())
    # The receiving screen's own rule, so the tile and the screen always agree.
    stale = [r for r in open_receipts
             if receiving_rules.paperwork_overdue(clock.to_local(r.arrived_at), now_local,
                                                  calendar)]
    return {
        "today": today,
        "receipts_today": {"docs": receipts[0], "qty": receipts[1], "value": receipts[2]},
        "issues_today": {"docs": issues[0], "qty": -issues[1], "value": -issues[2]},
        "below_reorder": below,
        "expiring": {
            "expired": expiry["expired"],
            "d30": expiry["d30"] - expiry["expired"],
            "d60": expiry["d60"] - expiry["expired"],
            "d90": expiry["d90"] - expiry["expired"]},
        "quarantine": {"lots": quarantine[0], "qty": quarantine[1],
                       "oldest": _local(quarantine[2])},
        "hold": {"lots": hold[0], "qty": hold[1]},
        "deliveries_due": due["due"], "deliveries_overdue": due["overdue"],
        "open_receipts": len(open_receipts), "stale_receipts": len(stale),
        "stale_receipt_numbers": [r.number for r in stale][:20],
        "stocktake": stocktake,
    }


def stock_value_by_category(db: Database) -> pd.DataFrame:
    """category, qty, value of stock on hand (from the cached balances)."""
    with db.read() as session:
        rows = q.value_by_category(session)
    return _frame([{"category": c, "qty": qty, "value": value} for c, qty, value in rows],
                  ["category", "qty", "value"])


def _trend_key(local: datetime, view: str) -> str:
    if view == "week":
        monday = local.date() - timedelta(days=local.weekday())
        return monday.isoformat()
    if view == "month":
        return local.strftime("%Y-%m")
    return local.strftime("%Y")


def movement_trend(db: Database, *, view: str = "month", periods: int | None = None
                   ) -> pd.DataFrame:
    """Inbound (receipts) and outbound (issues and supplier returns, net of returns)
    per week (last 12 weeks, keyed by Monday), month (last 12) or year (last 5),
    oldest first (TREND_COLUMNS). Every period is listed, zero when quiet."""
    if view not in TREND_VIEWS:
        raise ValidationError("invalid_choice", field="view", value=str(view))
    count = periods or {"week": 12, "month": 12, "year": 5}[view]
    today = clock.today()
    if view == "week":
        first_day = today - timedelta(days=today.weekday()) - timedelta(weeks=count - 1)
        keys = [(first_day + timedelta(weeks=i)).isoformat() for i in range(count)]
    elif view == "month":
        keys = [current_period()]
        while len(keys) < count:
            keys.append(calc.previous_period(keys[-1]))
        keys.reverse()
        first_day = calc.period_first_day(keys[0])
    else:
        keys = [str(today.year - count + 1 + i) for i in range(count)]
        first_day = date(today.year - count + 1, 1, 1)
    start = _local_midnight(first_day)
    end = _local_midnight(today + timedelta(days=1))
    totals = {k: [ZERO, ZERO, ZERO, ZERO] for k in keys}
    types = sorted(INBOUND | OUTBOUND | {RETURN})
    from datetime import timezone

    with db.read() as session:
        if view != "week":
            # Closed months come from their snapshots; only the rest is scanned.
            last_closed = q.last_closed(session)
            first_period = first_day.strftime("%Y-%m")
            if last_closed is not None and last_closed >= first_period:
                for period, in_qty, in_value, out_qty, out_value in \
                        q.snapshot_totals_by_period(session, first_period, last_closed):
                    key = period if view == "month" else period[:4]
                    if key in totals:
                        entry = totals[key]
                        entry[0] += in_qty or ZERO
                        entry[1] += in_value or ZERO
                        entry[2] += out_qty or ZERO
                        entry[3] += out_value or ZERO
                start = max(start, period_bounds(last_closed)[1])
        rows = q.movement_by_hour(session, types, start, end)
    for hour, movement_type, qty, value in rows:
        moment = datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
        key = _trend_key(clock.to_local(moment), view)
        if key not in totals:
            continue
        entry = totals[key]
        if movement_type in INBOUND:
            entry[0] += qty
            entry[1] += value
        else:
            entry[2] -= qty
            entry[3] -= value
    return _frame([{"period": k, "in_qty": v[0], "in_value": v[1], "out_qty": v[2],
                    "out_value": v[3]} for k, v in totals.items()], TREND_COLUMNS)
