"""Stocktake rules: the finance spot-check sample, zone error rates, variance
valuation and the summary figures. Pure Python, Decimal only."""
from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Hashable, Iterable, Mapping, Sequence

from domain.allocation import Allocation, LotStock, issue_order_key

ZERO = Decimal(0)
SHEET_FRACTION = Decimal("0.30")    # picked from the sheets, checked on the shelves
SHELF_FRACTION = Decimal("0.20")    # picked from the shelves, checked against the sheets
COVERAGE_TARGET = Decimal("0.50")   # share of total stock (book value) the spot check covers
ERROR_RATE_LIMIT = Decimal("0.01")  # above this a zone is fully recounted


def ceil_share(count: int, fraction: Decimal) -> int:
    """``count`` x ``fraction`` rounded up (exact: no float)."""
    return int((Decimal(count) * fraction).to_integral_value(rounding=ROUND_CEILING))


def sample_size(lines: int, zones: int, fraction: Decimal = SHEET_FRACTION) -> int:
    """30% of the lines rounded up, but at least one line per zone."""
    return min(lines, max(ceil_share(lines, fraction), zones))


def spot_sample(lines: Sequence[tuple[Hashable, str]], seed: int,
                fraction: Decimal = SHEET_FRACTION) -> list:
    """A reproducible random sample of ``(line_id, zone)`` pairs: one line from every
    zone first, then the rest at random up to ``sample_size``. The same lines and
    seed always give the same sample, whatever order the lines come in."""
    ordered = sorted(lines, key=lambda pair: (str(pair[1]), pair[0]))
    by_zone: dict[str, list] = {}
    for line_id, zone in ordered:
        by_zone.setdefault(zone, []).append(line_id)
    rng = random.Random(seed)
    size = sample_size(len(ordered), len(by_zone), fraction)
    chosen = [rng.choice(ids) for _zone, ids in sorted(by_zone.items())]
    taken = set(chosen)
    rest = [line_id for line_id, _zone in ordered if line_id not in taken]
    chosen.extend(rng.sample(rest, size - len(chosen)))
    return sorted(chosen)


def coverage(book_values: Mapping[Hashable, Decimal], covered: Iterable[Hashable]) -> Decimal:
    """Share of the total book value held by the ``covered`` lines (0 if no value)."""
    total = sum(book_values.values(), ZERO)
    if total <= 0:
        return ZERO
    part = sum((book_values[k] for k in set(covered) if k in book_values), ZERO)
    return part / total


def final_count(initial: Decimal | None, recount: Decimal | None) -> Decimal | None:
    """The count that stands: the recount if there is one, else the initial count."""
    return recount if recount is not None else initial


def zone_error_rates(
    lines: Iterable[tuple[str, Decimal | None, Decimal | None]],
    zones: Iterable[str] = (),
) -> dict[str, Decimal]:
    """``lines``: (zone, sheet count, spot count). Per zone, the share of spot-checked
    lines whose spot count differs from the sheet count (a line missing from the
    sheet counts as a difference). Zones without spot checks get 0."""
    checked: dict[str, int] = {zone: 0 for zone in zones}
    wrong: dict[str, int] = {zone: 0 for zone in zones}
    for zone, sheet_qty, spot_qty in lines:
        checked.setdefault(zone, 0)
        wrong.setdefault(zone, 0)
        if spot_qty is None:
            continue
        checked[zone] += 1
        if sheet_qty is None or sheet_qty != spot_qty:
            wrong[zone] += 1
    return {zone: error_rate(checked[zone], wrong[zone]) for zone in sorted(checked)}


def error_rate(checked: int, wrong: int) -> Decimal:
    """Share of ``checked`` spot-checked lines that were ``wrong`` (0 when none checked)."""
    return Decimal(wrong) / Decimal(checked) if checked else ZERO


def zones_over_limit(rates: Mapping[str, Decimal], limit: Decimal = ERROR_RATE_LIMIT) -> list[str]:
    return sorted(zone for zone, rate in rates.items() if rate > limit)


# --- valuation --------------------------------------------------------------
class NotEnoughStock(ValueError):
    """A loss larger than what the location holds (the books moved under a freeze)."""


def loss_allocation(lots: Sequence[LotStock], qty: Decimal, policy: str = "FIFO") -> list[Allocation]:
    """The lots a stocktake loss of ``qty`` consumes at one location: every lot there
    with stock (whatever its status: the shortage is physical), in issue order
    (FIFO, or FEFO for FEFO items)."""
    remaining = Decimal(qty)
    if remaining <= 0:
        return []
    taken: list[Allocation] = []
    for lot in sorted((l for l in lots if l.qty > 0), key=lambda l: issue_order_key(l, policy)):
        take = min(lot.qty, remaining)
        taken.append(Allocation(lot, take))
        remaining -= take
        if remaining == 0:
            return taken
    raise NotEnoughStock(f"loss of {qty} exceeds the {qty - remaining} on hand")


def loss_value(lots: Sequence[LotStock], qty: Decimal, policy: str = "FIFO") -> Decimal:
    """Value (negative) of losing ``qty`` at FIFO cost of the lots it consumes."""
    return -sum((a.value for a in loss_allocation(lots, qty, policy)), ZERO)


def variance_value(variance_qty: Decimal, *, lots: Sequence[LotStock] = (),
                   gain_unit_cost: Decimal = ZERO, policy: str = "FIFO") -> Decimal:
    """Gains at the item's latest receipt cost, losses at the FIFO cost of the lots
    they take. Sign follows the quantity."""
    if variance_qty > 0:
        return variance_qty * gain_unit_cost
    if variance_qty < 0:
        return loss_value(lots, -variance_qty, policy)
    return ZERO


def average_cost(value: Decimal, qty: Decimal, places: int = 4) -> Decimal:
    """A displayable unit cost (value / qty), rounded to ``places``."""
    if qty == 0:
        return ZERO
    return (value / qty).quantize(Decimal(1).scaleb(-places))


# --- summary ----------------------------------------------------------------
@dataclass(frozen=True)
class VarianceFigures:
    lines: int
    accurate_lines: int
    gain_value: Decimal
    loss_value: Decimal          # negative or zero

    @property
    def net_value(self) -> Decimal:
        return self.gain_value + self.loss_value

    @property
    def absolute_value(self) -> Decimal:
        return self.gain_value - self.loss_value

    @property
    def accuracy(self) -> Decimal:
        """Count accuracy: share of lines counted exactly at book (1 when empty)."""
        if self.lines == 0:
            return Decimal(1)
        return Decimal(self.accurate_lines) / Decimal(self.lines)


def summarise(lines: Iterable[tuple[Decimal, Decimal]]) -> VarianceFigures:
    """``lines``: (variance qty, variance value) per line."""
    count = accurate = 0
    gain = loss = ZERO
    for qty, value in lines:
        count += 1
        if qty == 0:
            accurate += 1
        if value > 0:
            gain += value
        elif value < 0:
            loss += value
    return VarianceFigures(count, accurate, gain, loss)


def group_figures(lines: Iterable[tuple[str, Decimal, Decimal]]) -> dict[str, VarianceFigures]:
    """``lines``: (group, variance qty, variance value): figures per group."""
    groups: dict[str, list[tuple[Decimal, Decimal]]] = {}
    for key, qty, value in lines:
        groups.setdefault(key, []).append((qty, value))
    return {key: summarise(rows) for key, rows in sorted(groups.items())}
