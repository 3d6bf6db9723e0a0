"""Where things are on a sheet: the header row (or two), which column holds which
field, the header block above the table, and what each row below it is — a line, a
repeated header, a subtotal, a section row ("订单号：PO-…"), the start of the
backorder table, a footer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from services.sheets import vocabulary as vocab
from services.sheets.fields import BadCell, parse_date, to_text, unmarked

HEADER_SCAN_ROWS = 30
ITEM_FIELDS = ("sku", "name", "name_spec", "barcode")
_LABEL_VALUE = re.compile(r"[:：]")
_SEQUENCE_SAMPLE = 30


@dataclass
class Header:
    row: int                                  # sheet row (1-based) of the (last) header row
    columns: dict[str, int]                   # field -> column (0-based)
    texts: list[str]                          # the header text of every column
    strengths: dict[str, int] = field(default_factory=dict)
    qty_with_unit: bool = False               # '数量/单位': cells such as '6/套'

    @property
    def signature(self) -> str:
        return "|".join(vocab.layout_word(t) for t in self.texts if t)


def _texts(values: list) -> list[str]:
    return [to_text(v) if isinstance(v, str) else "" for v in values]


def _claims(texts: list[str]) -> dict[str, tuple[int, int]]:
    """field -> (column, strength) for one row of header texts; the strongest claim
    (lowest strength, then leftmost) wins."""
    best: dict[str, tuple[int, int]] = {}
    stores = 0
    for col, text in enumerate(texts):
        if not text:
            continue
        found = vocab.header_field(text)
        if not found:
            continue
        name, strength = found
        stores += name == "store_qty"
        if name not in best or strength < best[name][1]:
            best[name] = (col, strength)
    if "qty_unit" in best:        # '数量/单位' is the quantity unless a 数量 column is there
        found = best.pop("qty_unit")
        best.setdefault("qty", found)
    if "store_qty" in best:       # one store's column is the quantity; of several, none is
        found = best.pop("store_qty")
        if stores == 1:
            best.setdefault("qty", found)
    return best


def _is_header(claims: dict[str, tuple[int, int]]) -> bool:
    useful = set(claims) - {"ignore", "line_no"}
    return "qty" in claims and bool(useful & set(ITEM_FIELDS)) and len(useful) >= 2


def header_at(rows: list[list], index: int) -> Header | None:
    """A header at rows[index] (0-based), possibly completed by a second header row
    below it (数量 over 应发 | 实发)."""
    if index >= len(rows):
        return None
    texts = _texts(rows[index])
    if sum(1 for t in texts if t) < 2 or any(_is_number(v) for v in rows[index]):
        return None
    below = _texts(rows[index + 1]) if index + 1 < len(rows) else []
    # a row of labelled values ('订单号：PO-1') is the header block, never the upper
    # row of a two-row header
    if below and _is_subheader(rows[index + 1]) and not any(map(_labelled_value, texts)):
        combined = _combine(texts, below)
        claims = _claims(combined)
        alone = max(len(_claims(texts)), len(_claims(below)))
        if _is_header(claims) and len(claims) > alone:
            return _header(index + 2, claims, combined)
    claims = _claims(texts)
    if _is_header(claims):
        return _header(index + 1, claims, texts)
    return None


def _labelled_value(text: str) -> bool:
    """'订单号：PO-1' (a label and its value), not '数量：' or plain text."""
    label, colon, value = text.partition("：" if "：" in text else ":")
    return bool(colon and label.strip() and value.strip())


def _header(row: int, claims: dict[str, tuple[int, int]], texts: list[str]) -> Header:
    qty_text = texts[claims["qty"][0]]
    return Header(row, {f: c for f, (c, _) in claims.items() if f != "ignore"}, texts,
                  {f: s for f, (_, s) in claims.items()},
                  qty_with_unit=(vocab.header_field(qty_text) or ("",))[0] == "qty_unit")


def _is_subheader(values: list) -> bool:
    texts = [v for v in values if v not in (None, "")]
    return len(texts) >= 2 and all(isinstance(v, str) for v in texts) and \
        sum(1 for v in texts if vocab.header_field(v)) >= 2


def _combine(top: list[str], bottom: list[str]) -> list[str]:
    """Each column's header from a two-row header: the lower text, read with the
    upper one (merged across) when the lower alone says nothing."""
    width = max(len(top), len(bottom))
    out, carried = [], ""
    for col in range(width):
        upper = top[col] if col < len(top) else ""
        carried = upper or (carried if col < len(bottom) and bottom[col] else "")
        lower = bottom[col] if col < len(bottom) else ""
        if not lower:
            out.append(upper)
            continue
        candidates = (lower, lower + carried, carried + lower)
        out.append(next((c for c in candidates if vocab.header_field(c)), lower))
    return out


def repeated_header(texts: list[str]) -> tuple[int, int] | None:
    """(first column of the left copy, first column of the right copy) when a header
    row prints the same headers twice ('序号 编码 … | 序号 编码 …'), else None."""
    words = [vocab.layout_word(t) if t else "" for t in texts]
    filled = [c for c, w in enumerate(words) if w]
    if len(filled) < 4:
        return None
    first = filled[0]
    for right in filled[1:]:
        left = words[first:right]
        while left and not left[-1]:
            left.pop()
        if words[right] == words[first] and len(left) >= 2 and \
                words[right:right + len(left)] == left:
            return first, right
    return None


def find_header(rows: list[list]) -> Header | None:
    for index in range(min(HEADER_SCAN_ROWS, len(rows))):
        found = header_at(rows, index)
        if found:
            return found
    return None


def settle_columns(header: Header, rows: list[list]) -> None:
    """Decide from the data what the words alone cannot: a 'No.'/'Item' column of
    1, 2, 3… is a line number; one holding codes is the item code."""
    columns = header.columns
    qty = columns.get("qty")
    data = [r for r in rows[header.row:header.row + _SEQUENCE_SAMPLE]
            if qty is not None and qty < len(r) and looks_numeric(r[qty])
            and not is_total(r)]
    for f in ("line_no", "name"):
        col = columns.get(f)
        if col is None:
            continue
        values = [r[col] for r in data if col < len(r) and r[col] not in (None, "")]
        sequential = bool(values) and all(_small_int(v) for v in values)
        if f == "name" and sequential and vocab.norm(header.texts[col]) in ("item", "items", "no"):
            columns.pop("name")
            columns.setdefault("line_no", col)
            _fallback_name(header)
        elif f == "line_no" and values and not sequential and "sku" not in columns:
            columns["sku"] = columns.pop("line_no")
    # 'Item' that lost the name to 'Description' may still be the item code.
    for col, text in enumerate(header.texts):
        if vocab.norm(text) in ("item", "items") and col not in columns.values() \
                and "sku" not in columns:
            values = [r[col] for r in data if col < len(r) and r[col] not in (None, "")]
            if values and not all(_small_int(v) for v in values):
                columns["sku"] = col
    if "barcode" in columns and "sku" not in columns:
        columns["sku"] = columns.pop("barcode")
    if "name_spec" in columns and "name" in columns and "spec" in columns:
        columns.pop("name_spec")
    _prefer_filled(header, data)
    if "unit" not in columns and qty is not None:
        _unlabelled_unit(header, data, qty)


def _unlabelled_unit(header: Header, data: list[list], qty: int) -> None:
    """A column beside the quantity left without a header whose every value is a
    unit word (个, 套, 对, PCS) is the quantity's unit."""
    for col in (qty + 1, qty - 1):
        if col < 0 or col in header.columns.values() or \
                (col < len(header.texts) and header.texts[col]):
            continue
        values = [r[col] for r in data if col < len(r) and r[col] not in (None, "")]
        if values and all(isinstance(v, str) and v.strip().lower() in vocab.UNITS
                          for v in values):
            header.columns["unit"] = col
            return


def _prefer_filled(header: Header, data: list[list]) -> None:
    """A column the words chose but every line leaves empty (a 1688 export's unused
    物料编号 beside its 单品货号) gives its field to the next column naming it that
    holds values."""
    def filled(col: int) -> bool:
        return any(col < len(r) and r[col] not in (None, "") for r in data)

    for f, col in list(header.columns.items()):
        if f in ("qty", "line_no") or not data or filled(col):
            continue
        others = [(found[1], c) for c, text in enumerate(header.texts)
                  if text and c not in header.columns.values() and filled(c)
                  and (found := vocab.header_field(text)) and found[0] == f]
        if others:
            header.columns[f] = min(others)[1]


def _fallback_name(header: Header) -> None:
    """When the 'name' column turned out to be line numbers, the next best claim."""
    for col, text in enumerate(header.texts):
        found = vocab.header_field(text) if text else None
        if found and found[0] == "name" and col not in header.columns.values():
            header.columns["name"] = col
            return


def _small_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        # a line-number cell (calamine gives whole numbers as floats); not a quantity
        return (isinstance(value, int) or value.is_integer()) and 0 < value < 10000
    return isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 4


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# --- the header block -----------------------------------------------------------------
def _label_suffix(chunk: str) -> tuple[str, str | None]:
    """Split text before a colon into (what belongs to the previous value, the
    longest known label it ends with)."""
    words = chunk.split()
    for take in range(min(4, len(words)), 0, -1):
        label = " ".join(words[-take:])
        key = vocab.meta_label(label)
        if key:
            return " ".join(words[:-take]), key
    # CJK labels glued to the previous value: '…X日期'
    for size in range(min(8, len(chunk)), 1, -1):
        key = vocab.meta_label(chunk[-size:])
        if key and re.match(r"[\u4e00-\u9fff]", chunk[-size:]):
            return chunk[:-size].strip(), key
    return chunk, None


def label_pairs(text: str) -> list[tuple[str, str]]:
    """'单号：X 日期：Y' -> [('note_no', 'X'), ('delivery_date', 'Y')]."""
    pieces = _LABEL_VALUE.split(text)
    if len(pieces) < 2:
        return []
    pairs: list[tuple[str, str]] = []
    _, key = _label_suffix(pieces[0].strip())
    for piece in pieces[1:-1]:
        value, next_key = _label_suffix(piece.strip())
        if key:
            pairs.append((key, value.strip()))
        key = next_key
    if key:
        pairs.append((key, pieces[-1].strip()))
    return pairs


@dataclass
class Meta:
    note_no: str = ""
    po_number: str = ""
    delivery_date: date | None = None
    supplier_name: str = ""
    parcel: str = ""

    def take(self, key: str, value: str) -> None:
        value = unmarked(value.strip().strip("：:"))
        if not value or key == "ignore" or getattr(self, key, None):
            return
        if key == "delivery_date":
            try:
                self.delivery_date = parse_date(value)
            except BadCell:
                return
        elif key in ("note_no", "po_number"):
            if len(value) <= 60 and re.search(r"\d", value):     # numbers carry digits
                setattr(self, key, value.split()[0] if " " in value and key == "po_number"
                        else value)
        else:
            setattr(self, key, value[:80])


def read_block(rows: list[list], meta: Meta) -> None:
    """Labelled values of the header block: in one cell, in the next cell (after a
    lone ':' cell too), or below the label; and the supplier's name in the title."""
    for r, values in enumerate(rows):
        texts = [to_text(v) for v in values]
        for c, text in enumerate(texts):
            if not text:
                continue
            pairs = label_pairs(text)
            if pairs:
                for key, value in pairs:
                    meta.take(key, value or _next_value(rows, texts, r, c))
                continue
            key = vocab.meta_label(text)
            if key:
                meta.take(key, _next_value(rows, texts, r, c))
            elif glued := _GLUED.match(text):
                meta.take(vocab.meta_label(glued[1]) or "ignore", glued[2])
    if not meta.supplier_name:
        meta.supplier_name = title_supplier(rows)


# A label run into its value without a colon: the red 'NO.0012345' of a printed form,
# 'PO# 4500012345', '单号SH001' — never a bare value such as 'PO-2026-11-0001'.
_GLUED = re.compile(r"^(\D{1,12}?)(?:[.#№]\s*|\s+|(?<=[\u4e00-\u9fff]))([A-Za-z]{0,6}\d[\w\-/]*)$")


def read_line_columns(rows: list[list], header: Header, line_rows: list[int],
                      meta: Meta) -> None:
    """A flat export repeats its note's number and date on every line (出库单号,
    出库时间 columns): a labelled column holding one value on all lines fills the
    header block."""
    taken = set(header.columns.values())
    for col, text in enumerate(header.texts):
        key = vocab.meta_label(text) if text and col not in taken else None
        if key not in ("note_no", "po_number", "delivery_date", "supplier_name"):
            continue
        values = {to_text(rows[r - 1][col]) for r in line_rows if col < len(rows[r - 1])}
        values.discard("")
        if len(values) == 1:
            meta.take(key, values.pop())


def _next_value(rows: list[list], texts: list[str], r: int, c: int) -> str:
    """The value of a label: the next cell (skipping a lone ':'), else the cell below."""
    for text in texts[c + 1:]:
        if text and text not in (":", "："):
            if not (vocab.meta_label(text) or label_pairs(text)):
                return text
            break
    if r + 1 < len(rows) and c < len(rows[r + 1]):
        below = to_text(rows[r + 1][c])
        if below and not vocab.meta_label(below) and not label_pairs(below):
            return below
    return ""


def title_supplier(rows: list[list]) -> str:
    """'华达汽配有限公司送货单' -> '华达汽配有限公司'; 'ACME Parts Ltd. – Delivery Note'."""
    for values in rows[:4]:
        texts = [to_text(v) for v in values if to_text(v)]
        if len(texts) != 1 or _LABEL_VALUE.search(texts[0]):
            continue
        title = texts[0]
        cut = _strip_title_words(title)
        low = vocab.norm(cut)
        if cut and any(low.endswith(mark) or f"{mark}" in low for mark in vocab.COMPANY_MARKS):
            return cut
    return ""


def _strip_title_words(title: str) -> str:
    text = title
    for word in sorted(vocab.TITLE_WORDS, key=len, reverse=True):
        pattern = r"\s*".join(vocab.char_pattern(ch) for ch in word)
        text = re.sub(pattern, " ", text, flags=re.I)
    return re.sub(r"[\s\-–—|:：/]+$", "", re.sub(r"^[\s\-–—|:：/]+", "", text)).strip()


# --- rows below the header ------------------------------------------------------------
def first_text(values: list) -> str:
    for v in values:
        if isinstance(v, str) and v.strip():
            return v
    return ""


# first two characters of every total word, in both scripts: a cheap test per row
_TOTAL_STARTS = tuple({v for w in vocab.TOTALS for v in vocab.spellings(w[:2])})
_NUMERIC = re.compile(r"^\s*[-+]?[\d,，]*\.?\d+\s*[A-Za-z\u4e00-\u9fff]{0,6}\.?\s*$")


def is_total_text(text: str) -> bool:
    """'合计', '本页小计：', 'Total', 'Subtotal 2' — not 'SUMP-100' or 'Total care oil'."""
    if not text or len(text) > 40 or \
            not text.lstrip()[:4].replace(" ", "").lower().startswith(_TOTAL_STARTS):
        return False
    key = vocab.norm(text)
    for word in vocab.TOTALS:
        if key == word or (key.startswith(word) and (not word.isascii()
                                                     or key[len(word):].isdigit())):
            return True
    return False


def is_total(values: list) -> bool:
    return is_total_text(first_text(values))


def looks_numeric(value: Any) -> bool:
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def is_backorder(values: list) -> bool:
    return any(isinstance(v, str) and any(w in vocab.norm(v) for w in vocab.BACKORDERS)
               for v in values)


def is_adjustment(values: list) -> bool:
    """A 折扣 / 整单优惠 row (an amount only, never goods)."""
    key = vocab.norm(first_text(values))
    return bool(key) and key.startswith(vocab.ADJUSTMENTS)


_FOOTNOTE_START = re.compile(r"^\s*(?:[*＊※†‡¹²³①②③]|注[:：\s]|note[:\s])", re.I)


def is_note(values: list) -> bool:
    """A lone sentence below or within the table (a footnote '* 数量以实收为准…', terms
    of delivery): one text cell that starts with a footnote mark or reads as prose."""
    texts = [v for v in values if v not in (None, "")]
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    return bool(_FOOTNOTE_START.match(texts[0])) or len(vocab.norm(texts[0])) > 30


def is_footer(values: list) -> bool:
    """A signature/remark line below the table: only label-like text."""
    texts = [v for v in values if v not in (None, "")]
    if not texts or not all(isinstance(v, str) for v in texts):
        return False
    return all(_LABEL_VALUE.search(v) or vocab.meta_label(v)
               or any(w in vocab.norm(v) for w in vocab.FOOTERS) for v in texts)


def section_values(values: list) -> list[tuple[str, str]]:
    """A section row ('订单号：PO-2', 'Parcel No: 3') as (key, value) pairs; [] when
    the row is something else."""
    texts = [to_text(v) for v in values if v not in (None, "")]
    if not texts or len(texts) > 4 or any(_is_number(v) for v in values):
        return []
    pairs = [p for t in texts for p in label_pairs(t)]
    if not pairs and len(texts) == 2 and vocab.meta_label(texts[0]):
        pairs = [(vocab.meta_label(texts[0]), texts[1])]
    return [(k, v) for k, v in pairs if k in ("po_number", "parcel", "note_no") and v]


def is_blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
