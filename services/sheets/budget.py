"""What one upload may cost, checked BEFORE the file is parsed.

calamine (the Rust reader) builds a dense grid from the first to the last cell and
has no way to stop half-way: a 5 KB .xls with one cell at IV65536 costs it 1 GB and
4 s, and an xlsx with a cell at XFD1048576 aborts the whole process. So every
container is inspected first, cheaply: zip members by their declared sizes (never
inflated when too big), the extent of every sheet from its cell references (xlsx,
xlsb) or its BIFF records (xls), repeated rows/cells (ods), and encryption. Only a
file within the budget reaches calamine; reading then runs against a wall-time
deadline. A refusal names the limit that was exceeded.
"""
from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from dataclasses import dataclass, field

from services.errors import ValidationError

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Budget:
    file_bytes: int = 10 * MB
    shared_strings_bytes: int = 16 * MB      # xl/sharedStrings.xml (or .bin), unpacked
    sheet_part_bytes: int = 40 * MB          # one worksheet part, unpacked
    total_unpacked_bytes: int = 120 * MB     # every member together
    members: int = 5000
    ratio: int = 200                         # unpacked / packed for members over ratio_floor
    ratio_floor: int = 2 * MB
    cells: int = 3_000_000                   # the dense grid calamine would build, per sheet
    columns: int = 1024
    rows: int = 200_000
    seconds: float = 10.0                    # wall time of the whole read

    def start(self) -> "Clock":
        return Clock(self, time.monotonic() + self.seconds)


DEFAULT = Budget()


@dataclass
class Clock:
    budget: Budget
    deadline: float
    ticks: int = field(default=0)

    def check(self) -> None:
        """Called while reading: a read past its wall-time budget is refused."""
        if time.monotonic() > self.deadline:
            over("seconds", self.budget.seconds)


def over(limit: str, allowed, actual=None) -> None:
    params = {"limit": limit, "allowed": _shown(limit, allowed)}
    if actual is not None:
        params["actual"] = _shown(limit, actual)
    raise ValidationError("upload_over_budget", field="file", **params)


def _shown(limit: str, value) -> str:
    if limit.endswith("bytes"):
        return f"{value / MB:.0f} MB"
    if limit == "seconds":
        return f"{value:g} s"
    return f"{value:,}"


def refuse(code: str, **params) -> None:
    raise ValidationError(code, field="file", **params)


# --- zip containers (xlsx, xlsb, ods) ----------------------------------------------------
def open_zip(data: bytes, budget: Budget) -> zipfile.ZipFile:
    """The archive, after checking every member's declared size, ratio and flags."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        refuse("file_unreadable", reason="damaged file")
    if len(infos) > budget.members:
        refuse("zip_bomb")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            refuse("file_encrypted")
        size = info.file_size
        total += size
        name = info.filename.lower()
        if "sharedstrings" in name and size > budget.shared_strings_bytes:
            over("shared_strings_bytes", budget.shared_strings_bytes, size)
        if ("worksheets/" in name or name == "content.xml") and size > budget.sheet_part_bytes:
            over("sheet_part_bytes", budget.sheet_part_bytes, size)
        if size > budget.ratio_floor and size > budget.ratio * max(info.compress_size, 1):
            refuse("zip_bomb")
        if total > budget.total_unpacked_bytes:
            over("total_unpacked_bytes", budget.total_unpacked_bytes, total)
    return archive


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        refuse("file_unreadable", reason="damaged file")
    raise AssertionError("unreachable")


def check_xml_parts(archive: zipfile.ZipFile, skip: frozenset[str] = frozenset()) -> None:
    """No DTD (entity bombs, external entities) anywhere in any XML part (parts in
    ``skip`` are searched by their own scan)."""
    for info in archive.infolist():
        if info.filename in skip or not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(info) as member:
                tail = b""
                while chunk := member.read(1 << 20):
                    if _has_dtd(tail + chunk):
                        refuse("xml_entities")
                    tail = chunk[-16:]
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            refuse("file_unreadable", reason="damaged file")


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def _has_dtd(xml: bytes) -> bool:
    return _DTD.search(xml) is not None


# How a sheet part places its cells: calamine takes a cell's position from its r=""
# attribute (any quoting, any namespace prefix) or, without one, from the cell or row
# before it. The plain form every writer in use produces (<c r="A1" ...>, <row r="1"
# ...>, no prefix) is measured with a few literal-prefixed searches; anything else is
# measured the slow, general way, counting every r attribute and every tag.
_ODD = re.compile(  # an r attribute not preceded by a space, or not r="A1"/r="1" exactly
    rb'r(?<=[^\w.-]r)(?:(?<! r)\s*=|\s*=(?!"[A-Z]{0,3}\d{1,7}"))')
_ODD_TAG = re.compile(rb'<(?:c|row)(?:[>/\t\n\r]| (?!r="))')    # a cell or row without r first
_PREFIXED = re.compile(rb':(?:c|row)[\s/>]')
_PLAIN_ROW = re.compile(rb' r="(\d{1,7})"')
_PLAIN_WIDE = re.compile(rb' r="([A-Z]{2,3})\d')
_ANY_REF = re.compile(rb'(?<![\w.-])r\s*=\s*(["\'])([^"\']*)')
_ANY_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(c|row)(?=[\s/>])')
_REF_PARTS = re.compile(rb'\s*([A-Za-z]*)\s*(\d*)\s*$')
_FORMULA_NO_VALUE = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>')
NARROW = 26     # columns A-Z


def column_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + (ch - 64)
    return n - 1


def scan_xlsx_sheet(xml: bytes, budget: Budget) -> set[tuple[int, int]]:
    """Checks the extent of one sheet part against the budget; returns the cells
    holding a formula without a cached value (row 1-based, column 0-based)."""
    if _has_dtd(xml):
        refuse("xml_entities")
    if is_plain_sheet(xml):
        rows, width = plain_extent(xml, budget)
    else:
        rows, width = any_extent(xml)
    _check_extent(rows, max(width, 1), budget)
    if b"<f" not in xml:
        return set()
    return {(int(number), column_index(letters))
            for letters, number in _FORMULA_NO_VALUE.findall(xml)}


def is_plain_sheet(xml: bytes) -> bool:
    return not (_ODD.search(xml) or _ODD_TAG.search(xml) or _PREFIXED.search(xml))


def plain_extent(xml: bytes, budget: Budget) -> tuple[int, int]:
    """(last row, columns) of a plain sheet part: every cell and row carries r="..."."""
    rows = max((int(r) for r in _PLAIN_ROW.findall(xml)), default=0)
    # A cell's own row may lie below its <row>: look at every cell reference with at
    # least as many digits as the last row number.
    digits = len(str(rows)) if rows else 1
    deeper = re.findall(rb' r="[A-Z]{0,3}(\d{%d,7})"' % digits, xml)
    rows = max([rows, *(int(r) for r in deeper)])
    wide = set(_PLAIN_WIDE.findall(xml))
    if wide:
        return rows, max(column_index(letters) for letters in wide) + 1
    if rows * NARROW <= budget.cells:     # narrow enough that A-Z cannot exceed it
        return rows, NARROW
    return rows, max((column_index(x) + 1 for x in set(
        re.findall(rb' r="([A-Z])\d', xml))), default=0)


def any_extent(xml: bytes) -> tuple[int, int]:
    """(last row, columns) of any sheet part, counting conservatively: every r
    attribute anywhere, plus one row or column for each tag without a reference."""
    rows = width = refs_with_column = refs_row_only = 0
    for _, value in _ANY_REF.findall(xml):
        if b"&" in value:       # r="&#88;FD1": a reference spelt in entities
            refuse("file_unreadable", reason="damaged file")
        parts = _REF_PARTS.match(value)
        if parts is None:
            continue            # not a reference: calamine cannot place it either
        letters, number = parts.groups()
        if not number:
            continue        # "hello": not a reference (calamine cannot place it either)
        rows = max(rows, int(number[:9]))
        if letters:
            width = max(width, column_index(letters[:4].upper()) + 1)
            refs_with_column += 1
        else:
            refs_row_only += 1
    tags = _ANY_TAG.findall(xml)
    row_tags = tags.count(b"row")
    cell_tags = len(tags) - row_tags
    return (rows + max(row_tags - refs_row_only, 0),
            width + max(cell_tags - refs_with_column, 0))


def _check_extent(rows: int, columns: int, budget: Budget) -> None:
    if columns > budget.columns:
        over("columns", budget.columns, columns)
    if rows > budget.rows:
        over("rows", budget.rows, rows)
    if rows * columns > budget.cells:
        over("cells", budget.cells, rows * columns)


# --- xlsb -----------------------------------------------------------------------------
def _varint(data: bytes, pos: int, limit: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(limit):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, pos


def scan_xlsb_sheet(part: bytes, budget: Budget) -> None:
    """Rows from BrtRowHdr (type 0), columns from cell records (types 1-13)."""
    pos, end, max_row, max_col = 0, len(part), 0, 0
    try:
        while pos < end:
            kind, pos = _varint(part, pos, 2)
            size, pos = _varint(part, pos, 4)
            if kind == 0 and size >= 4:
                max_row = max(max_row, struct.unpack_from("<I", part, pos)[0] + 1)
            elif 1 <= kind <= 13 and size >= 4:
                max_col = max(max_col, struct.unpack_from("<I", part, pos)[0] + 1)
            pos += size
    except (IndexError, struct.error):
        refuse("file_unreadable", reason="damaged file")
    _check_extent(max_row, max_col, budget)


# --- ods ------------------------------------------------------------------------------
_REPEATED_CELL = re.compile(rb'<table:table-cell\b[^>]*?number-columns-repeated="(\d+)"[^>]*?(/?)>')
_REPEATED_ROW = re.compile(rb'<table:table-row\b[^>]*?number-rows-repeated="(\d+)"[^>]*>')


def scan_ods_content(xml: bytes, budget: Budget) -> None:
    """LibreOffice writes thousands of repeated EMPTY rows/cells after the data,
    which cost nothing; repeated cells or rows WITH a value are expanded, so they
    count against the budget."""
    for count, closed in _REPEATED_CELL.findall(xml):
        if not closed and int(count) > budget.columns:
            over("columns", budget.columns, int(count))
    for match in _REPEATED_ROW.finditer(xml):
        count = int(match.group(1))
        if count > 1000:
            body_end = xml.find(b"</table:table-row>", match.end())
            body = xml[match.end():body_end if body_end != -1 else len(xml)]
            if b"<text:p" in body or b"office:value" in body:
                over("rows", budget.rows if count > budget.rows else budget.cells, count)


# --- OLE2 compound files (.xls, encrypted OOXML) --------------------------------------
class Ole:
    """Just enough of the compound file format to read one stream by name."""

    def __init__(self, data: bytes):
        self.data = data
        if len(data) < 512:
            refuse("file_unreadable", reason="damaged file")
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            refuse("file_unreadable", reason="damaged file")
        self.size = 1 << shift
        (fat_count, self.dir_start, _, self.mini_cutoff, self.minifat_start, minifat_count,
         difat_start, difat_count) = struct.unpack_from("<IIIIIIII", data, 44)
        fat_sectors = list(struct.unpack_from("<109I", data, 76))
        sector, seen = difat_start, 0
        per = self.size // 4 - 1
        while sector < 0xFFFFFFFA and seen <= difat_count:
            values = struct.unpack_from(f"<{per + 1}I", self._sector(sector))
            fat_sectors.extend(values[:per])
            sector, seen = values[per], seen + 1
        self.fat: list[int] = []
        for s in fat_sectors[:fat_count]:
            self.fat.extend(struct.unpack_from(f"<{self.size // 4}I", self._sector(s)))
        self.entries = self._directory()

    def _sector(self, number: int) -> bytes:
        start = 512 + number * self.size if self.size == 512 else (number + 1) * self.size
        if start + self.size > len(self.data) + self.size or number >= 0xFFFFFFFA:
            refuse("file_unreadable", reason="damaged file")
        return self.data[start:start + self.size]

    def _chain(self, start: int, fat: list[int], limit: int) -> list[int]:
        chain, sector = [], start
        while sector < 0xFFFFFFFA:
            if sector >= len(fat) or len(chain) > limit:
                refuse("file_unreadable", reason="damaged file")
            chain.append(sector)
            sector = fat[sector]
        return chain

    def _read(self, start: int, size: int) -> bytes:
        limit = len(self.data) // self.size + 1
        return b"".join(self._sector(s) for s in self._chain(start, self.fat, limit))[:size]

    def _directory(self) -> dict[str, tuple[int, int]]:
        raw = self._read(self.dir_start, 1 << 30)
        entries = {}
        for at in range(0, len(raw) - 127, 128):
            name_len = struct.unpack_from("<H", raw, at + 64)[0]
            kind = raw[at + 66]
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = raw[at:at + name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", raw, at + 116)
            entries[name] = (start, size)
        return entries

    def stream(self, name: str) -> bytes | None:
        if name not in self.entries:
            return None
        start, size = self.entries[name]
        if size >= self.mini_cutoff:
            return self._read(start, size)
        root_start, root_size = self.entries.get("Root Entry", (0, 0))
        mini_stream = self._read(root_start, root_size)
        minifat: list[int] = []
        if self.minifat_start < 0xFFFFFFFA:
            raw = self._read(self.minifat_start, 1 << 30)
            minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))
        chain = self._chain(start, minifat, len(mini_stream) // 64 + 1)
        return b"".join(mini_stream[s * 64:s * 64 + 64] for s in chain)[:size]


_BIFF_CELLS = {0x00FD, 0x0203, 0x027E, 0x0201, 0x0006, 0x0204, 0x0205, 0x00D6}
_BIFF_MULTI = {0x00BD, 0x00BE}        # MULRK, MULBLANK: row, first col, ..., last col
_BOF, _EOF, _FILEPASS = 0x0809, 0x000A, 0x002F
_RECORD_HEAD = struct.Struct("<HHHH")     # type, size, then a cell's row and column


def check_ole(data: bytes, budget: Budget) -> bytes:
    """The BIFF Workbook stream of an .xls, after refusing encrypted files and
    checking the extent of every sheet (calamine builds each one densely)."""
    ole = Ole(data)
    if "EncryptionInfo" in ole.entries or "EncryptedPackage" in ole.entries:
        refuse("file_encrypted")
    stream = ole.stream("Workbook") or ole.stream("Book")
    if stream is None:
        refuse("not_a_spreadsheet", filename="")
    unpack, head = struct.unpack_from, _RECORD_HEAD.unpack_from
    pos, end = 0, len(stream) - 4
    padded = stream + bytes(4)      # a record head and the cell position in one read
    max_row = max_col = 0
    cells, multi = _BIFF_CELLS, _BIFF_MULTI
    while pos <= end:
        kind, size, row, col = head(padded, pos)
        if kind in cells:
            if size >= 4:
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
        elif kind in multi and size >= 6:
            row = unpack("<H", stream, pos + 4)[0]
            last = unpack("<H", stream, pos + 4 + size - 2)[0]
            max_row, max_col = max(max_row, row), max(max_col, last)
        elif kind == _BOF:
            if max_row or max_col:
                _check_extent(max_row + 1, max_col + 1, budget)
            max_row = max_col = 0
        elif kind == _FILEPASS:
            refuse("file_encrypted")
        pos += 4 + size
    _check_extent(max_row + 1, max_col + 1, budget)
    return stream
