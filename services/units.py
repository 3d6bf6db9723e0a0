"""Units of measure and pack units (箱 = 12 个; a supplier's own 箱 = 10 个).

Every item keeps and issues stock in its stock unit (``item.unit``). Pack units say how
many stock units one pack holds; purchase orders and delivery sheets may use them, and
are converted here. Units are data: the standard ones (domain.units) plus the rows of
``unit_of_measure``, each with an English and a Chinese name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import Item, ItemPackUnit, Supplier, UnitOfMeasure
from domain.units import (
    BadQuantity,
    Unit,
    UnitBook,
    UnknownUnit,
    check_factor,
    factors_by_unit,
    parse_quantity,
    total_in_stock_unit,
)
from services.common import audit, clean_text, get_or_404, require_role, to_decimal
from services.errors import Duplicate, NotFound, ValidationError

MASTER_DATA_ROLES = ("admin", "supervisor")


# --- the unit book -------------------------------------------------------------------
def unit_book_in(session: Session) -> UnitBook:
    rows = session.scalars(select(UnitOfMeasure).order_by(UnitOfMeasure.id))
    return UnitBook(Unit(r.code, r.name_en, r.name_zh,
                         tuple(a.strip() for a in r.aliases.split(",") if a.strip()))
                    for r in rows)


def unit_book(db: Database) -> UnitBook:
    with db.read() as session:
        return unit_book_in(session)


def unit_name(db: Database, code: str | None, language: str) -> str:
    return unit_book(db).name(code, language)


def list_units(db: Database) -> list[dict]:
    """Every known unit: code, English and Chinese names."""
    return [{"code": u.code, "name_en": u.name_en, "name_zh": u.name_zh,
             "aliases": ", ".join(u.aliases)} for u in unit_book(db).units.values()]


def define_unit(db: Database, *, actor, code, name_en, name_zh="", aliases="") -> None:
    """Add a unit, or rename one the database added (standard codes stay as they are)."""
    code = clean_text(code, "code", max_len=20, required=True)
    name_en = clean_text(name_en, "name", max_len=40, required=True)
    name_zh = clean_text(name_zh, "name_zh", max_len=40)
    aliases = clean_text(aliases, "aliases", max_len=200)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        row = session.scalar(select(UnitOfMeasure).where(UnitOfMeasure.code == code))
        if row is None:
            known = unit_book_in(session).resolve(code)
            if known is not None:
                raise Duplicate(field="unit", value=code)
            row = UnitOfMeasure(code=code)
            session.add(row)
        row.name_en, row.name_zh, row.aliases = name_en, name_zh, aliases
        audit(session, actor, "unit.define", "unit", code, name_en=name_en, name_zh=name_zh)

    db.write(work)


def stock_unit_code(session: Session, text: str) -> str:
    """The code an item stores for its stock unit: a known spelling becomes its unit's
    code (个 -> pcs); anything else is kept as written (shown as is)."""
    return unit_book_in(session).resolve(text) or text


# --- pack units ------------------------------------------------------------------------
@dataclass(frozen=True)
class PackUnit:
    sku: str
    unit: str
    factor: Decimal
    supplier: str | None      # supplier code, None for every supplier
    stock_unit: str


def _factor(value, row: int | None = None) -> Decimal:
    where = {"field": "factor"} if row is None else {"field": "factor", "row": row}
    try:
        return check_factor(value)
    except ValueError as exc:
        code = str(exc)
        raise ValidationError("invalid_factor" if code == "absurd_factor" else code,
                              value=str(value), places=3, **where) from None


def set_pack_unit(db: Database, *, actor, sku, unit, factor, supplier=None,
                  replace=False) -> None:
    """One ``unit`` of item ``sku`` holds ``factor`` stock units (for ``supplier`` only
    when given). The same unit twice for one item and supplier is refused unless
    ``replace``; a changed factor applies to new documents only (posted ones keep theirs)."""
    value = _factor(factor)
    text = clean_text(unit, "unit", max_len=20, required=True)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        _upsert_pack_unit(session, actor, sku, text, value, supplier, replace)

    db.write(work)


def _upsert_pack_unit(session, actor, sku, text, factor, supplier, replace, row=None) -> None:
    where = {} if row is None else {"row": row}
    item = get_or_404(session, Item, "item", sku=sku)
    book = unit_book_in(session)
    code = book.resolve(text) or text
    if code == (book.resolve(item.unit) or item.unit):
        raise ValidationError("pack_unit_is_stock_unit", field="unit", unit=text, sku=sku,
                              **where)
    supplier_id = _supplier_id(session, supplier)
    existing = session.scalar(select(ItemPackUnit).where(
        ItemPackUnit.item_id == item.id, ItemPackUnit.unit == code,
        ItemPackUnit.supplier_id.is_(None) if supplier_id is None
        else ItemPackUnit.supplier_id == supplier_id))
    if existing is not None and existing.factor != factor and not replace:
        raise Duplicate(field="unit", value=text, **where)
    before = existing.factor if existing is not None else None
    if existing is None:
        session.add(ItemPackUnit(item_id=item.id, supplier_id=supplier_id, unit=code,
                                 factor=factor))
    else:
        existing.factor = factor
    audit(session, actor, "item.pack_unit", "item", sku, unit=code, factor=factor,
          supplier=supplier or "", before=before)


def remove_pack_unit(db: Database, *, actor, sku, unit, supplier=None) -> None:
    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        item = get_or_404(session, Item, "item", sku=sku)
        code = unit_book_in(session).resolve(unit) or unit
        supplier_id = _supplier_id(session, supplier)
        row = session.scalar(select(ItemPackUnit).where(
            ItemPackUnit.item_id == item.id, ItemPackUnit.unit == code,
            ItemPackUnit.supplier_id.is_(None) if supplier_id is None
            else ItemPackUnit.supplier_id == supplier_id))
        if row is None:
            raise NotFound(what="pack_unit", key=f"{sku} {unit}")
        session.delete(row)
        audit(session, actor, "item.pack_unit_remove", "item", sku, unit=code,
              supplier=supplier or "")

    db.write(work)


def import_pack_units(session, actor, rows: Iterable[dict]) -> None:
    """Pack units from the item import (inside its transaction): rows with sku, unit,
    factor, supplier and the sheet row; a unit twice for one item and supplier in the
    file is refused."""
    seen: dict[tuple, int] = {}
    book = unit_book_in(session)
    for row in rows:
        key = (row["sku"], book.resolve(row["unit"]) or row["unit"], row.get("supplier") or None)
        if key in seen:
            raise Duplicate(field="pack_unit", value=f"{row['sku']} {row['unit']}",
                            row=row["row"])
        seen[key] = row["row"]
        _upsert_pack_unit(session, actor, row["sku"], row["unit"], row["factor"],
                          row.get("supplier") or None, replace=True, row=row["row"])


def _supplier_id(session, code: str | None) -> int | None:
    if not code:
        return None
    return get_or_404(session, Supplier, "supplier", code=str(code).strip().upper()).id


def pack_units(db: Database, sku: str) -> list[PackUnit]:
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=sku)
        rows = session.execute(
            select(ItemPackUnit.unit, ItemPackUnit.factor, Supplier.code)
            .outerjoin(Supplier, Supplier.id == ItemPackUnit.supplier_id)
            .where(ItemPackUnit.item_id == item.id)
            .order_by(Supplier.code.is_not(None), Supplier.code, ItemPackUnit.unit))
        return [PackUnit(sku, unit, factor, supplier, item.unit)
                for unit, factor, supplier in rows]


# --- conversion --------------------------------------------------------------------------
def factors_in(session: Session, item_ids: Iterable[int], supplier_id: int | None
               ) -> dict[int, dict[str, Decimal]]:
    """Per item: pack unit code -> factor as ``supplier_id`` sees them."""
    ids = list(dict.fromkeys(item_ids))
    rows: dict[int, list] = {i: [] for i in ids}
    if ids:
        for item_id, unit, factor, row_supplier in session.execute(
                select(ItemPackUnit.item_id, ItemPackUnit.unit, ItemPackUnit.factor,
                       ItemPackUnit.supplier_id).where(ItemPackUnit.item_id.in_(ids))):
            rows[item_id].append((unit, factor, row_supplier))
    return {i: dict(factors_by_unit(r, supplier_id)) for i, r in rows.items()}


@dataclass(frozen=True)
class UnitOfLine:
    """How a document line's unit reads: its code (None: unknown) and factor to the
    stock unit (None: unknown for this item and supplier)."""

    text: str
    code: str | None
    factor: Decimal | None

    @property
    def known(self) -> bool:
        return self.factor is not None


def unit_of_line(book: UnitBook, stock_unit: str, factors: dict[str, Decimal],
                 text: str | None) -> UnitOfLine:
    """No unit, or the stock unit: factor 1. A pack unit of this item: its factor."""
    raw = (text or "").strip()
    if not raw:
        return UnitOfLine("", None, Decimal(1))
    code = book.resolve(raw)
    if code is not None and code == (book.resolve(stock_unit) or stock_unit):
        return UnitOfLine(raw, code, Decimal(1))
    if code is None and raw == stock_unit:
        return UnitOfLine(raw, raw, Decimal(1))
    key = code or raw
    return UnitOfLine(raw, code, factors.get(key))


def quantity_in_stock_unit(book: UnitBook, stock_unit: str, factors: dict[str, Decimal],
                           text: str, *, field: str = "qty", row: int | None = None) -> Decimal:
    """"3 箱 + 5 个" -> 41 (for 箱 = 12 个). Unknown units and nonsense are refused."""
    where = {"field": field} if row is None else {"field": field, "row": row}

    def factor_of(unit_text: str) -> Decimal:
        unit = unit_of_line(book, stock_unit, factors, unit_text)
        if not unit.known:
            raise UnknownUnit(unit_text)
        return unit.factor

    try:
        parts = [(qty, None if not unit else unit) for qty, unit in parse_quantity(text)]
        return total_in_stock_unit(parts, lambda u: factor_of(u))
    except UnknownUnit as exc:
        raise ValidationError("unknown_unit", unit=exc.unit, **where) from None
    except BadQuantity:
        raise ValidationError("not_a_quantity", value=str(text), **where) from None


# --- quantities typed in packs on counts ------------------------------------------------
def number_or_packs(raw, field: str, *, row=None, places: int = 3, maximum=None) -> Decimal | str:
    """A typed quantity: a number in the stock unit, or packs and pieces as counted
    ("3 箱 + 5") kept as text until the item's pack sizes convert it
    (``packs_in_stock_units``). Anything else is refused as not a number."""
    limit = {} if maximum is None else {"maximum": maximum}
    try:
        return to_decimal(raw, field, places=places, row=row, **limit)
    except ValidationError:
        text = clean_text(raw, field, max_len=60, row=row)
        try:
            units = [unit for _n, unit in parse_quantity(text)]
        except BadQuantity:
            units = []
        # a unit is a word (箱, PCE): "1_000" is a badly written number, not 1 "_"
        with_units = any(units) and all(unit.isalpha() for unit in units if unit)
        if not with_units:
            raise
        return text


def packs_in_stock_units(session: Session, counts: list[tuple[int, int, str]], *,
                         supplier_id: int | None = None, field: str = "qty",
                         places: int = 3) -> dict[int, Decimal]:
    """(row, item id, "3 箱 + 5") -> row: the quantity in the item's stock unit, with
    ``supplier_id``'s own pack sizes where given. Every row that does not convert is
    reported at once (nothing is written by the caller)."""
    if not counts:
        return {}
    ids = {item_id for _row, item_id, _text in counts}
    stock_units = dict(session.execute(select(Item.id, Item.unit).where(Item.id.in_(ids))).all())
    factors, book = factors_in(session, ids, supplier_id), unit_book_in(session)
    converted, errors = {}, []
    for row, item_id, text in counts:
        try:
            converted[row] = to_decimal(quantity_in_stock_unit(
                book, stock_units[item_id], factors[item_id], text, field=field, row=row),
                field, places=places, row=row)
        except ValidationError as exc:
            errors.append({"row": row, "code": exc.code, "params": exc.params})
    if len(errors) == 1:
        raise ValidationError(errors[0]["code"], **errors[0]["params"])
    if errors:
        raise ValidationError("count_rows_invalid", count=len(errors), errors=errors)
    return converted


# --- the item import's pack-units column ----------------------------------------------------
PACK_UNITS_FIELD = "pack_units"
PACK_UNITS_HEADERS = {
    "pack_units": PACK_UNITS_FIELD, "pack units": PACK_UNITS_FIELD,
    "pack unit": PACK_UNITS_FIELD, "包装单位": PACK_UNITS_FIELD, "换算": PACK_UNITS_FIELD,
    "单位换算": PACK_UNITS_FIELD,
}
_CELL_SEPARATORS = re.compile(r"[;；,，、\n]+")


def pack_unit_cells(sku: str, cell, row: int) -> list[dict]:
    """"箱=12; 件=4; BOSCH:箱=10" -> pack-unit rows for ``import_pack_units``."""
    text = "" if cell is None else str(cell).strip()
    rows = []
    for entry in filter(None, (e.strip() for e in _CELL_SEPARATORS.split(text))):
        supplier, _, rest = entry.rpartition(":") if ":" in entry else ("", "", entry)
        unit, sep, factor = rest.replace("＝", "=").partition("=")
        if not sep or not unit.strip():
            raise ValidationError("invalid_pack_units", field=PACK_UNITS_FIELD, value=entry,
                                  row=row)
        rows.append({"sku": sku, "unit": unit.strip(), "factor": _factor(factor.strip(), row),
                     "supplier": supplier.strip().upper() or None, "row": row})
    return rows


def convert_quantity(db: Database, *, sku: str, text: str, supplier: str | None = None,
                     field: str = "qty") -> Decimal:
    """A quantity as typed for ``sku`` ("3 箱 + 5 个", "24", "2 CTN") in its stock unit,
    with ``supplier``'s own pack sizes when given. Screens show it before confirming."""
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=sku)
        supplier_id = _supplier_id(session, supplier)
        factors = factors_in(session, [item.id], supplier_id)[item.id]
        return quantity_in_stock_unit(unit_book_in(session), item.unit, factors, text,
                                      field=field)


def pack_units_for(db: Database, skus: Iterable[str]) -> dict[str, list[PackUnit]]:
    """Pack units of many items at once (count sheets list them beside the stock unit)."""
    wanted = list(dict.fromkeys(skus))
    result: dict[str, list[PackUnit]] = {sku: [] for sku in wanted}
    if not wanted:
        return result
    with db.read() as session:
        rows = session.execute(
            select(Item.sku, Item.unit, ItemPackUnit.unit, ItemPackUnit.factor, Supplier.code)
            .join(ItemPackUnit, ItemPackUnit.item_id == Item.id)
            .outerjoin(Supplier, Supplier.id == ItemPackUnit.supplier_id)
            .where(Item.sku.in_(wanted))
            .order_by(Item.sku, Supplier.code.is_not(None), Supplier.code, ItemPackUnit.unit))
        for sku, stock_unit, unit, factor, supplier in rows:
            result[sku].append(PackUnit(sku, unit, factor, supplier, stock_unit))
    return result
