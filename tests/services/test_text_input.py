"""Control characters, digits and encodings are handled at one place
(services.text_input) so every entry point and both databases agree."""
from __future__ import annotations

import codecs
from decimal import Decimal

import pytest

from services import catalog, purchasing, receiving, reports
from services import stocktake as st
from services.common import clean_code, clean_text, to_decimal
from services.delivery_sheet import parse_number
from services.errors import ValidationError
from tests.factories import every_row
from ui.i18n import error_text

PADDING_ROWS = 300          # pushes the NUL well past the first 4 KB of the file


def _item_csv(bad_sku: str) -> tuple[bytes, int]:
    lines = ["sku,name,unit"] + [f"PAD-{i:04d},Padding item {i},pcs" for i in range(PADDING_ROWS)]
    lines.append(f"{bad_sku},Oil filter,pcs")
    data = ("\n".join(lines) + "\n").encode()
    assert data.index(b"\x00" if "\x00" in bad_sku else bad_sku.encode()[:1]) > 4096
    return data, len(lines)


def test_a_nul_deep_in_an_item_csv_is_refused_naming_row_and_column(world):
    db = world.db
    data, bad_row = _item_csv("NUL-\x00SKU")
    before = every_row(db)
    with pytest.raises(ValidationError) as err:
        catalog.import_items_file(db, actor="admin", data=data, filename="items.csv")
    assert err.value.code == "import_rows_invalid"
    assert err.value.params["errors"] == [{
        "row": bad_row, "code": "control_character",
        "params": {"field": "sku", "row": bad_row, "char": "U+0000"}}]
    assert every_row(db) == before


def test_a_nul_deep_in_a_count_sheet_is_a_row_error(world):
    lines = ["location,sku,counted qty"] + ["A-01-01,OF-100,1"] * PADDING_ROWS
    lines.append("A-01-01,OF-\x00100,2")
    upload = st.read_count_sheet(("\n".join(lines) + "\n").encode(), "count.csv")
    assert [(e["row"], e["column"], e["code"]) for e in upload.errors] == [
        (len(lines), "sku", "control_character")]
    assert all("\x00" not in line["sku"] for line in upload.lines)


@pytest.mark.parametrize("text", ["OF\x00100", "OF\x07100", "OF\x1b[31m", "OF\u202e001", "OF\x85"])
def test_typed_control_characters_are_refused_the_same_on_both_databases(world, text):
    db = world.db
    before = every_row(db)
    with pytest.raises(ValidationError) as err:
        catalog.create_item(db, actor="admin", sku=text, name="Filter")
    assert err.value.code == "control_character" and err.value.params["field"] == "sku"
    with pytest.raises(ValidationError) as err:
        catalog.create_supplier(db, actor="admin", code="S-9", name=f"Supplier {text}")
    assert err.value.code == "control_character" and err.value.params["field"] == "name"
    assert "U+" in error_text(err.value, "en") and "控制字符" in error_text(err.value, "zh")
    assert every_row(db) == before


def test_line_breaks_are_text_but_never_part_of_a_code():
    assert clean_text("line one\nline two", "note", max_len=100) == "line one\nline two"
    with pytest.raises(ValidationError):
        clean_code("OF-\n100", "sku", max_len=40)


# --- digits: one reading everywhere ---------------------------------------------------
FULL_WIDTH = {"１２": Decimal(12), "３．５": Decimal("3.5"), "１，２００": Decimal(1200)}
REFUSED = ["1_000", "١٢", "१२", "1٢"]


@pytest.mark.parametrize("text,expected", sorted(FULL_WIDTH.items()))
def test_full_width_digits_read_as_ascii_everywhere(text, expected):
    assert to_decimal(text, "qty") == expected
    assert parse_number(text) == expected
    upload = st.read_count_sheet(f"location,sku,counted qty\nA-01-01,OF-100,\"{text}\"\n".encode(),
                                 "count.csv")
    assert [line["qty"] for line in upload.lines] == [expected]


@pytest.mark.parametrize("text", REFUSED)
def test_underscores_and_other_scripts_digits_are_refused_everywhere(text):
    with pytest.raises(ValidationError) as err:
        to_decimal(text, "qty")
    assert err.value.code == "not_a_number"
    with pytest.raises(Exception) as err:
        parse_number(text)
    assert err.value.code == "not_a_number"
    upload = st.read_count_sheet(f"location,sku,counted qty\nA-01-01,OF-100,{text}\n".encode(),
                                 "count.csv")
    assert upload.lines == [] and [e["code"] for e in upload.errors] == ["not_a_number"]


def test_a_delivery_sheet_reads_digits_the_same_way():
    data = "sku,qty\nOF-100,１２\nBP-200,1_000\n".encode()
    sheet = receiving.read_delivery_sheet(data, "note.csv")
    assert [(line.sku, line.qty) for line in sheet.lines] == [("OF-100", Decimal(12))]
    assert [(e.row, e.message) for e in sheet.errors if e.severity == "error"] == [
        (3, "not_a_number")]


# --- UTF-16 with a BOM: accepted at every upload point ---------------------------------
def _utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def test_utf16_csv_with_bom_is_read_at_every_upload_point(world):
    db = world.db
    assert catalog.import_items_file(
        db, actor="admin", data=_utf16("sku,name\nU16-1,滤清器\n"), filename="items.csv") == 1
    assert catalog.get_item(db, "U16-1")["name"] == "滤清器"
    upload = st.read_count_sheet(_utf16("库位,配件编码,实盘数量\nA-01-01,OF-100,3\n"), "count.csv")
    assert upload.errors == [] and upload.lines[0]["qty"] == 3
    sheet = receiving.read_delivery_sheet(_utf16("sku,qty\nOF-100,4\n"), "note.csv")
    assert [(line.sku, line.qty) for line in sheet.lines] == [("OF-100", Decimal(4))]
    numbers = purchasing.import_purchase_orders(
        db, actor="purchasing", data=_utf16("supplier,sku,qty,unit price\nSUP1,OF-100,5,2.50\n"),
        filename="po.csv")
    assert len(numbers) == 1
    assert reports.check_consistency(db) == []


def test_a_control_character_in_a_delivery_sheet_cell_is_a_row_error():
    data = "sku,name,qty\nOF-100,Oil\x01filter,2\nBP-200,Brake pads,1\n".encode()
    sheet = receiving.read_delivery_sheet(data, "note.csv")
    assert [line.sku for line in sheet.lines] == ["BP-200"]
    assert [(e.row, e.message) for e in sheet.errors if e.severity == "error"] == [
        (2, "control_character")]
