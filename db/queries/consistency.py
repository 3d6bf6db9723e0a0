"""Aggregates for the 帐、物、卡 consistency check."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Item, Location, Lot, Movement, StockBalance, Stocktake, StocktakeLine


def ledger_by_lot(session: Session):
    """(lot_id, lot qty_on_hand, lot unit_cost, ledger qty, ledger value) for every lot."""
    moves = (
        select(Movement.lot_id, func.sum(Movement.qty).label("qty"),
               func.sum(Movement.value).label("value"))
        .group_by(Movement.lot_id).subquery()
    )
    return session.execute(
        select(Lot.id, Lot.qty_on_hand, Lot.unit_cost,
               func.coalesce(moves.c.qty, 0), func.coalesce(moves.c.value, 0))
        .outerjoin(moves, moves.c.lot_id == Lot.id)
    ).all()


def lots_by_item_location(session: Session) -> dict[tuple[int, int], Decimal]:
    rows = session.execute(
        select(Lot.item_id, Lot.location_id, func.sum(Lot.qty_on_hand))
        .group_by(Lot.item_id, Lot.location_id)
    )
    return {(i, l): q for i, l, q in rows}


def ledger_by_item_location(session: Session) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    rows = session.execute(
        select(Movement.item_id, Movement.location_id, func.sum(Movement.qty),
               func.sum(Movement.value))
        .group_by(Movement.item_id, Movement.location_id)
    )
    return {(i, l): (q, v) for i, l, q, v in rows}


def balances(session: Session) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    rows = session.execute(
        select(StockBalance.item_id, StockBalance.location_id, StockBalance.qty,
               StockBalance.value)
    )
    return {(i, l): (q, v) for i, l, q, v in rows}


def movements_lot_mismatch(session: Session) -> int:
    """Movements whose item or location differs from their lot's."""
    return session.scalar(
        select(func.count()).select_from(Movement).join(Lot, Lot.id == Movement.lot_id)
        .where((Lot.item_id != Movement.item_id) | (Lot.location_id != Movement.location_id))
    )


def names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    skus = dict(session.execute(select(Item.id, Item.sku)).all())
    codes = dict(session.execute(select(Location.id, Location.code)).all())
    return skus, codes


def frozen_snapshot_mismatches(session: Session) -> list[tuple[str, int, int, Decimal, Decimal]]:
    """(stocktake no., item id, location id, snapshot qty, ledger qty) wherever a live
    stocktake's snapshot differs from the ledger in the locations it froze. Nothing
    may move there while it is frozen, so the ledger now is the ledger at opening."""
    snapshot = {
        (number, item_id, location_id): qty
        for number, item_id, location_id, qty in session.execute(
            select(Stocktake.number, StocktakeLine.item_id, StocktakeLine.location_id,
                   StocktakeLine.book_qty)
            .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id)
            .join(Location, (Location.id == StocktakeLine.location_id)
                  & (Location.frozen_by_stocktake_id == StocktakeLine.stocktake_id)))
    }
    ledger = {
        (number, item_id, location_id): qty
        for number, item_id, location_id, qty in session.execute(
            select(Stocktake.number, Movement.item_id, Movement.location_id, func.sum(Movement.qty))
            .join(Location, Location.id == Movement.location_id)
            .join(Stocktake, Stocktake.id == Location.frozen_by_stocktake_id)
            .group_by(Stocktake.number, Movement.item_id, Movement.location_id))
    }
    zero = Decimal(0)
    return [(key[0], key[1], key[2], snapshot.get(key, zero), ledger.get(key, zero))
            for key in sorted(set(snapshot) | set(ledger))
            if snapshot.get(key, zero) != ledger.get(key, zero)]
