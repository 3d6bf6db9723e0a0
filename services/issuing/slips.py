"""Issue slips (出库单): preview, FIFO issue, approval, old-part checks, slip lists."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db import Database
from db.models import Issue, IssueAllocation, IssueLine, Item, Location, OldPart, User, Warehouse
from db.queries import issuing as q
from db.writes.issuing import store_issue_slip
from domain.allocation import GOOD, Allocation, ShortStock, allocate, available_qty
from services import clock
from services.common import (
    audit_row,
    clean_text,
    provisional_number,
    require_role,
    stamp_number,
)
from services.errors import (
    ApprovalRequired,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.ledger import ISSUE, SUPPLIER_RETURN, LedgerWriter, LotRef
from services.signatures import proved_signer
from services.issuing.warehouses import (
    choose_warehouse,
    clean_warehouse,
    describe,
    elsewhere,
    split_lots,
)

from services.issuing.common import APPROVER_ROLES, ISSUE_ROLES, ZERO, _Line, _LocationRow, _clean_lines, _clean_purpose, _clean_request_id, _day_bounds, _item_rows, _items_by_sku, _load_lots, _lot_rows, _lot_stock, _row_stock, _short
from services.issuing.views import AllocationView, IssueLineView, IssuePreview, IssueView, LowStock, PreviewLine, _allocation_view, warehouse_fields


def preview_issue(db: Database, *, lines, purpose="workshop", stock=GOOD, warehouse=None,
                  actor=None) -> IssuePreview:
    """What ``issue_stock`` would take for these lines now: per line the available
    qty in the warehouse (chosen as ``issue_stock`` chooses it, ``actor``'s home
    warehouse being the default), the lots in FIFO/FEFO order with their costs, and
    what other warehouses hold. Writes nothing; unknown SKUs and short lines are
    reported on the line instead of raising."""
    cleaned = _clean_lines(lines)
    _clean_purpose(purpose, stock)
    warehouse = clean_warehouse(warehouse)
    today = clock.today()
    with db.read() as session:
        items = _items_by_sku(session, (line.sku for line in cleaned))
        lots = _load_lots(session, [i.id for i in items.values()], source=stock)
        house = choose_warehouse(session, warehouse, actor, (
            location.warehouse_id for pairs in lots.values() for _lot, location in pairs))
        lots, others = split_lots(lots, house, _pair_house)
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
                elsewhere=elsewhere(session, others.get(item.id, []), _pair_house,
                                    lambda pair: _lot_stock(*pair), today=today, source=stock),
            ))
        return IssuePreview(tuple(result))


def _pair_house(pair) -> int:
    return pair[1].warehouse_id


def _row_house(row) -> int:
    return row.warehouse_id


def issue_stock(db: Database, *, actor, lines, requested_by, purpose="workshop",
                reference="", approved_by=None, old_part_tags=None, request_id=None,
                allow_partial=False, approver_password=None, stock=GOOD, note="",
                warehouse=None) -> IssueView:
    """Post an issue slip (ISS-YYYY-MM-NNNN), consuming lots FIFO (FEFO for FEFO items).

    ``lines``: [{"sku", "qty"}], a repeated SKU is summed. Short stock raises
    InsufficientStock naming the SKU and writes nothing, unless ``allow_partial``.
    Major assemblies and scrap need ``approved_by`` (a supervisor or manager other
    than the actor) with ``approver_password``, checked here. Items that
    require the old part need ``old_part_tags[sku]``. ``stock="bad"`` (scrap and
    return to supplier only) draws on held/expired stock instead of good stock.
    The same ``request_id`` twice returns the first issue and issues nothing more.
    Stock leaves from one ``warehouse`` (code): omitted, the actor's home warehouse
    or the only one holding the items, else ValidationError("warehouse_required");
    other warehouses' stock is never taken (a short line names it)."""
    cleaned = _clean_lines(lines)
    warehouse = clean_warehouse(warehouse)
    _clean_purpose(purpose, stock)
    requested_by = clean_text(requested_by, "requested_by", max_len=100, required=True)
    reference = clean_text(reference, "reference", max_len=60)
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)
    approved_by = _proved_approver(db, approved_by, approver_password)
    tags = _clean_tags(old_part_tags)

    def work(session: Session) -> IssueView:
        user = require_role(session, actor, *ISSUE_ROLES)
        done = _locked_earlier_issue(session, request_id)
        if done is not None:
            return done
        items = _item_rows(session, (line.sku for line in cleaned))
        _check_items(cleaned, items)
        approver = _check_approval(session, user, cleaned, items, approved_by, purpose)
        line_tags = _check_old_parts(session, cleaned, items, tags)
        lots, others, house = _lock_warehouse_lots(db, session, items, stock, warehouse, user)
        plans, first_short = _plan_allocations(cleaned, items, lots, stock, allow_partial,
                                               _elsewhere_of(session, others, stock))
        now = clock.now()
        # Everything is written under a provisional number; the real one is stamped
        # last (services.common.stamp_number): its sequence row, locked until commit,
        # serialises every issue slip.
        provisional = provisional_number("ISS")
        writer = LedgerWriter(session, "issue", provisional, user.id, at=now)
        booked = _book_lots(writer, plans, _lot_refs(lots), line_tags, _movement(purpose),
                            reference, stock)
        slip = {
            "number": provisional, "request_id": request_id, "at": now, "purpose": purpose,
            "reference": reference, "requested_by": requested_by, "actor_id": user.id,
            "approved_by_id": approver.id if approver else None, "total_cost": booked.total,
            "partial": first_short is not None, "note": note}
        issue_id, audit_id = store_issue_slip(session, slip, booked.line_rows,
                                              _allocation_rows(booked),
                                              _slip_event(actor, slip, approver, plans, booked))
        writer.flush()
        number = stamp_number(session, "ISS", now, table="issue", doc_id=issue_id,
                              provisional=provisional, audit_id=audit_id)
        return _issued_view(slip, number, user, approver, plans, booked, house, session)

    return _write_once(db, work, request_id)


def _locked_earlier_issue(session: Session, request_id: str | None) -> IssueView | None:
    """The issue already posted under ``request_id`` (its lock taken first), if any."""
    if not request_id:
        return None
    q.lock_request_id(session, request_id)
    return _issue_by_request_id(session, request_id)


def _movement(purpose: str) -> str:
    return SUPPLIER_RETURN if purpose == "supplier_return" else ISSUE


def _proved_approver(db: Database, approved_by, approver_password) -> str | None:
    """The approver's username once proved by password, or None when none is named."""
    approved_by = clean_text(approved_by, "approved_by", max_len=40).lower() or None
    if approved_by:     # a second person signs in person: proved, not named
        approved_by = proved_signer(db, approved_by, approver_password, field="approved_by",
                                    password_field="approver_password",
                                    wrong_code="approver_password_wrong", wrong=ValidationError)
    return approved_by


def _lock_warehouse_lots(db: Database, session: Session, items: dict, stock: str, warehouse,
                         user) -> tuple[dict, dict, int | None]:
    """Lock the items and their lots; the lots of the warehouse stock leaves from,
    and those of the other warehouses (named on short lines, never taken)."""
    db.lock_items(session, [item.id for item in items.values()])
    lots = _lot_rows(session, [item.id for item in items.values()], source=stock,
                     for_update=True)
    house = choose_warehouse(session, warehouse, user.username,
                             (row.warehouse_id for rows in lots.values() for row in rows))
    return (*split_lots(lots, house, _row_house), house)


def _elsewhere_of(session: Session, others: dict, stock: str):
    """For a short line: what the other warehouses hold of the item."""
    def places_of(item_id) -> dict:
        places = describe(elsewhere(session, others.get(item_id, []), _row_house,
                                    _row_stock, today=clock.today(), source=stock))
        return {"elsewhere": places} if places else {}
    return places_of


def _check_items(cleaned: list[_Line], items: dict) -> None:
    for line in cleaned:
        item = items.get(line.sku)
        if item is None:
            raise ValidationError("unknown_sku", field="sku", sku=line.sku, row=line.row)
        if not item.active:
            raise ValidationError("item_inactive", field="sku", sku=line.sku, row=line.row)


def _plan_allocations(cleaned: list[_Line], items: dict, lots: dict, stock: str,
                      allow_partial: bool, elsewhere_of=lambda item_id: {}):
    """Per line the lots to take (FIFO/FEFO) and the qty available; with the first
    short line's error when ``allow_partial`` let it through short."""
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
            raise _short(item, line, exc, **elsewhere_of(item.id)) from None
        if sum((a.qty for a in chosen), ZERO) < line.qty and first_short is None:
            first_short = _short(item, line, ShortStock(available, line.qty),
                                 **elsewhere_of(item.id))
        if chosen:
            plans.append((line, item, chosen, available))
    if not plans:
        raise first_short or InsufficientStock(sku=cleaned[0].sku, available=ZERO,
                                               requested=cleaned[0].qty)
    return plans, first_short


def _lot_refs(lots: dict) -> dict[int, tuple[LotRef, Any]]:
    """The lots as the ledger sees them (plain rows, written by id on flush)."""
    return {row.id: (LotRef(row.id, row.item_id, row.location_id, row.unit_cost,
                            row.qty_on_hand), row)
            for rows in lots.values() for row in rows}


@dataclass
class _Booked:
    """What the ledger took for a slip: its line rows, per line the lots taken
    (allocation, lot ref, lot row, value), the total cost and the items now low."""

    line_rows: list[dict] = field(default_factory=list)
    taken: list[list[tuple[Allocation, LotRef, Any, Decimal]]] = field(default_factory=list)
    total: Decimal = ZERO
    low: list[LowStock] = field(default_factory=list)


def _book_lots(writer: LedgerWriter, plans, refs: dict, line_tags: dict, movement: str,
               reference: str, stock: str) -> _Booked:
    booked = _Booked()
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
        booked.taken.append(picks)
        booked.total += line_total
        booked.line_rows.append({
            "line_no": line_no, "item_id": item.id, "qty_requested": line.qty, "qty": qty,
            "total_cost": line_total, "old_part_tag": line_tags.get(item.sku, "")})
        left = available - qty
        if stock == GOOD and item.reorder_level > 0 and left < item.reorder_level:
            booked.low.append(LowStock(item.sku, item.name, left, item.reorder_level))
    return booked


def _slip_event(actor, slip: dict, approver, plans, booked: _Booked) -> dict:
    return audit_row(
        actor, "issue.post", "issue", slip["number"], purpose=slip["purpose"],
        reference=slip["reference"], requested_by=slip["requested_by"],
        total_cost=booked.total, approved_by=approver.username if approver else None,
        lines=[{"sku": item.sku, "qty": row["qty"]}
               for (_line, item, _chosen, _available), row in zip(plans, booked.line_rows)],
        partial=slip["partial"], request_id=slip["request_id"])


def _allocation_rows(booked: _Booked) -> list[dict]:
    return [
        {"line_no": row["line_no"], "seq": seq, "lot_id": ref.id,
         "location_id": ref.location_id, "qty": a.qty, "unit_cost": ref.unit_cost,
         "value": value}
        for row, picks in zip(booked.line_rows, booked.taken)
        for seq, (a, ref, _row, value) in enumerate(picks, start=1)]


def _issued_view(slip: dict, number: str, user, approver, plans, booked: _Booked,
                 house: int | None, session: Session | None) -> IssueView:
    """The view from what was just written (nothing read back but the warehouse)."""
    house = session.get(Warehouse, house) if house else None
    return IssueView(
        number=number, at=slip["at"], purpose=slip["purpose"], reference=slip["reference"],
        requested_by=slip["requested_by"], actor=user.username,
        approved_by=approver.username if approver else "", total_cost=booked.total,
        partial=slip["partial"], request_id=slip["request_id"],
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
            in zip(plans, booked.line_rows, booked.taken)),
        low_stock=tuple(booked.low), **warehouse_fields({house.code: house} if house else {}))


def _write_once(db: Database, work, request_id: str | None) -> IssueView:
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
                    approved_by: str | None, purpose: str = "") -> User | None:
    """Major assemblies and scrap need the leader in charge: a supervisor or manager
    who is not the person issuing."""
    assembly = next((line for line in lines if items[line.sku].is_assembly), None)
    if assembly is not None and not approved_by:
        raise ApprovalRequired("assembly_approval_required", field="approved_by",
                               sku=assembly.sku, row=assembly.row)
    if purpose == "scrap" and not approved_by:
        # 报废须领导审核批准: scrapping needs a supervisor's or manager's approval.
        raise ApprovalRequired("scrap_approval_required", field="approved_by")
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
        .selectinload(IssueAllocation.location).selectinload(Location.warehouse),
    )


def _issue_by_request_id(session, request_id: str) -> IssueView | None:
    issue = session.scalar(_issue_query().where(Issue.request_id == request_id))
    return None if issue is None else _issue_view(issue, replayed=True)


def _issue_view(issue: Issue, *, low_stock=(), replayed=False) -> IssueView:
    lines, houses = [], {}
    for line in issue.lines:
        houses.update((a.location.warehouse.code, a.location.warehouse)
                      for a in line.allocations)
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
        **warehouse_fields(houses),
    )


def get_issue(db: Database, number: str) -> IssueView:
    with db.read() as session:
        issue = session.scalar(_issue_query().where(Issue.number == (number or "").strip()))
        if issue is None:
            raise NotFound(what="issue", key=number)
        return _issue_view(issue)


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
