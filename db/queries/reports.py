"""Read queries for the reports and the home dashboard.

Only SQL aggregates, filters and paging live here (no business rules). Quantity and
money columns are scaled integers on SQLite: they are summed, compared and
subtracted in SQL, never multiplied (a lot's value is qty x cost in Python, or the
sum of its movements' stored values).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    ClosedPeriod,
    Item,
    Location,
    Lot,
    MonthSnapshot,
    Movement,
    StockBalance,
    User,
    Warehouse,
)

ZERO = Decimal(0)


# --- stock on hand ----------------------------------------------------------
@dataclass(frozen=True)
class StockFilter:
    sku: str | None = None
    location: str | None = None
    zone: str | None = None
    warehouse: str | None = None
    category: str | None = None
    brand: str | None = None
    genuine: bool | None = None
    status: str | None = None
    search: str | None = None
    item_ids: tuple[int, ...] | None = None


def _item_search(pattern: str):
    return or_(
        Item.sku.ilike(pattern), Item.name.ilike(pattern), Item.name_zh.like(pattern),
        Item.spec.ilike(pattern), Item.brand.ilike(pattern),
    )


def _apply_item_location_filters(query: Select, f: StockFilter) -> Select:
    if f.sku:
        query = query.where(Item.sku == f.sku)
    if f.item_ids is not None:
        query = query.where(Item.id.in_(f.item_ids))
    if f.category:
        query = query.where(Item.category == f.category)
    if f.brand:
        query = query.where(Item.brand == f.brand)
    if f.genuine is not None:
        query = query.where(Item.genuine.is_(bool(f.genuine)))
    if f.search and f.search.strip():
        # Match the items first (one pass over the catalogue), then reach their rows
        # through the item_id indexes, instead of testing the patterns on every row.
        query = query.where(Item.id.in_(
            select(Item.id).where(_item_search(f"%{f.search.strip()}%")).scalar_subquery()))
    if f.location:
        query = query.where(Location.code == f.location)
    if f.zone:
        query = query.where(Location.zone == f.zone)
    if f.warehouse:
        query = query.where(Warehouse.code == f.warehouse)
    return query


LOT_COLUMNS = (
    Item.sku, Item.name, Item.name_zh, Item.category, Item.brand, Item.genuine, Item.unit,
    Warehouse.code.label("warehouse"), Location.code.label("location"), Location.zone,
    Lot.id.label("lot_id"), Lot.lot_no, Lot.expiry_date, Lot.received_at, Lot.status,
    Lot.unit_cost,
)


def _lots_base(f: StockFilter, columns=LOT_COLUMNS) -> Select:
    query = (
        select(*columns)
        .select_from(Lot)
        .join(Item, Item.id == Lot.item_id)
        .join(Location, Location.id == Lot.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
    )
    query = _apply_item_location_filters(query, f)
    if f.status:
        query = query.where(Lot.status == f.status)
    return query


def stock_lots(session: Session, f: StockFilter, *, limit: int | None = None,
               offset: int = 0) -> list:
    """Lots with stock now: LOT_COLUMNS + qty_on_hand, ordered by SKU, bin, age."""
    query = (
        _lots_base(f, (*LOT_COLUMNS, Lot.qty_on_hand))
        .where(Lot.qty_on_hand > 0)
        .order_by(Item.sku, Location.code, Lot.received_at, Lot.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return session.execute(query).all()


def stock_lots_count(session: Session, f: StockFilter) -> tuple[int, Decimal]:
    """(number of lots with stock, their total quantity)."""
    query = _lots_base(f, (func.count(Lot.id), func.sum(Lot.qty_on_hand))).where(
        Lot.qty_on_hand > 0)
    count, qty = session.execute(query).one()
    return int(count or 0), qty or ZERO


def stock_balance_value(session: Session, f: StockFilter) -> Decimal:
    """Total stock value from the cached balances (item/location filters only)."""
    query = (
        select(func.sum(StockBalance.value))
        .select_from(StockBalance)
        .join(Item, Item.id == StockBalance.item_id)
        .join(Location, Location.id == StockBalance.location_id)
        .join(Warehouse, Warehouse.id == Location.warehouse_id)
    )
    query = _apply_item_location_filters(query, f)
    return session.scalar(query) or ZERO


def stock_lot_costs(session: Session, f: StockFilter) -> list[tuple[Decimal, Decimal]]:
    """(qty_on_hand, unit_cost) of every matching lot (to value a status filter)."""
    query = _lots_base(f, (Lot.qty_on_hand, Lot.unit_cost)).where(Lot.qty_on_hand > 0)
    return session.execute(query).all()


def lot_balances_as_of(session: Session, f: StockFilter, moment: datetime, *,
                       limit: int | None = None, offset: int = 0) -> list:
    """Lots with stock at ``moment`` from the ledger: LOT_COLUMNS + qty, value."""
    moves = (
        select(Movement.lot_id, func.sum(Movement.qty).label("qty"),
               func.sum(Movement.value).label("value"))
        .where(Movement.at < moment)
        .group_by(Movement.lot_id)
        .having(func.sum(Movement.qty) != 0)
        .subquery()
    )
    query = (
        _lots_base(f, (*LOT_COLUMNS, moves.c.qty, moves.c.value))
        .join(moves, moves.c.lot_id == Lot.id)
        .order_by(Item.sku, Location.code, Lot.received_at, Lot.id)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return session.execute(query).all()


def lot_balances_as_of_count(session: Session, f: StockFilter, moment: datetime):
    moves = (
        select(Movement.lot_id, func.sum(Movement.qty).label("qty"),
               func.sum(Movement.value).label("value"))
        .where(Movement.at < moment)
        .group_by(Movement.lot_id)
        .having(func.sum(Movement.qty) != 0)
        .subquery()
    )
    query = _lots_base(f, (func.count(Lot.id), func.sum(moves.c.qty), func.sum(moves.c.value)))
    query = query.join(moves, moves.c.lot_id == Lot.id)
    count, qty, value = session.execute(query).one()
    return int(count or 0), qty or ZERO, value or ZERO


# --- items -------------------------------------------------------------------
def item_by_sku(session: Session, sku: str) -> Item | None:
    return session.scalar(select(Item).where(Item.sku == sku))


def item_bins(session: Session, item_id: int) -> list:
    """(location code, zone, qty, value) where the item has stock (cached balances)."""
    return session.execute(
        select(Location.code, Location.zone, StockBalance.qty, StockBalance.value)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.item_id == item_id, StockBalance.qty != 0)
        .order_by(Location.code)
    ).all()


def location_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Location.id).where(Location.code == code))


# --- stock card --------------------------------------------------------------
def item_balance_before(session: Session, item_id: int, moment: datetime,
                        location_id: int | None = None) -> tuple[Decimal, Decimal]:
    query = select(func.sum(Movement.qty), func.sum(Movement.value)).where(
        Movement.item_id == item_id, Movement.at < moment)
    if location_id is not None:
        query = query.where(Movement.location_id == location_id)
    qty, value = session.execute(query).one()
    return qty or ZERO, value or ZERO


def item_movements(session: Session, item_id: int, start: datetime | None,
                   end: datetime | None, location_id: int | None = None) -> list:
    """Every movement of one item in [start, end), oldest first."""
    query = (
        select(Movement.id, Movement.at, Movement.type, Movement.doc_type, Movement.doc_no,
               Location.code.label("location"), Lot.lot_no, Lot.expiry_date,
               User.username.label("actor"), Movement.qty, Movement.unit_cost,
               Movement.value, Movement.note)
        .join(Location, Location.id == Movement.location_id)
        .join(Lot, Lot.id == Movement.lot_id)
        .outerjoin(User, User.id == Movement.actor_id)
        .where(Movement.item_id == item_id)
        .order_by(Movement.at, Movement.id)
    )
    if start is not None:
        query = query.where(Movement.at >= start)
    if end is not None:
        query = query.where(Movement.at < end)
    if location_id is not None:
        query = query.where(Movement.location_id == location_id)
    return session.execute(query).all()


# --- monthly summary -----------------------------------------------------------
def movement_sums_by_item_type(session: Session, start: datetime | None,
                               end: datetime | None) -> list:
    """(item_id, type, sum qty, sum value) of movements in [start, end)."""
    query = select(Movement.item_id, Movement.type, func.sum(Movement.qty),
                   func.sum(Movement.value))
    if start is not None:
        query = query.where(Movement.at >= start)
    if end is not None:
        query = query.where(Movement.at < end)
    return session.execute(query.group_by(Movement.item_id, Movement.type)).all()


def balances_by_item_before(session: Session, moment: datetime) -> dict[int, tuple]:
    """Per item (qty, value) of every movement before ``moment`` (whole ledger)."""
    rows = session.execute(
        select(Movement.item_id, func.sum(Movement.qty), func.sum(Movement.value))
        .where(Movement.at < moment).group_by(Movement.item_id)
    )
    return {i: (q or ZERO, v or ZERO) for i, q, v in rows}


def last_closed_before(session: Session, period: str) -> str | None:
    return session.scalar(
        select(func.max(ClosedPeriod.period)).where(ClosedPeriod.period < period))


def last_closed(session: Session) -> str | None:
    return session.scalar(select(func.max(ClosedPeriod.period)))


def closed_period(session: Session, period: str) -> ClosedPeriod | None:
    return session.get(ClosedPeriod, period)


def closed_periods(session: Session) -> list[ClosedPeriod]:
    return list(session.scalars(select(ClosedPeriod).order_by(ClosedPeriod.period.desc())))


SNAPSHOT_FIELDS = (
    "opening_qty", "opening_value", "in_qty", "in_value", "out_qty", "out_value",
    "adjust_qty", "adjust_value", "closing_qty", "closing_value",
)


def snapshot_rows(session: Session, period: str) -> list:
    """(item_id, *SNAPSHOT_FIELDS) of a closed month."""
    return session.execute(
        select(MonthSnapshot.item_id, *(getattr(MonthSnapshot, f) for f in SNAPSHOT_FIELDS))
        .where(MonthSnapshot.period == period)
    ).all()


def insert_snapshot(session: Session, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for chunk in _chunks(rows, 5000):
        session.execute(insert(MonthSnapshot), chunk)


def snapshot_totals_by_period(session: Session, first: str, last: str) -> list:
    """(period, in_qty, in_value, out_qty, out_value) summed over items, closed months
    between ``first`` and ``last``."""
    return session.execute(
        select(MonthSnapshot.period, func.sum(MonthSnapshot.in_qty),
               func.sum(MonthSnapshot.in_value), func.sum(MonthSnapshot.out_qty),
               func.sum(MonthSnapshot.out_value))
        .where(MonthSnapshot.period >= first, MonthSnapshot.period <= last)
        .group_by(MonthSnapshot.period)
    ).all()


def snapshot_closing(session: Session, period: str) -> dict[int, tuple]:
    rows = session.execute(
        select(MonthSnapshot.item_id, MonthSnapshot.closing_qty, MonthSnapshot.closing_value)
        .where(MonthSnapshot.period == period))
    return {i: (q, v) for i, q, v in rows}


def first_movement_at(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Movement.at)))


def max_movement_id(session: Session) -> int:
    return session.scalar(select(func.max(Movement.id))) or 0


def items_info(session: Session, item_ids: Iterable[int] | None = None) -> dict[int, tuple]:
    """id -> (sku, name, name_zh, category, unit)."""
    query = select(Item.id, Item.sku, Item.name, Item.name_zh, Item.category, Item.unit)
    if item_ids is not None:
        ids = list(item_ids)
        if not ids:
            return {}
        if len(ids) <= 500:          # beyond that one scan of the items is cheaper
            query = query.where(Item.id.in_(ids))
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


# --- dashboard, trend and charts ------------------------------------------------
def movement_totals(session: Session, types: Iterable[str], start: datetime,
                    end: datetime) -> tuple[int, Decimal, Decimal]:
    """(documents, qty, value) of movements of ``types`` in [start, end)."""
    docs, qty, value = session.execute(
        select(func.count(func.distinct(Movement.doc_no)), func.sum(Movement.qty),
               func.sum(Movement.value))
        .where(Movement.type.in_(list(types)), Movement.at >= start, Movement.at < end)
    ).one()
    return int(docs or 0), qty or ZERO, value or ZERO


def hour_bucket(session: Session):
    """An SQL expression naming the UTC hour of a movement ('YYYY-MM-DD HH')."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", Movement.at)
    return func.to_char(func.timezone("UTC", Movement.at), "YYYY-MM-DD HH24")


def movement_by_hour(session: Session, types: Iterable[str], start: datetime,
                     end: datetime) -> list:
    """(UTC hour 'YYYY-MM-DD HH', type, sum qty, sum value) in [start, end)."""
    bucket = hour_bucket(session).label("hour")
    return session.execute(
        select(bucket, Movement.type, func.sum(Movement.qty), func.sum(Movement.value))
        .where(Movement.type.in_(list(types)), Movement.at >= start, Movement.at < end)
        .group_by(bucket, Movement.type)
    ).all()


def value_by_category(session: Session) -> list:
    """(category, qty, value) of stock on hand, from the cached balances."""
    return session.execute(
        select(Item.category, func.sum(StockBalance.qty), func.sum(StockBalance.value))
        .join(Item, Item.id == StockBalance.item_id)
        .group_by(Item.category).having(func.sum(StockBalance.qty) != 0)
        .order_by(Item.category)
    ).all()


def lots_status_summary(session: Session, status: str) -> tuple[int, Decimal, datetime | None]:
    """(lots, qty, oldest received_at) of lots with stock in ``status``."""
    count, qty, oldest = session.execute(
        select(func.count(Lot.id), func.sum(Lot.qty_on_hand), func.min(Lot.received_at))
        .where(Lot.status == status, Lot.qty_on_hand > 0)
    ).one()
    return int(count or 0), qty or ZERO, oldest


def expiring_lots(session: Session, until: date) -> list:
    """Lots with stock whose expiry date is on or before ``until`` (expired included)."""
    return session.execute(
        _lots_base(StockFilter(), (*LOT_COLUMNS, Lot.qty_on_hand))
        .where(Lot.qty_on_hand > 0, Lot.expiry_date.is_not(None), Lot.expiry_date <= until)
        .order_by(Lot.expiry_date, Item.sku, Location.code)
    ).all()


def expiry_counts(session: Session, limits: dict[str, date]) -> dict[str, int]:
    """Lots with stock expiring on or before each date (name -> count)."""
    cols = [func.count(Lot.id).filter(Lot.expiry_date <= d).label(k) for k, d in limits.items()]
    row = session.execute(
        select(*cols).where(Lot.qty_on_hand > 0, Lot.expiry_date.is_not(None))).one()
    return {k: int(v or 0) for k, v in zip(limits, row)}


def lots_for_ageing(session: Session, f: StockFilter) -> list:
    """(sku, category, received_at, qty_on_hand, unit_cost) of lots with stock."""
    return session.execute(
        _lots_base(f, (Item.sku, Item.category, Lot.received_at, Lot.qty_on_hand,
                       Lot.unit_cost)).where(Lot.qty_on_hand > 0)
    ).all()


# --- slow-moving and reorder ------------------------------------------------------
def stock_by_item(session: Session) -> list:
    """(item_id, qty, value) per item with stock, from the cached balances."""
    return session.execute(
        select(StockBalance.item_id, func.sum(StockBalance.qty), func.sum(StockBalance.value))
        .group_by(StockBalance.item_id).having(func.sum(StockBalance.qty) > 0)
    ).all()


def last_movement_at(session: Session, item_ids: list[int], types: Iterable[str]) -> dict:
    """item_id -> latest movement time among ``types`` (index item_id, type, at)."""
    result: dict[int, datetime] = {}
    types = list(types)
    for chunk in _chunks(item_ids, 500):
        rows = session.execute(
            select(Movement.item_id, func.max(Movement.at))
            .where(Movement.item_id.in_(chunk), Movement.type.in_(types))
            .group_by(Movement.item_id))
        result.update(dict(rows.all()))
    return result


def oldest_lot_received(session: Session, item_ids: list[int]) -> dict:
    result: dict[int, datetime] = {}
    for chunk in _chunks(item_ids, 500):
        rows = session.execute(
            select(Lot.item_id, func.min(Lot.received_at))
            .where(Lot.item_id.in_(chunk), Lot.qty_on_hand > 0).group_by(Lot.item_id))
        result.update(dict(rows.all()))
    return result


def usage_since(session: Session, item_ids: list[int], types: Iterable[str],
                start: datetime, end: datetime | None = None) -> dict[int, Decimal]:
    """item_id -> sum of qty of ``types`` movements in [start, end) (signed)."""
    result: dict[int, Decimal] = {}
    types = list(types)
    for chunk in _chunks(item_ids, 500):
        query = (
            select(Movement.item_id, func.sum(Movement.qty))
            .where(Movement.item_id.in_(chunk), Movement.type.in_(types), Movement.at >= start)
            .group_by(Movement.item_id))
        if end is not None:
            query = query.where(Movement.at < end)
        rows = session.execute(query)
        result.update({i: q or ZERO for i, q in rows})
    return result


def reorder_candidates(session: Session) -> list:
    """Active items with a reorder level, and their available / quarantined qty:
    (id, sku, name, name_zh, category, unit, reorder_level, available, quarantine)."""
    available = (
        select(Lot.item_id, func.sum(Lot.qty_on_hand).label("qty"))
        .where(Lot.status == "available", Lot.qty_on_hand > 0)
        .group_by(Lot.item_id).subquery()
    )
    quarantine = (
        select(Lot.item_id, func.sum(Lot.qty_on_hand).label("qty"))
        .where(Lot.status == "quarantine", Lot.qty_on_hand > 0)
        .group_by(Lot.item_id).subquery()
    )
    return session.execute(
        select(Item.id, Item.sku, Item.name, Item.name_zh, Item.category, Item.unit,
               Item.reorder_level, available.c.qty, quarantine.c.qty)
        .outerjoin(available, available.c.item_id == Item.id)
        .outerjoin(quarantine, quarantine.c.item_id == Item.id)
        .where(Item.active.is_(True), Item.reorder_level > 0,
               or_(available.c.qty.is_(None), available.c.qty < Item.reorder_level))
        .order_by(Item.sku)
    ).all()


def count_below_reorder(session: Session) -> int:
    available = (
        select(Lot.item_id, func.sum(Lot.qty_on_hand).label("qty"))
        .where(Lot.status == "available", Lot.qty_on_hand > 0)
        .group_by(Lot.item_id).subquery()
    )
    return session.scalar(
        select(func.count(Item.id))
        .outerjoin(available, available.c.item_id == Item.id)
        .where(Item.active.is_(True), Item.reorder_level > 0,
               or_(available.c.qty.is_(None), available.c.qty < Item.reorder_level))
    ) or 0


# --- audit trail -------------------------------------------------------------------
def _audit_query(columns, user: str | None, action: str | None, start: datetime | None,
                 end: datetime | None, search: str | None):
    query = select(*columns)
    if user:
        query = query.where(AuditEvent.actor == user)
    if action:
        query = query.where(AuditEvent.action == action)
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    if search and search.strip():
        query = query.where(AuditEvent.entity_key.ilike(f"%{search.strip()}%"))
    return query


def audit_events(session: Session, *, user=None, action=None, start=None, end=None,
                 search=None, limit: int | None = None, offset: int = 0) -> list:
    query = _audit_query(
        (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.entity,
         AuditEvent.entity_key, AuditEvent.details), user, action, start, end, search,
    ).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return session.execute(query).all()


def audit_count(session: Session, *, user=None, action=None, start=None, end=None,
                search=None) -> int:
    return session.scalar(
        _audit_query((func.count(AuditEvent.id),), user, action, start, end, search)) or 0


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_actors(session: Session) -> list[str]:
    return list(session.scalars(
        select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))


# --- helpers -------------------------------------------------------------------------
def _chunks(values: list, size: int):
    for index in range(0, len(values), size):
        yield values[index:index + size]


def movements_written_after(session: Session, movement_id: int, before: datetime) -> int:
    """Movements with an id above ``movement_id`` dated before ``before``."""
    return session.scalar(
        select(func.count(Movement.id)).where(Movement.id > movement_id, Movement.at < before)
    ) or 0


# --- purchasing, receiving and stocktake (dashboard, reorder, suppliers) -------------
OPEN_PO_STATUSES = ("approved", "partially_received")


def open_po_qty(session: Session, item_ids: list[int]) -> dict[int, Decimal]:
    """item_id -> quantity still outstanding on approved purchase orders."""
    from db.models import PurchaseOrder, PurchaseOrderLine

    result: dict[int, Decimal] = {}
    for chunk in _chunks(list(item_ids), 500):
        rows = session.execute(
            select(PurchaseOrderLine.item_id,
                   func.sum(PurchaseOrderLine.qty_ordered) - func.sum(PurchaseOrderLine.qty_received))
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
            .where(PurchaseOrderLine.item_id.in_(chunk),
                   PurchaseOrder.status.in_(OPEN_PO_STATUSES),
                   PurchaseOrderLine.qty_ordered > PurchaseOrderLine.qty_received)
            .group_by(PurchaseOrderLine.item_id))
        result.update({i: q or ZERO for i, q in rows})
    return result


def deliveries_due(session: Session, today: date, until: date) -> dict[str, int]:
    """Approved, not fully received purchase orders due in [today, until] and overdue."""
    from db.models import PurchaseOrder

    open_po = PurchaseOrder.status.in_(OPEN_PO_STATUSES)
    due = session.scalar(select(func.count(PurchaseOrder.id)).where(
        open_po, PurchaseOrder.due_date >= today, PurchaseOrder.due_date <= until)) or 0
    overdue = session.scalar(select(func.count(PurchaseOrder.id)).where(
        open_po, PurchaseOrder.due_date < today)) or 0
    return {"due": int(due), "overdue": int(overdue)}


def open_receipts(session: Session) -> list:
    """(number, arrived_at) of receipts still being checked (not posted)."""
    from db.models import Receipt

    return session.execute(
        select(Receipt.number, Receipt.arrived_at).where(Receipt.status == "open")
        .order_by(Receipt.arrived_at)
    ).all()


def latest_stocktake(session: Session) -> dict | None:
    """The newest stocktake that was not cancelled: number, period, status."""
    from db.models import Stocktake

    row = session.execute(
        select(Stocktake.number, Stocktake.period, Stocktake.status, Stocktake.zones)
        .where(Stocktake.status != "cancelled").order_by(Stocktake.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return {"number": row.number, "period": row.period, "status": row.status,
            "zones": list(row.zones or [])}


def deliveries(session: Session, start: datetime | None, end: datetime | None) -> list:
    """Posted receipts that arrived in [start, end): receipt_id, supplier_id,
    arrived_at, posted_at and their purchase order's due date."""
    from db.models import PurchaseOrder, Receipt

    query = (
        select(Receipt.id.label("receipt_id"), Receipt.supplier_id, Receipt.arrived_at,
               Receipt.posted_at, PurchaseOrder.due_date, Receipt.delivery_date)
        .join(PurchaseOrder, PurchaseOrder.id == Receipt.order_id)
        .where(Receipt.status == "posted")
        .order_by(Receipt.arrived_at)
    )
    if start is not None:
        query = query.where(Receipt.arrived_at >= start)
    if end is not None:
        query = query.where(Receipt.arrived_at < end)
    return session.execute(query).all()


def delivery_lines(session: Session, receipt_ids: list[int]) -> list:
    from db.models import ReceiptLine

    rows = []
    for chunk in _chunks(list(receipt_ids), 500):
        rows.extend(session.execute(
            select(ReceiptLine.receipt_id, ReceiptLine.note_qty, ReceiptLine.counted_qty,
                   ReceiptLine.damaged_qty, ReceiptLine.rejected_qty, ReceiptLine.flags)
            .where(ReceiptLine.receipt_id.in_(chunk))
        ).all())
    return rows


def supplier_names(session: Session) -> dict[int, tuple[str, str]]:
    from db.models import Supplier

    return {i: (c, n) for i, c, n in session.execute(
        select(Supplier.id, Supplier.code, Supplier.name))}


def filter_options(session: Session) -> dict[str, list[str]]:
    """Distinct values for the stock filters."""
    return {
        "warehouses": list(session.scalars(select(Warehouse.code).order_by(Warehouse.code))),
        "zones": list(session.scalars(select(Location.zone).distinct().order_by(Location.zone))),
        "locations": list(session.scalars(select(Location.code).order_by(Location.code))),
        "categories": list(session.scalars(
            select(Item.category).where(Item.category != "").distinct().order_by(Item.category))),
        "brands": list(session.scalars(
            select(Item.brand).where(Item.brand != "").distinct().order_by(Item.brand))),
    }


def item_choices(session: Session, search: str | None, limit: int = 50) -> list[tuple]:
    """(sku, name, name_zh) of items matching ``search`` (SKU first), for pickers."""
    query = select(Item.sku, Item.name, Item.name_zh).order_by(Item.sku).limit(limit)
    if search and search.strip():
        query = query.where(_item_search(f"%{search.strip()}%"))
    return session.execute(query).all()
