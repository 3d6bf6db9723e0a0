"""Opening a stocktake (freezing the zones), cancelling it, listing and showing it."""
from __future__ import annotations

import secrets

from sqlalchemy import insert, select

from db import Database
from db.models import Location, Stocktake, StocktakeLine, StocktakeStep, StocktakeZone, Warehouse
from db.queries import stocktake as q
from db.writes.stocktake import freeze_zones
from services import clock
from services.common import audit, clean_code, clean_text, next_number, require_role
from services.errors import Duplicate, InvalidState, NotFound, ValidationError

from services.stocktake.common import CANCEL_ROLES, LIVE, MAX_NOTE, OPEN_ROLES, _clean_period, _int, _load, _require_status, _step, _unfreeze
from services.stocktake.views import Step, StocktakeView, ZoneProgress


def open_receipts_in_zones(db: Database, zones) -> list[dict]:
    """Receipts counted into a bin of ``zones`` but not posted yet: rows with
    receipt, zone, location (what the stocktake page lists before opening)."""
    with db.read() as session:
        return [{"receipt": number, "zone": zone, "location": code}
                for number, zone, code in q.counted_open_receipts(session, list(zones))]


def open_stocktake(db: Database, *, actor, period, zones=None,
                   allow_open_receipts=False, warehouse=None) -> str:
    """Snapshot book quantities of the zones (default: all) and freeze them.
    Returns the stocktake number. One live stocktake per month and warehouse (a
    count whose zones span warehouses takes the month for all of them).

    Receipts counted into the zones but not posted would wait until the stocktake
    ends: opening is refused, listing them, unless ``allow_open_receipts``.
    ``warehouse`` (code): the stocktake covers that warehouse only (its zones by
    default; a zone of another warehouse is unknown here)."""
    warehouse = clean_code(warehouse, "warehouse", max_len=20, required=False) or None
    period = _clean_period(period)
    wanted = None
    if zones is not None:
        wanted = sorted({clean_text(z, "stocktake_zones", max_len=60, required=True)
                         for z in zones})
        if not wanted:
            raise ValidationError("required", field="stocktake_zones")

    def work(session):
        require_role(session, actor, *OPEN_ROLES)
        chosen = _chosen_zones(session, wanted, warehouse)
        scope = _scope(session, chosen)
        _refuse_month_taken(session, period, scope)
        _refuse_frozen_zones(session, chosen)
        if not allow_open_receipts:
            _refuse_open_receipts(session, chosen)
        now = clock.now()
        stocktake = Stocktake(
            number=next_number(session, "ST", now), period=period, open_period=period,
            scope=scope, status="open", zones=chosen, spot_seed=secrets.randbelow(2**31),
            opened_by=actor, opened_at=now,
        )
        session.add(stocktake)
        session.flush()
        session.execute(insert(StocktakeZone),
                        [{"stocktake_id": stocktake.id, "zone": z} for z in chosen])
        # Freeze first, then snapshot: a writer racing this either committed before
        # the freeze's locks were granted (and is in the snapshot) or is refused.
        taken = freeze_zones(session, stocktake.id, chosen)
        if taken:       # frozen by a stocktake that committed while this one waited
            raise InvalidState("zone_already_frozen", zone=taken[0][1], location=taken[0][0])
        session.execute(
            insert(StocktakeLine).from_select(
                ["stocktake_id", "item_id", "location_id", "zone", "book_qty", "book_value"],
                q.snapshot_select(stocktake.id, chosen),
            )
        )
        session.add(StocktakeStep(stocktake_id=stocktake.id, step="open", from_status="",
                                  to_status="open", actor=actor, at=now))
        audit(session, actor, "stocktake.open", "stocktake", stocktake.number,
              period=period, zones=chosen)
        return stocktake.number

    return db.write(work)


def _chosen_zones(session, wanted: list[str] | None, warehouse: str | None) -> list[str]:
    """The zones to count: those asked for, else every zone (of ``warehouse`` when
    given); an unknown zone or warehouse is refused."""
    zones_query = select(Location.zone).distinct().order_by(Location.zone)
    if warehouse:
        zones_query = zones_query.join(Warehouse, Warehouse.id == Location.warehouse_id) \
            .where(Warehouse.code == warehouse)
    known = list(session.scalars(zones_query))
    if warehouse and not known:
        raise NotFound(what="warehouse", key=warehouse)
    chosen = known if wanted is None else wanted
    unknown = [z for z in chosen if z not in known]
    if unknown:
        raise ValidationError("stocktake_unknown_zone", field="stocktake_zones", zone=", ".join(unknown))
    if not chosen:
        raise ValidationError("required", field="stocktake_zones")
    return chosen


def _scope(session, zones: list[str]) -> str:
    """The one warehouse the zones lie in, or '' when they span several."""
    houses = session.scalars(select(Warehouse.code).distinct()
                             .join(Location, Location.warehouse_id == Warehouse.id)
                             .where(Location.zone.in_(zones)).limit(2)).all()
    return houses[0] if len(houses) == 1 else ""


def _refuse_month_taken(session, period: str, scope: str) -> None:
    """One live stocktake per month and warehouse; one over several warehouses
    takes the month for all of them (cancelling it frees the month)."""
    clash = select(Stocktake.number).where(Stocktake.open_period == period)
    if scope:
        clash = clash.where(Stocktake.scope.in_((scope, "")))
    existing = session.scalar(clash.limit(1))
    if existing:
        raise Duplicate("stocktake_exists", field="stocktake_period", value=period,
                        number=existing)


def _refuse_frozen_zones(session, chosen: list[str]) -> None:
    """A zone already frozen by another stocktake cannot be counted twice."""
    frozen = session.execute(
        select(Location.code, Location.zone)
        .where(Location.zone.in_(chosen), Location.frozen_by_stocktake_id.is_not(None))
        .limit(1)
    ).first()
    if frozen:
        raise InvalidState("zone_already_frozen", zone=frozen.zone, location=frozen.code)


def _refuse_open_receipts(session, zones: list[str]) -> None:
    # 盘点前已审核单据记账: documents are booked before counting starts.
    waiting = sorted({number for number, _zone, _code in q.counted_open_receipts(session, zones)})
    if waiting:
        raise InvalidState("stocktake_open_receipts", field="stocktake_zones",
                           receipts=", ".join(waiting), count=len(waiting))


def cancel(db: Database, *, actor, stocktake, comment="") -> None:
    """Abandon a stocktake that is not posted: unfreeze its zones, keep its records."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE)

    def work(session):
        require_role(session, actor, *CANCEL_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, *LIVE)
        _unfreeze(session, st)
        st.open_period = None
        _step(session, st, "cancel", actor, "cancelled", comment)
        audit(session, actor, "stocktake.cancel", "stocktake", st.number, comment=comment)

    db.write(work)


def list_stocktakes(db: Database) -> list[dict]:
    with db.read() as session:
        rows = session.scalars(select(Stocktake).order_by(Stocktake.id.desc()))
        return [{"number": s.number, "period": s.period, "status": s.status,
                 "warehouse": s.scope, "zones": list(s.zones or []), "opened_by": s.opened_by,
                 "opened_at": s.opened_at} for s in rows]


def get_stocktake(db: Database, stocktake) -> StocktakeView:
    with db.read() as session:
        st = _load(session, stocktake)
        steps = [Step(s.step, s.from_status, s.to_status, s.actor, s.at, s.comment)
                 for s in session.scalars(select(StocktakeStep)
                                          .where(StocktakeStep.stocktake_id == st.id)
                                          .order_by(StocktakeStep.id))]
        forced = dict(session.execute(
            select(StocktakeZone.zone, StocktakeZone.forced_recounts)
            .where(StocktakeZone.stocktake_id == st.id)).all())
        progress = {r.zone: r for r in q.zone_progress(session, st.id)}
        zones = [
            ZoneProgress(
                zone=z, lines=_int(progress.get(z), "lines"), initial=_int(progress.get(z), "initial"),
                recounted=_int(progress.get(z), "recounted"), counted=_int(progress.get(z), "counted"),
                needs_recount=_int(progress.get(z), "needs_recount"),
                spot_checked=_int(progress.get(z), "spot_checked"),
                spot_differs=_int(progress.get(z), "spot_differs"),
                found=_int(progress.get(z), "found"), forced_recounts=forced.get(z, 0),
            )
            for z in st.zones
        ]
        return StocktakeView(
            number=st.number, period=st.period, status=st.status, zones=list(st.zones),
            warehouse=st.scope,
            opened_by=st.opened_by, opened_at=st.opened_at,
            submitted_by=st.submitted_by, submitted_at=st.submitted_at,
            reviewed_by=st.reviewed_by, reviewed_at=st.reviewed_at,
            approved_by=st.approved_by, approved_at=st.approved_at,
            posted_by=st.posted_by, posted_at=st.posted_at,
            gain_doc_no=st.gain_doc_no, loss_doc_no=st.loss_doc_no, steps=steps, progress=zones,
        )
