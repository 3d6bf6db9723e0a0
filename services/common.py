"""Helpers every service uses: actor and role checks, input coercion, audit
events, document numbers."""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator
from uuid import uuid4

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from db.models import User
from db.writes.audit import store_audit_event
from db.writes.numbers import store_document_number, take_sequence_number
from services import clock
from services.errors import NotFound, PermissionDenied, ValidationError

ROLES = (
    "receiver", "keeper", "qc", "supervisor", "purchasing", "finance", "manager", "admin",
)
QTY_PLACES = 3
PRICE_PLACES = 4
MAX_QTY = Decimal("1000000000")      # absurd beyond this for one line


# Statements every write runs, built once (their cache keys are memoised too).
_USER_BY_NAME = (select(User).options(joinedload(User.roles))
                 .where(User.username == bindparam("username")))


def load_user(session: Session, username: str | None) -> User:
    # The user and its roles in one statement (every write starts here).
    user = session.execute(_USER_BY_NAME, {"username": username or ""}
                           ).unique().scalar_one_or_none()
    if user is None or not user.active:
        raise PermissionDenied("unknown_user", user=username or "")
    return user


def require_role(session: Session, username: str | None, *roles: str) -> User:
    """The acting user, if active and holding one of ``roles``."""
    user = load_user(session, username)
    if not user.role_names.intersection(roles):
        raise PermissionDenied(user=user.username, roles=", ".join(roles))
    return user


def to_decimal(
    value: Any,
    field: str,
    *,
    places: int = QTY_PLACES,
    positive: bool = False,
    allow_zero: bool = True,
    row: int | None = None,
    maximum: Decimal = MAX_QTY,
) -> Decimal:
    """Coerce Decimal/int/numeric str to Decimal, or raise a ValidationError
    naming the field (and row). Floats are refused: they are not exact."""
    where = {"field": field} if row is None else {"field": field, "row": row}
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise ValidationError("not_a_number", value=str(value), **where)
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError("not_a_number", value=str(value), **where) from None
    if not number.is_finite():
        raise ValidationError("not_a_number", value=str(value), **where)
    if number < 0 or (number == 0 and (positive or not allow_zero)):
        raise ValidationError("must_be_positive" if positive else "must_not_be_negative",
                              value=str(value), **where)
    if number > maximum:
        raise ValidationError("too_large", value=str(value), **where)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError("too_many_decimals", places=places, value=str(value), **where)
    return number


def clean_text(value: Any, field: str, *, max_len: int, required: bool = False,
               row: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    where = {"field": field} if row is None else {"field": field, "row": row}
    if required and not text:
        raise ValidationError("required", **where)
    if len(text) > max_len:
        raise ValidationError("too_long", max=max_len, **where)
    return text


# Text starting with one of these is run as a formula by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@")


def clean_code(value: Any, field: str, *, max_len: int, required: bool = True,
               row: int | None = None, upper: bool = True) -> str:
    """A code or document number we issue (SKU, supplier, warehouse, location, PO
    no.): trimmed, upper case, and never formula-like text from a hostile sheet
    (=HYPERLINK(…), @SUM(…), +cmd, -1+1)."""
    code = clean_text(value, field, max_len=max_len, required=required, row=row)
    code = code.upper() if upper else code
    if code.startswith(FORMULA_STARTS):
        raise ValidationError("formula_like", field=field, value=code[:40],
                              **({} if row is None else {"row": row}))
    return code


def audit(session: Session, actor: str, action: str, entity: str, key: Any, **details) -> int:
    """Record an audit event (a plain INSERT in the caller's transaction); its id."""
    return insert_audit_row(session, audit_row(actor, action, entity, key, **details))


def insert_audit_row(session: Session, row: dict) -> int:
    """Write an ``audit_row``; its id."""
    return store_audit_event(session, row)


def audit_row(actor: str, action: str, entity: str, key: Any, **details) -> dict:
    """The audit_event row ``audit`` writes (for a caller that writes it itself)."""
    return {"at": clock.now(), "actor": actor or "", "action": action, "entity": entity,
            "entity_key": str(key), "details": _jsonable(details)}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (Decimal, date, datetime)):
        return str(value)
    return value


def next_number(session: Session, prefix: str, at: datetime | None = None) -> str:
    """Next document number for the month, e.g. GRN-2026-11-0001.

    One upsert (first of the month: 1, else last + 1) returning the number: on
    PostgreSQL the row lock it takes serialises concurrent writers; on SQLite the
    database write lock already does."""
    period = clock.period_of(at or clock.now())
    return f"{prefix}-{period}-{take_sequence_number(session, prefix, period):04d}"


# --- a number taken last --------------------------------------------------------------
# A gapless number's sequence row stays locked from numbering to commit, so every
# document of that prefix waits for it. A busy document (an issue slip) is therefore
# written under a provisional number, then stamped: numbering, and the number written
# on the document, its movements and its audit event, in one statement on PostgreSQL.
# Only that statement and COMMIT run while the row is held.
_STAMP_TABLES = ("issue",)


def provisional_number(prefix: str) -> str:
    """A unique stand-in for a document's number until ``stamp_number`` (never
    committed: the stamp replaces it in the same transaction)."""
    return f"{prefix}-~{uuid4().hex[:16]}"


def stamp_number(session: Session, prefix: str, at: datetime, *, table: str, doc_id: int,
                 provisional: str, audit_id: int) -> str:
    """Give document ``doc_id`` of ``table`` its gapless number, replacing
    ``provisional`` on it, on its movements (``doc_no``) and on its audit event."""
    if table not in _STAMP_TABLES:
        raise ValueError(f"stamp_number does not know table {table!r}")
    return store_document_number(session, table=table, prefix=prefix,
                                 period=clock.period_of(at), doc_id=doc_id,
                                 provisional=provisional, audit_id=audit_id)


def get_or_404(session: Session, model, what: str, **where):
    row = session.scalar(select(model).filter_by(**where))
    if row is None:
        raise NotFound(what=what, key=", ".join(str(v) for v in where.values()))
    return row


def unique_sorted(values: Iterable) -> list:
    return sorted(set(values))


_gc_pause = {"depth": 0, "was_enabled": False}
_gc_lock = threading.Lock()


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector around one bulk document (hundreds of
    lines). Its short-lived rows and views would otherwise outlive several young
    collections, be promoted to the oldest generation and trigger a full collection
    of the whole heap every other document; reference counting still frees them as
    usual. Nested and concurrent uses share one pause; the collector's previous
    state is restored when the last one ends."""
    with _gc_lock:
        if _gc_pause["depth"] == 0:
            _gc_pause["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_pause["depth"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pause["depth"] -= 1
            if _gc_pause["depth"] == 0 and _gc_pause["was_enabled"]:
                gc.enable()
