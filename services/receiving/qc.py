"""Quality control (质检): releasing quarantined goods or rejecting them."""
from __future__ import annotations

from sqlalchemy import select

from db import Database
from db.models import (
    Item,
    Location,
    Lot,
    Receipt,
    ReceiptLine,
    Supplier,
    SupplierReturn,
    SupplierReturnLine,
)
from domain import receiving as rules
from services import clock
from services.claims import NewClaim, raise_claims
from services.common import QTY_PLACES, audit, clean_text, next_number, require_role, to_decimal
from services.errors import InvalidState, NotFound, ValidationError
from services.ledger import QC_IN, QC_OUT, REJECT_IN, REJECT_OUT, LedgerWriter

from services.receiving.common import MAX_LINE_QTY, QC_ROLES, ZERO
from services.receiving.posting import _pick_location
from services.receiving_units import line_lots_in_quarantine, split_over


def qc_release(db: Database, *, actor, receipt, line_no, passed_qty, failed_qty,
               location=None) -> dict:
    """Inspect quarantined stock of a posted line: passed -> the bin chosen at count
    time (or ``location``), available; failed -> hold, on a return-to-supplier doc."""
    passed = to_decimal(passed_qty, "passed_qty", places=QTY_PLACES, row=line_no,
                        maximum=MAX_LINE_QTY)
    failed = to_decimal(failed_qty, "failed_qty", places=QTY_PLACES, row=line_no,
                        maximum=MAX_LINE_QTY)
    if passed + failed <= 0:
        raise ValidationError("must_be_positive", field="passed_qty", row=line_no)
    location = clean_text(location, "location", max_len=40).upper() or None

    def work(session):
        user = require_role(session, actor, *QC_ROLES)
        rec, line = _posted_line(session, receipt, line_no)
        db.lock_items(session, [line.item_id])
        lot = session.scalar(select(Lot).where(Lot.id == line.lot_id).with_for_update()
                             .execution_options(populate_existing=True))
        # with a line's second cost tier when it was bought by the pack
        lots = line_lots_in_quarantine(session, lot)
        available = sum((each.qty_on_hand for each in lots), ZERO)
        if not lots or passed + failed > available:
            raise ValidationError("qc_exceeds_quarantine", field="passed_qty", row=line_no,
                                  available=str(available))
        writer = LedgerWriter(session, "QC", rec.number, user.id)
        here = session.get(Location, lot.location_id)
        return_number = None
        parts = split_over(lots, passed + failed)
        if passed > 0:
            target = _release_target(session, line, location, line_no)
            for each, qty in split_over(lots, passed):
                writer.move(each, qty, target.id, status="available", out_type=QC_OUT,
                            in_type=QC_IN, note="qc passed")
        if failed > 0:
            return_number = _reject_failed(session, writer, rec, line, lot, parts, passed,
                                           failed, here, user)
        writer.flush()
        line.qc_passed_qty = (line.qc_passed_qty or ZERO) + passed
        line.qc_failed_qty = (line.qc_failed_qty or ZERO) + failed
        audit(session, actor, "receipt.qc_release", "receipt", receipt, line_no=line_no,
              passed=passed, failed=failed, return_number=return_number)
        return {"passed": passed, "failed": failed, "return_number": return_number}

    return db.write(work)


def _posted_line(session, receipt: str, line_no) -> tuple[Receipt, ReceiptLine]:
    """The posted receipt and its line that holds a lot."""
    rec = session.scalar(select(Receipt).where(Receipt.number == receipt))
    if rec is None:
        raise NotFound(what="receipt", key=receipt)
    if rec.status != "posted":
        raise InvalidState(state=rec.status, number=receipt)
    line = session.scalar(select(ReceiptLine).where(ReceiptLine.receipt_id == rec.id,
                                                    ReceiptLine.line_no == line_no))
    if line is None or line.lot_id is None:
        raise NotFound(what="receipt_line", key=f"{receipt} #{line_no}")
    return rec, line


def _reject_failed(session, writer: LedgerWriter, rec: Receipt, line: ReceiptLine, lot: Lot,
                   parts, passed, failed, here: Location, user) -> str:
    """Failed goods go to a hold bin, on a return-to-supplier doc and a claim;
    returns the return's number."""
    hold = _pick_location(session, "hold", here)
    if hold is None:
        raise ValidationError("no_hold_location", field="location")
    held = [(each, writer.move(each, qty, hold.id, status="hold", out_type=REJECT_OUT,
                               in_type=REJECT_IN, note="qc failed"), qty)
            for each, qty in _failed_parts(parts, passed)]
    writer.flush()
    return_number = _failed_return(session, rec, line, held, hold, user)
    # a QC failure is a discrepancy with the supplier too: a claim for purchasing
    # (valued at the lots' own costs: a line bought by the pack may have two tiers)
    raise_claims(session, actor=user.username, supplier_id=rec.supplier_id,
                 order_id=rec.order_id, receipt_id=rec.id,
                 delivery_note_no=rec.delivery_note_no, return_number=return_number,
                 claims=[NewClaim(kind="qc_failed", qty=failed, unit_price=lot.unit_cost,
                                  value=sum((qty * each.unit_cost
                                             for each, _held, qty in held), ZERO),
                                  line_no=line.line_no, sku=line.sku, name=line.name,
                                  note="QC", goes_back=True)])
    return return_number


def _release_target(session, line: ReceiptLine, location: str | None, row) -> Location:
    """Where passed goods go: ``location`` if given, else the bin chosen at count time
    (or the item's default bin); always a storage bin."""
    if location:
        target = session.scalar(select(Location).where(Location.code == location))
        if target is None or not target.active:
            raise NotFound(what="location", key=location)
    else:
        target = session.get(Location, line.location_id) if line.location_id else None
        if target is None or target.kind == "quarantine":
            item = session.get(Item, line.item_id)
            target = session.get(Location, item.default_location_id) \
                if item.default_location_id else None
    if target is None or target.kind != "storage":
        raise ValidationError("location_required", field="location", row=row)
    return target


def _failed_parts(parts: list, passed) -> list:
    """Of (lot, qty) parts covering passed + failed in lot order, the failed ones (the
    quantity after the first ``passed``)."""
    failed, skip = [], passed
    for lot, qty in parts:
        used = min(qty, skip)
        skip -= used
        if qty - used > 0:
            failed.append((lot, qty - used))
    return failed


def _failed_return(session, rec: Receipt, line: ReceiptLine, held: list, hold: Location,
                   user) -> str:
    """The return-to-supplier document for goods that failed QC (one line per lot
    moved to hold: ``held`` is [(lot, held lot, qty)]); its number."""
    return_number = next_number(session, "RTS")
    doc = SupplierReturn(number=return_number, supplier_id=rec.supplier_id,
                         receipt_id=rec.id, order_id=rec.order_id,
                         hold_location_id=hold.id, source="qc", status="open",
                         created_by=user.username, created_at=clock.now())
    for lot, held_lot, failed in held:
        doc.lines.append(SupplierReturnLine(
            receipt_line_no=line.line_no, sku=line.sku, item_id=line.item_id,
            name=line.name, qty=failed, unit_price=lot.unit_cost,
            amount=failed * lot.unit_cost, reason=rules.R_QC_FAILED, lot_no=lot.lot_no,
            lot_id=held_lot.id))
    session.add(doc)
    return return_number



def quarantine_lines(db: Database) -> list[dict]:
    """Posted lines with stock still in quarantine, oldest first."""
    with db.read() as session:
        rows = session.execute(
            select(Receipt.number, ReceiptLine.line_no, ReceiptLine.sku, ReceiptLine.name,
                   Lot.lot_no, Lot.qty_on_hand, Location.code, Receipt.posted_at,
                   ReceiptLine.location_id, Supplier.name, Lot)
            .join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
            .join(Lot, Lot.id == ReceiptLine.lot_id)
            .join(Location, Location.id == Lot.location_id)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .where(Lot.status == "quarantine")
            .order_by(Receipt.posted_at, Receipt.number, ReceiptLine.line_no)).all()
        # a line's quantity includes its second cost tier (bought by the pack)
        quantities = [sum((lot.qty_on_hand for lot in line_lots_in_quarantine(session, r[10], lock=False)),
                          ZERO) for r in rows]
        rows = [r for r, qty in zip(rows, quantities) if qty > 0]
        quantities = [qty for qty in quantities if qty > 0]
        bin_ids = {r[8] for r in rows if r[8]}
        codes = dict(session.execute(select(Location.id, Location.code)
                                     .where(Location.id.in_(bin_ids))).all()) if bin_ids else {}
        return [{"receipt": r[0], "line_no": r[1], "sku": r[2], "name": r[3], "lot_no": r[4],
                 "qty": qty, "location": r[6], "posted_at": r[7],
                 "target_bin": codes.get(r[8], ""), "supplier": r[9]}
                for r, qty in zip(rows, quantities)]
