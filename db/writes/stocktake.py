"""Freezing a stocktake's zones."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Location


def freeze_zones(session: Session, stocktake_id: int, zones: list[str]) -> list[tuple[str, str]]:
    """Mark every location of ``zones`` frozen by the stocktake, locking the rows
    first in ascending id (PostgreSQL). Run it BEFORE the snapshot: a stock writer
    reads these marks under a share lock when it flushes
    (db.writes.ledger.locked_freeze_marks), so it has either committed by the time
    the locks are granted, and the snapshot statement that follows sees it, or it
    waits for this transaction and then sees the freeze.

    Returns (code, zone) of locations another stocktake froze while this one waited
    for the locks (nothing is marked then): the caller refuses."""
    rows = session.execute(select(Location.id, Location.code, Location.zone,
                                  Location.frozen_by_stocktake_id)
                           .where(Location.zone.in_(zones))
                           .order_by(Location.id).with_for_update()).all()
    taken = [(r.code, r.zone) for r in rows
             if r.frozen_by_stocktake_id not in (None, stocktake_id)]
    if taken:
        return taken
    session.execute(update(Location).where(Location.id.in_([r.id for r in rows]))
                    .values(frozen_by_stocktake_id=stocktake_id)
                    .execution_options(synchronize_session=False))
    return []
