"""Bytes -> grids (rows of cell values), whatever the supplier's software saved.

xlsx/xlsm, xlsb, ods and .xls (BIFF) through calamine, after ``budget`` has
inspected the container; Excel 2003 XML (SpreadsheetML) through defusedxml; HTML
tables saved as .xls (a common "export to Excel" of web ERPs); CSV/TSV in UTF-8 (with
or without BOM), UTF-16 ("Unicode text") and GBK/GB18030. The kind is judged by the
bytes, never trusted from the name alone.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import codecs
import csv
import html.parser
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator

from services import text_input
from services.sheets import budget as limits
from services.sheets.budget import OLE_MAGIC, ZIP_MAGIC, Budget, refuse

TEXT_EXTENSIONS = (".csv", ".txt", ".tsv", ".tab")
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".xml", ".et", ".htm",
                          ".html")


@dataclass
class Grid:
    """One sheet: ``rows[i]`` is sheet row i + 1, ``rows[i][j]`` column j (None = empty)."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1,c1,r2,c2 0-based
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)     # (row 1-based, col)


def sniff(data: bytes, filename: str) -> str:
    """xlsx | xlsb | ods | xls | xml2003 | html | csv, from the bytes."""
    if not isinstance(data, (bytes, bytearray)):
        refuse("file_unreadable", reason="no data")
    name = (filename or "").lower()
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "xls"
    head = data[:2048].lstrip(codecs.BOM_UTF8).lstrip()
    lowered = head.lower()
    if lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        return "xml2003"
    if lowered.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or (
            name.endswith((".xls", ".htm", ".html")) and b"<table" in data[:65536].lower()):
        return "html"
    if name.endswith((".xlsx", ".xlsm", ".xlsb", ".ods", ".xls", ".et")):
        refuse("not_a_spreadsheet", filename=filename)
    if name.endswith(TEXT_EXTENSIONS) or "." not in name:
        sample = data[:4096]      # as services.uploads: binary shows in the first 4 KB
        if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            refuse("not_a_spreadsheet", filename=filename)
        return "csv"
    refuse("not_a_spreadsheet", filename=filename)
    raise AssertionError("unreachable")


def load(data: bytes, filename: str, budget: Budget = limits.DEFAULT) -> Iterator[Grid]:
    """The sheets of a file, one grid at a time (a later sheet is only parsed when the
    caller asks for it). Refuses what is not a spreadsheet or over the budget."""
    if len(data) > budget.file_bytes:
        refuse("file_too_large", limit_mb=budget.file_bytes // limits.MB)
    if not data:
        refuse("import_empty")
    kind = sniff(data, filename)
    if kind == "zip":
        return _zip_grids(data, filename, budget)
    if kind == "xls":
        stream = limits.check_ole(data, budget)
        del stream
        return _calamine_grids(data, budget, {})
    if kind == "xml2003":
        return iter(_spreadsheetml(data, budget))
    if kind == "html":
        return iter(_html_tables(data, budget))
    return iter([csv_grid(data, budget)])


# --- calamine formats -----------------------------------------------------------------
def _zip_grids(data: bytes, filename: str, budget: Budget) -> Iterator[Grid]:
    archive = limits.open_zip(data, budget)
    names = {info.filename for info in archive.infolist()}
    if "xl/workbook.xml" in names:
        formulas, scanned = {}, set()
        for sheet_name, path in _xlsx_sheet_parts(archive):
            if path in names:
                formulas[sheet_name] = limits.scan_xlsx_sheet(limits.read_member(archive, path),
                                                              budget)
                scanned.add(path)
        for path in names - scanned:
            if path.startswith("xl/worksheets/") and path.endswith(".xml"):
                limits.scan_xlsx_sheet(limits.read_member(archive, path), budget)
        limits.check_xml_parts(archive, frozenset(n for n in names if n.startswith("xl/worksheets/")))
        return _calamine_grids(data, budget, formulas)
    if "xl/workbook.bin" in names:
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".bin"):
                limits.scan_xlsb_sheet(limits.read_member(archive, name), budget)
        return _calamine_grids(data, budget, {})
    if "content.xml" in names and "mimetype" in names and \
            b"opendocument.spreadsheet" in limits.read_member(archive, "mimetype"):
        limits.check_xml_parts(archive)
        limits.scan_ods_content(limits.read_member(archive, "content.xml"), budget)
        return _calamine_grids(data, budget, {})
    refuse("not_a_spreadsheet", filename=filename)
    raise AssertionError("unreachable")


def _xlsx_sheet_parts(archive) -> list[tuple[str, str]]:
    from defusedxml import ElementTree

    try:
        book = ElementTree.fromstring(limits.read_member(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(limits.read_member(archive, "xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - damaged or hostile XML: calamine decides
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = []
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts.append((sheet.get("name", ""), path))
    return parts


def _calamine_grids(data: bytes, budget: Budget, formulas: dict) -> Iterator[Grid]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        refuse("file_encrypted")
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for damage
        _unreadable(exc)
    try:
        visible = [m.name for m in book.sheets_metadata
                   if str(m.typ).endswith("WorkSheet") and str(m.visible).endswith(".Visible")]
        for name in visible or book.sheet_names:
            try:
                sheet = book.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False, nrows=budget.rows)
                merged = sheet.merged_cell_ranges or []
            except python_calamine.PasswordError:
                refuse("file_encrypted")
            except Exception as exc:  # noqa: BLE001
                _unreadable(exc)
            yield Grid(name, [_cells(row) for row in rows],
                       [(a[0], a[1], b[0], b[1]) for a, b in merged],
                       formulas.get(name, set()))
    finally:
        book.close()


def _cells(row: list) -> list:
    """calamine's empty cell is "": None, as every other format gives it. (Most rows
    of a delivery sheet have none, and `"" in row` costs less than rebuilding it.)"""
    if "" not in row:
        return row
    return [None if v == "" else v for v in row]


def _unreadable(exc: Exception) -> None:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        refuse("file_encrypted")
    refuse("file_unreadable", reason="damaged file")


# --- Excel 2003 XML ------------------------------------------------------------------
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _spreadsheetml(data: bytes, budget: Budget) -> list[Grid]:
    from defusedxml import DefusedXmlException, ElementTree

    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException:
        refuse("xml_entities")
    except Exception:  # noqa: BLE001 - malformed XML
        refuse("file_unreadable", reason="damaged file")
    grids = []
    for sheet in root.iter(f"{_SS}Worksheet"):
        table = sheet.find(f"{_SS}Table")
        if table is None:
            continue
        builder = _GridBuilder(sheet.get(f"{_SS}Name", ""), budget)
        row_no = 0
        for row in table.iter(f"{_SS}Row"):
            row_no = int(row.get(f"{_SS}Index", row_no + 1))
            col = 0
            for cell in row.iter(f"{_SS}Cell"):
                col = int(cell.get(f"{_SS}Index", col + 1))
                data_el = cell.find(f"{_SS}Data")
                value = _xml_value(data_el) if data_el is not None else None
                across = int(cell.get(f"{_SS}MergeAcross", 0))
                down = int(cell.get(f"{_SS}MergeDown", 0))
                builder.put(row_no - 1, col - 1, value, across, down)
                col += across
        grids.append(builder.grid())
    return grids


def _xml_value(element) -> Any:
    text = "".join(element.itertext())
    kind = element.get(f"{_SS}Type", "String")
    if kind == "Number":
        try:
            return int(text) if re.fullmatch(r"-?\d+", text.strip()) else Decimal(text.strip())
        except (ValueError, InvalidOperation):
            return text
    if kind == "DateTime":
        try:
            moment = datetime.fromisoformat(text.strip()[:19])
            return moment if moment.time() != time() else moment.date()
        except ValueError:
            return text
    if kind == "Boolean":
        return text.strip() == "1"
    return text if text.strip() else None


class _GridBuilder:
    """Cells placed by position (merges, ss:Index, colspan), within the budget."""

    def __init__(self, name: str, budget: Budget):
        self.name, self.budget = name, budget
        self.rows: list[list[Any]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.cells = 0

    def put(self, r: int, c: int, value: Any, across: int = 0, down: int = 0) -> None:
        if r >= self.budget.rows:
            limits.over("rows", self.budget.rows, r + 1)
        if c + across >= self.budget.columns:
            limits.over("columns", self.budget.columns, c + across + 1)
        while len(self.rows) <= r + down:
            self.rows.append([])
        row = self.rows[r]
        if len(row) <= c:
            self.cells += c + 1 - len(row)
            row.extend([None] * (c + 1 - len(row)))
        if self.cells > self.budget.cells:
            limits.over("cells", self.budget.cells, self.cells)
        row[c] = value
        if across or down:
            self.merged.append((r, c, r + down, c + across))

    def taken(self, r: int, c: int) -> bool:
        return any(m[0] <= r <= m[2] and m[1] <= c <= m[3] and (m[0], m[1]) != (r, c)
                   for m in self.merged[-50:])

    def grid(self) -> Grid:
        return Grid(self.name, self.rows, self.merged)


# --- HTML tables saved as .xls ---------------------------------------------------------
class _TableParser(html.parser.HTMLParser):
    def __init__(self, budget: Budget):
        super().__init__(convert_charrefs=True)
        self.budget = budget
        self.grids: list[Grid] = []
        self.builder: _GridBuilder | None = None
        self.row = -1
        self.col = 0
        self.cell: list[str] | None = None
        self.span = (0, 0)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.builder is None:
            self.builder, self.row = _GridBuilder(f"table{len(self.grids) + 1}", self.budget), -1
        elif tag == "tr" and self.builder is not None:
            self.row, self.col = self.row + 1, 0
        elif tag in ("td", "th") and self.builder is not None:
            while self.builder.taken(self.row, self.col):
                self.col += 1
            self.cell = []
            self.span = (_int(attrs.get("colspan")) - 1, _int(attrs.get("rowspan")) - 1)
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_data(self, text):
        if self.cell is not None:
            self.cell.append(text)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.builder is not None:
            text = re.sub(r"\s+", " ", "".join(self.cell)).strip()
            across, down = self.span
            self.builder.put(max(self.row, 0), self.col, text or None, across, down)
            self.col += across + 1
            self.cell = None
        elif tag == "table" and self.builder is not None:
            self.grids.append(self.builder.grid())
            self.builder = None


def _int(value) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1


def _html_tables(data: bytes, budget: Budget) -> list[Grid]:
    head = data[:4096].lower()
    match = re.search(rb'charset=["\']?([a-z0-9_\-]+)', head)
    encoding = match.group(1).decode() if match else None
    text = text_input.decode_text(data, preferred=encoding)
    parser = _TableParser(budget)
    parser.feed(text)
    parser.close()
    if parser.builder is not None:
        parser.grids.append(parser.builder.grid())
    if not parser.grids:
        refuse("not_a_spreadsheet", filename="")
    return parser.grids


# --- text -----------------------------------------------------------------------------
def _delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for candidate in ("\t", ",", ";", "|"):
        counts = [line.count(candidate) for line in lines]
        score = sum(1 for c in counts if c) * 10 + max(counts, default=0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def csv_grid(data: bytes, budget: Budget = limits.DEFAULT) -> Grid:
    # A NUL in the first bytes was refused as binary by ``sniff``; one further in is a
    # cell's control character, refused naming its row and column when read.
    text = text_input.decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:8192]))
    # ="0123…" keeps a long number as text in Excel (Taobao and 1688 exports)
    excel_text = '="' in text
    rows = []
    try:
        for row in reader:
            if len(rows) >= budget.rows:
                limits.over("rows", budget.rows, len(rows) + 1)
            if len(row) > budget.columns:
                limits.over("columns", budget.columns, len(row))
            if excel_text:
                row = [_excel_text(c) for c in row]
            rows.append([c if c.strip() else None for c in row])
    except csv.Error as exc:
        # Never drop the rest of the file silently (e.g. a cell over the size limit).
        refuse("file_unreadable", reason=str(exc)[:60])
    return Grid("", rows)


def _excel_text(cell: str) -> str:
    """'="0012"' -> '0012'; a formula of more than one quoted text stays as it is."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3 and '"' not in cell[2:-1]:
        return cell[2:-1]
    return cell


def cell_date(value: Any) -> Any:
    """calamine hands timedeltas for durations; anything else passes."""
    if isinstance(value, timedelta):
        return (datetime(1899, 12, 30) + value).date()
    return value


__all__ = ["Grid", "load", "sniff", "csv_grid", "cell_date", "date"]
