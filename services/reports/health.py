"""Stock health: expiry, ageing, slow movers, reorder, supplier performance."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd

from db import Database
from db.queries import reports as q
from domain import reports as calc
from services import clock
from services.errors import ValidationError
from services.ledger import ISSUE, RECEIPT

from services.reports.claims import CLAIM_SCORE_COLUMNS, claim_scores
from services.reports.common import NET_OUT_TYPES, ZERO, _filters, _frame, _local
from services.reports.periods import _as_end, _as_start


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
    *CLAIM_SCORE_COLUMNS,
]


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


_NO_CLAIMS = {"claims": 0, "claims_per_100_lines": ZERO, "claim_value": ZERO,
              "credited_value": ZERO, "avg_resolve_hours": None, "refused_deliveries": 0}


def _empty_entry() -> dict:
    return {"deliveries": 0, "on_time": 0, "lines": 0, "note_qty": ZERO, "short_qty": ZERO,
            "counted_qty": ZERO, "damaged_qty": ZERO, "rejected_qty": ZERO,
            "price_mismatches": 0, "check_seconds": ZERO, "checked": 0}


def _add_line_counts(per_supplier: dict[int, dict], lines, supplier_of: dict) -> None:
    """Add each delivered line's note, counted, short, damaged and rejected qty and
    its price flag to its supplier's entry."""
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


def supplier_performance(db: Database, start: date | datetime | None = None,
                         end: date | datetime | None = None) -> pd.DataFrame:
    """Per supplier, over deliveries that arrived in [start, end] (local days):
    deliveries, on time (arrived on or before the PO's due date; deliveries whose
    PO has no due date count as on time), short rate (missing qty / note qty),
    damaged and rejected rates (of counted qty), price mismatches (lines flagged)
    and the average hours from arrival to posting; with the claims raised and
    deliveries refused in the period (SUPPLIER_COLUMNS)."""
    start_at, end_at = _as_start(start), _as_end(end)
    with db.read() as session:
        deliveries = q.deliveries(session, start_at, end_at)
        lines = q.delivery_lines(session, [d.receipt_id for d in deliveries])
        suppliers = q.supplier_names(session)
        supplier_of = {d.receipt_id: d.supplier_id for d in deliveries}
        line_counts: dict[int, int] = {}
        for line in lines:
            supplier_id = supplier_of[line.receipt_id]
            line_counts[supplier_id] = line_counts.get(supplier_id, 0) + 1
        scores = claim_scores(session, start_at, end_at, line_counts)
    per_supplier: dict[int, dict] = {}
    for d in deliveries:
        entry = per_supplier.setdefault(d.supplier_id, _empty_entry())
        entry["deliveries"] += 1
        # The delivery date printed on the supplier's sheet when there is one: a
        # delivery is on time by when it was made, not by when it was counted.
        arrived = d.delivery_date or clock.to_local(d.arrived_at).date()
        if d.due_date is None or arrived <= d.due_date:
            entry["on_time"] += 1
        if d.posted_at is not None:
            entry["check_seconds"] += Decimal((d.posted_at - d.arrived_at).total_seconds())
            entry["checked"] += 1
    for supplier_id in scores:          # refused or claimed, nothing posted in the period
        per_supplier.setdefault(supplier_id, _empty_entry())
    _add_line_counts(per_supplier, lines, supplier_of)
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
            **scores.get(supplier_id, _NO_CLAIMS),
        })
    records.sort(key=lambda r: r["supplier"])
    return _frame(records, SUPPLIER_COLUMNS)
