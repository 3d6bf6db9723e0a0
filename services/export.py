"""Excel workbooks for download: styled, frozen header, number formats, cells
escaped against formula injection, an optional totals row, A4 print setup (landscape,
fit to one page wide, the header row repeated on every printed page, page numbers)
and the sign-off block finance signs."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

# A text cell starting with one of these is a formula to Excel/LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
TOTALS_FILL = PatternFill("solid", fgColor="F2F2F2")
MAX_SHEET_TITLE = 31


def escape_cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets a
    leading apostrophe-like quote so it is shown, never evaluated."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _excel_value(value: Any) -> Any:
    if value is None:
        return None
    try:
        if value != value:  # NaN / NaT from pandas, Decimal NaN
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, (bool, int, float, Decimal, date)):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        return _excel_value(value.item())
    return escape_cell(str(value))


def _number_format(values: Sequence[Any]) -> str | None:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, Decimal):
        exponent = sample.as_tuple().exponent
        if exponent == -3:  # the scale of stored quantities (db.types.Quantity)
            return QTY_FORMAT
        places = max(0, -exponent) if isinstance(exponent, int) else 2
        return "#,##0" if places == 0 else "#,##0." + "0" * min(places, 4)
    if isinstance(sample, datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(sample, date):
        return "yyyy-mm-dd"
    return None


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[Sequence[Any]]
    heading: str = ""                    # a title line above the table
    signoff: list[str] = field(default_factory=list)   # e.g. prepared / reviewed / approved / date
    subtitle: str = ""                   # a second line: period, filters, printed at
    # Excel number format per column (None: guessed from the values).
    formats: list[str | None] = field(default_factory=list)
    # Filled in next to the sign-off labels (e.g. the preparer's name, the date).
    signoff_values: list[str] = field(default_factory=list)
    # One more row under the table (e.g. ["合计", None, 12, 4160]); bold and shaded.
    totals: Sequence[Any] | None = None
    landscape: bool = True


def quantity_format(value: Any) -> str:
    """The number format of one quantity: its own decimals, never trailing zeros
    (8 -> "#,##0", 1.5 -> "#,##0.0")."""
    if isinstance(value, Decimal) and value == value:
        exponent = value.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    elif isinstance(value, float) and value == value and not value.is_integer():
        places = min(3, len(repr(value).split(".")[1]))
    else:
        places = 0
    return "#,##0" if places == 0 else "#,##0." + "0" * min(places, 6)


def _cell_format(column_format: str | None, value: Any) -> str | None:
    return quantity_format(value) if column_format == QTY_FORMAT else column_format


def _print_setup(ws, sheet: Sheet, header_row: int) -> None:
    """A4, landscape (or portrait), one page wide, header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0          # as many pages tall as needed
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.right.text = escape_cell(sheet.title).replace("&", "&&")


def _write_sheet(ws, sheet: Sheet) -> None:
    row_no = 1
    if sheet.heading:
        ws.cell(row=1, column=1, value=escape_cell(sheet.heading)).font = Font(bold=True, size=13)
        row_no = 3
    if sheet.subtitle:
        ws.cell(row=2 if sheet.heading else 1, column=1, value=escape_cell(sheet.subtitle))
        row_no = 3 if sheet.heading else 2
    for col, header in enumerate(sheet.headers, start=1):
        cell = ws.cell(row=row_no, column=col, value=escape_cell(str(header)))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = ws.cell(row=row_no + 1, column=1)
    columns = list(zip(*sheet.rows)) if sheet.rows else [[] for _ in sheet.headers]
    formats = [_number_format([_excel_value(v) for v in col]) for col in columns]
    for index, fmt in enumerate(sheet.formats[:len(formats)]):
        if fmt:
            formats[index] = fmt
    for r, values in enumerate(sheet.rows, start=row_no + 1):
        for c, value in enumerate(values, start=1):
            _number_cell(ws, r, c, value, formats)
    last_row = row_no + len(sheet.rows)
    if sheet.totals is not None:
        last_row += 1
        for c, value in enumerate(sheet.totals, start=1):
            cell = _number_cell(ws, last_row, c, value, formats)
            cell.font = Font(bold=True)
            cell.fill = TOTALS_FILL
    for c, header in enumerate(sheet.headers, start=1):
        width = max([len(str(header)) * 2] + [len(str(v)) for v in (columns[c - 1] if columns else [])][:200])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 10), 50)
    _print_setup(ws, sheet, row_no)
    if sheet.signoff:
        r = last_row + 3
        for c, label in enumerate(sheet.signoff):
            filled = sheet.signoff_values[c] if c < len(sheet.signoff_values) else ""
            text = f"{label}: {filled or '________'}"
            ws.cell(row=r, column=1 + c * 2, value=escape_cell(text)).font = Font(bold=True)


def _number_cell(ws, row: int, column: int, value: Any, formats: list[str | None]):
    cell = ws.cell(row=row, column=column, value=_excel_value(value))
    fmt = _cell_format(formats[column - 1], cell.value) if column - 1 < len(formats) else None
    if fmt and cell.value is not None:
        cell.number_format = fmt
    return cell


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        title = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:MAX_SHEET_TITLE] or "Sheet"
        _write_sheet(wb.create_sheet(title), sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def dataframe_sheet(df, title: str, headers: dict[str, str] | None = None, *, heading="",
                    signoff: list[str] | None = None) -> Sheet:
    """A Sheet from a pandas DataFrame; ``headers`` maps column -> translated label."""
    headers = headers or {}
    return Sheet(
        title=title,
        headers=[headers.get(c, c) for c in df.columns],
        rows=[list(row) for row in df.itertuples(index=False, name=None)],
        heading=heading, signoff=signoff or [],
        formats=[report_format(str(c)) for c in df.columns],
    )


# Number formats by column name, for report frames (money 2 places, cost 4).
# QTY_FORMAT marks a quantity column: each cell gets its own decimals (quantity_format).
QTY_FORMAT = "#,##0.###"
MONEY_FORMAT = "#,##0.00"
COST_FORMAT = "#,##0.0000"
RATE_FORMAT = "0.00%"


def report_format(column: str) -> str | None:
    """The number format a report column gets from its name."""
    if column in ("unit_cost", "unit_price", "note_unit_price"):
        return COST_FORMAT
    if column.endswith("_rate"):
        return RATE_FORMAT
    if column in ("value", "amount", "total_cost") or column.endswith("_value") \
            or column.endswith("_amount"):
        return MONEY_FORMAT
    if column == "qty" or column.endswith("_qty") or column.startswith("qty_") or column in (
            "reorder_level", "avg_monthly_usage", "issued", "returned", "returnable",
            "variance", "difference"):
        return QTY_FORMAT
    return None


def column_totals(columns: Sequence[str], rows: Sequence[Sequence[Any]], label: str) -> list:
    """A totals row: the sum of every quantity and money column (by name, not unit
    costs, prices or rates), ``label`` in the first column."""
    totals: list[Any] = []
    for index, column in enumerate(columns):
        fmt = report_format(str(column))
        if fmt in (QTY_FORMAT, MONEY_FORMAT):
            values = [row[index] for row in rows if _is_number(row[index])]
            totals.append(sum(values, Decimal(0)) if values else None)
        else:
            totals.append(None)
    if totals:
        totals[0] = label if totals[0] is None else totals[0]
    return totals


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == value


def report_workbook(frames: Sequence[tuple[Any, str]], headers: dict[str, str], *,
                    heading: str = "", subtitle: str = "", signoff: Sequence[str] = (),
                    signoff_values: Sequence[str] = (), totals_label: str = "") -> bytes:
    """An .xlsx of one or more report frames [(DataFrame, sheet title)]: translated
    ``headers`` (column -> label), number formats from the column names, the
    heading and subtitle above each table, a totals row when ``totals_label`` is
    given, and the sign-off block under it."""
    sheets = []
    for df, title in frames:
        sheet = dataframe_sheet(df, title, headers, heading=heading or title,
                                signoff=list(signoff))
        sheet.subtitle = subtitle
        sheet.formats = [report_format(str(c)) for c in df.columns]
        sheet.signoff_values = list(signoff_values)
        if totals_label:
            sheet.totals = column_totals(list(df.columns), sheet.rows, totals_label)
        sheets.append(sheet)
    return workbook_bytes(sheets)
