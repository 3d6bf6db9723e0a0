"""Hostile and malformed uploads are refused before full parsing."""
import io
import resource
import zipfile

import pytest
from openpyxl import Workbook

from services.errors import ValidationError
from services.uploads import MAX_UPLOAD_BYTES, read_table


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """A valid-looking xlsx whose sheet inflates to 300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    return buffer.getvalue()


def _entity_bomb() -> bytes:
    """Billion laughs in the worksheet XML of an otherwise valid workbook."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx([["sku", "name"], ["A", "B"]])))
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    sheet = good.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("<t>A</t>", "<t>&lol9;</t>")
    sheet = sheet.replace("<worksheet", f"<!DOCTYPE lolz [{entities}]><worksheet", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            archive.writestr(info.filename, data)
    return buffer.getvalue()


def test_reads_xlsx_and_csv_in_both_encodings():
    assert read_table(_xlsx([["sku", "qty"], ["A-1", 3]]), "x.xlsx") == [["sku", "qty"], ["A-1", 3]]
    text = "编码,数量\nA-1,3\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        assert read_table(text.encode(encoding), "x.csv") == [["编码", "数量"], ["A-1", "3"]]


@pytest.mark.parametrize("name, data, code, reason_part", [
    ("empty.xlsx", b"", "file_unreadable", "empty"),
    ("fake.xlsx", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "not_a_spreadsheet", ""),
    ("fake.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "file_unreadable", "binary"),
    ("report.pdf", b"%PDF-1.4 ...", "file_unreadable", "xlsx"),
    ("broken.xlsx", b"PK\x03\x04garbage", "file_unreadable", "damaged"),
])
def test_non_spreadsheets_are_refused(name, data, code, reason_part):
    with pytest.raises(ValidationError) as err:
        read_table(data, name)
    assert err.value.code == code and err.value.params["field"] == "file"
    assert reason_part.lower() in err.value.params.get("reason", "").lower()


def test_oversized_file_refused_without_parsing():
    with pytest.raises(ValidationError) as err:
        read_table(b"a,b\n" * (MAX_UPLOAD_BYTES // 4 + 1), "big.csv")
    assert err.value.code == "file_too_large"


def test_zip_bomb_refused_with_bounded_memory():
    data = _zip_bomb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValidationError) as err:
        read_table(data, "bomb.xlsx")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert err.value.code == "upload_over_budget"
    assert err.value.params["limit"] == "sheet_part_bytes"
    assert grown_mb < 50


def test_xml_entity_bomb_refused():
    with pytest.raises(ValidationError) as err:
        read_table(_entity_bomb(), "lol.xlsx")
    assert err.value.code == "xml_entities"


def test_malformed_text_encoding_refused():
    with pytest.raises(ValidationError) as err:
        read_table(b"sku,qty\n\xff\xfe\xfa\xfb\x81\x30,1\n", "x.csv")
    assert "encoding" in err.value.params["reason"]
