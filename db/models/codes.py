"""Codes an item carries besides its SKU: EAN-13/UPC-A, OE numbers, supplier part
numbers and free codes. ``code_key`` (normalised, see domain.codes.code_key) is
unique, so a code can never map to two items."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow
from db.models.core import Item, Supplier
from db.types import UTCDateTime

__all__ = ["ItemCode"]


class ItemCode(Base):
    __tablename__ = "item_code"
    __table_args__ = (
        CheckConstraint("kind IN ('ean13','oe','supplier','other')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    code_key: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="other")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    created_by: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[Item] = relationship()
    supplier: Mapped[Supplier | None] = relationship()
