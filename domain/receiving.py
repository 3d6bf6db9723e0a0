"""Receiving rules: flags on a delivery line, what is accepted and what is rejected,
and the timeliness rules (one working day per paperwork step, one hour per check).

Pure Python: the service hands in plain data and writes the results.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable, Sequence

from domain.calendar import WorkCalendar

ZERO = Decimal(0)

NOT_ON_PO = "NOT_ON_PO"
OVER_PO = "OVER_PO"
PRICE_MISMATCH = "PRICE_MISMATCH"
SHORT = "SHORT"
OVER_COUNT = "OVER_COUNT"
DAMAGED = "DAMAGED"
NEAR_EXPIRY = "NEAR_EXPIRY"
EXPIRED = "EXPIRED"
NO_LOT = "NO_LOT"
NO_EXPIRY = "NO_EXPIRY"
NO_CERTIFICATE = "NO_CERTIFICATE"
NOT_COUNTED = "NOT_COUNTED"
# The sheet's unit is not one the item knows (for this supplier): its quantity in the
# stock unit is unknown, so the line cannot be booked until the unit is resolved.
UNKNOWN_UNIT = "UNKNOWN_UNIT"
FLAGS = (
    NOT_ON_PO, OVER_PO, PRICE_MISMATCH, SHORT, OVER_COUNT, DAMAGED, NEAR_EXPIRY, EXPIRED,
    NO_LOT, NO_EXPIRY, NO_CERTIFICATE, NOT_COUNTED, UNKNOWN_UNIT,
)
# Flags someone may approve, and who.
APPROVAL_ROLES = {
    OVER_PO: ("purchasing",),
    PRICE_MISMATCH: ("purchasing",),
    NEAR_EXPIRY: ("purchasing", "supervisor"),
}
# Missing data: posting waits until it is entered (if anything is to be accepted).
MISSING_DATA = (NO_LOT, NO_EXPIRY, NO_CERTIFICATE)

# Reasons goods are rejected (keys of ``rejected_reasons``).
R_DAMAGED = "damaged"
R_EXPIRED = "expired"
R_NOT_ON_PO = "not_on_po"
R_OVER_PO = "over_po"
R_NEAR_EXPIRY = "near_expiry"
R_QC_FAILED = "qc_failed"
REJECT_REASONS = (R_DAMAGED, R_EXPIRED, R_NOT_ON_PO, R_OVER_PO, R_NEAR_EXPIRY, R_QC_FAILED)

PRICE_TOLERANCE = Decimal("0.0001")
CHECK_LIMIT = timedelta(hours=1)


@dataclass(frozen=True)
class ItemRules:
    tracks_expiry: bool = False
    min_shelf_life_days: int = 0
    is_assembly: bool = False
    full_inspection: bool = False


@dataclass(frozen=True)
class LineInput:
    """One delivery line as the rules see it."""

    line_no: int
    note_qty: Decimal
    item: ItemRules | None                # None: not in the catalogue
    po_line_key: object | None            # None: the PO has no line for this item
    po_price: Decimal | None = None
    note_price: Decimal | None = None
    counted_qty: Decimal | None = None
    damaged_qty: Decimal = ZERO
    lot_no: str = ""
    expiry_date: date | None = None
    certificate: str = ""
    approved: frozenset = frozenset()     # approved flags
    other_po: bool = False                # the sheet names another (supplier's) PO
    unit_known: bool = True               # False: note_qty is in a unit not yet defined


@dataclass
class LineResult:
    line_no: int
    flags: set[str] = field(default_factory=set)
    accepted_qty: Decimal = ZERO
    rejected_qty: Decimal = ZERO
    rejected_reasons: dict[str, Decimal] = field(default_factory=dict)
    blocking: list[str] = field(default_factory=list)   # flags that stop posting
    outstanding_before: Decimal = ZERO

    @property
    def needs_approval(self) -> set[str]:
        return {f for f in self.flags if f in APPROVAL_ROLES}


def needs_lot(item: ItemRules | None) -> bool:
    """Lot numbers are required for expiry-tracked items and serial-numbered assemblies."""
    return item is not None and (item.tracks_expiry or item.is_assembly)


def evaluate(lines: Sequence[LineInput], outstanding: dict, today: date) -> list[LineResult]:
    """Flags and accepted/rejected quantities for every line of one delivery.

    ``outstanding`` maps a PO line key to its qty still to receive; several delivery
    lines for one PO line share it in line order."""
    left_by_note = dict(outstanding)
    left_by_count = dict(outstanding)
    results = []
    for line in lines:
        results.append(_evaluate_line(line, left_by_note, left_by_count, today))
    return results


def _evaluate_line(line: LineInput, left_by_note: dict, left_by_count: dict,
                   today: date) -> LineResult:
    result = LineResult(line_no=line.line_no)
    flags = result.flags
    on_po = line.item is not None and line.po_line_key is not None and not line.other_po
    counted = line.counted_qty
    damaged = min(line.damaged_qty or ZERO, counted) if counted is not None else (line.damaged_qty or ZERO)

    if not line.unit_known:
        # Nothing about quantities can be judged yet; nothing is booked (blocking).
        flags.add(UNKNOWN_UNIT)
        if not on_po:
            flags.add(NOT_ON_PO)
        if counted is None:
            flags.add(NOT_COUNTED)
        result.blocking.append(UNKNOWN_UNIT)
        return result
    if not on_po:
        flags.add(NOT_ON_PO)
    else:
        key = line.po_line_key
        outstanding_note = max(left_by_note.get(key, ZERO), ZERO)
        result.outstanding_before = max(left_by_count.get(key, ZERO), ZERO)
        left_by_note[key] = outstanding_note - line.note_qty
        good_counted = (counted - damaged) if counted is not None else ZERO
        if line.note_qty > outstanding_note or good_counted > result.outstanding_before:
            flags.add(OVER_PO)
        if (line.note_price is not None and line.po_price is not None
                and abs(line.note_price - line.po_price) > PRICE_TOLERANCE):
            flags.add(PRICE_MISMATCH)
    if counted is None:
        flags.add(NOT_COUNTED)
    else:
        if counted < line.note_qty:
            flags.add(SHORT)
        elif counted > line.note_qty:
            flags.add(OVER_COUNT)
    if damaged > 0:
        flags.add(DAMAGED)
    if line.expiry_date is not None:
        if line.expiry_date < today:
            flags.add(EXPIRED)
        elif (line.item is not None and line.item.min_shelf_life_days
              and (line.expiry_date - today).days < line.item.min_shelf_life_days):
            flags.add(NEAR_EXPIRY)
    if on_po:
        if needs_lot(line.item) and not line.lot_no:
            flags.add(NO_LOT)
        if line.item.tracks_expiry and line.expiry_date is None:
            flags.add(NO_EXPIRY)
        if line.item.is_assembly and not line.certificate:
            flags.add(NO_CERTIFICATE)

    if counted is not None:
        _dispose(line, result, counted, damaged, left_by_count)
    _blocking(line, result)
    return result


def _dispose(line: LineInput, result: LineResult, counted: Decimal, damaged: Decimal,
             left_by_count: dict) -> None:
    reasons: dict[str, Decimal] = {}
    flags = result.flags
    good = counted - damaged
    if damaged:
        reasons[R_DAMAGED] = damaged
    if NOT_ON_PO in flags:
        if good:
            reasons[R_NOT_ON_PO] = good
        good = ZERO
    elif EXPIRED in flags:
        if good:
            reasons[R_EXPIRED] = good
        good = ZERO
    else:
        if NEAR_EXPIRY in flags and NEAR_EXPIRY not in line.approved:
            if good:
                reasons[R_NEAR_EXPIRY] = good
            good = ZERO
        if OVER_PO in flags and OVER_PO not in line.approved and good > result.outstanding_before:
            reasons[R_OVER_PO] = good - result.outstanding_before
            good = result.outstanding_before
        left_by_count[line.po_line_key] = result.outstanding_before - good
    result.accepted_qty = good
    result.rejected_reasons = reasons
    result.rejected_qty = sum(reasons.values(), ZERO)


def _blocking(line: LineInput, result: LineResult) -> None:
    flags = result.flags
    if NOT_COUNTED in flags:
        result.blocking.append(NOT_COUNTED)
        return
    if result.accepted_qty <= 0:
        return  # nothing goes into stock from this line
    result.blocking.extend(f for f in MISSING_DATA if f in flags)
    if PRICE_MISMATCH in flags and PRICE_MISMATCH not in line.approved:
        result.blocking.append(PRICE_MISMATCH)


def discrepancy_rows(line: LineInput, result: LineResult) -> list[dict]:
    """What to keep about each flag of a posted line: flag, qty concerned, outcome."""
    rows = []
    counted = line.counted_qty or ZERO
    for flag in sorted(result.flags):
        if flag == SHORT:
            rows.append({"flag": flag, "qty": line.note_qty - counted, "outcome": "outstanding"})
        elif flag == OVER_COUNT:
            rows.append({"flag": flag, "qty": counted - line.note_qty, "outcome": "noted"})
        elif flag == DAMAGED:
            rows.append({"flag": flag, "qty": result.rejected_reasons.get(R_DAMAGED, ZERO),
                         "outcome": "rejected"})
        elif flag in (NOT_ON_PO, EXPIRED):
            reason = R_NOT_ON_PO if flag == NOT_ON_PO else R_EXPIRED
            rows.append({"flag": flag, "qty": result.rejected_reasons.get(reason, ZERO),
                         "outcome": "rejected"})
        elif flag in APPROVAL_ROLES:
            reason = {OVER_PO: R_OVER_PO, NEAR_EXPIRY: R_NEAR_EXPIRY}.get(flag)
            if flag in line.approved:
                rows.append({"flag": flag, "qty": _flag_qty(flag, line, result),
                             "outcome": "approved"})
            else:
                rows.append({"flag": flag, "qty": result.rejected_reasons.get(reason, ZERO)
                             if reason else ZERO, "outcome": "rejected" if reason else "noted"})
        else:
            rows.append({"flag": flag, "qty": ZERO, "outcome": "noted"})
    return rows


def _flag_qty(flag: str, line: LineInput, result: LineResult) -> Decimal:
    if flag == OVER_PO:
        return max(result.accepted_qty - result.outstanding_before, ZERO)
    if flag == NEAR_EXPIRY:
        return result.accepted_qty
    return line.note_qty


def po_status(lines: Iterable[tuple[Decimal, Decimal]], current: str) -> str:
    """Status of an approved PO from (ordered, received) per line."""
    if current in ("draft", "cancelled", "closed"):
        return current
    lines = list(lines)
    received = [r for _, r in lines]
    if lines and all(r >= o for o, r in lines):
        return "received"
    if any(r > 0 for r in received):
        return "partially_received"
    return "approved"


def paperwork_overdue(arrived_local: datetime, now_local: datetime,
                      calendar: WorkCalendar | None = None) -> bool:
    """A delivery still open after one working day (both in local time), counted in
    the warehouse's calendar (holidays, weekend days worked) — the same deadline as a
    claim's step. 004 ㈠8: each step of the paperwork within one working day."""
    return now_local > (calendar or WorkCalendar()).due_after_one_working_day(arrived_local)


def check_too_slow(arrived: datetime, posted: datetime) -> bool:
    return posted - arrived > CHECK_LIMIT
