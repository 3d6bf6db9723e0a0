"""Purchase orders (采购订单): create, import, approve, cancel, close, view."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import func, or_, select

from db import Database
from db.models import Item, PurchaseOrder, PurchaseOrderLine, Receipt, Supplier
from domain.receiving import po_status
from domain.units import BadQuantity, to_stock_qty
from services import clock
from services.common import (
    PRICE_PLACES,
    QTY_PLACES,
    audit,
    clean_code,
    clean_text,
    get_or_404,
    next_number,
    require_role,
    to_decimal,
)
from services.delivery_sheet import PO_IMPORT_COLUMNS, clean_date, read_records, to_text
from services.errors import Duplicate, InvalidState, NotFound, PermissionDenied, ValidationError
from services.units import factors_in, unit_book_in, unit_of_line

CREATE_ROLES = ("purchasing",)
APPROVE_ROLES = ("purchasing", "manager")
OPEN_STATUSES = ("approved", "partially_received")
RECEIVABLE_STATUSES = ("approved", "partially_received", "received")
MAX_PRICE = Decimal("100000000")
MAX_LINES = 2000
# A unit column (单位) makes the line's quantity and price per that pack unit.
PO_IMPORT_WITH_UNIT = {**PO_IMPORT_COLUMNS, "unit": ("单位", "计量单位", "unit", "uom")}


@dataclass(frozen=True)
class POLineView:
    line_no: int
    sku: str
    name: str
    spec: str
    unit: str
    ordered: Decimal
    received: Decimal
    outstanding: Decimal
    unit_price: Decimal
    # Ordered in a pack unit (None: the stock unit ``unit``): price per pack, the
    # factor, and the quantities above counted in packs.
    order_unit: str | None = None
    unit_factor: Decimal | None = None
    ordered_in_unit: Decimal | None = None
    unit_pack_price: Decimal | None = None

    @property
    def amount(self) -> Decimal:
        if self.order_unit is not None:
            return self.ordered_in_unit * self.unit_pack_price
        return self.ordered * self.unit_price

    @property
    def received_in_unit(self) -> Decimal | None:
        return None if self.unit_factor is None else self.received / self.unit_factor

    @property
    def outstanding_in_unit(self) -> Decimal | None:
        return None if self.unit_factor is None else self.outstanding / self.unit_factor


@dataclass(frozen=True)
class POView:
    number: str
    supplier: str
    supplier_name: str
    status: str
    due_date: date | None
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    note: str
    lines: list[POLineView] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)

    @property
    def ordered(self) -> Decimal:
        return sum((line.ordered for line in self.lines), Decimal(0))

    @property
    def received(self) -> Decimal:
        return sum((line.received for line in self.lines), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return sum((line.outstanding for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_date, self.outstanding)


def is_overdue(status: str, due_date: date | None, outstanding: Decimal) -> bool:
    return (status in OPEN_STATUSES and due_date is not None and due_date < clock.today()
            and outstanding > 0)


# --- input cleaning -----------------------------------------------------------
def _clean_due(value: Any, row: int | None = None) -> date | None:
    return clean_date(value, "po_due_date", row)


def _clean_lines(lines: Iterable[Mapping[str, Any]], rows: list[int] | None = None) -> list[dict]:
    cleaned = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(lines or []):
        row = rows[index] if rows else index + 1
        if not isinstance(raw, Mapping):
            raise ValidationError("invalid", field="lines", row=row)
        sku = clean_text(raw.get("sku"), "sku", max_len=40, required=True, row=row).upper()
        qty = to_decimal(raw.get("qty"), "qty", places=QTY_PLACES, positive=True, row=row)
        price = to_decimal(raw.get("unit_price"), "unit_price", places=PRICE_PLACES, row=row,
                           maximum=MAX_PRICE)
        if sku in seen:
            raise ValidationError("duplicate_line", field="sku", sku=sku, row=row,
                                  first_row=seen[sku])
        seen[sku] = row
        unit = clean_text(raw.get("unit"), "unit", max_len=20, row=row)
        cleaned.append({"sku": sku, "qty": qty, "unit_price": price, "row": row, "unit": unit})
    if not cleaned:
        raise ValidationError("required", field="lines")
    if len(cleaned) > MAX_LINES:
        raise ValidationError("too_many_lines", field="lines", max=MAX_LINES)
    return cleaned


def _add_order(session, actor: str, supplier_code: str, lines: list[dict], number: str | None,
               due: date | None, note: str) -> str:
    supplier = session.scalar(select(Supplier).where(Supplier.code == supplier_code))
    if supplier is None or not supplier.active:
        raise NotFound(what="supplier", key=supplier_code)
    items = {i.sku: i for i in session.scalars(
        select(Item).where(Item.sku.in_([line["sku"] for line in lines])))}
    for line in lines:
        item = items.get(line["sku"])
        if item is None or not item.active:
            raise ValidationError("unknown_sku", field="sku", sku=line["sku"], row=line["row"])
    if number:
        if session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == number)):
            raise Duplicate(field="po_number", value=number)
    else:
        number = next_number(session, "PO")
    order = PurchaseOrder(number=number, supplier_id=supplier.id, status="draft", due_date=due,
                          note=note, created_by=actor, created_at=clock.now())
    order.lines = [
        PurchaseOrderLine(line_no=n, item_id=items[line["sku"]].id, qty_received=Decimal(0),
                          **in_stock_unit)
        for n, (line, in_stock_unit) in enumerate(
            zip(lines, _lines_in_stock_unit(session, lines, items, supplier.id)), start=1)
    ]
    session.add(order)
    audit(session, actor, "po.create", "purchase_order", number, supplier=supplier_code,
          lines=len(lines), total=sum((line["qty"] * line["unit_price"] for line in lines),
                                      Decimal(0)))
    return number


def _lines_in_stock_unit(session, lines: list[dict], items: dict, supplier_id: int
                         ) -> list[dict]:
    """PO line columns: quantities in the item's stock unit; a line ordered in a pack
    unit (5 箱 at 120.00) also keeps its pack quantity, price and factor."""
    book = unit_book_in(session)
    factors = factors_in(session, [i.id for i in items.values()], supplier_id)
    result = []
    for line in lines:
        item = items[line["sku"]]
        unit = unit_of_line(book, item.unit, factors[item.id], line["unit"])
        if not unit.known:
            raise ValidationError("unknown_unit", field="unit", unit=unit.text, sku=item.sku,
                                  row=line["row"])
        if unit.factor == 1:
            result.append({"qty_ordered": line["qty"], "unit_price": line["unit_price"]})
            continue
        try:
            qty = to_stock_qty(line["qty"], unit.factor)
        except BadQuantity:
            raise ValidationError("qty_not_in_stock_unit", field="qty", qty=str(line["qty"]),
                                  unit=unit.text, row=line["row"]) from None
        result.append({
            "qty_ordered": qty, "unit": unit.code or unit.text, "unit_factor": unit.factor,
            "unit_qty": line["qty"], "unit_pack_price": line["unit_price"],
            # per stock unit, for display and price checks; receipts cost the pack price
            "unit_price": (line["unit_price"] / unit.factor).quantize(
                Decimal(1).scaleb(-PRICE_PLACES), ROUND_HALF_UP),
        })
    return result


def create_purchase_order(db: Database, *, actor, supplier, lines, number=None, due_date=None,
                          note="") -> str:
    """A draft PO; lines: [{"sku", "qty", "unit_price"}]. Returns its number."""
    supplier_code = clean_text(supplier, "supplier", max_len=30, required=True).upper()
    number = clean_code(number, "po_number", max_len=40, required=False, upper=False) or None
    note = clean_text(note, "note", max_len=200)
    due = _clean_due(due_date)
    cleaned = _clean_lines(lines)

    def work(session):
        require_role(session, actor, *CREATE_ROLES)
        return _add_order(session, actor, supplier_code, cleaned, number, due, note)

    return db.write(work)


def import_purchase_orders(db: Database, *, actor, data: bytes, filename: str) -> list[str]:
    """Draft POs from an Excel/CSV sheet (supplier, PO no., SKU, qty, unit price, due
    date; zh or en headers). Rows with the same supplier and PO no. make one PO (no
    PO no.: one PO per supplier). All or nothing; errors name row and column."""
    records, sheet_errors, letters = read_records(
        data, filename, PO_IMPORT_WITH_UNIT, required=("sku", "qty"), one_of=("sku",))
    errors = [{"row": e.row, "code": e.message, "params": {**e.params, "column": e.column}}
              for e in sheet_errors if e.severity == "error"]
    groups: dict[tuple[str, str], dict] = {}
    for record in records:
        values, row = record.values, record.row
        try:
            supplier = clean_text(to_text(values.get("supplier")), "supplier", max_len=30,
                                  required=True, row=row).upper()
            number = clean_code(to_text(values.get("po_number")), "po_number", max_len=40,
                                required=False, upper=False, row=row)
            due = _clean_due(values.get("due_date"), row)
            qty = values.get("qty")
            price = values.get("unit_price")
            group = groups.setdefault((supplier, number), {"due": due, "lines": [], "rows": []})
            if due and group["due"] and due != group["due"]:
                raise ValidationError("due_date_differs", field="po_due_date", row=row)
            group["due"] = group["due"] or due
            group["lines"].append({
                "sku": to_text(values.get("sku")),
                "qty": _number_text(qty), "unit_price": _number_text(price),
                "unit": to_text(values.get("unit")),
            })
            group["rows"].append(row)
        except ValidationError as exc:
            errors.append({"row": row, "code": exc.code, "params": exc.params})
    cleaned_groups = []
    for (supplier, number), group in groups.items():
        try:
            cleaned_groups.append((supplier, number, group["due"],
                                   _clean_lines(group["lines"], group["rows"])))
        except ValidationError as exc:
            errors.append({"row": exc.params.get("row"), "code": exc.code, "params": exc.params})
    if errors:
        raise ValidationError("import_rows_invalid", field="file", count=len(errors),
                              errors=errors)
    if not cleaned_groups:
        raise ValidationError("import_empty", field="file")

    def work(session):
        require_role(session, actor, *CREATE_ROLES)
        return [_add_order(session, actor, supplier, lines, number or None, due, "")
                for supplier, number, due, lines in cleaned_groups]

    return db.write(work)


def _number_text(value: Any) -> Any:
    """Sheet numbers (openpyxl floats) as exact text for to_decimal."""
    if isinstance(value, float):
        return repr(value)
    return value if value is not None else ""


# --- state changes ---------------------------------------------------------------
def _locked_order(session, number: str) -> PurchaseOrder:
    order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == number)
                           .with_for_update())
    if order is None:
        raise NotFound(what="purchase_order", key=number)
    return order


def approve_purchase_order(db: Database, *, actor, number) -> None:
    """Purchasing or the manager signs a draft PO off; never its own creator."""
    def work(session):
        user = require_role(session, actor, *APPROVE_ROLES)
        order = _locked_order(session, number)
        if order.status != "draft":
            raise InvalidState(state=order.status, number=number)
        if order.created_by == user.username:
            raise PermissionDenied("own_po_approval", number=number)
        order.status = "approved"
        order.approved_by = user.username
        order.approved_at = clock.now()
        audit(session, actor, "po.approve", "purchase_order", number)

    db.write(work)


def cancel_purchase_order(db: Database, *, actor, number, reason="") -> None:
    """Cancel a PO nothing has been received against (else close it)."""
    reason = clean_text(reason, "reason", max_len=200)

    def work(session):
        require_role(session, actor, *APPROVE_ROLES)
        order = _locked_order(session, number)
        if order.status not in ("draft", "approved"):
            raise InvalidState(state=order.status, number=number)
        if _has_open_receipt(session, order.id):
            raise InvalidState("po_has_open_receipt", number=number)
        order.status = "cancelled"
        order.closed_by, order.closed_at = actor, clock.now()
        audit(session, actor, "po.cancel", "purchase_order", number, reason=reason)

    db.write(work)


def close_purchase_order(db: Database, *, actor, number, reason="") -> None:
    """Stop expecting the outstanding quantities of a (partly) received PO."""
    reason = clean_text(reason, "reason", max_len=200)

    def work(session):
        require_role(session, actor, *APPROVE_ROLES)
        order = _locked_order(session, number)
        if order.status not in ("approved", "partially_received", "received"):
            raise InvalidState(state=order.status, number=number)
        if _has_open_receipt(session, order.id):
            raise InvalidState("po_has_open_receipt", number=number)
        order.status = "closed"
        order.closed_by, order.closed_at = actor, clock.now()
        audit(session, actor, "po.close", "purchase_order", number, reason=reason)

    db.write(work)


def _has_open_receipt(session, order_id: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.order_id == order_id, Receipt.status == "open")))


def refresh_status(order: PurchaseOrder) -> None:
    """After a receipt changed received quantities (inside that transaction)."""
    order.status = po_status(((line.qty_ordered, line.qty_received) for line in order.lines),
                             order.status)


# --- reads -----------------------------------------------------------------------------
def get_purchase_order(db: Database, number) -> POView:
    with db.read() as session:
        order = get_or_404(session, PurchaseOrder, "purchase_order", number=number)
        return _view(session, order)


def _view(session, order: PurchaseOrder) -> POView:
    supplier = session.get(Supplier, order.supplier_id)
    items = {i.id: i for i in session.scalars(
        select(Item).where(Item.id.in_([line.item_id for line in order.lines])))}
    lines = []
    for line in order.lines:
        item = items[line.item_id]
        outstanding = max(line.qty_ordered - line.qty_received, Decimal(0))
        if order.status in ("closed", "cancelled"):
            outstanding = Decimal(0)
        lines.append(POLineView(
            line_no=line.line_no, sku=item.sku, name=item.name, spec=item.spec, unit=item.unit,
            ordered=line.qty_ordered, received=line.qty_received, outstanding=outstanding,
            unit_price=line.unit_price, order_unit=line.unit, unit_factor=line.unit_factor,
            ordered_in_unit=line.unit_qty, unit_pack_price=line.unit_pack_price))
    receipts = list(session.scalars(select(Receipt.number).where(
        Receipt.order_id == order.id).order_by(Receipt.id)))
    return POView(
        number=order.number, supplier=supplier.code, supplier_name=supplier.name,
        status=order.status, due_date=order.due_date, created_by=order.created_by,
        created_at=order.created_at, approved_by=order.approved_by,
        approved_at=order.approved_at, note=order.note, lines=lines, receipts=receipts)


def list_purchase_orders(db: Database, *, status=None, supplier=None, search=None,
                         open_only=False, limit=500) -> list[dict]:
    """Summaries: number, supplier, status, due date, ordered/received/outstanding,
    total, overdue. ``status`` may be one value or a list."""
    with db.read() as session:
        query = (select(PurchaseOrder, Supplier.code, Supplier.name)
                 .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
                 .order_by(PurchaseOrder.id.desc()).limit(limit))
        if status:
            statuses = [status] if isinstance(status, str) else list(status)
            query = query.where(PurchaseOrder.status.in_(statuses))
        if open_only:
            query = query.where(PurchaseOrder.status.in_(OPEN_STATUSES))
        if supplier:
            query = query.where(Supplier.code == supplier)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(PurchaseOrder.number.ilike(pattern),
                                    Supplier.name.ilike(pattern), Supplier.code.ilike(pattern)))
        rows = session.execute(query).all()
        ids = [order.id for order, _, _ in rows]
        sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
        if ids:
            for order_id, ordered, received, price, packs, pack_price in session.execute(
                    select(PurchaseOrderLine.order_id, PurchaseOrderLine.qty_ordered,
                           PurchaseOrderLine.qty_received, PurchaseOrderLine.unit_price,
                           PurchaseOrderLine.unit_qty, PurchaseOrderLine.unit_pack_price)
                    .where(PurchaseOrderLine.order_id.in_(ids))):
                total = sums[order_id]
                total[0] += ordered
                total[1] += received
                total[2] += packs * pack_price if packs is not None else ordered * price
        result = []
        for order, code, name in rows:
            ordered, received, value = sums[order.id]
            outstanding = Decimal(0) if order.status in ("closed", "cancelled") \
                else max(ordered - received, Decimal(0))
            result.append({
                "number": order.number, "supplier": code, "supplier_name": name,
                "status": order.status, "due_date": order.due_date,
                "ordered": ordered, "received": received, "outstanding": outstanding,
                "total": value, "created_by": order.created_by,
                "approved_by": order.approved_by or "",
                "overdue": is_overdue(order.status, order.due_date, outstanding),
            })
        return result
