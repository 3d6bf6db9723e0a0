"""What receivers taught the sheet reader: a supplier's column mapping for one
layout (identified by its header words)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow
from db.types import UTCDateTime

__all__ = ["SheetMapping"]


class SheetMapping(Base):
    __tablename__ = "sheet_mapping"
    __table_args__ = (UniqueConstraint("supplier_id", "signature"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    signature: Mapped[str] = mapped_column(String(16))        # hash of the header words
    header_row: Mapped[int] = mapped_column(Integer)          # 1-based; 0: no header row
    header_text: Mapped[str] = mapped_column(Text, default="")   # the words, for people
    columns: Mapped[dict] = mapped_column(JSON, default=dict)     # field -> column index
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
