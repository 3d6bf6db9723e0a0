"""Month closing's hold on the ledger."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from db.writes.common import is_postgresql

_HOLD_MOVEMENTS = text("LOCK TABLE movement IN SHARE MODE")


def hold_stock_writers(session: Session) -> None:
    """Wait for in-flight stock writers and keep new ones out until commit. PostgreSQL
    only: on SQLite the transaction's database lock (BEGIN IMMEDIATE) already does."""
    if is_postgresql(session):
        session.execute(_HOLD_MOVEMENTS)
