"""SQL helpers for issuing: request-id locks and the aggregates returns need."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import StockReturnLine

# pg_advisory_xact_lock(class, key): class 1 is items (Database.lock_items), 2 request ids.
REQUEST_LOCK_CLASS = 2
_REQUEST_LOCK = text("SELECT pg_advisory_xact_lock(:cls, hashtext(:key))")


def lock_request_id(session: Session, request_id: str) -> None:
    """Serialise two requests carrying the same client request id (PostgreSQL).

    Taken before any item lock, always, so it cannot form a cycle with them. On SQLite
    the database write lock (BEGIN IMMEDIATE) already serialises writers."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_REQUEST_LOCK, {"cls": REQUEST_LOCK_CLASS, "key": request_id})


def returned_by_allocation(session: Session, allocation_ids: Iterable[int]) -> dict[int, Decimal]:
    """Quantity already returned to stock against each issue allocation."""
    ids = list(allocation_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(StockReturnLine.allocation_id, func.sum(StockReturnLine.qty))
        .where(StockReturnLine.allocation_id.in_(ids))
        .group_by(StockReturnLine.allocation_id)
    )
    return {allocation_id: qty for allocation_id, qty in rows}
