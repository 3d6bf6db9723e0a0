"""Supplier claims (every discrepancy followed to closure), refused deliveries and
the working-day calendar their deadlines are counted in."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow
from db.types import Money, Quantity, UTCDateTime

__all__ = ["CalendarDay", "RefusedDelivery", "Claim", "ClaimEvent",
           "CLAIM_KINDS", "CLAIM_STATUSES", "CALENDAR_KINDS"]

CLAIM_KINDS = ("short", "damaged", "over", "wrong_item", "price", "near_expiry",
               "expired", "qc_failed", "refused")
CLAIM_STATUSES = ("open", "with_supplier", "credited", "replaced", "returned",
                  "written_off", "closed")
CALENDAR_KINDS = ("holiday", "workday")


def _in(values) -> str:
    return ",".join(f"'{v}'" for v in values)


class CalendarDay(Base):
    """An exception to the Monday–Friday week: a holiday on a weekday, or a weekend
    day worked instead (调休)."""

    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(CALENDAR_KINDS)})", name="kind"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), default="")
    set_by: Mapped[str] = mapped_column(String(40))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RefusedDelivery(Base):
    """拒绝收货: a delivery (or some of its packages) refused before counting. Nothing
    is booked and the supplier's note stays free for the re-delivery."""

    __tablename__ = "refused_delivery"
    __table_args__ = (Index("ix_refused_delivery_note", "supplier_id", "delivery_note_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id"), index=True)
    delivery_note_no: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    packages: Mapped[str] = mapped_column(String(200), default="")   # empty: the whole delivery
    driver_name: Mapped[str] = mapped_column(String(100), default="")
    vehicle: Mapped[str] = mapped_column(String(40), default="")
    refused_by: Mapped[str] = mapped_column(String(40))
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    redelivered_receipt: Mapped[str | None] = mapped_column(String(40))


class Claim(Base):
    """One discrepancy with a supplier, owned and due, until it is closed."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(CLAIM_KINDS)})", name="kind"),
        CheckConstraint(f"status IN ({_in(CLAIM_STATUSES)})", name="status"),
        CheckConstraint("qty >= 0", name="qty_not_negative"),
        Index("ix_claim_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(14), default="open")
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("purchase_order.id"))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"), index=True)
    receipt_line_no: Mapped[int | None] = mapped_column(Integer)
    refusal_id: Mapped[int | None] = mapped_column(ForeignKey("refused_delivery.id"), index=True)
    return_number: Mapped[str | None] = mapped_column(String(40))
    delivery_note_no: Mapped[str] = mapped_column(String(60), default="")
    sku: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    unit_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # The buyer who took the claim on; empty: the purchasing team as a whole.
    owner: Mapped[str] = mapped_column(String(40), default="")
    raised_by: Mapped[str] = mapped_column(String(40))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    credit_amount: Mapped[Decimal | None] = mapped_column(Money())
    replaced_by_receipt: Mapped[str | None] = mapped_column(String(40))

    events: Mapped[list["ClaimEvent"]] = relationship(
        order_by="ClaimEvent.id", cascade="all, delete-orphan")


class ClaimEvent(Base):
    """The claim's timeline: every status change, who, when, and why."""

    __tablename__ = "claim_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str] = mapped_column(String(14), default="")
    to_status: Mapped[str] = mapped_column(String(14))
    note: Mapped[str] = mapped_column(Text, default="")
    credit_amount: Mapped[Decimal | None] = mapped_column(Money())
    approved_by: Mapped[str | None] = mapped_column(String(40))
