"""Returns to the supplier (退货): rejected goods leave the store."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select

from db import Database
from db.models import (
    Location,
    Lot,
    PurchaseOrder,
    Receipt,
    Supplier,
    SupplierReturn,
    SupplierReturnLine,
    User,
)
from domain import receiving as rules
from services import clock
from services.common import audit, next_number, require_role
from services.errors import InvalidState, NotFound
from services.ledger import SUPPLIER_RETURN, LedgerWriter

from services.receiving.common import RETURN_ROLES, ZERO
from services.receiving.views import _State


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
