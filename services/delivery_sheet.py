"""Reading supplier delivery sheets (送货单) and other line lists from .xlsx / .csv.

No database access. The reader is defensive: the file is checked (size, type, zip
member sizes and ratios, XML DTDs) before openpyxl opens it, openpyxl runs in
read-only mode through defusedxml, and every problem comes back as a row/column/reason
while the good rows are still returned. Only a file that cannot be read at all raises
``ValidationError``.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

import openpyxl
from openpyxl.utils import get_column_letter

from services.errors import ValidationError
from services import text_input

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_MEMBER_BYTES = 100 * 1024 * 1024       # one uncompressed zip member
MAX_TOTAL_BYTES = 300 * 1024 * 1024        # all members together
MAX_RATIO = 200                            # uncompressed / compressed, for big members
RATIO_FLOOR = 2 * 1024 * 1024              # small members may compress as they like
MAX_MEMBERS = 5000
MAX_MERGED_CELLS = 200_000
MAX_SHEET_ROWS = 20_000                    # rows below the header, blank ones included
HEADER_SCAN_ROWS = 20
MAX_LINE_QTY = Decimal("1000000")          # more than this on one line is absurd
MAX_PRICE = Decimal("100000000")
AMOUNT_TOLERANCE = Decimal("0.01")
EXCEL_EPOCH = date(1899, 12, 30)
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
CSV_EXTENSIONS = (".csv", ".txt")

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
    raise ImportError("defusedxml must be installed so openpyxl parses XML safely")


def _norm(text: str) -> str:
    """Header text reduced for matching: no brackets' contents, spaces or punctuation."""
    text = re.sub(r"\(.*?\)|（.*?）|\[.*?\]|【.*?】", "", str(text).strip().lower())
    return re.sub(r"[\s_:：*＊#№.,，。/\\\-()（）\[\]【】'\"]", "", text)


DELIVERY_COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("编码", "配件编码", "物料编码", "货号", "零件号", "配件号", "商品编码", "存货编码",
            "产品编码", "料号", "零件编号", "sku", "code", "itemcode", "partno", "partnumber",
            "itemno", "productcode", "materialcode", "partcode"),
    "name": ("品名", "名称", "配件名称", "商品名称", "物料名称", "货品名称", "产品名称",
             "零件名称", "name", "itemname", "partname", "description", "productname", "item",
             "product"),
    "spec": ("规格", "型号", "规格型号", "型号规格", "spec", "specification", "model", "specmodel"),
    "qty": ("数量", "送货数量", "实发数量", "发货数量", "实送数量", "交货数量", "qty", "quantity",
            "deliveredqty", "qtydelivered", "shippedqty", "deliveryqty"),
    "unit_price": ("单价", "含税单价", "不含税单价", "价格", "采购单价", "unitprice", "price",
                   "unitcost"),
    "amount": ("金额", "总价", "含税金额", "总金额", "价税合计", "amount", "lineamount",
               "linetotal", "total", "value", "extendedprice"),
    "lot_no": ("批号", "批次", "批次号", "生产批号", "lot", "lotno", "lotnumber", "batch",
               "batchno", "batchnumber"),
    "expiry_date": ("有效期", "有效期至", "失效日期", "到期日", "到期日期", "效期", "保质期至",
                    "expiry", "expirydate", "exp", "expdate", "bestbefore", "expires", "useby"),
    "po_number": ("订单号", "采购单号", "采购订单号", "订单编号", "采购订单", "po", "pono",
                  "ponumber", "purchaseorder", "purchaseorderno", "orderno", "ordernumber"),
    "unit": ("单位", "unit", "uom"),
}
PO_IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "supplier": ("供应商", "供应商编码", "供应商代码", "供货单位", "supplier", "suppliercode",
                 "vendor"),
    "po_number": DELIVERY_COLUMNS["po_number"],
    "sku": DELIVERY_COLUMNS["sku"],
    "name": DELIVERY_COLUMNS["name"],
    "qty": ("数量", "订购数量", "采购数量", "qty", "quantity", "orderedqty", "qtyordered"),
    "unit_price": DELIVERY_COLUMNS["unit_price"],
    "amount": DELIVERY_COLUMNS["amount"],
    "due_date": ("交货日期", "到货日期", "交期", "要求到货日期", "duedate", "due",
                 "deliverydate", "needby"),
}
# Labels of the values printed above the header (送货单号：DN-001).
META_LABELS = {
    "note_no": ("送货单号", "送货单编号", "单号", "单据编号", "单据号", "notenumber", "noteno",
                "deliverynote", "deliverynoteno", "dnno", "dn"),
    "supplier_name": ("供应商", "供货单位", "送货单位", "supplier", "vendor", "from"),
    "po_number": ("订单号", "采购单号", "采购订单号", "pono", "po", "ponumber", "purchaseorder"),
}
TOTAL_WORDS = ("合计", "总计", "小计", "本页小计", "本页合计", "total", "sum", "grandtotal",
               "subtotal")
TEXT_FIELDS = ("sku", "name", "spec", "lot_no", "po_number", "unit", "supplier")
FILL_DOWN_FIELDS = ("sku", "name", "spec", "lot_no", "expiry_date", "po_number", "unit",
                    "supplier", "due_date")


def _synonym_index(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for field_name, words in columns.items():
        for word in words:
            index.setdefault(_norm(word), field_name)
    return index


_DELIVERY_INDEX = _synonym_index(DELIVERY_COLUMNS)
_PO_INDEX = _synonym_index(PO_IMPORT_COLUMNS)
_META_INDEX = _synonym_index(META_LABELS)
_TOTALS = {_norm(w) for w in TOTAL_WORDS}


# --- results ---------------------------------------------------------------
@dataclass
class SheetError:
    """A problem at one row/column. ``message`` is the reason code (translated by the
    UI as ``error.<message>``); ``severity`` 'error' drops the row, 'warning' keeps it."""

    row: int | None
    column: str
    message: str
    params: dict = field(default_factory=dict)
    severity: str = "error"

    @property
    def code(self) -> str:
        return self.message


@dataclass
class SheetLine:
    row: int
    sku: str = ""
    name: str = ""
    spec: str = ""
    qty: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    lot_no: str = ""
    expiry_date: date | None = None
    po_number: str = ""
    unit: str = ""

    # Mapping-like access so a SheetLine can stand where a dict line is accepted.
    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, default)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def keys(self):
        return ("row", "sku", "name", "spec", "qty", "unit_price", "amount", "lot_no",
                "expiry_date", "po_number", "unit")


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

    @property
    def warnings(self) -> list[SheetError]:
        return [e for e in self.errors if e.severity == "warning"]

    @property
    def row_errors(self) -> list[SheetError]:
        return [e for e in self.errors if e.severity == "error"]


# --- file checks -------------------------------------------------------------
def _refuse(code: str, **params):
    raise ValidationError(code, field="file", **params)


def file_kind(data: bytes, filename: str) -> str:
    """'xlsx' or 'csv', from the bytes first and the name second; refuses the rest."""
    if not isinstance(data, (bytes, bytearray)):
        _refuse("file_unreadable", reason="no data")
    if len(data) > MAX_FILE_BYTES:
        _refuse("file_too_large", limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if not data:
        _refuse("import_empty")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse("old_excel_format")
    if name.endswith(XLSX_EXTENSIONS):
        _refuse("not_a_spreadsheet", filename=filename)
    if name.endswith(CSV_EXTENSIONS) or "." not in name:
        head = data[:8192]
        if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            _refuse("not_a_spreadsheet", filename=filename)
        return "csv"
    _refuse("not_a_spreadsheet", filename=filename)
    raise AssertionError("unreachable")


def check_xlsx_container(data: bytes) -> None:
    """Zip-level checks before any XML is parsed: member count, declared sizes
    and compression ratios (zip bombs), encryption, the workbook part, and DTDs
    (XML entity bombs) at the start of every XML part."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse("not_a_spreadsheet", filename="")
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            _refuse("zip_bomb")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                _refuse("file_encrypted")
            size = info.file_size
            total += size
            if size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                _refuse("zip_bomb")
            if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                _refuse("zip_bomb")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            _refuse("not_a_spreadsheet", filename="")
        if "xl/workbook.bin" in names:
            _refuse("old_excel_format")
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(info) as member:
                        head = member.read(4096)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
                    _refuse("file_unreadable", reason="damaged zip member")
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    _refuse("xml_entities")


# --- value parsing -------------------------------------------------------------
_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*([A-Za-z\u4e00-\u9fff]{1,6})?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_ZH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


class _Bad(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value).strip()


def parse_number(value: Any) -> Decimal | None:
    """A Decimal from a cell; None when empty. Floats from openpyxl go through their
    shortest repr so 12.5 stays 12.5."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Bad("not_a_number", value=str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _Bad("not_a_number", value=str(value))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (datetime, date)):
        raise _Bad("not_a_number", value=to_text(value))
    try:
        text = text_input.number_text(value, "qty")
    except ValidationError as exc:
        raise _Bad(exc.code, value=str(value).strip()[:40]) from None
    text = text.strip().replace(",", "").replace("¥", "").replace("￥", "")
    if not text:
        return None
    match = _NUMBER.match(text)
    if not match:
        raise _Bad("not_a_number", value=str(value).strip()[:40])
    try:
        return Decimal(match.group(1))
    except InvalidOperation:
        raise _Bad("not_a_number", value=str(value).strip()[:40]) from None


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Bad("bad_date", value=raw) from None


def clean_date(value: Any, field: str, row: int | None = None) -> date | None:
    """A date typed in a form or read from a file, or a ValidationError naming the
    field (and row)."""
    from services.errors import ValidationError

    try:
        return parse_date(None if value == "" else value)
    except _Bad as exc:
        where = {} if row is None else {"row": row}
        raise ValidationError(exc.code, field=field, value=str(value), **where) from None


def parse_date(value: Any) -> date | None:
    """ISO, 2026/11/03, 2026.11.03, 2026年11月3日, 20261103, Excel serials and
    unambiguous d/m/y; 03/11/2026 (day and month both ≤ 12) is an error."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _serial(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), str(value))
    raw = str(value).strip()
    if not raw:
        return None
    for pattern in (_ISO, _ZH, _COMPACT):
        match = pattern.match(raw)
        if match:
            return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), raw)
    match = _DMY.match(raw)
    if match:
        first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if first == second:
            return _make_date(year, first, first, raw)
        if first > 12 >= second:
            return _make_date(year, second, first, raw)
        if second > 12 >= first:
            return _make_date(year, first, second, raw)
        if first <= 12 and second <= 12:
            raise _Bad("ambiguous_date", value=raw)
        raise _Bad("bad_date", value=raw)
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _serial(Decimal(raw), raw)
    raise _Bad("bad_date", value=raw[:40])


def _serial(number: Decimal, raw: str) -> date:
    if not (Decimal(1) <= number < Decimal(2958466)):
        raise _Bad("bad_date", value=raw)
    return EXCEL_EPOCH + timedelta(days=int(number))


# --- table reading -------------------------------------------------------------
def _find_header(rows: list[tuple], index: dict[str, str], required: tuple[str, ...],
                 one_of: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    for offset, values in enumerate(rows):
        mapping: dict[str, int] = {}
        for col, value in enumerate(values):
            if value is None or not isinstance(value, str):
                continue
            field_name = index.get(_norm(value))
            if field_name and field_name not in mapping:
                mapping[field_name] = col
        if all(f in mapping for f in required) and any(f in mapping for f in one_of) \
                and len(mapping) >= 2:
            return offset, mapping
    return None


def _metadata(rows: Iterable[tuple]) -> dict[str, str]:
    """Values labelled above the header: 送货单号：DN-1 / Supplier | ACME."""
    found: dict[str, str] = {}
    for values in rows:
        cells = [to_text(v) for v in values]
        for i, text in enumerate(cells):
            if not text:
                continue
            match = re.match(r"^(.*?)[:：](.*)$", text, re.S)
            label, value = (match.group(1), match.group(2).strip()) if match else (text, "")
            key = _META_INDEX.get(_norm(label))
            if not key or key in found:
                continue
            if not value:
                value = next((c for c in cells[i + 1:] if c), "")
            if value:
                found[key] = value[:60]
    return found


def _is_blank(values: tuple) -> bool:
    for v in values:
        if v is not None and not (isinstance(v, str) and not v.strip()):
            return False
    return True


def _is_total(values: tuple, columns: Iterable[int]) -> bool:
    for col in columns:
        if col < len(values) and isinstance(values[col], str):
            text = _norm(values[col])
            if text and any(text.startswith(w) for w in _TOTALS):
                return True
    return False


def _is_footer(values: tuple) -> bool:
    """A signature/remark line below the table: only label-like text, no numbers."""
    texts = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
    return bool(texts) and all(isinstance(v, str) and re.search(r"[:：]", v) for v in texts)


@dataclass
class _Scan:
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    formula_no_value: set[tuple[int, int]] = field(default_factory=set)


_CELL_REF = re.compile(rb"([A-Z]{1,3})(\d+)")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3}\d+):([A-Z]{1,3}\d+)"')
_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _scan_sheet_xml(archive: zipfile.ZipFile, path: str) -> _Scan:
    """Merged ranges and formulas without a cached value, from the raw sheet XML
    (read-only worksheets expose neither). Streams the part in chunks."""
    scan = _Scan()
    merges: list[bytes] = []
    buffer = b""
    with archive.open(path.lstrip("/")) as member:
        while True:
            chunk = member.read(1 << 20)
            buffer += chunk
            cut = buffer.rfind(b"</c>") + 4 if chunk else len(buffer)
            if cut < 4:
                cut = 0 if chunk else len(buffer)
            part, buffer = buffer[:cut], buffer[cut:]
            if b"<f" in part:
                for letters, number in _FORMULA_NO_VALUE.findall(part):
                    scan.formula_no_value.add((int(number), _col_index(letters)))
            if b"<mergeCell " in part:
                merges.append(part[part.find(b"<mergeCell"):])
            if not chunk:
                break
            if len(buffer) > MAX_MEMBER_BYTES:
                break
    cells = 0
    for text in merges:
        for first, last in _MERGE.findall(text):
            (c1, r1), (c2, r2) = _CELL_REF.match(first).groups(), _CELL_REF.match(last).groups()
            r1, r2, c1, c2 = int(r1), int(r2), _col_index(c1), _col_index(c2)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        scan.merged[(r, c)] = (r1, c1)
                        cells += 1
            if cells > MAX_MERGED_CELLS:
                return scan
    return scan


@dataclass
class _Table:
    sheet_name: str
    header_row: int
    mapping: dict[str, int]
    headers: list[str]
    meta: dict[str, str]
    rows: Iterator[tuple[int, tuple]]
    scan: _Scan
    total_rows: int | None


def _xlsx_tables(data: bytes, index, required, one_of) -> Iterator[_Table]:
    check_xlsx_container(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        _refuse_parse(exc)
    try:
        for ws in workbook.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue
            total = ws.max_row if ws.max_row and ws.max_row > 1 else None
            ws.reset_dimensions()
            rows = enumerate(ws.iter_rows(values_only=True), start=1)
            head = list(islice(rows, HEADER_SCAN_ROWS))
            found = _find_header([r for _, r in head], index, required, one_of)
            if found is None:
                continue
            offset, mapping = found
            header_row = head[offset][0]
            try:
                scan = _scan_sheet_xml(workbook._archive, ws._worksheet_path)
            except (KeyError, AttributeError, zipfile.BadZipFile):
                scan = _Scan()

            def chained(head=head, offset=offset, rows=rows):
                yield from head[offset + 1:]
                yield from rows

            yield _Table(ws.title, header_row, mapping,
                         [to_text(v) for v in head[offset][1]],
                         _metadata(r for _, r in head[:offset]), chained(), scan, total)
            return
    except ValidationError:
        raise
    except Exception as exc:
        _refuse_parse(exc)
    finally:
        workbook.close()


def _refuse_parse(exc: Exception):
    from defusedxml import DefusedXmlException

    cause = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            _refuse("xml_entities")
        cause = cause.__cause__ or cause.__context__
    name = type(exc).__name__
    _refuse("file_unreadable", reason=name)


def decode_text(data: bytes) -> str:
    """Decoded the same way as every other upload (services.text_input)."""
    return text_input.decode_csv(data)


def _csv_tables(data: bytes, index, required, one_of) -> Iterator[_Table]:
    text = decode_text(data)
    if "\x00" in text:
        _refuse("not_a_spreadsheet", filename="")
    sample = text[:8192]
    delimiter = max((",", "\t", ";"), key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def cells(row):
        return tuple(c if c.strip() else None for c in row)

    try:
        rows = ((n, cells(r)) for n, r in enumerate(reader, start=1))
        head = list(islice(rows, HEADER_SCAN_ROWS))
    except csv.Error as exc:
        _refuse("file_unreadable", reason=str(exc)[:60])
    found = _find_header([r for _, r in head], index, required, one_of)
    if found is None:
        return
    offset, mapping = found

    def chained():
        yield from head[offset + 1:]
        try:
            yield from rows
        except csv.Error as exc:
            # Never drop the rest of the file silently (e.g. a cell over the size limit).
            _refuse("file_unreadable", reason=str(exc)[:60])

    yield _Table("", head[offset][0], mapping, [to_text(v) for v in head[offset][1]],
                 _metadata(r for _, r in head[:offset]), chained(), _Scan(), None)


def read_table(data: bytes, filename: str, columns: dict[str, tuple[str, ...]] | None = None,
               *, required=("qty",), one_of=("sku", "name")) -> _Table:
    """Find the header and return a table whose ``rows`` yield (row no., values)."""
    index = _DELIVERY_INDEX if columns is None else _synonym_index(columns)
    kind = file_kind(data, filename)
    tables = (_xlsx_tables if kind == "xlsx" else _csv_tables)(data, index, required, one_of)
    table = next(iter(tables), None)
    if table is None:
        _refuse("no_header_found", rows=HEADER_SCAN_ROWS)
    return table


def iter_records(table: _Table, errors: list[SheetError], *, text_fields=TEXT_FIELDS,
                 progress: Callable[[float], None] | None = None) -> Iterator[TableRow]:
    """Each data row as {field: raw value} after merged-cell fill-down; blank rows
    skipped, stops at a totals row; formulas without values reported."""
    mapping = table.mapping
    letters = {f: get_column_letter(c + 1) for f, c in mapping.items()}
    total_cols = sorted({c for f, c in mapping.items() if f in ("sku", "name", "po_number")}
                        | {0, 1})
    merged = table.scan.merged
    anchors: dict[tuple[int, int], Any] = {}
    anchor_rows: dict[int, list[int]] = {}
    for r, c in set(merged.values()):
        anchor_rows.setdefault(r, []).append(c)
    fill = [(f, c) for f, c in mapping.items() if f in FILL_DOWN_FIELDS]
    formulas = table.scan.formula_no_value
    count = 0
    for row_no, values in table.rows:
        count += 1
        if count > MAX_SHEET_ROWS:
            # Far beyond any delivery note or PO import: refuse before memory grows.
            _refuse("too_many_lines", max=MAX_SHEET_ROWS)
        if progress is not None and count % 500 == 0:
            progress(min(count / table.total_rows, 0.99) if table.total_rows else 0.5)
        if row_no in anchor_rows:
            for c in anchor_rows[row_no]:
                if c < len(values):
                    anchors[(row_no, c)] = values[c]
        if merged:
            values = list(values)
            for f, c in fill:
                anchor = merged.get((row_no, c))
                if anchor is not None:
                    values.extend([None] * (c + 1 - len(values)))
                    if values[c] is None:
                        values[c] = anchors.get(anchor)
        if _is_blank(values):
            continue
        if _is_total(values, total_cols):
            break
        record = {}
        width = len(values)
        for f, c in mapping.items():
            record[f] = values[c] if c < width else None
            if record[f] is None and (row_no, c) in formulas:
                errors.append(SheetError(
                    row_no, letters[f], "formula_no_value",
                    {"field": f, "header": table.headers[c] if c < len(table.headers) else ""},
                    "warning" if f in OPTIONAL_FORMULA_FIELDS else "error"))
                record[f] = _FORMULA
        if all(record.get(f) in (None, "") for f in ("sku", "name", "qty")) or (
                record.get("qty") is None and _is_footer(values)):
            continue
        yield TableRow(row_no, record)
    if progress is not None:
        progress(1.0)


_FORMULA = object()   # a formula cell without a cached value (already reported)
# A formula without a value here only loses a cross-check; elsewhere the row is dropped.
OPTIONAL_FORMULA_FIELDS = ("amount", "unit_price")


def read_delivery_sheet(data: bytes, filename: str, *,
                        progress: Callable[[float], None] | None = None) -> DeliverySheet:
    """Read a supplier delivery sheet. See module docstring."""
    sha = hashlib.sha256(data if isinstance(data, (bytes, bytearray)) else b"").hexdigest()
    table = read_table(data, filename)
    sheet = DeliverySheet(
        filename=filename, sha256=sha, sheet_name=table.sheet_name,
        header_row=table.header_row,
        columns={f: get_column_letter(c + 1) for f, c in table.mapping.items()},
        note_no=table.meta.get("note_no", ""), supplier_name=table.meta.get("supplier_name", ""),
        po_number=table.meta.get("po_number", ""),
    )
    letters = sheet.columns
    for record in iter_records(table, sheet.errors, progress=progress):
        line = _delivery_line(record, letters, sheet.errors)
        if line is not None:
            sheet.lines.append(line)
    if not sheet.po_number:
        numbers = {line.po_number for line in sheet.lines if line.po_number}
        if len(numbers) == 1:
            sheet.po_number = numbers.pop()
    return sheet


def _delivery_line(record: TableRow, letters: dict[str, str],
                   errors: list[SheetError]) -> SheetLine | None:
    values, row = record.values, record.row
    problems: list[SheetError] = []

    def bad(f: str, code: str, **params):
        problems.append(SheetError(row, letters.get(f, ""), code, {"field": f, **params}))

    line = SheetLine(row=row)
    if any(v is _FORMULA for f, v in values.items() if f not in OPTIONAL_FORMULA_FIELDS):
        return None  # reported by iter_records
    for f in ("sku", "name", "spec", "lot_no", "po_number", "unit"):
        raw = values.get(f)
        if raw is _FORMULA:
            continue
        text = to_text(raw)
        if len(text) > (60 if f in ("sku", "lot_no", "po_number") else 200):
            bad(f, "too_long", max=60 if f in ("sku", "lot_no", "po_number") else 200)
            continue
        setattr(line, f, text.upper() if f == "sku" else text)
    if not line.sku and not line.name:
        bad("sku" if "sku" in letters else "name", "item_missing")
    # quantity
    raw_qty = values.get("qty")
    if raw_qty is not _FORMULA:
        try:
            qty = parse_number(raw_qty)
            if qty is None:
                bad("qty", "qty_missing")
            elif qty <= 0:
                bad("qty", "must_be_positive", value=str(qty))
            elif qty > MAX_LINE_QTY:
                bad("qty", "too_large", value=str(qty))
            elif qty != qty.quantize(Decimal("0.001")):
                bad("qty", "too_many_decimals", places=3, value=str(qty))
            else:
                line.qty = qty
        except _Bad as exc:
            bad("qty", exc.code, **exc.params)
    for f in ("unit_price", "amount"):
        raw = values.get(f)
        if raw is _FORMULA:
            continue
        try:
            number = parse_number(raw)
        except _Bad as exc:
            bad(f, exc.code, **exc.params)
            continue
        if number is None:
            continue
        if number < 0:
            bad(f, "must_not_be_negative", value=str(number))
        elif number > MAX_PRICE * (MAX_LINE_QTY if f == "amount" else 1):
            bad(f, "too_large", value=str(number))
        elif f == "unit_price" and number != number.quantize(Decimal("0.0001")):
            bad(f, "too_many_decimals", places=4, value=str(number))
        else:
            setattr(line, f, number)
    raw_expiry = values.get("expiry_date")
    if raw_expiry is not _FORMULA:
        try:
            line.expiry_date = parse_date(raw_expiry)
        except _Bad as exc:
            bad("expiry_date", exc.code, **exc.params)
    if problems:
        errors.extend(problems)
        return None
    if line.qty is not None and line.unit_price is not None and line.amount is not None:
        expected = line.qty * line.unit_price
        if abs(expected - line.amount) > AMOUNT_TOLERANCE:
            errors.append(SheetError(row, letters.get("amount", ""), "amount_mismatch",
                                     {"field": "amount", "amount": str(line.amount),
                                      "expected": format(expected.normalize(), "f")}, "warning"))
    return line


def read_records(data: bytes, filename: str, columns: dict[str, tuple[str, ...]], *,
                 required: tuple[str, ...], one_of: tuple[str, ...]
                 ) -> tuple[list[TableRow], list[SheetError], dict[str, str]]:
    """Generic import: raw records by canonical field (used by the PO importer)."""
    errors: list[SheetError] = []
    table = read_table(data, filename, columns, required=required, one_of=one_of)
    records = list(iter_records(table, errors))
    letters = {f: get_column_letter(c + 1) for f, c in table.mapping.items()}
    return records, errors, letters
