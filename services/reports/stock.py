"""Stock on hand, the stock card, item cards, bin labels, item look-ups."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from db import Database
from db.queries import reports as q
from domain import barcode
from domain import reports as calc
from services.errors import NotFound, ValidationError

from services.reports.common import ZERO, _filters, _frame, _item_or_404, _local
from services.reports.periods import _as_end, _as_start


STOCK_COLUMNS = [
    "sku", "name", "name_zh", "category", "brand", "genuine", "warehouse", "location", "zone",
    "lot_no", "expiry_date", "received_at", "status", "unit", "qty_on_hand", "unit_cost",
    "value",
]
CARD_COLUMNS = [
    "at", "type", "doc_type", "doc_no", "location", "lot_no", "actor", "in_qty", "out_qty",
    "unit_cost", "value", "balance_qty", "balance_value", "note",
]


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


def filter_options(db: Database) -> dict[str, list[str]]:
    """Warehouses, zones, locations, categories and brands for the report filters."""
    with db.read() as session:
        return q.filter_options(session)


def find_items(db: Database, search: str | None = None, *, limit: int = 50) -> list[dict]:
    """Items matching a SKU / name (en or zh) / spec / brand search, for pickers."""
    with db.read() as session:
        return [{"sku": s, "name": n, "name_zh": z}
                for s, n, z in q.item_choices(session, search, limit)]
