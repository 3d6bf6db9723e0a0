"""Dialect look-up shared by the write modules."""
from __future__ import annotations

from sqlalchemy.orm import Session


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name
