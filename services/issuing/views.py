"""What the issuing pages show: slips, previews, returns, transfers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.allocation import Allocation

from services.issuing.common import ZERO


@dataclass(frozen=True)
class AllocationView:
    lot_id: int
    lot_no: str
    received_at: datetime
    expiry_date: date | None
    location: str
    qty: Decimal
    unit_cost: Decimal
    value: Decimal
    frozen: bool = False


@dataclass(frozen=True)
class IssueLineView:
    line_no: int
    sku: str
    name: str
    unit: str
    qty_requested: Decimal
    qty: Decimal
    total_cost: Decimal
    old_part_tag: str
    allocations: tuple[AllocationView, ...]


@dataclass(frozen=True)
class LowStock:
    sku: str
    name: str
    available: Decimal
    reorder_level: Decimal


@dataclass(frozen=True)
class IssueView:
    number: str
    at: datetime
    purpose: str
    reference: str
    requested_by: str
    actor: str
    approved_by: str
    total_cost: Decimal
    partial: bool
    request_id: str | None
    lines: tuple[IssueLineView, ...]
    low_stock: tuple[LowStock, ...] = ()
    replayed: bool = False       # True when a repeated request_id returned the first result
    warehouse: str = ""          # the warehouse it left from (FIFO never crosses two)
    warehouse_name: str = ""
    warehouse_name_zh: str = ""


@dataclass(frozen=True)
class PreviewLine:
    row: int
    sku: str
    name: str
    unit: str
    requested: Decimal
    available: Decimal
    allocations: tuple[AllocationView, ...]
    total_cost: Decimal
    known: bool = True
    is_assembly: bool = False
    requires_old_part: bool = False
    # Other warehouses' stock of the item (services.issuing.warehouses.Elsewhere),
    # reported, never taken.
    elsewhere: tuple = ()

    @property
    def short(self) -> bool:
        return self.available < self.requested

    @property
    def frozen(self) -> bool:
        return any(a.frozen for a in self.allocations)


@dataclass(frozen=True)
class IssuePreview:
    lines: tuple[PreviewLine, ...]

    @property
    def total_cost(self) -> Decimal:
        return sum((line.total_cost for line in self.lines), ZERO)

    @property
    def needs_approval(self) -> bool:
        return any(line.is_assembly for line in self.lines)

    @property
    def old_part_skus(self) -> list[str]:
        return [line.sku for line in self.lines if line.requires_old_part]

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(
            line.known and not line.short and not line.frozen for line in self.lines)


@dataclass(frozen=True)
class ReturnView:
    number: str
    issue_number: str
    sku: str
    qty: Decimal
    total_cost: Decimal
    lots: tuple[AllocationView, ...]
    replayed: bool = False


@dataclass(frozen=True)
class TransferView:
    number: str
    sku: str
    qty: Decimal
    from_location: str
    to_location: str
    total_cost: Decimal
    lots: tuple[AllocationView, ...]
    replayed: bool = False


def _allocation_view(a: Allocation, frozen: bool = False) -> AllocationView:
    return AllocationView(
        lot_id=a.lot.lot_id, lot_no=a.lot.lot_no, received_at=a.lot.received_at,
        expiry_date=a.lot.expiry_date, location=a.lot.location, qty=a.qty,
        unit_cost=a.lot.unit_cost, value=a.value, frozen=frozen,
    )


def warehouse_fields(houses: dict) -> dict[str, str]:
    """IssueView's warehouse fields from {code: warehouse row}: only when there is one."""
    if len(houses) != 1:
        return {}
    (house,) = houses.values()
    return {"warehouse": house.code, "warehouse_name": house.name,
            "warehouse_name_zh": house.name_zh or ""}
