"""Issuing rules shared by every step: roles, purposes, input cleaning, lot look-ups."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from collections.abc import Mapping
from typing import Any, Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from db.models import ISSUE_PURPOSES, Item, Location, Lot
from db.queries import issuing as q
from domain.allocation import ANY_AVAILABLE, BAD, GOOD, LotStock, ShortStock
from services import clock
from services.common import clean_text, to_decimal
from services.errors import InsufficientStock, ValidationError


ISSUE_ROLES = ("keeper", "supervisor")
APPROVER_ROLES = ("supervisor", "manager")
TOOL_REGISTER_ROLES = ("admin", "supervisor")
PURPOSES = ISSUE_PURPOSES
# Purposes that may draw on the separate book of held / expired stock.
BAD_STOCK_PURPOSES = ("scrap", "supplier_return")
STOCK_SOURCES = (GOOD, BAD)
ZERO = Decimal(0)
MAX_LINES = 200


@dataclass
class _Line:
    row: int
    sku: str
    qty: Decimal


def _clean_sku(value: Any, row: int | None = None) -> str:
    return clean_text(value, "sku", max_len=40, required=True, row=row).upper()


def _clean_lines(lines: Iterable[Mapping[str, Any]]) -> list[_Line]:
    """Validate lines; a SKU that repeats is summed into its first line."""
    merged: dict[str, _Line] = {}
    for row, raw in enumerate(lines or [], start=1):
        if not isinstance(raw, Mapping):
            raise ValidationError("invalid", field="lines", row=row)
        sku = _clean_sku(raw.get("sku"), row)
        qty = to_decimal(raw.get("qty"), "qty", positive=True, row=row)
        if sku in merged:
            merged[sku].qty += qty
        else:
            merged[sku] = _Line(row, sku, qty)
    if not merged:
        raise ValidationError("no_lines", field="lines")
    if len(merged) > MAX_LINES:
        raise ValidationError("too_many_lines", field="lines", max=MAX_LINES)
    return list(merged.values())


def _clean_request_id(request_id) -> str | None:
    if request_id is None or request_id == "":
        return None
    return clean_text(request_id, "request_id", max_len=64, required=True)


def _clean_purpose(purpose, stock) -> None:
    if purpose not in PURPOSES:
        raise ValidationError("invalid_choice", field="purpose", value=str(purpose))
    if stock not in STOCK_SOURCES:
        raise ValidationError("invalid_choice", field="stock", value=str(stock))
    if stock == BAD and purpose not in BAD_STOCK_PURPOSES:
        raise ValidationError("bad_stock_purpose", field="purpose", value=purpose)


def _items_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Item]:
    skus = list(skus)
    return {i.sku: i for i in session.scalars(select(Item).where(Item.sku.in_(skus)))}


def _lots_query(query, item_ids, *, source: str = GOOD, location_id: int | None = None):
    """Candidate lots of the items (with stock; the domain decides what is issuable)
    in FIFO order, on the (item_id, received_at, id) index. ``item_ids``: ids or an
    expanding bind parameter."""
    if not isinstance(item_ids, BindParameter):
        item_ids = list(item_ids)
    query = (
        query.join(Location, Location.id == Lot.location_id)
        .where(Lot.item_id.in_(item_ids), Lot.qty_on_hand > 0)
        .order_by(Lot.item_id, Lot.received_at, Lot.id)
    )
    if source in (GOOD, ANY_AVAILABLE):
        query = query.where(Lot.status == "available")
    else:
        query = query.where(Lot.status != "quarantine")
    if source == GOOD:
        query = query.where(Location.kind == "storage")
    if location_id is not None:
        query = query.where(Lot.location_id == location_id)
    return query


def _load_lots(session: Session, item_ids: Iterable[int], *, source: str = GOOD,
               location_id: int | None = None, for_update: bool = False
               ) -> dict[int, list[tuple[Lot, Location]]]:
    """Candidate lots per item (with stock; the domain decides what is issuable),
    in FIFO order, optionally locked. Uses the (item_id, received_at, id) index."""
    query = _lots_query(select(Lot, Location), item_ids, source=source,
                        location_id=location_id)
    if for_update:
        query = query.with_for_update(of=Lot)
    found: dict[int, list[tuple[Lot, Location]]] = defaultdict(list)
    for lot, location in session.execute(query):
        found[lot.item_id].append((lot, location))
    return found


@dataclass(frozen=True)
class _LocationRow:
    """A lot's location as the ledger's frozen check needs it."""

    id: int
    code: str
    zone: str
    frozen_by_stocktake_id: int | None


_ITEM_COLUMNS = (Item.id, Item.sku, Item.name, Item.unit, Item.active, Item.is_assembly,
                 Item.requires_old_part, Item.issue_policy, Item.reorder_level)
_LOT_COLUMNS = (Lot.id, Lot.item_id, Lot.location_id, Lot.lot_no, Lot.expiry_date,
                Lot.received_at, Lot.unit_cost, Lot.qty_on_hand, Lot.status, Location.code,
                Location.zone, Location.kind, Location.frozen_by_stocktake_id)
_ITEMS_BY_SKU = select(*_ITEM_COLUMNS).where(Item.sku.in_(bindparam("skus", expanding=True)))


def _item_rows(session: Session, skus: Iterable[str]) -> dict[str, Any]:
    """What an issue needs of its items, by SKU (plain rows, one query)."""
    return {row.sku: row for row in session.execute(_ITEMS_BY_SKU, {"skus": list(skus)})}


@lru_cache(maxsize=None)
def _lot_rows_statement(source: str, for_update: bool):
    query = _lots_query(select(*_LOT_COLUMNS), bindparam("item_ids", expanding=True),
                        source=source)
    return query.with_for_update(of=Lot) if for_update else query


def _lot_rows(session: Session, item_ids: Iterable[int], *, source: str = GOOD,
              for_update: bool = False) -> dict[int, list[Any]]:
    """``_load_lots`` as plain rows (lot and location columns), same filter and order;
    the statement is built once per kind."""
    found: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(_lot_rows_statement(source, for_update),
                               {"item_ids": list(item_ids)}):
        found[row.item_id].append(row)
    return found


def _row_stock(row) -> LotStock:
    return LotStock(
        lot_id=row.id, received_at=row.received_at, qty=row.qty_on_hand,
        unit_cost=row.unit_cost, expiry_date=row.expiry_date, status=row.status,
        location_kind=row.kind, lot_no=row.lot_no, location=row.code,
    )


def _lot_stock(lot: Lot, location: Location) -> LotStock:
    return LotStock(
        lot_id=lot.id, received_at=lot.received_at, qty=lot.qty_on_hand,
        unit_cost=lot.unit_cost, expiry_date=lot.expiry_date, status=lot.status,
        location_kind=location.kind, lot_no=lot.lot_no, location=location.code,
    )


def plain(number: Decimal) -> Decimal:
    """10.000 -> 10, 2.500 -> 2.5 (for messages)."""
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _short(item: Item, line: _Line, exc: ShortStock, **extra) -> InsufficientStock:
    return InsufficientStock(sku=item.sku, available=plain(exc.available),
                             requested=plain(line.qty), field="qty", row=line.row, **extra)


def _day_bounds(start: date | None, end: date | None):
    zone = clock.local_zone()
    lower = datetime.combine(start, time.min, zone) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, zone) if end else None
    return lower, upper


def _replay(session: Session, request_id: str | None, model, to_view):
    """The view of the document this request id already produced, or None. The id is
    locked first, so a racing duplicate waits and then finds the first one's work."""
    if not request_id:
        return None
    q.lock_request_id(session, request_id)
    done = session.scalar(select(model).where(model.request_id == request_id))
    return None if done is None else to_view(done, replayed=True)
