"""Purchase orders, supplier delivery notes, goods received notes (GRN) with their
flags, approvals and discrepancies, and return-to-supplier documents."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow
from db.types import Money, Quantity, UTCDateTime

__all__ = [
    "PO_STATUSES", "RECEIPT_STATUSES", "RETURN_STATUSES",
    "PurchaseOrder", "PurchaseOrderLine", "DeliveryNote", "Receipt", "ReceiptLine",
    "ReceiptApproval", "ReceiptDiscrepancy", "SupplierReturn", "SupplierReturnLine",
]

PO_STATUSES = ("draft", "approved", "partially_received", "received", "closed", "cancelled")
RECEIPT_STATUSES = ("open", "posted", "cancelled")
RETURN_STATUSES = ("open", "confirmed")


class PurchaseOrder(Base):
    """采购订单. Valid for receiving once approved by someone other than its creator."""

    __tablename__ = "purchase_order"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft','approved','partially_received','received','closed','cancelled')",
            name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        order_by="PurchaseOrderLine.line_no", cascade="all, delete-orphan",
        back_populates="order")


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("qty_ordered > 0", name="qty_ordered_positive"),
        CheckConstraint("qty_received >= 0", name="qty_received_not_negative"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    qty_ordered: Mapped[Decimal] = mapped_column(Quantity())
    qty_received: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    # Ordered in a pack unit (5 箱 at 120.00): qty_ordered and unit_price above are in
    # the stock unit; these keep what was ordered, for exact costing at receipt.
    unit: Mapped[str | None] = mapped_column(String(20))
    unit_factor: Mapped[Decimal | None] = mapped_column(Quantity())
    unit_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    unit_pack_price: Mapped[Decimal | None] = mapped_column(Money())

    order: Mapped[PurchaseOrder] = relationship(back_populates="lines")


class DeliveryNote(Base):
    """送货单: one supplier note can be received once (by number and by file)."""

    __tablename__ = "delivery_note"
    __table_args__ = (UniqueConstraint("supplier_id", "note_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"))
    note_no: Mapped[str] = mapped_column(String(60))
    file_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    receipt_number: Mapped[str] = mapped_column(String(40), default="")


class Receipt(Base):
    """入库单 / 验收单 (GRN). Open while counting, then posted once."""

    __tablename__ = "receipt"
    __table_args__ = (
        CheckConstraint("status IN ('open','posted','cancelled')", name="status"),
        Index("ix_receipt_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    # Kept on the receipt too: a cancelled receipt releases its delivery_note row.
    delivery_note_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_note.id", ondelete="SET NULL"))
    delivery_note_no: Mapped[str] = mapped_column(String(60))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by: Mapped[str | None] = mapped_column(String(40))
    checked_by: Mapped[str | None] = mapped_column(String(40))
    return_number: Mapped[str | None] = mapped_column(String(40))
    cancelled_by: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(200), default="")

    lines: Mapped[list["ReceiptLine"]] = relationship(
        order_by="ReceiptLine.line_no", cascade="all, delete-orphan")


class ReceiptLine(Base):
    __tablename__ = "receipt_line"
    __table_args__ = (
        UniqueConstraint("receipt_id", "line_no"),
        CheckConstraint("note_qty > 0", name="note_qty_positive"),
        CheckConstraint("counted_qty IS NULL OR counted_qty >= 0", name="counted_not_negative"),
        CheckConstraint("damaged_qty >= 0", name="damaged_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sheet_row: Mapped[int | None] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order_line.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    spec: Mapped[str] = mapped_column(String(200), default="")
    po_reference: Mapped[str] = mapped_column(String(40), default="")
    note_qty: Mapped[Decimal] = mapped_column(Quantity())
    note_unit_price: Mapped[Decimal | None] = mapped_column(Money())
    note_amount: Mapped[Decimal | None] = mapped_column(Money())
    unit_price: Mapped[Decimal | None] = mapped_column(Money())     # the PO's price
    counted_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    damaged_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    lot_no: Mapped[str] = mapped_column(String(60), default="")
    expiry_date: Mapped[date | None] = mapped_column(Date)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    certificate: Mapped[str] = mapped_column(String(100), default="")
    counted_by: Mapped[str | None] = mapped_column(String(40))
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Frozen at posting.
    flags: Mapped[list] = mapped_column(JSON, default=list)
    accepted_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    rejected_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    rejected_reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    qc_passed_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    qc_failed_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    # Units: note_qty and the counts above are in the item's stock unit; the sheet's
    # unit as written, its code when known, and its factor (kept once posted).
    unit_text: Mapped[str] = mapped_column(String(20), default="", server_default="")
    unit: Mapped[str | None] = mapped_column(String(20))
    unit_factor: Mapped[Decimal | None] = mapped_column(Quantity())
    note_qty_in_unit: Mapped[Decimal | None] = mapped_column(Quantity())


class ReceiptApproval(Base):
    """Written approval of one flag on one line (超量收货 etc.)."""

    __tablename__ = "receipt_approval"
    __table_args__ = (UniqueConstraint("receipt_line_id", "flag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_line_id: Mapped[int] = mapped_column(ForeignKey("receipt_line.id"), index=True)
    flag: Mapped[str] = mapped_column(String(20))
    approved_by: Mapped[str] = mapped_column(String(40))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")


class ReceiptDiscrepancy(Base):
    """Every difference found at posting, with what became of it."""

    __tablename__ = "receipt_discrepancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(60))
    flag: Mapped[str] = mapped_column(String(20))
    qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    outcome: Mapped[str] = mapped_column(String(20))  # rejected|approved|outstanding|accepted|noted
    approved_by: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class SupplierReturn(Base):
    """采购退货单: rejected or QC-failed goods waiting in a hold location."""

    __tablename__ = "supplier_return"
    __table_args__ = (CheckConstraint("status IN ('open','confirmed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipt.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"))
    hold_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    source: Mapped[str] = mapped_column(String(12), default="receiving")  # receiving|qc
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_by: Mapped[str | None] = mapped_column(String(40))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list["SupplierReturnLine"]] = relationship(
        order_by="SupplierReturnLine.id", cascade="all, delete-orphan")


class SupplierReturnLine(Base):
    __tablename__ = "supplier_return_line"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("supplier_return.id"), index=True)
    receipt_line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    name: Mapped[str] = mapped_column(String(200), default="")
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    reason: Mapped[str] = mapped_column(String(30))
    lot_no: Mapped[str] = mapped_column(String(60), default="")
    # Set when the goods are in stock (QC failed -> hold lot); None when rejected at
    # the door and never booked.
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
