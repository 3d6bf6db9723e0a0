"""Master data, users, the stock ledger, document numbers and the audit trail."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
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

LOCATION_KINDS = ("storage", "quarantine", "hold")
LOT_STATUSES = ("available", "quarantine", "hold")
ISSUE_POLICIES = ("FIFO", "FEFO")


class Warehouse(Base):
    __tablename__ = "warehouse"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Location(Base):
    """A bin (货位) or an area; ``zone`` groups bins for the stocktake."""

    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint("kind IN ('storage','quarantine','hold')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouse.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    zone: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="storage")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set while a stocktake covering this location is open; stock may not move.
    frozen_by_stocktake_id: Mapped[int | None] = mapped_column(Integer, default=None)

    warehouse: Mapped[Warehouse] = relationship()


class Supplier(Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint("reorder_level >= 0", name="reorder_level"),
        CheckConstraint("min_shelf_life_days >= 0", name="min_shelf_life"),
        CheckConstraint("issue_policy IN ('FIFO','FEFO')", name="issue_policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    spec: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(80), default="")
    unit: Mapped[str] = mapped_column(String(20), default="pcs")
    category: Mapped[str] = mapped_column(String(80), default="", index=True)
    genuine: Mapped[bool] = mapped_column(Boolean, default=True)
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    min_shelf_life_days: Mapped[int] = mapped_column(Integer, default=0)
    full_inspection: Mapped[bool] = mapped_column(Boolean, default=False)
    is_assembly: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_old_part: Mapped[bool] = mapped_column(Boolean, default=False)
    hazardous: Mapped[bool] = mapped_column(Boolean, default=False)
    reorder_level: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    issue_policy: Mapped[str] = mapped_column(String(4), default="FIFO")
    default_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    default_location: Mapped[Location | None] = relationship()


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    roles: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginThrottle(Base):
    """Failed logins per username (known or not), to slow down guessing."""

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Lot(Base):
    """One receipt of one item sitting in one location (a transfer splits it)."""

    __tablename__ = "lot"
    __table_args__ = (
        CheckConstraint("qty_on_hand >= 0", name="qty_on_hand_not_negative"),
        CheckConstraint("status IN ('available','quarantine','hold')", name="status"),
        Index("ix_lot_item_fifo", "item_id", "received_at", "id"),
        Index("ix_lot_item_location", "item_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    lot_no: Mapped[str] = mapped_column(String(60), default="")
    expiry_date: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    qty_received: Mapped[Decimal] = mapped_column(Quantity())
    qty_on_hand: Mapped[Decimal] = mapped_column(Quantity())
    status: Mapped[str] = mapped_column(String(12), default="available")
    # The lot this one was split from by a transfer (same lot no., cost, received_at).
    origin_lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    receipt_number: Mapped[str] = mapped_column(String(30), default="")

    item: Mapped[Item] = relationship()
    location: Mapped[Location] = relationship()


class StockBalance(Base):
    """Cached qty/value per item and location (the 卡 of 帐、物、卡).

    Also the row PostgreSQL writers lock, in (item_id, location_id) order.
    """

    __tablename__ = "stock_balance"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))


class Movement(Base):
    """Append-only ledger (台账). qty and value are signed: + in, - out."""

    __tablename__ = "movement"
    __table_args__ = (
        Index("ix_movement_item_at", "item_id", "at", "id"),
        Index("ix_movement_at", "at"),
        Index("ix_movement_doc", "doc_no"),
        # Reports: last issue / usage per item and movement type.
        Index("ix_movement_item_type_at", "item_id", "type", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    value: Mapped[Decimal] = mapped_column(Money())
    doc_type: Mapped[str] = mapped_column(String(20))
    doc_no: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")


class DocumentSequence(Base):
    __tablename__ = "document_sequence"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(80), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Attachment(Base):
    """A source document kept with a record (supplier delivery sheet, photo)."""

    __tablename__ = "attachment"
    __table_args__ = (UniqueConstraint("entity", "entity_key", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(80), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column()
    # Photos: the receipt line they show (None: the whole document), a small JPEG
    # preview, and the stage they were taken at (receiving | qc | return | claim).
    line_no: Mapped[int | None] = mapped_column(Integer)
    thumbnail: Mapped[bytes | None] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(40), default="")
    stage: Mapped[str] = mapped_column(String(12), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(40))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
