"""Posting a receipt into stock after the second signature (过账)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from db import Database
from db.bulk import insert_rows, update_rows
from db.models import (
    Item,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    ReceiptDiscrepancy,
    ReceiptLine,
    User,
)
from domain import receiving as rules
from services import clock
from services.claims import claims_for_discrepancies, raise_claims, resolve_by_replacement
from services.common import audit, bulk_work, clean_text, load_user, require_role
from services.errors import ApprovalRequired, InvalidState, PermissionDenied, ValidationError
from services.ledger import LedgerWriter

from services.receiving.common import COSIGN_ROLES, RECEIVE_ROLES, ZERO, _Posted, _PostedLot, _locked_receipt
from services.receiving.views import ReceiptView, _State, _state, _view, get_receipt
from services.receiving.receipts import _ITEM_COLUMNS
from services.receiving.supplier_returns import _rejection_return


BLOCK_CODES = {
    rules.NOT_COUNTED: "receipt_line_not_counted",
    rules.NO_LOT: "lot_required",
    rules.NO_EXPIRY: "expiry_required",
    rules.NO_CERTIFICATE: "certificate_required",
    rules.PRICE_MISMATCH: "price_mismatch_unapproved",
}


def post_receipt(db: Database, *, actor, receipt, checked_by, checker_password=None) -> ReceiptView:
    """Book the accepted goods and the discrepancies, signed by the receiver (actor)
    and a co-signing keeper/supervisor (checked_by, a different user). With
    ``checker_password`` the co-signer is authenticated here. Posting an already
    posted receipt returns it unchanged."""
    checked_by = clean_text(checked_by, "checked_by", max_len=40, required=True).lower()
    if checker_password is not None:
        from services.users import authenticate

        if authenticate(db, checked_by, checker_password) is None:
            raise PermissionDenied("cosigner_auth_failed", field="checked_by", user=checked_by)

    def work(session):
        user = require_role(session, actor, *RECEIVE_ROLES)
        rec = _locked_receipt(session, receipt)
        if rec.status == "posted":
            return rec.number
        if rec.status != "open":
            raise InvalidState(state=rec.status, number=receipt)
        if checked_by == user.username:
            raise ValidationError("cosigner_same_user", field="checked_by", user=checked_by)
        checker = load_user(session, checked_by)
        if not checker.role_names.intersection(COSIGN_ROLES):
            raise PermissionDenied("cosigner_role", field="checked_by", user=checked_by)
        order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.id == rec.order_id)
                               .with_for_update().execution_options(populate_existing=True))
        # Received quantities may have moved since the page was drawn: re-read them
        # (locked). Lines, PO lines and items are read as plain rows, once.
        po_lines = session.execute(
            select(*_PO_LINE_COLUMNS).where(PurchaseOrderLine.order_id == order.id)
            .order_by(PurchaseOrderLine.id).with_for_update()).all()
        result = session.execute(select(*_LINE_COLUMNS).where(ReceiptLine.receipt_id == rec.id)
                                 .order_by(ReceiptLine.line_no))
        keys = list(result.keys())
        lines = [_Row(zip(keys, row)) for row in result]
        item_ids = {line.item_id for line in lines if line.item_id}
        items = {row.id: row for row in session.execute(
            select(*_ITEM_COLUMNS).where(Item.id.in_(item_ids)))} if item_ids else {}
        state = _state(session, rec, order, items=items, lines=lines, po_lines=po_lines)
        _refuse_blocked(state)
        posted = _post(db, session, state, user, checker)
        # The posted receipt as get_receipt() shows it, from what was just written
        # (outstanding quantities evaluated against the updated PO lines).
        closed = order.status in ("closed", "cancelled")
        outstanding = {line.id: ZERO if closed else
                       line.qty_ordered - posted.received.get(line.id, line.qty_received)
                       for line in po_lines}
        after = replace(state, results=rules.evaluate(state.inputs, outstanding, clock.today()))
        return _view(session, rec, after, posted)

    with bulk_work():
        result = db.write(work)
    return get_receipt(db, result) if isinstance(result, str) else result


def _refuse_blocked(state: _State) -> None:
    problems = []
    for line, result in zip(state.lines, state.results):
        for flag in result.blocking:
            problems.append({"row": line.line_no, "code": BLOCK_CODES[flag],
                             "params": {"row": line.line_no, "sku": line.sku, "flag": flag}})
    if not problems:
        return
    first = problems[0]
    if all(p["params"]["flag"] == rules.PRICE_MISMATCH for p in problems):
        raise ApprovalRequired(first["code"], what=rules.PRICE_MISMATCH, errors=problems,
                               count=len(problems), **first["params"])
    raise ValidationError("receipt_not_ready", count=len(problems), errors=problems,
                          row=first["row"])


def _pick_location(session, kind: str, near) -> Location | None:
    """The first active location of ``kind``, in ``near``'s warehouse if any (``near``:
    a Location or a row with ``warehouse_id``)."""
    query = select(Location).where(Location.kind == kind, Location.active.is_(True))
    if near is not None:
        query = query.order_by((Location.warehouse_id != near.warehouse_id), Location.code)
    else:
        query = query.order_by(Location.code)
    return session.scalar(query.limit(1))


class _Row:
    """A receipt line read for posting, whose results posting then sets."""

    def __init__(self, values):
        self.__dict__.update(values)
        # Set by posting (an open line has none yet).
        self.flags, self.rejected_reasons = [], {}
        self.accepted_qty = self.rejected_qty = None


_PO_LINE_COLUMNS = (PurchaseOrderLine.id, PurchaseOrderLine.line_no,
                    PurchaseOrderLine.item_id, PurchaseOrderLine.qty_ordered,
                    PurchaseOrderLine.qty_received, PurchaseOrderLine.unit_price)
# What posting and its view need of an open receipt's lines.
_LINE_COLUMNS = tuple(
    column for column in ReceiptLine.__table__.c
    if column.key not in ("receipt_id", "counted_by", "counted_at", "flags",
                          "rejected_reasons", "accepted_qty", "rejected_qty"))


def _post(db: Database, session, state: _State, user: User, checker: User) -> _Posted:
    rec, order = state.receipt, state.order
    now = clock.now()
    locations, quarantine, targets = _place_lines(session, state)
    first_bin = next(iter(locations.values()), None)
    rejected_any = any(r.rejected_qty > 0 for r in state.results)
    hold = _pick_location(session, "hold", first_bin) if rejected_any else None
    if rejected_any and hold is None:
        raise ValidationError("no_hold_location", field="location")
    new_lots, lots = _book_lots(db, session, state, user, now,
                                [*locations.values(), quarantine], targets)
    discrepancies, received = _record_results(session, state, new_lots)
    return_number = None
    if rejected_any:
        return_number = _rejection_return(session, state, hold, user, now)
    _follow_up(session, state, discrepancies, user, return_number)
    rec.status = "posted"
    rec.posted_at = now
    rec.received_by = user.username
    rec.checked_by = checker.username
    rec.return_number = return_number
    audit(session, user.username, "receipt.post", "receipt", rec.number,
          checked_by=checker.username, po=order.number, po_status=order.status,
          accepted=sum((r.accepted_qty for r in state.results), ZERO),
          rejected=sum((r.rejected_qty for r in state.results), ZERO),
          return_number=return_number)
    codes = {loc.id: loc.code for loc in locations.values()}
    for loc in (quarantine, hold):
        if loc is not None:
            codes[loc.id] = loc.code
    return _Posted(
        lots=lots, codes=codes, returns=(return_number,) if return_number else (),
        discrepancies=[{"line_no": d["line_no"], "sku": d["sku"], "flag": d["flag"],
                        "qty": d["qty"], "outcome": d["outcome"],
                        "approved_by": d["approved_by"] or ""} for d in discrepancies],
        received=received)


def _place_lines(session, state: _State):
    """Where each accepted line goes: its bin, or quarantine for fully inspected items.
    Returns the bins (by id), the quarantine location (if used) and per line id the
    (location, lot status)."""
    wanted = {line.location_id or (state.items[line.item_id].default_location_id
                                   if line.item_id in state.items else None)
              for line in state.lines}
    # The bins as plain rows (every column, so the statement and its order are
    # the same as loading the Location objects).
    table = Location.__table__
    locations = {loc.id: loc for loc in session.execute(
        select(table).where(table.c.id.in_({i for i in wanted if i})))}
    quarantine: Location | None = None
    targets: dict[int, tuple[Location, str]] = {}
    for line, result in zip(state.lines, state.results):
        if result.accepted_qty <= 0:
            continue
        item = state.items[line.item_id]
        bin_id = line.location_id or item.default_location_id
        if bin_id is None:
            raise ValidationError("location_required", field="location", row=line.line_no,
                                  sku=line.sku)
        if line.location_id is None:
            line.location_id = bin_id
        chosen = locations[bin_id]
        if item.full_inspection and chosen.kind != "quarantine":
            quarantine = quarantine or _pick_location(session, "quarantine", chosen)
            if quarantine is None:
                raise ValidationError("no_quarantine_location", field="location",
                                      row=line.line_no)
            targets[line.id] = (quarantine, "quarantine")
        else:
            status = "quarantine" if chosen.kind == "quarantine" else "available"
            targets[line.id] = (chosen, status)
    return locations, quarantine, targets


def _book_lots(db: Database, session, state: _State, user: User, now, known: list,
               targets: dict):
    """Stock: lock the items in id order, then write the lots (one INSERT) and the
    ledger in bulk. Returns the new lot per line id and the posted lots by lot id."""
    rec = state.receipt
    db.lock_items(session, [state.lines[i].item_id for i, r in enumerate(state.results)
                            if r.accepted_qty > 0])
    writer = LedgerWriter(session, "GRN", rec.number, user.id, at=now)
    for loc in known:
        if loc is not None:
            writer.know_location(loc)
    accepted = [(line, result) for line, result in zip(state.lines, state.results)
                if result.accepted_qty > 0]
    note = f"{state.order.number} / {rec.delivery_note_no}"
    refs = writer.receive_many([{
        "item_id": line.item_id, "location_id": targets[line.id][0].id,
        "qty": result.accepted_qty, "unit_cost": state.po_lines[line.po_line_id].unit_price,
        "lot_no": line.lot_no or "", "expiry_date": line.expiry_date,
        "status": targets[line.id][1], "supplier_id": rec.supplier_id, "received_at": now,
        "note": note} for line, result in accepted])
    new_lots = {line.id: ref for (line, _result), ref in zip(accepted, refs)}
    lots = {ref.id: _PostedLot(ref.location_id, targets[line.id][1], ref.qty_on_hand)
            for (line, _result), ref in zip(accepted, refs)}
    writer.flush()
    return new_lots, lots


def _record_results(session, state: _State, new_lots: dict):
    """The lines' results, the PO lines' received quantities and the discrepancies:
    one statement each, by primary key. Returns the discrepancies and the PO lines'
    new received quantities."""
    line_rows, discrepancies = [], []
    received: dict[int, Decimal] = {}
    for line, inp, result in zip(state.lines, state.inputs, state.results):
        line.flags = sorted(result.flags)
        line.accepted_qty = result.accepted_qty
        line.rejected_qty = result.rejected_qty
        line.rejected_reasons = {k: str(v) for k, v in result.rejected_reasons.items()}
        if line.id in new_lots:
            line.lot_id = new_lots[line.id].id
        if result.accepted_qty > 0:
            po_line = state.po_lines[line.po_line_id]
            received[po_line.id] = received.get(po_line.id, po_line.qty_received) \
                + result.accepted_qty
        line_rows.append({
            "id": line.id, "flags": line.flags, "accepted_qty": line.accepted_qty,
            "rejected_qty": line.rejected_qty, "rejected_reasons": line.rejected_reasons,
            "lot_id": line.lot_id, "location_id": line.location_id})
        approvals = state.approvals.get(line.id, {})
        discrepancies += [_discrepancy_row(state.receipt, line, row, approvals)
                          for row in rules.discrepancy_rows(inp, result)]
    update_rows(session, ReceiptLine.__table__, line_rows)
    update_rows(session, PurchaseOrderLine.__table__,
                [{"id": key, "qty_received": qty} for key, qty in sorted(received.items())])
    insert_rows(session, ReceiptDiscrepancy.__table__, discrepancies)
    order = state.order
    order.status = rules.po_status(
        ((line.qty_ordered, received.get(line.id, line.qty_received))
         for line in state.po_lines.values()), order.status)
    return discrepancies, received


def _follow_up(session, state: _State, discrepancies: list[dict], user: User,
               return_number: str | None) -> None:
    """004 ㈠4: every discrepancy goes to purchasing at once — one claim per
    discrepancy line; and a replacement delivery resolves the claim it replaces."""
    rec = state.receipt
    lines = [{"line_no": line.line_no, "sku": line.sku, "name": line.name,
              "unit_price": line.unit_price, "note_unit_price": line.note_unit_price,
              "counted_qty": line.counted_qty} for line in state.lines]
    raise_claims(session, actor=user.username, supplier_id=rec.supplier_id,
                 order_id=rec.order_id, receipt_id=rec.id,
                 delivery_note_no=rec.delivery_note_no, return_number=return_number,
                 claims=claims_for_discrepancies(lines, discrepancies))
    resolve_by_replacement(session, actor=user.username, supplier_id=rec.supplier_id,
                           delivery_note_no=rec.delivery_note_no, receipt_number=rec.number)


def _discrepancy_row(rec, line, row: dict, approvals: dict) -> dict:
    return {
        "receipt_id": rec.id, "line_no": line.line_no, "sku": line.sku,
        "flag": row["flag"], "qty": row["qty"], "outcome": row["outcome"],
        "approved_by": approvals.get(row["flag"]),
        "details": {"note_qty": str(line.note_qty), "counted_qty": str(line.counted_qty),
                    "damaged_qty": str(line.damaged_qty),
                    "note_unit_price": str(line.note_unit_price or ""),
                    "po_unit_price": str(line.unit_price or ""),
                    "expiry_date": str(line.expiry_date or ""),
                    "po_reference": line.po_reference or ""}}
