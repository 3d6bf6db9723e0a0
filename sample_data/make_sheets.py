"""Generate the delivery-sheet corpus: demo sheets in sample_data/delivery_sheets/
and test-only files in tests/data/sheets/.

The files imitate what suppliers really send: title rows and the note number
above the header, Chinese or English headers in any order, merged cells, a totals
row and signature lines, formulas, Excel serial dates, GBK CSV from Chinese Excel,
and broken or hostile files. Run: ``.venv/bin/python -m sample_data.make_sheets``.
The generated files are committed; rerunning rewrites them identically (dates are
fixed, zip timestamps pinned).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "sample_data" / "delivery_sheets"
TEST_DIR = ROOT / "tests" / "data" / "sheets"
ZIP_TIME = (2026, 11, 2, 8, 0, 0)

# Two sets of the same three delivery sheets: one for the demo database (demo
# catalogue SKUs, delivering against the demo loader's PO-DEMO-01) and one for the
# tests (the standard test catalogue of tests/factories.py, against PO-2026-11-0001).
DEMO_PO = "PO-DEMO-01"
TEST_PO = "PO-2026-11-0001"
ZH_HEADER = ["序号", "配件编码", "配件名称", "规格型号", "单位", "送货数量", "单价", "金额",
             "批号", "有效期至", "采购单号"]
EN_HEADER = ["Item code", "Description", "Spec", "Qty", "Unit price", "Amount", "Lot no.",
             "Expiry date", "PO No."]


def _pinned(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so regenerated files are identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            body = re.sub(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>",
                          rb'<dcterms:\1 xsi:type="dcterms:W3CDTF">2026-11-02T08:00:00Z</dcterms:\1>',
                          body)
            new = zipfile.ZipInfo(info.filename, ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(new, body)
    return out.getvalue()


def _save(wb: Workbook, path: Path) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    data = _pinned(buffer.getvalue())
    path.write_bytes(data)
    return data


def _title(ws, title: str, supplier: str, note_no: str, width: int, po: str) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"供应商：{supplier}", None, None, None, None, None, f"送货单号：{note_no}"])
    ws.append(["送货日期：2026年11月2日", None, None, None, None, None, f"订单号：{po}"])
    ws.append([])


def _footer(ws) -> None:
    ws.append([])
    ws.append(["送货人：", None, None, "收货人：", None, None, "日期："])


# --- demo sheets -----------------------------------------------------------------
# sku, name, spec, unit, qty, price, lot, expiry — the problem each line shows is in
# the comment (the PO quantities and prices are in sample_data/activity.py and
# tests/factories.make_approved_po).
TEST_LINES = [
    ("OF-100", "机油滤清器", "W712/95", "个", 20, "25.00", "L2611A", None),        # counted short
    ("BP-200", "刹车片", "前轮 D1234", "套", 10, "180.00", "L2610B", None),        # 2 damaged
    ("BT-400", "蓄电池", "12V 60Ah", "个", 8, "420.00", "B2611", None),            # over PO (PO 5)
    ("CL-300", "冷却液", "4L -35℃", "瓶", 12, "68.00", "C2611", date(2027, 1, 15)),  # near expiry
    ("EN-500", "发动机总成", "1.6L EA211", "台", 1, "15500.00", "", None),          # price (PO 15000), no lot
]
DEMO_LINES = [
    ("OF-COR", "机油滤清器 丰田卡罗拉1.8", "丰田卡罗拉1.8", "个", 20, "28.50", "L2611A", None),
    ("BPF-LAV", "前刹车片 大众朗逸1.5", "大众朗逸1.5", "套", 10, "260.00", "L2610B", None),
    ("BAT-60AH", "蓄电池 12V 60Ah", "L2-400", "个", 8, "520.00", "B2611", None),
    ("FL-COOL-4L", "防冻冷却液 -35°C 4L", "OAT -35°C", "瓶", 12, "68.00", "C2611", date(2027, 1, 15)),
    ("ENG-1.6-ASSY", "发动机总成 1.6L", "4A 1.6L", "台", 1, "19200.00", "", None),
]
SHEET_SETS = {
    # name -> (folder, PO number, lines, en csv skus/names, supplier label)
    "demo": (DEMO_DIR, DEMO_PO, DEMO_LINES, "广州丰田配件有限公司 (SUP-TYT)"),
    "test": (TEST_DIR, TEST_PO, TEST_LINES, "华达汽配有限公司 (SUP1)"),
}


def _prefix(folder: Path) -> str:
    return "" if folder == DEMO_DIR else "po_"


def demo_problems_zh(folder: Path, po: str, lines, supplier: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "送货单"
    _title(ws, "汽配送货单", supplier, "HD-20261102-01", len(ZH_HEADER), po)
    ws.append(ZH_HEADER)
    for n, (sku, name, spec, unit, qty, price, lot, expiry) in enumerate(lines, start=1):
        r = ws.max_row + 1
        ws.append([n, sku, name, spec, unit, qty, float(price), f"=F{r}*G{r}", lot, expiry, po])
        ws.cell(row=r, column=10).number_format = "yyyy-mm-dd"
    first, last = 6, ws.max_row
    ws.append(["合计", None, None, None, None, f"=SUM(F{first}:F{last})", None,
               f"=SUM(H{first}:H{last})"])
    _footer(ws)
    path = folder / f"{_prefix(folder)}demo_problems_zh.xlsx"
    return _with_cached_values(_save(wb, path), path)


def _with_cached_values(data: bytes, path: Path) -> bytes:
    """openpyxl cannot store formula results; Excel does. Add them (qty x price)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    values: dict[str, str] = {}
    for ref, number in re.findall(r'<c r="([A-Z]+\d+)"[^>]*><v>([^<]*)</v>', sheet):
        values[ref] = number

    def cached(match: re.Match) -> str:
        ref, formula = match.group(1), match.group(3)
        product = re.fullmatch(r"([A-Z]+\d+)\*([A-Z]+\d+)", formula)
        if product and product.group(1) in values and product.group(2) in values:
            from decimal import Decimal

            value = Decimal(values[product.group(1)]) * Decimal(values[product.group(2)])
            values[ref] = str(value)
            return f'<c r="{ref}"{match.group(2)}><f>{formula}</f><v>{value}</v></c>'
        return match.group(0)

    sheet = re.sub(r'<c r="([A-Z]+\d+)"([^>]*)><f>([^<]*)</f><v ?/></c>', cached, sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" \
                else source.read(info.filename)
            new = zipfile.ZipInfo(info.filename, ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(new, body)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def demo_en_csv(folder: Path, po: str, lines, supplier: str) -> None:
    english = {"OF-100": "Oil filter", "BP-200": "Brake pad set", "CL-300": "Coolant 4L",
               "OF-COR": "Oil filter - Toyota Corolla 1.8",
               "BPF-LAV": "Front brake pads - VW Lavida 1.5",
               "FL-COOL-4L": "Antifreeze coolant -35C 4L"}
    picked = [lines[0], lines[1], lines[3]]
    body = [[po, sku, english[sku], str(qty), price,
             str(Decimal(price) * qty), lot, "2028-06-30" if expiry else ""]
            for sku, _, _, _, qty, price, lot, expiry in picked]
    total = sum(Decimal(row[3]) for row in body)
    amount = sum(Decimal(row[5]) for row in body)
    rows = [["Parts Co - Delivery note"], ["Delivery note no.:", "PC-7781"], [],
            ["PO No.", "Item code", "Description", "Qty", "Unit price", "Amount", "Lot no.",
             "Expiry date"], *body, ["", "Total", "", str(total), "", str(amount), "", ""]]
    _write_csv(folder / f"{_prefix(folder)}demo_en.csv", rows, "utf-8")


def demo_gbk_csv(folder: Path, po: str, lines, supplier: str) -> None:
    first, coolant = lines[0], lines[3]
    rows = [["送货单"], ["送货单号：", "HD-20261105-02"],
            ["采购单号", "编码", "品名", "规格", "实发数量", "单价", "金额", "批次", "失效日期"],
            [po, first[0], first[1], first[2], "15", first[5], str(Decimal(first[5]) * 15),
             "L2611C", ""],
            [po, coolant[0], coolant[1], coolant[2], "6", coolant[5],
             str(Decimal(coolant[5]) * 6), "C2612", "2028/05/31"],
            ["合计", "", "", "", "21", "", "", "", ""]]
    _write_csv(folder / f"{_prefix(folder)}demo_gbk.csv", rows, "gbk")


def _write_csv(path: Path, rows, encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


# --- test corpus -------------------------------------------------------------------
def zh_title_rows() -> None:
    """Title rows, supplier and note no. above; columns shuffled; Chinese synonyms."""
    wb = Workbook()
    ws = wb.active
    ws.append(["东风汽配 随货同行联"])
    ws.append(["供货单位：东风汽配"])
    ws.append(["单号：DF-0098", None, "日期：2026-11-02"])
    ws.append([])
    ws.append([])
    ws.append(["数量", "名称", "型号", "物料编码", "批次", "有效期", "单价", "订单号"])
    ws.append([5, "机油滤清器", "W712/95", "of-100", "A1", None, 25, "PO-1"])
    ws.append([3.5, "冷却液", "4L", "CL-300", "C9", datetime(2027, 3, 1), 68, "PO-1"])
    _save(wb, TEST_DIR / "zh_title_rows.xlsx")


def en_basic() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Delivery"
    ws.append(EN_HEADER)
    ws.append(["BP-200", "Brake pad set", "D1234", 10, 180, 1800, "LOT-7", "2027-12-31", "PO-9"])
    ws.append(["OF-100", "Oil filter", "W712", 4, 25.5, 102, "LOT-8", None, "PO-9"])
    _save(wb, TEST_DIR / "en_basic.xlsx")


CSV_ROWS = [["编码", "名称", "规格型号", "送货数量", "单价", "金额", "批号", "有效期至"],
            ["OF-100", "机油滤清器", "W712/95", "20", "25.00", "500.00", "L1", ""],
            ["CL-300", "冷却液", "4L", "12", "68", "816", "C1", "2027年3月1日"]]


def csv_variants() -> None:
    _write_csv(TEST_DIR / "gbk.csv", [["送货单 第1页"], *CSV_ROWS], "gbk")
    _write_csv(TEST_DIR / "gb18030.csv", [*CSV_ROWS, ["BT-400", "蓄电池㙟", "12V", "1", "", "", "", ""]],
               "gb18030")
    _write_csv(TEST_DIR / "utf8_bom.csv", CSV_ROWS, "utf-8-sig")
    _write_csv(TEST_DIR / "utf8.csv", CSV_ROWS, "utf-8")
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(CSV_ROWS)
    (TEST_DIR / "semicolon.csv").write_bytes(buffer.getvalue().encode("utf-8"))


def merged_cells() -> None:
    """The PO number and lot merged down over several lines; merged title."""
    wb = Workbook()
    ws = wb.active
    ws.append(["送货清单"])
    ws.merge_cells("A1:F1")
    ws.append(["订单号", "编码", "品名", "数量", "单价", "批号"])
    ws.append(["PO-7", "OF-100", "机油滤清器", 2, 25, "M1"])
    ws.append([None, "BP-200", "刹车片", 3, 180, None])
    ws.append([None, "BT-400", "蓄电池", 1, 420, None])
    ws.append(["PO-8", "CL-300", "冷却液", 4, 68, "M2"])
    ws.merge_cells("A3:A5")
    ws.merge_cells("F3:F5")
    _save(wb, TEST_DIR / "merged_cells.xlsx")


def totals_row() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Part no", "Name", "Quantity", "Price", "Amount"])
    ws.append(["OF-100", "Oil filter", 2, 25, 50])
    ws.append([])
    ws.append(["BP-200", "Brake pads", 1, 180, 180])
    ws.append([None, "合计", 3, None, 230])
    ws.append(["送货人：张三", None, "收货人："])
    ws.append(["XX-999", "should never be read", 1, 1, 1])
    _save(wb, TEST_DIR / "totals_row.xlsx")


def formulas() -> None:
    for cached in (True, False):
        wb = Workbook()
        ws = wb.active
        ws.append(["编码", "名称", "数量", "单价", "金额"])
        ws.append(["OF-100", "机油滤清器", 2, 25, "=C2*D2"])
        ws.append(["BP-200", "刹车片", "=1+2", 180, "=C3*D3"])
        name = "formulas_cached.xlsx" if cached else "formulas_no_cache.xlsx"
        data = _save(wb, TEST_DIR / name)
        if cached:
            _with_cached_values(data, TEST_DIR / name)


def dates() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["编码", "数量", "有效期"])
    rows = [
        ("D-ISO", "2026-11-03"), ("D-SLASH", "2026/11/03"), ("D-ZH", "2026年11月3日"),
        ("D-SERIAL", 46329), ("D-DATE", datetime(2026, 11, 3)), ("D-AMBIG", "03/11/2026"),
        ("D-DMY", "13/11/2026"), ("D-BAD", "2026-13-01"), ("D-TEXT", "明年"),
        ("D-COMPACT", "20261103"),
    ]
    for sku, value in rows:
        ws.append([sku, 1, value])
    ws["C6"].number_format = "yyyy-mm-dd"
    _save(wb, TEST_DIR / "dates.xlsx")


def quantities() -> None:
    rows = [["SKU", "Qty", "Unit price", "Amount"],
            ["Q-OK", "5", "2.50", "12.50"], ["Q-NEG", "-3", "1", ""], ["Q-ZERO", "0", "1", ""],
            ["Q-TEXT", "abc", "1", ""], ["Q-HUGE", "99999999", "1", ""], ["Q-UNIT", "12个", "1", "12"],
            ["Q-COMMA", "1,200", "1", "1200"], ["Q-AMOUNT", "4", "10", "45"],
            ["Q-DEC", "1.2345", "1", ""], ["Q-PRICE", "1", "-5", ""], ["", "", "", ""],
            ["Q-EMPTY", "", "1", ""]]
    _write_csv(TEST_DIR / "quantities.csv", rows, "utf-8")


def extra_sheets() -> None:
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本文件由供应商系统导出"])
    notes.append(["请核对数量"])
    data = wb.create_sheet("明细")
    data.append(["配件编码", "配件名称", "数量"])
    data.append(["OF-100", "机油滤清器", 7])
    wb.create_sheet("Chart data").append(["x", "y"])
    _save(wb, TEST_DIR / "extra_sheets.xlsx")


def hostile() -> None:
    (TEST_DIR / "not_a_spreadsheet.xlsx").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    (TEST_DIR / "binary.csv").write_bytes(bytes(range(256)) * 8)
    # A zip that is not a workbook (a document renamed).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("word/document.xml", ZIP_TIME), "<w:document/>")
    (TEST_DIR / "docx_renamed.xlsx").write_bytes(out.getvalue())
    # Zip bomb: a sheet part of 40 MB of blanks compresses ~1000:1.
    base = _minimal_workbook()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in base.items():
            if name == "xl/worksheets/sheet1.xml":
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024 * 1024))
            z.writestr(zipfile.ZipInfo(name, ZIP_TIME), body, zipfile.ZIP_DEFLATED)
    (TEST_DIR / "zip_bomb.xlsx").write_bytes(out.getvalue())
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                         for i in range(1, 10))
              + b']>')
    for name, prefix in (("entity_bomb.xlsx", b""),
                         ("entity_bomb_late.xlsx", b"<!-- " + b"padding " * 1000 + b"-->")):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for part, body in base.items():
                if part == "xl/sharedStrings.xml" or part == "xl/worksheets/sheet1.xml":
                    body = body.replace(b'<?xml version="1.0" encoding="utf-8"?>', b"", 1)
                    head = laughs if not prefix else (b'<?xml version="1.0"?>\n' + prefix + laughs[22:])
                    body = head + body.replace(b"<t>OF-100</t>", b"<t>&lol9;</t>")
                z.writestr(zipfile.ZipInfo(part, ZIP_TIME), body)
        (TEST_DIR / name).write_bytes(out.getvalue())


def _minimal_workbook() -> dict[str, bytes]:
    wb = Workbook()
    ws = wb.active
    ws.append(["SKU", "Qty"])
    ws.append(["OF-100", 1])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(buffer)
    return {name: source.read(name) for name in source.namelist()}


def main() -> None:
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    TEST_DIR.mkdir(parents=True, exist_ok=True)
    for folder, po, lines, supplier in SHEET_SETS.values():
        demo_problems_zh(folder, po, lines, supplier)
        demo_en_csv(folder, po, lines, supplier)
        demo_gbk_csv(folder, po, lines, supplier)
    zh_title_rows()
    en_basic()
    csv_variants()
    merged_cells()
    totals_row()
    formulas()
    dates()
    quantities()
    extra_sheets()
    hostile()
    for folder in (DEMO_DIR, TEST_DIR):
        for path in sorted(folder.iterdir()):
            print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
