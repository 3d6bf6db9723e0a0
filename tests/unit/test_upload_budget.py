"""Every upload is checked against its budget before parsing: files that used to tie
up a core for minutes (a 9 MB xlsx with 52 MB of shared strings, 70 MB of empty
cells) or kill the process (one far-away cell: calamine allocates the whole grid)
are refused within seconds, naming the limit, at every entry point; encrypted files
say "password-protected". Each refusal runs in a forked child so its peak memory
and time are its own."""
from __future__ import annotations

import io
import multiprocessing
import random
import struct
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_

from services import purchasing
from services import stocktake as st
from services.errors import ValidationError
from services.sheets import read_delivery_sheet
from services.sheets.budget import (
    NARROW,
    Budget,
    any_extent,
    is_plain_sheet,
    plain_extent,
    scan_xlsx_sheet,
)
from services.uploads import read_table
from ui.i18n import error_text

SECONDS = 5
PEAK_MB = 150

ENTRY_POINTS = {
    "delivery sheet": lambda data, name: read_delivery_sheet(data, name),
    "PO import": lambda data, name: purchasing.import_purchase_orders(
        None, actor="purchasing", data=data, filename=name),
    "item import": lambda data, name: read_table(data, name),   # import_items_file's reader
    "count sheet": lambda data, name: st.read_count_sheet(data, name),
}
CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                 b'package/2006/content-types"/>')
WORKBOOK = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
        b'</Relationships>')


def _xlsx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        for name, body in parts.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _sheet(cells: bytes) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData>' + cells + b'</sheetData></worksheet>')


def shared_strings_52mb() -> bytes:
    """9 MB on disk, 52 MB of shared strings (varied enough not to look like a bomb)."""
    rng = random.Random(7)
    words = [f"{rng.getrandbits(40):010x}".encode() for _ in range(256)]
    block = io.BytesIO()
    while block.tell() < 1024 * 1024:
        block.write(b"<si><t>" + b" ".join(rng.choices(words, k=6)) + b"</t></si>")
    body = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + block.getvalue() * 52 + b"</sst>")
    sheet = _sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    return _xlsx({"xl/sharedStrings.xml": body, "xl/worksheets/sheet1.xml": sheet})


def empty_cells_70mb() -> bytes:
    rows = []
    size, r = 0, 0
    while size < 70 * 1024 * 1024:
        r += 1
        row = b'<row r="%d">' % r + b"".join(b'<c r="%s%d" s="1"/>' % (col, r)
                                             for col in (b"A", b"B", b"C", b"D", b"E", b"F"))
        rows.append(row + b"</row>")
        size += len(rows[-1])
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(b"".join(rows))})


def far_cell_xlsx() -> bytes:
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')})


def far_cell_single_quoted_xlsx() -> bytes:
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(
        b"<row r='1'><c r='A1' t='inlineStr'><is><t>sku</t></is></c></row>"
        b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")})


def far_cell_prefixed_xlsx() -> bytes:
    """The same far cell in elements with a namespace prefix (calamine reads them)."""
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return _xlsx({"xl/worksheets/sheet1.xml": (
        b'<x:worksheet xmlns:x="' + ns + b'"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
        b'</x:sheetData></x:worksheet>')})


def far_cell_xls() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    sheet.write(0, 0, "sku")
    sheet.write(65535, 255, "far")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted_ooxml() -> bytes:
    """A password-protected .xlsx is an OLE2 file with EncryptionInfo and
    EncryptedPackage streams (what Excel saves with 'Encrypt with password')."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = b"".join(_entry(name, kind) for name, kind in (
        ("Root Entry", 5), ("EncryptionInfo", 2), ("EncryptedPackage", 2), ("", 0)))
    return bytes(header) + fat + directory


def _entry(name: str, kind: int) -> bytes:
    entry = bytearray(128)
    raw = (name + "\x00").encode("utf-16-le") if name else b""
    entry[:len(raw)] = raw
    struct.pack_into("<HBB", entry, 64, len(raw), kind, 1)
    struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    struct.pack_into("<II", entry, 116, 0xFFFFFFFE, 0)
    return bytes(entry)


def _child(pipe, entry: str, data: bytes, name: str) -> None:
    def peak_kb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

    base, started = peak_kb(), time.perf_counter()
    try:
        ENTRY_POINTS[entry](data, name)
        outcome = ("accepted", "", {}, "")
    except ValidationError as exc:
        outcome = ("refused", exc.code, {k: str(v) for k, v in exc.params.items()},
                   error_text(exc, "en"))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        outcome = ("crash", type(exc).__name__, {}, str(exc)[:200])
    pipe.send((outcome, (peak_kb() - base) / 1024, time.perf_counter() - started))


def measured(entry: str, data: bytes, name: str):
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_child, args=(child, entry, data, name))
    process.start()
    result = parent.recv() if parent.poll(60) else (("crash", "timeout", {}, ""), 0, 60)
    process.join(10)
    return result


CASES = {
    "shared_strings_52mb.xlsx": (shared_strings_52mb, "upload_over_budget", "shared_strings_bytes"),
    "empty_cells_70mb.xlsx": (empty_cells_70mb, "upload_over_budget", "sheet_part_bytes"),
    "far_cell.xlsx": (far_cell_xlsx, "upload_over_budget", "columns"),
    "far_cell_single_quoted.xlsx": (far_cell_single_quoted_xlsx, "upload_over_budget", "columns"),
    "far_cell_prefixed.xlsx": (far_cell_prefixed_xlsx, "upload_over_budget", "columns"),
    # the count sheet allows fewer rows than the others: its row limit comes first
    "far_cell.xls": (far_cell_xls, "upload_over_budget", ("cells", "rows")),
    "encrypted.xlsx": (encrypted_ooxml, "file_encrypted", None),
}


@pytest.fixture(scope="module")
def files():
    return {name: build() for name, (build, _, _) in CASES.items()}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_refused_within_budget_naming_the_limit(files, name, entry):
    data = files[name]
    assert len(data) <= 10 * 1024 * 1024
    (status, code, params, message), peak_mb, seconds = measured(entry, data, name)
    _, want_code, want_limit = CASES[name]
    assert (status, code) == ("refused", want_code), (status, code, params, message)
    assert params["field"] == "file"
    if want_limit:
        assert params["limit"] in ((want_limit,) if isinstance(want_limit, str) else want_limit)
        assert "limit" in message and params["allowed"] in message
    else:
        assert "password" in message.lower()
    assert seconds < SECONDS and peak_mb < PEAK_MB, (seconds, peak_mb)


def test_the_52mb_file_is_nine_megabytes_on_disk(files):
    assert 5 * 1024 * 1024 < len(files["shared_strings_52mb.xlsx"]) < 10 * 1024 * 1024


# --- the extent scan never under-counts what calamine would build -------------------------
SMALL = Budget(rows=40, columns=12, cells=240)
SPELLINGS = ("plain", "single_quotes", "spaced", "newline", "prefixed", "r_last", "no_ref",
             "entity", "duplicate")


def _letters(col: int) -> str:
    letters, col = "", col + 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_xml(row: int, col: int, spelling: str, prefix: str) -> str:
    ref = f"{_letters(col)}{row}"
    attrs = {
        "plain": f' r="{ref}" t="n"', "single_quotes": f" r='{ref}' t='n'",
        "spaced": f' r = "{ref}" t="n"', "newline": f'\nr="{ref}"', "prefixed": f' r="{ref}"',
        "r_last": f' t="n" r="{ref}"', "no_ref": ' t="n"',
        "entity": f' r="&#{ord(ref[0])};{ref[1:]}"', "duplicate": f' r="A1" r="{ref}"',
    }[spelling]
    return f"<{prefix}c{attrs}><{prefix}v>1</{prefix}v></{prefix}c>"


ROW_SPELLINGS = {"plain": ' r="{}"', "single_quotes": " r='{}'", "no_ref": ""}


def _sheet_with(cells: list[tuple[int, int, str]], prefix: str, row_spelling: str = "plain"
                ) -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    by_row: dict[int, list[str]] = {}
    for row, col, spelling in cells:
        by_row.setdefault(row, []).append(_cell_xml(row, col, spelling, prefix))
    row_attr = ROW_SPELLINGS[row_spelling]
    body = "".join(f'<{prefix}row{row_attr.format(r)}>{"".join(xs)}</{prefix}row>'
                   for r, xs in sorted(by_row.items()))
    tag = f"{prefix}worksheet" if prefix else "worksheet"
    xmlns = f'xmlns:{prefix[:-1]}="{ns}"' if prefix else f'xmlns="{ns}"'
    return (f'<{tag} {xmlns}><{prefix}sheetData>{body}</{prefix}sheetData></{tag}>').encode()


def _real_xlsx(sheet: bytes) -> bytes:
    """A workbook as Excel writers lay it out (what calamine recognises), with
    ``sheet`` as its worksheet part."""
    import openpyxl

    book, original = openpyxl.Workbook(), io.BytesIO()
    book.save(original)
    source, out = zipfile.ZipFile(original), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, sheet if info.filename == "xl/worksheets/sheet1.xml"
                             else source.read(info.filename))
    return out.getvalue()


def _calamine_extent(data: bytes) -> tuple[int, int]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    book.close()
    return len(rows), max((len(r) for r in rows), default=0)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(cells=st_.lists(st_.tuples(st_.integers(1, 90), st_.integers(0, 30),
                                  st_.sampled_from(SPELLINGS)), min_size=1, max_size=12),
       prefixed=st_.booleans(), row_spelling=st_.sampled_from(list(ROW_SPELLINGS)))
def test_the_scan_never_undercounts_the_grid_calamine_builds(cells, prefixed, row_spelling):
    """However a sheet spells its references (quotes, spaces, a namespace prefix,
    r after other attributes, no r at all, entities, twice), a sheet the scan lets
    through is one whose grid, as calamine builds it, is within the budget."""
    xml = _sheet_with(cells, "x:" if prefixed else "", row_spelling)
    try:
        scan_xlsx_sheet(xml, SMALL)
    except ValidationError:
        return
    try:
        rows, width = _calamine_extent(_real_xlsx(xml))
    except Exception:  # noqa: BLE001 - calamine refusing the file is safe too
        return
    assert rows <= SMALL.rows and width <= SMALL.columns and rows * width <= SMALL.cells, \
        (rows, width, xml[:300])


@given(cells=st_.lists(st_.tuples(st_.integers(1, 5000), st_.integers(0, 800)),
                       min_size=1, max_size=30))
def test_the_quick_measure_of_a_plain_sheet_agrees_with_the_general_one(cells):
    xml = _sheet_with([(r, c, "plain") for r, c in cells], "")
    assert is_plain_sheet(xml)
    rows, width = plain_extent(xml, Budget())
    any_rows, any_width = any_extent(xml)
    assert rows == any_rows
    assert width == any_width or (any_width <= NARROW and width == NARROW)
