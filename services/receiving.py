"""Receiving (入库): delivery sheets against purchase orders, counting, flags and
approvals, two-signature posting into stock, QC release and returns to supplier."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from collections.abc import Mapping
from typing import Any, Callable, Iterable

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from db import Database
from db.bulk import insert_rows, update_rows
from db.models import (
    Attachment,
    DeliveryNote,
    Item,
    Location,
    Lot,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptApproval,
    ReceiptDiscrepancy,
    ReceiptLine,
    Supplier,
    SupplierReturn,
    SupplierReturnLine,
    User,
)
from domain import receiving as rules
from services import clock, delivery_sheet
from services.common import (
    PRICE_PLACES,
    QTY_PLACES,
    audit,
    bulk_work,
    clean_text,
    load_user,
    next_number,
    require_role,
    to_decimal,
)
from services.delivery_sheet import DeliverySheet, SheetLine, clean_date
from services.errors import (
    ApprovalRequired,
    Duplicate,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.ledger import QC_IN, QC_OUT, REJECT_IN, REJECT_OUT, SUPPLIER_RETURN, LedgerWriter
from services.purchasing import RECEIVABLE_STATUSES

RECEIVE_ROLES = ("receiver", "keeper")
COSIGN_ROLES = ("keeper", "supervisor")
QC_ROLES = ("qc",)
RETURN_ROLES = ("keeper", "supervisor")
CANCEL_ROLES = ("receiver", "keeper", "supervisor")
MAX_LINES = 5000
MAX_LINE_QTY = delivery_sheet.MAX_LINE_QTY
MAX_PRICE = delivery_sheet.MAX_PRICE
ZERO = Decimal(0)

__all__ = [
    "read_delivery_sheet", "start_receipt", "get_receipt", "record_count", "record_counts",
    "approve_line", "post_receipt", "qc_release", "cancel_receipt", "list_receipts",
    "confirm_supplier_return", "get_supplier_return", "list_supplier_returns",
    "timeliness_alerts", "quarantine_lines", "find_receipt_for_note",
]


def read_delivery_sheet(data: bytes, filename: str, *,
                        progress: Callable[[float], None] | None = None) -> DeliverySheet:
    """Lines and row/column problems of a supplier sheet (.xlsx or .csv)."""
    return delivery_sheet.read_delivery_sheet(data, filename, progress=progress)


# --- views ------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceiptLineView:
    line_no: int
    sheet_row: int | None
    sku: str
    name: str
    spec: str
    unit: str
    known_item: bool
    note_qty: Decimal
    note_unit_price: Decimal | None
    note_amount: Decimal | None
    unit_price: Decimal | None
    counted_qty: Decimal | None
    damaged_qty: Decimal
    accepted_qty: Decimal | None
    rejected_qty: Decimal | None
    rejected_reasons: dict
    flags: frozenset
    blocking: tuple
    needs_approval: frozenset
    approved: frozenset
    approvals: dict
    lot_no: str
    expiry_date: date | None
    location: str | None
    certificate: str
    po_reference: str
    full_inspection: bool
    outstanding: Decimal
    stored_location: str | None = None
    lot_status: str | None = None
    quarantine_qty: Decimal = ZERO
    qc_passed_qty: Decimal = ZERO
    qc_failed_qty: Decimal = ZERO


@dataclass(frozen=True)
class ReceiptView:
    number: str
    status: str
    po_number: str
    supplier: str
    supplier_name: str
    delivery_note_no: str
    source_filename: str
    arrived_at: datetime
    started_by: str
    started_at: datetime
    posted_at: datetime | None
    received_by: str | None
    checked_by: str | None
    return_numbers: tuple
    lines: list[ReceiptLineView] = field(default_factory=list)
    discrepancies: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[tuple[int, str]]:
        return [(line.line_no, flag) for line in self.lines for flag in line.blocking]

    @property
    def can_post(self) -> bool:
        return self.status == "open" and not self.blocking

    @property
    def return_number(self) -> str | None:
        return self.return_numbers[0] if self.return_numbers else None

    @property
    def accepted_total(self) -> Decimal:
        return sum((line.accepted_qty or ZERO for line in self.lines), ZERO)

    @property
    def rejected_total(self) -> Decimal:
        return sum((line.rejected_qty or ZERO for line in self.lines), ZERO)

    @property
    def check_duration(self) -> timedelta | None:
        return self.posted_at - self.arrived_at if self.posted_at else None

    @property
    def check_too_slow(self) -> bool:
        return self.posted_at is not None and rules.check_too_slow(self.arrived_at, self.posted_at)

    @property
    def paperwork_overdue(self) -> bool:
        return self.status == "open" and rules.paperwork_overdue(
            clock.to_local(self.arrived_at), clock.to_local(clock.now()))


# --- input ------------------------------------------------------------------------
def _where(row: int) -> dict:
    return {"row": row}


def _clean_date(value: Any, field_name: str, row: int) -> date | None:
    return clean_date(value, field_name, row)


def _optional_money(value: Any, field_name: str, row: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, field_name, places=PRICE_PLACES, row=row, maximum=MAX_PRICE)


def _clean_line(raw: Any, index: int) -> dict:
    if isinstance(raw, SheetLine):
        get = raw.get
        row = raw.row
    elif isinstance(raw, Mapping):
        get = raw.get
        row = index
    else:
        raise ValidationError("invalid", field="lines", row=index)
    qty = get("qty")
    if isinstance(qty, float):
        raise ValidationError("not_a_number", field="qty", row=row, value=str(qty))
    cleaned = {
        "row": row,
        "sku": clean_text(get("sku"), "sku", max_len=60, row=row).upper(),
        "name": clean_text(get("name"), "name", max_len=200, row=row),
        "spec": clean_text(get("spec"), "spec", max_len=200, row=row),
        "qty": to_decimal(qty, "qty", places=QTY_PLACES, positive=True, row=row,
                          maximum=MAX_LINE_QTY),
        "unit_price": _optional_money(get("unit_price"), "unit_price", row),
        "amount": _optional_money(get("amount"), "amount", row) if get("amount") is not None
        and not isinstance(get("amount"), float) else None,
        "lot_no": clean_text(get("lot_no"), "lot_no", max_len=60, row=row),
        "expiry_date": _clean_date(get("expiry_date"), "expiry_date", row),
        "po_number": clean_text(get("po_number"), "po_number", max_len=40, row=row),
    }
    if not cleaned["sku"] and not cleaned["name"]:
        raise ValidationError("item_missing", field="sku", row=row)
    return cleaned


def _clean_lines(lines: Iterable[Any]) -> list[dict]:
    cleaned, errors = [], []
    for index, raw in enumerate(lines or [], start=1):
        try:
            cleaned.append(_clean_line(raw, index))
        except ValidationError as exc:
            errors.append({"row": exc.params.get("row", index), "code": exc.code,
                           "params": exc.params})
    if errors:
        first = errors[0]
        raise ValidationError(first["code"], **first["params"], errors=errors,
                              count=len(errors))
    if not cleaned:
        raise ValidationError("required", field="lines")
    if len(cleaned) > MAX_LINES:
        raise ValidationError("too_many_lines", field="lines", max=MAX_LINES)
    return cleaned


# --- start ---------------------------------------------------------------------------
def start_receipt(db: Database, *, actor, po_number, delivery_note_no, lines,
                  source_file: bytes | None = None, filename: str = "",
                  arrived_at: datetime | None = None) -> str:
    """Open a GRN for one supplier delivery note against one approved PO.

    The same note (supplier + number, or the same file bytes) is refused with the
    earlier GRN named. Returns the GRN number."""
    po_number = clean_text(po_number, "po_number", max_len=40, required=True)
    note_no = clean_text(delivery_note_no, "delivery_note_no", max_len=60, required=True)
    filename = clean_text(filename, "file", max_len=200)
    cleaned = _clean_lines(lines)
    sha = None
    if source_file is not None:
        if len(source_file) > delivery_sheet.MAX_FILE_BYTES:
            raise ValidationError("file_too_large", field="file",
                                  limit_mb=delivery_sheet.MAX_FILE_BYTES // (1024 * 1024))
        sha = hashlib.sha256(source_file).hexdigest()
    arrived = arrived_at or clock.now()

    def work(session):
        user = require_role(session, actor, *RECEIVE_ROLES)
        order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == po_number))
        if order is None:
            raise NotFound(what="purchase_order", key=po_number)
        if order.status not in RECEIVABLE_STATUSES:
            raise InvalidState("po_not_receivable", state=order.status, number=po_number)
        _refuse_duplicate(session, order.supplier_id, note_no, sha)
        po_rows = session.execute(
            select(PurchaseOrderLine.id, PurchaseOrderLine.item_id, PurchaseOrderLine.unit_price)
            .where(PurchaseOrderLine.order_id == order.id)
            .order_by(PurchaseOrderLine.line_no)).all()
        po_lines = {line.item_id: line for line in po_rows}
        items = _items_for(session, cleaned, [line.item_id for line in po_rows])
        other_pos = _other_po_numbers(session, cleaned, po_number)
        number = next_number(session, "GRN")
        note = DeliveryNote(supplier_id=order.supplier_id, note_no=note_no, file_sha256=sha,
                            filename=filename, arrived_at=arrived, receipt_number=number)
        session.add(note)
        session.flush()
        receipt = Receipt(
            number=number, order_id=order.id, supplier_id=order.supplier_id,
            delivery_note_id=note.id, delivery_note_no=note_no, source_sha256=sha,
            source_filename=filename, status="open", arrived_at=arrived,
            started_by=user.username, started_at=clock.now())
        session.add(receipt)
        session.flush()
        rows = []
        for line_no, line in enumerate(cleaned, start=1):
            item = items.get(line["sku"]) or items.get(("name", line["name"], line["spec"])) \
                or items.get(("name", line["name"], ""))
            po_line = po_lines.get(item.id) if item is not None else None
            rows.append({
                "receipt_id": receipt.id, "line_no": line_no, "sheet_row": line["row"],
                "sku": item.sku if item is not None else line["sku"],
                "item_id": item.id if item is not None else None,
                "po_line_id": po_line.id if po_line is not None else None,
                "name": line["name"] or (item.name if item is not None else ""),
                "spec": line["spec"] or (item.spec if item is not None else ""),
                "po_reference": line["po_number"] if line["po_number"] in other_pos else "",
                "note_qty": line["qty"], "note_unit_price": line["unit_price"],
                "note_amount": line["amount"],
                "unit_price": po_line.unit_price if po_line is not None else None,
                "damaged_qty": ZERO, "lot_no": line["lot_no"],
                "expiry_date": line["expiry_date"],
                "location_id": item.default_location_id if item is not None else None,
                "certificate": "", "flags": [], "rejected_reasons": {},
                "qc_passed_qty": ZERO, "qc_failed_qty": ZERO})
        # The lines in one INSERT (no ORM objects: nothing reads them back here).
        insert_rows(session, ReceiptLine.__table__, rows)
        if source_file is not None:
            session.add(Attachment(entity="receipt", entity_key=number,
                                   filename=filename or f"{note_no}", sha256=sha,
                                   content=source_file, uploaded_by=user.username,
                                   uploaded_at=clock.now()))
            session.flush()
        audit(session, actor, "receipt.start", "receipt", number, po=po_number, note=note_no,
              lines=len(cleaned), file=filename, sha256=sha)
        return number

    try:
        with bulk_work():
            return db.write(work)
    except IntegrityError:
        # A concurrent start of the same note won the race: name its GRN.
        with db.read() as session:
            supplier_id = session.scalar(select(PurchaseOrder.supplier_id)
                                         .where(PurchaseOrder.number == po_number))
            _refuse_duplicate(session, supplier_id, note_no, sha)
        raise


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
    """Items by SKU (one query); lines without a SKU matched by name (+ spec) among
    the PO's items when that match is unique."""
    skus = {line["sku"] for line in cleaned if line["sku"]}
    items: dict = {}
    if skus:
        for item in session.execute(select(*_ITEM_COLUMNS).where(Item.sku.in_(skus))):
            items[item.sku] = item
    if any(not line["sku"] for line in cleaned) and po_item_ids:
        by_name: dict = defaultdict(list)
        for item in session.execute(select(*_ITEM_COLUMNS).where(Item.id.in_(po_item_ids))):
            for name in {item.name, item.name_zh} - {""}:
                by_name[("name", name, item.spec)].append(item)
                by_name[("name", name, "")].append(item)
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


# --- evaluation -----------------------------------------------------------------------
@dataclass
class _State:
    receipt: Receipt
    order: PurchaseOrder
    lines: list[ReceiptLine]
    items: dict[int, Item]
    po_lines: dict[int, PurchaseOrderLine]
    approvals: dict[int, dict[str, str]]
    inputs: list[rules.LineInput]
    results: list[rules.LineResult]


def _state(session, receipt: Receipt, order: PurchaseOrder | None = None, *,
           items: dict[int, Item] | None = None, lines: list | None = None,
           po_lines: list | None = None,
           approvals: dict[int, dict[str, str]] | None = None) -> _State:
    """The receipt evaluated by the rules. ``lines``, ``po_lines``, ``items`` and
    ``approvals`` may be passed in already loaded (posting reads them as rows)."""
    order = order or session.get(PurchaseOrder, receipt.order_id)
    lines = list(receipt.lines) if lines is None else lines
    item_ids = {line.item_id for line in lines if line.item_id}
    if items is None:
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(item_ids)))} \
            if item_ids else {}
    po_lines = {line.id: line for line in (order.lines if po_lines is None else po_lines)}
    if approvals is None:
        approvals = defaultdict(dict)
        line_ids = [line.id for line in lines]
        if line_ids:
            for approval in session.scalars(
                    select(ReceiptApproval)
                    .where(ReceiptApproval.receipt_line_id.in_(line_ids))):
                approvals[approval.receipt_line_id][approval.flag] = approval.approved_by
    closed = order.status in ("closed", "cancelled")
    outstanding = {pid: ZERO if closed else line.qty_ordered - line.qty_received
                   for pid, line in po_lines.items()}
    inputs = []
    for line in lines:
        item = items.get(line.item_id)
        po_line = po_lines.get(line.po_line_id)
        inputs.append(rules.LineInput(
            line_no=line.line_no, note_qty=line.note_qty,
            item=rules.ItemRules(item.tracks_expiry, item.min_shelf_life_days,
                                 item.is_assembly, item.full_inspection) if item else None,
            po_line_key=line.po_line_id, po_price=po_line.unit_price if po_line else None,
            note_price=line.note_unit_price, counted_qty=line.counted_qty,
            damaged_qty=line.damaged_qty or ZERO, lot_no=line.lot_no or "",
            expiry_date=line.expiry_date, certificate=line.certificate or "",
            approved=frozenset(approvals.get(line.id, {})), other_po=bool(line.po_reference)))
    results = rules.evaluate(inputs, outstanding, clock.today())
    return _State(receipt, order, lines, items, po_lines, approvals, inputs, results)


def _line_view(state: _State, index: int, codes: dict[int, str],
               lots: dict[int, Lot]) -> ReceiptLineView:
    line = state.lines[index]
    item = state.items.get(line.item_id)
    posted = state.receipt.status == "posted"
    result = state.results[index]
    approvals = dict(state.approvals.get(line.id, {}))
    lot = lots.get(line.lot_id) if line.lot_id else None
    if posted:
        flags = frozenset(line.flags or [])
        accepted, rejected = line.accepted_qty, line.rejected_qty
        reasons = {k: Decimal(v) for k, v in (line.rejected_reasons or {}).items()}
        blocking: tuple = ()
    elif state.receipt.status == "cancelled":
        flags, accepted, rejected, reasons, blocking = frozenset(), None, None, {}, ()
    else:
        flags = frozenset(result.flags)
        counted = line.counted_qty is not None
        accepted = result.accepted_qty if counted else None
        rejected = result.rejected_qty if counted else None
        reasons = dict(result.rejected_reasons)
        blocking = tuple(result.blocking)
    return ReceiptLineView(
        line_no=line.line_no, sheet_row=line.sheet_row, sku=line.sku,
        name=line.name or (item.name if item else ""), spec=line.spec,
        unit=item.unit if item else "", known_item=item is not None,
        note_qty=line.note_qty, note_unit_price=line.note_unit_price,
        note_amount=line.note_amount, unit_price=line.unit_price,
        counted_qty=line.counted_qty, damaged_qty=line.damaged_qty or ZERO,
        accepted_qty=accepted, rejected_qty=rejected, rejected_reasons=reasons, flags=flags,
        blocking=blocking, needs_approval=frozenset(f for f in flags if f in rules.APPROVAL_ROLES),
        approved=frozenset(approvals), approvals=approvals, lot_no=line.lot_no or "",
        expiry_date=line.expiry_date, location=codes.get(line.location_id),
        certificate=line.certificate or "", po_reference=line.po_reference or "",
        full_inspection=bool(item and item.full_inspection),
        outstanding=result.outstanding_before,
        stored_location=codes.get(lot.location_id) if lot else None,
        lot_status=lot.status if lot else None,
        quarantine_qty=lot.qty_on_hand if lot is not None and lot.status == "quarantine" else ZERO,
        qc_passed_qty=line.qc_passed_qty or ZERO, qc_failed_qty=line.qc_failed_qty or ZERO)


def _view(session, receipt: Receipt, state: _State | None = None,
          posted: "_Posted | None" = None) -> ReceiptView:
    """The receipt as get_receipt() shows it; ``posted`` is what posting has just
    written (lots, location codes, returns, discrepancies), so it is not read back."""
    state = state or _state(session, receipt)
    supplier = session.get(Supplier, receipt.supplier_id)
    if posted is not None:
        lots, codes = posted.lots, posted.codes
        returns, discrepancies = posted.returns, posted.discrepancies
    else:
        location_ids = {line.location_id for line in state.lines if line.location_id}
        lot_ids = {line.lot_id for line in state.lines if line.lot_id}
        lots = {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_(lot_ids)))} \
            if lot_ids else {}
        location_ids |= {lot.location_id for lot in lots.values()}
        codes = dict(session.execute(select(Location.id, Location.code)
                                     .where(Location.id.in_(location_ids))).all()) \
            if location_ids else {}
        returns = tuple(session.scalars(select(SupplierReturn.number)
                                        .where(SupplierReturn.receipt_id == receipt.id)
                                        .order_by(SupplierReturn.id)))
        discrepancies = [
            {"line_no": d.line_no, "sku": d.sku, "flag": d.flag, "qty": d.qty,
             "outcome": d.outcome, "approved_by": d.approved_by or ""}
            for d in session.scalars(select(ReceiptDiscrepancy)
                                     .where(ReceiptDiscrepancy.receipt_id == receipt.id)
                                     .order_by(ReceiptDiscrepancy.id))]
    return ReceiptView(
        number=receipt.number, status=receipt.status, po_number=state.order.number,
        supplier=supplier.code, supplier_name=supplier.name,
        delivery_note_no=receipt.delivery_note_no, source_filename=receipt.source_filename,
        arrived_at=receipt.arrived_at, started_by=receipt.started_by,
        started_at=receipt.started_at, posted_at=receipt.posted_at,
        received_by=receipt.received_by, checked_by=receipt.checked_by,
        return_numbers=returns,
        lines=[_line_view(state, i, codes, lots) for i in range(len(state.lines))],
        discrepancies=discrepancies)


def get_receipt(db: Database, number) -> ReceiptView:
    with db.read() as session:
        receipt = session.scalar(select(Receipt).where(Receipt.number == number))
        if receipt is None:
            raise NotFound(what="receipt", key=number)
        return _view(session, receipt)


def _locked_receipt(session, number: str) -> Receipt:
    receipt = session.scalar(select(Receipt).where(Receipt.number == number)
                             .with_for_update().execution_options(populate_existing=True))
    if receipt is None:
        raise NotFound(what="receipt", key=number)
    return receipt


def _open_receipt(session, number: str) -> Receipt:
    receipt = _locked_receipt(session, number)
    if receipt.status != "open":
        raise InvalidState(state=receipt.status, number=number)
    return receipt


# --- counting -------------------------------------------------------------------------
_KEEP = object()


def _count_values(values: Mapping[str, Any], row: int) -> dict:
    counted = to_decimal(values.get("counted_qty"), "counted_qty", places=QTY_PLACES, row=row,
                         maximum=MAX_LINE_QTY)
    damaged_raw = values.get("damaged_qty")
    damaged = ZERO if damaged_raw in (None, "") else to_decimal(
        damaged_raw, "damaged_qty", places=QTY_PLACES, row=row, maximum=MAX_LINE_QTY)
    if damaged > counted:
        raise ValidationError("damaged_exceeds_counted", field="damaged_qty", row=row,
                              damaged=str(damaged), counted=str(counted))
    cleaned = {"counted_qty": counted, "damaged_qty": damaged}
    for key, size in (("lot_no", 60), ("certificate", 100)):
        value = values.get(key)
        cleaned[key] = _KEEP if value is None else clean_text(value, key, max_len=size, row=row)
    expiry = values.get("expiry_date")
    cleaned["expiry_date"] = _KEEP if expiry is None else _clean_date(expiry, "expiry_date", row)
    location = values.get("location")
    cleaned["location"] = _KEEP if location in (None, "") else clean_text(
        location, "location", max_len=40, row=row).upper()
    return cleaned


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


# --- posting -------------------------------------------------------------------------
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


@dataclass(frozen=True)
class _PostedLot:
    location_id: int
    status: str
    qty_on_hand: Decimal


@dataclass
class _Posted:
    """What posting wrote, for the view it returns."""

    lots: dict[int, _PostedLot]
    codes: dict[int, str]
    returns: tuple
    discrepancies: list[dict]
    received: dict[int, Decimal]      # PO line id -> its received qty now


def _post(db: Database, session, state: _State, user: User, checker: User) -> _Posted:
    rec, order = state.receipt, state.order
    now = clock.now()
    # Where each accepted line goes.
    wanted = {line.location_id or (state.items[line.item_id].default_location_id
                                   if line.item_id in state.items else None)
              for line in state.lines}
    # The bins as plain rows (every column, so the statement and its order are
    # the same as loading the Location objects).
    table = Location.__table__
    locations = {loc.id: loc for loc in session.execute(
        select(table).where(table.c.id.in_({i for i in wanted if i})))}
    first_bin = next(iter(locations.values()), None)
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
    rejected_any = any(r.rejected_qty > 0 for r in state.results)
    hold = _pick_location(session, "hold", first_bin) if rejected_any else None
    if rejected_any and hold is None:
        raise ValidationError("no_hold_location", field="location")

    # Stock: lock the items in id order, then write the lots (one INSERT) and the
    # ledger in bulk.
    db.lock_items(session, [state.lines[i].item_id for i, r in enumerate(state.results)
                            if r.accepted_qty > 0])
    writer = LedgerWriter(session, "GRN", rec.number, user.id, at=now)
    for loc in [*locations.values(), quarantine]:
        if loc is not None:
            writer.know_location(loc)
    accepted = [(line, result) for line, result in zip(state.lines, state.results)
                if result.accepted_qty > 0]
    note = f"{order.number} / {rec.delivery_note_no}"
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

    # The lines' results, the PO lines' received quantities and the discrepancies:
    # one statement each, by primary key.
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
        for row in rules.discrepancy_rows(inp, result):
            discrepancies.append({
                "receipt_id": rec.id, "line_no": line.line_no, "sku": line.sku,
                "flag": row["flag"], "qty": row["qty"], "outcome": row["outcome"],
                "approved_by": approvals.get(row["flag"]),
                "details": {"note_qty": str(line.note_qty), "counted_qty": str(line.counted_qty),
                            "damaged_qty": str(line.damaged_qty),
                            "note_unit_price": str(line.note_unit_price or ""),
                            "po_unit_price": str(line.unit_price or ""),
                            "expiry_date": str(line.expiry_date or ""),
                            "po_reference": line.po_reference or ""}})
    update_rows(session, ReceiptLine.__table__, line_rows)
    update_rows(session, PurchaseOrderLine.__table__,
                [{"id": key, "qty_received": qty} for key, qty in sorted(received.items())])
    insert_rows(session, ReceiptDiscrepancy.__table__, discrepancies)
    order.status = rules.po_status(
        ((line.qty_ordered, received.get(line.id, line.qty_received))
         for line in state.po_lines.values()), order.status)

    return_number = None
    if rejected_any:
        return_number = _rejection_return(session, state, hold, user, now)
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


def _rejection_return(session, state: _State, hold: Location, user: User, now) -> str:
    rec = state.receipt
    number = next_number(session, "RTS", now)
    table = SupplierReturn.__table__
    return_id = session.execute(insert(table).returning(table.c.id), {
        "number": number, "supplier_id": rec.supplier_id, "receipt_id": rec.id,
        "order_id": rec.order_id, "hold_location_id": hold.id, "source": "receiving",
        "status": "open", "created_by": user.username, "created_at": now,
        "confirmed_by": None, "confirmed_at": None, "note": ""}).scalar_one()
    lines = []
    for line, result in zip(state.lines, state.results):
        price = line.unit_price if line.unit_price is not None else (line.note_unit_price or ZERO)
        for reason in rules.REJECT_REASONS:
            qty = result.rejected_reasons.get(reason, ZERO)
            if qty > 0:
                lines.append({
                    "return_id": return_id, "receipt_line_no": line.line_no,
                    "sku": line.sku or "-", "item_id": line.item_id, "name": line.name,
                    "qty": qty, "unit_price": price, "amount": qty * price, "reason": reason,
                    "lot_no": line.lot_no or "", "lot_id": None})
    if lines:
        session.execute(insert(SupplierReturnLine.__table__), lines)
    audit(session, user.username, "supplier_return.create", "supplier_return", number,
          receipt=rec.number, hold=hold.code, lines=len(lines))
    return number


# --- QC release ------------------------------------------------------------------------------
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
        rec = session.scalar(select(Receipt).where(Receipt.number == receipt))
        if rec is None:
            raise NotFound(what="receipt", key=receipt)
        if rec.status != "posted":
            raise InvalidState(state=rec.status, number=receipt)
        line = session.scalar(select(ReceiptLine).where(ReceiptLine.receipt_id == rec.id,
                                                        ReceiptLine.line_no == line_no))
        if line is None or line.lot_id is None:
            raise NotFound(what="receipt_line", key=f"{receipt} #{line_no}")
        db.lock_items(session, [line.item_id])
        lot = session.scalar(select(Lot).where(Lot.id == line.lot_id).with_for_update()
                             .execution_options(populate_existing=True))
        if lot.status != "quarantine" or passed + failed > lot.qty_on_hand:
            raise ValidationError("qc_exceeds_quarantine", field="passed_qty", row=line_no,
                                  available=str(lot.qty_on_hand if lot.status == "quarantine"
                                                else ZERO))
        writer = LedgerWriter(session, "QC", rec.number, user.id)
        here = session.get(Location, lot.location_id)
        return_number = None
        if passed > 0:
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
                raise ValidationError("location_required", field="location", row=line_no)
            writer.move(lot, passed, target.id, status="available", out_type=QC_OUT,
                        in_type=QC_IN, note="qc passed")
        if failed > 0:
            hold = _pick_location(session, "hold", here)
            if hold is None:
                raise ValidationError("no_hold_location", field="location")
            held = writer.move(lot, failed, hold.id, status="hold", out_type=REJECT_OUT,
                               in_type=REJECT_IN, note="qc failed")
            writer.flush()
            return_number = next_number(session, "RTS")
            doc = SupplierReturn(number=return_number, supplier_id=rec.supplier_id,
                                 receipt_id=rec.id, order_id=rec.order_id,
                                 hold_location_id=hold.id, source="qc", status="open",
                                 created_by=user.username, created_at=clock.now())
            doc.lines.append(SupplierReturnLine(
                receipt_line_no=line.line_no, sku=line.sku, item_id=line.item_id,
                name=line.name, qty=failed, unit_price=lot.unit_cost,
                amount=failed * lot.unit_cost, reason=rules.R_QC_FAILED, lot_no=lot.lot_no,
                lot_id=held.id))
            session.add(doc)
        writer.flush()
        line.qc_passed_qty = (line.qc_passed_qty or ZERO) + passed
        line.qc_failed_qty = (line.qc_failed_qty or ZERO) + failed
        audit(session, actor, "receipt.qc_release", "receipt", receipt, line_no=line_no,
              passed=passed, failed=failed, return_number=return_number)
        return {"passed": passed, "failed": failed, "return_number": return_number}

    return db.write(work)


def quarantine_lines(db: Database) -> list[dict]:
    """Posted lines with stock still in quarantine, oldest first."""
    with db.read() as session:
        rows = session.execute(
            select(Receipt.number, ReceiptLine.line_no, ReceiptLine.sku, ReceiptLine.name,
                   Lot.lot_no, Lot.qty_on_hand, Location.code, Receipt.posted_at,
                   ReceiptLine.location_id, Supplier.name)
            .join(ReceiptLine, ReceiptLine.receipt_id == Receipt.id)
            .join(Lot, Lot.id == ReceiptLine.lot_id)
            .join(Location, Location.id == Lot.location_id)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .where(Lot.status == "quarantine", Lot.qty_on_hand > 0)
            .order_by(Receipt.posted_at, Receipt.number, ReceiptLine.line_no)).all()
        bin_ids = {r[8] for r in rows if r[8]}
        codes = dict(session.execute(select(Location.id, Location.code)
                                     .where(Location.id.in_(bin_ids))).all()) if bin_ids else {}
        return [{"receipt": r[0], "line_no": r[1], "sku": r[2], "name": r[3], "lot_no": r[4],
                 "qty": r[5], "location": r[6], "posted_at": r[7],
                 "target_bin": codes.get(r[8], ""), "supplier": r[9]} for r in rows]


# --- returns to supplier ---------------------------------------------------------------------
@dataclass(frozen=True)
class SupplierReturnView:
    number: str
    status: str
    source: str
    supplier: str
    supplier_name: str
    receipt: str
    po_number: str
    hold_location: str
    created_by: str
    created_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    lines: list[dict]

    @property
    def total(self) -> Decimal:
        return sum((line["amount"] for line in self.lines), ZERO)


def get_supplier_return(db: Database, number) -> SupplierReturnView:
    with db.read() as session:
        doc = session.scalar(select(SupplierReturn).where(SupplierReturn.number == number))
        if doc is None:
            raise NotFound(what="supplier_return", key=number)
        return _return_view(session, doc)


def _return_view(session, doc: SupplierReturn) -> SupplierReturnView:
    supplier = session.get(Supplier, doc.supplier_id)
    return SupplierReturnView(
        number=doc.number, status=doc.status, source=doc.source, supplier=supplier.code,
        supplier_name=supplier.name,
        receipt=session.scalar(select(Receipt.number).where(Receipt.id == doc.receipt_id)),
        po_number=session.scalar(select(PurchaseOrder.number)
                                 .where(PurchaseOrder.id == doc.order_id)),
        hold_location=session.get(Location, doc.hold_location_id).code,
        created_by=doc.created_by, created_at=doc.created_at, confirmed_by=doc.confirmed_by,
        confirmed_at=doc.confirmed_at,
        lines=[{"receipt_line_no": line.receipt_line_no, "sku": line.sku, "name": line.name,
                "qty": line.qty, "unit_price": line.unit_price, "amount": line.amount,
                "reason": line.reason, "lot_no": line.lot_no, "in_stock": line.lot_id is not None}
               for line in doc.lines])


def list_supplier_returns(db: Database, *, status=None, receipt=None) -> list[dict]:
    with db.read() as session:
        query = (select(SupplierReturn, Supplier.code, Receipt.number)
                 .join(Supplier, Supplier.id == SupplierReturn.supplier_id)
                 .join(Receipt, Receipt.id == SupplierReturn.receipt_id)
                 .order_by(SupplierReturn.id.desc()).limit(500))
        if status:
            query = query.where(SupplierReturn.status == status)
        if receipt:
            query = query.where(Receipt.number == receipt)
        result = []
        for doc, supplier, grn in session.execute(query):
            result.append({"number": doc.number, "status": doc.status, "source": doc.source,
                           "supplier": supplier, "receipt": grn,
                           "lines": len(doc.lines),
                           "qty": sum((line.qty for line in doc.lines), ZERO),
                           "created_at": doc.created_at})
        return result


def confirm_supplier_return(db: Database, *, actor, number) -> None:
    """The goods left for the supplier: held stock (QC failures) is taken out of the
    books; door rejections were never booked. Confirming twice changes nothing."""
    def work(session):
        user = require_role(session, actor, *RETURN_ROLES)
        doc = session.scalar(select(SupplierReturn).where(SupplierReturn.number == number)
                             .with_for_update().execution_options(populate_existing=True))
        if doc is None:
            raise NotFound(what="supplier_return", key=number)
        if doc.status == "confirmed":
            return
        in_stock = [line for line in doc.lines if line.lot_id is not None]
        if in_stock:
            db.lock_items(session, [line.item_id for line in in_stock])
            lots = {lot.id: lot for lot in session.scalars(
                select(Lot).where(Lot.id.in_([line.lot_id for line in in_stock]))
                .order_by(Lot.id).with_for_update().execution_options(populate_existing=True))}
            writer = LedgerWriter(session, "RTS", doc.number, user.id)
            for line in in_stock:
                lot = lots[line.lot_id]
                if lot.qty_on_hand < line.qty:
                    raise InvalidState("return_stock_moved", sku=line.sku, number=number)
                writer.take(lot, line.qty, SUPPLIER_RETURN, note=f"return {doc.number}")
            writer.flush()
        doc.status = "confirmed"
        doc.confirmed_by = user.username
        doc.confirmed_at = clock.now()
        audit(session, actor, "supplier_return.confirm", "supplier_return", number)

    db.write(work)


# --- lists and timeliness -----------------------------------------------------------------------
def list_receipts(db: Database, *, search=None, status=None, supplier=None, po_number=None,
                  limit=500) -> list[dict]:
    """GRN summaries, newest first; search matches GRN, note no., PO and supplier."""
    with db.read() as session:
        line_count = (select(ReceiptLine.receipt_id, func.count().label("n"))
                      .group_by(ReceiptLine.receipt_id).subquery())
        query = (select(Receipt, PurchaseOrder.number, Supplier.code, Supplier.name,
                        func.coalesce(line_count.c.n, 0))
                 .join(PurchaseOrder, PurchaseOrder.id == Receipt.order_id)
                 .join(Supplier, Supplier.id == Receipt.supplier_id)
                 .outerjoin(line_count, line_count.c.receipt_id == Receipt.id)
                 .order_by(Receipt.id.desc()).limit(limit))
        if status:
            query = query.where(Receipt.status == status)
        if supplier:
            query = query.where(Supplier.code == supplier)
        if po_number:
            query = query.where(PurchaseOrder.number == po_number)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(Receipt.number.ilike(pattern),
                                    Receipt.delivery_note_no.ilike(pattern),
                                    PurchaseOrder.number.ilike(pattern),
                                    Supplier.name.ilike(pattern), Supplier.code.ilike(pattern)))
        now_local = clock.to_local(clock.now())
        result = []
        for rec, po, code, name, lines in session.execute(query):
            result.append({
                "number": rec.number, "status": rec.status, "po_number": po, "supplier": code,
                "supplier_name": name, "delivery_note_no": rec.delivery_note_no,
                "lines": lines, "arrived_at": rec.arrived_at, "posted_at": rec.posted_at,
                "started_by": rec.started_by, "received_by": rec.received_by or "",
                "checked_by": rec.checked_by or "", "return_number": rec.return_number or "",
                "paperwork_overdue": rec.status == "open" and rules.paperwork_overdue(
                    clock.to_local(rec.arrived_at), now_local),
                "check_too_slow": rec.posted_at is not None
                and rules.check_too_slow(rec.arrived_at, rec.posted_at),
            })
        return result


def timeliness_alerts(db: Database, *, days: int = 30) -> dict[str, list[dict]]:
    """Deliveries still open after one working day, and recent deliveries whose
    check (arrival to posting) took more than one hour."""
    since = clock.now() - timedelta(days=days)
    with db.read() as session:
        rows = session.execute(
            select(Receipt.number, Receipt.status, Receipt.delivery_note_no, Receipt.arrived_at,
                   Receipt.posted_at, Supplier.name)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .where(or_(Receipt.status == "open",
                       (Receipt.status == "posted") & (Receipt.posted_at >= since)))
            .order_by(Receipt.arrived_at)).all()
    now_local = clock.to_local(clock.now())
    open_overdue, slow = [], []
    for number, status, note_no, arrived, posted, supplier in rows:
        entry = {"number": number, "delivery_note_no": note_no, "supplier": supplier,
                 "arrived_at": arrived, "posted_at": posted}
        if status == "open" and rules.paperwork_overdue(clock.to_local(arrived), now_local):
            entry["hours_open"] = (clock.now() - arrived).total_seconds() // 3600
            open_overdue.append(entry)
        elif status == "posted" and rules.check_too_slow(arrived, posted):
            entry["minutes"] = int((posted - arrived).total_seconds() // 60)
            slow.append(entry)
    return {"open_overdue": open_overdue, "slow_checks": slow}
