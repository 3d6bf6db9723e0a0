"""Uploaded spreadsheets (item import, stocktake count sheets) as rows of cells.

Every format the delivery-sheet reader knows (xlsx, xls, xlsb, ods, Excel 2003 XML,
CSV/TSV in UTF-8, GBK or UTF-16), read by the same loader under the same budget
(``services.sheets.budget``): sizes, extents and encryption are checked before any
parse, so no upload can stall the server.
"""
from __future__ import annotations

from services.errors import ValidationError
from services.sheets import formats
from services.sheets.budget import MB, OLE_MAGIC, ZIP_MAGIC, Budget
from services.text_input import is_utf16_text

MAX_UPLOAD_BYTES = 10 * MB
MAX_ROWS = 100_000
MAX_COLUMNS = 200
SPREADSHEET_NAMES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_NAMES = (".csv", ".txt", ".tsv")


def check_size(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> None:
    if len(data) > limit:
        raise ValidationError("file_too_large", field="file", limit_mb=limit // MB)
    if not data:
        raise ValidationError("file_unreadable", field="file", reason="empty file")


def kind_of(data: bytes, filename: str) -> str:
    """'sheet' or 'csv', judged by content (a renamed binary is refused)."""
    name = (filename or "").lower()
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        if name.endswith(TEXT_NAMES):
            raise ValidationError("file_unreadable", field="file", reason="not a CSV file")
        return "sheet"
    if name.endswith(SPREADSHEET_NAMES) and formats.sniff(data, filename) == "csv":
        raise ValidationError("file_unreadable", field="file", reason="not an Excel file")
    if name.endswith(TEXT_NAMES):
        # A NUL near the start means binary content (UTF-16's NULs come after its BOM);
        # one further in is refused with its row and column when the cell is read.
        if b"\x00" in data[:4096] and not is_utf16_text(data):
            raise ValidationError("file_unreadable", field="file", reason="binary data in a CSV file")
        return "csv"
    if name.endswith(SPREADSHEET_NAMES):
        return "sheet"
    raise ValidationError("file_unreadable", field="file",
                          reason="use an Excel (.xlsx, .xls, .ods) or .csv file")


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> list[list]:
    """All rows of the first sheet (cached values of formulas) or the CSV."""
    check_size(data)
    kind_of(data, filename)
    budget = Budget(file_bytes=MAX_UPLOAD_BYTES, rows=max_rows)
    grid = next(iter(formats.load(data, filename, budget)), None)
    if grid is None:
        raise ValidationError("import_empty", field="file")
    return [row[:MAX_COLUMNS] for row in _trimmed(grid.rows)]


def _trimmed(rows: list[list]) -> list[list]:
    """Without the empty rows and columns a grid may carry after the data."""
    while rows and all(v is None for v in rows[-1]):
        rows = rows[:-1]
    width = max((max((i + 1 for i, v in enumerate(r) if v is not None), default=0)
                 for r in rows), default=0)
    return [list(r[:width]) + [None] * (width - len(r[:width])) if width else [] for r in rows]


def rows_as_dicts(rows: list[list], aliases: dict[str, str]) -> tuple[list[dict], int]:
    """Map the first non-empty row's headers through ``aliases`` (lower-cased header
    -> field). Returns the data rows as dicts and the sheet row number of the first."""
    header_index = next((i for i, row in enumerate(rows) if any(c not in (None, "") for c in row)), None)
    if header_index is None:
        raise ValidationError("import_empty", field="file")
    fields = [aliases.get(str(c or "").strip().lower()) for c in rows[header_index]]
    records = []
    for row in rows[header_index + 1:]:
        if all(c in (None, "") for c in row):
            records.append(None)
            continue
        records.append({f: v for f, v in zip(fields, row) if f})
    return records, header_index + 2
