"""Document numbers: the per-month sequence upsert and the late stamp of a number on a
document, its movements and its audit event."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.models import DocumentSequence
from db.writes.common import dialect_name, is_postgresql


def _next_number_statement(dialect_insert):
    table = DocumentSequence.__table__
    return (dialect_insert(table)
            .on_conflict_do_update(index_elements=["prefix", "period"],
                                   set_={"last_no": table.c.last_no + 1})
            .returning(table.c.last_no))


# Built once (their cache keys are memoised too).
_NEXT_NUMBER = {"postgresql": _next_number_statement(postgresql.insert),
                "sqlite": _next_number_statement(sqlite.insert)}


def take_sequence_number(session: Session, prefix: str, period: str) -> int:
    """The next number of ``prefix`` in ``period`` (first of the month: 1), in one
    upsert; on PostgreSQL its row lock serialises writers until commit."""
    return session.execute(_NEXT_NUMBER[dialect_name(session)],
                           {"prefix": prefix, "period": period, "last_no": 1}).scalar_one()


# PostgreSQL: numbering, and the number written on the document, its movements and its
# audit event, in one statement, so the sequence row is held only by it and COMMIT.
_STAMP_POSTGRESQL = """
WITH seq AS (
    INSERT INTO document_sequence (prefix, period, last_no) VALUES (:prefix, :period, 1)
    ON CONFLICT (prefix, period) DO UPDATE SET last_no = document_sequence.last_no + 1
    RETURNING last_no),
num AS (
    SELECT :head || lpad(last_no::text, greatest(4, length(last_no::text)), '0') AS number
    FROM seq),
doc AS (UPDATE {table} SET number = num.number FROM num WHERE {table}.id = :doc_id),
mov AS (UPDATE movement SET doc_no = num.number FROM num WHERE movement.doc_no = :provisional),
aud AS (UPDATE audit_event SET entity_key = num.number FROM num
        WHERE audit_event.id = :audit_id)
SELECT number FROM num
"""


# Built once per table (a statement built per call would be re-keyed for the
# compiled cache on every issue slip).
@lru_cache(maxsize=None)
def _stamp_postgresql(table: str):
    return text(_STAMP_POSTGRESQL.format(table=table))


@lru_cache(maxsize=None)
def _stamp_sqlite(table: str):
    return (text(f"UPDATE {table} SET number = :number WHERE id = :doc_id"),
            text("UPDATE movement SET doc_no = :number WHERE doc_no = :provisional"),
            text("UPDATE audit_event SET entity_key = :number WHERE id = :audit_id"))


def store_document_number(session: Session, *, table: str, prefix: str, period: str,
                          doc_id: int, provisional: str, audit_id: int) -> str:
    """Number document ``doc_id`` of ``table`` (``PREFIX-YYYY-MM-0001``), replacing
    ``provisional`` on it, its movements and its audit event; the number."""
    head = f"{prefix}-{period}-"
    where = {"doc_id": doc_id, "provisional": provisional, "audit_id": audit_id}
    if is_postgresql(session):
        return session.execute(_stamp_postgresql(table), {
            "prefix": prefix, "period": period, "head": head, **where}).scalar_one()
    # SQLite: the database lock (BEGIN IMMEDIATE) already serialises writers.
    number = f"{head}{take_sequence_number(session, prefix, period):04d}"
    for statement in _stamp_sqlite(table):
        session.execute(statement, {"number": number, **where})
    return number
