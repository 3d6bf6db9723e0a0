"""Issuing: issue slips (+lines and the lots they consumed), the old-parts register,
returns to stock, transfers, and the tool-loan register."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow
from db.models.core import Item, Location, Lot, User
from db.types import Money, Quantity, UTCDateTime

ISSUE_PURPOSES = ("workshop", "sale", "internal", "scrap", "supplier_return")

__all__ = [
    "ISSUE_PURPOSES", "Issue", "IssueLine", "IssueAllocation", "OldPart", "StockReturn",
    "StockReturnLine", "Transfer", "TransferLine", "Tool", "ToolLoan",
]


class Issue(Base):
    """An issue slip (领料单 / 出库单). Posted once, never changed."""

    __tablename__ = "issue"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('workshop','sale','internal','scrap','supplier_return')",
            name="purpose"),
        Index("ix_issue_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    # A client-chosen id that makes a repeated submit (double tap, rerun) issue once.
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    purpose: Mapped[str] = mapped_column(String(20), default="workshop")
    reference: Mapped[str] = mapped_column(String(60), default="", index=True)
    requested_by: Mapped[str] = mapped_column(String(100), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    total_cost: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    lines: Mapped[list["IssueLine"]] = relationship(
        back_populates="issue", order_by="IssueLine.line_no", cascade="all, delete-orphan")


class IssueLine(Base):
    __tablename__ = "issue_line"
    __table_args__ = (
        CheckConstraint("qty >= 0", name="qty"),
        Index("ix_issue_line_item", "item_id", "issue_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    qty_requested: Mapped[Decimal] = mapped_column(Quantity())
    qty: Mapped[Decimal] = mapped_column(Quantity())          # issued
    total_cost: Mapped[Decimal] = mapped_column(Money())
    old_part_tag: Mapped[str] = mapped_column(String(60), default="")

    issue: Mapped[Issue] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
    allocations: Mapped[list["IssueAllocation"]] = relationship(
        back_populates="line", order_by="IssueAllocation.seq", cascade="all, delete-orphan")


class IssueAllocation(Base):
    """Which lot an issue line consumed, how much, at which unit cost (in FIFO order)."""

    __tablename__ = "issue_allocation"
    __table_args__ = (CheckConstraint("qty > 0", name="qty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_line_id: Mapped[int] = mapped_column(ForeignKey("issue_line.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    value: Mapped[Decimal] = mapped_column(Money())

    line: Mapped[IssueLine] = relationship(back_populates="allocations")
    lot: Mapped[Lot] = relationship()
    location: Mapped[Location] = relationship()


class OldPart(Base):
    """Old-parts register (领新交旧): the tagged old part handed in for a new one,
    kept until it is handed back to the vehicle owner."""

    __tablename__ = "old_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)
    issue_line_id: Mapped[int] = mapped_column(ForeignKey("issue_line.id"), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    handed_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    handed_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    handed_to: Mapped[str] = mapped_column(String(100), default="")

    line: Mapped[IssueLine] = relationship()
    item: Mapped[Item] = relationship()
    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    handed_back_by: Mapped[User | None] = relationship(foreign_keys=[handed_back_by_id])


class StockReturn(Base):
    """Unused parts returned to stock against their original issue (退库单)."""

    __tablename__ = "stock_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    total_cost: Mapped[Decimal] = mapped_column(Money())
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    issue: Mapped[Issue] = relationship()
    item: Mapped[Item] = relationship()
    actor: Mapped[User] = relationship()
    lines: Mapped[list["StockReturnLine"]] = relationship(
        back_populates="stock_return", cascade="all, delete-orphan")


class StockReturnLine(Base):
    __tablename__ = "stock_return_line"
    __table_args__ = (CheckConstraint("qty > 0", name="qty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_return_id: Mapped[int] = mapped_column(ForeignKey("stock_return.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("issue_allocation.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    value: Mapped[Decimal] = mapped_column(Money())

    stock_return: Mapped[StockReturn] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()


class Transfer(Base):
    """A move between bins or warehouses (调拨单 / 转仓单)."""

    __tablename__ = "transfer"
    __table_args__ = (CheckConstraint("qty > 0", name="qty"), Index("ix_transfer_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    total_cost: Mapped[Decimal] = mapped_column(Money())
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")

    item: Mapped[Item] = relationship()
    from_location: Mapped[Location] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])
    actor: Mapped[User] = relationship()
    lines: Mapped[list["TransferLine"]] = relationship(
        back_populates="transfer", order_by="TransferLine.seq", cascade="all, delete-orphan")


class TransferLine(Base):
    __tablename__ = "transfer_line"
    __table_args__ = (CheckConstraint("qty > 0", name="qty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfer.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    from_lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    to_lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(Money())
    value: Mapped[Decimal] = mapped_column(Money())

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    from_lot: Mapped[Lot] = relationship(foreign_keys=[from_lot_id])
    to_lot: Mapped[Lot] = relationship(foreign_keys=[to_lot_id])


class Tool(Base):
    """A tool the store lends out (工具)."""

    __tablename__ = "tool"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(200), default="")


class ToolLoan(Base):
    __tablename__ = "tool_loan"
    __table_args__ = (Index("ix_tool_loan_open", "returned_at", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id"), index=True)
    borrower: Mapped[str] = mapped_column(String(100))
    lent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lent_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    due_date: Mapped[date] = mapped_column(Date)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_to_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    damaged: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    return_note: Mapped[str] = mapped_column(String(200), default="")

    tool: Mapped[Tool] = relationship()
    lent_by: Mapped[User] = relationship(foreign_keys=[lent_by_id])
    returned_to: Mapped[User | None] = relationship(foreign_keys=[returned_to_id])
