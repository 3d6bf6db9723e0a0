"""Dialect look-up shared by the write modules."""
from __future__ import annotations

from sqlalchemy.orm import Session


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def upsert_returning(session: Session, table, *, values: dict, keys: list[str], set_: dict,
                     where, returning):
    """INSERT … ON CONFLICT (keys) DO UPDATE SET … WHERE … RETURNING …, in the
    session's dialect (PostgreSQL and SQLite share the syntax, not the construct).
    Returns the first row, or None when the WHERE left an existing row untouched."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if is_postgresql(session) else sqlite.insert
    statement = (insert(table).values(**values)
                 .on_conflict_do_update(index_elements=keys, set_=set_, where=where)
                 .returning(returning))
    return session.execute(statement).first()
