"""The ledger flush: lots' new quantities, movements and stock_balance deltas."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.bulk import insert_rows, update_rows
from db.models import Lot, Movement, StockBalance
from db.models.reports import ClosedPeriod
from db.types import UTCDateTime
from db.writes.common import dialect_name, is_postgresql

# Built once (their cache keys are memoised too).
_LOTS = Lot.__table__


def _balance_upsert(dialect_insert):
    table = StockBalance.__table__
    stmt = dialect_insert(table)
    return stmt.on_conflict_do_update(
        index_elements=["item_id", "location_id"],
        set_={"qty": table.c.qty + stmt.excluded.qty,
              "value": table.c.value + stmt.excluded.value},
    )


_BALANCE_UPSERT = {"postgresql": _balance_upsert(postgresql.insert),
                   "sqlite": _balance_upsert(sqlite.insert)}
_LAST_CLOSED = select(func.max(ClosedPeriod.period))
# PostgreSQL: the whole flush as one statement. Lot quantities are set (locked rows,
# ascending id), balances upserted (one row per item-location, ascending), movements
# inserted in the order recorded; it returns the last closed month.
_MOVEMENT_ARRAYS = ("type", "item_id", "lot_id", "location_id", "qty", "unit_cost", "value",
                    "note")
_BALANCE_ARRAYS = ("item_id", "location_id", "qty", "value")
_FLUSH_POSTGRESQL = text("""
WITH lot_qty AS (
    UPDATE lot SET qty_on_hand = v.qty
    FROM unnest(CAST(:lot_ids AS integer[]), CAST(:lot_qtys AS numeric[])) AS v(id, qty)
    WHERE lot.id = v.id),
balance AS (
    INSERT INTO stock_balance (item_id, location_id, qty, value)
    SELECT * FROM unnest(CAST(:bal_item_id AS integer[]), CAST(:bal_location_id AS integer[]),
                         CAST(:bal_qty AS numeric[]), CAST(:bal_value AS numeric[]))
    ON CONFLICT (item_id, location_id) DO UPDATE
    SET qty = stock_balance.qty + excluded.qty, value = stock_balance.value + excluded.value),
moves AS (
    INSERT INTO movement (at, type, item_id, lot_id, location_id, qty, unit_cost, value,
                          doc_type, doc_no, actor_id, note)
    SELECT :at, m.type, m.item_id, m.lot_id, m.location_id, m.qty, m.unit_cost, m.value,
           :doc_type, :doc_no, :actor_id, m.note
    FROM unnest(CAST(:mv_type AS text[]), CAST(:mv_item_id AS integer[]),
                CAST(:mv_lot_id AS integer[]), CAST(:mv_location_id AS integer[]),
                CAST(:mv_qty AS numeric[]), CAST(:mv_unit_cost AS numeric[]),
                CAST(:mv_value AS numeric[]), CAST(:mv_note AS text[]))
         WITH ORDINALITY AS m(type, item_id, lot_id, location_id, qty, unit_cost, value, note, n)
    ORDER BY m.n)
SELECT max(period) FROM closed_period
""").bindparams(bindparam("at", type_=UTCDateTime()))


def last_closed_period(session: Session) -> str | None:
    return session.scalar(_LAST_CLOSED)


def store_ledger_entries(session: Session, *, header: dict, lot_quantities: list[tuple],
                         movements: list[dict], balances: list[dict],
                         require_open: Callable[[str | None], None],
                         period_checked: bool) -> None:
    """Store one document's ledger entries: lots' new on-hand quantities (``(lot id,
    qty)``, ascending), the movements (rows with the ``header`` columns: at, doc_type,
    doc_no, actor_id) and the stock_balance deltas (ascending item, location).

    ``require_open(last closed month)`` refuses a closed month. PostgreSQL: one
    statement that also reads that month (a refusal rolls the caller's transaction
    back); SQLite: the month is read first, unless ``period_checked``."""
    if is_postgresql(session):
        last_closed = session.execute(_FLUSH_POSTGRESQL, {
            "lot_ids": [lot_id for lot_id, _ in lot_quantities],
            "lot_qtys": [qty for _, qty in lot_quantities],
            **{f"bal_{key}": [row[key] for row in balances] for key in _BALANCE_ARRAYS},
            **{f"mv_{key}": [row[key] for row in movements] for key in _MOVEMENT_ARRAYS},
            **header,
        }).scalar_one()
        require_open(last_closed)
        return
    if not period_checked:
        require_open(last_closed_period(session))
    update_rows(session, _LOTS, [{"id": lot_id, "qty_on_hand": qty}
                                 for lot_id, qty in lot_quantities])
    insert_rows(session, Movement.__table__, movements)
    if balances:
        session.execute(_BALANCE_UPSERT[dialect_name(session)], balances)
