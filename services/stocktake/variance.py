"""Variances (差异): valued report, reasons, history."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import VARIANCE_REASONS, Item, Location, Stocktake, StocktakeLine
from db.queries import stocktake as q
from domain import stocktake as rules
from domain.allocation import LotStock
from services import clock
from services.common import audit, clean_text, require_role
from services.errors import InvalidState, ValidationError

from services.stocktake.common import MAX_NOTE, REASON_ROLES, ZERO, _load, _require_status
from services.stocktake.counting import _bulk_update_lines


VARIANCE_COLUMNS = [
    "sku", "name", "category", "location", "zone", "book_qty", "book_value", "counted_qty",
    "variance_qty",
    "unit_cost", "variance_value", "reason", "note", "initial_qty", "recount_qty", "spot_qty",
    "found",
]


def _lot_stock(lot, kind: str) -> LotStock:
    return LotStock(lot_id=lot.id, received_at=lot.received_at, qty=lot.qty_on_hand,
                    unit_cost=lot.unit_cost, expiry_date=lot.expiry_date, status=lot.status,
                    location_kind=kind, lot_no=lot.lot_no)


def _valuate(session: Session, st: Stocktake, rows, *, for_update: bool = False):
    """{line id: (variance qty, unit cost, value, allocations)} for counted lines with
    a variance. Losses at the FIFO cost of the lots they consume at that location,
    gains at the item's latest receipt cost."""
    lots: dict[tuple[int, int], list[LotStock]] = {}
    lot_objects = {}
    for lot, kind in q.lots_for_losses(session, st.id, for_update=for_update):
        lots.setdefault((lot.item_id, lot.location_id), []).append(_lot_stock(lot, kind))
        lot_objects[lot.id] = lot
    gain_costs = q.latest_receipt_costs(session, st.id)
    out = {}
    for r in rows:
        line = r
        if line.counted_qty is None or line.counted_qty == line.book_qty:
            continue
        variance = line.counted_qty - line.book_qty
        if variance > 0:
            cost = gain_costs.get(line.item_id, ZERO)
            out[line.id] = (variance, cost, variance * cost, [])
        else:
            try:
                taken = rules.loss_allocation(lots.get((line.item_id, line.location_id), []),
                                              -variance, r.issue_policy)
            except rules.NotEnoughStock:
                raise InvalidState("stocktake_book_changed", sku=r.sku, location=r.location) from None
            value = -sum((a.value for a in taken), ZERO)
            out[line.id] = (variance, rules.average_cost(-value, -variance), value, taken)
    return out, lot_objects


def _variance_frame(session: Session, st: Stocktake) -> pd.DataFrame:
    rows = q.sheet_rows(session, st.id)
    stored = st.status in ("approved", "posted")
    values = {} if stored else _valuate(session, st, rows)[0]
    records = []
    for r in rows:
        line = r
        variance = None if line.counted_qty is None else line.counted_qty - line.book_qty
        if stored:
            unit_cost, value = line.unit_cost, line.variance_value
        elif line.id in values:
            _v, unit_cost, value, _t = values[line.id]
        else:
            unit_cost, value = (None, None) if variance is None else (ZERO, ZERO)
        records.append({
            "sku": r.sku, "name": r.name, "category": r.category or "", "location": r.location,
            "zone": line.zone, "book_qty": line.book_qty, "book_value": line.book_value,
            "counted_qty": line.counted_qty,
            "variance_qty": variance, "unit_cost": unit_cost, "variance_value": value,
            "reason": line.reason, "note": line.note, "initial_qty": line.initial_qty,
            "recount_qty": line.recount_qty, "spot_qty": line.spot_qty, "found": line.found,
        })
    return pd.DataFrame(records, columns=VARIANCE_COLUMNS)


def variance_report(db: Database, stocktake) -> pd.DataFrame:
    """One row per line: sku, name, category, location, zone, book_qty, book_value, counted_qty,
    variance_qty, unit_cost, variance_value, reason, note, initial_qty, recount_qty,
    spot_qty, found. Values are Decimal (None while a line is not counted); once
    approved they are the figures fixed at approval."""
    with db.read() as session:
        return _variance_frame(session, _load(session, stocktake))


def variance_summary(report: pd.DataFrame) -> dict:
    """Totals of a variance report: overall figures, per zone, per category, per
    reason (domain.stocktake.VarianceFigures)."""
    counted = report[report["counted_qty"].notna()]
    rows = list(zip(counted["zone"], counted["category"], counted["reason"],
                    counted["variance_qty"], counted["variance_value"]))
    return {
        "total": rules.summarise((qty, value) for _z, _c, _r, qty, value in rows),
        "zone": rules.group_figures((z, qty, value) for z, _c, _r, qty, value in rows),
        "category": rules.group_figures((c, qty, value) for _z, c, _r, qty, value in rows),
        "reason": rules.group_figures((r or "", qty, value) for _z, _c, r, qty, value in rows
                                      if qty != 0),
    }


def history(db: Database) -> pd.DataFrame:
    """Past and current stocktakes: number, period, status, lines, counted, accuracy
    (share of counted lines at book), gain_value, loss_value (once approved)."""
    with db.read() as session:
        records = []
        for r in q.history(session):
            counted = int(r.counted or 0)
            exact = int(r.exact or 0)
            approved = r.status in ("approved", "posted")
            records.append({
                "number": r.number, "period": r.period, "status": r.status,
                "lines": int(r.lines or 0), "counted": counted,
                "accuracy": rules.VarianceFigures(counted, exact, ZERO, ZERO).accuracy,
                "gain_value": (r.gain or ZERO) if approved else None,
                "loss_value": (r.loss or ZERO) if approved else None,
            })
    return pd.DataFrame(records, columns=["number", "period", "status", "lines", "counted",
                                          "accuracy", "gain_value", "loss_value"])


def _clean_reason(reason, note, row=None) -> tuple[str, str]:
    reason = str(reason or "").strip()
    where = {} if row is None else {"row": row}
    if reason not in VARIANCE_REASONS:
        raise ValidationError("invalid_variance_reason" if reason else "required", field="variance_reason",
                              value=reason, **where)
    note = clean_text(note, "variance_note", max_len=MAX_NOTE, row=row)
    if reason == "other" and not note:
        raise ValidationError("required", field="variance_note", **where)
    return reason, note


def set_reasons(db: Database, *, actor, stocktake, reasons: Iterable[Mapping[str, Any]]) -> int:
    """Reason (and note) for many variance lines: [{"sku","location","reason","note"}]."""
    cleaned = []
    for index, entry in enumerate(reasons, start=1):
        row = entry.get("row", index)
        reason, note = _clean_reason(entry.get("reason"), entry.get("note", ""), row)
        sku = clean_text(entry.get("sku"), "sku", max_len=40, required=True, row=row).upper()
        code = clean_text(entry.get("location"), "location", max_len=40, required=True,
                          row=row).upper()
        cleaned.append((row, sku, code, reason, note))
    if not cleaned:
        raise ValidationError("required", field="variance_reason")

    def work(session):
        require_role(session, actor, *REASON_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open", "submitted")
        found = {
            (sku, code): line
            for line, sku, code in session.execute(
                select(StocktakeLine, Item.sku, Location.code)
                .join(Item, Item.id == StocktakeLine.item_id)
                .join(Location, Location.id == StocktakeLine.location_id)
                .where(StocktakeLine.stocktake_id == st.id,
                       Item.sku.in_({c[1] for c in cleaned}))
            )
        }
        now = clock.now()
        updates = []
        for row, sku, code, reason, note in cleaned:
            line = found.get((sku, code))
            if line is None:
                raise ValidationError("not_on_sheet", field="sku", sku=sku, location=code, row=row)
            if line.counted_qty is None:
                raise ValidationError("line_not_counted", field="sku", sku=sku, location=code, row=row)
            if line.counted_qty == line.book_qty:
                raise ValidationError("no_variance", field="sku", sku=sku, location=code, row=row)
            updates.append({"id": line.id, "reason": reason, "note": note, "reason_by": actor,
                            "reason_at": now})
        _bulk_update_lines(session, updates)
        audit(session, actor, "stocktake.reason", "stocktake", st.number,
              lines=[f"{c[1]}@{c[2]}:{c[3]}" for c in cleaned][:50])
        return len(updates)

    return db.write(work)


def set_reason(db: Database, *, actor, stocktake, sku, location, reason, note="") -> None:
    """The cause of one line's variance (counting_error, receiving_error,
    issuing_error, damage, theft_loss, expired, unrecorded_return, other)."""
    set_reasons(db, actor=actor, stocktake=stocktake,
                reasons=[{"sku": sku, "location": location, "reason": reason, "note": note}])
