"""What the receiving pages show: a receipt with its lines, flags and signatures; lists and alerts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select

from db import Database
from db.models import (
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
)
from domain import receiving as rules
from domain.calendar import WorkCalendar
from domain.units import line_value
from services import clock
from services.calendar import work_calendar
from services.errors import NotFound

from services.receiving.common import ZERO, _Posted
from services.receiving_units import (
    is_unit_known,
    note_price_comparable,
    po_price_for,
    resolve_waiting_units,
)


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
    # Units: ``unit`` is the unit the sheet's quantity was in (its code; the stock unit
    # when the sheet gave none), ``note_qty_in_unit`` that quantity, ``unit_factor``
    # stock units per ``unit`` (kept once posted); the other quantities are in
    # ``stock_unit``. ``unit_text``: the unit as the sheet wrote it.
    stock_unit: str = ""
    unit_text: str = ""
    unit_factor: Decimal | None = None
    note_qty_in_unit: Decimal | None = None
    remark: str = ""                           # 备注 printed on the sheet
    name_zh: str = ""                          # the catalogue's Chinese name (zh screens)
    # What the accepted goods are booked at: n packs × the pack price exactly for a line
    # bought by the pack (accepted × unit_price would lose the rounding residue).
    amount: Decimal | None = None


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
    delivery_date: date | None = None          # printed on the supplier's sheet
    mismatch_reason: str = ""                  # why a non-matching sheet was received
    calendar: WorkCalendar | None = None       # working days, for the paperwork deadline

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
            clock.to_local(self.arrived_at), clock.to_local(clock.now()), self.calendar)


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
    if receipt.status == "open":
        resolve_waiting_units(session, receipt, lines)   # master data may define them now
    inputs = []
    for line in lines:
        item = items.get(line.item_id)
        po_line = po_lines.get(line.po_line_id)
        inputs.append(rules.LineInput(
            line_no=line.line_no, note_qty=line.note_qty,
            item=rules.ItemRules(item.tracks_expiry, item.min_shelf_life_days,
                                 item.is_assembly, item.full_inspection) if item else None,
            po_line_key=line.po_line_id, po_price=po_price_for(line, po_line),
            note_price=note_price_comparable(line, po_line), unit_known=is_unit_known(line),
            counted_qty=line.counted_qty,
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
        name_zh=(item.name_zh or "") if item else "",
        unit=(line.unit or line.unit_text) if line.unit_text else (item.unit if item else ""),
        known_item=item is not None,
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
        qc_passed_qty=line.qc_passed_qty or ZERO, qc_failed_qty=line.qc_failed_qty or ZERO,
        stock_unit=item.unit if item else "", unit_text=line.unit_text or "",
        unit_factor=line.unit_factor, note_qty_in_unit=line.note_qty_in_unit,
        remark=line.remark or "",
        amount=_booked_amount(accepted, line, state.po_lines.get(line.po_line_id)))


def _booked_amount(accepted: Decimal | None, line: ReceiptLine,
                   po_line: PurchaseOrderLine | None) -> Decimal | None:
    if accepted is None:
        return None
    if po_line is not None and po_line.unit_pack_price is not None and po_line.unit_factor:
        return line_value(accepted, po_line.unit_pack_price, po_line.unit_factor)
    return accepted * line.unit_price if line.unit_price is not None else None


def _view(session, receipt: Receipt, state: _State | None = None,
          posted: "_Posted | None" = None) -> ReceiptView:
    """The receipt as get_receipt() shows it; ``posted`` is what posting has just
    written (lots, location codes, returns, discrepancies), so it is not read back."""
    state = state or _state(session, receipt)
    supplier = session.get(Supplier, receipt.supplier_id)
    calendar = work_calendar(session) if receipt.status == "open" else None
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
        discrepancies=discrepancies, delivery_date=receipt.delivery_date,
        mismatch_reason=receipt.mismatch_reason or "", calendar=calendar)


def get_receipt(db: Database, number) -> ReceiptView:
    with db.read() as session:
        receipt = session.scalar(select(Receipt).where(Receipt.number == number))
        if receipt is None:
            raise NotFound(what="receipt", key=number)
        return _view(session, receipt)


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
        calendar = work_calendar(session)
        result = []
        for rec, po, code, name, lines in session.execute(query):
            result.append({
                "number": rec.number, "status": rec.status, "po_number": po, "supplier": code,
                "supplier_name": name, "delivery_note_no": rec.delivery_note_no,
                "lines": lines, "arrived_at": rec.arrived_at, "posted_at": rec.posted_at,
                "started_by": rec.started_by, "received_by": rec.received_by or "",
                "checked_by": rec.checked_by or "", "return_number": rec.return_number or "",
                "paperwork_overdue": rec.status == "open" and rules.paperwork_overdue(
                    clock.to_local(rec.arrived_at), now_local, calendar),
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
        calendar = work_calendar(session)
    now_local = clock.to_local(clock.now())
    open_overdue, slow = [], []
    for number, status, note_no, arrived, posted, supplier in rows:
        entry = {"number": number, "delivery_note_no": note_no, "supplier": supplier,
                 "arrived_at": arrived, "posted_at": posted}
        if status == "open" and rules.paperwork_overdue(clock.to_local(arrived), now_local,
                                                        calendar):
            entry["hours_open"] = (clock.now() - arrived).total_seconds() // 3600
            open_overdue.append(entry)
        elif status == "posted" and rules.check_too_slow(arrived, posted):
            entry["minutes"] = int((posted - arrived).total_seconds() // 60)
            slow.append(entry)
    return {"open_overdue": open_overdue, "slow_checks": slow}
