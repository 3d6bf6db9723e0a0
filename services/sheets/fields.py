"""Reading one cell: text, numbers with units or thousands separators, dates in the
many ways suppliers print them, and the combined cells ("[CODE] Name", 品名规格)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from services import text_input
from services.errors import ValidationError
from services.sheets import vocabulary as vocab

EXCEL_EPOCH = date(1899, 12, 30)
MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


class BadCell(Exception):
    """A cell that cannot be read as its field: ``code`` is the translated reason."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


_Bad = BadCell   # the name the first reader used


def unmarked(text: str) -> str:
    """A text cell without its surrounding spaces and the apostrophe Excel types before
    a number kept as text ("'12", "'PO-1"), which some writers save into the cell."""
    text = text.strip()
    return text[1:].lstrip() if text[:1] == "'" else text


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


# --- numbers ------------------------------------------------------------------------
_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*([A-Za-z\u4e00-\u9fff]{1,6}\.?)?$")
# RMB, HK$, NT$, US$, ¥, € … before the number; 元 or a currency code after it
_CURRENCY = re.compile(r"^(?:rmb|cny|usd|eur|hkd|twd|gbp|[a-z]{0,3}\$|€|£|¥|￥)\s*|"
                       r"\s*(?:rmb|cny|usd|eur|hkd|元)$", re.I)
_PER_UNIT = re.compile(r"\s*/\s*[A-Za-z\u4e00-\u9fff]{1,6}\.?$")
_PERCENT = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*%$")
# A decimal comma ('3,45', '1.234,50' from a German or French sheet): one or two digits
# after the comma. Three digits after it ('1,200') stay a thousands separator.
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2})(?![\d.,])")
# A count in two units: '2箱(24个)', '30个（3盒）'
_TWO_UNITS = re.compile(r"^(\d+(?:\.\d+)?)\s*([^\d\s()（）]{1,6})\s*[(（]\s*(\d+(?:\.\d+)?)\s*"
                        r"([^\d\s()（）]{1,6})\s*[)）]$")
_COUNT_SLASH_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*([A-Za-z\u4e00-\u9fff]{1,6}\.?)\s*$")


def number_and_unit(value: Any) -> tuple[Decimal | None, str]:
    """A Decimal and the unit printed with it ("12件" -> 12, "件"; "1,200.00 PCE" ->
    1200, "PCE"). Floats go through their shortest repr so 12.5 stays 12.5."""
    if value is None:
        return None, ""
    if type(value) is float and value - value == 0:     # the usual cell: finite float
        return Decimal(repr(value)), ""
    if isinstance(value, bool):
        raise BadCell("not_a_number", value=str(value))
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise BadCell("not_a_number", value=str(value))
        return Decimal(repr(value)), ""
    if isinstance(value, Decimal):
        return value, ""
    if isinstance(value, (datetime, date)):
        raise BadCell("not_a_number", value=to_text(value))
    raw = unmarked(str(value))
    try:       # digits read the same way as every other input (services.text_input)
        text = text_input.number_text(raw, "qty")
    except ValidationError as exc:
        raise BadCell(exc.code, value=raw[:40]) from None
    if "," in text:
        text = _DECIMAL_COMMA.sub(lambda m: m[1].replace(".", "") + "." + m[2], text)
    text = text.replace(",", "").replace("，", "").replace("\u00a0", "").replace(" ", " ")
    text = _CURRENCY.sub("", text).strip()
    if not text or text in ("-", "—", "/"):
        return None, ""
    match = _NUMBER.match(text)
    if not match:
        return _in_pieces(text, raw)
    try:
        return Decimal(match.group(1)), (match.group(2) or "").rstrip(".")
    except InvalidOperation:
        raise BadCell("not_a_number", value=raw[:40]) from None


def _in_pieces(text: str, raw: str) -> tuple[Decimal, str]:
    """'2箱(24个)' -> 24 个: of a count given in a package and in pieces, the pieces
    (what is stocked and priced). Two units of the same kind are ambiguous: refused."""
    match = _TWO_UNITS.match(text)
    if match:
        first, second = match[2].lower().rstrip("."), match[4].lower().rstrip(".")
        if first in vocab.PACKAGES and second not in vocab.PACKAGES:
            return Decimal(match[3]), match[4]
        if second in vocab.PACKAGES and first not in vocab.PACKAGES:
            return Decimal(match[1]), match[2]
    raise BadCell("not_a_number", value=raw[:40])


def count_slash_unit(value: Any) -> tuple[Decimal | None, str]:
    """A cell under '数量/单位': '6/套' is 6 套. Only under that header: elsewhere
    '24/箱' is a packing size, not a quantity."""
    if isinstance(value, str) and (match := _COUNT_SLASH_UNIT.match(value)):
        return Decimal(match[1]), match[2].rstrip(".")
    return number_and_unit(value)


def parse_number(value: Any) -> Decimal | None:
    return number_and_unit(value)[0]


def parse_price(value: Any) -> Decimal | None:
    """A price or amount as printed, also per unit ('15.8元/只', '$3.20/pc'); only
    here, as '24/箱' in a quantity column is no quantity of 24."""
    if isinstance(value, str) and "/" in value:
        value = _PER_UNIT.sub("", value)
    return number_and_unit(value)[0]


def parse_rate(value: Any) -> Decimal | None:
    """A tax rate as a fraction: 13%, "13", 0.13 -> 0.13."""
    if isinstance(value, str):
        match = _PERCENT.match(value.strip())
        if match:
            return Decimal(match.group(1)) / 100
    number = parse_number(value)
    if number is None:
        return None
    return number / 100 if number >= 1 else number


# --- dates --------------------------------------------------------------------------
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Taiwan's 民國 years (115/11/05 is 2026-11-05): three digits, never a day or month
_ROC = re.compile(r"^(?:民[国國]\s*)?(1\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
ROC_OFFSET = 1911
_EIGHT_DIGITS = Decimal(10_000_000)       # yyyymmdd written as a number
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?:\s.*)?$")
_DAY_MON = re.compile(r"^(\d{1,2})[-/\s.]+([a-z]{3})[a-z]*\.?[-/\s.,]+(\d{4}|\d{2})$")
_MON_DAY = re.compile(r"^([a-z]{3})[a-z]*\.?[-/\s.]+(\d{1,2})(?:st|nd|rd|th)?,?[-/\s.]+(\d{4})$")


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise BadCell("bad_date", value=raw) from None


def _serial(number: Decimal, raw: str) -> date:
    if not (Decimal(1) <= number < Decimal(2958466)):
        raise BadCell("bad_date", value=raw)
    return EXCEL_EPOCH + timedelta(days=int(number))


def numeric_order(raw: str) -> str | None:
    """'dmy' or 'mdy' when a d/m/y-style value settles its column's order, else None."""
    match = _NUMERIC.match(raw.strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


def column_order(values: Iterable[Any]) -> str | None:
    """The day/month order a column's unambiguous values show ('dmy' / 'mdy'), or
    None without evidence (or with contradicting evidence)."""
    seen = {numeric_order(v) for v in values if isinstance(v, str)} - {None}
    return seen.pop() if len(seen) == 1 else None


def parse_date(value: Any, order: str | None = None) -> date | None:
    """ISO, 2026/11/03, 2026年11月3日, 20261103, 25-Nov-2026, Nov 25 2026, Excel serials
    and d/m/y or m/d/y; 03/11/2026 needs ``order`` (from its column) or is an error."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if _EIGHT_DIGITS <= number < _EIGHT_DIGITS * 10 and number == number.to_integral():
            # 20270115 written as a number by an ERP: far past any Excel serial
            return parse_date(str(int(number)))
        return _serial(number, str(value))
    raw = str(value).strip()
    if not raw:
        return None
    low = raw.lower()
    for pattern in (_ISO, _ZH, _COMPACT):
        match = pattern.match(raw)
        if match:
            return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), raw)
    match = _ROC.match(raw)
    if match:
        return _make_date(int(match.group(1)) + ROC_OFFSET, int(match.group(2)),
                          int(match.group(3)), raw)
    match = _DAY_MON.match(low)
    if match and match.group(2) in MONTHS:
        return _make_date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)), raw)
    match = _MON_DAY.match(low)
    if match and match.group(1) in MONTHS:
        return _make_date(int(match.group(3)), MONTHS[match.group(1)], int(match.group(2)), raw)
    match = _NUMERIC.match(raw)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        # d.m.y: nobody writes month first with dots
        dotted = raw[match.end(1)] == "."
        settled = numeric_order(raw) or ("dmy" if first == second or dotted else order)
        if settled == "dmy":
            return _make_date(year, second, first, raw)
        if settled == "mdy":
            return _make_date(year, first, second, raw)
        if first <= 12 and second <= 12:
            raise BadCell("ambiguous_date", value=raw)
        raise BadCell("bad_date", value=raw)
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _serial(Decimal(raw), raw)
    raise BadCell("bad_date", value=raw[:40])


# An expiry printed to the month ('有效期至2027年01月', '2027-01', '01/2027', 'Jan 2027'):
# usable through that month, as GS1 expiry dates and Chinese labels both read it.
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:底|末)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{4})$")
_MON_YEAR = re.compile(r"^([a-z]{3})[a-z]*\.?[-/\s.,]+(\d{4})$")


def parse_expiry(value: Any, order: str | None = None) -> date | None:
    """An expiry date; one printed to the month only is its last day."""
    try:
        return parse_date(value, order)
    except BadCell:
        if not isinstance(value, str):
            raise
        month = _year_month(value.strip().lower())
        if month is None:
            raise
    year, number = month
    if not 1 <= number <= 12:
        raise BadCell("bad_date", value=value.strip()[:40])
    following = date(year + number // 12, number % 12 + 1, 1)
    return following - timedelta(days=1)


def _year_month(raw: str) -> tuple[int, int] | None:
    if match := _YEAR_MONTH.match(raw):
        return int(match.group(1)), int(match.group(2))
    if match := _MONTH_YEAR.match(raw):
        return int(match.group(2)), int(match.group(1))
    if (match := _MON_YEAR.match(raw)) and match.group(1) in MONTHS:
        return int(match.group(2)), MONTHS[match.group(1)]
    return None


def clean_date(value: Any, field: str, row: int | None = None, *,
               expiry: bool = False) -> date | None:
    """A date typed in a form or read from a file, or a ValidationError naming the
    field (and row). ``expiry``: one given to the month only is that month's last day."""
    from services.errors import ValidationError

    try:
        value = None if value == "" else value
        return parse_expiry(value) if expiry else parse_date(value)
    except BadCell as exc:
        where = {} if row is None else {"row": row}
        raise ValidationError(exc.code, field=field, value=str(value), **where) from None


# --- combined cells -----------------------------------------------------------------
_CODE_NAME = re.compile(r"^[\[【]\s*([^\]】]{1,60}?)\s*[\]】]\s*(.*)$", re.S)
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_NAME_THEN_SPEC = re.compile(rf"^([{_CJK}（）()·]+?)\s*([A-Za-z0-9][^{_CJK}]*.*)$")


def split_code_name(text: str) -> tuple[str, str]:
    """'[FURN_8888] Office Lamp' -> ('FURN_8888', 'Office Lamp'); other text -> ('', text)."""
    match = _CODE_NAME.match(text)
    if match and match.group(2).strip():
        return match.group(1).strip(), match.group(2).strip()
    return "", text


def split_name_spec(text: str) -> tuple[str, str]:
    """品名规格 in one cell: '机油滤清器 W712/95' or '机油滤清器W712/95' -> name, spec.
    The name is the first word (Chinese text up to the first space or the first
    Latin letter/digit); the rest is the spec."""
    text = text.strip()
    parts = re.split(r"[\s\u3000]+", text, maxsplit=1)
    if len(parts) == 2:
        return parts[0], parts[1].strip()
    match = _NAME_THEN_SPEC.match(text)
    if match:
        return match.group(1), match.group(2).strip()
    for sep in ("/", "／", "*", "-"):
        if sep in text:
            name, spec = text.split(sep, 1)
            if re.search(f"[{_CJK}]", name):
                return name.strip(), spec.strip()
    return text, ""


# A part code: capitals and digits joined by '-', '_' or '.' ('OF-COR', '04465-33471'),
# or one run of six or more mixing letters and digits ('W71295A'). Shorter tokens
# ('12V', 'H7', 'T-10') are as often part of the name (split_code_in_name).
_CODE = r"(?:[A-Z0-9]+(?:[-_.][A-Z0-9]+)+|(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,})"
_CODE_FIRST = re.compile(rf"^({_CODE})\s*[\s/／|]\s*([{_CJK}].*)$", re.S)
_CODE_LAST = re.compile(rf"^([{_CJK}].*?)\s*[(（\[【]\s*({_CODE})\s*[)）\]】]$", re.S)
_CODE_MIN = 5


def split_code_in_name(text: str) -> tuple[str, str]:
    """The part code printed in a name column of a sheet without a code column:
    'OF-COR 机油滤清器', 'OF-COR/机油滤清器' (a 零件号/名称 column), '机油滤清器 (OF-COR)'
    -> ('OF-COR', '机油滤清器'). Only before or after a Chinese name, so an English
    name ('Front D1234') is never cut. Other text -> ('', text)."""
    if (match := _CODE_FIRST.match(text)) and len(match[1]) >= _CODE_MIN:
        return match[1], match[2].strip()
    if (match := _CODE_LAST.match(text)) and len(match[2]) >= _CODE_MIN:
        return match[2], match[1].strip()
    return "", text


# '批号/效期' cells: the lot, then its expiry to the day or the month at the end
_LOT_EXPIRY = re.compile(r"^(.*?)\s*(?:[/／|;；,，]|\s)\s*"
                         r"(\d{4}\s*[-/.年]\s*\d{1,2}(?:\s*[-/.月]\s*\d{1,2}\s*日?|\s*月)?"
                         r"|\d{8}|\d{1,2}[-/.]\d{4})$", re.S)


def split_lot_expiry(text: str) -> tuple[str, str]:
    """'B2611 / 2028-06' -> ('B2611', '2028-06'); a cell without a date at its end is
    the lot alone."""
    text = text.strip()
    match = _LOT_EXPIRY.match(text)
    if match and match[1].strip():
        return match[1].strip(), match[2].strip()
    return text, ""
