"""FIFO / FEFO allocation of a requested quantity over an item's lots."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Sequence


@dataclass(frozen=True)
class LotStock:
    """What allocation needs to know about one lot."""

    lot_id: int
    received_at: datetime
    qty: Decimal
    unit_cost: Decimal
    expiry_date: date | None = None
    status: str = "available"          # available | quarantine | hold
    location_kind: str = "storage"     # storage | quarantine | hold
    lot_no: str = ""
    location: str = ""


@dataclass(frozen=True)
class Allocation:
    lot: LotStock
    qty: Decimal

    @property
    def value(self) -> Decimal:
        return self.qty * self.lot.unit_cost


class ShortStock(Exception):
    def __init__(self, available: Decimal, requested: Decimal):
        super().__init__(f"available {available}, requested {requested}")
        self.available = available
        self.requested = requested


# Which stock an allocation may draw from.
GOOD = "good"            # normal issues: available, in a storage bin, not expired
BAD = "bad"              # scrap / return to supplier: held or expired (never quarantine)
ANY_AVAILABLE = "any_available"   # transfers to a hold area: available, expired or not
SOURCES = (GOOD, BAD, ANY_AVAILABLE)


def is_expired(lot: LotStock, today: date) -> bool:
    return lot.expiry_date is not None and lot.expiry_date < today


def is_issuable(lot: LotStock, today: date, source: str = GOOD) -> bool:
    """Only available stock in storage bins, not expired, can be issued.

    ``source`` widens this for the separate books: ``BAD`` is held or expired stock
    (scrap, return to supplier), ``ANY_AVAILABLE`` is available stock even if expired.
    Quarantined stock is never eligible."""
    if lot.qty <= 0 or lot.status == "quarantine" or lot.location_kind == "quarantine":
        return False
    if source == GOOD:
        return (lot.status == "available" and lot.location_kind == "storage"
                and not is_expired(lot, today))
    if source == BAD:
        return lot.status == "hold" or lot.location_kind == "hold" or is_expired(lot, today)
    if source == ANY_AVAILABLE:
        return lot.status == "available"
    raise ValueError(f"unknown stock source {source!r}")


def issue_order_key(lot: LotStock, policy: str):
    """FIFO: received_at then id. FEFO: expiry first (undated last), then FIFO."""
    fifo = (lot.received_at, lot.lot_id)
    if policy == "FEFO":
        return (lot.expiry_date is None, lot.expiry_date or date.max, *fifo)
    return fifo


def issuable_in_order(lots: Iterable[LotStock], *, policy: str, today: date,
                      source: str = GOOD) -> list[LotStock]:
    usable = [lot for lot in lots if is_issuable(lot, today, source)]
    return sorted(usable, key=lambda lot: issue_order_key(lot, policy))


def available_qty(lots: Iterable[LotStock], *, today: date, source: str = GOOD) -> Decimal:
    """What could be issued now from ``lots``."""
    return sum((lot.qty for lot in lots if is_issuable(lot, today, source)), Decimal(0))


def allocate(
    lots: Sequence[LotStock],
    qty: Decimal,
    *,
    policy: str = "FIFO",
    today: date,
    allow_partial: bool = False,
    source: str = GOOD,
) -> list[Allocation]:
    """Take ``qty`` from the lots in issue order.

    Raises ShortStock (allocating nothing) when there is not enough, unless
    ``allow_partial`` is set, in which case everything issuable is taken.
    """
    qty = Decimal(qty)
    if qty <= 0:
        raise ValueError("quantity must be positive")
    ordered = issuable_in_order(lots, policy=policy, today=today, source=source)
    available = sum((lot.qty for lot in ordered), Decimal(0))
    if available < qty and not allow_partial:
        raise ShortStock(available, qty)
    remaining = qty
    allocations: list[Allocation] = []
    for lot in ordered:
        if remaining <= 0:
            break
        take = min(lot.qty, remaining)
        allocations.append(Allocation(lot, take))
        remaining -= take
    return allocations


def allocation_value(allocations: Iterable[Allocation]) -> Decimal:
    return sum((a.value for a in allocations), Decimal(0))
