"""The one place typed and uploaded text is checked before it reaches a service.

Control characters are refused, never silently stripped: a NUL inside a SKU read
from a CSV must not become part of the SKU on SQLite and a database error on
PostgreSQL; both refuse it here with the same error naming the field, the row and
(for uploads) the column.

Numbers are read one way everywhere (forms, item import, PO import, delivery and
count sheets):
- ASCII digits with an optional sign and decimal point; "," and the full-width "，"
  as thousands separators are ignored;
- full-width digits and signs as a Chinese input method types them ("１２", "３．５",
  "－２") are read as their ASCII twins;
- "1_000" (a programming-language separator no spreadsheet writes) and digits of
  other scripts (Arabic-Indic "١٢", Devanagari …) are refused as not a number: a
  warehouse sheet never holds them, and mixed scripts can disguise a value.

CSV uploads are decoded one way everywhere: UTF-8 (with or without BOM), UTF-16
with a BOM, else GB18030 (a superset of GBK, what Chinese Excel writes). UTF-16
without a BOM cannot be told from binary data and is refused."""
from __future__ import annotations

import codecs
import re
from typing import Any

from services.errors import ValidationError

# C0 controls except tab / newline / carriage return, DEL, the C1 block, and the
# bidirectional overrides and isolates that can make a code display reversed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# In a code (SKU, location, document number) no line break or tab either.
_CODE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_FULL_WIDTH = str.maketrans({
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "．": ".", "，": ",", "－": "-", "＋": "+", "\u3000": " ",
})


def _where(field: str, row: int | None, column: str | None) -> dict:
    where = {"field": field}
    if row is not None:
        where["row"] = row
    if column:
        where["column"] = column
    return where


def check_text(text: str, field: str, *, row: int | None = None, column: str | None = None,
               code: bool = False) -> str:
    """``text`` unchanged, or a ValidationError naming the first control character."""
    found = (_CODE_CONTROL if code else _CONTROL).search(text)
    if found:
        raise ValidationError("control_character", char=f"U+{ord(found.group()):04X}",
                              **_where(field, row, column))
    return text


def number_text(value: Any, field: str, *, row: int | None = None,
                column: str | None = None) -> str:
    """The text of a typed number with full-width digits made ASCII, separators
    kept for the caller; refuses control characters, "_" and other scripts' digits."""
    text = check_text(str(value), field, row=row, column=column).translate(_FULL_WIDTH)
    if "_" in text or any(ch.isdigit() and not ch.isascii() for ch in text):
        raise ValidationError("not_a_number", value=str(value)[:40], **_where(field, row, column))
    return text


def decode_text(data: bytes, preferred: str | None = None) -> str:
    """The text of an uploaded CSV or HTML table (see the module note), or a
    file-level error. ``preferred``: an encoding the file declares (HTML charset),
    tried first after a UTF-16 BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ValidationError("file_unreadable", field="file", reason="utf-16") from None
    encodings = ["utf-8-sig", "gb18030"]
    if preferred:
        try:
            codecs.lookup(preferred)
            encodings.insert(0, preferred)
        except LookupError:
            pass
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if encoding == preferred else _unless_big5(data, text)
    raise ValidationError("file_unreadable", field="file", reason="unknown text encoding")


def _unless_big5(data: bytes, text: str) -> str:
    """A Taiwan file saved in Big5: GB18030 decodes any such bytes, into nonsense
    (rare and private-use characters); read as Big5 when that reads commoner."""
    if data.isascii() or _common_share(text) >= _BIG5_DOUBT:
        return text
    try:
        big5 = data.decode("cp950")
    except UnicodeDecodeError:
        return text
    return big5 if _common_share(big5) > _common_share(text) else text


_BIG5_DOUBT = 0.8          # Chinese text of any script is nearly all common characters
_HAN = re.compile(r"[\u3400-\u9fff\ue000-\uf8ff\uf900-\ufaff]")


def _common_share(text: str, sample: int = 4000) -> float:
    """The share of Han characters (in the first few thousand) that are common:
    GB2312's Simplified or Big5's first-level Traditional."""
    han = _HAN.findall(text[:sample])
    return sum(map(_is_common, han)) / len(han) if han else 1.0


def _is_common(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        return b"\xa4\x40" <= ch.encode("cp950") <= b"\xc6\x7e"
    except UnicodeEncodeError:
        return False


decode_csv = decode_text


def is_utf16_text(data: bytes) -> bool:
    """A UTF-16 file with its BOM (its NUL bytes are not binary content)."""
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
