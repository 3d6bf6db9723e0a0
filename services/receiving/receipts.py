"""Receipts (入库单): start from a delivery sheet, counts, line approvals, cancel."""
from __future__ import annotations

from decimal import Decimal

import hashlib
from collections import defaultdict
from datetime import datetime
from collections.abc import Mapping
from typing import Any, Callable, Iterable

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from db import Database
from db.bulk import insert_rows, update_rows
from db.models import (
    Attachment,
    DeliveryNote,
    Item,
    Location,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptApproval,
    ReceiptLine,
    Supplier,
    User,
)
from domain import receiving as rules
from services import clock, delivery_sheet
from services.attachments import store_photo
from services.codes import item_ids_by_code
from services.common import (
    QTY_PLACES,
    audit,
    bulk_work,
    clean_text,
    next_number,
    require_role,
    to_decimal,
)
from services.delivery_sheet import DeliverySheet
from services.sheets import checks
from services.errors import Duplicate, InvalidState, NotFound, ValidationError
from services.purchasing import RECEIVABLE_STATUSES

from services.claims import link_replacement
from services.receiving.common import CANCEL_ROLES, MAX_LINE_QTY, RECEIVE_ROLES, ZERO, _clean_date, _open_receipt
from services.receiving.start_inputs import _StartInputs, _clean_start_inputs
from services.receiving.views import _state
from services.receiving_units import unit_columns_for_lines
from services.units import number_or_packs, packs_in_stock_units


def read_delivery_sheet(data: bytes, filename: str, *, supplier=None, mapping=None,
                        progress: Callable[[float], None] | None = None) -> DeliverySheet:
    """Lines, header block and row/column problems of a supplier sheet (xlsx, xls,
    xlsb, ods, Excel 2003 XML, CSV/TSV). ``supplier``: the supplier's
    ``SupplierProfile`` (``services.sheets.mappings.supplier_profile(db, code)``): its
    saved column mappings and price basis apply. ``mapping``: columns chosen by hand
    (``services.sheets.ColumnMapping``), e.g. for a preview while teaching."""
    return delivery_sheet.read_delivery_sheet(data, filename, supplier=supplier,
                                              mapping=mapping, progress=progress)


def start_receipt(db: Database, *, actor, po_number, delivery_note_no, lines,
                  source_file: bytes | None = None, filename: str = "",
                  arrived_at: datetime | None = None, claim=None,
                  photos: Iterable[tuple[bytes, str]] = (),
                  sheet: DeliverySheet | None = None,
                  sheet_po_numbers: Iterable[str] | None = None, sheet_supplier: str | None = None,
                  delivery_date=None, override_reason: str = "") -> str:
    """Open a GRN for one supplier delivery note against one approved PO.

    The same note (supplier + number, or the same file bytes) is refused with the
    earlier GRN named. ``claim``: the claim whose replacement goods these are
    (posting resolves it). ``photos`` (bytes, file name) of the paper note, one per
    page, are kept with the receipt as evidence. A sheet naming other POs, or printed
    by another supplier, is refused naming both, unless ``override_reason`` says why
    (kept on the receipt). A sheet spanning several POs starts one receipt per PO:
    each takes the lines of its PO (and lines naming none). ``sheet`` supplies the PO
    numbers, supplier name and delivery date it printed. Returns the GRN number."""
    start = _clean_start_inputs(
        po_number=po_number, delivery_note_no=delivery_note_no, lines=lines,
        source_file=source_file, filename=filename, arrived_at=arrived_at, claim=claim,
        photos=photos, sheet=sheet, sheet_po_numbers=sheet_po_numbers,
        sheet_supplier=sheet_supplier, delivery_date=delivery_date,
        override_reason=override_reason)

    def work(session):
        user = require_role(session, actor, *RECEIVE_ROLES)
        order = _receivable_order(session, start.po_number)
        mismatch = _check_sheet_against_po(session, order, start)
        _refuse_duplicate(session, order.supplier_id, start.note_key, start.sha)
        po_lines, items, other_pos = _po_context(session, order, start)
        number = next_number(session, "GRN")
        receipt_id = _store_delivery_note(session, user, order, number, start, mismatch)
        _store_receipt_lines(session, order.supplier_id, receipt_id, start.lines, items,
                             po_lines, other_pos)
        _store_evidence(session, user, number, start, source_file)
        if start.claim:
            link_replacement(session, claim_number=start.claim, supplier_id=order.supplier_id,
                             receipt_number=number)
        audit(session, actor, "receipt.start", "receipt", number, po=start.po_number,
              note=start.note_no, lines=len(start.lines), file=start.filename,
              sha256=start.sha, claim=start.claim,
              **({"mismatch": mismatch, "reason": start.reason} if mismatch else {}))
        return number

    try:
        with bulk_work():
            return db.write(work)
    except IntegrityError:
        # A concurrent start of the same note won the race: name its GRN.
        with db.read() as session:
            supplier_id = session.scalar(select(PurchaseOrder.supplier_id)
                                         .where(PurchaseOrder.number == start.po_number))
            _refuse_duplicate(session, supplier_id, start.note_no, start.sha)
        raise


def _check_sheet_against_po(session, order, start: _StartInputs) -> dict:
    """A sheet naming other POs or printed by another supplier is refused, naming
    both, unless an override reason was given. Returns the mismatch (empty if none)."""
    supplier = session.get(Supplier, order.supplier_id)
    mismatch = checks.sheet_mismatch(
        sheet_pos=start.sheet_pos, sheet_supplier=start.printed_supplier or "",
        po_number=start.po_number, supplier_name=supplier.name, supplier_code=supplier.code)
    if mismatch and not start.reason:
        raise ValidationError("sheet_mismatch", field="po_number", **mismatch)
    return mismatch


def _po_context(session, order, start: _StartInputs):
    """The PO's lines by item, the items the delivered lines name, and the other
    POs those lines mention."""
    po_rows = session.execute(
        select(PurchaseOrderLine.id, PurchaseOrderLine.item_id, PurchaseOrderLine.unit_price)
        .where(PurchaseOrderLine.order_id == order.id)
        .order_by(PurchaseOrderLine.line_no)).all()
    po_lines = {line.item_id: line for line in po_rows}
    items = _items_for(session, start.lines, [line.item_id for line in po_rows])
    other_pos = _other_po_numbers(session, start.lines, start.po_number)
    return po_lines, items, other_pos


def _store_delivery_note(session, user, order, number: str, start: _StartInputs,
                         mismatch: dict) -> int:
    """The delivery note (its key refuses a second start) and the open receipt;
    returns the receipt's id."""
    note = DeliveryNote(supplier_id=order.supplier_id, note_no=start.note_key,
                        file_sha256=start.sha, filename=start.filename,
                        arrived_at=start.arrived, receipt_number=number)
    session.add(note)
    session.flush()
    receipt = Receipt(
        number=number, order_id=order.id, supplier_id=order.supplier_id,
        delivery_note_id=note.id, delivery_note_no=start.note_no, source_sha256=start.sha,
        source_filename=start.filename, status="open", arrived_at=start.arrived,
        started_by=user.username, started_at=clock.now(), delivery_date=start.delivered,
        mismatch_reason=start.reason if mismatch else "")
    session.add(receipt)
    session.flush()
    return receipt.id


def _store_receipt_lines(session, supplier_id: int, receipt_id: int, cleaned: list[dict],
                         items: dict, po_lines: dict, other_pos: set[str]) -> None:
    """The lines in one INSERT (no ORM objects: nothing reads them back here)."""
    matched = [_line_item(line, items) for line in cleaned]
    units = unit_columns_for_lines(session, supplier_id, matched, cleaned)
    insert_rows(session, ReceiptLine.__table__, [
        {**_receipt_line_row(receipt_id, line_no, line, item, po_lines, other_pos),
         **line_units}
        for line_no, (line, item, line_units) in enumerate(zip(cleaned, matched, units),
                                                           start=1)])


def _store_evidence(session, user, number: str, start: _StartInputs,
                    source_file: bytes | None) -> None:
    """The source file and the photos of the paper note, kept with the receipt
    (photos cleaned and thumbnailed, like every photo of a document)."""
    if start.source_photo is not None:
        store_photo(session, actor=user.username, entity="receipt", document=number,
                    line_no=None, photo=start.source_photo,
                    filename=start.filename or start.note_no, stage="receiving")
    elif source_file is not None:
        session.add(Attachment(entity="receipt", entity_key=number,
                               filename=start.filename or f"{start.note_no}", sha256=start.sha,
                               content=source_file, uploaded_by=user.username,
                               uploaded_at=clock.now()))
        session.flush()
    for photo, name in start.evidence.values():
        store_photo(session, actor=user.username, entity="receipt", document=number,
                    line_no=None, photo=photo, filename=name, stage="receiving")


def _receivable_order(session, po_number: str) -> PurchaseOrder:
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == po_number))
    if order is None:
        raise NotFound(what="purchase_order", key=po_number)
    if order.status not in RECEIVABLE_STATUSES:
        raise InvalidState("po_not_receivable", state=order.status, number=po_number)
    return order


def _line_item(line: dict, items: dict):
    """The item a sheet line names: by SKU, else by name and spec."""
    return items.get(line["sku"]) or items.get(("name", line["name"], line["spec"])) \
        or items.get(("name", line["name"], ""))


def _receipt_line_row(receipt_id: int, line_no: int, line: dict, item,
                      po_lines: dict, other_pos: set) -> dict:
    """A sheet line as a receipt line, matched to its item and that item's PO line.
    Its quantity and unit columns are set by ``unit_columns_for_lines``."""
    po_line = po_lines.get(item.id) if item is not None else None
    return {
        "receipt_id": receipt_id, "line_no": line_no, "sheet_row": line["row"],
        "sku": item.sku if item is not None else line["sku"],
        # the supplier's own code, when the line matched its item another way
        "sheet_code": line["sku"] if item is not None and line["sku"] != item.sku else "",
        "item_id": item.id if item is not None else None,
        "po_line_id": po_line.id if po_line is not None else None,
        "name": line["name"] or (item.name if item is not None else ""),
        "spec": line["spec"] or (item.spec if item is not None else ""),
        "po_reference": line["po_number"] if line["po_number"] in other_pos else "",
        "remark": line.get("remark", ""),
        "note_qty": line["qty"], "note_unit_price": line["unit_price"],
        "note_amount": line["amount"],
        "unit_price": po_line.unit_price if po_line is not None else None,
        "damaged_qty": ZERO, "lot_no": line["lot_no"],
        "expiry_date": line["expiry_date"],
        "location_id": item.default_location_id if item is not None else None,
        "certificate": "", "flags": [], "rejected_reasons": {},
        "qc_passed_qty": ZERO, "qc_failed_qty": ZERO}


def _refuse_duplicate(session, supplier_id: int, note_no: str, sha: str | None) -> None:
    conditions = [(DeliveryNote.supplier_id == supplier_id) & (DeliveryNote.note_no == note_no)]
    if sha:
        conditions.append(DeliveryNote.file_sha256 == sha)
    earlier = session.scalar(select(DeliveryNote).where(or_(*conditions)).limit(1))
    if earlier is not None:
        same_file = bool(sha) and earlier.file_sha256 == sha
        raise Duplicate("delivery_note_received", field="delivery_note_no",
                        value=earlier.note_no, grn=earlier.receipt_number,
                        same_file=same_file)


# What a receipt needs of its items (plain rows).
_ITEM_COLUMNS = (Item.id, Item.sku, Item.name, Item.name_zh, Item.spec, Item.unit,
                 Item.default_location_id, Item.tracks_expiry, Item.min_shelf_life_days,
                 Item.is_assembly, Item.full_inspection)


def _items_for(session, cleaned: list[dict], po_item_ids: list[int]) -> dict:
    """Items by SKU (one query), else by any code the item carries (EAN, OE, the
    supplier's part number); lines still unmatched matched by name (+ spec) among
    the PO's items when that match is unique."""
    skus = {line["sku"] for line in cleaned if line["sku"]}
    items: dict = {}
    if skus:
        for item in session.execute(select(*_ITEM_COLUMNS).where(Item.sku.in_(skus))):
            items[item.sku] = item
    by_code = item_ids_by_code(session, skus - set(items))
    if by_code:
        rows = {item.id: item for item in session.execute(
            select(*_ITEM_COLUMNS).where(Item.id.in_(set(by_code.values()))))}
        items.update({code: rows[item_id] for code, item_id in by_code.items()})
    if any(line["sku"] not in items for line in cleaned) and po_item_ids:
        by_name: dict = defaultdict(list)
        for item in session.execute(select(*_ITEM_COLUMNS).where(Item.id.in_(po_item_ids))):
            keys = {("name", name, spec) for name in {item.name, item.name_zh} - {""}
                    for spec in {item.spec, ""}}      # a set: an item without spec counts once
            for key in keys:
                by_name[key].append(item)
        for key, found in by_name.items():
            if len(found) == 1:
                items[key] = found[0]
    return items


def _other_po_numbers(session, cleaned: list[dict], po_number: str) -> set[str]:
    """PO numbers printed on lines that are real, different POs of ours."""
    named = {line["po_number"] for line in cleaned if line["po_number"]} - {po_number}
    if not named:
        return set()
    return set(session.scalars(select(PurchaseOrder.number)
                               .where(PurchaseOrder.number.in_(named))))


def find_receipt_for_note(db: Database, *, supplier: str | None = None, note_no: str = "",
                          data: bytes | None = None) -> str | None:
    """The GRN an earlier delivery note (by supplier + number or file bytes) went to."""
    with db.read() as session:
        conditions = []
        if data:
            conditions.append(DeliveryNote.file_sha256 == hashlib.sha256(data).hexdigest())
        if supplier and note_no:
            supplier_id = session.scalar(select(Supplier.id).where(Supplier.code == supplier))
            conditions.append((DeliveryNote.supplier_id == supplier_id)
                              & (DeliveryNote.note_no == note_no))
        if not conditions:
            return None
        return session.scalar(select(DeliveryNote.receipt_number).where(or_(*conditions))
                              .limit(1))


_KEEP = object()


def _count_values(values: Mapping[str, Any], row: int) -> dict:
    """One line's count, cleaned; a quantity typed in packs ("3 箱 + 5") stays text
    until the line's item and the supplier's pack sizes convert it."""
    counted = number_or_packs(values.get("counted_qty"), "counted_qty", places=QTY_PLACES,
                              row=row, maximum=MAX_LINE_QTY)
    damaged_raw = values.get("damaged_qty")
    damaged = ZERO if damaged_raw in (None, "") else number_or_packs(
        damaged_raw, "damaged_qty", places=QTY_PLACES, row=row, maximum=MAX_LINE_QTY)
    cleaned = {"counted_qty": counted, "damaged_qty": damaged}
    _check_damaged(cleaned, row)
    for key, size in (("lot_no", 60), ("certificate", 100)):
        value = values.get(key)
        cleaned[key] = _KEEP if value is None else clean_text(value, key, max_len=size, row=row)
    expiry = values.get("expiry_date")
    cleaned["expiry_date"] = _KEEP if expiry is None else _clean_date(expiry, "expiry_date", row)
    location = values.get("location")
    cleaned["location"] = _KEEP if location in (None, "") else clean_text(
        location, "location", max_len=40, row=row).upper()
    return cleaned


def _check_damaged(values: dict, row: int) -> None:
    counted, damaged = values["counted_qty"], values["damaged_qty"]
    if isinstance(counted, Decimal) and isinstance(damaged, Decimal) and damaged > counted:
        raise ValidationError("damaged_exceeds_counted", field="damaged_qty", row=row,
                              damaged=str(damaged), counted=str(counted))


def _counts_in_stock_units(session, receipt: Receipt, counts: list[tuple[int, dict]]) -> None:
    """Counts typed in packs converted with the item's and this supplier's pack sizes
    (a supplier's own 箱 first), in place; the damaged part is checked again after."""
    typed = [(n, c) for n, c in counts
             if isinstance(c["counted_qty"], str) or isinstance(c["damaged_qty"], str)]
    if not typed:
        return
    items = dict(session.execute(select(ReceiptLine.line_no, ReceiptLine.item_id)
                                 .where(ReceiptLine.receipt_id == receipt.id)).all())
    for field in ("counted_qty", "damaged_qty"):
        wanted = []
        for line_no, values in typed:
            if not isinstance(values[field], str):
                continue
            if items.get(line_no) is None:      # no such line, or an item not in the catalogue
                raise ValidationError("not_a_number", field=field, row=line_no,
                                      value=values[field])
            wanted.append((line_no, items[line_no], values[field]))
        converted = packs_in_stock_units(session, wanted, supplier_id=receipt.supplier_id,
                                         field=field, places=QTY_PLACES)
        for line_no, values in typed:
            values[field] = converted.get(line_no, values[field])
    for line_no, values in typed:
        _check_damaged(values, line_no)


def _apply_counts(session, receipt: Receipt, user: User, counts: list[tuple[int, dict]]) -> None:
    """Write the counts by line id: one UPDATE per set of columns (usually one)."""
    table = ReceiptLine.__table__
    by_no = dict(session.execute(select(table.c.line_no, table.c.id)
                                 .where(table.c.receipt_id == receipt.id)).all())
    codes = {c["location"] for _, c in counts if c["location"] is not _KEEP}
    locations = {loc.code: loc for loc in session.scalars(
        select(Location).where(Location.code.in_(codes)))} if codes else {}
    now = clock.now()
    changes: dict[int, dict] = {}
    for line_no, values in counts:
        line_id = by_no.get(line_no)
        if line_id is None:
            raise NotFound(what="receipt_line", key=f"{receipt.number} #{line_no}")
        change = changes.setdefault(line_id, {"id": line_id})
        if values["location"] is not _KEEP:
            loc = locations.get(values["location"])
            if loc is None or not loc.active:
                raise NotFound(what="location", key=values["location"])
            if loc.kind == "hold":
                raise ValidationError("location_not_storage", field="location", row=line_no,
                                      location=loc.code)
            change["location_id"] = loc.id
        change["counted_qty"] = values["counted_qty"]
        change["damaged_qty"] = values["damaged_qty"]
        for key in ("lot_no", "certificate", "expiry_date"):
            if values[key] is not _KEEP:
                change[key] = values[key]
        change["counted_by"] = user.username
        change["counted_at"] = now
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for change in changes.values():
        groups[tuple(change)].append(change)
    for rows in groups.values():
        update_rows(session, table, rows)


def record_count(db: Database, *, actor, receipt, line_no, counted_qty, damaged_qty=0,
                 lot_no=None, expiry_date=None, location=None, certificate=None) -> None:
    """The physical count of one line (counted = everything there, damaged = the
    damaged part of it). None for lot/expiry/location/certificate keeps the value."""
    record_counts(db, actor=actor, receipt=receipt, counts=[{
        "line_no": line_no, "counted_qty": counted_qty, "damaged_qty": damaged_qty,
        "lot_no": lot_no, "expiry_date": expiry_date, "location": location,
        "certificate": certificate}])


def record_counts(db: Database, *, actor, receipt, counts: Iterable[Mapping[str, Any]]) -> int:
    """Several lines' counts in one transaction (the tablet's 'save counts')."""
    cleaned = []
    for values in counts:
        try:
            line_no = int(values.get("line_no"))
        except (TypeError, ValueError):
            raise ValidationError("invalid", field="line_no") from None
        cleaned.append((line_no, _count_values(values, line_no)))
    if not cleaned:
        return 0

    def work(session):
        user = require_role(session, actor, *RECEIVE_ROLES)
        rec = _open_receipt(session, receipt)
        _counts_in_stock_units(session, rec, cleaned)
        _apply_counts(session, rec, user, cleaned)
        audit(session, actor, "receipt.count", "receipt", receipt,
              lines=[{"line_no": n, "counted": c["counted_qty"], "damaged": c["damaged_qty"]}
                     for n, c in cleaned][:200])
        return len(cleaned)

    with bulk_work():
        return db.write(work)


def approve_line(db: Database, *, actor, receipt, line_no, flag, note="") -> None:
    """Written approval of OVER_PO / PRICE_MISMATCH (purchasing) or NEAR_EXPIRY
    (purchasing, supervisor) on one line."""
    flag = str(flag or "").upper()
    if flag not in rules.APPROVAL_ROLES:
        raise ValidationError("flag_not_approvable", field="flag", value=flag)
    note = clean_text(note, "note", max_len=200)

    def work(session):
        user = require_role(session, actor, *rules.APPROVAL_ROLES[flag])
        rec = _open_receipt(session, receipt)
        state = _state(session, rec)
        index = next((i for i, line in enumerate(state.lines) if line.line_no == line_no), None)
        if index is None:
            raise NotFound(what="receipt_line", key=f"{receipt} #{line_no}")
        line = state.lines[index]
        if flag not in state.results[index].flags:
            raise ValidationError("flag_not_present", field="flag", row=line_no, flag=flag)
        if flag in state.approvals.get(line.id, {}):
            return
        session.add(ReceiptApproval(receipt_line_id=line.id, flag=flag,
                                    approved_by=user.username, approved_at=clock.now(),
                                    note=note))
        audit(session, actor, "receipt.approve", "receipt", receipt, line_no=line_no, flag=flag,
              note=note)

    db.write(work)


def cancel_receipt(db: Database, *, actor, receipt, reason="") -> None:
    """Drop an open receipt (wrong PO, started twice...). The delivery note can then
    be received again; nothing was booked."""
    reason = clean_text(reason, "reason", max_len=200)

    def work(session):
        require_role(session, actor, *CANCEL_ROLES)
        rec = _open_receipt(session, receipt)
        note_id = rec.delivery_note_id
        rec.status = "cancelled"
        rec.cancelled_by = actor
        rec.delivery_note_id = None
        session.flush()
        if note_id is not None:
            session.delete(session.get(DeliveryNote, note_id))
        audit(session, actor, "receipt.cancel", "receipt", receipt, reason=reason)

    db.write(work)
