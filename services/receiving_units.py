"""Units on receipts: a delivery sheet's unit ("5 箱", "24 PCE") converted to the item's
stock unit with the item's (or the supplier's own) pack factor; lines in a unit the item
does not know are flagged UNKNOWN_UNIT and wait; the value booked for a line ordered by
the pack is exactly the pack price times the packs, split into cost tiers when the
price per stock unit has more than four places (domain.units.cost_tiers).

Receipt line columns (db.models.ReceiptLine):
- ``unit_text``: the unit as the sheet wrote it ("" when it gave none);
- ``unit``: its code when known; ``unit_factor``: stock units per sheet unit, set once
  known and never changed afterwards (a posted line keeps the factor it was posted with);
- ``note_qty_in_unit``: the sheet's quantity in its own unit;
- ``note_qty``: the same in the stock unit (provisionally the sheet's number while the
  unit is unknown: the line is blocked then).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import Item, Lot, PurchaseOrderLine, Receipt, ReceiptLine
from domain.units import BadQuantity, UnitBook, cost_tiers, line_value, to_stock_qty
from services.common import audit, clean_text, require_role
from services.errors import InvalidState, NotFound, ValidationError
from services.units import factors_in, unit_book_in, unit_of_line

RECEIVE_ROLES = ("receiver", "keeper")


def line_unit_columns(book: UnitBook, factors: dict[str, Decimal], stock_unit: str | None,
                      unit_text: str, qty: Decimal, row: int) -> dict:
    """The unit columns of a new receipt line whose sheet says ``qty`` ``unit_text``."""
    text = (unit_text or "").strip()[:20]
    if not text or stock_unit is None:
        # No unit on the sheet (the stock unit is assumed), or an item not in the
        # catalogue (NOT_ON_PO anyway): the quantity stands as written.
        return {"unit_text": text, "unit": None, "unit_factor": None,
                "note_qty_in_unit": qty if text else None, "note_qty": qty}
    unit = unit_of_line(book, stock_unit, factors, text)
    columns = {"unit_text": text, "unit": unit.code, "unit_factor": unit.factor,
               "note_qty_in_unit": qty, "note_qty": qty}
    if unit.known:
        columns["note_qty"] = _in_stock_unit(qty, unit.factor, text, row)
    return columns


def _in_stock_unit(qty: Decimal, factor: Decimal, unit_text: str, row: int) -> Decimal:
    try:
        return to_stock_qty(qty, factor)
    except BadQuantity:
        raise ValidationError("qty_not_in_stock_unit", field="qty", qty=str(qty),
                              unit=unit_text, row=row) from None


def unit_columns_for_lines(session: Session, supplier_id: int, items: Iterable,
                           lines: list[dict]) -> list[dict]:
    """``line_unit_columns`` for cleaned sheet lines (dicts with ``qty``, ``unit``,
    ``row``) matched to ``items`` (an item row or None per line)."""
    items = list(items)
    book = unit_book_in(session)
    factors = factors_in(session, [i.id for i in items if i is not None], supplier_id)
    return [line_unit_columns(book, factors.get(item.id, {}) if item else {},
                              item.unit if item else None, line.get("unit") or "",
                              line["qty"], line["row"])
            for item, line in zip(items, lines)]


def is_unit_known(line: ReceiptLine) -> bool:
    return not line.unit_text or line.unit_factor is not None or line.item_id is None


def resolve_waiting_units(session: Session, receipt: Receipt, lines: list[ReceiptLine]
                          ) -> list[int]:
    """Lines flagged UNKNOWN_UNIT whose unit master data has since defined: their
    factor is taken now (and kept). Returns the line numbers resolved."""
    waiting = [line for line in lines if not is_unit_known(line)]
    if not waiting:
        return []
    book = unit_book_in(session)
    factors = factors_in(session, [line.item_id for line in waiting], receipt.supplier_id)
    units = dict(session.execute(select(Item.id, Item.unit).where(
        Item.id.in_([line.item_id for line in waiting]))).all())
    resolved = []
    for line in waiting:
        unit = unit_of_line(book, units[line.item_id], factors[line.item_id], line.unit_text)
        if unit.known:
            _apply_unit(line, unit.code or line.unit_text, unit.factor)
            resolved.append(line.line_no)
    return resolved


def _apply_unit(line: ReceiptLine, code: str, factor: Decimal) -> None:
    line.unit, line.unit_factor = code, factor
    line.note_qty = _in_stock_unit(line.note_qty_in_unit, factor, line.unit_text,
                                   line.sheet_row or line.line_no)


def pick_line_unit(db: Database, *, actor, receipt, line_no, unit) -> None:
    """The receiver says which unit an UNKNOWN_UNIT line's quantity is in: the item's
    stock unit or one of its pack units (for this supplier). Open receipts only."""
    text = clean_text(unit, "unit", max_len=20, required=True)

    def work(session):
        require_role(session, actor, *RECEIVE_ROLES)
        rec = session.scalar(select(Receipt).where(Receipt.number == receipt)
                             .with_for_update())
        if rec is None:
            raise NotFound(what="receipt", key=receipt)
        if rec.status != "open":
            raise InvalidState(state=rec.status, number=receipt)
        line = session.scalar(select(ReceiptLine).where(
            ReceiptLine.receipt_id == rec.id, ReceiptLine.line_no == line_no))
        if line is None or line.item_id is None:
            raise NotFound(what="receipt_line", key=f"{receipt} #{line_no}")
        if line.note_qty_in_unit is None:
            line.note_qty_in_unit = line.note_qty
            line.unit_text = line.unit_text or text
        item = session.get(Item, line.item_id)
        factors = factors_in(session, [item.id], rec.supplier_id)[item.id]
        chosen = unit_of_line(unit_book_in(session), item.unit, factors, text)
        if not chosen.known:
            raise ValidationError("unknown_unit", field="unit", unit=text, row=line_no)
        _apply_unit(line, chosen.code or text, chosen.factor)
        audit(session, actor, "receipt.pick_unit", "receipt", receipt, line_no=line_no,
              unit=line.unit, factor=chosen.factor, sheet_unit=line.unit_text)

    db.write(work)


# --- prices and value -------------------------------------------------------------------
def note_price_comparable(line: ReceiptLine, po_line: PurchaseOrderLine | None
                              ) -> Decimal | None:
    """The sheet's price made comparable with the PO's: per pack when both are in the
    same pack unit (compared then with the PO's pack price), else per stock unit."""
    price = line.note_unit_price
    if price is None or not line.unit_factor or line.unit_factor == 1:
        return price
    if po_line is not None and po_line.unit is not None and po_line.unit == line.unit:
        return price     # compared with the pack price: see po_price_for
    return price / line.unit_factor


def po_price_for(line: ReceiptLine, po_line: PurchaseOrderLine | None) -> Decimal | None:
    if po_line is None:
        return None
    if (po_line.unit is not None and line.unit_factor and line.unit_factor != 1
            and po_line.unit == line.unit):
        return po_line.unit_pack_price
    return po_line.unit_price


def lot_tiers(accepted_qty: Decimal, po_line: PurchaseOrderLine) -> list[tuple[Decimal, Decimal]]:
    """(qty, unit cost) of the lots one accepted line becomes. Ordered by the pack: the
    value is exactly packs x pack price (pro rata for loose units), split into at most
    two cost tiers of 4-place unit costs whose values add up to it exactly — the
    rounding residue is the second, 0.0001 dearer tier (see domain.units.cost_tiers).
    Ordered by the stock unit: one lot at the PO price, as always."""
    if po_line.unit_pack_price is None or not po_line.unit_factor:
        return [(accepted_qty, po_line.unit_price)]
    value = line_value(accepted_qty, po_line.unit_pack_price, po_line.unit_factor)
    return [(tier.qty, tier.unit_cost) for tier in cost_tiers(accepted_qty, value)]


def line_lots_in_quarantine(session: Session, main: Lot, *, lock: bool = True) -> list[Lot]:
    """A posted line's lots still in quarantine, its own lot first: a line bought by the
    pack may have a second cost tier (same receipt, item, lot no., bin and received
    time), which QC releases with it. In id order, locked for update unless ``lock``
    is false (reading)."""
    if main.status != "quarantine":
        return []
    query = select(Lot).where(
        Lot.receipt_number == main.receipt_number, Lot.item_id == main.item_id,
        Lot.location_id == main.location_id, Lot.lot_no == main.lot_no,
        Lot.received_at == main.received_at, Lot.status == "quarantine",
        Lot.origin_lot_id.is_(None), Lot.id > main.id, Lot.qty_on_hand > 0,
        Lot.unit_cost == main.unit_cost + Decimal("0.0001")).order_by(Lot.id).limit(1)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return [main, *session.scalars(query)]


def split_over(lots: list[Lot], qty: Decimal) -> list[tuple[Lot, Decimal]]:
    """``qty`` taken from ``lots`` in order (the caller checked there is enough)."""
    parts, left = [], qty
    for lot in lots:
        take = min(lot.qty_on_hand, left)
        if take > 0:
            parts.append((lot, take))
            left -= take
    return parts
