"""Delivery-sheet reading over the corpus in tests/data/sheets and
sample_data/delivery_sheets (made by sample_data/make_sheets.py)."""
import io
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from services.delivery_sheet import MAX_FILE_BYTES, read_delivery_sheet
from services.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "tests" / "data" / "sheets"
DEMO = ROOT / "sample_data" / "delivery_sheets"
D = Decimal


def read(name, folder=SHEETS):
    return read_delivery_sheet((folder / name).read_bytes(), name)


def problems(sheet):
    return {(e.row, e.column, e.message) for e in sheet.errors}


def test_chinese_title_rows_shuffled_columns_and_metadata():
    sheet = read("zh_title_rows.xlsx")
    assert sheet.header_row == 6
    assert sheet.columns["qty"] == "A" and sheet.columns["sku"] == "D"
    assert (sheet.note_no, sheet.supplier_name, sheet.po_number) == ("DF-0098", "东风汽配", "PO-1")
    assert [(ln.row, ln.sku, ln.qty, ln.unit_price, ln.lot_no, ln.expiry_date) for ln in sheet.lines] == [
        (7, "OF-100", D(5), D(25), "A1", None), (8, "CL-300", D("3.5"), D(68), "C9", date(2027, 3, 1))]
    assert sheet.errors == []


def test_english_headers():
    sheet = read("en_basic.xlsx")
    assert sheet.sheet_name == "Delivery"
    first = sheet.lines[0]
    assert (first.sku, first.name, first.spec, first.qty, first.amount, first.lot_no,
            first.expiry_date, first.po_number) == (
        "BP-200", "Brake pad set", "D1234", D(10), D(1800), "LOT-7", date(2027, 12, 31), "PO-9")
    assert sheet.lines[1].unit_price == D("25.5")


@pytest.mark.parametrize("name", ["gbk.csv", "gb18030.csv", "utf8_bom.csv", "utf8.csv", "semicolon.csv"])
def test_csv_encodings_and_delimiters(name):
    sheet = read(name)
    assert [ln.name for ln in sheet.lines][:2] == ["机油滤清器", "冷却液"]
    assert sheet.lines[1].expiry_date == date(2027, 3, 1)       # 2027年3月1日
    assert sheet.lines[0].sku == "OF-100" and sheet.lines[0].qty == D(20)
    assert sheet.row_errors == []


def test_gb18030_characters_outside_gbk():
    assert read("gb18030.csv").lines[2].name == "蓄电池㙟"


def test_merged_cells_fill_down():
    sheet = read("merged_cells.xlsx")
    assert [(ln.sku, ln.po_number, ln.lot_no) for ln in sheet.lines] == [
        ("OF-100", "PO-7", "M1"), ("BP-200", "PO-7", "M1"), ("BT-400", "PO-7", "M1"),
        ("CL-300", "PO-8", "M2")]


def test_blank_lines_totals_row_and_footer():
    sheet = read("totals_row.xlsx")
    assert [ln.sku for ln in sheet.lines] == ["OF-100", "BP-200"]
    assert sheet.errors == []


def test_formulas_with_and_without_cached_values():
    cached = read("formulas_cached.xlsx")
    assert cached.lines[0].amount == D(50)
    assert (3, "C", "formula_no_value") in problems(cached)      # =1+2 never calculated
    assert [ln.sku for ln in cached.lines] == ["OF-100"]
    bare = read("formulas_no_cache.xlsx")
    assert [ln.sku for ln in bare.lines] == ["OF-100"]
    assert bare.lines[0].amount is None
    assert {(e.row, e.column, e.severity) for e in bare.errors} == {
        (2, "E", "warning"), (3, "C", "error"), (3, "E", "warning")}


def test_dates():
    """13/11/2026 in the column settles its order, so 03/11/2026 is 3 November."""
    sheet = read("dates.xlsx")
    got = {ln.sku: ln.expiry_date for ln in sheet.lines}
    nov3 = date(2026, 11, 3)
    assert got == {"D-ISO": nov3, "D-SLASH": nov3, "D-ZH": nov3, "D-SERIAL": nov3,
                   "D-DATE": nov3, "D-DMY": date(2026, 11, 13), "D-COMPACT": nov3,
                   "D-AMBIG": nov3}
    assert problems(sheet) == {(9, "C", "bad_date"), (10, "C", "bad_date")}


def test_a_date_column_without_evidence_is_an_error():
    data = "编码,名称,数量,有效期\nA-1,x,1,03/11/2026\nA-2,y,1,04/10/2027\n".encode()
    sheet = read_delivery_sheet(data, "x.csv")
    assert {(e.row, e.message) for e in sheet.errors} == {(2, "ambiguous_date"),
                                                           (3, "ambiguous_date")}
    settled = data + "A-3,z,1,11/25/2026\n".encode()
    sheet = read_delivery_sheet(settled, "x.csv")
    assert [ln.expiry_date for ln in sheet.lines] == [
        date(2026, 3, 11), date(2027, 4, 10), date(2026, 11, 25)]


def test_an_expiry_printed_to_the_month_is_its_last_day():
    """有效期至2027年01月: usable through January (GS1 and Chinese labels agree); the
    line is kept, not dropped as a bad date. Delivery dates are never read so."""
    data = ("编码,名称,数量,有效期至\nA-1,x,1,2027年01月\nA-2,y,1,2028-02\nA-3,z,1,03/2027\n"
            "A-4,w,1,Dec 2027\nA-5,v,1,2027年13月\n").encode()
    sheet = read_delivery_sheet(data, "month_expiry.csv")
    assert {ln.sku: ln.expiry_date for ln in sheet.lines} == {
        "A-1": date(2027, 1, 31), "A-2": date(2028, 2, 29), "A-3": date(2027, 3, 31),
        "A-4": date(2027, 12, 31)}
    assert problems(sheet) == {(6, "D", "bad_date")}
    from services.sheets import parse_date
    from services.sheets.fields import BadCell

    with pytest.raises(BadCell):
        parse_date("2027年01月")


def test_quantities_and_amounts():
    sheet = read("quantities.csv")
    assert {ln.sku: ln.qty for ln in sheet.lines} == {
        "Q-OK": D(5), "Q-UNIT": D(12), "Q-COMMA": D(1200), "Q-AMOUNT": D(4)}
    assert problems(sheet) == {
        (3, "B", "return_line"), (4, "B", "must_be_positive"), (5, "B", "not_a_number"),
        (6, "B", "too_large"), (9, "D", "amount_mismatch"), (10, "B", "too_many_decimals"),
        (11, "C", "must_not_be_negative"), (13, "B", "qty_missing")}
    warning = next(e for e in sheet.errors if e.message == "amount_mismatch")
    assert warning.severity == "warning" and warning.params["expected"] == "40"


def test_extra_sheets_the_one_with_a_header_is_read():
    sheet = read("extra_sheets.xlsx")
    assert sheet.sheet_name == "明细" and sheet.lines[0].qty == D(7)


def test_po_problem_sheets():
    demo = read("po_demo_problems_zh.xlsx")
    assert demo.note_no == "HD-20261102-01" and demo.po_number == "PO-2026-11-0001"
    assert [ln.sku for ln in demo.lines] == ["OF-100", "BP-200", "BT-400", "CL-300", "EN-500"]
    assert demo.lines[1].amount == D(1800) and demo.lines[4].lot_no == ""
    assert demo.errors == []
    assert read("po_demo_gbk.csv").note_no == "HD-20261105-02"
    assert len(read("po_demo_en.csv").lines) == 3


def test_demo_database_sheets_use_the_demo_catalogue():
    from sample_data.catalogue import items

    skus = {item["sku"] for item in items()}
    demo = read("demo_problems_zh.xlsx", DEMO)
    assert demo.po_number == "PO-DEMO-01" and demo.errors == []
    assert {ln.sku for ln in demo.lines} <= skus
    for name in ("demo_gbk.csv", "demo_en.csv"):
        sheet = read(name, DEMO)
        assert sheet.lines and {ln.sku for ln in sheet.lines} <= skus


@pytest.mark.parametrize("name,code", [
    ("not_a_spreadsheet.xlsx", "not_a_spreadsheet"), ("binary.csv", "not_a_spreadsheet"),
    ("docx_renamed.xlsx", "not_a_spreadsheet"), ("zip_bomb.xlsx", "upload_over_budget"),
    ("entity_bomb.xlsx", "xml_entities"), ("entity_bomb_late.xlsx", "xml_entities"),
])
def test_hostile_files_refused_cheaply(name, code):
    tracemalloc.start()
    with pytest.raises(ValidationError) as err:
        read(name)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert err.value.code == code and err.value.params["field"] == "file"
    assert peak < 20 * 1024 * 1024


def test_size_limit_and_unknown_types():
    with pytest.raises(ValidationError) as err:
        read_delivery_sheet(b"a" * (MAX_FILE_BYTES + 1), "big.csv")
    assert err.value.code == "file_too_large"
    with pytest.raises(ValidationError) as err:
        read_delivery_sheet(b"%PDF-1.4", "note.pdf")
    assert err.value.code == "not_a_spreadsheet"
    with pytest.raises(ValidationError) as err:
        read_delivery_sheet("标题\n随便写点\n".encode(), "x.csv")
    assert err.value.code == "no_header_found"


def test_defusedxml_is_what_openpyxl_uses():
    from openpyxl.xml import functions

    assert openpyxl.DEFUSEDXML and functions.iterparse.__module__.startswith("defusedxml")


def test_ten_thousand_lines_read_whole():
    """Every line of a large sheet comes back (its speed is a benchmark case)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("送货单")
    ws.append(["送货单号：BIG-1"])
    ws.append(["配件编码", "配件名称", "规格型号", "送货数量", "单价", "金额", "批号", "有效期至"])
    for i in range(10_000):
        ws.append([f"SKU-{i:05d}", f"配件{i}", "规格", 5, 12.5, 62.5, f"L{i}", date(2027, 1, 1)])
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = read_delivery_sheet(buffer.getvalue(), "big.xlsx")
    assert len(sheet.lines) == 10_000 and sheet.errors == [] and sheet.note_no == "BIG-1"
    assert sheet.lines[-1].sku == "SKU-09999" and sheet.lines[-1].qty == D(5)


# --- words, cells and texts as suppliers outside the usual ERPs print them ------------------
def test_traditional_characters_read_with_the_same_words():
    from services.sheets import layout, vocabulary

    for traditional, simplified in (("數量", "数量"), ("單價(含稅)", "单价(含税)"), ("貨號", "货号"),
                                    ("備註", "备注"), ("有效期", "有效期"), ("項次", "项次")):
        assert vocabulary.header_field(traditional) == vocabulary.header_field(simplified)
    assert vocabulary.meta_label("送貨單號") == "note_no"
    assert vocabulary.meta_label("訂單編號") == "po_number"
    assert layout.is_total_text("合計") and layout.is_total_text("總計")
    assert layout.title_supplier([["永昌汽車配件行 送貨單"]]) == "永昌汽車配件行"
    assert vocabulary.is_damage_remark("外箱破損")


def test_saved_layouts_keep_their_key_for_traditional_headers():
    """Mappings saved before Traditional was folded are still found."""
    from services.sheets import header_signature

    assert header_signature(["貨號", "數量"]) != header_signature(["货号", "数量"])


@pytest.mark.parametrize("text, field", [
    ("规格\nSpecification", "spec"), ("单位\nUnit", "unit"), ("批号\nLot No.", "lot_no"),
    ("数量 Qty", "qty"), ("数量\n(PCS)", "qty"), ("PO号", "po_number"),
    ("单价(含税)\nUnit Price", "price_incl_tax"), ("单价(不含税)\nUnit Price", "price_excl_tax"),
    ("金额（含税）", "amount_incl_tax"), ("单价(元)", "unit_price"), ("税率(%)", "tax_rate"),
    ("U/P (USD)", "unit_price"), ("TOTAL PCS", "qty"), ("TOTAL QTY", "qty"), ("数量合计", "qty"),
    ("PCS/CTN", "ignore"), ("QTY/CTN", "ignore"), ("QTY PER CARTON", "ignore"),
    ("每箱数量", "ignore"), ("每箱数量(PCS)", "ignore"), ("内部单号", "ignore"),
    ("单品货号", "sku"), ("规格名称", "spec"), ("颜色及规格", "spec"), ("货品标题", "name"),
    ("出貨量", "qty"), ("PO №", "po_number"), ("№", "line_no"),
])
def test_bilingual_bracketed_and_packing_headers(text, field):
    from services.sheets import vocabulary

    assert vocabulary.header_field(text)[0] == field


def test_a_sentence_is_no_header():
    from services.sheets import vocabulary

    note = "注：收货时请当面点清数量，如有质量问题请于七日内提出，逾期不予受理。Please check the qty"
    assert vocabulary.header_field(note) is None


@pytest.mark.parametrize("value, expected", [
    (20270115, date(2027, 1, 15)), (20270115.0, date(2027, 1, 15)), (46419, date(2027, 2, 1)),
    ("03.11.2027", date(2027, 11, 3)), ("2027.6.30", date(2027, 6, 30)),
    ("115/11/05", date(2026, 11, 5)), ("民國115年11月5日", date(2026, 11, 5)),
    ("15-Jan-27", date(2027, 1, 15)),
])
def test_dates_as_erps_write_them(value, expected):
    from services.sheets import parse_date

    assert parse_date(value) == expected


def test_prices_with_currency_marks_and_per_unit():
    from services.sheets.fields import BadCell, number_and_unit, parse_price

    assert [parse_price(v) for v in ("HK$45.00", "NT$120", "US$ 3.2", "15.8元/只", "¥1,280.00",
                                     "RMB 12.50", "$3.20/pc")] == [
        D(45), D(120), D("3.2"), D("15.8"), D(1280), D("12.5"), D("3.2")]
    with pytest.raises(BadCell):
        number_and_unit("24/箱")          # 24 a box is no quantity of 24


def test_big5_text_is_told_from_gbk():
    from services.sheets import decode_text

    traditional = "品號,品名,出貨數量,單價\nOF-100,機油濾清器,20,25\n"
    simplified = "配件编码,配件名称,数量,单价\nOF-100,机油滤清器,20,25\n"
    assert decode_text(traditional.encode("cp950")) == traditional
    assert decode_text(traditional.encode("gbk")) == traditional
    assert decode_text(simplified.encode("gbk")) == simplified


def test_csv_cells_kept_as_text_the_excel_way():
    data = '订单编号,商品编码,商品名称,数量\n="3521906628472539341",="0012",机油滤清器,2\n'.encode()
    line = read_delivery_sheet(data, "x.csv").lines[0]
    assert (line.po_number, line.sku) == ("3521906628472539341", "0012")


def test_a_note_number_printed_without_a_colon():
    from services.sheets import layout

    meta = layout.Meta()
    layout.read_block([["PO-2026-11-0001"], [None, "NO.0012345"]], meta)
    assert (meta.note_no, meta.po_number) == ("0012345", "")
    meta = layout.Meta()
    layout.read_block([["№ 0012346", "PO# 4500012345"]], meta)
    assert (meta.note_no, meta.po_number) == ("0012346", "4500012345")


@pytest.mark.parametrize("text, expected", [
    ("3,45", ("3.45", "")), ("1.234,50", ("1234.50", "")), ("1,200", ("1200", "")),
    ("1,234,567.5", ("1234567.5", "")), ("2箱(24个)", ("24", "个")), ("30个（3盒）", ("30", "个")),
])
def test_decimal_commas_and_counts_in_two_units(text, expected):
    from services.sheets.fields import number_and_unit

    number, unit = number_and_unit(text)
    assert (format(number, "f"), unit) == expected


def test_two_package_units_and_a_packing_size_are_no_quantity():
    from services.sheets.fields import BadCell, count_slash_unit, number_and_unit

    for text in ("2箱(3盒)", "24/箱"):
        with pytest.raises(BadCell):
            number_and_unit(text)
    assert count_slash_unit("6/套") == (Decimal(6), "套")


def test_a_row_without_quantity_under_a_name_only_table_stays_an_error():
    """Two-row items are joined only where a code column tells a continuation from
    an item that lost its quantity."""
    data = "品名,数量,单价\n机油滤清器,20,25\n刹车片,,180\n".encode()
    sheet = read_delivery_sheet(data, "x.csv")
    assert [ln.name for ln in sheet.lines] == ["机油滤清器"]
    assert [e.message for e in sheet.errors] == ["qty_missing"]


def test_a_second_row_with_text_only_continues_the_line_above():
    data = ("配件编码,品名,批号,数量,单价\nOF-100,机油滤清器,,20,25\n,W712/95,L2611A,,\n"
            "BP-200,刹车片,,10,180\n").encode()
    sheet = read_delivery_sheet(data, "x.csv")
    first = sheet.lines[0]
    assert (first.spec, first.lot_no, len(sheet.lines), sheet.errors) == \
        ("W712/95", "L2611A", 2, [])
