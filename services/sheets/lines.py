"""One line of a delivery sheet: its texts, quantity, prices and amount check
built from the raw cells of a table row, and the problems found on it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from services import text_input
from services.errors import ValidationError
from services.sheets import layout
from services.sheets import vocabulary as vocab
from services.sheets.fields import (
    BadCell,
    count_slash_unit,
    number_and_unit,
    parse_expiry,
    parse_price,
    parse_rate,
    split_code_in_name,
    split_code_name,
    split_lot_expiry,
    split_name_spec,
    to_text,
    unmarked,
)
from services.sheets.formats import cell_date

if TYPE_CHECKING:
    from services.sheets.reader import DeliverySheet, TableRow

MAX_LINE_QTY = Decimal("1000000")          # more than this on one line is absurd
MAX_PRICE = Decimal("100000000")
MAX_AMOUNT = MAX_PRICE * MAX_LINE_QTY
AMOUNT_TOLERANCE = Decimal("0.01")
HALF_CENT = Decimal("0.005")             # per unit: prices are printed to the cent
TEXT_LIMITS = {"sku": 60, "lot_no": 60, "po_number": 60}
LINE_TEXT_FIELDS = ("sku", "name", "spec", "lot_no", "po_number", "unit", "remark")
# A formula without a value here only loses a cross-check; elsewhere the row is dropped.
OPTIONAL_FORMULA_FIELDS = ("amount", "unit_price", "amount_incl_tax", "amount_excl_tax",
                           "tax_amount", "price_incl_tax", "price_excl_tax", "remark")
AMOUNT_FIELDS = ("amount", "amount_incl_tax", "amount_excl_tax")

_FORMULA = object()   # a formula cell without a cached value (already reported)
_ABSENT = object()
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(7)}


# --- results ----------------------------------------------------------------------------
@dataclass
class SheetError:
    """A problem at one row/column. ``message`` is the reason code (translated by the
    UI as ``error.<message>``); ``severity`` 'error' drops the row, 'warning' keeps it."""

    row: int | None
    column: str
    message: str
    params: dict = field(default_factory=dict)
    severity: str = "error"

    @property
    def code(self) -> str:
        return self.message


@dataclass
class SheetLine:
    row: int
    sku: str = ""
    name: str = ""
    spec: str = ""
    qty: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    lot_no: str = ""
    expiry_date: date | None = None
    po_number: str = ""
    unit: str = ""
    remark: str = ""
    ordered_qty: Decimal | None = None
    price_incl_tax: Decimal | None = None
    price_excl_tax: Decimal | None = None
    tax_rate: Decimal | None = None
    uncertain: set[str] = field(default_factory=set)
    hints: list[str] = field(default_factory=list)     # 'remark_damage', 'qty_differs'

    KEYS = ("row", "sku", "name", "spec", "qty", "unit_price", "amount", "lot_no",
            "expiry_date", "po_number", "unit", "remark")

    # Mapping-like access so a SheetLine can stand where a dict line is accepted.
    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, default)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def keys(self):
        return self.KEYS

    @property
    def qty_difference(self) -> Decimal | None:
        """实发 − 应发 when the sheet shows both (shown on the line)."""
        if self.qty is None or self.ordered_qty is None:
            return None
        return self.qty - self.ordered_qty


# --- one line ------------------------------------------------------------------------------
def _line(record: TableRow, header: layout.Header, sheet: DeliverySheet,
          orders: dict[str, str | None]) -> SheetLine | None:
    values, row = record.values, record.row
    letters = sheet.columns
    problems: list[SheetError] = []

    def bad(f: str, code: str, **params):
        problems.append(SheetError(row, letters.get(f, ""), code, {"field": f, **params}))

    if _FORMULA in values.values() and any(
            v is _FORMULA for f, v in values.items() if f not in OPTIONAL_FORMULA_FIELDS):
        return None  # reported by _records
    line = SheetLine(row=row)
    _texts(line, values, bad)
    if not line.sku and not line.name:
        bad("sku" if "sku" in letters else "name", "item_missing")
    _quantity(line, values, bad, count_slash_unit if header.qty_with_unit else number_and_unit)
    if problems and problems[-1].message == "return_line":
        sheet.errors.extend(problems)       # one message for it, not one per figure
        return None
    printed = _prices(line, values, bad, sheet)
    raw_expiry = values.get("expiry_date")
    if "lot_expiry" in values:
        raw_expiry = _lot_expiry(line, values, raw_expiry)
    if raw_expiry is not None and raw_expiry is not _FORMULA:
        try:
            line.expiry_date = parse_expiry(cell_date(raw_expiry), orders.get("expiry_date"))
        except BadCell as exc:
            bad("expiry_date", exc.code, **exc.params)
    if problems:
        sheet.errors.extend(problems)
        return None
    if line.qty is not None and printed:
        _amount_check(line, printed, tuple(values), sheet)
    if line.remark and vocab.is_damage_remark(line.remark):
        line.hints.append("remark_damage")
    if line.qty_difference:
        line.hints.append("qty_differs")
    return line


def _lot_expiry(line: SheetLine, values: dict, raw_expiry):
    """The lot and expiry of a '批号/效期' cell; a column of their own comes first.
    Returns the raw expiry to read."""
    lot, expiry = split_lot_expiry(_text(values, "lot_expiry"))
    if not line.lot_no and len(lot) <= TEXT_LIMITS["lot_no"]:
        line.lot_no = lot
    return raw_expiry if raw_expiry not in (None, "") else (expiry or None)


def _text(values, f) -> str:
    raw = values.get(f)
    if type(raw) is str:
        return raw.strip()
    return "" if raw is None or raw is _FORMULA else to_text(cell_date(raw))


def _texts(line: SheetLine, values: dict, bad) -> None:
    texts = {}
    for f in LINE_TEXT_FIELDS:
        raw = values.get(f, _ABSENT)
        if raw is not _ABSENT:
            texts[f] = raw.strip() if type(raw) is str else _text(values, f)
    joined = "".join(texts.values())
    if "'" in joined:           # Excel's text mark typed before a value ("'PO-1")
        texts = {f: unmarked(text) for f, text in texts.items()}
    try:        # one search per line; each field is searched only when one is found
        text_input.check_text(joined, "line")
        clean = True
    except ValidationError:
        clean = False
    for f, text in texts.items():
        if not clean:
            try:
                text_input.check_text(text, f)
            except ValidationError as exc:
                bad(f, exc.code, char=exc.params["char"])
                continue
        limit = TEXT_LIMITS.get(f, 200)
        if len(text) > limit:
            bad(f, "too_long", max=limit)
            continue
        setattr(line, f, text)
    combined = _text(values, "name_spec")
    if combined and not line.name:
        code, combined = split_code_name(combined)
        line.sku = line.sku or code
        line.name, spec = split_name_spec(combined)
        line.spec = line.spec or spec
    if line.name[:1] in ("[", "【"):
        code, name = split_code_name(line.name)
        if code:
            line.name = name
            line.sku = line.sku or code
    if "sku" not in values and line.name:
        code, name = split_code_in_name(line.name)
        if code:
            line.sku, line.name = code, name
    if not line.sku and "barcode" in values:
        line.sku = _text(values, "barcode")
    line.sku = line.sku.upper()
    if len(line.sku) > TEXT_LIMITS["sku"]:
        bad("sku", "too_long", max=TEXT_LIMITS["sku"])


def _quantity(line: SheetLine, values: dict, bad, read=number_and_unit) -> None:
    raw = values.get("qty")
    if raw is _FORMULA:
        return
    try:
        qty, unit = read(raw)
    except BadCell as exc:
        bad("qty", exc.code, **exc.params)
        return
    if qty is None:
        bad("qty", "qty_missing")
    elif qty < 0:       # goods going back: a supplier return, never a receipt line
        bad("qty", "return_line", value=str(qty))
    elif qty == 0:
        bad("qty", "must_be_positive", value=str(qty))
    elif qty > MAX_LINE_QTY:
        bad("qty", "too_large", value=str(qty))
    elif qty != qty.quantize(_QUANTUM[3]):
        bad("qty", "too_many_decimals", places=3, value=str(qty))
    else:
        line.qty = qty
        line.unit = line.unit or unit
    if values.get("ordered_qty") not in (None, _FORMULA):
        try:
            ordered = number_and_unit(values["ordered_qty"])[0]
            line.ordered_qty = ordered if ordered is not None and ordered >= 0 else None
        except BadCell:
            line.ordered_qty = None


def _money(values: dict, f: str, bad, limit: Decimal, places: int | None) -> Decimal | None:
    raw = values.get(f)
    if raw is None or raw is _FORMULA:
        return None
    try:
        number = parse_price(raw)
    except BadCell as exc:
        bad(f, exc.code, **exc.params)
        return None
    if number is None:
        return None
    if number < 0:
        bad(f, "must_not_be_negative", value=str(number))
    elif number > limit:
        bad(f, "too_large", value=str(number))
    elif places is not None and number != number.quantize(_QUANTUM[places]):
        bad(f, "too_many_decimals", places=places, value=str(number))
    else:
        return number
    return None


def _prices(line: SheetLine, values: dict, bad, sheet: DeliverySheet) -> dict[str, Decimal]:
    """The prices and tax rate of a line; returns the printed plain price and amounts
    (for the amount check). Which price is compared with the PO follows the
    supplier's price basis (default: with tax)."""
    printed: dict[str, Decimal] = {}
    for f in ("unit_price", "price_incl_tax", "price_excl_tax"):
        if f in values:
            number = _money(values, f, bad, MAX_PRICE, 4)
            if number is not None:
                printed[f] = number
    for f in AMOUNT_FIELDS:
        if f in values:
            number = _money(values, f, bad, MAX_AMOUNT, None)
            if number is not None:
                printed[f] = number
    line.price_incl_tax = printed.get("price_incl_tax")
    line.price_excl_tax = printed.get("price_excl_tax")
    raw_rate = values.get("tax_rate")
    if raw_rate is not None and raw_rate is not _FORMULA:
        try:
            line.tax_rate = parse_rate(raw_rate)
        except BadCell:
            line.tax_rate = None
    incl_first = sheet.price_basis != "excl_tax"
    preferred, other = ((line.price_incl_tax, line.price_excl_tax) if incl_first
                        else (line.price_excl_tax, line.price_incl_tax))
    plain = printed.get("unit_price")
    line.unit_price = preferred if preferred is not None else (plain if plain is not None else other)
    return printed


@lru_cache(maxsize=64)
def _amount_bases(columns: tuple[str, ...]) -> dict[str, str]:
    """Which price each amount column multiplies (the plain one by ``_amount_basis``)."""
    return {"amount": _amount_basis(frozenset(columns)), "amount_incl_tax": "incl_tax",
            "amount_excl_tax": "excl_tax"}


def _amount_basis(columns: frozenset[str]) -> str:
    """Which price the plain 金额 column multiplies: before tax beside 价税合计 or 税额
    or an ex-tax price, with tax beside only a with-tax price, else the plain price."""
    if "amount_incl_tax" in columns or "tax_amount" in columns or (
            "price_excl_tax" in columns):
        return "excl_tax"
    if "price_incl_tax" in columns:
        return "incl_tax"
    return "plain"


def _amount_check(line: SheetLine, printed: dict[str, Decimal], columns: tuple[str, ...],
                  sheet: DeliverySheet) -> None:
    """Each amount against qty × the price of the same basis (with or without tax)."""
    plain = printed.get("unit_price")
    prices = {"incl_tax": line.price_incl_tax if line.price_incl_tax is not None else plain,
              "excl_tax": line.price_excl_tax if line.price_excl_tax is not None else plain,
              "plain": plain if plain is not None else line.unit_price}
    bases = _amount_bases(columns)
    tolerance = max(AMOUNT_TOLERANCE, line.qty * HALF_CENT)
    for f in AMOUNT_FIELDS:
        amount = printed.get(f)
        if amount is None:
            continue
        if line.amount is None:
            line.amount = amount
        price = prices[bases[f]]
        if price is None:
            continue
        expected = line.qty * price
        if abs(expected - amount) > tolerance:
            sheet.errors.append(SheetError(
                line.row, sheet.columns.get(f, ""), "amount_mismatch",
                {"field": f, "amount": str(amount),
                 "expected": format(expected.normalize(), "f")}, "warning"))


def _number(raw) -> Decimal | None:
    if raw is _FORMULA:
        return None
    try:
        return number_and_unit(raw)[0]
    except BadCell:
        return None
