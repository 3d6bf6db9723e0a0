"""The audit trail's insert (one row per user action)."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from db.models import AuditEvent

_AUDIT_INSERT = insert(AuditEvent.__table__)


def store_audit_event(session: Session, row: dict) -> int:
    """Insert one audit_event row; its id."""
    return session.execute(_AUDIT_INSERT, row).inserted_primary_key[0]
