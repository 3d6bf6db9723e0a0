"""Monthly stocktake (盘点): open and freeze, blind count sheets, initial count,
recount, the finance spot check, variance reasons, approvals and posting.

Life cycle: ``open`` (counting, recount, spot check, reasons) -> ``submitted``
(supervisor) -> ``reviewed`` (finance) -> ``approved`` (general manager) ->
``posted`` (finance). Any approval step may send it back to ``open`` with a comment;
``cancelled`` unfreezes without posting.

Concurrency: every state change locks the stocktake row (``FOR UPDATE`` on
PostgreSQL; SQLite's write lock serialises anyway). A second ``post`` of the same
stocktake therefore waits for the first and then raises ``InvalidState`` with
``state="posted"``: it never posts twice.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db import Database
from db.models import (
    COUNT_ROUNDS,
    VARIANCE_REASONS,
    Item,
    Location,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
    StocktakeStep,
    StocktakeZone,
)
from db.queries import stocktake as q
from domain import stocktake as rules
from domain.allocation import LotStock
from services import clock
from services.common import audit, clean_text, load_user, next_number, require_role, to_decimal
from services.errors import (
    Duplicate,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.ledger import GAIN, LOSS, LedgerWriter

OPEN_ROLES = ("supervisor",)
COUNT_ROLES = ("keeper", "supervisor")
SPOT_ROLES = ("finance",)
REASON_ROLES = ("supervisor", "finance")
SUBMIT_ROLES = ("supervisor",)
REVIEW_ROLES = ("finance",)
APPROVE_ROLES = ("manager",)
POST_ROLES = ("finance",)
CANCEL_ROLES = ("supervisor", "manager")
# Who may send a stocktake back to counting, by the state it is in.
SEND_BACK_ROLES = {"submitted": ("finance",), "reviewed": ("manager",),
                   "approved": ("finance", "manager")}
LIVE = ("open", "submitted", "reviewed", "approved")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_NOTE = 500
SHEET_UPLOAD_ROWS = 50_000
# Header words accepted in an uploaded count sheet (en / zh), lower-cased.
SHEET_HEADERS = {
    "location": {"location", "bin", "库位", "货位", "货位号"},
    "sku": {"sku", "配件编码", "编码", "货号"},
    "qty": {"counted qty", "counted_qty", "count", "实盘数量", "盘点数量", "实盘数"},
}
LOT_STATUS_FOR_KIND = {"storage": "available", "quarantine": "quarantine", "hold": "hold"}
ZERO = Decimal(0)
ERROR_RATE_LIMIT = rules.ERROR_RATE_LIMIT
COVERAGE_TARGET = rules.COVERAGE_TARGET


# --- views ------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    step: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    comment: str


@dataclass(frozen=True)
class ZoneProgress:
    zone: str
    lines: int
    initial: int
    recounted: int
    counted: int
    needs_recount: int
    spot_checked: int
    spot_differs: int
    found: int
    forced_recounts: int


@dataclass(frozen=True)
class StocktakeView:
    number: str
    period: str
    status: str
    zones: list[str]
    opened_by: str
    opened_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    posted_by: str | None
    posted_at: datetime | None
    gain_doc_no: str
    loss_doc_no: str
    steps: list[Step]
    progress: list[ZoneProgress]


@dataclass(frozen=True)
class SpotSample:
    """The finance spot check: ``from_sheet`` is the seeded 30% sample (at least one
    line per zone); ``shelf_picks`` are lines finance picked on the shelves.
    ``coverage`` is the share of book value the two cover (goal: ``target``)."""

    seed: int
    sheet_lines: int
    from_sheet: list[dict]
    shelf_picks: list[dict]
    shelf_target: int
    coverage: Decimal
    target: Decimal = rules.COVERAGE_TARGET

    @property
    def complete(self) -> bool:
        return all(row["spot_qty"] is not None for row in self.from_sheet)


@dataclass(frozen=True)
class CountSheetUpload:
    """A filled-in count sheet: good rows and row-level errors."""

    lines: list[dict] = field(default_factory=list)    # {"row", "location", "sku", "qty"}
    errors: list[dict] = field(default_factory=list)   # {"row", "column", "code", "params"}


@dataclass(frozen=True)
class PostResult:
    gain_doc_no: str
    loss_doc_no: str
    gain_value: Decimal
    loss_value: Decimal


# --- helpers ----------------------------------------------------------------
def _clean_period(period: Any) -> str:
    text = str(period or "").strip()
    if not PERIOD_RE.match(text):
        raise ValidationError("invalid_period", field="stocktake_period", value=text)
    return text


def _load(session: Session, number: str, *, for_update: bool = False) -> Stocktake:
    query = select(Stocktake).where(Stocktake.number == str(number or "").strip())
    if for_update:
        query = query.with_for_update()
    stocktake = session.scalar(query)
    if stocktake is None:
        raise NotFound(what="stocktake", key=str(number))
    return stocktake


def _require_status(stocktake: Stocktake, *statuses: str) -> None:
    if stocktake.status not in statuses:
        raise InvalidState(state=stocktake.status, number=stocktake.number)


def _step(session: Session, stocktake: Stocktake, step: str, actor: str, to_status: str,
          comment: str = "") -> None:
    session.add(StocktakeStep(
        stocktake_id=stocktake.id, step=step, from_status=stocktake.status,
        to_status=to_status, actor=actor, at=clock.now(), comment=comment,
    ))
    stocktake.status = to_status


def _unfreeze(session: Session, stocktake: Stocktake) -> None:
    session.execute(
        update(Location).where(Location.frozen_by_stocktake_id == stocktake.id)
        .values(frozen_by_stocktake_id=None).execution_options(synchronize_session=False)
    )


def _not_a_counter(session: Session, stocktake: Stocktake, actor: str, action: str) -> None:
    """Segregation of duties: whoever counted may not review, approve or post."""
    if actor in q.counters(session, stocktake.id):
        raise PermissionDenied("counter_cannot_approve", user=actor, action=action)


# --- open / cancel ----------------------------------------------------------
def open_stocktake(db: Database, *, actor, period, zones=None) -> str:
    """Snapshot book quantities of the zones (default: all) and freeze them.
    Returns the stocktake number. One live stocktake per month."""
    period = _clean_period(period)
    wanted = None
    if zones is not None:
        wanted = sorted({clean_text(z, "stocktake_zones", max_len=60, required=True)
                         for z in zones})
        if not wanted:
            raise ValidationError("required", field="stocktake_zones")

    def work(session):
        require_role(session, actor, *OPEN_ROLES)
        existing = session.scalar(select(Stocktake.number).where(Stocktake.open_period == period))
        if existing:
            raise Duplicate("stocktake_exists", field="stocktake_period", value=period,
                            number=existing)
        known = list(session.scalars(select(Location.zone).distinct().order_by(Location.zone)))
        chosen = known if wanted is None else wanted
        unknown = [z for z in chosen if z not in known]
        if unknown:
            raise ValidationError("stocktake_unknown_zone", field="stocktake_zones", zone=", ".join(unknown))
        if not chosen:
            raise ValidationError("required", field="stocktake_zones")
        frozen = session.execute(
            select(Location.code, Location.zone)
            .where(Location.zone.in_(chosen), Location.frozen_by_stocktake_id.is_not(None))
            .limit(1)
        ).first()
        if frozen:
            raise InvalidState("zone_already_frozen", zone=frozen.zone, location=frozen.code)
        now = clock.now()
        stocktake = Stocktake(
            number=next_number(session, "ST", now), period=period, open_period=period,
            status="open", zones=chosen, spot_seed=secrets.randbelow(2**31),
            opened_by=actor, opened_at=now,
        )
        session.add(stocktake)
        session.flush()
        session.execute(insert(StocktakeZone),
                        [{"stocktake_id": stocktake.id, "zone": z} for z in chosen])
        session.execute(
            insert(StocktakeLine).from_select(
                ["stocktake_id", "item_id", "location_id", "zone", "book_qty", "book_value"],
                q.snapshot_select(stocktake.id, chosen),
            )
        )
        session.execute(
            update(Location).where(Location.zone.in_(chosen))
            .values(frozen_by_stocktake_id=stocktake.id)
            .execution_options(synchronize_session=False)
        )
        session.add(StocktakeStep(stocktake_id=stocktake.id, step="open", from_status="",
                                  to_status="open", actor=actor, at=now))
        audit(session, actor, "stocktake.open", "stocktake", stocktake.number,
              period=period, zones=chosen)
        return stocktake.number

    return db.write(work)


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


# --- reads ------------------------------------------------------------------
def list_stocktakes(db: Database) -> list[dict]:
    with db.read() as session:
        rows = session.scalars(select(Stocktake).order_by(Stocktake.id.desc()))
        return [{"number": s.number, "period": s.period, "status": s.status,
                 "zones": list(s.zones or []), "opened_by": s.opened_by,
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
            opened_by=st.opened_by, opened_at=st.opened_at,
            submitted_by=st.submitted_by, submitted_at=st.submitted_at,
            reviewed_by=st.reviewed_by, reviewed_at=st.reviewed_at,
            approved_by=st.approved_by, approved_at=st.approved_at,
            posted_by=st.posted_by, posted_at=st.posted_at,
            gain_doc_no=st.gain_doc_no, loss_doc_no=st.loss_doc_no, steps=steps, progress=zones,
        )


def _int(row, name: str) -> int:
    return int(getattr(row, name) or 0) if row is not None else 0


def _check_zone(st: Stocktake, zone: str) -> None:
    if zone not in (st.zones or []):
        raise ValidationError("stocktake_unknown_zone", field="zone", zone=zone)


def count_sheet(db: Database, stocktake, zone) -> list[dict]:
    """The blind count sheet of one zone, sorted by bin: zone, location, sku, name,
    name_zh, spec, unit, found. Never a book quantity or another round's count."""
    with db.read() as session:
        st = _load(session, stocktake)
        _check_zone(st, zone)
        return [
            {"zone": r.zone, "location": r.location, "sku": r.sku, "name": r.name,
             "name_zh": r.name_zh, "spec": r.spec, "unit": r.unit, "found": r.found}
            for r in q.sheet_rows(session, st.id, zone)
        ]


ROUND_COLUMNS = {
    "initial": ("initial_qty", "initial_by", "initial_at"),
    "recount": ("recount_qty", "recount_by", "recount_at"),
    "spot": ("spot_qty", "spot_by", "spot_at"),
}


def count_entries(db: Database, stocktake, zone, round) -> list[dict]:
    """The sheet of one zone with what was entered in ``round`` only (blind to the
    book and to the other rounds): ... qty, counted_by, counted_at, needs_recount."""
    if round not in COUNT_ROUNDS:
        raise ValidationError("invalid_choice", field="count_round", value=str(round))
    qty_col, by_col, at_col = ROUND_COLUMNS[round]
    with db.read() as session:
        st = _load(session, stocktake)
        _check_zone(st, zone)
        out = []
        for r in q.sheet_rows(session, st.id, zone):
            line = r
            out.append({
                "zone": line.zone, "location": r.location, "sku": r.sku, "name": r.name,
                "spec": r.spec, "unit": r.unit, "found": line.found,
                "qty": getattr(line, qty_col), "counted_by": getattr(line, by_col),
                "counted_at": getattr(line, at_col), "needs_recount": line.needs_recount,
            })
        return out


def recount_differences(db: Database, stocktake, zone=None) -> pd.DataFrame:
    """Lines whose recount differs from the initial count, for investigation."""
    with db.read() as session:
        st = _load(session, stocktake)
        rows = [
            {"zone": r.zone, "location": r.location, "sku": r.sku, "name": r.name,
             "initial_qty": r.initial_qty, "initial_by": r.initial_by,
             "recount_qty": r.recount_qty, "recount_by": r.recount_by,
             "difference": r.recount_qty - r.initial_qty}
            for r in q.sheet_rows(session, st.id, zone)
            if r.initial_qty is not None and r.recount_qty is not None
            and r.initial_qty != r.recount_qty
        ]
    return pd.DataFrame(rows, columns=["zone", "location", "sku", "name", "initial_qty",
                                       "initial_by", "recount_qty", "recount_by", "difference"])


# --- counting ---------------------------------------------------------------
def _parse_counts(counts: Iterable[Mapping[str, Any]]) -> tuple[list[tuple], list[dict]]:
    parsed, errors = [], []
    for index, count in enumerate(counts, start=1):
        row = count.get("row", index)
        try:
            sku = clean_text(count.get("sku"), "sku", max_len=40, required=True, row=row).upper()
            location = clean_text(count.get("location"), "location", max_len=40, required=True,
                                  row=row).upper()
            qty = to_decimal(count.get("qty"), "qty", places=3, row=row)
        except ValidationError as exc:
            errors.append({"row": row, "code": exc.code, "params": exc.params})
            continue
        parsed.append((row, sku, location, qty))
    return parsed, errors


def _raise_errors(errors: list[dict]) -> None:
    if len(errors) == 1:
        raise ValidationError(errors[0]["code"], **errors[0]["params"])
    if errors:
        raise ValidationError("count_rows_invalid", count=len(errors), errors=errors)


def _counter(session: Session, actor_user, counted_by, round: str) -> str:
    """Who physically counted. Only a supervisor types in someone else's count
    (finance for a spot-check partner)."""
    name = clean_text(counted_by, "counted_by", max_len=40).lower() or actor_user.username
    if name == actor_user.username:
        return name
    allowed_typist = ("finance",) if round == "spot" else ("supervisor",)
    if not actor_user.role_names.intersection(allowed_typist):
        raise PermissionDenied("count_for_other_user", user=actor_user.username, counter=name)
    counter = load_user(session, name)
    counter_roles = SPOT_ROLES if round == "spot" else COUNT_ROLES
    if not counter.role_names.intersection(counter_roles):
        raise ValidationError("not_a_counter", field="counted_by", user=name)
    return name


def record_counts(db: Database, *, actor, stocktake, round, counts, counted_by=None,
                  allow_new: bool = False) -> dict:
    """Record counts of one round: ``counts`` = [{"sku", "location", "qty"[, "row"]}].

    ``initial``/``recount``: keeper or supervisor; ``spot``: finance. A recount's
    counter must differ from that line's initial counter. ``allow_new`` adds items
    found that are not on the sheet (initial count or a spot check's shelf pick).
    A spot check that puts a zone's error rate above 1% orders a full recount of that
    zone. Returns {"recorded": n, "added": n, "recount_zones": [...]}."""
    if round not in COUNT_ROUNDS:
        raise ValidationError("invalid_choice", field="count_round", value=str(round))
    parsed, errors = _parse_counts(counts)
    _raise_errors(errors)
    if not parsed:
        raise ValidationError("required", field="qty")
    qty_col, by_col, at_col = ROUND_COLUMNS[round]

    def work(session):
        user = require_role(session, actor, *(SPOT_ROLES if round == "spot" else COUNT_ROLES))
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open")
        counter = _counter(session, user, counted_by, round)
        skus = {p[1] for p in parsed}
        codes = {p[2] for p in parsed}
        items = dict(session.execute(select(Item.sku, Item.id).where(Item.sku.in_(skus))).all())
        locations = {code: (loc_id, zone) for code, loc_id, zone in session.execute(
            select(Location.code, Location.id, Location.zone).where(Location.code.in_(codes)))}
        lines = {
            (l.item_id, l.location_id): l
            for l in session.execute(
                select(StocktakeLine.id, StocktakeLine.item_id, StocktakeLine.location_id,
                       StocktakeLine.zone, StocktakeLine.initial_by, StocktakeLine.recount_qty,
                       StocktakeLine.counted_qty)
                .where(StocktakeLine.stocktake_id == st.id,
                       StocktakeLine.item_id.in_(set(items.values()) or {0}),
                       StocktakeLine.location_id.in_({v[0] for v in locations.values()} or {0}))
            )
        }
        row_errors: list[dict] = []
        accepted: list[tuple] = []   # (row, key, zone, qty, line or None)
        seen: set = set()

        def fail(row, code, **params):
            row_errors.append({"row": row, "code": code, "params": {"row": row, **params}})

        for row, sku, code, qty in parsed:
            if sku not in items:
                fail(row, "count_unknown_sku", field="sku", sku=sku)
                continue
            if code not in locations:
                fail(row, "count_unknown_location", field="location", location=code)
                continue
            loc_id, zone = locations[code]
            if zone not in st.zones:
                fail(row, "location_not_in_stocktake", field="location", location=code, zone=zone)
                continue
            key = (items[sku], loc_id)
            if key in seen:
                fail(row, "duplicate_count", field="sku", sku=sku, location=code)
                continue
            seen.add(key)
            line = lines.get(key)
            if line is None and not (allow_new and round in ("initial", "spot")):
                fail(row, "not_on_sheet", field="sku", sku=sku, location=code)
                continue
            if line is not None and round == "recount" and line.initial_by == counter:
                fail(row, "recount_same_counter", field="counted_by", sku=sku, location=code,
                     user=counter)
                continue
            if line is not None and round == "spot" and line.counted_qty is None:
                fail(row, "spot_before_count", field="sku", sku=sku, location=code)
                continue
            accepted.append((row, key, zone, qty, line))
        _raise_errors(row_errors)

        now = clock.now()
        new_keys = [(key, zone) for _row, key, zone, _qty, line in accepted if line is None]
        new_ids = {}
        if new_keys:
            new_lines = [StocktakeLine(stocktake_id=st.id, item_id=k[0], location_id=k[1],
                                       zone=zone, book_qty=ZERO, book_value=ZERO, found=True)
                         for k, zone in new_keys]
            session.add_all(new_lines)
            session.flush()
            new_ids = {(l.item_id, l.location_id): l.id for l in new_lines}
        count_rows, line_updates = [], []
        for _row, key, _zone, qty, line in accepted:
            line_id = line.id if line is not None else new_ids[key]
            count_rows.append({"stocktake_id": st.id, "line_id": line_id, "round": round,
                               "qty": qty, "counted_by": counter, "entered_by": actor, "at": now})
            values = {"id": line_id, qty_col: qty, by_col: counter, at_col: now}
            if round == "initial":
                recount = line.recount_qty if line is not None else None
                values["counted_qty"] = rules.final_count(qty, recount)
            elif round == "recount":
                values["counted_qty"] = qty
                values["needs_recount"] = False
            line_updates.append(values)
        session.execute(insert(StocktakeCount), count_rows)
        _bulk_update_lines(session, line_updates)
        forced: list[str] = []
        if round == "spot":
            forced = _force_recounts(session, st, {zone for _r, _k, zone, _q, _l in accepted}, now)
        audit(session, actor, f"stocktake.count.{round}", "stocktake", st.number,
              counted_by=counter, lines=len(accepted), added=len(new_keys), recount_zones=forced)
        return {"recorded": len(accepted), "added": len(new_keys), "recount_zones": forced}

    return db.write(work)


def _bulk_update_lines(session: Session, rows: list[dict]) -> None:
    """ORM bulk UPDATE by primary key, grouped by the set of columns changed."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        session.execute(update(StocktakeLine), group)


def _rates(session: Session, st: Stocktake) -> dict[str, Decimal]:
    rates = {zone: ZERO for zone in st.zones}
    for row in q.zone_progress(session, st.id):
        rates[row.zone] = rules.error_rate(int(row.spot_checked or 0), int(row.spot_differs or 0))
    return rates


def _force_recounts(session: Session, st: Stocktake, zones: set[str], now: datetime) -> list[str]:
    """Order a full recount of every zone among ``zones`` whose error rate is above
    the limit and which has no recount pending already."""
    progress = {r.zone: r for r in q.zone_progress(session, st.id)}
    forced = []
    for zone in sorted(zones):
        row = progress.get(zone)
        if row is None or int(row.needs_recount or 0) > 0:
            continue
        rate = rules.error_rate(int(row.spot_checked or 0), int(row.spot_differs or 0))
        if rate > rules.ERROR_RATE_LIMIT:
            _order_recount(session, st, zone, now)
            forced.append(zone)
            audit(session, "system", "stocktake.recount_ordered", "stocktake", st.number,
                  zone=zone, error_rate=rate)
    return forced


def _order_recount(session: Session, st: Stocktake, zone: str, now: datetime) -> None:
    session.execute(
        update(StocktakeLine)
        .where(StocktakeLine.stocktake_id == st.id, StocktakeLine.zone == zone)
        .values(needs_recount=True).execution_options(synchronize_session=False)
    )
    session.execute(
        update(StocktakeZone)
        .where(StocktakeZone.stocktake_id == st.id, StocktakeZone.zone == zone)
        .values(forced_recounts=StocktakeZone.forced_recounts + 1, last_forced_at=now)
        .execution_options(synchronize_session=False)
    )


def order_recount(db: Database, *, actor, stocktake, zone) -> None:
    """The supervisor (or finance) orders a full recount of a zone: every line of it
    gets a new recount round."""
    def work(session):
        require_role(session, actor, "supervisor", "finance")
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open")
        _check_zone(st, zone)
        _order_recount(session, st, zone, clock.now())
        audit(session, actor, "stocktake.recount_ordered", "stocktake", st.number, zone=zone)

    db.write(work)


def read_count_sheet(data: bytes, filename: str) -> CountSheetUpload:
    """Read a filled-in count sheet (xlsx or csv): the header row (en or zh; title
    rows above it allowed) must name location, SKU and counted qty. Rows without a
    qty are skipped (not counted yet); bad rows are listed, good rows returned."""
    from services.uploads import read_table

    rows = read_table(data, filename, max_rows=SHEET_UPLOAD_ROWS)
    header_at, columns = None, {}
    for index, row in enumerate(rows[:20]):
        words = [str(c or "").strip().lower() for c in row]
        found = {name: words.index(w) for name, aliases in SHEET_HEADERS.items()
                 for w in words if w in aliases}
        if len(found) == len(SHEET_HEADERS):
            header_at, columns = index, found
            break
    if header_at is None:
        raise ValidationError("count_sheet_no_header", field="file")
    lines, errors = [], []
    for index in range(header_at + 1, len(rows)):
        row_no = index + 1
        cells = rows[index]

        def cell(name):
            position = columns[name]
            return cells[position] if position < len(cells) else None

        qty = cell("qty")
        if qty is None or str(qty).strip() == "":
            continue
        if isinstance(qty, float):            # a typed number read by the spreadsheet
            qty = repr(qty)
        try:
            qty = to_decimal(qty, "qty", places=3, row=row_no)
            sku = clean_text(cell("sku"), "sku", max_len=40, required=True, row=row_no).upper()
            location = clean_text(cell("location"), "location", max_len=40, required=True,
                                  row=row_no).upper()
        except ValidationError as exc:
            column = exc.params.get("field", "")
            errors.append({"row": row_no, "column": column, "code": exc.code, "params": exc.params})
            continue
        lines.append({"row": row_no, "location": location, "sku": sku, "qty": qty})
    return CountSheetUpload(lines=lines, errors=errors)


# --- spot check and error rates ----------------------------------------------
def spot_check_sample(db: Database, stocktake, seed=None) -> SpotSample:
    """The seeded sample of sheet lines finance checks on the shelves (30%, rounded
    up, at least one per zone) and the coverage with the shelf picks."""
    with db.read() as session:
        st = _load(session, stocktake)
        seed = st.spot_seed if seed is None else int(seed)
        rows = q.sheet_rows(session, st.id)
        sheet = [r for r in rows if not r.found]
        sample = set(rules.spot_sample([(r.id, r.zone) for r in sheet],
                                       seed))
        values = {r.id: r.book_value for r in rows}

        def view(r):
            line = r
            return {"zone": line.zone, "location": r.location, "sku": r.sku, "name": r.name,
                    "spec": r.spec, "unit": r.unit, "spot_qty": line.spot_qty,
                    "spot_by": line.spot_by}

        from_sheet = [view(r) for r in sheet if r.id in sample]
        shelf = [r for r in rows
                 if r.spot_qty is not None and r.id not in sample]
        covered = sample | {r.id for r in shelf}
        return SpotSample(
            seed=seed, sheet_lines=len(sheet), from_sheet=from_sheet,
            shelf_picks=[view(r) for r in shelf],
            shelf_target=rules.ceil_share(len(sheet), rules.SHELF_FRACTION),
            coverage=rules.coverage(values, covered),
        )


def zone_error_rates(db: Database, stocktake) -> dict[str, Decimal]:
    """Every zone of the stocktake: share of its spot-checked lines whose spot count
    differs from the count on the sheet (0 when none differ). Above 0.01 the zone
    must be fully recounted."""
    with db.read() as session:
        return _rates(session, _load(session, stocktake))


# --- variance ---------------------------------------------------------------
VARIANCE_COLUMNS = [
    "sku", "name", "category", "location", "zone", "book_qty", "book_value", "counted_qty",
    "variance_qty",
    "unit_cost", "variance_value", "reason", "note", "initial_qty", "recount_qty", "spot_qty",
    "found",
]


def _lot_stock(lot, kind: str) -> LotStock:
    return LotStock(lot_id=lot.id, received_at=lot.received_at, qty=lot.qty_on_hand,
                    unit_cost=lot.unit_cost, expiry_date=lot.expiry_date, status=lot.status,
                    location_kind=kind, lot_no=lot.lot_no)


def _valuate(session: Session, st: Stocktake, rows, *, for_update: bool = False):
    """{line id: (variance qty, unit cost, value, allocations)} for counted lines with
    a variance. Losses at the FIFO cost of the lots they consume at that location,
    gains at the item's latest receipt cost."""
    lots: dict[tuple[int, int], list[LotStock]] = {}
    lot_objects = {}
    for lot, kind in q.lots_for_losses(session, st.id, for_update=for_update):
        lots.setdefault((lot.item_id, lot.location_id), []).append(_lot_stock(lot, kind))
        lot_objects[lot.id] = lot
    gain_costs = q.latest_receipt_costs(session, st.id)
    out = {}
    for r in rows:
        line = r
        if line.counted_qty is None or line.counted_qty == line.book_qty:
            continue
        variance = line.counted_qty - line.book_qty
        if variance > 0:
            cost = gain_costs.get(line.item_id, ZERO)
            out[line.id] = (variance, cost, variance * cost, [])
        else:
            try:
                taken = rules.loss_allocation(lots.get((line.item_id, line.location_id), []),
                                              -variance, r.issue_policy)
            except rules.NotEnoughStock:
                raise InvalidState("stocktake_book_changed", sku=r.sku, location=r.location) from None
            value = -sum((a.value for a in taken), ZERO)
            out[line.id] = (variance, rules.average_cost(-value, -variance), value, taken)
    return out, lot_objects


def _variance_frame(session: Session, st: Stocktake) -> pd.DataFrame:
    rows = q.sheet_rows(session, st.id)
    stored = st.status in ("approved", "posted")
    values = {} if stored else _valuate(session, st, rows)[0]
    records = []
    for r in rows:
        line = r
        variance = None if line.counted_qty is None else line.counted_qty - line.book_qty
        if stored:
            unit_cost, value = line.unit_cost, line.variance_value
        elif line.id in values:
            _v, unit_cost, value, _t = values[line.id]
        else:
            unit_cost, value = (None, None) if variance is None else (ZERO, ZERO)
        records.append({
            "sku": r.sku, "name": r.name, "category": r.category or "", "location": r.location,
            "zone": line.zone, "book_qty": line.book_qty, "book_value": line.book_value,
            "counted_qty": line.counted_qty,
            "variance_qty": variance, "unit_cost": unit_cost, "variance_value": value,
            "reason": line.reason, "note": line.note, "initial_qty": line.initial_qty,
            "recount_qty": line.recount_qty, "spot_qty": line.spot_qty, "found": line.found,
        })
    return pd.DataFrame(records, columns=VARIANCE_COLUMNS)


def variance_report(db: Database, stocktake) -> pd.DataFrame:
    """One row per line: sku, name, category, location, zone, book_qty, book_value, counted_qty,
    variance_qty, unit_cost, variance_value, reason, note, initial_qty, recount_qty,
    spot_qty, found. Values are Decimal (None while a line is not counted); once
    approved they are the figures fixed at approval."""
    with db.read() as session:
        return _variance_frame(session, _load(session, stocktake))


def variance_summary(report: pd.DataFrame) -> dict:
    """Totals of a variance report: overall figures, per zone, per category, per
    reason (domain.stocktake.VarianceFigures)."""
    counted = report[report["counted_qty"].notna()]
    rows = list(zip(counted["zone"], counted["category"], counted["reason"],
                    counted["variance_qty"], counted["variance_value"]))
    return {
        "total": rules.summarise((qty, value) for _z, _c, _r, qty, value in rows),
        "zone": rules.group_figures((z, qty, value) for z, _c, _r, qty, value in rows),
        "category": rules.group_figures((c, qty, value) for _z, c, _r, qty, value in rows),
        "reason": rules.group_figures((r or "", qty, value) for _z, _c, r, qty, value in rows
                                      if qty != 0),
    }


def history(db: Database) -> pd.DataFrame:
    """Past and current stocktakes: number, period, status, lines, counted, accuracy
    (share of counted lines at book), gain_value, loss_value (once approved)."""
    with db.read() as session:
        records = []
        for r in q.history(session):
            counted = int(r.counted or 0)
            exact = int(r.exact or 0)
            approved = r.status in ("approved", "posted")
            records.append({
                "number": r.number, "period": r.period, "status": r.status,
                "lines": int(r.lines or 0), "counted": counted,
                "accuracy": rules.VarianceFigures(counted, exact, ZERO, ZERO).accuracy,
                "gain_value": (r.gain or ZERO) if approved else None,
                "loss_value": (r.loss or ZERO) if approved else None,
            })
    return pd.DataFrame(records, columns=["number", "period", "status", "lines", "counted",
                                          "accuracy", "gain_value", "loss_value"])


def _clean_reason(reason, note, row=None) -> tuple[str, str]:
    reason = str(reason or "").strip()
    where = {} if row is None else {"row": row}
    if reason not in VARIANCE_REASONS:
        raise ValidationError("invalid_variance_reason" if reason else "required", field="variance_reason",
                              value=reason, **where)
    note = clean_text(note, "variance_note", max_len=MAX_NOTE, row=row)
    if reason == "other" and not note:
        raise ValidationError("required", field="variance_note", **where)
    return reason, note


def set_reasons(db: Database, *, actor, stocktake, reasons: Iterable[Mapping[str, Any]]) -> int:
    """Reason (and note) for many variance lines: [{"sku","location","reason","note"}]."""
    cleaned = []
    for index, entry in enumerate(reasons, start=1):
        row = entry.get("row", index)
        reason, note = _clean_reason(entry.get("reason"), entry.get("note", ""), row)
        sku = clean_text(entry.get("sku"), "sku", max_len=40, required=True, row=row).upper()
        code = clean_text(entry.get("location"), "location", max_len=40, required=True,
                          row=row).upper()
        cleaned.append((row, sku, code, reason, note))
    if not cleaned:
        raise ValidationError("required", field="variance_reason")

    def work(session):
        require_role(session, actor, *REASON_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open", "submitted")
        found = {
            (sku, code): line
            for line, sku, code in session.execute(
                select(StocktakeLine, Item.sku, Location.code)
                .join(Item, Item.id == StocktakeLine.item_id)
                .join(Location, Location.id == StocktakeLine.location_id)
                .where(StocktakeLine.stocktake_id == st.id,
                       Item.sku.in_({c[1] for c in cleaned}))
            )
        }
        now = clock.now()
        updates = []
        for row, sku, code, reason, note in cleaned:
            line = found.get((sku, code))
            if line is None:
                raise ValidationError("not_on_sheet", field="sku", sku=sku, location=code, row=row)
            if line.counted_qty is None:
                raise ValidationError("line_not_counted", field="sku", sku=sku, location=code, row=row)
            if line.counted_qty == line.book_qty:
                raise ValidationError("no_variance", field="sku", sku=sku, location=code, row=row)
            updates.append({"id": line.id, "reason": reason, "note": note, "reason_by": actor,
                            "reason_at": now})
        _bulk_update_lines(session, updates)
        audit(session, actor, "stocktake.reason", "stocktake", st.number,
              lines=[f"{c[1]}@{c[2]}:{c[3]}" for c in cleaned][:50])
        return len(updates)

    return db.write(work)


def set_reason(db: Database, *, actor, stocktake, sku, location, reason, note="") -> None:
    """The cause of one line's variance (counting_error, receiving_error,
    issuing_error, damage, theft_loss, expired, unrecorded_return, other)."""
    set_reasons(db, actor=actor, stocktake=stocktake,
                reasons=[{"sku": sku, "location": location, "reason": reason, "note": note}])


# --- approval steps ---------------------------------------------------------
def _submit_checks(session: Session, st: Stocktake) -> None:
    progress = q.zone_progress(session, st.id)
    for row in progress:
        missing = int(row.lines) - int(row.counted or 0)
        if missing:
            raise ValidationError("lines_not_counted", zone=row.zone, count=missing)
    for row in progress:
        if int(row.needs_recount or 0):
            raise ValidationError("zone_recount_required", zone=row.zone,
                                  count=int(row.needs_recount))
    forced = dict(session.execute(
        select(StocktakeZone.zone, StocktakeZone.forced_recounts)
        .where(StocktakeZone.stocktake_id == st.id)).all())
    rates = _rates(session, st)
    for zone in rules.zones_over_limit(rates):
        if not forced.get(zone):
            raise ValidationError("zone_error_rate_high", zone=zone,
                                  rate=f"{rates[zone] * 100:.1f}")
    rows = q.sheet_rows(session, st.id)
    sheet = [(r.id, r.zone) for r in rows if not r.found]
    sample = set(rules.spot_sample(sheet, st.spot_seed))
    unchecked = sum(1 for r in rows if r.id in sample
                    and r.spot_qty is None)
    if unchecked:
        raise ValidationError("spot_check_incomplete", count=unchecked)
    covered = sample | {r.id for r in rows if r.spot_qty is not None}
    share = rules.coverage({r.id: r.book_value for r in rows}, covered)
    if any(r.book_value for r in rows) and share < rules.COVERAGE_TARGET:
        raise ValidationError("spot_coverage_low", coverage=f"{share * 100:.1f}",
                              target=f"{rules.COVERAGE_TARGET * 100:.0f}")
    no_reason = sum(1 for r in rows if r.counted_qty != r.book_qty
                    and not r.reason)
    if no_reason:
        raise ValidationError("reasons_missing", count=no_reason)


def submit(db: Database, *, actor, stocktake, comment="") -> None:
    """Supervisor: every line counted, forced recounts done, the spot check complete
    and covering 50% of book value, every variance explained."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE)

    def work(session):
        require_role(session, actor, *SUBMIT_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open")
        _submit_checks(session, st)
        st.submitted_by, st.submitted_at = actor, clock.now()
        _step(session, st, "submit", actor, "submitted", comment)
        audit(session, actor, "stocktake.submit", "stocktake", st.number)

    db.write(work)


def review(db: Database, *, actor, stocktake, comment="") -> None:
    """Finance has checked the variances and their reasons."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE)

    def work(session):
        require_role(session, actor, *REVIEW_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "submitted")
        _not_a_counter(session, st, actor, "review")
        missing = session.scalar(
            select(StocktakeLine.id).where(
                StocktakeLine.stocktake_id == st.id,
                StocktakeLine.counted_qty != StocktakeLine.book_qty, StocktakeLine.reason == "")
            .limit(1))
        if missing:
            raise ValidationError("reasons_missing", count=1)
        st.reviewed_by, st.reviewed_at = actor, clock.now()
        _step(session, st, "review", actor, "reviewed", comment)
        audit(session, actor, "stocktake.review", "stocktake", st.number)

    db.write(work)


def approve(db: Database, *, actor, stocktake, comment="") -> None:
    """General manager approves; the valuation is fixed here and posted as is."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE)

    def work(session):
        require_role(session, actor, *APPROVE_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "reviewed")
        _not_a_counter(session, st, actor, "approve")
        if actor in (st.submitted_by, st.reviewed_by):
            raise PermissionDenied("approver_not_submitter", user=actor)
        values, _lots = _valuate(session, st, q.sheet_rows(session, st.id))
        session.execute(
            update(StocktakeLine).where(StocktakeLine.stocktake_id == st.id)
            .values(unit_cost=ZERO, variance_value=ZERO)
            .execution_options(synchronize_session=False)
        )
        updates = [{"id": line_id, "unit_cost": cost, "variance_value": value}
                   for line_id, (_v, cost, value, _t) in values.items()]
        if updates:
            _bulk_update_lines(session, updates)
        st.approved_by, st.approved_at = actor, clock.now()
        _step(session, st, "approve", actor, "approved", comment)
        audit(session, actor, "stocktake.approve", "stocktake", st.number,
              net_value=sum((u["variance_value"] for u in updates), ZERO))

    db.write(work)


def send_back(db: Database, *, actor, stocktake, comment) -> None:
    """Return a submitted/reviewed/approved stocktake to counting, with a comment."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE, required=True)

    def work(session):
        # Refuse anyone who could never send back before revealing the state.
        user = require_role(session, actor, *sorted({r for rs in SEND_BACK_ROLES.values()
                                                     for r in rs}))
        st = _load(session, stocktake, for_update=True)
        _require_status(st, *SEND_BACK_ROLES)
        require_role(session, actor, *SEND_BACK_ROLES[st.status])
        session.execute(
            update(StocktakeLine).where(StocktakeLine.stocktake_id == st.id)
            .values(unit_cost=None, variance_value=None)
            .execution_options(synchronize_session=False)
        )
        st.submitted_by = st.submitted_at = st.reviewed_by = st.reviewed_at = None
        st.approved_by = st.approved_at = None
        _step(session, st, "send_back", user.username, "open", comment)
        audit(session, actor, "stocktake.send_back", "stocktake", st.number, comment=comment)

    db.write(work)


def post(db: Database, *, actor, stocktake) -> PostResult:
    """Finance posts the approved variances: a gain document (SG-…) and a loss
    document (SL-…) in one transaction, then unfreezes the zones. Losses take lots
    in issue order at that location; gains become a lot at the latest receipt cost.
    A stocktake already posted raises InvalidState(state="posted")."""
    def work(session):
        user = require_role(session, actor, *POST_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "approved")
        _not_a_counter(session, st, actor, "post")
        if actor == st.approved_by:
            raise PermissionDenied("approver_cannot_post", user=actor)
        rows = [r for r in q.sheet_rows(session, st.id)
                if r.counted_qty != r.book_qty]
        db.lock_items(session, {r.item_id for r in rows})
        by_id = {r.id: r for r in rows}
        for line_id, balance in q.balances_for_lines(session, st.id):
            line = by_id[line_id]
            if balance != line.book_qty:
                raise InvalidState("stocktake_book_changed", sku=line.sku, location=line.location)
        values, lot_objects = _valuate(session, st, rows, for_update=True)
        now = clock.now()
        gains = [r for r in rows if values[r.id][0] > 0]
        losses = [r for r in rows if values[r.id][0] < 0]
        gain_no = next_number(session, "SG", now) if gains else ""
        loss_no = next_number(session, "SL", now) if losses else ""
        gain_value = loss_value = ZERO
        if losses:
            writer = LedgerWriter(session, "stocktake_loss", loss_no, user.id, at=now,
                                  stocktake_id=st.id)
            for r in losses:
                for allocation in values[r.id][3]:
                    loss_value -= writer.take(lot_objects[allocation.lot.lot_id],
                                              allocation.qty, LOSS, note=st.number)
            writer.flush()
        if gains:
            writer = LedgerWriter(session, "stocktake_gain", gain_no, user.id, at=now,
                                  stocktake_id=st.id)
            for r in gains:
                line = r
                qty = line.counted_qty - line.book_qty
                writer.receive(item_id=line.item_id, location_id=line.location_id, qty=qty,
                               unit_cost=line.unit_cost, lot_no=gain_no,
                               status=LOT_STATUS_FOR_KIND.get(r.kind, "available"),
                               movement_type=GAIN, note=st.number)
                gain_value += qty * line.unit_cost
            writer.flush()
        _unfreeze(session, st)
        st.posted_by, st.posted_at = actor, now
        st.gain_doc_no, st.loss_doc_no = gain_no, loss_no
        _step(session, st, "post", actor, "posted")
        audit(session, actor, "stocktake.post", "stocktake", st.number, gain_doc=gain_no,
              loss_doc=loss_no, gain_value=gain_value, loss_value=loss_value)
        return PostResult(gain_no, loss_no, gain_value, loss_value)

    return db.write(work)


__all__ = [
    "open_stocktake", "cancel", "list_stocktakes", "get_stocktake", "count_sheet",
    "count_entries", "recount_differences", "record_counts", "order_recount",
    "read_count_sheet", "spot_check_sample", "zone_error_rates", "variance_report",
    "variance_summary", "history", "set_reason", "set_reasons", "submit", "review",
    "approve", "send_back", "post",
]
