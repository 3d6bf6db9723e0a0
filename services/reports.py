"""Reports, the home dashboard, month-end closing and the books' consistency check.

Everything here reads (``db.read()``) except ``close_month``, which writes the
month-end snapshot in one transaction. Reports are open to every signed-in user;
the consistency report and the audit trail are for finance and admin.

Book-keeping rules (PROCEDURES.md, 月结):
- Months are calendar months in ``WAREHOUSE_TZ``.
- The monthly in/out/closing summary (收发存汇总表) counts receipts as *in*; issues
  and returns to suppliers as *out*, and stock returned from an issue *reduces out*
  (so out is the net quantity that left); stocktake gains and losses as *adjust*.
  Internal moves (transfers, QC and reject moves) keep their lot's cost and net to
  zero per item. Values are the movements' stored FIFO lot values, so
  opening + in - out + adjust = closing holds exactly, in quantity and in value.
- Closing a month (finance) writes its figures once; they never change afterwards,
  and the ledger refuses any movement dated in a closed month.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from db import Database
from db.models import ClosedPeriod
from db.queries import consistency as cq
from db.queries import reports as q
from domain import barcode
from domain import reports as calc
from domain import receiving as receiving_rules
from services import clock
from services.common import audit, require_role
from services.errors import InvalidState, NotFound, ValidationError
from services.ledger import INBOUND, ISSUE, OUTBOUND, RECEIPT, RETURN

ZERO = Decimal(0)
CONTROL_ROLES = ("finance", "admin")
CLOSE_ROLES = ("finance",)
LOT_STATUSES = ("available", "quarantine", "hold")
NET_OUT_TYPES = tuple(sorted(OUTBOUND | {RETURN}))
TREND_VIEWS = ("week", "month", "year")

STOCK_COLUMNS = [
    "sku", "name", "name_zh", "category", "brand", "genuine", "warehouse", "location", "zone",
    "lot_no", "expiry_date", "received_at", "status", "unit", "qty_on_hand", "unit_cost",
    "value",
]
CARD_COLUMNS = [
    "at", "type", "doc_type", "doc_no", "location", "lot_no", "actor", "in_qty", "out_qty",
    "unit_cost", "value", "balance_qty", "balance_value", "note",
]
SUMMARY_COLUMNS = ["sku", *calc.SUMMARY_FIELDS]
DETAIL_COLUMNS = ["sku", "name", "name_zh", "category", "unit", *calc.SUMMARY_FIELDS]
CATEGORY_COLUMNS = ["category", "items", *calc.SUMMARY_FIELDS]
EXPIRY_COLUMNS = [
    "sku", "name", "name_zh", "location", "zone", "lot_no", "expiry_date", "days_left",
    "bucket", "status", "qty_on_hand", "unit_cost", "value",
]
AGEING_COLUMNS = ["bucket", "lots", "qty", "value"]
SLOW_COLUMNS = [
    "sku", "name", "name_zh", "category", "qty_on_hand", "value", "last_issue_at",
    "last_receipt_at", "oldest_received_at", "idle_days",
]
REORDER_COLUMNS = [
    "sku", "name", "name_zh", "category", "unit", "reorder_level", "available_qty",
    "quarantine_qty", "open_po_qty", "avg_monthly_usage", "suggested_qty",
]
SUPPLIER_COLUMNS = [
    "supplier", "name", "deliveries", "on_time", "on_time_rate", "lines", "short_rate",
    "damaged_rate", "rejected_rate", "price_mismatches", "avg_check_hours",
]
AUDIT_COLUMNS = ["at", "actor", "action", "entity", "entity_key", "details"]
TREND_COLUMNS = ["period", "in_qty", "in_value", "out_qty", "out_value"]


# --- time helpers ----------------------------------------------------------------------
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


def _local(moment: datetime | None) -> datetime | None:
    return clock.to_local(moment) if moment is not None else None


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _filters(**kwargs) -> q.StockFilter:
    status = kwargs.get("status")
    if status and status not in LOT_STATUSES:
        raise ValidationError("invalid_choice", field="status", value=str(status))
    return q.StockFilter(**{k: v for k, v in kwargs.items() if v not in (None, "")})


# --- stock on hand ---------------------------------------------------------------------
def stock_on_hand(db: Database, *, sku=None, location=None, zone=None, warehouse=None,
                  category=None, search=None, brand=None, genuine=None, status=None,
                  as_of: date | datetime | None = None, limit: int | None = None,
                  offset: int = 0) -> pd.DataFrame:
    """One row per lot with stock (STOCK_COLUMNS), ordered by SKU, bin and age.

    ``search`` matches SKU, name (English or Chinese), spec and brand. ``as_of`` (a
    date: end of that local day) rebuilds the lots' balances from the ledger
    instead of reading today's. ``limit``/``offset`` page it; the total is
    ``stock_on_hand_count`` with the same filters."""
    f = _filters(sku=sku, location=location, zone=zone, warehouse=warehouse,
                 category=category, search=search, brand=brand, genuine=genuine,
                 status=status)
    with db.read() as session:
        if as_of is None:
            rows = q.stock_lots(session, f, limit=limit, offset=offset)
            records = [_stock_record(r, r.qty_on_hand, calc.line_value(r.qty_on_hand, r.unit_cost))
                       for r in rows]
        else:
            rows = q.lot_balances_as_of(session, f, _as_end(as_of), limit=limit, offset=offset)
            records = [_stock_record(r, r.qty, r.value) for r in rows]
    return _frame(records, STOCK_COLUMNS)


def _stock_record(row, qty: Decimal, value: Decimal) -> dict:
    return {
        "sku": row.sku, "name": row.name, "name_zh": row.name_zh, "category": row.category,
        "brand": row.brand, "genuine": bool(row.genuine), "warehouse": row.warehouse,
        "location": row.location, "zone": row.zone, "lot_no": row.lot_no,
        "expiry_date": row.expiry_date, "received_at": _local(row.received_at),
        "status": row.status, "unit": row.unit, "qty_on_hand": qty,
        "unit_cost": row.unit_cost, "value": value,
    }


def stock_on_hand_count(db: Database, **filters) -> int:
    return stock_on_hand_totals(db, **filters)["lots"]


def stock_on_hand_totals(db: Database, *, sku=None, location=None, zone=None, warehouse=None,
                         category=None, search=None, brand=None, genuine=None, status=None,
                         as_of: date | datetime | None = None) -> dict[str, Any]:
    """{"lots", "qty", "value"} over every lot matching the filters."""
    f = _filters(sku=sku, location=location, zone=zone, warehouse=warehouse,
                 category=category, search=search, brand=brand, genuine=genuine,
                 status=status)
    with db.read() as session:
        if as_of is not None:
            lots, qty, value = q.lot_balances_as_of_count(session, f, _as_end(as_of))
            return {"lots": lots, "qty": qty, "value": value}
        lots, qty = q.stock_lots_count(session, f)
        if f.status:
            value = sum((calc.line_value(qq, c) for qq, c in q.stock_lot_costs(session, f)), ZERO)
        else:
            value = q.stock_balance_value(session, f)
    return {"lots": lots, "qty": qty, "value": value}


# --- stock card (料卡) -----------------------------------------------------------------
def _item_or_404(session: Session, sku: str):
    item = q.item_by_sku(session, str(sku or "").strip().upper()) or q.item_by_sku(session, sku)
    if item is None:
        raise NotFound(what="item", key=str(sku))
    return item


def stock_card(db: Database, sku, start: date | datetime | None = None,
               end: date | datetime | None = None, *, location: str | None = None
               ) -> pd.DataFrame:
    """Every movement of one item, oldest first, with the running balance (qty and
    FIFO value) over all its locations (or one ``location``). With ``start`` the
    first row is the opening balance (type 'opening'). Dates are inclusive local
    days; times are shown in local time."""
    start_at, end_at = _as_start(start), _as_end(end)
    with db.read() as session:
        item = _item_or_404(session, sku)
        location_id = None
        if location:
            location_id = q.location_id(session, location)
            if location_id is None:
                raise NotFound(what="location", key=str(location))
        rows = q.item_movements(session, item.id, start_at, end_at, location_id)
        opening = (q.item_balance_before(session, item.id, start_at, location_id)
                   if start_at is not None else (ZERO, ZERO))
    records = []
    if start_at is not None:
        records.append({
            "at": _local(start_at), "type": "opening", "doc_type": "", "doc_no": "",
            "location": location or "", "lot_no": "", "actor": "", "in_qty": None,
            "out_qty": None, "unit_cost": None, "value": None, "balance_qty": opening[0],
            "balance_value": opening[1], "note": "",
        })
    balances = calc.running_balance(opening[0], opening[1], ((r.qty, r.value) for r in rows))
    for row, (bal_qty, bal_value) in zip(rows, balances):
        records.append({
            "at": _local(row.at), "type": row.type, "doc_type": row.doc_type,
            "doc_no": row.doc_no, "location": row.location, "lot_no": row.lot_no,
            "actor": row.actor or "", "in_qty": row.qty if row.qty > 0 else None,
            "out_qty": -row.qty if row.qty < 0 else None, "unit_cost": row.unit_cost,
            "value": row.value, "balance_qty": bal_qty, "balance_value": bal_value,
            "note": row.note,
        })
    return _frame(records, CARD_COLUMNS)


def item_card(db: Database, sku) -> dict[str, Any]:
    """The item's card header: master data, reorder level and where it is stocked."""
    with db.read() as session:
        item = _item_or_404(session, sku)
        bins = q.item_bins(session, item.id)
    return {
        "sku": item.sku, "name": item.name, "name_zh": item.name_zh, "spec": item.spec,
        "brand": item.brand, "unit": item.unit, "category": item.category,
        "genuine": item.genuine, "hazardous": item.hazardous,
        "reorder_level": item.reorder_level, "tracks_expiry": item.tracks_expiry,
        "qty_on_hand": sum((b.qty for b in bins), ZERO),
        "value": sum((b.value for b in bins), ZERO),
        "bins": [{"location": b.code, "zone": b.zone, "qty": b.qty, "value": b.value}
                 for b in bins],
    }


def bin_label_svg(db: Database, sku, *, lines: tuple[str, ...] = ()) -> str:
    """A printable bin label: Code 128 barcode of the SKU with the SKU under it and
    the caller's (translated) ``lines`` — name, spec, reorder level."""
    with db.read() as session:
        item = _item_or_404(session, sku)
        code = item.sku
    try:
        return barcode.svg(code, extra_lines=tuple(lines))
    except barcode.BarcodeError:
        raise ValidationError("not_barcodable", field="sku", value=code) from None


# --- monthly summary (收发存汇总表) and month-end closing ------------------------------------
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
        if session.get_bind().dialect.name == "postgresql":
            # Wait for in-flight stock writers, and keep new ones out until commit.
            session.execute(text("LOCK TABLE movement IN SHARE MODE"))
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


# --- expiry, ageing, slow-moving ------------------------------------------------------------
def expiring(db: Database, within_days: int = 90, *, include_expired: bool = True
             ) -> pd.DataFrame:
    """Lots with stock expiring within ``within_days`` of today (and, by default,
    those already expired), soonest first (EXPIRY_COLUMNS)."""
    if int(within_days) < 0:
        raise ValidationError("must_not_be_negative", field="within_days", value=str(within_days))
    today = clock.today()
    with db.read() as session:
        rows = q.expiring_lots(session, today + timedelta(days=int(within_days)))
    records = []
    for r in rows:
        days_left = (r.expiry_date - today).days
        if days_left < 0 and not include_expired:
            continue
        records.append({
            "sku": r.sku, "name": r.name, "name_zh": r.name_zh, "location": r.location,
            "zone": r.zone, "lot_no": r.lot_no, "expiry_date": r.expiry_date,
            "days_left": days_left, "bucket": calc.expiry_bucket(days_left),
            "status": r.status, "qty_on_hand": r.qty_on_hand, "unit_cost": r.unit_cost,
            "value": calc.line_value(r.qty_on_hand, r.unit_cost),
        })
    return _frame(records, EXPIRY_COLUMNS)


def ageing(db: Database, *, bounds: tuple[int, ...] = calc.AGE_BOUNDS, category=None,
           warehouse=None, by_category: bool = False) -> pd.DataFrame:
    """Stock on hand by age since receipt (days): bucket, lots, qty, value — every
    bucket listed, oldest last; ``by_category`` adds a category column."""
    today = clock.today()
    with db.read() as session:
        rows = q.lots_for_ageing(session, _filters(category=category, warehouse=warehouse))
    labels = calc.bucket_labels(bounds)
    totals: dict[tuple, list] = {}
    for sku, cat, received_at, qty, cost in rows:
        age = (today - clock.to_local(received_at).date()).days
        label = calc.age_bucket(max(age, 0), bounds)
        key = (cat if by_category else "", label)
        entry = totals.setdefault(key, [0, ZERO, ZERO])
        entry[0] += 1
        entry[1] += qty
        entry[2] += calc.line_value(qty, cost)
    records = []
    groups = sorted({k[0] for k in totals}) if by_category else [""]
    for group in groups:
        for label in labels:
            lots, qty, value = totals.get((group, label), [0, ZERO, ZERO])
            if by_category and not lots:
                continue
            record = {"bucket": label, "lots": lots, "qty": qty, "value": value}
            if by_category:
                record = {"category": group, **record}
            records.append(record)
    return _frame(records, (["category"] if by_category else []) + AGEING_COLUMNS)


def slow_moving(db: Database, idle_days: int = 180) -> pd.DataFrame:
    """Items with stock and no issue for ``idle_days`` days or more (never issued:
    counted from the oldest lot still on hand), longest idle first (SLOW_COLUMNS)."""
    if int(idle_days) < 0:
        raise ValidationError("must_not_be_negative", field="idle_days", value=str(idle_days))
    today = clock.today()
    with db.read() as session:
        stock = {item_id: (qty, value) for item_id, qty, value in q.stock_by_item(session)}
        ids = sorted(stock)
        last_issue = q.last_movement_at(session, ids, [ISSUE])
        last_receipt = q.last_movement_at(session, ids, [RECEIPT])
        oldest = q.oldest_lot_received(session, ids)
        info = q.items_info(session, ids)
    records = []
    for item_id in ids:
        since = last_issue.get(item_id) or oldest.get(item_id)
        if since is None:
            continue
        idle = (today - clock.to_local(since).date()).days
        if idle < int(idle_days):
            continue
        sku, name, name_zh, category, _unit = info[item_id]
        records.append({
            "sku": sku, "name": name, "name_zh": name_zh, "category": category,
            "qty_on_hand": stock[item_id][0], "value": stock[item_id][1],
            "last_issue_at": _local(last_issue.get(item_id)),
            "last_receipt_at": _local(last_receipt.get(item_id)),
            "oldest_received_at": _local(oldest.get(item_id)), "idle_days": idle,
        })
    records.sort(key=lambda r: (-r["idle_days"], r["sku"]))
    return _frame(records, SLOW_COLUMNS)


# --- reorder ------------------------------------------------------------------------------------
def reorder(db: Database, *, usage_months: int = 3) -> pd.DataFrame:
    """Active items whose available stock is below their reorder level (储备定额),
    with quarantined stock, open purchase-order quantity, average monthly net usage
    over the last ``usage_months`` months (30-day months) and a suggested order:
    reorder level + one month's usage - available - on order (REORDER_COLUMNS)."""
    months = int(usage_months)
    if months <= 0:
        raise ValidationError("must_be_positive", field="usage_months", value=str(usage_months))
    now = clock.now()
    with db.read() as session:
        rows = q.reorder_candidates(session)
        ids = [r.id for r in rows]
        usage = q.usage_since(session, ids, NET_OUT_TYPES, now - timedelta(days=30 * months))
        on_order = q.open_po_qty(session, ids)
    records = []
    for r in rows:
        available = r[7] or ZERO
        open_po = on_order.get(r.id, ZERO)
        avg = calc.average_monthly_usage(-usage.get(r.id, ZERO), months)
        records.append({
            "sku": r.sku, "name": r.name, "name_zh": r.name_zh, "category": r.category,
            "unit": r.unit, "reorder_level": r.reorder_level, "available_qty": available,
            "quarantine_qty": r[8] or ZERO, "open_po_qty": open_po, "avg_monthly_usage": avg,
            "suggested_qty": calc.suggested_order(r.reorder_level, available, open_po, avg),
        })
    return _frame(records, REORDER_COLUMNS)


# --- supplier performance -------------------------------------------------------------------
def supplier_performance(db: Database, start: date | datetime | None = None,
                         end: date | datetime | None = None) -> pd.DataFrame:
    """Per supplier, over deliveries that arrived in [start, end] (local days):
    deliveries, on time (arrived on or before the PO's due date; deliveries whose
    PO has no due date count as on time), short rate (missing qty / note qty),
    damaged and rejected rates (of counted qty), price mismatches (lines flagged)
    and the average hours from arrival to posting (SUPPLIER_COLUMNS)."""
    start_at, end_at = _as_start(start), _as_end(end)
    with db.read() as session:
        deliveries = q.deliveries(session, start_at, end_at)
        lines = q.delivery_lines(session, [d.receipt_id for d in deliveries])
        suppliers = q.supplier_names(session)
    per_supplier: dict[int, dict] = {}
    for d in deliveries:
        entry = per_supplier.setdefault(d.supplier_id, {
            "deliveries": 0, "on_time": 0, "lines": 0, "note_qty": ZERO, "short_qty": ZERO,
            "counted_qty": ZERO, "damaged_qty": ZERO, "rejected_qty": ZERO,
            "price_mismatches": 0, "check_seconds": ZERO, "checked": 0})
        entry["deliveries"] += 1
        arrived = clock.to_local(d.arrived_at).date()
        if d.due_date is None or arrived <= d.due_date:
            entry["on_time"] += 1
        if d.posted_at is not None:
            entry["check_seconds"] += Decimal((d.posted_at - d.arrived_at).total_seconds())
            entry["checked"] += 1
    supplier_of = {d.receipt_id: d.supplier_id for d in deliveries}
    for line in lines:
        entry = per_supplier[supplier_of[line.receipt_id]]
        entry["lines"] += 1
        note = line.note_qty or ZERO
        counted = line.counted_qty if line.counted_qty is not None else ZERO
        entry["note_qty"] += note
        entry["counted_qty"] += counted
        if line.counted_qty is not None and counted < note:
            entry["short_qty"] += note - counted
        entry["damaged_qty"] += line.damaged_qty or ZERO
        entry["rejected_qty"] += line.rejected_qty or ZERO
        if "PRICE_MISMATCH" in (line.flags or []):
            entry["price_mismatches"] += 1
    records = []
    for supplier_id, e in per_supplier.items():
        code, name = suppliers.get(supplier_id, (str(supplier_id), ""))
        hours = (e["check_seconds"] / Decimal(3600) / e["checked"]).quantize(Decimal("0.01")) \
            if e["checked"] else None
        records.append({
            "supplier": code, "name": name, "deliveries": e["deliveries"],
            "on_time": e["on_time"], "on_time_rate": calc.ratio(e["on_time"], e["deliveries"]),
            "lines": e["lines"], "short_rate": calc.ratio(e["short_qty"], e["note_qty"]),
            "damaged_rate": calc.ratio(e["damaged_qty"], e["counted_qty"]),
            "rejected_rate": calc.ratio(e["rejected_qty"], e["counted_qty"]),
            "price_mismatches": e["price_mismatches"], "avg_check_hours": hours,
        })
    records.sort(key=lambda r: r["supplier"])
    return _frame(records, SUPPLIER_COLUMNS)


# --- home dashboard ---------------------------------------------------------------------------
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
    now_local = clock.to_local(clock.now())
    # The receiving screen's own rule, so the tile and the screen always agree.
    stale = [r for r in open_receipts
             if receiving_rules.paperwork_overdue(clock.to_local(r.arrived_at), now_local)]
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


# --- books check and audit trail ------------------------------------------------------------------
def check_consistency(db: Database) -> list[str]:
    """Ledger vs lots vs cached balances (帐、物、卡三者一致). Empty when they agree.

    Each problem is one line naming the item/location or lot and the figures.
    Closed months are checked too: no movement may have been written into a month
    after it was closed, and the last closed month's closing figures must equal the
    ledger's balances at its end."""
    problems: list[str] = []
    with db.read() as session:
        skus, codes = cq.names(session)
        for lot_id, on_hand, unit_cost, ledger_qty, ledger_value in cq.ledger_by_lot(session):
            if on_hand < 0:
                problems.append(f"lot {lot_id}: negative on hand {on_hand}")
            if on_hand != ledger_qty:
                problems.append(f"lot {lot_id}: on hand {on_hand} != ledger {ledger_qty}")
            if on_hand * unit_cost != ledger_value:
                problems.append(
                    f"lot {lot_id}: value {on_hand} x {unit_cost} != ledger value {ledger_value}")
        lots = cq.lots_by_item_location(session)
        ledger = cq.ledger_by_item_location(session)
        cards = cq.balances(session)
        for key in sorted(set(lots) | set(ledger) | set(cards)):
            lot_qty = lots.get(key, ZERO)
            ledger_qty, ledger_value = ledger.get(key, (ZERO, ZERO))
            card_qty, card_value = cards.get(key, (ZERO, ZERO))
            if not (lot_qty == ledger_qty == card_qty) or ledger_value != card_value:
                sku, code = skus.get(key[0], key[0]), codes.get(key[1], key[1])
                problems.append(
                    f"{sku} @ {code}: ledger {ledger_qty}/{ledger_value}, lots {lot_qty}, "
                    f"balance {card_qty}/{card_value}")
        mismatched = cq.movements_lot_mismatch(session)
        if mismatched:
            problems.append(f"{mismatched} movements disagree with their lot's item/location")
        problems.extend(_closed_period_problems(session, skus))
    return problems


def _closed_period_problems(session: Session, skus: dict[int, str]) -> list[str]:
    problems = []
    periods = q.closed_periods(session)
    for cp in periods:
        late = q.movements_written_after(session, cp.last_movement_id, period_bounds(cp.period)[1])
        if late:
            problems.append(f"period {cp.period}: {late} movements dated in it after it was closed")
    if periods:
        latest = periods[0]
        ledger = q.balances_by_item_before(session, period_bounds(latest.period)[1])
        snapshot = q.snapshot_closing(session, latest.period)
        for item_id in sorted(set(ledger) | set(snapshot)):
            book = ledger.get(item_id, (ZERO, ZERO))
            closed = snapshot.get(item_id, (ZERO, ZERO))
            if book != closed:
                problems.append(
                    f"{skus.get(item_id, item_id)}: closed {latest.period} at "
                    f"{closed[0]}/{closed[1]}, ledger {book[0]}/{book[1]}")
    return problems


def consistency_report(db: Database, *, actor) -> dict[str, Any]:
    """The books check for finance and admin: problems plus the three books' totals."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        lots = cq.lots_by_item_location(session)
        ledger = cq.ledger_by_item_location(session)
        cards = cq.balances(session)
    problems = check_consistency(db)
    return {
        "checked_at": _local(clock.now()), "problems": problems, "ok": not problems,
        "ledger_qty": sum((v[0] for v in ledger.values()), ZERO),
        "ledger_value": sum((v[1] for v in ledger.values()), ZERO),
        "lot_qty": sum(lots.values(), ZERO),
        "balance_qty": sum((v[0] for v in cards.values()), ZERO),
        "balance_value": sum((v[1] for v in cards.values()), ZERO),
        "positions": len(set(lots) | set(ledger) | set(cards)),
    }


def audit_trail(db: Database, *, actor, user: str | None = None, action: str | None = None,
                start: date | datetime | None = None, end: date | datetime | None = None,
                search: str | None = None, limit: int | None = None, offset: int = 0
                ) -> pd.DataFrame:
    """Audit events, newest first (AUDIT_COLUMNS), for finance and admin."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        rows = q.audit_events(session, user=user or None, action=action or None,
                              start=_as_start(start), end=_as_end(end), search=search,
                              limit=limit, offset=offset)
    return _frame([{
        "at": _local(r.at), "actor": r.actor, "action": r.action, "entity": r.entity,
        "entity_key": r.entity_key,
        "details": json.dumps(r.details or {}, ensure_ascii=False, sort_keys=True, default=str),
    } for r in rows], AUDIT_COLUMNS)


def audit_trail_count(db: Database, *, actor, user=None, action=None, start=None, end=None,
                      search=None) -> int:
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        return q.audit_count(session, user=user or None, action=action or None,
                             start=_as_start(start), end=_as_end(end), search=search)


def audit_filters(db: Database, *, actor) -> dict[str, list[str]]:
    """The actors and actions that occur in the trail (for the filter pickers)."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        return {"actors": q.audit_actors(session), "actions": q.audit_actions(session)}


# --- pickers ---------------------------------------------------------------------------------
def filter_options(db: Database) -> dict[str, list[str]]:
    """Warehouses, zones, locations, categories and brands for the report filters."""
    with db.read() as session:
        return q.filter_options(session)


def find_items(db: Database, search: str | None = None, *, limit: int = 50) -> list[dict]:
    """Items matching a SKU / name (en or zh) / spec / brand search, for pickers."""
    with db.read() as session:
        return [{"sku": s, "name": n, "name_zh": z}
                for s, n, z in q.item_choices(session, search, limit)]
