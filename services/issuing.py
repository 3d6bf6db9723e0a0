"""Issuing (出库): issue slips by FIFO/FEFO, the assembly sign-off, the old-parts
register (领新交旧), returns of unused parts to stock, transfers between bins and
warehouses, and the tool-loan register.

Every write is one ``db.write`` transaction. Stock writers lock in a fixed order: the
request id (if any), then the items in ascending id (``db.lock_items``), then the
items' lots ``FOR UPDATE`` — never ``SKIP LOCKED``, so FIFO order always holds.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from collections.abc import Mapping
from typing import Any, Iterable

import pandas as pd
from sqlalchemy import bindparam, exists, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import BindParameter

from db import Database
from db.bulk import insert_returning_ids
from db.models import (
    ISSUE_PURPOSES,
    Issue,
    IssueAllocation,
    IssueLine,
    Item,
    Location,
    Lot,
    OldPart,
    StockReturn,
    StockReturnLine,
    Tool,
    ToolLoan,
    Transfer,
    TransferLine,
    User,
)
from db.queries import issuing as q
from db.types import Money, UTCDateTime
from domain.allocation import (
    ANY_AVAILABLE,
    BAD,
    GOOD,
    Allocation,
    LotStock,
    ShortStock,
    allocate,
    available_qty,
)
from services import clock
from services.common import (
    audit,
    audit_row,
    clean_text,
    get_or_404,
    insert_audit_row,
    next_number,
    provisional_number,
    require_role,
    stamp_number,
    to_decimal,
)
from services.errors import (
    ApprovalRequired,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.ledger import ISSUE, RETURN, SUPPLIER_RETURN, LedgerWriter, LotRef

ISSUE_ROLES = ("keeper", "supervisor")
APPROVER_ROLES = ("supervisor", "manager")
TOOL_REGISTER_ROLES = ("admin", "supervisor")
PURPOSES = ISSUE_PURPOSES
# Purposes that may draw on the separate book of held / expired stock.
BAD_STOCK_PURPOSES = ("scrap", "supplier_return")
STOCK_SOURCES = (GOOD, BAD)
ZERO = Decimal(0)
MAX_LINES = 200


# --- views ----------------------------------------------------------------
@dataclass(frozen=True)
class AllocationView:
    lot_id: int
    lot_no: str
    received_at: datetime
    expiry_date: date | None
    location: str
    qty: Decimal
    unit_cost: Decimal
    value: Decimal
    frozen: bool = False


@dataclass(frozen=True)
class IssueLineView:
    line_no: int
    sku: str
    name: str
    unit: str
    qty_requested: Decimal
    qty: Decimal
    total_cost: Decimal
    old_part_tag: str
    allocations: tuple[AllocationView, ...]


@dataclass(frozen=True)
class LowStock:
    sku: str
    name: str
    available: Decimal
    reorder_level: Decimal


@dataclass(frozen=True)
class IssueView:
    number: str
    at: datetime
    purpose: str
    reference: str
    requested_by: str
    actor: str
    approved_by: str
    total_cost: Decimal
    partial: bool
    request_id: str | None
    lines: tuple[IssueLineView, ...]
    low_stock: tuple[LowStock, ...] = ()
    replayed: bool = False       # True when a repeated request_id returned the first result


@dataclass(frozen=True)
class PreviewLine:
    row: int
    sku: str
    name: str
    unit: str
    requested: Decimal
    available: Decimal
    allocations: tuple[AllocationView, ...]
    total_cost: Decimal
    known: bool = True
    is_assembly: bool = False
    requires_old_part: bool = False

    @property
    def short(self) -> bool:
        return self.available < self.requested

    @property
    def frozen(self) -> bool:
        return any(a.frozen for a in self.allocations)


@dataclass(frozen=True)
class IssuePreview:
    lines: tuple[PreviewLine, ...]

    @property
    def total_cost(self) -> Decimal:
        return sum((line.total_cost for line in self.lines), ZERO)

    @property
    def needs_approval(self) -> bool:
        return any(line.is_assembly for line in self.lines)

    @property
    def old_part_skus(self) -> list[str]:
        return [line.sku for line in self.lines if line.requires_old_part]

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(
            line.known and not line.short and not line.frozen for line in self.lines)


@dataclass(frozen=True)
class ReturnView:
    number: str
    issue_number: str
    sku: str
    qty: Decimal
    total_cost: Decimal
    lots: tuple[AllocationView, ...]
    replayed: bool = False


@dataclass(frozen=True)
class TransferView:
    number: str
    sku: str
    qty: Decimal
    from_location: str
    to_location: str
    total_cost: Decimal
    lots: tuple[AllocationView, ...]
    replayed: bool = False


# --- input ----------------------------------------------------------------
@dataclass
class _Line:
    row: int
    sku: str
    qty: Decimal


def _clean_sku(value: Any, row: int | None = None) -> str:
    return clean_text(value, "sku", max_len=40, required=True, row=row).upper()


def _clean_lines(lines: Iterable[Mapping[str, Any]]) -> list[_Line]:
    """Validate lines; a SKU that repeats is summed into its first line."""
    merged: dict[str, _Line] = {}
    for row, raw in enumerate(lines or [], start=1):
        if not isinstance(raw, Mapping):
            raise ValidationError("invalid", field="lines", row=row)
        sku = _clean_sku(raw.get("sku"), row)
        qty = to_decimal(raw.get("qty"), "qty", positive=True, row=row)
        if sku in merged:
            merged[sku].qty += qty
        else:
            merged[sku] = _Line(row, sku, qty)
    if not merged:
        raise ValidationError("no_lines", field="lines")
    if len(merged) > MAX_LINES:
        raise ValidationError("too_many_lines", field="lines", max=MAX_LINES)
    return list(merged.values())


def _clean_request_id(request_id) -> str | None:
    if request_id is None or request_id == "":
        return None
    return clean_text(request_id, "request_id", max_len=64, required=True)


def _clean_purpose(purpose, stock) -> None:
    if purpose not in PURPOSES:
        raise ValidationError("invalid_choice", field="purpose", value=str(purpose))
    if stock not in STOCK_SOURCES:
        raise ValidationError("invalid_choice", field="stock", value=str(stock))
    if stock == BAD and purpose not in BAD_STOCK_PURPOSES:
        raise ValidationError("bad_stock_purpose", field="purpose", value=purpose)


# --- shared reads ---------------------------------------------------------
def _items_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Item]:
    skus = list(skus)
    return {i.sku: i for i in session.scalars(select(Item).where(Item.sku.in_(skus)))}


def _lots_query(query, item_ids, *, source: str = GOOD, location_id: int | None = None):
    """Candidate lots of the items (with stock; the domain decides what is issuable)
    in FIFO order, on the (item_id, received_at, id) index. ``item_ids``: ids or an
    expanding bind parameter."""
    if not isinstance(item_ids, BindParameter):
        item_ids = list(item_ids)
    query = (
        query.join(Location, Location.id == Lot.location_id)
        .where(Lot.item_id.in_(item_ids), Lot.qty_on_hand > 0)
        .order_by(Lot.item_id, Lot.received_at, Lot.id)
    )
    if source in (GOOD, ANY_AVAILABLE):
        query = query.where(Lot.status == "available")
    else:
        query = query.where(Lot.status != "quarantine")
    if source == GOOD:
        query = query.where(Location.kind == "storage")
    if location_id is not None:
        query = query.where(Lot.location_id == location_id)
    return query


def _load_lots(session: Session, item_ids: Iterable[int], *, source: str = GOOD,
               location_id: int | None = None, for_update: bool = False
               ) -> dict[int, list[tuple[Lot, Location]]]:
    """Candidate lots per item (with stock; the domain decides what is issuable),
    in FIFO order, optionally locked. Uses the (item_id, received_at, id) index."""
    query = _lots_query(select(Lot, Location), item_ids, source=source,
                        location_id=location_id)
    if for_update:
        query = query.with_for_update(of=Lot)
    found: dict[int, list[tuple[Lot, Location]]] = defaultdict(list)
    for lot, location in session.execute(query):
        found[lot.item_id].append((lot, location))
    return found


@dataclass(frozen=True)
class _LocationRow:
    """A lot's location as the ledger's frozen check needs it."""

    id: int
    code: str
    zone: str
    frozen_by_stocktake_id: int | None


_ITEM_COLUMNS = (Item.id, Item.sku, Item.name, Item.unit, Item.active, Item.is_assembly,
                 Item.requires_old_part, Item.issue_policy, Item.reorder_level)
_LOT_COLUMNS = (Lot.id, Lot.item_id, Lot.location_id, Lot.lot_no, Lot.expiry_date,
                Lot.received_at, Lot.unit_cost, Lot.qty_on_hand, Lot.status, Location.code,
                Location.zone, Location.kind, Location.frozen_by_stocktake_id)


_ITEMS_BY_SKU = select(*_ITEM_COLUMNS).where(Item.sku.in_(bindparam("skus", expanding=True)))


def _item_rows(session: Session, skus: Iterable[str]) -> dict[str, Any]:
    """What an issue needs of its items, by SKU (plain rows, one query)."""
    return {row.sku: row for row in session.execute(_ITEMS_BY_SKU, {"skus": list(skus)})}


@lru_cache(maxsize=None)
def _lot_rows_statement(source: str, for_update: bool):
    query = _lots_query(select(*_LOT_COLUMNS), bindparam("item_ids", expanding=True),
                        source=source)
    return query.with_for_update(of=Lot) if for_update else query


def _lot_rows(session: Session, item_ids: Iterable[int], *, source: str = GOOD,
              for_update: bool = False) -> dict[int, list[Any]]:
    """``_load_lots`` as plain rows (lot and location columns), same filter and order;
    the statement is built once per kind."""
    found: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(_lot_rows_statement(source, for_update),
                               {"item_ids": list(item_ids)}):
        found[row.item_id].append(row)
    return found


_ISSUE_INSERT = insert(Issue.__table__).returning(Issue.__table__.c.id)
_ISSUE_LINE_INSERT = insert(IssueLine.__table__).returning(IssueLine.__table__.c.id)
_ALLOCATION_INSERT = insert(IssueAllocation.__table__)
_OLD_PART_INSERT = insert(OldPart.__table__)
# PostgreSQL: a slip with its lines, allocations, old parts and audit event in one
# statement (arrays unnested; allocations find their line by line_no).
_LINE_ARRAYS = ("line_no", "item_id", "qty_requested", "qty", "total_cost", "old_part_tag")
_ALLOCATION_ARRAYS = ("line_no", "seq", "lot_id", "location_id", "qty", "unit_cost", "value")
_SLIP_POSTGRESQL = text("""
WITH doc AS (
    INSERT INTO issue (number, request_id, at, purpose, reference, requested_by, actor_id,
                       approved_by_id, total_cost, partial, note)
    VALUES (:number, :request_id, :at, :purpose, :reference, :requested_by, :actor_id,
            :approved_by_id, :total_cost, :partial, :note)
    RETURNING id),
lines AS (
    INSERT INTO issue_line (issue_id, line_no, item_id, qty_requested, qty, total_cost,
                            old_part_tag)
    SELECT doc.id, l.line_no, l.item_id, l.qty_requested, l.qty, l.total_cost, l.old_part_tag
    FROM doc, unnest(CAST(:ln_line_no AS integer[]), CAST(:ln_item_id AS integer[]),
                     CAST(:ln_qty_requested AS numeric[]), CAST(:ln_qty AS numeric[]),
                     CAST(:ln_total_cost AS numeric[]), CAST(:ln_old_part_tag AS text[]))
              AS l(line_no, item_id, qty_requested, qty, total_cost, old_part_tag)
    ORDER BY l.line_no
    RETURNING id, line_no, item_id, old_part_tag),
allocations AS (
    INSERT INTO issue_allocation (issue_line_id, seq, lot_id, location_id, qty, unit_cost, value)
    SELECT lines.id, a.seq, a.lot_id, a.location_id, a.qty, a.unit_cost, a.value
    FROM unnest(CAST(:al_line_no AS integer[]), CAST(:al_seq AS integer[]),
                CAST(:al_lot_id AS integer[]), CAST(:al_location_id AS integer[]),
                CAST(:al_qty AS numeric[]), CAST(:al_unit_cost AS numeric[]),
                CAST(:al_value AS numeric[]))
         AS a(line_no, seq, lot_id, location_id, qty, unit_cost, value)
    JOIN lines ON lines.line_no = a.line_no
    ORDER BY a.line_no, a.seq),
old_parts AS (
    INSERT INTO old_part (tag, issue_line_id, item_id, received_at, received_by_id, handed_to)
    SELECT lines.old_part_tag, lines.id, lines.item_id, :at, :actor_id, ''
    FROM lines WHERE lines.old_part_tag <> ''),
event AS (
    INSERT INTO audit_event (at, actor, action, entity, entity_key, details)
    VALUES (:ev_at, :ev_actor, :ev_action, :ev_entity, :ev_entity_key, CAST(:ev_details AS json))
    RETURNING id)
SELECT doc.id AS issue_id, event.id AS audit_id FROM doc, event
""").bindparams(bindparam("at", type_=UTCDateTime()), bindparam("ev_at", type_=UTCDateTime()),
                bindparam("total_cost", type_=Money()))


def _row_stock(row) -> LotStock:
    return LotStock(
        lot_id=row.id, received_at=row.received_at, qty=row.qty_on_hand,
        unit_cost=row.unit_cost, expiry_date=row.expiry_date, status=row.status,
        location_kind=row.kind, lot_no=row.lot_no, location=row.code,
    )


def _lot_stock(lot: Lot, location: Location) -> LotStock:
    return LotStock(
        lot_id=lot.id, received_at=lot.received_at, qty=lot.qty_on_hand,
        unit_cost=lot.unit_cost, expiry_date=lot.expiry_date, status=lot.status,
        location_kind=location.kind, lot_no=lot.lot_no, location=location.code,
    )


def _allocation_view(a: Allocation, frozen: bool = False) -> AllocationView:
    return AllocationView(
        lot_id=a.lot.lot_id, lot_no=a.lot.lot_no, received_at=a.lot.received_at,
        expiry_date=a.lot.expiry_date, location=a.lot.location, qty=a.qty,
        unit_cost=a.lot.unit_cost, value=a.value, frozen=frozen,
    )


def plain(number: Decimal) -> Decimal:
    """10.000 -> 10, 2.500 -> 2.5 (for messages)."""
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()


def _short(item: Item, line: _Line, exc: ShortStock, **extra) -> InsufficientStock:
    return InsufficientStock(sku=item.sku, available=plain(exc.available),
                             requested=plain(line.qty), field="qty", row=line.row, **extra)


# --- preview (read-only) --------------------------------------------------
def preview_issue(db: Database, *, lines, purpose="workshop", stock=GOOD) -> IssuePreview:
    """What ``issue_stock`` would take for these lines now: per line the available
    qty and the lots in FIFO/FEFO order with their costs. Writes nothing; unknown
    SKUs and short lines are reported on the line instead of raising."""
    cleaned = _clean_lines(lines)
    _clean_purpose(purpose, stock)
    today = clock.today()
    with db.read() as session:
        items = _items_by_sku(session, (line.sku for line in cleaned))
        lots = _load_lots(session, [i.id for i in items.values()], source=stock)
        result = []
        for line in cleaned:
            item = items.get(line.sku)
            if item is None or not item.active:
                result.append(PreviewLine(line.row, line.sku, "", "", line.qty, ZERO, (), ZERO,
                                          known=False))
                continue
            pairs = lots.get(item.id, [])
            frozen = {lot.id for lot, loc in pairs if loc.frozen_by_stocktake_id is not None}
            stocks = [_lot_stock(lot, loc) for lot, loc in pairs]
            chosen = allocate(stocks, line.qty, policy=item.issue_policy, today=today,
                              allow_partial=True, source=stock)
            views = tuple(_allocation_view(a, a.lot.lot_id in frozen) for a in chosen)
            result.append(PreviewLine(
                row=line.row, sku=item.sku, name=item.name, unit=item.unit, requested=line.qty,
                available=available_qty(stocks, today=today, source=stock),
                allocations=views, total_cost=sum((v.value for v in views), ZERO),
                is_assembly=item.is_assembly, requires_old_part=item.requires_old_part,
            ))
        return IssuePreview(tuple(result))


# --- issue ----------------------------------------------------------------
def issue_stock(db: Database, *, actor, lines, requested_by, purpose="workshop",
                reference="", approved_by=None, old_part_tags=None, request_id=None,
                allow_partial=False, approver_password=None, stock=GOOD, note=""
                ) -> IssueView:
    """Post an issue slip (ISS-YYYY-MM-NNNN), consuming lots FIFO (FEFO for FEFO items).

    ``lines``: [{"sku", "qty"}], a repeated SKU is summed. Short stock raises
    InsufficientStock naming the SKU and writes nothing, unless ``allow_partial``.
    Major assemblies need ``approved_by`` (a supervisor or manager other than the
    actor; with ``approver_password`` the password is checked here too). Items that
    require the old part need ``old_part_tags[sku]``. ``stock="bad"`` (scrap and
    return to supplier only) draws on held/expired stock instead of good stock.
    The same ``request_id`` twice returns the first issue and issues nothing more."""
    cleaned = _clean_lines(lines)
    _clean_purpose(purpose, stock)
    requested_by = clean_text(requested_by, "requested_by", max_len=100, required=True)
    reference = clean_text(reference, "reference", max_len=60)
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)
    approved_by = clean_text(approved_by, "approved_by", max_len=40).lower() or None
    tags = _clean_tags(old_part_tags)
    if approved_by and approver_password is not None:
        from services.users import authenticate

        if authenticate(db, approved_by, approver_password) is None:
            raise ValidationError("approver_password_wrong", field="approver_password")

    def work(session: Session) -> IssueView:
        user = require_role(session, actor, *ISSUE_ROLES)
        if request_id:
            q.lock_request_id(session, request_id)
            done = _issue_by_request_id(session, request_id)
            if done is not None:
                return done
        items = _item_rows(session, (line.sku for line in cleaned))
        for line in cleaned:
            item = items.get(line.sku)
            if item is None:
                raise ValidationError("unknown_sku", field="sku", sku=line.sku, row=line.row)
            if not item.active:
                raise ValidationError("item_inactive", field="sku", sku=line.sku, row=line.row)
        approver = _check_approval(session, user, cleaned, items, approved_by)
        line_tags = _check_old_parts(session, cleaned, items, tags)

        db.lock_items(session, [item.id for item in items.values()])
        lots = _lot_rows(session, [item.id for item in items.values()], source=stock,
                         for_update=True)
        today = clock.today()
        plans: list[tuple[_Line, Any, list[Allocation], Decimal]] = []
        first_short: InsufficientStock | None = None
        for line in cleaned:
            item = items[line.sku]
            stocks = [_row_stock(row) for row in lots.get(item.id, [])]
            available = available_qty(stocks, today=today, source=stock)
            try:
                chosen = allocate(stocks, line.qty, policy=item.issue_policy, today=today,
                                  allow_partial=allow_partial, source=stock)
            except ShortStock as exc:
                raise _short(item, line, exc) from None
            if sum((a.qty for a in chosen), ZERO) < line.qty and first_short is None:
                first_short = _short(item, line, ShortStock(available, line.qty))
            if chosen:
                plans.append((line, item, chosen, available))
        if not plans:
            raise first_short or InsufficientStock(sku=cleaned[0].sku, available=ZERO,
                                                   requested=cleaned[0].qty)

        now = clock.now()
        # Everything is written under a provisional number; the real one is stamped
        # last (services.common.stamp_number): its sequence row, locked until commit,
        # serialises every issue slip.
        provisional = provisional_number("ISS")
        writer = LedgerWriter(session, "issue", provisional, user.id, at=now)
        movement = SUPPLIER_RETURN if purpose == "supplier_return" else ISSUE
        # The lots as the ledger sees them (plain rows, written by id on flush).
        refs: dict[int, tuple[LotRef, Any]] = {}
        for rows in lots.values():
            for row in rows:
                refs[row.id] = (LotRef(row.id, row.item_id, row.location_id, row.unit_cost,
                                       row.qty_on_hand), row)
        partial = first_short is not None
        total = ZERO
        low: list[LowStock] = []
        line_rows: list[dict] = []
        taken: list[list[tuple[Allocation, LotRef, Any, Decimal]]] = []
        for line_no, (line, item, chosen, available) in enumerate(plans, start=1):
            qty = sum((a.qty for a in chosen), ZERO)
            line_total = ZERO
            picks = []
            for a in chosen:
                ref, row = refs[a.lot.lot_id]
                writer.know_location(_LocationRow(row.location_id, row.code, row.zone,
                                                  row.frozen_by_stocktake_id))
                value = writer.take(ref, a.qty, movement, note=reference)
                picks.append((a, ref, row, value))
                line_total += value
            taken.append(picks)
            total += line_total
            line_rows.append({
                "line_no": line_no, "item_id": item.id, "qty_requested": line.qty, "qty": qty,
                "total_cost": line_total, "old_part_tag": line_tags.get(item.sku, "")})
            left = available - qty
            if stock == GOOD and item.reorder_level > 0 and left < item.reorder_level:
                low.append(LowStock(item.sku, item.name, left, item.reorder_level))

        slip = {
            "number": provisional, "request_id": request_id, "at": now, "purpose": purpose,
            "reference": reference, "requested_by": requested_by, "actor_id": user.id,
            "approved_by_id": approver.id if approver else None, "total_cost": total,
            "partial": partial, "note": note}
        event = audit_row(
            actor, "issue.post", "issue", provisional, purpose=purpose, reference=reference,
            requested_by=requested_by, total_cost=total,
            approved_by=approver.username if approver else None,
            lines=[{"sku": item.sku, "qty": row["qty"]}
                   for (_line, item, _chosen, _available), row in zip(plans, line_rows)],
            partial=partial, request_id=request_id)
        allocations = [
            {"line_no": row["line_no"], "seq": seq, "lot_id": ref.id,
             "location_id": ref.location_id, "qty": a.qty, "unit_cost": ref.unit_cost,
             "value": value}
            for row, picks in zip(line_rows, taken)
            for seq, (a, ref, _row, value) in enumerate(picks, start=1)]
        issue_id, audit_id = _write_slip(session, slip, line_rows, allocations, event)
        writer.flush()
        number = stamp_number(session, "ISS", now, table="issue", doc_id=issue_id,
                              provisional=provisional, audit_id=audit_id)
        # The view from what was just written (nothing read back).
        return IssueView(
            number=number, at=now, purpose=purpose, reference=reference,
            requested_by=requested_by, actor=user.username,
            approved_by=approver.username if approver else "", total_cost=total,
            partial=partial, request_id=request_id,
            lines=tuple(
                IssueLineView(
                    line_no=row["line_no"], sku=item.sku, name=item.name, unit=item.unit,
                    qty_requested=row["qty_requested"], qty=row["qty"],
                    total_cost=row["total_cost"], old_part_tag=row["old_part_tag"],
                    allocations=tuple(
                        AllocationView(
                            lot_id=lot_row.id, lot_no=lot_row.lot_no,
                            received_at=lot_row.received_at, expiry_date=lot_row.expiry_date,
                            location=lot_row.code, qty=a.qty, unit_cost=ref.unit_cost,
                            value=value)
                        for a, ref, lot_row, value in picks))
                for (_line, item, _chosen, _available), row, picks
                in zip(plans, line_rows, taken)),
            low_stock=tuple(low))

    try:
        return db.write(work)
    except IntegrityError:
        # Two requests with the same id raced past the lock (should not happen on
        # PostgreSQL, where the request-id lock serialises them): return the winner.
        if request_id:
            with db.read() as session:
                done = _issue_by_request_id(session, request_id)
            if done is not None:
                return done
        raise


def _write_slip(session: Session, slip: dict, lines: list[dict], allocations: list[dict],
                event: dict) -> tuple[int, int]:
    """Insert the slip, its lines, allocations (keyed by line_no), old parts and its
    audit event; returns (issue id, audit event id). PostgreSQL: one statement."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_SLIP_POSTGRESQL, {
            **slip,
            **{f"ln_{key}": [line[key] for line in lines] for key in _LINE_ARRAYS},
            **{f"al_{key}": [a[key] for a in allocations] for key in _ALLOCATION_ARRAYS},
            **{f"ev_{key}": value for key, value in event.items() if key != "details"},
            "ev_details": json.dumps(event["details"]),
        }).one()
        return row.issue_id, row.audit_id
    issue_id = session.execute(_ISSUE_INSERT, slip).scalar_one()
    rows = [{**line, "issue_id": issue_id} for line in lines]
    if len(rows) == 1:
        line_ids = [session.execute(_ISSUE_LINE_INSERT, rows[0]).scalar_one()]
    else:
        line_ids = insert_returning_ids(session, IssueLine.__table__, rows)
    by_line_no = {line["line_no"]: line_id for line, line_id in zip(lines, line_ids)}
    session.execute(_ALLOCATION_INSERT, [
        {**{k: v for k, v in a.items() if k != "line_no"},
         "issue_line_id": by_line_no[a["line_no"]]} for a in allocations])
    old_parts = [{"tag": line["old_part_tag"], "issue_line_id": line_id,
                  "item_id": line["item_id"], "received_at": slip["at"],
                  "received_by_id": slip["actor_id"], "handed_back_at": None,
                  "handed_back_by_id": None, "handed_to": ""}
                 for line, line_id in zip(lines, line_ids) if line["old_part_tag"]]
    if old_parts:
        session.execute(_OLD_PART_INSERT, old_parts)
    return issue_id, insert_audit_row(session, event)


def _clean_tags(old_part_tags) -> dict[str, str]:
    if not old_part_tags:
        return {}
    if not isinstance(old_part_tags, Mapping):
        raise ValidationError("invalid", field="old_part_tags")
    tags = {}
    for sku, tag in old_part_tags.items():
        tag = clean_text(tag, "old_part_tags", max_len=60)
        if tag:
            tags[str(sku).strip().upper()] = tag
    return tags


def _check_approval(session, user: User, lines: list[_Line], items: dict[str, Item],
                    approved_by: str | None) -> User | None:
    """Major assemblies need the leader in charge: a supervisor or manager who is not
    the person issuing."""
    assembly = next((line for line in lines if items[line.sku].is_assembly), None)
    if assembly is not None and not approved_by:
        raise ApprovalRequired("assembly_approval_required", field="approved_by",
                               sku=assembly.sku, row=assembly.row)
    if not approved_by:
        return None
    approver = session.scalar(select(User).where(User.username == approved_by))
    if approver is None or not approver.active:
        raise ValidationError("unknown_user", field="approved_by", user=approved_by)
    if approver.id == user.id:
        raise ValidationError("approver_is_actor", field="approved_by", user=approved_by)
    if not approver.role_names.intersection(APPROVER_ROLES):
        raise PermissionDenied("approver_not_allowed", field="approved_by", user=approved_by,
                               roles=", ".join(APPROVER_ROLES))
    return approver


def _check_old_parts(session, lines: list[_Line], items: dict[str, Item],
                     tags: dict[str, str]) -> dict[str, str]:
    """领新交旧: a flagged item needs the tag of the old part handed in."""
    needed = {}
    for line in lines:
        if items[line.sku].requires_old_part:
            tag = tags.get(line.sku)
            if not tag:
                raise ValidationError("old_part_tag_required", field="old_part_tags",
                                      sku=line.sku, row=line.row)
            needed[line.sku] = tag
    values = list(needed.values())
    if len(set(values)) != len(values):
        raise ValidationError("old_part_tag_repeated", field="old_part_tags")
    if values:
        clash = session.scalar(select(OldPart.tag).where(
            OldPart.tag.in_(values), OldPart.handed_back_at.is_(None)).limit(1))
        if clash:
            raise ValidationError("old_part_tag_in_use", field="old_part_tags", tag=clash)
    return needed


def _issue_query():
    return select(Issue).options(
        selectinload(Issue.actor), selectinload(Issue.approved_by),
        selectinload(Issue.lines).selectinload(IssueLine.item),
        selectinload(Issue.lines).selectinload(IssueLine.allocations)
        .selectinload(IssueAllocation.lot),
        selectinload(Issue.lines).selectinload(IssueLine.allocations)
        .selectinload(IssueAllocation.location),
    )


def _issue_by_request_id(session, request_id: str) -> IssueView | None:
    issue = session.scalar(_issue_query().where(Issue.request_id == request_id))
    return None if issue is None else _issue_view(issue, replayed=True)


def _issue_view(issue: Issue, *, low_stock=(), replayed=False) -> IssueView:
    lines = []
    for line in issue.lines:
        allocations = tuple(
            AllocationView(
                lot_id=a.lot.id, lot_no=a.lot.lot_no, received_at=a.lot.received_at,
                expiry_date=a.lot.expiry_date, location=a.location.code, qty=a.qty,
                unit_cost=a.unit_cost, value=a.value)
            for a in line.allocations)
        lines.append(IssueLineView(
            line_no=line.line_no, sku=line.item.sku, name=line.item.name, unit=line.item.unit,
            qty_requested=line.qty_requested, qty=line.qty, total_cost=line.total_cost,
            old_part_tag=line.old_part_tag, allocations=allocations))
    return IssueView(
        number=issue.number, at=issue.at, purpose=issue.purpose, reference=issue.reference,
        requested_by=issue.requested_by, actor=issue.actor.username,
        approved_by=issue.approved_by.username if issue.approved_by else "",
        total_cost=issue.total_cost, partial=issue.partial, request_id=issue.request_id,
        lines=tuple(lines), low_stock=tuple(low_stock), replayed=replayed,
    )


def get_issue(db: Database, number: str) -> IssueView:
    with db.read() as session:
        issue = session.scalar(_issue_query().where(Issue.number == (number or "").strip()))
        if issue is None:
            raise NotFound(what="issue", key=number)
        return _issue_view(issue)


def _day_bounds(start: date | None, end: date | None):
    zone = clock.local_zone()
    lower = datetime.combine(start, time.min, zone) if start else None
    upper = datetime.combine(end + timedelta(days=1), time.min, zone) if end else None
    return lower, upper


def list_issues(db: Database, *, search: str | None = None, start: date | None = None,
                end: date | None = None, purpose: str | None = None, limit: int = 100,
                offset: int = 0) -> tuple[pd.DataFrame, int]:
    """One page of issue slips, newest first, and the total count. ``search``
    matches the slip number, reference, requester or a SKU on the slip."""
    columns = ["number", "at", "purpose", "reference", "requested_by", "actor",
               "approved_by", "lines", "total_cost"]
    with db.read() as session:
        query = select(Issue)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(
                Issue.number.ilike(pattern), Issue.reference.ilike(pattern),
                Issue.requested_by.ilike(pattern),
                exists(select(IssueLine.id).join(Item, Item.id == IssueLine.item_id).where(
                    IssueLine.issue_id == Issue.id, Item.sku.ilike(pattern))),
            ))
        lower, upper = _day_bounds(start, end)
        if lower:
            query = query.where(Issue.at >= lower)
        if upper:
            query = query.where(Issue.at < upper)
        if purpose:
            query = query.where(Issue.purpose == purpose)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        issues = session.scalars(
            query.options(selectinload(Issue.actor), selectinload(Issue.approved_by),
                          selectinload(Issue.lines))
            .order_by(Issue.at.desc(), Issue.id.desc()).limit(limit).offset(offset)).all()
        rows = [[i.number, clock.to_local(i.at), i.purpose, i.reference, i.requested_by,
                 i.actor.username, i.approved_by.username if i.approved_by else "",
                 len(i.lines), i.total_cost] for i in issues]
        return pd.DataFrame(rows, columns=columns), total


def issue_slip_frame(view: IssueView) -> pd.DataFrame:
    """One row per lot consumed, for the slip's table and its Excel download."""
    rows = []
    for line in view.lines:
        for a in line.allocations:
            rows.append([line.line_no, line.sku, line.name, line.unit, a.location, a.lot_no,
                         clock.to_local(a.received_at), a.qty, a.unit_cost, a.value])
    return pd.DataFrame(rows, columns=[
        "line_no", "sku", "name", "unit", "location", "lot_no", "received_at", "qty",
        "unit_cost", "value"])


# --- returns to stock ------------------------------------------------------
def returnable(db: Database, issue_number: str) -> list[dict]:
    """Per SKU on an issue: issued, already returned, still returnable."""
    with db.read() as session:
        issue = session.scalar(_issue_query().where(Issue.number == (issue_number or "").strip()))
        if issue is None:
            raise NotFound(what="issue", key=issue_number)
        ids = [a.id for line in issue.lines for a in line.allocations]
        returned = q.returned_by_allocation(session, ids)
        out = []
        for line in issue.lines:
            back = sum((returned.get(a.id, ZERO) for a in line.allocations), ZERO)
            out.append({"sku": line.item.sku, "name": line.item.name, "unit": line.item.unit,
                        "issued": line.qty, "returned": back, "returnable": line.qty - back})
        return out


def _replay(session: Session, request_id: str | None, model, to_view):
    """The view of the document this request id already produced, or None. The id is
    locked first, so a racing duplicate waits and then finds the first one's work."""
    if not request_id:
        return None
    q.lock_request_id(session, request_id)
    done = session.scalar(select(model).where(model.request_id == request_id))
    return None if done is None else to_view(done, replayed=True)


def return_to_stock(db: Database, *, actor, issue_number, sku, qty, request_id=None,
                    note="") -> ReturnView:
    """Unused parts back into the lots they were issued from, at those lots' cost.

    The newest lot the issue consumed is refilled first (undoing the issue's tail).
    Never more than issued minus already returned."""
    sku = _clean_sku(sku)
    qty = to_decimal(qty, "qty", positive=True)
    issue_number = clean_text(issue_number, "issue_number", max_len=30, required=True)
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)

    def work(session: Session) -> ReturnView:
        user = require_role(session, actor, *ISSUE_ROLES)
        done = _replay(session, request_id, StockReturn, _return_view)
        if done is not None:
            return done
        issue = get_or_404(session, Issue, "issue", number=issue_number)
        item = get_or_404(session, Item, "item", sku=sku)
        db.lock_items(session, [item.id])
        allocations = session.scalars(
            select(IssueAllocation).join(IssueLine)
            .where(IssueLine.issue_id == issue.id, IssueLine.item_id == item.id)
            .order_by(IssueLine.line_no, IssueAllocation.seq)).all()
        if not allocations:
            raise ValidationError("not_on_issue", field="sku", sku=sku, issue=issue_number)
        returned = q.returned_by_allocation(session, [a.id for a in allocations])
        issued = sum((a.qty for a in allocations), ZERO)
        already = sum(returned.values(), ZERO)
        if qty > issued - already:
            raise ValidationError("return_exceeds_issued", field="qty", sku=sku,
                                  issued=plain(issued), returned=plain(already),
                                  requested=plain(qty))
        lots = {lot.id: lot for lot in session.scalars(
            select(Lot).where(Lot.id.in_([a.lot_id for a in allocations]))
            .order_by(Lot.id).with_for_update())}
        now = clock.now()
        number = next_number(session, "RET", now)
        writer = LedgerWriter(session, "stock_return", number, user.id, at=now)
        doc = StockReturn(number=number, request_id=request_id, issue=issue, item=item,
                          qty=qty, total_cost=ZERO, at=now, actor=user, note=note)
        left = qty
        for a in reversed(allocations):
            room = a.qty - returned.get(a.id, ZERO)
            if left <= 0 or room <= 0:
                continue
            back = min(room, left)
            lot = lots[a.lot_id]
            value = writer.put(lot, back, RETURN, note=issue_number)
            doc.lines.append(StockReturnLine(allocation_id=a.id, lot=lot, qty=back,
                                             unit_cost=lot.unit_cost, value=value))
            doc.total_cost += value
            left -= back
        session.add(doc)
        writer.flush()
        audit(session, actor, "issue.return", "stock_return", number, issue=issue_number,
              sku=sku, qty=qty, total_cost=doc.total_cost, request_id=request_id)
        return _return_view(doc)

    return db.write(work)


def _return_view(doc: StockReturn, replayed=False) -> ReturnView:
    lots = tuple(
        AllocationView(lot_id=l.lot.id, lot_no=l.lot.lot_no, received_at=l.lot.received_at,
                       expiry_date=l.lot.expiry_date, location=l.lot.location.code, qty=l.qty,
                       unit_cost=l.unit_cost, value=l.value)
        for l in doc.lines)
    return ReturnView(number=doc.number, issue_number=doc.issue.number, sku=doc.item.sku,
                      qty=doc.qty, total_cost=doc.total_cost, lots=lots, replayed=replayed)


def list_returns(db: Database, *, issue_number: str | None = None, limit: int = 100
                 ) -> pd.DataFrame:
    columns = ["number", "at", "issue_number", "sku", "name", "qty", "total_cost", "actor"]
    with db.read() as session:
        query = (select(StockReturn).options(selectinload(StockReturn.issue),
                                             selectinload(StockReturn.item),
                                             selectinload(StockReturn.actor))
                 .order_by(StockReturn.at.desc(), StockReturn.id.desc()).limit(limit))
        if issue_number:
            query = query.join(Issue).where(Issue.number == issue_number.strip())
        rows = [[r.number, clock.to_local(r.at), r.issue.number, r.item.sku, r.item.name,
                 r.qty, r.total_cost, r.actor.username] for r in session.scalars(query)]
        return pd.DataFrame(rows, columns=columns)


# --- old-parts register ----------------------------------------------------
def list_old_parts(db: Database, *, outstanding_only: bool = True,
                   search: str | None = None) -> pd.DataFrame:
    """The old-parts register: tagged old parts held until handed back to the owner."""
    columns = ["tag", "sku", "name", "issue_number", "reference", "requested_by",
               "received_at", "handed_back_at", "handed_to"]
    with db.read() as session:
        query = (select(OldPart, IssueLine, Issue, Item)
                 .join(IssueLine, IssueLine.id == OldPart.issue_line_id)
                 .join(Issue, Issue.id == IssueLine.issue_id)
                 .join(Item, Item.id == OldPart.item_id)
                 .order_by(OldPart.received_at, OldPart.id))
        if outstanding_only:
            query = query.where(OldPart.handed_back_at.is_(None))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(OldPart.tag.ilike(pattern), Item.sku.ilike(pattern),
                                    Issue.number.ilike(pattern), Issue.reference.ilike(pattern)))
        rows = [[p.tag, item.sku, item.name, issue.number, issue.reference,
                 issue.requested_by, clock.to_local(p.received_at),
                 clock.to_local(p.handed_back_at) if p.handed_back_at else None, p.handed_to]
                for p, _line, issue, item in session.execute(query)]
        return pd.DataFrame(rows, columns=columns)


def hand_back_old_part(db: Database, *, actor, tag, handed_to="") -> None:
    """Record that the tagged old part went back to the vehicle owner."""
    tag = clean_text(tag, "tag", max_len=60, required=True)
    handed_to = clean_text(handed_to, "handed_to", max_len=100)

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        part = session.scalar(select(OldPart).where(
            OldPart.tag == tag, OldPart.handed_back_at.is_(None)).with_for_update())
        if part is None:
            raise NotFound(what="old_part", key=tag)
        part.handed_back_at = clock.now()
        part.handed_back_by_id = user.id
        part.handed_to = handed_to
        audit(session, actor, "old_part.hand_back", "old_part", tag, handed_to=handed_to)

    db.write(work)


# --- transfers -------------------------------------------------------------
def transfer(db: Database, *, actor, sku, qty, from_location, to_location, request_id=None,
             note="") -> TransferView:
    """Move stock between bins or warehouses (TRF-YYYY-MM-NNNN), taking the source
    location's lots in FIFO (FEFO) order. Lot no., expiry, received time and cost
    travel with the stock. Moving into a hold area puts the stock on hold (expired
    stock may go there); quarantine areas are for receiving only."""
    sku = _clean_sku(sku)
    qty = to_decimal(qty, "qty", positive=True)
    from_code = clean_text(from_location, "from_location", max_len=40, required=True).upper()
    to_code = clean_text(to_location, "to_location", max_len=40, required=True).upper()
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)
    if from_code == to_code:
        raise ValidationError("same_location", field="to_location", location=to_code)

    def work(session: Session) -> TransferView:
        user = require_role(session, actor, *ISSUE_ROLES)
        done = _replay(session, request_id, Transfer, _transfer_view)
        if done is not None:
            return done
        item = get_or_404(session, Item, "item", sku=sku)
        source_loc = get_or_404(session, Location, "location", code=from_code)
        target_loc = get_or_404(session, Location, "location", code=to_code)
        if target_loc.kind == "quarantine":
            raise ValidationError("transfer_to_quarantine", field="to_location",
                                  location=to_code)
        if not target_loc.active:
            raise ValidationError("location_inactive", field="to_location", location=to_code)
        source = GOOD if target_loc.kind == "storage" else ANY_AVAILABLE
        db.lock_items(session, [item.id])
        pairs = _load_lots(session, [item.id], source=source, location_id=source_loc.id,
                           for_update=True).get(item.id, [])
        stocks = [_lot_stock(lot, loc) for lot, loc in pairs]
        try:
            chosen = allocate(stocks, qty, policy=item.issue_policy, today=clock.today(),
                              source=source)
        except ShortStock as exc:
            raise InsufficientStock(sku=sku, available=plain(exc.available),
                                    requested=plain(qty), field="qty",
                                    location=from_code) from None
        now = clock.now()
        number = next_number(session, "TRF", now)
        writer = LedgerWriter(session, "transfer", number, user.id, at=now)
        doc = Transfer(number=number, request_id=request_id, item=item,
                       from_location=source_loc, to_location=target_loc, qty=qty,
                       total_cost=ZERO, at=now, actor=user, note=note)
        lots = {lot.id: lot for lot, _loc in pairs}
        status = "hold" if target_loc.kind == "hold" else None
        for seq, a in enumerate(chosen, start=1):
            lot = lots[a.lot.lot_id]
            target = writer.move(lot, a.qty, target_loc.id, status=status, note=note)
            doc.lines.append(TransferLine(seq=seq, from_lot=lot, to_lot=target, qty=a.qty,
                                          unit_cost=lot.unit_cost, value=a.value))
            doc.total_cost += a.value
        session.add(doc)
        writer.flush()
        audit(session, actor, "transfer.post", "transfer", number, sku=sku, qty=qty,
              from_location=from_code, to_location=to_code, request_id=request_id)
        return _transfer_view(doc)

    return db.write(work)


def _transfer_view(doc: Transfer, replayed=False) -> TransferView:
    lots = tuple(
        AllocationView(lot_id=l.from_lot.id, lot_no=l.from_lot.lot_no,
                       received_at=l.from_lot.received_at, expiry_date=l.from_lot.expiry_date,
                       location=doc.from_location.code, qty=l.qty, unit_cost=l.unit_cost,
                       value=l.value)
        for l in doc.lines)
    return TransferView(number=doc.number, sku=doc.item.sku, qty=doc.qty,
                        from_location=doc.from_location.code,
                        to_location=doc.to_location.code, total_cost=doc.total_cost,
                        lots=lots, replayed=replayed)


def list_transfers(db: Database, *, search: str | None = None, limit: int = 100
                   ) -> pd.DataFrame:
    columns = ["number", "at", "sku", "name", "qty", "from_location", "to_location",
               "total_cost", "actor"]
    with db.read() as session:
        query = (select(Transfer, Item).join(Item, Item.id == Transfer.item_id)
                 .options(selectinload(Transfer.from_location),
                          selectinload(Transfer.to_location), selectinload(Transfer.actor))
                 .order_by(Transfer.at.desc(), Transfer.id.desc()).limit(limit))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(Transfer.number.ilike(pattern), Item.sku.ilike(pattern)))
        rows = [[t.number, clock.to_local(t.at), item.sku, item.name, t.qty,
                 t.from_location.code, t.to_location.code, t.total_cost, t.actor.username]
                for t, item in session.execute(query)]
        return pd.DataFrame(rows, columns=columns)


def stock_locations(db: Database, sku: str) -> list[dict]:
    """Where an item's available stock sits: location, zone, kind, qty, frozen."""
    sku = _clean_sku(sku)
    today = clock.today()
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=sku)
        pairs = _load_lots(session, [item.id], source=ANY_AVAILABLE).get(item.id, [])
        by_location: dict[str, dict] = {}
        for lot, loc in pairs:
            row = by_location.setdefault(loc.code, {
                "location": loc.code, "zone": loc.zone, "kind": loc.kind, "qty": ZERO,
                "issuable": ZERO, "frozen": loc.frozen_by_stocktake_id is not None})
            row["qty"] += lot.qty_on_hand
            if loc.kind == "storage" and (lot.expiry_date is None or lot.expiry_date >= today):
                row["issuable"] += lot.qty_on_hand
        return sorted(by_location.values(), key=lambda r: r["location"])


# --- tools ------------------------------------------------------------------
def create_tool(db: Database, *, actor, code, name, note="") -> None:
    code = clean_text(code, "code", max_len=40, required=True).upper()
    name = clean_text(name, "name", max_len=120, required=True)
    note = clean_text(note, "note", max_len=200)

    def work(session):
        require_role(session, actor, *TOOL_REGISTER_ROLES)
        if session.scalar(select(Tool.id).where(Tool.code == code)):
            from services.errors import Duplicate

            raise Duplicate(field="code", value=code)
        session.add(Tool(code=code, name=name, note=note))
        audit(session, actor, "tool.create", "tool", code, name=name)

    db.write(work)


def list_tools(db: Database, *, active_only: bool = False) -> list[dict]:
    with db.read() as session:
        on_loan = set(session.scalars(select(ToolLoan.tool_id).where(
            ToolLoan.returned_at.is_(None))))
        query = select(Tool).order_by(Tool.code)
        if active_only:
            query = query.where(Tool.active.is_(True))
        return [{"code": t.code, "name": t.name, "active": t.active, "note": t.note,
                 "on_loan": t.id in on_loan} for t in session.scalars(query)]


def lend_tool(db: Database, *, actor, tool, borrower, due_date: date, note="") -> str:
    """Register a tool going out (TL-YYYY-MM-NNNN); returns the loan number."""
    code = clean_text(tool, "tool", max_len=40, required=True).upper()
    borrower = clean_text(borrower, "borrower", max_len=100, required=True)
    note = clean_text(note, "note", max_len=200)
    if not isinstance(due_date, date):
        raise ValidationError("required", field="due_date")
    if isinstance(due_date, datetime):
        due_date = due_date.date()

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        if due_date < clock.today():
            raise ValidationError("due_date_past", field="due_date")
        item = session.scalar(select(Tool).where(Tool.code == code).with_for_update())
        if item is None:
            raise NotFound(what="tool", key=code)
        if not item.active:
            raise ValidationError("tool_inactive", field="tool", tool=code)
        if session.scalar(select(ToolLoan.number).where(
                ToolLoan.tool_id == item.id, ToolLoan.returned_at.is_(None))):
            raise ValidationError("tool_on_loan", field="tool", tool=code)
        now = clock.now()
        number = next_number(session, "TL", now)
        session.add(ToolLoan(number=number, tool=item, borrower=borrower, lent_at=now,
                             lent_by_id=user.id, due_date=due_date, note=note))
        audit(session, actor, "tool.lend", "tool_loan", number, tool=code, borrower=borrower,
              due_date=due_date)
        return number

    return db.write(work)


def return_tool(db: Database, *, actor, loan, damaged=False, note="") -> None:
    """The tool came back; damage is reported (and takes the tool out of service)."""
    loan = clean_text(loan, "loan", max_len=30, required=True)
    note = clean_text(note, "note", max_len=200, required=bool(damaged))

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        row = session.scalar(select(ToolLoan).where(ToolLoan.number == loan).with_for_update())
        if row is None:
            raise NotFound(what="tool_loan", key=loan)
        if row.returned_at is not None:
            raise ValidationError("loan_already_returned", field="loan", loan=loan)
        row.returned_at = clock.now()
        row.returned_to_id = user.id
        row.damaged = bool(damaged)
        row.return_note = note
        if damaged:
            row.tool.active = False
        audit(session, actor, "tool.return", "tool_loan", loan, tool=row.tool.code,
              damaged=bool(damaged), note=note)

    db.write(work)


def list_tool_loans(db: Database, *, open_only: bool = False, overdue_only: bool = False
                    ) -> pd.DataFrame:
    """Loans with ``overdue`` (still out after the due date) and days overdue."""
    columns = ["number", "tool", "tool_name", "borrower", "lent_at", "due_date",
               "returned_at", "damaged", "overdue", "days_overdue", "note", "return_note"]
    today = clock.today()
    with db.read() as session:
        query = (select(ToolLoan).options(selectinload(ToolLoan.tool))
                 .order_by(ToolLoan.due_date, ToolLoan.id))
        if open_only or overdue_only:
            query = query.where(ToolLoan.returned_at.is_(None))
        if overdue_only:
            query = query.where(ToolLoan.due_date < today)
        rows = []
        for loan in session.scalars(query):
            late = loan.returned_at is None and loan.due_date < today
            rows.append([loan.number, loan.tool.code, loan.tool.name, loan.borrower,
                         clock.to_local(loan.lent_at), loan.due_date,
                         clock.to_local(loan.returned_at) if loan.returned_at else None,
                         loan.damaged, late, (today - loan.due_date).days if late else 0,
                         loan.note, loan.return_note])
        return pd.DataFrame(rows, columns=columns)


def overdue_tool_loans(db: Database) -> pd.DataFrame:
    return list_tool_loans(db, overdue_only=True)


__all__ = [
    "PURPOSES", "preview_issue", "issue_stock", "get_issue", "list_issues",
    "issue_slip_frame", "returnable", "return_to_stock", "list_returns", "list_old_parts",
    "hand_back_old_part", "transfer", "list_transfers", "stock_locations", "create_tool",
    "list_tools", "lend_tool", "return_tool", "list_tool_loans", "overdue_tool_loans",
]
