"""Stocktake aggregates and bulk reads (no business rules)."""
from __future__ import annotations

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from db.models import (
    Item,
    Location,
    Lot,
    Movement,
    Receipt,
    ReceiptLine,
    StockBalance,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
)

LINE = StocktakeLine


def snapshot_select(stocktake_id: int, zones: list[str]):
    """Book qty and value per item and location with stock in ``zones`` (for an
    INSERT ... SELECT into stocktake_line)."""
    return (
        select(
            literal(stocktake_id).label("stocktake_id"), StockBalance.item_id,
            StockBalance.location_id, Location.zone, StockBalance.qty, StockBalance.value,
        )
        .join(Location, Location.id == StockBalance.location_id)
        .where(Location.zone.in_(zones), StockBalance.qty != 0)
    )


def zone_progress(session: Session, stocktake_id: int):
    """Per zone: lines, initial counts, recounts, lines counted, lines waiting for a
    recount, spot-checked lines, spot-checked lines that differ from the sheet."""
    differs = and_(LINE.spot_qty.is_not(None),
                   (LINE.counted_qty.is_(None)) | (LINE.counted_qty != LINE.spot_qty))
    return session.execute(
        select(
            LINE.zone,
            func.count().label("lines"),
            func.count(LINE.initial_qty).label("initial"),
            func.count(LINE.recount_qty).label("recounted"),
            func.count(LINE.counted_qty).label("counted"),
            func.sum(case((LINE.needs_recount.is_(True), 1), else_=0)).label("needs_recount"),
            func.count(LINE.spot_qty).label("spot_checked"),
            func.sum(case((differs, 1), else_=0)).label("spot_differs"),
            func.sum(case((LINE.found.is_(True), 1), else_=0)).label("found"),
        )
        .where(LINE.stocktake_id == stocktake_id)
        .group_by(LINE.zone)
        .order_by(LINE.zone)
    ).all()


def sheet_rows(session: Session, stocktake_id: int, zone: str | None = None):
    """Line, item and location columns for sheets and lists, sorted by bin (plain
    rows, not ORM objects: a month can have tens of thousands of lines)."""
    line_columns = [c for c in LINE.__table__.c if c.key != "stocktake_id"]
    query = (
        select(*line_columns, Item.sku, Item.name, Item.name_zh, Item.spec, Item.unit,
               Item.category, Item.issue_policy, Location.code.label("location"), Location.kind)
        .join(Item, Item.id == LINE.item_id)
        .join(Location, Location.id == LINE.location_id)
        .where(LINE.stocktake_id == stocktake_id)
        .order_by(LINE.zone, Location.code, Item.sku)
    )
    if zone is not None:
        query = query.where(LINE.zone == zone)
    return session.execute(query).all()


def lots_for_losses(session: Session, stocktake_id: int, *, for_update: bool = False):
    """Lots with stock at the item-locations counted short (one query)."""
    query = (
        select(Lot, Location.kind)
        .join(LINE, and_(LINE.item_id == Lot.item_id, LINE.location_id == Lot.location_id))
        .join(Location, Location.id == Lot.location_id)
        .where(LINE.stocktake_id == stocktake_id, LINE.counted_qty < LINE.book_qty,
               Lot.qty_on_hand > 0)
        .order_by(Lot.id)
    )
    if for_update:
        query = query.with_for_update(of=Lot)
    return session.execute(query).all()


def latest_receipt_costs(session: Session, stocktake_id: int) -> dict[int, object]:
    """Unit cost of the latest receipt of every item counted over its book; items
    never received fall back to their latest lot of any origin."""
    gain_items = (
        select(LINE.item_id)
        .where(LINE.stocktake_id == stocktake_id, LINE.counted_qty > LINE.book_qty)
        .scalar_subquery()
    )
    ranked = (
        select(
            Movement.item_id, Movement.unit_cost,
            func.row_number().over(partition_by=Movement.item_id,
                                   order_by=(Movement.at.desc(), Movement.id.desc())).label("rn"),
        )
        .where(Movement.type == "receipt", Movement.item_id.in_(gain_items))
        .subquery()
    )
    costs = dict(session.execute(select(ranked.c.item_id, ranked.c.unit_cost).where(ranked.c.rn == 1)).all())
    lots = (
        select(
            Lot.item_id, Lot.unit_cost,
            func.row_number().over(partition_by=Lot.item_id,
                                   order_by=(Lot.received_at.desc(), Lot.id.desc())).label("rn"),
        )
        .where(Lot.item_id.in_(gain_items))
        .subquery()
    )
    for item_id, cost in session.execute(select(lots.c.item_id, lots.c.unit_cost).where(lots.c.rn == 1)):
        costs.setdefault(item_id, cost)
    return costs


def balances_for_lines(session: Session, stocktake_id: int):
    """(line id, current balance qty) for lines with a variance."""
    return session.execute(
        select(LINE.id, func.coalesce(StockBalance.qty, 0))
        .outerjoin(StockBalance, and_(StockBalance.item_id == LINE.item_id,
                                      StockBalance.location_id == LINE.location_id))
        .where(LINE.stocktake_id == stocktake_id, LINE.counted_qty != LINE.book_qty)
    ).all()


def counters(session: Session, stocktake_id: int) -> set[str]:
    """Everyone who made an initial count or a recount on this stocktake."""
    return set(session.scalars(
        select(StocktakeCount.counted_by).distinct()
        .where(StocktakeCount.stocktake_id == stocktake_id,
               StocktakeCount.round.in_(("initial", "recount")))
    ))


def history(session: Session):
    """Per stocktake (not cancelled): lines, lines counted, lines at book, and the
    approved gain and loss value (NULL until approved)."""
    exact = and_(LINE.counted_qty.is_not(None), LINE.counted_qty == LINE.book_qty)
    return session.execute(
        select(
            Stocktake.number, Stocktake.period, Stocktake.status, Stocktake.opened_at,
            func.count(LINE.id).label("lines"),
            func.count(LINE.counted_qty).label("counted"),
            func.sum(case((exact, 1), else_=0)).label("exact"),
            func.sum(case((LINE.variance_value > 0, LINE.variance_value), else_=0)).label("gain"),
            func.sum(case((LINE.variance_value < 0, LINE.variance_value), else_=0)).label("loss"),
        )
        .outerjoin(LINE, LINE.stocktake_id == Stocktake.id)
        .where(Stocktake.status != "cancelled")
        .group_by(Stocktake.id, Stocktake.number, Stocktake.period, Stocktake.status,
                  Stocktake.opened_at)
        .order_by(Stocktake.period, Stocktake.id)
    ).all()


def counted_open_receipts(session: Session, zones: list[str]) -> list[tuple[str, str, str]]:
    """(receipt no., zone, bin) of receipts not yet posted with goods counted into a
    bin of ``zones``: they would post into a frozen zone."""
    return [tuple(row) for row in session.execute(
        select(Receipt.number, Location.zone, Location.code)
        .join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
        .join(Location, Location.id == ReceiptLine.location_id)
        .where(Receipt.status == "open", ReceiptLine.counted_qty.is_not(None),
               Location.zone.in_(zones))
        .distinct().order_by(Receipt.number, Location.code))]
