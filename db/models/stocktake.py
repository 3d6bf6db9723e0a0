"""Monthly stocktake (盘点): the frozen snapshot, counts per round, the spot check,
variance reasons and the approval trail."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow
from db.types import Money, Quantity, UTCDateTime

STOCKTAKE_STATUSES = ("open", "submitted", "reviewed", "approved", "posted", "cancelled")
COUNT_ROUNDS = ("initial", "recount", "spot")
VARIANCE_REASONS = (
    "counting_error", "receiving_error", "issuing_error", "damage", "theft_loss",
    "expired", "unrecorded_return", "other",
)

__all__ = [
    "STOCKTAKE_STATUSES", "COUNT_ROUNDS", "VARIANCE_REASONS", "Stocktake", "StocktakeZone",
    "StocktakeLine", "StocktakeCount", "StocktakeStep",
]


class Stocktake(Base):
    """One monthly count over a set of zones. ``open_period`` equals ``period`` until
    the stocktake is cancelled (then NULL), so a month can only have one live count
    per ``scope``: a warehouse code, or '' for a count over every warehouse."""

    __tablename__ = "stocktake"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open','submitted','reviewed','approved','posted','cancelled')",
            name="status"),
        UniqueConstraint("open_period", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    period: Mapped[str] = mapped_column(String(7), index=True)        # YYYY-MM
    open_period: Mapped[str | None] = mapped_column(String(7))
    scope: Mapped[str] = mapped_column(String(20), default="", server_default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    zones: Mapped[list] = mapped_column(JSON, default=list)
    spot_seed: Mapped[int] = mapped_column(Integer, default=0)
    opened_by: Mapped[str] = mapped_column(String(40))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(40))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(40))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_by: Mapped[str | None] = mapped_column(String(40))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gain_doc_no: Mapped[str] = mapped_column(String(40), default="")
    loss_doc_no: Mapped[str] = mapped_column(String(40), default="")


class StocktakeZone(Base):
    """A zone taking part; ``forced_recounts`` counts full recounts ordered after a
    spot check found an error rate above the limit."""

    __tablename__ = "stocktake_zone"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(60), primary_key=True)
    forced_recounts: Mapped[int] = mapped_column(Integer, default=0)
    last_forced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StocktakeLine(Base):
    """One item in one location: the book figures frozen at opening and the latest
    count of each round (the full history is in ``stocktake_count``).

    ``counted_qty`` is the final count: the recount if any, else the initial count."""

    __tablename__ = "stocktake_line"
    __table_args__ = (
        UniqueConstraint("stocktake_id", "item_id", "location_id"),
        Index("ix_stocktake_line_zone", "stocktake_id", "zone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    zone: Mapped[str] = mapped_column(String(60))
    book_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    book_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    found: Mapped[bool] = mapped_column(Boolean, default=False)   # added: not on the sheet
    initial_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    initial_by: Mapped[str | None] = mapped_column(String(40))
    initial_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recount_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    recount_by: Mapped[str | None] = mapped_column(String(40))
    recount_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    spot_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    spot_by: Mapped[str | None] = mapped_column(String(40))
    spot_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    counted_qty: Mapped[Decimal | None] = mapped_column(Quantity())
    needs_recount: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    reason_by: Mapped[str | None] = mapped_column(String(40))
    reason_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Valuation fixed when the general manager approves (what gets posted).
    unit_cost: Mapped[Decimal | None] = mapped_column(Money())
    variance_value: Mapped[Decimal | None] = mapped_column(Money())


class StocktakeCount(Base):
    """Every count typed or uploaded: who counted, who entered it, when."""

    __tablename__ = "stocktake_count"
    __table_args__ = (
        CheckConstraint("round IN ('initial','recount','spot')", name="round"),
        Index("ix_stocktake_count_line", "line_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("stocktake_line.id"))
    round: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    counted_by: Mapped[str] = mapped_column(String(40))
    entered_by: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StocktakeStep(Base):
    """The approval trail: open, submit, review, approve, post, send back, cancel."""

    __tablename__ = "stocktake_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktake.id"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str] = mapped_column(String(500), default="")
