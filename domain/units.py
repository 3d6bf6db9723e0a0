"""Units of measure: names, pack units with factors, quantities such as "3 箱 + 5 个",
and exact costing of goods bought by the pack and kept by the stock unit.

Pure Python: the services pass in the units and factors they read from the database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Mapping

QTY_QUANTUM = Decimal("0.001")      # stock quantities: 3 places (db.types.QTY_SCALE)
COST_QUANTUM = Decimal("0.0001")    # unit costs and prices: 4 places, so qty x cost is exact
FACTOR_QUANTUM = Decimal("0.001")
MIN_FACTOR = Decimal("0.001")
MAX_FACTOR = Decimal("100000")      # beyond this a pack factor is a typing error


@dataclass(frozen=True)
class Unit:
    """A unit as data: a code (what items store), its names, and the spellings found
    on suppliers' sheets."""

    code: str
    name_en: str
    name_zh: str
    aliases: tuple[str, ...] = ()

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" and self.name_zh else self.name_en

    def spellings(self) -> tuple[str, ...]:
        return (self.code, self.name_en, self.name_zh, *self.aliases)


# 单位规范统一: the standard units every database knows; a database adds its own rows.
# Traditional forms (個, 隻, 對, 張 …) are spellings too: Hong Kong and Taiwan sheets.
STANDARD_UNITS: tuple[Unit, ...] = (
    # Chinese measure words for one single thing (1 台 engine, 2 条 belts) are pieces too:
    # they match only items kept by the piece; a set item's sheet in 片 stays unknown.
    Unit("pcs", "pcs", "个", ("pc", "pce", "ea", "each", "piece", "pieces", "只", "枚", "台",
                             "根", "条", "片", "块", "支", "把", "颗", "粒",
                             "個", "隻", "臺", "條", "塊", "顆")),
    Unit("set", "set", "套", ("sets", "st")),
    Unit("box", "box", "箱", ("ctn", "carton", "cartons", "boxes", "bx")),
    Unit("case", "case", "件", ("cases", "pkg", "package")),
    Unit("drum", "drum", "桶", ("drums", "barrel", "dr")),
    Unit("L", "L", "升", ("l", "ltr", "litre", "liter", "litres", "liters")),
    Unit("bottle", "bottle", "瓶", ("bottles", "btl")),
    Unit("pair", "pair", "对", ("pairs", "pr", "副", "對", "双", "雙")),
    Unit("pack", "pack", "包", ("packs", "pk", "bag", "袋")),
    Unit("roll", "roll", "卷", ("rolls", "rl", "捲")),
    Unit("m", "m", "米", ("metre", "meter", "metres", "meters", "mtr")),
    Unit("kg", "kg", "千克", ("kgs", "kilogram", "公斤")),
    Unit("can", "can", "罐", ("cans", "tin")),
    Unit("sheet", "sheet", "张", ("sheets", "張")),
)


def spelling_key(text: str) -> str:
    """How a unit spelling is compared: trimmed, case-folded, no inner spaces."""
    return re.sub(r"\s+", "", str(text or "")).casefold()


class UnitBook:
    """Every known unit, looked up by any of its spellings."""

    def __init__(self, extra: Iterable[Unit] = ()):
        self.units: dict[str, Unit] = {}
        self._by_spelling: dict[str, str] = {}
        for unit in (*STANDARD_UNITS, *extra):
            self.add(unit)

    def add(self, unit: Unit) -> None:
        self.units[unit.code] = unit
        for spelling in unit.spellings():
            key = spelling_key(spelling)
            if key:
                # A database's own unit may rename a standard one, never steal its code.
                self._by_spelling.setdefault(key, unit.code)
        self._by_spelling[spelling_key(unit.code)] = unit.code

    def resolve(self, text: str | None) -> str | None:
        """The unit code for a spelling ("箱", "CTN", "box"), or None when unknown."""
        return self._by_spelling.get(spelling_key(text)) if text else None

    def name(self, code: str | None, language: str) -> str:
        """The unit's name in ``language``; an unknown code is shown as it is."""
        if not code:
            return ""
        unit = self.units.get(code) or self.units.get(self.resolve(code) or "")
        return unit.name(language) if unit else code


class UnknownUnit(Exception):
    def __init__(self, unit: str):
        super().__init__(unit)
        self.unit = unit


class BadQuantity(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


# "3 箱 + 5 个", "24 PCE", "2箱", "1.5 L", "3箱5个": numbers each followed by an optional unit.
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([^\d\s+.,，、]*)\s*")


def parse_quantity(text: str) -> list[tuple[Decimal, str]]:
    """Split a quantity as people write it into (number, unit text) parts; the unit
    text is "" when none was written. Raises BadQuantity for anything else."""
    raw = str(text or "").strip()
    parts: list[tuple[Decimal, str]] = []
    pos = 0
    while pos < len(raw):
        match = _PART.match(raw, pos)
        if match is None or match.end() == pos:
            raise BadQuantity(raw)
        parts.append((Decimal(match.group(1)), match.group(2)))
        pos = match.end()
        if pos < len(raw) and raw[pos] in "+＋,，、":
            pos += 1
            if pos >= len(raw):
                raise BadQuantity(raw)
    if not parts:
        raise BadQuantity(raw)
    return parts


def check_factor(factor) -> Decimal:
    """A pack factor: positive, at most 3 places, not absurd. Raises ValueError."""
    try:
        value = Decimal(str(factor).strip()) if not isinstance(factor, Decimal) else factor
    except (InvalidOperation, ValueError):
        raise ValueError("not_a_number") from None
    if isinstance(factor, (bool, float)) or not value.is_finite():
        raise ValueError("not_a_number")
    if value <= 0:
        raise ValueError("must_be_positive")
    if value < MIN_FACTOR or value > MAX_FACTOR:
        raise ValueError("absurd_factor")
    if value != value.quantize(FACTOR_QUANTUM):
        raise ValueError("too_many_decimals")
    return value


def to_stock_qty(qty: Decimal, factor: Decimal) -> Decimal:
    """``qty`` packs of ``factor`` stock units. Raises BadQuantity when the result needs
    more than the 3 places a stock quantity has (1.5 桶 of 3.785 L = 5.6775 L)."""
    stock = Decimal(qty) * Decimal(factor)
    if stock != stock.quantize(QTY_QUANTUM):
        raise BadQuantity(f"{qty} x {factor}")
    return stock.quantize(QTY_QUANTUM)


def total_in_stock_unit(parts: Iterable[tuple[Decimal, str | None]], factor_of) -> Decimal:
    """Sum of parts (number, unit code or None for the stock unit); ``factor_of(code)``
    gives the factor or raises UnknownUnit."""
    total = Decimal(0)
    for qty, code in parts:
        total += Decimal(qty) if code is None else to_stock_qty(qty, factor_of(code))
    return total


def in_packs(stock_qty: Decimal, factor: Decimal) -> tuple[Decimal, Decimal]:
    """(whole packs, loose stock units) of a stock quantity: 41 个 of 12 → (3, 5)."""
    packs = (Decimal(stock_qty) / Decimal(factor)).to_integral_value(ROUND_DOWN)
    return packs, Decimal(stock_qty) - packs * Decimal(factor)


# --- exact costing -----------------------------------------------------------
def line_value(stock_qty: Decimal, pack_price: Decimal, factor: Decimal = Decimal(1)) -> Decimal:
    """What ``stock_qty`` stock units cost at ``pack_price`` per pack of ``factor``:
    exactly n x pack price for n whole packs; loose units at the pro-rata value rounded
    to the price's 4 places."""
    packs = Decimal(stock_qty) / Decimal(factor)
    if packs == packs.to_integral_value():
        return packs.to_integral_value() * Decimal(pack_price)
    return (Decimal(stock_qty) * Decimal(pack_price) / Decimal(factor)).quantize(
        COST_QUANTUM, ROUND_HALF_UP)


@dataclass(frozen=True)
class CostTier:
    qty: Decimal
    unit_cost: Decimal

    @property
    def value(self) -> Decimal:
        return self.qty * self.unit_cost


def cost_tiers(stock_qty: Decimal, value: Decimal) -> list[CostTier]:
    """Book ``value`` over ``stock_qty`` with unit costs of 4 places, exactly.

    When value ÷ qty has more places, the rounding residue is not lost: the quantity is
    split into two tiers, most of it at the cost rounded down and the remainder one
    0.0001 dearer (100.00 for 12 个: 8 at 8.3333 and 4 at 8.3334 = 100.0000). Each tier
    becomes its own lot, so "value out of a lot == qty x its unit cost" holds and
    issuing all of it returns exactly the value booked.
    """
    qty, value = Decimal(stock_qty), Decimal(value)
    if qty <= 0:
        raise ValueError("quantity must be positive")
    base = (value / qty).quantize(COST_QUANTUM, ROUND_DOWN)
    residue = value - qty * base              # 0 <= residue < qty x 0.0001
    if residue == 0:
        return [CostTier(qty, base)]
    dearer_qty = residue / COST_QUANTUM        # in stock units, 3 places
    if dearer_qty != dearer_qty.quantize(QTY_QUANTUM):
        raise ValueError("value has more than 4 places")
    return [CostTier(qty - dearer_qty, base), CostTier(dearer_qty, base + COST_QUANTUM)]


def factors_by_unit(rows: Iterable[tuple[str, Decimal, int | None]],
                    supplier_id: int | None) -> Mapping[str, Decimal]:
    """An item's pack factors as one supplier sees them: (unit, factor, supplier) rows,
    a supplier's own factor winning over the item's general one for the same unit."""
    general: dict[str, Decimal] = {}
    own: dict[str, Decimal] = {}
    for unit, factor, row_supplier in rows:
        if row_supplier is None:
            general[unit] = Decimal(factor)
        elif row_supplier == supplier_id:
            own[unit] = Decimal(factor)
    return {**general, **own}
