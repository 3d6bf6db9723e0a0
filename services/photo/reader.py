"""Photos of a paper delivery note to a DeliverySheet: the second front end of the one
sheet reader. Each photo is a page: taken in safely, flattened, recognised, its table
rebuilt as a grid, and the grid read by the same header/column logic as a spreadsheet.
Every cell the receiver should confirm is named in the line's ``uncertain`` set."""
from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from typing import Callable, Iterable

from domain.photo_table import (Grid, build_grid, clean_number_text, fix_code_letters,
                                rotate_boxes,
                                skew_angle, split_labelled)
from services import delivery_sheet
from services.delivery_sheet import DeliverySheet, SheetLine, _norm
from services.errors import ValidationError
from services.photo import geometry, intake, ocr

# Below this recogniser score a cell is shown for confirmation. The models score clean
# print at 0.95–1.0; smudged, stamped or blurred cells fall well under it.
CONFIDENCE_THRESHOLD = 0.85
NUMBER_FIELDS = ("qty", "unit_price", "amount")
CHECKED_FIELDS = ("sku", "name", "spec", "qty", "unit_price", "amount", "lot_no",
                  "expiry_date", "po_number", "unit")
_HEADER_WORDS = {_norm(w): f for f, words in delivery_sheet.DELIVERY_COLUMNS.items() for w in words}
_LONG_WORDS = sorted((w for w in _HEADER_WORDS if len(w) >= 2), key=len, reverse=True)
_META_WORDS = sorted({w for words in delivery_sheet.META_LABELS.values() for w in words
                      if not w.isascii()} | {"日期", "送货日期", "发货日期", "客户", "收货单位",
                                            "Date", "PO No", "Delivery Note No", "Supplier"},
                     key=len, reverse=True)


def header_field(text: str) -> str | None:
    """The column a header cell names, also when OCR joins words (品名规格 → name)."""
    norm = _norm(text)
    if not norm:
        return None
    if norm in _HEADER_WORDS:
        return _HEADER_WORDS[norm]
    if len(norm) > 12:
        return None          # a sentence, not a header cell
    for word in _LONG_WORDS:
        if not word.isascii() and word in norm:
            return _HEADER_WORDS[word]
    return None


# --- one page ---------------------------------------------------------------------
def page_grid(data: bytes, filename: str) -> Grid:
    """One photo to a grid of cell texts with confidences."""
    rgb = geometry.straighten(intake.load_photo(data, filename))
    boxes = ocr.recognise(geometry.to_bgr(rgb))
    height, width = rgb.shape[:2]
    boxes = rotate_boxes(boxes, -skew_angle(boxes), (width / 2, height / 2))
    grid = build_grid(boxes, header_field)
    if grid is None:
        raise ValidationError("photo_no_table", field="photo", filename=filename)
    _split_header_block(grid)
    return grid


def _split_header_block(grid: Grid) -> None:
    """Cells above the header that carry several labelled fields become one cell each."""
    for index in range(grid.header_row):
        texts, confidence = [], []
        for text, score in zip(grid.texts[index], grid.confidence[index]):
            parts = split_labelled(text, _META_WORDS)
            texts.extend(parts)
            confidence.extend([score] * len(parts))
        grid.texts[index], grid.confidence[index] = texts, confidence


def _fix_numbers(grid: Grid) -> set[tuple[int, int]]:
    """Look-alike letters in the number columns corrected; returns the cells changed."""
    header = grid.texts[grid.header_row]
    columns = [c for c, text in enumerate(header) if header_field(text) in NUMBER_FIELDS]
    changed = set()
    for r in range(grid.header_row + 1, len(grid.texts)):
        row = grid.texts[r]
        for c in columns:
            if c < len(row) and row[c]:
                fixed, was_changed = clean_number_text(row[c])
                if was_changed and any(ch.isdigit() for ch in fixed):
                    row[c] = fixed
                    changed.add((r, c))
    return changed


def _grid_sheet(grid: Grid, filename: str, supplier=None) -> DeliverySheet:
    """The grid read by the sheet reader's header/column logic."""
    try:
        from services.sheets import sheet_from_grid
    except ImportError:
        # The grid as a CSV through the spreadsheet path: identical header, synonym,
        # header-block and totals handling; row N of the CSV is grid row N - 1.
        # Header cells OCR joined (品名规格) are named by the column they matched.
        rows = [list(r) for r in grid.texts]
        rows[grid.header_row] = [_canonical_header(text) for text in rows[grid.header_row]]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return delivery_sheet.read_delivery_sheet(buffer.getvalue().encode("utf-8"),
                                                  f"{filename}.csv")
    return sheet_from_grid(grid.texts, filename=filename, supplier=supplier,
                           confidence=grid.confidence)


def _canonical_header(text: str) -> str:
    found = header_field(text)
    if found is None or _norm(text) in _HEADER_WORDS:
        return text
    return delivery_sheet.DELIVERY_COLUMNS[found][0]


def _column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch.upper()) - 64)
    return index - 1


def _mark_uncertain(sheet: DeliverySheet, grid: Grid, fixed: set[tuple[int, int]]) -> None:
    columns = {f: _column_index(letter) for f, letter in sheet.columns.items() if letter}
    for line in sheet.lines:
        uncertain = set(getattr(line, "uncertain", None) or ())
        r = line.row - 1
        for f, c in columns.items():
            if f not in CHECKED_FIELDS or not 0 <= r < len(grid.confidence):
                continue
            scores = grid.confidence[r]
            score = scores[c] if c < len(scores) else None
            if (score is not None and score < CONFIDENCE_THRESHOLD) or (r, c) in fixed:
                uncertain.add(f)
        if line.qty is not None and line.unit_price is not None and line.amount is not None \
                and abs(line.qty * line.unit_price - line.amount) > delivery_sheet.AMOUNT_TOLERANCE:
            uncertain.update(NUMBER_FIELDS)
        line.uncertain = uncertain


def mark_not_on_po(sheet: DeliverySheet, po_skus: Iterable[str]) -> DeliverySheet:
    """Codes that are not lines of the PO are uncertain too (a misread code, or goods
    that were not ordered: either way the receiver looks)."""
    known = {s.upper() for s in po_skus}
    for line in sheet.lines:
        if line.sku and line.sku.upper() not in known:
            line.uncertain = set(getattr(line, "uncertain", None) or ()) | {"sku"}
    return sheet


# --- several pages ---------------------------------------------------------------------
def read_delivery_photo(images: list[bytes], filenames: list[str], *, supplier=None,
                        po_skus: Iterable[str] | None = None,
                        progress: Callable[[float], None] | None = None) -> DeliverySheet:
    """Photos of one delivery note (one per page) read into a DeliverySheet; see module
    docstring. Bad photos raise ValidationError before any recognition starts."""
    images, filenames = list(images), [str(n or f"photo-{i + 1}.jpg") for i, n in
                                       enumerate(filenames)]
    intake.check_batch(images, filenames)
    for data, name in zip(images, filenames):
        intake.open_checked(data, name)       # all pages vetted before the slow part
    merged: DeliverySheet | None = None
    offset = 0
    for page, (data, name) in enumerate(zip(images, filenames)):
        grid = page_grid(data, name)
        fixed = _fix_numbers(grid)
        sheet = _grid_sheet(grid, name, supplier)
        _mark_uncertain(sheet, grid, fixed)
        merged = _merge(merged, sheet, offset)
        offset += len(grid.texts)
        if progress is not None:
            progress((page + 1) / len(images))
    assert merged is not None
    merged.po_number = fix_code_letters(merged.po_number)
    for line in merged.lines:
        line.po_number = fix_code_letters(line.po_number)
    merged.filename = filenames[0]
    merged.sha256 = hashlib.sha256(images[0]).hexdigest()
    if po_skus is not None:
        mark_not_on_po(merged, po_skus)
    return merged


def _merge(first: DeliverySheet | None, page: DeliverySheet, offset: int) -> DeliverySheet:
    """Pages after the first add their lines (rows numbered on across pages) and fill
    header-block fields the first page lacked."""
    for line in page.lines:
        line.row += offset
    for error in page.errors:
        if error.row is not None:
            error.row += offset
    if first is None:
        return page
    first.lines.extend(page.lines)
    first.errors.extend(page.errors)
    for name in ("note_no", "supplier_name", "po_number", "delivery_date"):
        if hasattr(first, name) and not getattr(first, name) and getattr(page, name, None):
            setattr(first, name, getattr(page, name))
    return first


def line_amount_ok(line: SheetLine) -> bool:
    """qty × price = amount (to the cent) when all three were read."""
    if line.qty is None or line.unit_price is None or line.amount is None:
        return True
    return abs(line.qty * line.unit_price - line.amount) <= Decimal("0.01")
