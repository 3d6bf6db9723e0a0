"""Units of measure as data, and items' pack units (箱 = 12 个, a supplier's own 箱 = 10)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.types import Quantity

__all__ = ["UnitOfMeasure", "ItemPackUnit"]


class UnitOfMeasure(Base):
    """A unit a database adds to the standard ones (domain.units.STANDARD_UNITS), or
    renames: its code is what items and documents store."""

    __tablename__ = "unit_of_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(40), default="")
    # Other spellings found on suppliers' sheets, comma-separated.
    aliases: Mapped[str] = mapped_column(String(200), default="")


class ItemPackUnit(Base):
    """``factor`` stock units make one ``unit`` of the item; for one supplier only when
    ``supplier_id`` is set (its own factor wins over the item's general one)."""

    __tablename__ = "item_pack_unit"
    __table_args__ = (
        UniqueConstraint("item_id", "supplier_id", "unit"),
        CheckConstraint("factor > 0", name="factor_positive"),
        Index("ix_item_pack_unit_item", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    unit: Mapped[str] = mapped_column(String(20))
    factor: Mapped[Decimal] = mapped_column(Quantity())
