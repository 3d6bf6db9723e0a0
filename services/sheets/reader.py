"""One reader, two front ends: ``read_delivery_sheet`` (a file's bytes) and
``sheet_from_grid`` (rows recognised from a photo) run the same header, column and
row logic and return the same ``DeliverySheet``."""
from __future__ import annotations

import gc
import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator

from services.errors import ValidationError
from services.sheets import budget as limits
from services.sheets import layout, shapes
from services.sheets import vocabulary as vocab
from services.sheets.fields import column_order, to_text
from services.sheets.formats import Grid, cell_date, load
from services.sheets.lines import (  # noqa: F401  (MAX_*, AMOUNT_TOLERANCE: importable here)
    _FORMULA,
    AMOUNT_TOLERANCE,
    MAX_LINE_QTY,
    MAX_PRICE,
    OPTIONAL_FORMULA_FIELDS,
    SheetError,
    SheetLine,
    _line,
)

MAX_FILE_BYTES = limits.DEFAULT.file_bytes
MAX_SHEET_ROWS = 20_000                    # lines below the header, blank ones included
MAX_MERGED_CELLS = 200_000
CONFIDENCE_THRESHOLD = 0.80                # photo cells below this are marked uncertain
FILL_DOWN_FIELDS = ("sku", "name", "spec", "name_spec", "lot_no", "expiry_date", "po_number",
                    "unit")
PRICE_BASES = ("incl_tax", "excl_tax")
# A sheet of lines (delivery sheet, PO import) is refused by its extent, before it
# is parsed, when it has more rows than any such sheet can have.
LINE_BUDGET = limits.Budget(rows=MAX_SHEET_ROWS + layout.HEADER_SCAN_ROWS + 100)


# --- results ----------------------------------------------------------------------------
@dataclass
class TableRow:
    row: int
    values: dict[str, Any]


@dataclass
class DeliverySheet:
    filename: str
    sha256: str
    lines: list[SheetLine] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)
    sheet_name: str = ""
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)   # field -> column letter
    note_no: str = ""
    supplier_name: str = ""
    po_number: str = ""
    delivery_date: date | None = None
    header_cells: list[str] = field(default_factory=list)   # the header text of each column
    signature: str = ""                                     # for saved mappings
    mapping_used: bool = False                              # read through a saved mapping
    price_basis: str = "incl_tax"

    @property
    def warnings(self) -> list[SheetError]:
        return [e for e in self.errors if e.severity == "warning"]

    @property
    def row_errors(self) -> list[SheetError]:
        return [e for e in self.errors if e.severity == "error"]

    @property
    def po_numbers(self) -> list[str]:
        """Every PO the lines name, in order of first appearance."""
        seen: dict[str, None] = {}
        for line in self.lines:
            if line.po_number:
                seen.setdefault(line.po_number, None)
        return list(seen) or ([self.po_number] if self.po_number else [])


@dataclass(frozen=True)
class ColumnMapping:
    """Columns a receiver assigned by hand: field -> column (0-based) under the
    header row ``header_row`` (1-based; 0: the sheet has no header row)."""

    header_row: int
    columns: dict[str, int]


@dataclass(frozen=True)
class SupplierProfile:
    """What the reader knows about one supplier: its saved mappings by header
    signature, and which of its prices (with or without tax) compares with the PO."""

    code: str = ""
    name: str = ""
    price_basis: str = "incl_tax"
    mappings: dict[str, ColumnMapping] = field(default_factory=dict)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _refuse(code: str, **params):
    raise ValidationError(code, field="file", **params)


# --- front ends ---------------------------------------------------------------------------
def read_delivery_sheet(data: bytes, filename: str, *, supplier: SupplierProfile | str | None = None,
                        mapping: ColumnMapping | None = None,
                        progress: Callable[[float], None] | None = None,
                        budget: limits.Budget | None = None) -> DeliverySheet:
    """Read a supplier delivery sheet: the first sheet of the file with a header (or
    the one a saved or given mapping fits). Only a file that cannot be read at all
    raises ``ValidationError``; row problems come back in ``.errors``."""
    sha = hashlib.sha256(data if isinstance(data, (bytes, bytearray)) else b"").hexdigest()
    budget = budget or LINE_BUDGET
    clock = budget.start()
    profile = _profile(supplier)
    summary = None
    with _collector_paused():
        for grid in load(data, filename, budget):
            clock.check()
            sheet = _read_grid(grid, filename, sha, profile, mapping, progress, clock)
            if sheet is not None and not vocab.is_summary_sheet(grid.name):
                return sheet
            summary = summary or sheet
    # A workbook of a 汇总 sheet only: its table is all there is to read.
    if summary is not None:
        return summary
    _refuse("no_header_found", rows=layout.HEADER_SCAN_ROWS)
    raise AssertionError("unreachable")


@contextmanager
def _collector_paused():
    """A sheet makes a few hundred thousand small objects that all stay alive until
    the read ends: the cyclic collector would rescan them again and again (half the
    reading time of a 10,000-line sheet). Reference counting still frees garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def preview_rows(data: bytes, filename: str, *, rows: int = layout.HEADER_SCAN_ROWS,
                 budget: limits.Budget = limits.DEFAULT) -> list[list[str]]:
    """The first rows of the first sheet as text (to pick the header row and map
    columns by hand when the reader found none)."""
    with _collector_paused():
        grid = next(iter(load(data, filename, budget)), None)
    if grid is None:
        return []
    head = [[to_text(cell_date(v)) for v in row] for row in grid.rows[:rows]]
    width = max((len(r) for r in head), default=0)
    return [r + [""] * (width - len(r)) for r in head]


def sheet_from_grid(rows: list[list[object]], *, filename: str = "",
                    supplier: SupplierProfile | str | None = None,
                    confidence: list[list[float | None]] | None = None,
                    mapping: ColumnMapping | None = None) -> DeliverySheet:
    """The same reading for rows recognised elsewhere (a photographed note): cells
    whose ``confidence`` is below CONFIDENCE_THRESHOLD mark their field uncertain."""
    grid = Grid("", [list(r) for r in rows])
    sheet = _read_grid(grid, filename, "", _profile(supplier), mapping, None,
                       limits.DEFAULT.start(), confidence)
    if sheet is None:
        _refuse("no_header_found", rows=layout.HEADER_SCAN_ROWS)
    return sheet


def _profile(supplier) -> SupplierProfile:
    if isinstance(supplier, SupplierProfile):
        return supplier
    if isinstance(supplier, str):
        return SupplierProfile(code=supplier)
    return SupplierProfile()


# --- one grid -------------------------------------------------------------------------------
def _read_grid(grid: Grid, filename: str, sha: str, profile: SupplierProfile,
               mapping: ColumnMapping | None, progress, clock, confidence=None
               ) -> DeliverySheet | None:
    rows = grid.rows
    header = layout.find_header(rows)
    saved = None
    if mapping is None and profile.mappings:
        saved = _saved_mapping(rows, header, profile)
    chosen = mapping or saved
    if chosen is not None:
        header = _header_from_mapping(rows, chosen)
    elif header is None:
        grid = shapes.cards_as_table(grid)
        if grid is None:
            return None
        rows = grid.rows
        header = layout.find_header(rows)
        if header is None:
            return None
        layout.settle_columns(header, rows)
    else:
        grid, header = shapes.one_table(grid, header)
        rows = grid.rows
        layout.settle_columns(header, rows)
    sheet = DeliverySheet(filename=filename, sha256=sha, sheet_name=grid.name,
                          header_row=header.row or None,
                          columns={f: column_letter(c) for f, c in header.columns.items()},
                          header_cells=header.texts, signature=header_signature(header.texts),
                          mapping_used=saved is not None, price_basis=profile.price_basis)
    meta = layout.Meta()
    layout.read_block(rows[:max(header.row - 1, 0)], meta)
    records = shapes.join_continued(
        list(_records(grid, header, sheet.errors, progress, clock, meta)), header)
    layout.read_line_columns(rows, header, [r.row for r in records], meta)
    orders = {f: column_order(r.values.get(f) for r in records)
              for f in ("expiry_date",) if f in header.columns}
    for record in records:
        line = _line(record, header, sheet, orders)
        if line is not None:
            if confidence is not None:
                line.uncertain = _uncertain(confidence, record.row, header.columns)
            sheet.lines.append(line)
    sheet.note_no, sheet.supplier_name = meta.note_no, meta.supplier_name
    sheet.delivery_date = meta.delivery_date
    for line in sheet.lines:
        line.po_number = line.po_number or meta.po_number
    # Two POs on one sheet: no single PO for the sheet (the lines keep theirs).
    sheet.po_number = _single_po(sheet.lines) if sheet.lines else meta.po_number
    return sheet


def header_signature(texts: list[str]) -> str:
    """What identifies a layout: its header words, in order, normalised."""
    words = "|".join(vocab.layout_word(t) for t in texts if t)
    return hashlib.sha1(words.encode()).hexdigest()[:16] if words else ""


def _saved_mapping(rows, header, profile: SupplierProfile) -> ColumnMapping | None:
    if header is not None:
        found = profile.mappings.get(header_signature(header.texts))
        if found:
            return found
    for index in range(min(layout.HEADER_SCAN_ROWS, len(rows))):
        texts = [to_text(v) if isinstance(v, str) else "" for v in rows[index]]
        found = profile.mappings.get(header_signature(texts))
        if found and found.header_row in (0, index + 1):
            return ColumnMapping(index + 1, found.columns)
    return None


def _header_from_mapping(rows, mapping: ColumnMapping) -> layout.Header:
    index = mapping.header_row - 1
    texts = [to_text(v) if isinstance(v, str) else "" for v in rows[index]] \
        if 0 <= index < len(rows) else []
    return layout.Header(mapping.header_row, dict(mapping.columns), texts)


def _single_po(lines: list[SheetLine]) -> str:
    numbers = {line.po_number for line in lines if line.po_number}
    return numbers.pop() if len(numbers) == 1 else ""


def _uncertain(confidence, row: int, columns: dict[str, int]) -> set[str]:
    index = row - 1
    if index >= len(confidence) or confidence[index] is None:
        return set()
    cells = confidence[index]
    out = set()
    for f, c in columns.items():
        score = cells[c] if c < len(cells) else None
        if score is not None and score < CONFIDENCE_THRESHOLD:
            out.add({"name_spec": "name"}.get(f, f))
            if f == "name_spec":
                out.add("spec")
    return out


# --- rows -------------------------------------------------------------------------------------
def _merge_anchors(grid: Grid, columns: dict[str, int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(row 1-based, col) of each covered cell in a fill-down column -> its anchor."""
    wanted = {c for f, c in columns.items() if f in FILL_DOWN_FIELDS}
    anchors: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in grid.merged:
        if r2 == r1:
            continue
        for c in range(c1, c2 + 1):
            if c not in wanted:
                continue
            for r in range(r1, r2 + 1):
                if (r, c) != (r1, c1):
                    anchors[(r + 1, c)] = (r1 + 1, c1)
            if len(anchors) > MAX_MERGED_CELLS:
                return anchors
    return anchors


def _records(grid: Grid, header: layout.Header, errors: list[SheetError], progress, clock,
             meta: layout.Meta | None = None) -> Iterator[TableRow]:
    """Each line below the header as {field: raw value}: repeated headers, subtotal
    rows, footers and blank rows skipped (never stopping the read), section rows
    applied to the lines below, and nothing after the start of a backorder table."""
    rows = grid.rows
    columns = dict(header.columns)
    anchors = _merge_anchors(grid, columns)
    formulas = grid.formula_no_value
    section: dict[str, str] = {}
    after_total = closed = False
    total = len(rows) - header.row
    qty_col = columns.get("qty")
    parent = None          # the line number of the last main line (a kit's)
    for index in range(header.row, len(rows)):
        row_no = index + 1
        if (row_no - header.row) % 1000 == 0 or row_no - header.row > MAX_SHEET_ROWS:
            _count_row(row_no - header.row, total, progress, clock)
        values = rows[index]
        if anchors:
            values = _filled(rows, values, row_no, anchors)
        qty_raw = values[qty_col] if qty_col is not None and qty_col < len(values) else None
        # The usual line: a number in the quantity column (never blank, never a header).
        numeric_qty = type(qty_raw) is float or type(qty_raw) is int
        if not numeric_qty and layout.is_blank(values):
            continue
        has_qty = qty_raw not in (None, "")
        if layout.is_total_text(layout.first_text(values)):
            after_total = True
            continue
        kind, found = (None, None) if numeric_qty or layout.looks_numeric(qty_raw) else \
            _other_row(rows, index, values, has_qty, after_total)
        if kind == "stop":
            break
        if kind == "header":
            layout.settle_columns(found, rows)
            columns, after_total, closed = dict(found.columns), False, False
            qty_col = columns.get("qty")
            anchors = _merge_anchors(grid, columns) if grid.merged else anchors
        elif kind == "section":
            section.update(found)
        elif kind == "footer":
            closed = True           # signatures end a table; a repeated header reopens
        if kind is not None:
            continue
        if closed:
            continue
        record = _row_record(values, columns, row_no, formulas, header, errors)
        if not has_qty and all(record.get(f) in (None, "") for f in
                               ("sku", "name", "name_spec", "barcode")):
            continue
        number = record.get("line_no")
        if type(number) is str and shapes.is_kit_content(number, parent, record):
            continue
        parent = number
        if section.get("po_number") and record.get("po_number") in (None, ""):
            record["po_number"] = section["po_number"]
        yield TableRow(row_no, record)
    if progress is not None:
        progress(1.0)


def _other_row(rows: list[list], index: int, values: list, has_qty: bool, after_total: bool
               ) -> tuple[str | None, Any]:
    """What a row without a number for its quantity is: ("header", the header
    printed again), ("stop", None) at a backorder table, ("section", its values),
    ("footer", None), ("skip", None) for a note, an adjustment or what follows a total
    without a quantity; (None, None) when it may still be a line (quantity as text)."""
    again = layout.header_at(rows, index)
    if again is not None:
        return "header", again
    if layout.is_backorder(values):
        return "stop", None
    if not has_qty and (layout.is_adjustment(values) or layout.is_note(values)):
        return "skip", None
    found = layout.section_values(values)
    if found:
        return "section", found
    if layout.is_footer(values):
        return "footer", None
    if not has_qty and after_total:
        return "skip", None
    return None, None


def _count_row(seen: int, total: int, progress, clock) -> None:
    """Refuse a sheet past the line limit; every 1000 lines check the time budget
    and report progress."""
    if seen > MAX_SHEET_ROWS:
        _refuse("too_many_lines", max=MAX_SHEET_ROWS)
    if seen % 1000 == 0:
        clock.check()
        if progress is not None:
            progress(min(seen / max(total, 1), 0.99))


def _row_record(values, columns: dict[str, int], row_no: int, formulas, header: layout.Header,
                errors: list[SheetError]) -> dict[str, Any]:
    """{field: raw value} of one row; a formula cell without a cached value is
    reported (a warning where it only loses a cross-check) and marked ``_FORMULA``."""
    width = len(values)
    if not formulas:
        return {f: values[c] if c < width else None for f, c in columns.items()}
    record = {}
    for f, c in columns.items():
        record[f] = values[c] if c < width else None
        if record[f] is None and (row_no, c) in formulas:
            errors.append(SheetError(
                row_no, column_letter(c), "formula_no_value",
                {"field": f, "header": header.texts[c] if c < len(header.texts) else ""},
                "warning" if f in OPTIONAL_FORMULA_FIELDS else "error"))
            record[f] = _FORMULA
    return record


def _filled(rows, values, row_no, anchors) -> list:
    values = list(values)
    for (r, c), (ar, ac) in ((k, v) for k, v in anchors.items() if k[0] == row_no):
        values.extend([None] * (c + 1 - len(values)))
        if values[c] is None and ar - 1 < len(rows) and ac < len(rows[ar - 1]):
            values[c] = rows[ar - 1][ac]
    return values


# --- generic imports (PO import) ---------------------------------------------------------------
def read_records(data: bytes, filename: str, columns: dict[str, tuple[str, ...]], *,
                 required: tuple[str, ...], one_of: tuple[str, ...],
                 budget: limits.Budget | None = None
                 ) -> tuple[list[TableRow], list[SheetError], dict[str, str]]:
    """Raw records by canonical field, for imports with their own column words
    (the PO importer): the same formats, budget and row handling as delivery sheets."""
    index = {vocab.norm(word): f for f, words in columns.items() for word in words}
    budget = budget or LINE_BUDGET
    clock = budget.start()
    for grid in load(data, filename, budget):
        clock.check()
        header = _generic_header(grid.rows, index, required, one_of)
        if header is None:
            continue
        errors: list[SheetError] = []
        records = list(_records(grid, header, errors, None, clock))
        return records, errors, {f: column_letter(c) for f, c in header.columns.items()}
    _refuse("no_header_found", rows=layout.HEADER_SCAN_ROWS)
    raise AssertionError("unreachable")


def _generic_header(rows, index, required, one_of) -> layout.Header | None:
    for offset in range(min(layout.HEADER_SCAN_ROWS, len(rows))):
        mapping: dict[str, int] = {}
        texts = [to_text(v) if isinstance(v, str) else "" for v in rows[offset]]
        for col, text in enumerate(texts):
            f = index.get(vocab.norm(text)) if text else None
            if f and f not in mapping:
                mapping[f] = col
        if all(f in mapping for f in required) and any(f in mapping for f in one_of) \
                and len(mapping) >= 2:
            return layout.Header(offset + 1, mapping, texts)
    return None
