"""Month-end closing (月结): closed periods and their frozen per-item figures.

When finance closes a month, the month's in/out/closing summary is written here
once, so a past month's figures never change and open without scanning the ledger.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow
from db.types import Money, Quantity, UTCDateTime

__all__ = ["ClosedPeriod", "MonthSnapshot"]


class ClosedPeriod(Base):
    """A closed month. No movement may be dated in it or before it afterwards."""

    __tablename__ = "closed_period"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)      # YYYY-MM
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by: Mapped[str] = mapped_column(String(40))
    # Highest movement id when the month was closed (a later movement dated inside
    # the month would be a book-keeping error the consistency check reports).
    last_movement_id: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    closing_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    closing_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))


class MonthSnapshot(Base):
    """One item's figures for a closed month (收发存汇总表 row)."""

    __tablename__ = "month_snapshot"
    __table_args__ = (Index("ix_month_snapshot_item", "item_id", "period"),)

    period: Mapped[str] = mapped_column(
        ForeignKey("closed_period.period"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    opening_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    opening_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    in_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    in_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    out_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    out_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    adjust_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    adjust_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    closing_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    closing_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
