"""Pure report maths: month arithmetic, in/out classification of movements, running
balances, ageing and expiry buckets, usage averages, reorder suggestions and
working days. No database, no Streamlit; Decimal throughout."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

ZERO = Decimal(0)
QTY = Decimal("0.001")
MONEY = Decimal("0.0000001")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# Movement types (the same words as services.ledger; kept here so the domain needs
# no import from services).
IN_TYPES = frozenset({"receipt"})
OUT_TYPES = frozenset({"issue", "supplier_return"})
RETURN_TYPES = frozenset({"return"})
ADJUST_TYPES = frozenset({"stocktake_gain", "stocktake_loss"})
INTERNAL_TYPES = frozenset({
    "transfer_out", "transfer_in", "qc_out", "qc_in", "reject_out", "reject_in",
})

AGE_BOUNDS = (30, 60, 90, 180, 365)
EXPIRY_BOUNDS = (30, 60, 90)


# --- months ---------------------------------------------------------------------
def parse_period(period: str) -> tuple[int, int]:
    """'YYYY-MM' -> (year, month); ValueError when malformed."""
    match = PERIOD_RE.match(str(period or "").strip())
    if not match:
        raise ValueError(f"not a period: {period!r}")
    return int(match.group(1)), int(match.group(2))


def period_first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive (empty when first > last)."""
    result = []
    current = first
    while current <= last:
        result.append(current)
        current = next_period(current)
    return result


# --- monthly in / out / adjust ----------------------------------------------------------
@dataclass
class MonthFigures:
    """One item's month: opening + in - out + adjust = closing, in qty and value.

    ``in`` is receipts; ``out`` is issues and returns to suppliers, less stock
    returned from issues (a return reduces out); ``adjust`` is stocktake gains and
    losses plus anything else that is not internal. Internal moves (transfers, QC
    and reject moves) keep the same lot cost, so they net to zero per item; they are
    folded into ``adjust`` so the identity stays exact even if they ever did not.
    """

    opening_qty: Decimal = ZERO
    opening_value: Decimal = ZERO
    in_qty: Decimal = ZERO
    in_value: Decimal = ZERO
    out_qty: Decimal = ZERO
    out_value: Decimal = ZERO
    adjust_qty: Decimal = ZERO
    adjust_value: Decimal = ZERO

    def add_movement(self, movement_type: str, qty: Decimal, value: Decimal) -> None:
        """Add the signed sum of one movement type (+ into stock, - out of it)."""
        if movement_type in IN_TYPES:
            self.in_qty += qty
            self.in_value += value
        elif movement_type in OUT_TYPES or movement_type in RETURN_TYPES:
            self.out_qty -= qty
            self.out_value -= value
        else:
            self.adjust_qty += qty
            self.adjust_value += value

    def add_opening(self, qty: Decimal, value: Decimal) -> None:
        self.opening_qty += qty
        self.opening_value += value

    @property
    def closing_qty(self) -> Decimal:
        return self.opening_qty + self.in_qty - self.out_qty + self.adjust_qty

    @property
    def closing_value(self) -> Decimal:
        return self.opening_value + self.in_value - self.out_value + self.adjust_value

    def is_empty(self) -> bool:
        return all(v == 0 for v in (
            self.opening_qty, self.opening_value, self.in_qty, self.in_value, self.out_qty,
            self.out_value, self.adjust_qty, self.adjust_value))

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "opening_qty": self.opening_qty, "opening_value": self.opening_value,
            "in_qty": self.in_qty, "in_value": self.in_value,
            "out_qty": self.out_qty, "out_value": self.out_value,
            "adjust_qty": self.adjust_qty, "adjust_value": self.adjust_value,
            "closing_qty": self.closing_qty, "closing_value": self.closing_value,
        }


SUMMARY_FIELDS = (
    "opening_qty", "opening_value", "in_qty", "in_value", "out_qty", "out_value",
    "adjust_qty", "adjust_value", "closing_qty", "closing_value",
)


def direction(movement_type: str) -> str:
    """'in', 'out' (a return counts as negative out), 'adjust' or 'internal'."""
    if movement_type in IN_TYPES:
        return "in"
    if movement_type in OUT_TYPES or movement_type in RETURN_TYPES:
        return "out"
    if movement_type in INTERNAL_TYPES:
        return "internal"
    return "adjust"


# --- running balance -------------------------------------------------------------------
def running_balance(opening_qty: Decimal, opening_value: Decimal,
                    changes: Iterable[tuple[Decimal, Decimal]]) -> list[tuple[Decimal, Decimal]]:
    """The (qty, value) balance after each signed change, starting from the opening."""
    qty, value = opening_qty, opening_value
    result = []
    for change_qty, change_value in changes:
        qty += change_qty
        value += change_value
        result.append((qty, value))
    return result


# --- ageing and expiry -----------------------------------------------------------------
def bucket_labels(bounds: Iterable[int] = AGE_BOUNDS) -> list[str]:
    bounds = list(bounds)
    labels, low = [], 0
    for high in bounds:
        labels.append(f"{low}-{high}")
        low = high + 1
    labels.append(f">{bounds[-1]}")
    return labels


def age_bucket(age_days: int, bounds: Iterable[int] = AGE_BOUNDS) -> str:
    """'0-30', '31-60', … '>365' for a lot ``age_days`` old."""
    bounds = list(bounds)
    labels = bucket_labels(bounds)
    for label, high in zip(labels, bounds):
        if age_days <= high:
            return label
    return labels[-1]


def expiry_bucket(days_left: int, bounds: Iterable[int] = EXPIRY_BOUNDS) -> str:
    """'expired' (before today), then '≤30', '≤60', '≤90' (cumulative bands made
    exclusive: 0-30, 31-60, 61-90), or '>90'."""
    if days_left < 0:
        return "expired"
    bounds = list(bounds)
    for high in bounds:
        if days_left <= high:
            return f"<={high}"
    return f">{bounds[-1]}"


def line_value(qty: Decimal, unit_cost: Decimal) -> Decimal:
    """qty x unit cost, exact (qty has 3 places and cost 4, the product fits 7)."""
    return qty * unit_cost


# --- usage and reorder -----------------------------------------------------------------
def average_monthly_usage(net_out_qty: Decimal, months: int) -> Decimal:
    """Average net quantity issued per month over ``months`` months (3 places)."""
    if months <= 0:
        raise ValueError("months must be positive")
    usage = max(net_out_qty, ZERO) / Decimal(months)
    return usage.quantize(QTY, ROUND_HALF_UP)


def suggested_order(reorder_level: Decimal, available: Decimal, open_po: Decimal,
                    monthly_usage: Decimal) -> Decimal:
    """How much to order so stock covers the reorder level plus one month's usage,
    counting what is already on order: max(0, level + usage - available - on order)."""
    need = reorder_level + monthly_usage - available - open_po
    return max(need, ZERO)


def ratio(part: Decimal | int, whole: Decimal | int, places: str = "0.0001") -> Decimal | None:
    """part / whole as a Decimal share (None when whole is zero)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)
