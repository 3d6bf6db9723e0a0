"""Reading what suppliers send: delivery sheets in any spreadsheet or text format,
and the grids recognised from photographed notes, through one reader.

- ``formats``: bytes -> grids (xlsx, xls, xlsb, ods, Excel 2003 XML, HTML-as-xls, CSV/TSV)
- ``budget``: what an upload may cost, checked before parsing
- ``vocabulary``: the header words and rules, one table
- ``layout``: header rows, header block, subtotal/section/backorder/footer rows
- ``fields``: one cell: numbers with units, dates, combined cells
- ``lines``: one line: texts, quantity, prices and the amount check
- ``reader``: ``read_delivery_sheet`` and ``sheet_from_grid``
"""
from services.sheets.budget import Budget
from services.sheets.fields import clean_date, parse_date, parse_number, to_text
from services.text_input import decode_text
from services.sheets.reader import (
    MAX_FILE_BYTES,
    MAX_LINE_QTY,
    MAX_PRICE,
    MAX_SHEET_ROWS,
    ColumnMapping,
    DeliverySheet,
    SheetError,
    SheetLine,
    SupplierProfile,
    TableRow,
    column_letter,
    header_signature,
    preview_rows,
    read_delivery_sheet,
    read_records,
    sheet_from_grid,
)
from services.sheets.vocabulary import PO_IMPORT_COLUMNS

__all__ = [
    "Budget", "ColumnMapping", "DeliverySheet", "MAX_FILE_BYTES", "MAX_LINE_QTY", "MAX_PRICE",
    "MAX_SHEET_ROWS", "PO_IMPORT_COLUMNS", "SheetError", "SheetLine", "SupplierProfile",
    "TableRow", "clean_date", "column_letter", "decode_text", "header_signature",
    "parse_date", "parse_number", "preview_rows", "read_delivery_sheet", "read_records", "sheet_from_grid",
    "to_text",
]
