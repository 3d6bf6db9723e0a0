"""Photos of a paper delivery note to a DeliverySheet: the second front end of the one
sheet reader. Each photo is a page: taken in safely, flattened, recognised, its table
rebuilt as a grid, and the grid read by the same header/column logic as a spreadsheet.
Every cell the receiver should confirm is named in the line's ``uncertain`` set."""
from __future__ import annotations

import hashlib
from typing import Callable, Iterable

from domain.photo_table import (Grid, build_grid, clean_number_text, fix_code_letters,
                                rotate_boxes, skew_angle, split_labelled)
from services.errors import ValidationError
from services.photo import geometry, intake, ocr
from services.sheets import DeliverySheet, sheet_from_grid
from services.sheets import reader as sheet_reader
from services.sheets import vocabulary

NUMBER_FIELDS = ("qty", "unit_price", "amount")
# Header fields whose cells hold numbers, and the line field each one fills.
NUMBER_COLUMNS = {"qty": "qty", "ordered_qty": "qty", "unit_price": "unit_price",
                  "price_incl_tax": "unit_price", "price_excl_tax": "unit_price",
                  "amount": "amount", "amount_incl_tax": "amount", "amount_excl_tax": "amount"}
# Labels of the header block in print (送货单号：…): a box holding several is cut before each.
_META_WORDS = sorted({w for words in vocabulary.META_LABELS.values() for w in words
                      if not w.isascii()}, key=len, reverse=True)


def header_field(text: str) -> str | None:
    """The column a header cell names, by the sheet reader's own vocabulary."""
    found = vocabulary.header_field(text)
    if found is None or found[0] == "ignore":
        return None
    return found[0]


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
    columns = [c for c, text in enumerate(header) if header_field(text) in NUMBER_COLUMNS]
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


def _column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch.upper()) - 64)
    return index - 1


def _mark_uncertain(sheet: DeliverySheet, fixed: set[tuple[int, int]]) -> None:
    """Beyond the low-confidence cells the sheet reader marks: numbers whose letters had
    to be corrected, and lines failing qty × price = amount."""
    columns = {f: _column_index(letter) for f, letter in sheet.columns.items() if letter}
    for line in sheet.lines:
        for f, c in columns.items():
            if (line.row - 1, c) in fixed and f in NUMBER_COLUMNS:
                line.uncertain.add(NUMBER_COLUMNS[f])
        if not line_amount_ok(line):
            line.uncertain.update(NUMBER_FIELDS)


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
        sheet = sheet_from_grid(grid.texts, filename=name, supplier=supplier,
                                confidence=grid.confidence)
        _mark_uncertain(sheet, fixed)
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


def line_amount_ok(line) -> bool:
    """qty × price = amount (to the cent) when all three were read."""
    if line.qty is None or line.unit_price is None or line.amount is None:
        return True
    return abs(line.qty * line.unit_price - line.amount) <= sheet_reader.AMOUNT_TOLERANCE
