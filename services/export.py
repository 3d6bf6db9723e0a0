"""Excel workbooks for download: styled, frozen header, number formats, cells
escaped against formula injection, and the sign-off block finance signs."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# A text cell starting with one of these is a formula to Excel/LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
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
            cell = ws.cell(row=r, column=c, value=_excel_value(value))
            if c - 1 < len(formats) and formats[c - 1]:
                cell.number_format = formats[c - 1]
    for c, header in enumerate(sheet.headers, start=1):
        width = max([len(str(header)) * 2] + [len(str(v)) for v in (columns[c - 1] if columns else [])][:200])
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 10), 50)
    if sheet.signoff:
        r = row_no + len(sheet.rows) + 3
        for c, label in enumerate(sheet.signoff):
            filled = sheet.signoff_values[c] if c < len(sheet.signoff_values) else ""
            text = f"{label}: {filled or '________'}"
            ws.cell(row=r, column=1 + c * 2, value=escape_cell(text)).font = Font(bold=True)


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
    )


# Number formats by column name, for report frames (qty 3 places, money 2, cost 4).
QTY_FORMAT = "#,##0.000"
MONEY_FORMAT = "#,##0.00"
COST_FORMAT = "#,##0.0000"
RATE_FORMAT = "0.00%"


def report_format(column: str) -> str | None:
    """The number format a report column gets from its name."""
    if column in ("unit_cost", "unit_price"):
        return COST_FORMAT
    if column.endswith("_rate"):
        return RATE_FORMAT
    if column == "value" or column.endswith("_value") or column.endswith("_amount"):
        return MONEY_FORMAT
    if column == "qty" or column.endswith("_qty") or column in (
            "reorder_level", "avg_monthly_usage"):
        return QTY_FORMAT
    return None


def report_workbook(frames: Sequence[tuple[Any, str]], headers: dict[str, str], *,
                    heading: str = "", subtitle: str = "", signoff: Sequence[str] = (),
                    signoff_values: Sequence[str] = ()) -> bytes:
    """An .xlsx of one or more report frames [(DataFrame, sheet title)]: translated
    ``headers`` (column -> label), number formats from the column names, the
    heading and subtitle above each table and the sign-off block under it."""
    sheets = []
    for df, title in frames:
        sheet = dataframe_sheet(df, title, headers, heading=heading or title,
                                signoff=list(signoff))
        sheet.subtitle = subtitle
        sheet.formats = [report_format(str(c)) for c in df.columns]
        sheet.signoff_values = list(signoff_values)
        sheets.append(sheet)
    return workbook_bytes(sheets)
