"""Read queries for the supplier scorecard's claim figures."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Claim, RefusedDelivery


def _between(query, column, start: datetime | None, end: datetime | None):
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column < end)
    return query


def claims_raised(session: Session, start: datetime | None, end: datetime | None) -> list:
    """Claims raised in [start, end): supplier_id, kind, raised_at, resolved_at, value,
    credit_amount."""
    query = select(Claim.supplier_id, Claim.kind, Claim.raised_at, Claim.resolved_at,
                   Claim.value, Claim.credit_amount).order_by(Claim.raised_at, Claim.id)
    return session.execute(_between(query, Claim.raised_at, start, end)).all()


def refusals(session: Session, start: datetime | None, end: datetime | None) -> list:
    """Deliveries refused in [start, end): supplier_id, refused_at."""
    query = select(RefusedDelivery.supplier_id, RefusedDelivery.refused_at) \
        .order_by(RefusedDelivery.refused_at)
    return session.execute(_between(query, RefusedDelivery.refused_at, start, end)).all()
