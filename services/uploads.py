"""Defensive reading of uploaded spreadsheets (xlsx / csv) into rows of cells.

Checks happen before any full parse: size limit, real file type by magic bytes, and
for xlsx (a zip) the declared uncompressed sizes and compression ratio of its members,
so zip bombs are refused without inflating them. openpyxl parses XML through
defusedxml when it is installed, which stops entity-expansion bombs.
"""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Iterator

from services.errors import ValidationError
from services.text_input import decode_csv, is_utf16_text

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200            # uncompressed / compressed, per member
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_MEMBERS = 5000         # parts inside one xlsx (a real workbook has a few dozen)
XLSX_MAGIC = b"PK\x03\x04"


def check_size(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> None:
    if len(data) > limit:
        raise ValidationError("file_too_large", field="file", limit_mb=limit // (1024 * 1024))
    if not data:
        raise ValidationError("file_unreadable", field="file", reason="empty file")


def kind_of(data: bytes, filename: str) -> str:
    """'xlsx' or 'csv', judged by content (a renamed binary is refused)."""
    name = (filename or "").lower()
    if data.startswith(XLSX_MAGIC):
        if name.endswith(".csv"):
            raise ValidationError("file_unreadable", field="file", reason="not a CSV file")
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm")):
        raise ValidationError("file_unreadable", field="file", reason="not an Excel .xlsx file")
    if name.endswith((".csv", ".txt")):
        # A NUL near the start means binary content (UTF-16's NULs come after its BOM);
        # one further in is refused with its row and column when the cell is read.
        if b"\x00" in data[:4096] and not is_utf16_text(data):
            raise ValidationError("file_unreadable", field="file", reason="binary data in a CSV file")
        return "csv"
    raise ValidationError("file_unreadable", field="file", reason="use an .xlsx or .csv file")


def check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ValidationError("file_unreadable", field="file", reason="damaged Excel file") from None
    if len(members) > MAX_MEMBERS:
        raise ValidationError("file_unreadable", field="file", reason="too many parts in the file")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNZIPPED_BYTES or (member.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise ValidationError("file_unreadable", field="file", reason="compressed content too large")
    if not any(m.filename == "[Content_Types].xml" for m in members):
        raise ValidationError("file_unreadable", field="file", reason="not an Excel .xlsx file")


def _limited(rows: Iterator[list], max_rows: int) -> list[list]:
    out = []
    for row in rows:
        if len(out) >= max_rows:
            raise ValidationError("file_unreadable", field="file", reason=f"more than {max_rows} rows")
        out.append(list(row[:MAX_COLUMNS]))
    return out


def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS) -> list[list]:
    """All rows of the first sheet (xlsx: cached values of formulas) or the CSV."""
    check_size(data)
    if kind_of(data, filename) == "csv":
        try:
            return _limited(csv.reader(io.StringIO(decode_csv(data))), max_rows)
        except csv.Error as exc:          # e.g. a cell beyond the csv module's size limit
            raise ValidationError("file_unreadable", field="file",
                                  reason=f"malformed CSV: {str(exc)[:60]}") from None
    check_zip(data)
    return _limited(xlsx_rows(data), max_rows)


def _unreadable(exc: Exception) -> ValidationError:
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__   # openpyxl wraps parse errors
    if cause is not None:
        return ValidationError("file_unreadable", field="file", reason="unsafe XML content")
    return ValidationError("file_unreadable", field="file", reason="damaged Excel file")


def xlsx_rows(data: bytes) -> Iterator[list]:
    """Rows of the first worksheet. openpyxl parses lazily in read-only mode, so
    parse errors can surface while iterating: both are reported the same way."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on malformed input
        raise _unreadable(exc) from None
    try:
        sheet = workbook.worksheets[0]
        # Read every row really there: the <dimension> a file declares can be wrong
        # (too small, and read-only mode would silently drop the rest, or huge).
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    except ValidationError:
        raise
    except Exception as exc:
        raise _unreadable(exc) from None
    finally:
        workbook.close()


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
