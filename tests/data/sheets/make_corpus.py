"""The scored corpus of supplier delivery sheets: ``corpus/<name>`` and, beside each,
``<name>.json`` with what was really delivered (the lines and the header block).

Each sheet is built from its delivery (the truth) in the layout a real supplier or
ERP prints: 金蝶/用友/管家婆 exports, print templates with a title and header block,
ERPNext and Odoo delivery slips, packing lists with cartons, 应发/实发, tax columns,
page subtotals and repeated headers, section rows, two POs, a backorder table,
remarks, signatures; Hong Kong and Taiwan sheets in Traditional characters (Big5 CSV,
民國 dates), auto-parts ERP 出库单 with OE号, 1688 / 聚水潭 / 旺店通 exports, bilingual
headers, packing lists by carton, logo blocks, spacer columns, currency marks; items
printed over two rows or as one card each, counting-word quantity headers (只数),
gifts at price 0 beside a 折扣 row, returns (negative lines, a 退货明细 section), SAP
Business One / Dynamics 365 / Oracle packing slips, 原厂零件号 beside 品牌零件号 with
'数量/单位', a hidden sheet and terms far below, a German Lieferschein (1.234,50),
'2箱(24个)', footnote marks in headers, an unlabelled unit column, 销售订单号 beside
采购订单号, a month-only date and 生产日期 + 保质期 (no expiry is printed); two copies
of the table side by side, a three-level header (数量 over 订购/实发/差异), the code
in the name ('OF-100 机油滤清器', 零件号/名称), a 汇总 sheet before the 明细, carton
section rows, kit contents numbered 1-1, text cells with apostrophes and full-width
digits, Strict Open XML, reordered cell attributes with a shared formula, old-Mac
CSV, a quantity headed by a date or a store, a Korean P/N / Q'TY packing list and
批号/效期 in one cell — saved
as .xlsx, .xls (BIFF, written with xlwt), .xlsb and .ods (converted by LibreOffice
when it is installed), Excel 2003 XML, HTML saved as .xls, and CSV/TSV in UTF-8 (BOM,
quoted), GBK, Big5 and UTF-16.

Run: ``.venv/bin/python tests/data/sheets/make_corpus.py`` (needs ``xlwt``; ``soffice``
for .xlsb/.ods, which are kept when it is missing). The files are committed.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"
ZIP_TIME = (2026, 11, 2, 8, 0, 0)
D = Decimal
CENT = D("0.01")


# --- the deliveries (truth) -------------------------------------------------------------
@dataclass
class Line:
    sku: str
    name: str
    spec: str = ""
    qty: Decimal = D(0)
    unit: str = ""
    unit_price: Decimal | None = None      # the price compared with the PO (incl. tax)
    lot_no: str = ""
    expiry_date: date | None = None
    po_number: str = ""
    remark: str = ""
    ordered: Decimal | None = None         # 应发, when the sheet shows it
    price_excl: Decimal | None = None

    def amount(self, price=None) -> Decimal:
        return (self.qty * (price if price is not None else self.unit_price)).quantize(CENT)

    def truth(self, fields) -> dict:
        out = {}
        for f in fields:
            value = getattr(self, f)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = format(value.normalize(), "f")
            out[f] = "" if value is None else value
        return out


@dataclass
class Doc:
    name: str
    rows: list[list]
    lines: list[Line]
    fields: tuple[str, ...]                # the line fields this sheet prints
    meta: dict = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)   # r1,c1,r2,c2
    date_cells: str = "yyyy-mm-dd"

    def expected(self) -> dict:
        return {"meta": self.meta, "fields": list(self.fields),
                "lines": [ln.truth(self.fields) for ln in self.lines]}


def excl(price: Decimal, rate=D("0.13")) -> Decimal:
    return (price / (1 + rate)).quantize(D("0.0001"), ROUND_HALF_UP).normalize()


ZH_PARTS = [
    ("OF-100", "机油滤清器", "W712/95", "个", 20, D("25"), "L2611A", None),
    ("BP-200", "刹车片", "前轮 D1234", "套", 10, D("180"), "L2610B", None),
    ("BT-400", "蓄电池", "12V 60Ah", "个", 5, D("420"), "B2611", None),
    ("CL-300", "冷却液", "4L -35℃", "瓶", 12, D("68"), "C2611", date(2027, 1, 15)),
    ("SP-610", "火花塞", "NGK BKR6E", "支", 40, D("18.5"), "S2609", None),
    ("AF-220", "空气滤清器", "C27114", "个", 15, D("36"), "A2611", None),
    ("WB-050", "雨刮片", "24寸", "对", 8, D("45"), "", None),
    ("TB-880", "正时皮带", "CT1028", "条", 6, D("158"), "T2610", None),
    ("BF-900", "刹车油", "DOT4 1L", "瓶", 24, D("42"), "F2611", date(2028, 6, 30)),
    ("HL-330", "大灯灯泡", "H7 12V 55W", "只", 30, D("15.8"), "", None),
]
EN_PARTS = [
    ("OF-100", "Oil filter", "W712/95", "pcs", 20, D("3.5"), "L2611A", None),
    ("BP-200", "Brake pad set", "Front D1234", "set", 10, D("24.9"), "L2610B", None),
    ("CL-300", "Coolant", "4L -35C", "bottle", 12, D("9.75"), "C2611", date(2027, 1, 15)),
    ("SP-610", "Spark plug", "NGK BKR6E", "pcs", 40, D("2.6"), "S2609", None),
    ("AF-220", "Air filter", "C27114", "pcs", 15, D("5.1"), "A2611", None),
    ("BF-900", "Brake fluid", "DOT4 1L", "bottle", 24, D("6"), "F2611", date(2028, 6, 30)),
]
# A Hong Kong or Taiwan supplier's names (Traditional characters).
TW_PARTS = [
    ("OF-100", "機油濾清器", "W712/95", "個", 20, D("25"), "L2611A", None),
    ("BP-200", "剎車片", "前輪 D1234", "套", 10, D("180"), "L2610B", None),
    ("SP-610", "火星塞", "NGK BKR6E", "支", 40, D("18.5"), "S2609", None),
    ("AF-220", "空氣濾清器", "C27114", "個", 15, D("36"), "A2611", None),
    ("WB-050", "雨刷", "24吋", "對", 8, D("45"), "", None),
    ("TB-880", "正時皮帶", "CT1028", "條", 6, D("158"), "T2610", None),
    ("CL-300", "水箱精", "4L", "瓶", 12, D("68"), "C2611", date(2027, 1, 15)),
    ("BF-900", "煞車油", "DOT4 1L", "瓶", 24, D("42"), "F2611", date(2028, 6, 30)),
]


def parts(pool, picks, po="", **changes) -> list[Line]:
    out = []
    for n in picks:
        sku, name, spec, unit, qty, price, lot, expiry = pool[n]
        out.append(Line(sku, name, spec, D(qty), unit, price, lot, expiry, po))
    for line in out:
        for key, value in changes.items():
            setattr(line, key, value)
    return out


def money(value: Decimal) -> float:
    return float(value)


# --- layouts ------------------------------------------------------------------------------
def kingdee(fmt: str) -> Doc:
    """金蝶 K/3 销售出库单: 物料代码, 实发数量, 含税单价 + 税率 + 价税合计."""
    lines = parts(ZH_PARTS, [0, 1, 4, 5, 8], "PO-2026-11-0003")
    lines[2].remark = "外箱破损"
    rows = [["销售出库单"],
            ["购货单位：", "本公司", None, "单据编号：", "XSCK000123", None, "日期：", "2026-11-03"],
            ["摘要：", None, None, "源单号：", "PO-2026-11-0003"],
            ["行号", "物料代码", "物料名称", "规格型号", "单位", "实发数量", "含税单价", "税率(%)",
             "价税合计", "批号", "备注"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price), 13,
                     money(ln.amount()), ln.lot_no, ln.remark])
    rows.append(["合计", None, None, None, None, int(sum(ln.qty for ln in lines)), None, None,
                 money(sum(ln.amount() for ln in lines))])
    rows.append(["制单：王芳", None, None, "审核：李强", None, None, "发货：", None, "签收："])
    for ln in lines:
        ln.po_number = ""
    return Doc(f"kingdee_xsck.{fmt}", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "remark"),
               {"note_no": "XSCK000123", "delivery_date": "2026-11-03", "po_number": "",
                "supplier_name": ""})


def yonyou() -> Doc:
    """用友 U8 发货单: 存货编码, 无税单价 + 税额 + 价税合计, 订单号 per line, 失效日期 d/m/y."""
    lines = parts(ZH_PARTS, [3, 8, 2], "PO-2026-11-0004")
    for ln in lines:
        ln.price_excl = excl(ln.unit_price)
    lines[1].expiry_date = date(2028, 6, 30)
    rows = [["南方汽配贸易有限公司 发货单"],
            ["发货单号：FH20261104-07", None, None, None, "发货日期：2026-11-04"],
            ["存货编码", "存货名称", "规格型号", "主计量单位", "数量", "无税单价", "含税单价",
             "无税金额", "税额", "价税合计", "订单号", "批号", "失效日期"]]
    for ln in lines:
        net = ln.amount(ln.price_excl)
        gross = ln.amount()
        rows.append([ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.price_excl),
                     money(ln.unit_price), money(net), money(gross - net), money(gross),
                     ln.po_number, ln.lot_no,
                     ln.expiry_date.strftime("%d/%m/%Y") if ln.expiry_date else None])
    rows.append(["合计", None, None, None, int(sum(ln.qty for ln in lines))])
    return Doc("yonyou_fahuo.xls", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "expiry_date",
                "po_number"),
               {"note_no": "FH20261104-07", "delivery_date": "2026-11-04",
                "po_number": "PO-2026-11-0004", "supplier_name": "南方汽配贸易有限公司"})


def guanjiapo() -> Doc:
    """管家婆 销售单: labels and values in one cell, 商品编号 / 商品全名, 合计 + 大写."""
    lines = parts(ZH_PARTS, [6, 7, 9, 0], "")
    lines[0].remark = "短少2对，后补"
    rows = [["鑫源汽配商行 销售单"],
            ["单据编号：XS-2026-1103-001    日期：2026年11月3日    订单号：PO-2026-11-0005"],
            ["购买单位：本公司    经手人：张三"],
            ["编号", "商品编号", "商品全名", "规格", "单位", "数量", "单价", "金额", "备注"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price),
                     money(ln.amount()), ln.remark])
    rows.append(["合计", None, None, None, None, int(sum(ln.qty for ln in lines)), None,
                 money(sum(ln.amount() for ln in lines))])
    rows.append(["大写金额：叁仟贰佰元整"])
    for ln in lines:
        ln.po_number = "PO-2026-11-0005"
    return Doc("guanjiapo_xsd.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number", "remark"),
               {"note_no": "XS-2026-1103-001", "delivery_date": "2026-11-03",
                "po_number": "PO-2026-11-0005", "supplier_name": "鑫源汽配商行"})


def print_template(fmt: str = "xlsx") -> Doc:
    """A print template: merged title, labels and values in separate cells (and after
    a lone ':' cell), 品名规格 in one column, quantities with units, signatures."""
    lines = parts(ZH_PARTS, [0, 1, 2, 3], "PO-2026-11-0001")
    rows = [["华达汽配有限公司送货单", None, None, None, None, None, None],
            ["客户名称", "本公司", None, None, "NO.", "HD-20261102-01", None],
            ["送货日期", "2026/11/2", None, None, "订单号", ":", "PO-2026-11-0001"],
            ["序号", "品名规格", "单位", "数量", "单价", "金额", "备注"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, f"{ln.name} {ln.spec}", ln.unit, f"{int(ln.qty)}{ln.unit}",
                     money(ln.unit_price), money(ln.amount()), ""])
    rows.append(["合计", None, None, None, None, money(sum(ln.amount() for ln in lines))])
    rows.append(["送货人：", None, None, "收货人：", None, "日期："])
    return Doc(f"print_template_zh.{fmt}", rows, lines,
               ("name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "HD-20261102-01", "delivery_date": "2026-11-02",
                "po_number": "PO-2026-11-0001", "supplier_name": "华达汽配有限公司"},
               merges=[(0, 0, 0, 6)])


def bosch() -> Doc:
    """A Bosch-style 送货单 whose header block names the PO (订单号 below the label)."""
    lines = parts(ZH_PARTS, [4, 5, 0], "PO-2026-11-0001")
    rows = [["博世汽车部件（苏州）有限公司"], ["送 货 单"],
            ["送货单号", "订单号", "送货日期", None, "收货单位"],
            ["BSZ-DN-88120", "PO-2026-11-0001", "2026-11-05", None, "本公司"],
            [],
            ["零件号", "零件名称", "型号", "送货数量", "单位", "批次", "生产日期"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, ln.lot_no, date(2026, 10, 1)])
    rows.append([])
    rows.append(["仓管签收：", None, None, "司机："])
    return Doc("bosch_style.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "lot_no", "po_number"),
               {"note_no": "BSZ-DN-88120", "delivery_date": "2026-11-05",
                "po_number": "PO-2026-11-0001", "supplier_name": "博世汽车部件（苏州）有限公司"})


def erpnext() -> Doc:
    """ERPNext Delivery Note print exported to CSV (every field quoted)."""
    lines = parts(EN_PARTS, [0, 1, 3, 5], "PO-2026-11-0011")
    rows = [["Autoline Parts Ltd."], ["Delivery Note", "MAT-DN-2026-00012"],
            ["Customer", "Our Garage"], ["Date", "25-11-2026"],
            ["Customer's Purchase Order", "PO-2026-11-0011"], [],
            ["Sr", "Item Code", "Description", "Quantity", "UOM", "Rate", "Amount", "Batch No"]]
    for n, ln in enumerate(lines, 1):
        rows.append([str(n), ln.sku, ln.name, f"{int(ln.qty)}", ln.unit, f"{ln.unit_price:.2f}",
                     f"{ln.amount():,.2f}", ln.lot_no])
    rows.append(["", "", "Total", str(int(sum(ln.qty for ln in lines))), "", "",
                 f"{sum(ln.amount() for ln in lines):,.2f}", ""])
    return Doc("erpnext_delivery_note.csv", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "po_number"),
               {"note_no": "MAT-DN-2026-00012", "delivery_date": "2026-11-25",
                "po_number": "PO-2026-11-0011", "supplier_name": "Autoline Parts Ltd."})


def odoo() -> Doc:
    """Odoo delivery slip: '[CODE] Name' products, '12.00 Units', m/d/y dates."""
    lines = parts(EN_PARTS, [0, 2, 4, 5], "PO-2026-11-0012")
    for ln in lines:
        ln.unit = "Units"
    lines[1].expiry_date = date(2027, 1, 15)
    lines[3].expiry_date = date(2027, 12, 24)
    rows = [["Coastal Auto Supply Inc."], ["WH/OUT/00042"],
            ["Order:", "S00042", None, "Shipping Date:", "11/25/2026"],
            ["Customer Reference:", "PO-2026-11-0012"], [],
            ["Product", "Lot/Serial Number", "Expiration Date", "Quantity"]]
    for ln in lines:
        rows.append([f"[{ln.sku}] {ln.name}", ln.lot_no,
                     ln.expiry_date.strftime("%m/%d/%Y") if ln.expiry_date else "",
                     f"{ln.qty:.2f} Units"])
    rows.append([])
    rows.append(["Signature", None, "Date"])
    return Doc("odoo_delivery_slip.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "lot_no", "expiry_date", "po_number"),
               {"note_no": "", "delivery_date": "2026-11-25", "po_number": "PO-2026-11-0012",
                "supplier_name": "Coastal Auto Supply Inc."})


def packing_list() -> Doc:
    """A packing list: 'Item' line numbers, Part No., carton section rows, weights."""
    lines = parts(EN_PARTS, [0, 1, 2, 3, 4], "PO-2026-11-0013")
    rows = [["NINGBO EAST AUTO PARTS CO., LTD."], ["PACKING LIST"],
            ["Invoice No.: NEA-INV-2611-118", None, None, "Date: Nov 25, 2026"],
            ["PO #: PO-2026-11-0013"],
            ["Item", "Part No.", "Description", "Qty (pcs)", "N.W. (kg)", "G.W. (kg)", "Meas."]]
    cartons = [[0, 1], [2, 3, 4]]
    n = 0
    for number, group in enumerate(cartons, 1):
        rows.append([f"Carton No: {number}"])
        for i in group:
            n += 1
            ln = lines[i]
            rows.append([n, ln.sku, ln.name, int(ln.qty), 1.2 * n, 1.5 * n, "40x30x20cm"])
    rows.append(["TOTAL", None, None, int(sum(ln.qty for ln in lines)), None, None, None])
    rows.append(["SAY TOTAL FIVE CARTONS ONLY"])
    return Doc("packing_list_en.xlsx", rows, lines, ("sku", "name", "qty", "po_number"),
               {"note_no": "NEA-INV-2611-118", "delivery_date": "2026-11-25",
                "po_number": "PO-2026-11-0013", "supplier_name": "NINGBO EAST AUTO PARTS CO., LTD."})


def shipped_vs_ordered() -> Doc:
    """应发数量 and 实发数量: the delivered quantity is 实发."""
    lines = parts(ZH_PARTS, [0, 1, 2, 5], "")
    lines[1].ordered, lines[1].qty = D(10), D(8)
    for ln in lines:
        ln.ordered = ln.ordered if ln.ordered is not None else ln.qty
    rows = [["出库单"], ["出库单号：CK-1107-3", None, None, "出库日期：2026-11-07"],
            ["序号", "配件编码", "配件名称", "规格", "应发数量", "实发数量", "单价", "金额"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, int(ln.ordered), int(ln.qty),
                     money(ln.unit_price), money(ln.amount())])
    return Doc("shipped_vs_ordered.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price"),
               {"note_no": "CK-1107-3", "delivery_date": "2026-11-07", "po_number": "",
                "supplier_name": ""})


def two_row_header() -> Doc:
    """数量 merged over 应发 | 实发, 金额 over 单价 | 合计."""
    lines = parts(ZH_PARTS, [3, 4, 6], "")
    lines[2].ordered, lines[2].qty = D(10), D(8)
    rows = [["送货单"], ["单号：SH-3302", None, "日期：2026-11-08"],
            ["编码", "名称", "数量", None, "金额", None, "备注"],
            [None, None, "应发", "实发", "单价", "合计", None]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.ordered or ln.qty), int(ln.qty),
                     money(ln.unit_price), money(ln.amount()), ln.remark])
    return Doc("two_row_header.xlsx", rows, lines, ("sku", "name", "qty", "unit_price"),
               {"note_no": "SH-3302", "delivery_date": "2026-11-08", "po_number": "",
                "supplier_name": ""},
               merges=[(2, 2, 2, 3), (2, 4, 2, 5), (2, 0, 3, 0), (2, 1, 3, 1), (2, 6, 3, 6)])


def tax_columns() -> Doc:
    """未税单价 + 税率 + 含税单价 + 金额 (ex tax) + 税额 + 价税合计."""
    lines = parts(ZH_PARTS, [0, 1, 7, 9], "PO-2026-11-0006")
    rows = [["宏达配件有限公司 送货单"], ["送货单号：HDPJ-1109", None, None, "订单编号：PO-2026-11-0006",
                                   None, "日期：2026-11-09"],
            ["配件编码", "配件名称", "数量", "未税单价", "税率", "含税单价", "金额", "税额", "价税合计"]]
    for ln in lines:
        net_price = excl(ln.unit_price)
        net = ln.amount(net_price)
        gross = ln.amount()
        rows.append([ln.sku, ln.name, int(ln.qty), money(net_price), "13%",
                     money(ln.unit_price), money(net), money(gross - net), money(gross)])
    return Doc("tax_columns.xlsx", rows, lines, ("sku", "name", "qty", "unit_price", "po_number"),
               {"note_no": "HDPJ-1109", "delivery_date": "2026-11-09",
                "po_number": "PO-2026-11-0006", "supplier_name": "宏达配件有限公司"})


def pages() -> Doc:
    """Two printed pages in one sheet: 本页小计, the header again, 合计, signatures."""
    lines = parts(ZH_PARTS, list(range(10)), "PO-2026-11-0007")
    header = ["序号", "货号", "品名", "规格", "单位", "数量", "单价", "金额"]
    rows = [["顺通汽配有限公司 送货单"], ["单号：ST-20261110  订单号：PO-2026-11-0007  日期：2026-11-10"],
            header]
    for page, chunk in enumerate((lines[:6], lines[6:])):
        if page:
            rows += [["第1页 共2页"], [], ["顺通汽配有限公司 送货单（续）"], header]
        for n, ln in enumerate(chunk, 1 + 6 * page):
            rows.append([n, ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price),
                         money(ln.amount())])
        rows.append([None, "本页小计", None, None, None, int(sum(x.qty for x in chunk)), None,
                     money(sum(x.amount() for x in chunk))])
    rows.append([None, "合计", None, None, None, int(sum(x.qty for x in lines)), None,
                 money(sum(x.amount() for x in lines))])
    rows.append(["送货人：", None, None, "收货人：", None, None, "日期："])
    return Doc("page_subtotals.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "ST-20261110", "delivery_date": "2026-11-10",
                "po_number": "PO-2026-11-0007", "supplier_name": "顺通汽配有限公司"})


def section_pos() -> Doc:
    """Two POs in one table, each under a section row '订单号：PO-…'."""
    first = parts(ZH_PARTS, [0, 1], "PO-2026-11-0008")
    second = parts(ZH_PARTS, [4, 5, 6], "PO-2026-11-0009")
    rows = [["华达汽配有限公司送货单"], ["送货单号：HD-1111-02", None, None, "送货日期：2026-11-11"],
            ["配件编码", "配件名称", "规格型号", "数量", "单价", "金额"]]
    for po, group in (("PO-2026-11-0008", first), ("PO-2026-11-0009", second)):
        rows.append([f"订单号：{po}"])
        for ln in group:
            rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price),
                         money(ln.amount())])
        rows.append(["小计", None, None, int(sum(x.qty for x in group))])
    return Doc("section_two_pos.xlsx", rows, first + second,
               ("sku", "name", "spec", "qty", "unit_price", "po_number"),
               {"note_no": "HD-1111-02", "delivery_date": "2026-11-11", "po_number": "",
                "supplier_name": "华达汽配有限公司"})


def two_tables() -> Doc:
    """Two tables for two POs, the second with its columns in another order."""
    first = parts(ZH_PARTS, [3, 8], "PO-2026-11-0014")
    second = parts(ZH_PARTS, [2, 9], "PO-2026-11-0015")
    rows = [["恒通汽配有限公司 送货单"], ["送货单号：HT-1112", None, "日期：2026-11-12"],
            ["采购订单：PO-2026-11-0014"],
            ["编码", "名称", "数量", "批号", "有效期至"]]
    for ln in first:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.lot_no, ln.expiry_date])
    rows += [[], ["采购订单：PO-2026-11-0015"], ["数量", "编码", "名称", "批号", "有效期至"]]
    for ln in second:
        rows.append([int(ln.qty), ln.sku, ln.name, ln.lot_no, ln.expiry_date])
    return Doc("two_tables_two_pos.xlsx", rows, first + second,
               ("sku", "name", "qty", "lot_no", "expiry_date", "po_number"),
               {"note_no": "HT-1112", "delivery_date": "2026-11-12", "po_number": "",
                "supplier_name": "恒通汽配有限公司"})


def backorder() -> Doc:
    """The delivered table, then the goods not yet delivered: never read as delivered."""
    lines = parts(ZH_PARTS, [0, 1, 5], "PO-2026-11-0010")
    rows = [["华达汽配有限公司送货单"], ["单号：HD-1113", None, "订单号：PO-2026-11-0010", None,
                                  "日期：2026-11-13"],
            ["编码", "名称", "规格", "数量", "单价"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price)])
    rows += [["合计", None, None, int(sum(x.qty for x in lines))], [],
             ["未发货明细（欠货，下批补发）"], ["编码", "名称", "规格", "数量", "单价"],
             ["BT-400", "蓄电池", "12V 60Ah", 3, 420], ["TB-880", "正时皮带", "CT1028", 2, 158]]
    return Doc("backorder_after.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "po_number"),
               {"note_no": "HD-1113", "delivery_date": "2026-11-13",
                "po_number": "PO-2026-11-0010", "supplier_name": "华达汽配有限公司"})


def backorder_en() -> Doc:
    lines = parts(EN_PARTS, [0, 3], "PO-2026-11-0016")
    rows = [["Delivery Note"], ["Delivery Note No: DN-8801", None, "Date: 2026-11-14"],
            ["Your Ref: PO-2026-11-0016"],
            ["SKU", "Description", "Delivered", "Unit price"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), money(ln.unit_price)])
    rows += [[], ["Backorder - to follow"], ["SKU", "Description", "Qty", "Unit price"],
             ["BP-200", "Brake pad set", 4, 24.9]]
    return Doc("backorder_en.csv", rows, lines, ("sku", "name", "qty", "unit_price", "po_number"),
               {"note_no": "DN-8801", "delivery_date": "2026-11-14",
                "po_number": "PO-2026-11-0016", "supplier_name": ""})


def remarks_gbk() -> Doc:
    """GBK CSV from Chinese Excel: 备注 with 破损/短少, codes as 零件号, 件数."""
    lines = parts(ZH_PARTS, [0, 1, 2, 3], "")
    lines[1].remark = "2套包装破损"
    lines[3].remark = "短少1瓶"
    rows = [["零件号", "产品名", "规格", "件数", "单价", "备注"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, str(int(ln.qty)), f"{ln.unit_price:.2f}", ln.remark])
    rows.append(["合计", "", "", str(int(sum(x.qty for x in lines))), "", ""])
    return Doc("remarks_gbk.csv", rows, lines, ("sku", "name", "spec", "qty", "unit_price", "remark"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def utf16_tab() -> Doc:
    """Excel's 'Unicode text': UTF-16 with BOM, tab separated; 商品编码 / 商品名称 / 出库数量."""
    lines = parts(ZH_PARTS, [4, 5, 6, 7], "")
    rows = [["单据编号：CK-20261115-2", "日期：2026-11-15"],
            ["商品编码", "商品名称", "规格型号", "单位", "出库数量", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, ln.unit, str(int(ln.qty)), str(ln.unit_price),
                     str(ln.amount())])
    return Doc("utf16_unicode_text.txt", rows, lines,
               ("sku", "name", "spec", "unit", "qty", "unit_price"),
               {"note_no": "CK-20261115-2", "delivery_date": "2026-11-15", "po_number": "",
                "supplier_name": ""})


def bom_quoted() -> Doc:
    """UTF-8 with BOM, every field quoted, thousands separators and currency marks."""
    lines = parts(ZH_PARTS, [2, 7, 9], "PO-2026-11-0017")
    lines[0].qty = D(1200)
    rows = [["送货单号", "DN-UTF8-01"], ["订单号", "PO-2026-11-0017"],
            ["SKU编码", "商品名称", "总数量", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, f"{ln.qty:,.2f}", f"¥{ln.unit_price:,.2f}",
                     f"¥{ln.amount():,.2f}"])
    return Doc("utf8_bom_quoted.csv", rows, lines, ("sku", "name", "qty", "unit_price", "po_number"),
               {"note_no": "DN-UTF8-01", "delivery_date": "", "po_number": "PO-2026-11-0017",
                "supplier_name": ""})


def text_numbers() -> Doc:
    """Numbers stored as text: '1,200.00 PCE', '12件', prices with ¥."""
    lines = parts(EN_PARTS, [0, 3, 4], "")
    lines[0].qty = D(1200)
    units = ["PCE", "PCE", "PCE"]
    for ln, unit in zip(lines, units):
        ln.unit = unit
    rows = [["Part Number", "Item Description", "Qty Shipped", "Net Price", "Extended Price"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, f"{ln.qty:,.2f} {ln.unit}", f"{ln.unit_price:,.2f}",
                     f"{ln.amount():,.2f}"])
    return Doc("numbers_as_text.xlsx", rows, lines, ("sku", "name", "qty", "unit", "unit_price"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def dates_en() -> Doc:
    """Dates as 25-Nov-2026, Nov 25 2026, Excel dates and serials in one column."""
    lines = parts(EN_PARTS, [2, 5, 0, 1], "")
    expiries = [date(2027, 1, 15), date(2028, 6, 30), date(2027, 11, 25), date(2027, 2, 1)]
    shown = ["15-Jan-2027", "Jun 30 2028", date(2027, 11, 25), 46419]
    for ln, expiry in zip(lines, expiries):
        ln.expiry_date = expiry
    rows = [["Delivery Slip"], ["Delivery No.: DS-5521", "Ship Date: 24-Nov-2026"],
            ["Item Code", "Description", "Batch", "Best Before", "Qty"]]
    for ln, value in zip(lines, shown):
        rows.append([ln.sku, ln.name, ln.lot_no, value, int(ln.qty)])
    return Doc("dates_english.xlsx", rows, lines,
               ("sku", "name", "lot_no", "expiry_date", "qty"),
               {"note_no": "DS-5521", "delivery_date": "2026-11-24", "po_number": "",
                "supplier_name": ""})


def dates_mdy() -> Doc:
    """US dates: 11/25/2026 in the column settles 04/10/2027 as April 10."""
    lines = parts(EN_PARTS, [2, 5, 1], "")
    lines[0].expiry_date, lines[1].expiry_date = date(2027, 4, 10), date(2027, 11, 25)
    lines[2].expiry_date = date(2027, 3, 5)
    rows = [["Part No", "Description", "Qty", "Lot", "Exp. Date"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, str(int(ln.qty)), ln.lot_no,
                     ln.expiry_date.strftime("%m/%d/%Y")])
    return Doc("dates_us_order.csv", rows, lines, ("sku", "name", "qty", "lot_no", "expiry_date"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def merged_po() -> Doc:
    """采购单号 merged down over its lines; 条码 and OE号 columns (OE号 is the code)."""
    lines = parts(ZH_PARTS, [0, 1, 2], "PO-2026-11-0018") + parts(ZH_PARTS, [3], "PO-2026-11-0019")
    rows = [["送货清单"], ["条码", "OE号", "商品名称", "发货件数", "采购单号"]]
    for n, ln in enumerate(lines):
        rows.append([f"69{n:011d}", ln.sku, ln.name, int(ln.qty), ln.po_number if n in (0, 3) else None])
    return Doc("merged_po_oe.xlsx", rows, lines, ("sku", "name", "qty", "po_number"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""},
               merges=[(2, 4, 4, 4)])


def spreadsheetml() -> Doc:
    """Excel 2003 XML (saved as .xls by older ERPs)."""
    lines = parts(ZH_PARTS, [0, 4, 8], "PO-2026-11-0020")
    rows = [["广州丰田配件有限公司 送货单"], ["送货单号：GZT-1116", None, None, "日期：2026-11-16"],
            ["订单号：PO-2026-11-0020"],
            ["配件编码", "配件名称", "规格型号", "单位", "送货数量", "单价", "金额", "批号", "有效期至"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price),
                     money(ln.amount()), ln.lot_no, ln.expiry_date])
    return Doc("spreadsheetml_2003.xls", rows, lines,
               ("sku", "name", "spec", "unit", "qty", "unit_price", "lot_no", "expiry_date",
                "po_number"),
               {"note_no": "GZT-1116", "delivery_date": "2026-11-16",
                "po_number": "PO-2026-11-0020", "supplier_name": "广州丰田配件有限公司"})


def html_xls() -> Doc:
    """An HTML table saved with an .xls name (a web ERP's 'export to Excel')."""
    lines = parts(ZH_PARTS, [5, 6, 7], "PO-2026-11-0021")
    rows = [["东风汽配有限公司 发货单"], ["发货单号：DF-0098  订单号：PO-2026-11-0021  日期：2026-11-17"],
            ["物料编号", "物料名称", "规格", "发货数量", "单位", "单价", "备注"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, str(int(ln.qty)), ln.unit, str(ln.unit_price), ""])
    return Doc("html_export.xls", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "DF-0098", "delivery_date": "2026-11-17",
                "po_number": "PO-2026-11-0021", "supplier_name": "东风汽配有限公司"})


def generic(fmt: str) -> Doc:
    """A plain export in another container (ods / xlsb / xls)."""
    lines = parts(ZH_PARTS, [0, 1, 2, 3, 4], "PO-2026-11-0022")
    rows = [["送货单号：GEN-1118", None, "送货日期：2026-11-18", None, "订单号：PO-2026-11-0022"],
            ["配件编码", "配件名称", "规格型号", "数量", "含税单价", "含税金额", "批号"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price),
                     money(ln.amount()), ln.lot_no])
    return Doc(f"plain_export.{fmt}", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "lot_no", "po_number"),
               {"note_no": "GEN-1118", "delivery_date": "2026-11-18",
                "po_number": "PO-2026-11-0022", "supplier_name": ""})


def semicolon_eu() -> Doc:
    """A European export: semicolons, 'Article', 'Quantity delivered'."""
    lines = parts(EN_PARTS, [0, 2, 5], "")
    rows = [["Article", "Designation", "Quantity delivered", "Batch"]]
    rows += [[ln.sku, ln.name, str(int(ln.qty)), ln.lot_no] for ln in lines]
    return Doc("semicolon_eu.csv", rows, lines, ("sku", "name", "qty", "lot_no"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def odoo_ods() -> Doc:
    doc = odoo()
    doc.name = "odoo_delivery_slip.ods"
    return doc


def gb18030_title() -> Doc:
    """GB18030 CSV with a title, header block and a signature footer."""
    lines = parts(ZH_PARTS, [8, 9, 0], "")
    rows = [["锦程汽车配件厂送货单"], ["送货单号：JC-1119", "", "送货日期：2026年11月19日"], [],
            ["序号", "配件号", "配件名称", "规格", "送货数量", "单价", "金额"]]
    for n, ln in enumerate(lines, 1):
        rows.append([str(n), ln.sku, ln.name, ln.spec, str(int(ln.qty)), str(ln.unit_price),
                     str(ln.amount())])
    rows += [["", "合计", "", "", str(int(sum(x.qty for x in lines))), "", ""],
             ["送货人签字：", "", "", "收货人签字：", "", "", ""]]
    return Doc("gb18030_title.csv", rows, lines, ("sku", "name", "spec", "qty", "unit_price"),
               {"note_no": "JC-1119", "delivery_date": "2026-11-19", "po_number": "",
                "supplier_name": "锦程汽车配件厂"})


def netsuite_packing() -> Doc:
    """A NetSuite-style packing slip: Item codes, Ordered / Back Ordered / Shipped."""
    lines = parts(EN_PARTS, [0, 1, 3], "PO-2026-11-0023")
    lines[1].ordered, lines[1].qty = D(10), D(6)
    rows = [["Packing Slip"], ["Summit Parts Distribution LLC"], ["Date", "11/20/2026"],
            ["Packing Slip #", "PS-40021"], ["PO #", "PO-2026-11-0023"], [],
            ["Item", "Description", "Ordered", "Back Ordered", "Shipped"]]
    for ln in lines:
        ordered = ln.ordered if ln.ordered is not None else ln.qty
        rows.append([ln.sku, ln.name, str(int(ordered)), str(int(ordered - ln.qty)),
                     str(int(ln.qty))])
    return Doc("netsuite_packing_slip.csv", rows, lines, ("sku", "name", "qty", "po_number"),
               {"note_no": "PS-40021", "delivery_date": "2026-11-20",
                "po_number": "PO-2026-11-0023", "supplier_name": "Summit Parts Distribution LLC"})


def sap_delivery() -> Doc:
    """An SAP-style outbound delivery: Material, Delivery Quantity, Batch, Sales Unit."""
    lines = parts(EN_PARTS, [2, 5], "PO-2026-11-0024")
    rows = [["Outbound Delivery", "80004711"], ["Delivery Date", "2026-11-21"],
            ["Purchase Order No.", "PO-2026-11-0024"], [],
            ["Item", "Material", "Material Description", "Delivery Quantity", "Sales Unit", "Batch"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n * 10, ln.sku, ln.name, int(ln.qty), ln.unit.upper(), ln.lot_no])
    for ln in lines:
        ln.unit = ln.unit.upper()
    return Doc("sap_outbound_delivery.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "lot_no", "po_number"),
               {"note_no": "80004711", "delivery_date": "2026-11-21",
                "po_number": "PO-2026-11-0024", "supplier_name": ""})


def shelf_life_zh() -> Doc:
    """保质期 is a shelf life (24个月), not a date; 合计 as the line-total column."""
    lines = parts(ZH_PARTS, [3, 8], "")
    rows = [["发货单"], ["单号：G20261122001"],
            ["序号", "品牌", "产品名称", "型号", "数量", "单价", "合计", "保质期", "生产日期"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, "长城", ln.name, ln.spec, int(ln.qty), money(ln.unit_price),
                     money(ln.amount()), "24个月", "2026-10-01"])
    rows.append(["以上产品出货总价为：", None, None, None, None, None,
                 money(sum(x.amount() for x in lines))])
    rows.append(["发货员（签字）：", None, None, None, "客户（签字）："])
    for ln in lines:
        ln.expiry_date = None
        ln.lot_no = ""
    return Doc("shelf_life_zh.xlsx", rows, lines, ("name", "spec", "qty", "unit_price"),
               {"note_no": "G20261122001", "delivery_date": "", "po_number": "",
                "supplier_name": ""})


def hk_traditional() -> Doc:
    """A Hong Kong supplier: Traditional headers and labels, HK$ prices, dotted dates."""
    lines = parts(TW_PARTS, [0, 1, 3, 6, 7], "PO-2026-11-0031")
    lines[1].remark = "外箱破損"
    rows = [["聯興汽車零件（香港）有限公司"], ["地址：香港九龍觀塘道123號  電話：2345 6789"],
            ["送 貨 單"],
            ["客戶名稱：", "本公司", None, None, "送貨單號：", "LH-DN-261103"],
            ["日期：", "2026.11.03", None, None, "訂單編號：", "PO-2026-11-0031"],
            ["貨號", "品名", "規格", "數量", "單位", "單價", "金額", "批號", "有效期", "備註"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, f"HK${ln.unit_price:,.2f}",
                     f"HK${ln.amount():,.2f}", ln.lot_no,
                     ln.expiry_date.strftime("%Y.%m.%d") if ln.expiry_date else None, ln.remark])
    rows.append(["合計", None, None, int(sum(x.qty for x in lines)), None, None,
                 f"HK${sum(x.amount() for x in lines):,.2f}"])
    rows.append(["送貨人簽署：", None, None, None, "收貨人簽署及公司蓋印："])
    return Doc("hk_traditional.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "expiry_date",
                "po_number", "remark"),
               {"note_no": "LH-DN-261103", "delivery_date": "2026-11-03",
                "po_number": "PO-2026-11-0031", "supplier_name": "聯興汽車零件（香港）有限公司"},
               merges=[(0, 0, 0, 9), (1, 0, 1, 9), (2, 0, 2, 9)])


def taiwan_big5() -> Doc:
    """A Taiwan ERP 出貨單 saved as CSV in Big5: 項次 / 品號, ROC-year document date."""
    lines = parts(TW_PARTS, [0, 2, 4, 5, 7], "")
    rows = [["台灣精密汽車零件股份有限公司"], ["出貨單"],
            ["單據號碼：", "TW-SH-1151105", "", "單據日期：", "115/11/05"],
            ["客戶單號：", "PO-2026-11-0032"],
            ["項次", "品號", "品名", "規格", "出貨數量", "單位", "單價", "金額", "批號", "有效日期",
             "備註"]]
    for n, ln in enumerate(lines, 1):
        rows.append([str(n), ln.sku, ln.name, ln.spec, str(int(ln.qty)), ln.unit,
                     f"{ln.unit_price:.2f}", f"{ln.amount():.2f}", ln.lot_no,
                     ln.expiry_date.strftime("%Y/%m/%d") if ln.expiry_date else "", ""])
    rows.append(["", "", "合計", "", str(int(sum(x.qty for x in lines))), "", "",
                 f"{sum(x.amount() for x in lines):.2f}"])
    for ln in lines:
        ln.po_number = "PO-2026-11-0032"
    return Doc("taiwan_big5.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "expiry_date",
                "po_number"),
               {"note_no": "TW-SH-1151105", "delivery_date": "2026-11-05",
                "po_number": "PO-2026-11-0032", "supplier_name": "台灣精密汽車零件股份有限公司"})


def autoparts_erp() -> Doc:
    """An auto-parts ERP 销售出库单: 配件编码 beside OE号, 品牌, 产地, 车型, 仓位."""
    lines = parts(ZH_PARTS, [0, 1, 4, 5, 7, 9], "PO-2026-11-0033")
    lines[4].remark = "急件"
    oe = ["90915-YZZE1", "04465-33450", "90919-01253", "17801-21050", "13568-09070", "90981-13045"]
    cars = ["卡罗拉 1.6", "凯美瑞 2.0", "雅阁 2.4", "卡罗拉 1.8", "朗逸 1.6", "通用"]
    rows = [["广州永盛汽车配件有限公司"], ["销售出库单"],
            ["单据号：", "XSCK-2611-0088", None, "开单日期：", "2026-11-06", None, "业务员：",
             "陈明"],
            ["客户：", "本公司", None, "结算方式：", "月结", None, "订单号：", "PO-2026-11-0033"],
            ["序号", "配件编码", "配件名称", "品牌", "产地", "车型", "OE号", "单位", "数量", "单价",
             "金额", "仓位", "备注"]]
    for n, ln in enumerate(lines):
        rows.append([n + 1, ln.sku, ln.name, "博世", "江苏", cars[n], oe[n], ln.unit, int(ln.qty),
                     money(ln.unit_price), money(ln.amount()), f"A-0{n + 1}-2", ln.remark])
    rows.append(["合计", None, None, None, None, None, None, None,
                 int(sum(x.qty for x in lines)), None, money(sum(x.amount() for x in lines))])
    rows.append(["制单人：陈明", None, None, None, "仓库：", None, None, "客户签字："])
    return Doc("autoparts_erp_outbound.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "po_number", "remark"),
               {"note_no": "XSCK-2611-0088", "delivery_date": "2026-11-06",
                "po_number": "PO-2026-11-0033", "supplier_name": "广州永盛汽车配件有限公司"})


def alibaba_1688() -> Doc:
    """A 1688 order export: one row per item, two orders, 物料编号 left empty, 单品货号
    is the seller's code, numbers kept as text the ="…" way."""
    first = parts(ZH_PARTS, [0, 5], "3521906628472539341")
    second = parts(ZH_PARTS, [6, 4, 9], "3521906628472539342")
    lines = first + second
    for ln in lines:
        ln.unit = "件"
    header = ["订单编号", "买家公司名", "卖家公司名", "货品总价(元)", "运费(元)", "实付款(元)",
              "订单状态", "订单创建时间", "货品标题", "单价(元)", "数量", "单位", "货号", "型号",
              "Offer ID", "SKU ID", "物料编号", "单品货号", "物流公司", "运单号"]
    rows = [header]
    for group in (first, second):
        total = f"{sum(x.amount() for x in group):.2f}"       # the order's, on each row
        for k, ln in enumerate(group):
            rows.append([f'="{ln.po_number}"', "本公司", "义乌市驰远汽车用品有限公司", total, "0.00",
                         total, "已发货", "2026-11-02 10:31:05", f"{ln.name} 汽车配件 {ln.spec}",
                         f"{ln.unit_price:.2f}", str(int(ln.qty)), ln.unit, ln.sku.split("-")[0],
                         ln.spec, f'="6{k}2845{k}1937"', f'="48{k}7712{k}3305"', "", ln.sku,
                         "中通快递", f'="7531{k}0099{k}812"'])
    for ln in lines:
        ln.name = f"{ln.name} 汽车配件 {ln.spec}"
    return Doc("alibaba_1688_export.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def bilingual_headers() -> Doc:
    """中文 over English in one header cell ("规格\\nSpecification"), the tax word in
    brackets: 单价(不含税) before 单价(含税), 金额(含税)."""
    lines = parts(ZH_PARTS, [0, 1, 2, 4, 8], "PO-2026-11-0035")
    for ln in lines:
        ln.price_excl = (ln.unit_price / D("1.13")).quantize(D("0.01"))
    rows = [["浙江瑞安鸿利汽车配件有限公司"], ["HONGLI AUTO PARTS CO., LTD."],
            ["送货单 DELIVERY NOTE"],
            ["单号 No.：", "HL-2611-007", None, None, "日期 Date：", "2026-11-07"],
            ["订单号 PO No.：", "PO-2026-11-0035"],
            ["序号\nNo.", "货号\nPart No.", "品名\nDescription", "规格\nSpecification",
             "单位\nUnit", "数量\n(PCS)", "单价(不含税)\nUnit Price", "单价(含税)\nUnit Price",
             "金额(含税)\nAmount", "批号\nLot No.", "备注\nRemarks"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.price_excl),
                     money(ln.unit_price), money(ln.amount()), ln.lot_no, ""])
    rows.append(["合计 Total", None, None, None, None, int(sum(x.qty for x in lines)), None, None,
                 money(sum(x.amount() for x in lines))])
    return Doc("bilingual_headers.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "po_number"),
               {"note_no": "HL-2611-007", "delivery_date": "2026-11-07",
                "po_number": "PO-2026-11-0035", "supplier_name": "浙江瑞安鸿利汽车配件有限公司"})


def packing_list_ctns() -> Doc:
    """An export packing list: CTNS, PCS/CTN and TOTAL PCS (the delivered quantity),
    carton ranges, weights, a d.m.y date."""
    lines = parts(EN_PARTS, [0, 1, 3, 4, 5], "PO-2026-11-0036")
    per_carton = [10, 5, 20, 15, 12]
    for ln in lines:
        ln.name = ln.name.upper()
    rows = [["YUHUAN DAYANG AUTO PARTS CO., LTD."],
            ["No. 88 Industrial Road, Yuhuan, Zhejiang, China   Tel: +86-576-8712 3456"],
            ["PACKING LIST"],
            ["INVOICE NO.:", "DY26-1103", None, None, None, "DATE:", "03.11.2026"],
            ["P/O NO.:", "PO-2026-11-0036"],
            ["C/NO.", "ITEM NO.", "DESCRIPTION", "CTNS", "PCS/CTN", "TOTAL PCS", "N.W.(KGS)",
             "G.W.(KGS)", "MEAS.(CM)"]]
    first = 1
    for ln, per in zip(lines, per_carton):
        ctns = int(ln.qty) // per
        rows.append([f"{first}-{first + ctns - 1}" if ctns > 1 else str(first), ln.sku,
                     ln.name, ctns, per, int(ln.qty), round(ctns * 8.5, 1),
                     round(ctns * 9.2, 1), "40*30*25"])
        first += ctns
    rows.append(["TOTAL:", None, None, first - 1, None, int(sum(x.qty for x in lines))])
    rows.append(["SAY TOTAL NINE CARTONS ONLY."])
    return Doc("packing_list_ctns.xlsx", rows, lines, ("sku", "name", "qty", "po_number"),
               {"note_no": "DY26-1103", "delivery_date": "2026-11-03",
                "po_number": "PO-2026-11-0036",
                "supplier_name": "YUHUAN DAYANG AUTO PARTS CO., LTD."})


def jushuitan_flat() -> Doc:
    """A 聚水潭 出库单 export: flat, the document number, time and platform order on
    every line; 内部单号 is the supplier's own; 颜色及规格."""
    lines = parts(ZH_PARTS, [4, 5, 6, 9], "LP2611050077")
    lines[2].remark = "买家留言：尽快发货"
    rows = [["出库单号", "内部单号", "线上单号", "出库时间", "物流公司", "物流单号", "商品编码",
             "款式编码", "商品名称", "颜色及规格", "数量", "单价", "金额", "备注"]]
    for ln in lines:
        rows.append(["JST2611050012", "8812345", ln.po_number, "2026-11-05 14:23:11", "韵达快递",
                     "4312005566778", ln.sku, ln.sku.split("-")[0], ln.name, ln.spec,
                     int(ln.qty), money(ln.unit_price), money(ln.amount()), ln.remark])
    return Doc("jushuitan_outbound.xls", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "po_number", "remark"),
               {"note_no": "JST2611050012", "delivery_date": "2026-11-05",
                "po_number": "LP2611050077", "supplier_name": ""})


def wangdiantong() -> Doc:
    """A 旺店通 出库单 print in GBK CSV: 货品编号 / 货品名称 / 规格名称 / 总价, 发货时间,
    原始单号 (the buyer's order)."""
    lines = parts(ZH_PARTS, [0, 2, 3, 8], "PO-2026-11-0038")
    rows = [["鑫驰汽车用品专营店 出库单"],
            ["出库单编号：", "CK2611060031", "", "发货时间：", "2026-11-06 09:12", "",
             "原始单号：", "PO-2026-11-0038"],
            ["收件人：", "本公司", "", "物流单号：", "SF1402233445566"],
            ["序号", "货品编号", "货品名称", "规格名称", "数量", "单价", "总价", "备注"]]
    for n, ln in enumerate(lines, 1):
        rows.append([str(n), ln.sku, ln.name, ln.spec, str(int(ln.qty)), f"{ln.unit_price:.2f}",
                     f"{ln.amount():.2f}", ""])
    rows.append(["合计", "", "", "", str(int(sum(x.qty for x in lines))), "",
                 f"{sum(x.amount() for x in lines):.2f}", ""])
    return Doc("wangdiantong_outbound.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "po_number"),
               {"note_no": "CK2611060031", "delivery_date": "2026-11-06",
                "po_number": "PO-2026-11-0038", "supplier_name": "鑫驰汽车用品专营店"})


def logo_block() -> Doc:
    """The header row on row 8, below a merged logo/address/bank block and a lone red
    'NO.0012345' in the top right."""
    lines = parts(ZH_PARTS, [1, 2, 3, 7, 8], "PO-2026-11-0039")
    rows = [["瑞丰汽车配件贸易有限公司"],
            ["地址：广州市白云区机场路汽配城A区18号    电话：020-8666 1234    传真：020-8666 1235"],
            ["开户行：工商银行白云支行    账号：3602 0012 0900 1234 567"],
            ["送  货  单"],
            [None, None, None, None, None, None, None, "NO.0012345"],
            ["客户名称：本公司", None, None, None, "送货日期：2026年11月8日"],
            ["订单号：PO-2026-11-0039", None, None, None, "联系人：李经理 13800138000"],
            ["序号", "产品编号", "产品名称", "规格型号", "单位", "数量", "单价", "金额", "备注"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price),
                     money(ln.amount()), None])
    rows.append(["合计金额（大写）：", None, None, None, None, int(sum(x.qty for x in lines)), None,
                 money(sum(x.amount() for x in lines))])
    rows.append(["注：收货时请当面点清，如有质量问题请于七日内提出。"])
    rows.append(["送货单位及经手人（盖章）：", None, None, None, "收货单位及经手人（盖章）："])
    return Doc("logo_block_row8.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "0012345", "delivery_date": "2026-11-08",
                "po_number": "PO-2026-11-0039", "supplier_name": "瑞丰汽车配件贸易有限公司"},
               merges=[(0, 0, 0, 8), (1, 0, 1, 8), (2, 0, 2, 8), (3, 0, 3, 8), (4, 7, 4, 8),
                       (5, 0, 5, 3), (5, 4, 5, 8), (6, 0, 6, 3), (6, 4, 6, 8)])


def spacer_columns() -> Doc:
    """A print template with a narrow blank column between every data column; headers
    merged across the blank one."""
    lines = parts(ZH_PARTS, [0, 3, 5, 6], "")
    head = ["序号", "编码", "名称", "规格", "数量", "单位", "单价", "金额"]
    rows = [["送货单"], ["单号：SP-1109", None, None, None, None, None, "日期：2026/11/09"],
            [x for h in head for x in (h, None)][:-1]]
    for n, ln in enumerate(lines, 1):
        cells = [n, ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                 money(ln.amount())]
        rows.append([x for v in cells for x in (v, None)][:-1])
    rows.append([x for v in ["合计", None, None, None, int(sum(x.qty for x in lines)), None, None,
                             money(sum(x.amount() for x in lines))] for x in (v, None)][:-1])
    return Doc("spacer_columns.xls", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "SP-1109", "delivery_date": "2026-11-09", "po_number": "",
                "supplier_name": ""},
               merges=[(0, 0, 0, 14)] + [(2, c, 2, c + 1) for c in range(0, 14, 2)])


def currency_text() -> Doc:
    """Quantities and prices as typed text: '12 PCS', '12件', '1,200', '¥12.50',
    'RMB 12.50', '$3.20', '12.50元', 'HK$45.00', '25元/个'."""
    lines = parts(ZH_PARTS, [0, 1, 4, 5, 6, 9], "")
    lines[2].qty = D(1200)
    units = ["PCS", "件", "", "个", "套", "只"]
    qty_shown = ["20 PCS", "10件", "1,200", "15个", "8 套", "30只"]
    prices = ["¥25.00", "RMB 180.00", "$18.50", "36.00元", "HK$45.00", "15.8元/只"]
    for ln, unit in zip(lines, units):
        ln.unit = unit
    rows = [["商品编码", "商品名称", "规格", "数量", "单价", "金额", "备注"]]
    for ln, q, p in zip(lines, qty_shown, prices):
        rows.append([ln.sku, ln.name, ln.spec, q, p, f"￥{ln.amount():,.2f}", ""])
    return Doc("currency_text.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def seq_then_code() -> Doc:
    """An English invoice-cum-delivery note: 'Item' 1, 2, 3…, Part No. later, OE No.,
    Q'ty, U/P and Amount in USD."""
    lines = parts(EN_PARTS, [0, 1, 2, 3, 4, 5], "PO-2026-11-0040")
    lines[3].remark = "FOC sample"
    oe = ["90915-YZZE1", "04465-33450", "08889-80809", "90919-01253", "17801-21050", "08823-80002"]
    rows = [["GUANGZHOU HUIDA AUTO PARTS LIMITED"], ["COMMERCIAL INVOICE / DELIVERY NOTE"],
            ["Invoice No.: HD-INV-2611-09", None, None, None, "Date: 2026/11/09"],
            ["P/O No.: PO-2026-11-0040"],
            ["Item", "Part No.", "OE No.", "Description", "Brand", "Q'ty", "Unit", "U/P (USD)",
             "Amount (USD)", "Remark"]]
    for n, ln in enumerate(lines):
        rows.append([n + 1, ln.sku, oe[n], ln.name, "HUIDA", int(ln.qty), ln.unit.upper(),
                     money(ln.unit_price), money(ln.amount()), ln.remark])
    for ln in lines:
        ln.unit = ln.unit.upper()
    rows.append([None, None, None, "TOTAL", None, int(sum(x.qty for x in lines)), None, None,
                 money(sum(x.amount() for x in lines))])
    return Doc("seq_then_code_en.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "po_number", "remark"),
               {"note_no": "HD-INV-2611-09", "delivery_date": "2026-11-09",
                "po_number": "PO-2026-11-0040",
                "supplier_name": "GUANGZHOU HUIDA AUTO PARTS LIMITED"})


def numeric_dates() -> Doc:
    """Dates as an ERP writes them: the number 20270115, '03.11.2027' (d.m.y),
    '2027.6.30', '15-Jan-27'; the document date the number 20261110."""
    lines = parts(ZH_PARTS, [3, 8, 0, 1], "")
    expiries = [date(2027, 1, 15), date(2027, 11, 3), date(2027, 6, 30), date(2027, 1, 15)]
    shown = [20270115, "03.11.2027", "2027.6.30", "15-Jan-27"]
    for ln, expiry in zip(lines, expiries):
        ln.expiry_date = expiry
    rows = [["润通汽车养护用品有限公司 发货单"],
            ["发货单号：", "RT-261110", None, "发货日期：", 20261110],
            ["产品编码", "产品名称", "规格", "数量", "单位", "批号", "生产日期", "有效期至"]]
    for ln, value in zip(lines, shown):
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, ln.lot_no, 20261001, value])
    return Doc("numeric_dates.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "lot_no", "expiry_date"),
               {"note_no": "RT-261110", "delivery_date": "2026-11-10", "po_number": "",
                "supplier_name": "润通汽车养护用品有限公司"})


def packing_list_zh() -> Doc:
    """A Chinese 装箱单: 箱数, 每箱数量 and 数量合计 (the delivered quantity)."""
    lines = parts(ZH_PARTS, [0, 4, 5, 9], "PO-2026-11-0041")
    per_box = [10, 20, 5, 10]
    rows = [["宁波海联汽配有限公司"], ["装箱单"],
            ["装箱单号：", "HLZX-2611-03", None, "日期：", "2026-11-11", None, "合同号：",
             "PO-2026-11-0041"],
            ["箱号", "货号", "品名", "规格", "箱数", "每箱数量", "数量合计", "单位", "毛重(KG)",
             "净重(KG)"]]
    first = 1
    for ln, per in zip(lines, per_box):
        boxes = int(ln.qty) // per
        rows.append([f"{first}-{first + boxes - 1}" if boxes > 1 else str(first), ln.sku, ln.name,
                     ln.spec, boxes, per, int(ln.qty), ln.unit, boxes * 6.5, boxes * 6.0])
        first += boxes
    rows.append(["合计", None, None, None, first - 1, None, int(sum(x.qty for x in lines))])
    return Doc("packing_list_zh.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "po_number"),
               {"note_no": "HLZX-2611-03", "delivery_date": "2026-11-11",
                "po_number": "PO-2026-11-0041", "supplier_name": "宁波海联汽配有限公司"})


def hk_two_row() -> Doc:
    """A Hong Kong 車行: Traditional 數量 merged over 應發 | 實發, 單價(HK$), d/m/y date."""
    lines = parts(TW_PARTS, [0, 1, 5], "")
    lines[1].ordered, lines[1].qty = D(10), D(8)
    rows = [["永昌汽車配件行 送貨單"], ["單號：YC-1113", None, "日期：13/11/2026"],
            ["貨品編號", "貨品名稱", "數量", None, "單價(HK$)", "備註"],
            [None, None, "應發", "實發", None, None]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.ordered or ln.qty), int(ln.qty), money(ln.unit_price),
                     ln.remark])
    rows.append(["總計", None, None, int(sum(x.qty for x in lines))])
    rows.append(["經手人：", None, "收貨人簽名："])
    return Doc("hk_two_row_header.xls", rows, lines, ("sku", "name", "qty", "unit_price"),
               {"note_no": "YC-1113", "delivery_date": "2026-11-13", "po_number": "",
                "supplier_name": "永昌汽車配件行"},
               merges=[(2, 2, 2, 3), (2, 0, 3, 0), (2, 1, 3, 1), (2, 4, 3, 4), (2, 5, 3, 5)])


def two_language_rows() -> Doc:
    """The header twice: a Chinese row, then an English one below it."""
    lines = parts(ZH_PARTS, [0, 1, 4], "")
    rows = [["送货单 / DELIVERY NOTE"], ["单号 No.: TL-1112", None, None, "日期 Date: 2026-11-12"],
            ["货号", "品名", "规格", "数量", "单价", "金额"],
            ["Part No.", "Description", "Spec", "Qty", "Unit Price", "Amount"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price),
                     money(ln.amount())])
    return Doc("two_language_rows.xlsx", rows, lines, ("sku", "name", "spec", "qty", "unit_price"),
               {"note_no": "TL-1112", "delivery_date": "2026-11-12", "po_number": "",
                "supplier_name": ""})



def taiwan_name_spec() -> Doc:
    """A Taiwan 出貨單 in xlsx: 料號, 品名規格 in one cell, 出貨量, 小計."""
    lines = parts(TW_PARTS, [0, 2, 3], "")
    rows = [["宏昇企業有限公司 出貨單"], ["出貨單號:", "HS-1151115", None, "出貨日期:", "2026/11/15"],
            ["料號", "品名規格", "出貨量", "單位", "單價", "小計", "備註"]]
    for ln in lines:
        rows.append([ln.sku, f"{ln.name} {ln.spec}", int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount()), ""])
    rows.append(["合計", None, int(sum(x.qty for x in lines))])
    return Doc("taiwan_name_spec.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "HS-1151115", "delivery_date": "2026-11-15", "po_number": "",
                "supplier_name": "宏昇企業有限公司"})


def packing_list_numero() -> Doc:
    """A packing list numbered '№ 0012346', 'PO №:', QTY/CTN beside TOTAL QTY (PCS),
    prices per piece ('US$3.5/PC'), 'Nov. 15, 2026'."""
    lines = parts(EN_PARTS, [0, 3, 4], "PO-2026-11-0050")
    rows = [["PACKING LIST"], ["№ 0012346", None, None, "DATE: Nov. 15, 2026"],
            ["PO №: PO-2026-11-0050"],
            ["CTN NO.", "PART NO.", "DESCRIPTION", "QTY/CTN", "CTNS", "TOTAL QTY (PCS)",
             "UNIT PRICE (USD)", "AMOUNT (USD)"]]
    for n, ln in enumerate(lines, 1):
        rows.append([str(n), ln.sku, ln.name, int(ln.qty), 1, int(ln.qty),
                     f"US${ln.unit_price}/PC", money(ln.amount())])
    return Doc("packing_list_numero.xlsx", rows, lines,
               ("sku", "name", "qty", "unit_price", "po_number"),
               {"note_no": "0012346", "delivery_date": "2026-11-15",
                "po_number": "PO-2026-11-0050", "supplier_name": ""})


def youzan_orders() -> Doc:
    """A web shop's order export: 订单号 per line, 商品单价 as '￥25.00/个', 发货时间."""
    lines = parts(ZH_PARTS, [0, 1], "E20261115000001")
    rows = [["订单号", "商品名称", "规格", "商品编码", "数量", "商品单价", "商品实际成交金额",
             "发货时间"]]
    for ln in lines:
        rows.append([ln.po_number, ln.name, ln.spec, ln.sku, str(int(ln.qty)),
                     f"￥{ln.unit_price:.2f}/{ln.unit}", f"{ln.amount():.2f}",
                     "2026-11-15 10:00:00"])
    return Doc("youzan_orders.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "po_number"),
               {"note_no": "", "delivery_date": "2026-11-15", "po_number": "E20261115000001",
                "supplier_name": ""})


def english_first_bilingual() -> Doc:
    """English over Chinese in each header cell ("Qty\\n数量"); quantities '20 PCS'."""
    lines = parts(ZH_PARTS, [4, 5], "")
    rows = [["Part No.\n货号", "Description\n品名", "Qty\n数量", "Unit Price (RMB)\n单价",
             "Remarks\n备注"]]
    for ln in lines:
        ln.unit = "PCS"
        rows.append([ln.sku, ln.name, f"{int(ln.qty)} {ln.unit}", money(ln.unit_price), ""])
    return Doc("english_first_bilingual.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


FIT_PARTS = [  # 原厂零件号, 品牌零件号, name, 适用车型, unit, qty, price
    ("04465-33471", "0 986 494 641", "前刹车片", "凯美瑞 2.0/2.5 2018-", "套", 6, D("265")),
    ("48510-06A30", "KYB 339264", "前减震器", "凯美瑞 2018-", "对", 2, D("780")),
    ("90919-01253", "FR6KPP33+", "火花塞", "卡罗拉 1.8", "支", 16, D("46")),
    ("16400-0T030", "DENSO 422176", "水箱", "卡罗拉 2014-", "个", 1, D("890")),
    ("90915-YZZE1", "W68/3", "机油滤清器", "通用丰田", "个", 30, D("19.5")),
]


def two_row_items() -> Doc:
    """Each item printed over two rows: code, name, qty and price on the first, the
    spec under the name and the lot on the second; 数量/单位/单价/金额 merged over both."""
    lines = parts(ZH_PARTS, [0, 1, 4, 7], "")
    rows = [["恒通汽配有限公司 送货单"], ["送货单号：", "HT-1201", None, "送货日期：", "2026-12-01"],
            ["序号", "配件编码", "品名", "批号", "数量", "单位", "单价", "金额"]]
    merges = []
    for n, ln in enumerate(lines, 1):
        r = len(rows)
        rows.append([n, ln.sku, ln.name, None, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
        rows.append([None, None, ln.spec, ln.lot_no])
        merges += [(r, c, r + 1, c) for c in (0, 1, 4, 5, 6, 7)]
    rows.append(["合计", None, None, None, int(sum(x.qty for x in lines)), None, None,
                 money(sum(x.amount() for x in lines))])
    return Doc("two_row_items.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no"),
               {"note_no": "HT-1201", "delivery_date": "2026-12-01", "po_number": "",
                "supplier_name": "恒通汽配有限公司"}, merges=merges)


def two_row_items_csv() -> Doc:
    """The same two-row print saved as CSV: no merges, the second row is blank but
    for the spec and lot."""
    doc = two_row_items()
    doc.name, doc.merges = "two_row_items.csv", []
    return doc


def item_cards() -> Doc:
    """No table: one block of labelled cells per item, blocks parted by a blank row."""
    lines = parts(ZH_PARTS, [0, 5, 8], "PO-2026-12-0002")
    rows = [["送货单"], ["单号：KP-1202", None, "日期：2026-12-02"], ["订单号：PO-2026-12-0002"], []]
    for ln in lines:
        rows += [["配件编码：", ln.sku, "品名：", ln.name],
                 ["规格：", ln.spec, "数量：", f"{int(ln.qty)}{ln.unit}"],
                 ["单价：", money(ln.unit_price), "金额：", money(ln.amount())],
                 ["批号：", ln.lot_no, "有效期至：", ln.expiry_date.isoformat() if ln.expiry_date else None],
                 []]
    rows.append(["送货人：", None, "收货人："])
    return Doc("item_cards.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "expiry_date",
                "po_number"),
               {"note_no": "KP-1202", "delivery_date": "2026-12-02",
                "po_number": "PO-2026-12-0002", "supplier_name": ""})


def unit_word_qty() -> Doc:
    """The quantity column is headed by a counting word only: 只数 / 套数."""
    lines = parts(ZH_PARTS, [9, 4, 0], "")
    rows = [["远达车灯配件商行 送货单"], ["单号：YD-1203", None, None, "日期：2026-12-03"],
            ["零件号", "名称", "规格", "只数", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price),
                     money(ln.amount())])
    return Doc("unit_word_qty.xlsx", rows, lines, ("sku", "name", "spec", "qty", "unit_price"),
               {"note_no": "YD-1203", "delivery_date": "2026-12-03", "po_number": "",
                "supplier_name": "远达车灯配件商行"})


def gift_discount() -> Doc:
    """A free gift line (赠品, price 0) is goods; a 折扣 row with only a negative amount
    is not."""
    lines = parts(ZH_PARTS, [1, 8], "")
    gift = Line("ZP-001", "刹车片消音胶（赠品）", "10g", D(2), "支", D(0))
    lines.append(gift)
    rows = [["顺发汽配 销售单"], ["单号：SF-1204", None, None, "日期：2026-12-04"],
            ["商品编码", "商品名称", "规格", "数量", "单位", "单价", "金额", "备注"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount()), "赠品" if ln is gift else ""])
    rows.append([None, "折扣", None, None, None, None, -10.00, "整单优惠"])
    rows.append(["合计", None, None, int(sum(x.qty for x in lines)), None, None,
                 money(sum(x.amount() for x in lines) - 10)])
    return Doc("gift_discount.xlsx", rows, lines, ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "SF-1204", "delivery_date": "2026-12-04", "po_number": "",
                "supplier_name": "顺发汽配"})


def returns_negative() -> Doc:
    """Goods and a returned line (数量 -2, 备注 退货) on one sheet: the return is never
    received as goods."""
    lines = parts(ZH_PARTS, [0, 4, 5], "")
    rows = [["送货单"], ["单号：TH-1205", None, None, "日期：2026-12-05"],
            ["货号", "品名", "数量", "单价", "金额", "备注"]]
    for ln in lines[:2]:
        rows.append([ln.sku, ln.name, int(ln.qty), money(ln.unit_price), money(ln.amount()), ""])
    rows.append(["BP-200", "刹车片", -2, 180.0, -360.0, "退货"])
    for ln in lines[2:]:
        rows.append([ln.sku, ln.name, int(ln.qty), money(ln.unit_price), money(ln.amount()), ""])
    return Doc("returns_negative.xlsx", rows, lines, ("sku", "name", "qty", "unit_price"),
               {"note_no": "TH-1205", "delivery_date": "2026-12-05", "po_number": "",
                "supplier_name": ""})


def returns_section() -> Doc:
    """Delivered goods, then a 退货明细 section listing what was taken back (positive
    quantities): nothing below it is received."""
    lines = parts(ZH_PARTS, [3, 6, 9], "")
    rows = [["鑫源汽配商行 送货单"], ["单号：XY-1206", None, None, "日期：2026-12-06"],
            ["商品编号", "商品名称", "单位", "数量", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.unit, int(ln.qty), money(ln.unit_price), money(ln.amount())])
    rows.append(["退货明细（本次带回）"])
    rows.append(["BT-400", "蓄电池", "个", 1, 420.0, 420.0])
    rows.append(["TB-880", "正时皮带", "条", 2, 158.0, 316.0])
    return Doc("returns_section.xlsx", rows, lines, ("sku", "name", "qty", "unit", "unit_price"),
               {"note_no": "XY-1206", "delivery_date": "2026-12-06", "po_number": "",
                "supplier_name": "鑫源汽配商行"})


def sap_b1() -> Doc:
    """SAP Business One delivery: Item No., Item Description, Quantity, UoM Name,
    Price after Discount, Batch/Serial Numbers, Customer Ref. No."""
    lines = parts(EN_PARTS, [0, 1, 3, 5], "PO-2026-12-0007")
    rows = [["Eastern Auto Parts Co., Ltd."], ["Delivery"],
            ["No.", "DN 260123", None, "Posting Date", "07.12.2026"],
            ["Customer Ref. No.", "PO-2026-12-0007"],
            ["#", "Item No.", "Item Description", "Quantity", "UoM Name", "Unit Price",
             "Discount %", "Price after Discount", "Batch/Serial Numbers", "Total (LC)"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, int(ln.qty), ln.unit, money(ln.unit_price * D("1.1")), 10,
                     money(ln.unit_price), ln.lot_no, money(ln.amount())])
    return Doc("sap_b1_delivery.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "po_number"),
               {"note_no": "DN 260123", "delivery_date": "2026-12-07",
                "po_number": "PO-2026-12-0007", "supplier_name": "Eastern Auto Parts Co., Ltd."})


def d365_packing() -> Doc:
    """Dynamics 365 packing slip as CSV: Item number, Product name, Qty(EA), Batch
    number, Expiration date."""
    lines = parts(EN_PARTS, [2, 4, 5], "PO-2026-12-0008")
    rows = [["Packing slip", "PS-000812"], ["Packing slip date", "2026-12-08"],
            ["Customer requisition", "PO-2026-12-0008"], [],
            ["Item number", "Product name", "Qty(EA)", "Batch number", "Expiration date"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.lot_no,
                     ln.expiry_date.isoformat() if ln.expiry_date else ""])
    return Doc("d365_packing_slip.csv", rows, lines,
               ("sku", "name", "qty", "lot_no", "expiry_date", "po_number"),
               {"note_no": "PS-000812", "delivery_date": "2026-12-08",
                "po_number": "PO-2026-12-0008", "supplier_name": ""})


def oracle_packing() -> Doc:
    """Oracle EBS packing slip: Ordered Item, Item Description, Shipped Quantity, UOM,
    Lot Number, Customer PO Number per line."""
    lines = parts(EN_PARTS, [0, 3, 4], "PO-2026-12-0009")
    rows = [["PACKING SLIP"], ["Delivery Name", "4471209", None, "Ship Date", "09-DEC-2026"],
            ["Line", "Ordered Item", "Item Description", "Customer PO Number", "Requested Quantity",
             "Shipped Quantity", "UOM", "Lot Number"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.po_number, int(ln.qty) + 5, int(ln.qty), ln.unit,
                     ln.lot_no])
    return Doc("oracle_packing_slip.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "lot_no", "po_number"),
               {"note_no": "4471209", "delivery_date": "2026-12-09",
                "po_number": "PO-2026-12-0009", "supplier_name": ""})


def oe_brand_fit() -> Doc:
    """An auto-parts 送货单: 原厂零件号 (the OE cross-reference) before 品牌零件号 (what was
    ordered and delivered), 适用车型, and 数量/单位 in one cell ('6/套')."""
    lines = [Line(brand, name, fit, D(qty), unit, price)
             for oe, brand, name, fit, unit, qty, price in FIT_PARTS]
    rows = [["广州德仕汽车配件有限公司 送货单"], ["送货单号：DS-1210", None, None, "送货日期：2026-12-10"],
            ["原厂零件号", "品牌零件号", "配件名称", "适用车型", "数量/单位", "单价", "金额"]]
    for (oe, *_), ln in zip(FIT_PARTS, lines):
        rows.append([oe, ln.sku, ln.name, ln.spec, f"{int(ln.qty)}/{ln.unit}", money(ln.unit_price),
                     money(ln.amount())])
    return Doc("oe_brand_fit.xls", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "DS-1210", "delivery_date": "2026-12-10", "po_number": "",
                "supplier_name": "广州德仕汽车配件有限公司"})


def hidden_and_notes() -> Doc:
    """A hidden first sheet (last month's note) and terms far below the table."""
    lines = parts(ZH_PARTS, [2, 3], "")
    rows = [["送货单"], ["单号：HN-1211", None, None, "日期：2026-12-11"],
            ["货号", "品名", "规格", "数量", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price), money(ln.amount())])
    rows += [[]] * 30
    rows.append(["注意事项："])
    rows.append(["1、收货时请当面点清数量，如有短缺请于3日内告知，逾期恕不补发。"])
    rows.append(["2、蓄电池请直立存放，24个月内免费更换。"])
    return Doc("hidden_and_notes.xlsx", rows, lines, ("sku", "name", "spec", "qty", "unit_price"),
               {"note_no": "HN-1211", "delivery_date": "2026-12-11", "po_number": "",
                "supplier_name": ""})


def german(value: Decimal) -> str:
    """1234.5 -> '1.234,50'."""
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def german_lieferschein() -> Doc:
    """A German supplier's Lieferschein: semicolons, decimal commas and thousands dots
    ('1.234,50'), Art.-Nr., Bezeichnung, Menge, ME, Einzelpreis, Charge, MHD."""
    lines = parts(EN_PARTS, [0, 2, 5], "PO-2026-12-0012")
    lines[0].qty = D(400)
    lines[0].unit_price = D("3.45")
    for ln in lines:
        ln.unit = "Stk"
    rows = [["Autoteile Weber GmbH"], ["Lieferschein-Nr.:", "LS-2026-1212"],
            ["Lieferdatum:", "12.12.2026"], ["Ihre Bestellung:", "PO-2026-12-0012"], [],
            ["Pos.", "Art.-Nr.", "Bezeichnung", "Menge", "ME", "Einzelpreis", "Gesamtpreis",
             "Charge", "MHD"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, int(ln.qty), ln.unit, german(ln.unit_price),
                     german(ln.amount()),
                     ln.lot_no, ln.expiry_date.strftime("%d.%m.%Y") if ln.expiry_date else ""])
    return Doc("german_lieferschein.csv", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "expiry_date", "po_number"),
               {"note_no": "LS-2026-1212", "delivery_date": "2026-12-12",
                "po_number": "PO-2026-12-0012", "supplier_name": "Autoteile Weber GmbH"})


def two_unit_qty() -> Doc:
    """Quantities in two units: '2箱(24个)' is 24 个; '30个(3盒)' is 30 个."""
    lines = parts(ZH_PARTS, [4, 9, 0], "")
    lines[0].qty, lines[1].qty, lines[2].qty = D(24), D(30), D(20)
    for ln in lines:
        ln.unit = "个" if ln.unit != "支" else "支"
    shown = ["2箱(24支)", "30个（3盒）", "20个"]
    rows = [["送货单"], ["单号：LX-1213", None, None, "日期：2026-12-13"],
            ["编码", "品名", "规格", "数量", "单价", "金额"]]
    for ln, q in zip(lines, shown):
        rows.append([ln.sku, ln.name, ln.spec, q, money(ln.unit_price), money(ln.amount())])
    return Doc("two_unit_qty.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "LX-1213", "delivery_date": "2026-12-13", "po_number": "",
                "supplier_name": ""})


def footnote_headers() -> Doc:
    """Header cells carrying footnote marks: '数量*', '单价¹', '批号(必填)', '有效期至②'."""
    lines = parts(ZH_PARTS, [3, 8, 0], "")
    rows = [["送货单"], ["单号：FN-1214", None, None, "日期：2026-12-14"],
            ["商品编码", "商品名称※", "数量*", "单位", "单价¹", "金额²", "批号(必填)", "有效期至②"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.unit, money(ln.unit_price), money(ln.amount()),
                     ln.lot_no, ln.expiry_date.isoformat() if ln.expiry_date else ""])
    rows.append(["* 数量以实收为准；¹ 含13%增值税；² 金额=数量×单价"])
    return Doc("footnote_headers.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "expiry_date"),
               {"note_no": "FN-1214", "delivery_date": "2026-12-14", "po_number": "",
                "supplier_name": ""})


def blank_headers() -> Doc:
    """Some header cells left empty: the unit column beside 数量 has no header."""
    lines = parts(ZH_PARTS, [1, 6, 7, 3], "")
    rows = [["送货单"], ["单号：BH-1215", None, None, "日期：2026-12-15"],
            ["货号", "品名", "规格", "数量", None, "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
    return Doc("blank_headers.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "BH-1215", "delivery_date": "2026-12-15", "po_number": "",
                "supplier_name": ""})


def so_beside_po() -> Doc:
    """The supplier's own 销售订单号 printed before our 采购订单号, in the block and per line."""
    lines = parts(ZH_PARTS, [0, 1, 5], "PO-2026-12-0016")
    rows = [["华达汽配有限公司 发货单"],
            ["发货单号：FH-1216", None, "销售订单号：SO20261216-03", None, "采购订单号：PO-2026-12-0016"],
            ["发货日期：2026-12-16"],
            ["销售订单号", "物料编码", "物料名称", "规格型号", "单位", "发货数量", "含税单价",
             "采购订单号"]]
    for ln in lines:
        rows.append(["SO20261216-03", ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty),
                     money(ln.unit_price), ln.po_number])
    return Doc("so_beside_po.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "FH-1216", "delivery_date": "2026-12-16",
                "po_number": "PO-2026-12-0016", "supplier_name": "华达汽配有限公司"})


def month_and_shelf_life() -> Doc:
    """A month-only document date ('2026年12月') and 生产日期 + 保质期(36个月): no day is
    known and no expiry is printed, so both stay empty."""
    lines = parts(ZH_PARTS, [3, 8], "")
    for ln in lines:
        ln.expiry_date = None
    rows = [["润通润滑油经营部 送货单"], ["单号：RT-1217", None, None, "日期：2026年12月"],
            ["货号", "品名", "规格", "数量", "单位", "单价", "生产日期", "保质期"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                     "2026-10-15", "36个月"])
    return Doc("month_and_shelf_life.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "expiry_date"),
               {"note_no": "RT-1217", "delivery_date": "", "po_number": "",
                "supplier_name": "润通润滑油经营部"})


def side_by_side() -> Doc:
    """Two copies of the table side by side on one page: lines 1-5 left, 6-10 right."""
    lines = parts(ZH_PARTS, range(10), "")
    head = ["序号", "编码", "名称", "数量", "单价"]
    rows = [["宏达汽配有限公司 送货单"],
            ["送货单号：HD-3001", None, None, None, None, None, "日期：2026-12-01"],
            head + [None] + head]
    for i in range(5):
        a, b = lines[i], lines[i + 5]
        rows.append([i + 1, a.sku, a.name, int(a.qty), money(a.unit_price), None,
                     i + 6, b.sku, b.name, int(b.qty), money(b.unit_price)])
    return Doc("side_by_side.xlsx", rows, lines, ("sku", "name", "qty", "unit_price"),
               {"note_no": "HD-3001", "delivery_date": "2026-12-01", "po_number": "",
                "supplier_name": "宏达汽配有限公司"})


def three_level_header() -> Doc:
    """数量 over 订购 | 实发 | 差异 and 金额 over 未税 | 税额 | 含税, the PO in the row
    of labelled values just above the header."""
    lines = parts(ZH_PARTS, [0, 1, 4, 5, 8], "PO-2026-12-0002")
    for ln in lines:
        ln.price_excl = excl(ln.unit_price)
    rows = [["送货单"],
            ["单号：SL-3002", None, None, "日期：2026-12-02", None, "订单号：PO-2026-12-0002"],
            ["配件编码", "配件名称", "单位", "数量", None, None, "单价", "金额", None, None],
            [None, None, None, "订购", "实发", "差异", None, "未税", "税额", "含税"]]
    for ln in lines:
        gross, net = ln.amount(), ln.amount(ln.price_excl)
        rows.append([ln.sku, ln.name, ln.unit, int(ln.qty), int(ln.qty), 0, money(ln.unit_price),
                     money(net), money(gross - net), money(gross)])
    return Doc("three_level_header.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "SL-3002", "delivery_date": "2026-12-02",
                "po_number": "PO-2026-12-0002", "supplier_name": ""},
               merges=[(2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 5), (2, 6, 3, 6),
                       (2, 7, 2, 9)])


def code_in_name() -> Doc:
    """No code column: the code before the name ('OF-100 机油滤清器') or after it in
    brackets ('刹车片 (BP-200)')."""
    lines = parts(ZH_PARTS, [0, 1, 4, 5, 7], "")
    rows = [["名称", "规格", "数量", "单位", "单价"]]
    for i, ln in enumerate(lines):
        text = f"{ln.sku} {ln.name}" if i % 2 == 0 else f"{ln.name} ({ln.sku})"
        rows.append([text, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price)])
    return Doc("code_in_name.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "", "delivery_date": "", "po_number": "", "supplier_name": ""})


def code_slash_name() -> Doc:
    """One 零件号/名称 column: 'BT-400/蓄电池'."""
    lines = parts(ZH_PARTS, [2, 3, 6, 9], "")
    rows = [["发货单号：FH-3004    发货日期：2026-12-04"],
            ["零件号/名称", "规格", "数量", "单位", "单价", "金额"]]
    for ln in lines:
        rows.append([f"{ln.sku}/{ln.name}", ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
    return Doc("code_slash_name.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "FH-3004", "delivery_date": "2026-12-04", "po_number": "",
                "supplier_name": ""})


def name_newline_spec() -> Doc:
    """品名规格 with the spec on a second line of the cell: '机油滤清器\nW712/95'."""
    lines = parts(ZH_PARTS, [0, 2, 4, 7], "")
    rows = [["顺达汽配商行送货单"], ["单号：SD-3005", None, "日期：2026/12/5"],
            ["编码", "品名规格", "数量", "单位", "单价", "金额"]]
    for ln in lines:
        rows.append([ln.sku, f"{ln.name}\n{ln.spec}", int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
    return Doc("name_newline_spec.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "SD-3005", "delivery_date": "2026-12-05", "po_number": "",
                "supplier_name": "顺达汽配商行"})


SUMMARY_ROWS = [["汇总"], ["类别", "品名", "数量", "金额"], ["滤清器", "滤清器类", 20, 500.0],
                ["制动", "刹车类", 34, 2808.0], ["油液", "油液类", 12, 816.0],
                ["合计", None, 66, 4124.0]]


def summary_first() -> Doc:
    """A first sheet 汇总 (totals per category, its header has 数量) before the lines
    on 明细: the summary is never goods (written by write_summary_first)."""
    lines = parts(ZH_PARTS, [0, 1, 3, 8], "PO-2026-12-0006")
    rows = [["明细"],
            ["送货单号：MX-3006", None, "送货日期：2026-12-06", None, "订单号：PO-2026-12-0006"],
            ["物料编码", "物料名称", "规格型号", "数量", "单位", "单价", "批号"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price),
                     ln.lot_no])
    return Doc("summary_first.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "po_number"),
               {"note_no": "MX-3006", "delivery_date": "2026-12-06",
                "po_number": "PO-2026-12-0006", "supplier_name": ""})


def carton_sections() -> Doc:
    """Lines grouped by carton under section rows: '第1箱', '箱号：C-02'."""
    lines = parts(ZH_PARTS, [0, 5, 1, 4, 9], "")
    rows = [["装箱单"], ["装箱单号：ZX-3007", None, "日期：2026-12-07"],
            ["货号", "品名", "规格", "数量", "单位"], ["第1箱"]]
    for n, ln in enumerate(lines):
        if n == 2:
            rows.append(["箱号：C-02"])
        if n == 4:
            rows.append(["第3箱 (共3箱)"])
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit])
    return Doc("carton_sections.xlsx", rows, lines, ("sku", "name", "spec", "qty", "unit"),
               {"note_no": "ZX-3007", "delivery_date": "2026-12-07", "po_number": "",
                "supplier_name": ""})


def kit_subitems() -> Doc:
    """A kit on line 1 with its contents numbered 1-1, 1-2, 1-3 (no price): the kit is
    the goods, its contents are not."""
    kit = Line("KIT-01", "保养套装", "A级", D(2), "套", D("300"), remark="含以下配件")
    other = parts(ZH_PARTS, [1], "")
    rows = [["送货单号：KT-3008", None, None, "送货日期：2026-12-08"],
            ["序号", "商品编码", "商品名称", "规格", "数量", "单位", "单价", "备注"],
            [1, kit.sku, kit.name, kit.spec, 2, "套", 300.0, kit.remark]]
    for k, (sku, name, qty, unit) in enumerate(
            [("OF-100", "机油滤清器", 2, "个"), ("AF-220", "空气滤清器", 2, "个"),
             ("SP-610", "火花塞", 8, "支")], 1):
        rows.append([f"1-{k}", sku, name, "", qty, unit, None, "套内"])
    for n, ln in enumerate(other, 2):
        rows.append([n, ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price), ""])
    return Doc("kit_subitems.xlsx", rows, [kit] + other,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "remark"),
               {"note_no": "KT-3008", "delivery_date": "2026-12-08", "po_number": "",
                "supplier_name": ""})


FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def text_cells() -> Doc:
    """Every cell text: leading spaces, Excel's apostrophe saved into the cell ("'5",
    "'PO-…") and full-width digits ('２０')."""
    lines = parts(ZH_PARTS, [0, 2, 4, 6], "PO-2026-12-0009")
    rows = [["  送货单号：", " TX-3009"], ["  日期：", "'2026-12-09"],
            ["编码", "名称", "规格", "数量", "单位", "单价", "订单号"]]
    for i, ln in enumerate(lines):
        qty = str(int(ln.qty)).translate(FULL_WIDTH) if i % 2 == 0 else f"'{int(ln.qty)}"
        price = f"  {ln.unit_price}" if i % 2 else str(ln.unit_price).translate(FULL_WIDTH)
        rows.append([f"  {ln.sku}", f" {ln.name}", f"{ln.spec} ", qty, f" {ln.unit}", price,
                     f"'{ln.po_number}"])
    return Doc("text_cells_fullwidth.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "TX-3009", "delivery_date": "2026-12-09",
                "po_number": "PO-2026-12-0009", "supplier_name": ""})


def strict_ooxml() -> Doc:
    """Saved as Excel's 'Strict Open XML' (written by write_strict)."""
    lines = parts(ZH_PARTS, [0, 1, 2], "")
    rows = [["送货单号：ST-3010", None, "日期：2026-12-10"],
            ["编码", "名称", "规格", "数量", "单位", "单价"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, int(ln.qty), ln.unit, money(ln.unit_price)])
    return Doc("strict_ooxml.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "ST-3010", "delivery_date": "2026-12-10", "po_number": "",
                "supplier_name": ""})


def attr_order() -> Doc:
    """Cells written '<c s=".." t=".." r="A1">' and a shared amount formula (written by
    write_other_writer)."""
    lines = parts(EN_PARTS, [0, 1, 3, 4], "")
    rows = [["Delivery Note No: DN-3011"], ["Date: 2026-12-11"],
            ["Item Code", "Description", "Qty", "Unit", "Unit Price", "Amount"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
    return Doc("attr_order_shared_formula.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price"),
               {"note_no": "DN-3011", "delivery_date": "2026-12-11", "po_number": "",
                "supplier_name": ""})


def mac_cr_wps() -> Doc:
    """Old-Mac '\\r' line ends and a WPS trailing empty column on every row (written by
    write_mac_csv)."""
    lines = parts(ZH_PARTS, [1, 3, 8], "")
    rows = [["送货单号", "MC-3012", "", ""], ["日期", "2026-12-12", "", ""],
            ["编码", "名称", "数量", "单位", "单价", "批号", "有效期", ""]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.unit, str(ln.unit_price), ln.lot_no,
                     ln.expiry_date.isoformat() if ln.expiry_date else "", ""])
    return Doc("mac_cr_wps.csv", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "expiry_date"),
               {"note_no": "MC-3012", "delivery_date": "2026-12-12", "po_number": "",
                "supplier_name": ""})


def date_qty_header() -> Doc:
    """The quantity headed by the day of the delivery: '11/28 送货'."""
    lines = parts(ZH_PARTS, [0, 4, 5, 7], "")
    rows = [["利达汽配有限公司"], ["送货单号：LD-3013", None, None, "日期：2026-11-28"],
            ["编码", "名称", "规格", "单位", "11/28 送货", "单价"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.spec, ln.unit, int(ln.qty), money(ln.unit_price)])
    return Doc("date_qty_header.xlsx", rows, lines,
               ("sku", "name", "spec", "qty", "unit", "unit_price"),
               {"note_no": "LD-3013", "delivery_date": "2026-11-28", "po_number": "",
                "supplier_name": "利达汽配有限公司"})


def store_qty_header() -> Doc:
    """A 配送单 whose quantity column is headed by the store it goes to: '南山店'."""
    lines = parts(ZH_PARTS, [1, 2, 6], "")
    rows = [["配送单号：PS-3014"], ["编码", "名称", "单位", "南山店", "单价"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, ln.unit, int(ln.qty), money(ln.unit_price)])
    return Doc("store_qty_header.xlsx", rows, lines, ("sku", "name", "qty", "unit", "unit_price"),
               {"note_no": "PS-3014", "delivery_date": "", "po_number": "", "supplier_name": ""})


def korean_english() -> Doc:
    """A Korean maker's packing list: P/N, DESC., Q'TY, U/PRICE, AMOUNT(USD)."""
    lines = parts(EN_PARTS, [0, 1, 3, 4, 5], "PO-77120")
    for ln in lines:
        ln.unit = ln.unit.upper()
    rows = [["HANSOL AUTO PARTS CO., LTD."], ["PACKING LIST"],
            ["INVOICE NO.: HS-261213", None, None, "DATE: DEC. 13, 2026"], ["P.O. NO.: PO-77120"],
            ["NO.", "P/N", "DESC.", "Q'TY", "UNIT", "U/PRICE", "AMOUNT(USD)"]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, int(ln.qty), ln.unit, money(ln.unit_price),
                     money(ln.amount())])
    rows.append(["TOTAL", None, None, int(sum(ln.qty for ln in lines)), None, None,
                 money(sum(ln.amount() for ln in lines))])
    return Doc("korean_english.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "po_number"),
               {"note_no": "HS-261213", "delivery_date": "2026-12-13", "po_number": "PO-77120",
                "supplier_name": "HANSOL AUTO PARTS CO., LTD."})


def lot_expiry_cell() -> Doc:
    """Lot and expiry (to the month) in one 批号/效期 cell: 'C2611 / 2027-01'."""
    lines = parts(ZH_PARTS, [3, 8, 0], "")
    for ln, expiry in zip(lines, (date(2027, 1, 31), date(2028, 6, 30), date(2027, 12, 31))):
        ln.expiry_date = expiry
    rows = [["送货单号：LE-3015", None, "日期：2026-12-15"],
            ["编码", "名称", "数量", "单位", "单价", "批号/效期"]]
    for ln in lines:
        rows.append([ln.sku, ln.name, int(ln.qty), ln.unit, money(ln.unit_price),
                     f"{ln.lot_no} / {ln.expiry_date.strftime('%Y-%m')}"])
    return Doc("lot_expiry_cell.xlsx", rows, lines,
               ("sku", "name", "qty", "unit", "unit_price", "lot_no", "expiry_date"),
               {"note_no": "LE-3015", "delivery_date": "2026-12-15", "po_number": "",
                "supplier_name": ""})


def taiwan_english() -> Doc:
    """A Taiwanese maker's English invoice: ITEM 1, 2, 3, PART NO., QTY (PCS), NT$."""
    lines = parts(EN_PARTS, [0, 2, 5], "")
    rows = [["Invoice No: TW-3016", None, "Date: 2026/12/16"],
            ["ITEM", "PART NO.", "DESCRIPTION", "SPEC.", "QTY (PCS)", "UNIT PRICE(NT$)",
             "LOT NO."]]
    for n, ln in enumerate(lines, 1):
        rows.append([n, ln.sku, ln.name, ln.spec, int(ln.qty), money(ln.unit_price), ln.lot_no])
    return Doc("taiwan_english.csv", rows, lines,
               ("sku", "name", "spec", "qty", "unit_price", "lot_no"),
               {"note_no": "TW-3016", "delivery_date": "2026-12-16", "po_number": "",
                "supplier_name": ""})


# --- writers ----------------------------------------------------------------------------
def _pinned(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the time of saving: pinned, so a rebuild changes nothing
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                              rb"\g<1>2026-11-02T08:00:00Z", body)
            new = zipfile.ZipInfo(info.filename, ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(new, body)
    return out.getvalue()


def write_xlsx(doc: Doc) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "送货单"
    for r, row in enumerate(doc.rows, 1):
        for c, value in enumerate(row, 1):
            if value is not None:
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, date):
                    cell.number_format = doc.date_cells
    for r1, c1, r2, c2 in doc.merges:
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.properties.created = wb.properties.modified = datetime(2026, 11, 2, 8, 0)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _pinned(buffer.getvalue())


def write_hidden_first(doc: Doc) -> bytes:
    """xlsx whose first sheet is hidden (an older note left in the workbook)."""
    from openpyxl import load_workbook

    base = load_workbook(io.BytesIO(write_xlsx(doc)))
    old = base.create_sheet("上月", 0)
    old.sheet_state = "hidden"
    for row in [["单号：HN-1111"], ["货号", "品名", "规格", "数量", "单价", "金额"],
                ["TB-880", "正时皮带", "CT1028", 3, 158, 474]]:
        old.append(row)
    base.active = 1
    base.properties.created = base.properties.modified = datetime(2026, 11, 2, 8, 0)
    buffer = io.BytesIO()
    base.save(buffer)
    return _pinned(buffer.getvalue())


def write_xls(doc: Doc) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("送货单")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    merged_cells = {(r, c) for r1, c1, r2, c2 in doc.merges for r in range(r1, r2 + 1)
                    for c in range(c1, c2 + 1) if (r, c) != (r1, c1)}
    for r1, c1, r2, c2 in doc.merges:
        value = doc.rows[r1][c1] if c1 < len(doc.rows[r1]) else None
        ws.write_merge(r1, r2, c1, c2, value)
    anchors = {(m[0], m[1]) for m in doc.merges}
    for r, row in enumerate(doc.rows):
        for c, value in enumerate(row):
            if value is None or (r, c) in merged_cells or (r, c) in anchors:
                continue
            if isinstance(value, date):
                ws.write(r, c, value, dated)
            else:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_csv(doc: Doc, *, encoding="utf-8", delimiter=",", quoting=csv.QUOTE_MINIMAL) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    for row in doc.rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v)
                         for v in row])
    return buffer.getvalue().encode(encoding)


def write_spreadsheetml(doc: Doc) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
           '<Worksheet ss:Name="送货单"><Table>']
    for row in doc.rows:
        cells = []
        skip = False
        for c, value in enumerate(row, 1):
            if value is None:
                skip = True
                continue
            index = f' ss:Index="{c}"' if skip else ""
            skip = False
            if isinstance(value, date):
                cells.append(f'<Cell{index}><Data ss:Type="DateTime">{value.isoformat()}'
                             f'T00:00:00.000</Data></Cell>')
            elif isinstance(value, (int, float)):
                cells.append(f'<Cell{index}><Data ss:Type="Number">{value}</Data></Cell>')
            else:
                cells.append(f'<Cell{index}><Data ss:Type="String">{escape(str(value))}</Data></Cell>')
        out.append("<Row>" + "".join(cells) + "</Row>")
    out.append("</Table></Worksheet></Workbook>")
    return "\n".join(out).encode()


def write_html(doc: Doc) -> bytes:
    out = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
           '</head><body><table border="1">']
    for row in doc.rows:
        width = max(len(row), 1)
        if len(row) == 1:
            out.append(f'<tr><td colspan="7">{escape(str(row[0]))}</td></tr>')
            continue
        out.append("<tr>" + "".join(f"<td>{escape('' if v is None else str(v))}</td>"
                                    for v in row[:width]) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out).encode("gbk")


def write_xlsb(doc: Doc) -> bytes:
    from pyxlsbwriter import XlsbWriter

    width = max(len(row) for row in doc.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.xlsb"
        with XlsbWriter(str(path)) as writer:
            writer.add_sheet("送货单")
            writer.write_sheet([list(row) + [None] * (width - len(row)) for row in doc.rows])
        return _pinned(path.read_bytes())


def write_ods(doc: Doc) -> bytes | None:
    """.ods through LibreOffice (None when it is not installed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.xlsx"
        source.write_bytes(write_xlsx(doc))
        subprocess.run([soffice, "--headless", "--convert-to", "ods", "--outdir", tmp,
                        str(source)], check=True, capture_output=True, timeout=180,
                       env={"HOME": tmp, "PATH": "/usr/bin:/bin"})
        return (Path(tmp) / "in.ods").read_bytes()


def write_summary_first(doc: Doc) -> bytes:
    """xlsx whose first sheet 汇总 totals the lines of the second, 明细."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(write_xlsx(doc)))
    book.active.title = "明细"
    summary = book.create_sheet("汇总", 0)
    for row in SUMMARY_ROWS:
        summary.append(row)
    book.properties.created = book.properties.modified = datetime(2026, 11, 2, 8, 0)
    buffer = io.BytesIO()
    book.save(buffer)
    return _pinned(buffer.getvalue())


_STRICT = ((b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
           (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"))


def _rewritten(data: bytes, change) -> bytes:
    """An xlsx with ``change(part name, bytes)`` applied to every part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def write_strict(doc: Doc) -> bytes:
    """'Strict Open XML': the same parts under the ISO namespaces."""
    def strict(name: str, body: bytes) -> bytes:
        if name.startswith("[Content_Types]"):
            return body
        for transitional, iso in _STRICT:
            body = body.replace(transitional, iso)
        return body
    return _rewritten(write_xlsx(doc), strict)


def _reversed_attributes(match) -> bytes:
    pairs = re.findall(rb'(\w+)="([^"]*)"', match[1])
    return b"<c " + b" ".join(b'%s="%s"' % pair for pair in reversed(pairs)) + match[2]


def _shared_formula(match) -> bytes:
    """The amount cells of rows 4-7 as one shared formula (the cached value kept)."""
    row, value = int(match[2]), match[3]
    if row == 4:
        return b'<c r="F4"><f t="shared" ref="F4:F7" si="0">C4*E4</f><v>%s</v></c>' % value
    if row > 4:
        return b'<c r="F%d"><f t="shared" si="0"/><v>%s</v></c>' % (row, value)
    return match[0]


def write_other_writer(doc: Doc) -> bytes:
    """Cell attributes in another order (s, t, r) and a shared formula."""
    def change(name: str, body: bytes) -> bytes:
        if not name.startswith("xl/worksheets/sheet"):
            return body
        body = re.sub(rb'<c ([^>]*?)r="F(\d+)"([^>]*)><v>([^<]*)</v></c>',
                      lambda m: _shared_formula((m[0], m[1], m[2], m[4])), body)
        return re.sub(rb"<c ([^>]*?)(/?>)", _reversed_attributes, body)
    return _rewritten(write_xlsx(doc), change)


def write_mac_csv(doc: Doc) -> bytes:
    """CSV with old-Mac '\\r' line ends and one empty column more on every row (WPS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r")
    for row in doc.rows:
        writer.writerow(["" if v is None else v for v in row] + [""])
    return buffer.getvalue().encode("utf-8")


def build() -> list[tuple[Doc, bytes | None]]:
    out: list[tuple[Doc, bytes | None]] = []

    def add(doc: Doc, data: bytes | None):
        out.append((doc, data))

    add(kingdee("xls"), write_xls(kingdee("xls")))
    add(yonyou(), write_xls(yonyou()))
    add(guanjiapo(), write_xlsx(guanjiapo()))
    add(print_template("xlsx"), write_xlsx(print_template("xlsx")))
    add(print_template("xls"), write_xls(print_template("xls")))
    add(bosch(), write_xlsx(bosch()))
    add(erpnext(), write_csv(erpnext(), quoting=csv.QUOTE_ALL))
    add(odoo(), write_xlsx(odoo()))
    add(packing_list(), write_xlsx(packing_list()))
    add(shipped_vs_ordered(), write_xlsx(shipped_vs_ordered()))
    add(two_row_header(), write_xlsx(two_row_header()))
    add(tax_columns(), write_xlsx(tax_columns()))
    add(pages(), write_xlsx(pages()))
    add(section_pos(), write_xlsx(section_pos()))
    add(two_tables(), write_xlsx(two_tables()))
    add(backorder(), write_xlsx(backorder()))
    add(backorder_en(), write_csv(backorder_en()))
    add(remarks_gbk(), write_csv(remarks_gbk(), encoding="gbk"))
    add(utf16_tab(), write_csv(utf16_tab(), encoding="utf-16", delimiter="\t"))
    add(bom_quoted(), write_csv(bom_quoted(), encoding="utf-8-sig", quoting=csv.QUOTE_ALL))
    add(text_numbers(), write_xlsx(text_numbers()))
    add(dates_en(), write_xlsx(dates_en()))
    add(dates_mdy(), write_csv(dates_mdy()))
    add(merged_po(), write_xlsx(merged_po()))
    add(spreadsheetml(), write_spreadsheetml(spreadsheetml()))
    add(html_xls(), write_html(html_xls()))
    add(semicolon_eu(), write_csv(semicolon_eu(), delimiter=";"))
    add(gb18030_title(), write_csv(gb18030_title(), encoding="gb18030"))
    add(generic("xls"), write_xls(generic("xls")))
    add(generic("ods"), write_ods(generic("ods")))
    add(generic("xlsb"), write_xlsb(generic("xlsb")))
    add(kingdee("xlsb"), write_xlsb(kingdee("xlsb")))
    add(kingdee("ods"), write_ods(kingdee("ods")))
    add(odoo_ods(), write_ods(odoo_ods()))
    add(netsuite_packing(), write_csv(netsuite_packing()))
    add(sap_delivery(), write_xlsx(sap_delivery()))
    add(shelf_life_zh(), write_xlsx(shelf_life_zh()))
    add(hk_traditional(), write_xlsx(hk_traditional()))
    add(hk_two_row(), write_xls(hk_two_row()))
    add(taiwan_big5(), write_csv(taiwan_big5(), encoding="cp950"))
    add(autoparts_erp(), write_xlsx(autoparts_erp()))
    add(alibaba_1688(), write_csv(alibaba_1688(), encoding="utf-8-sig"))
    add(bilingual_headers(), write_xlsx(bilingual_headers()))
    add(two_language_rows(), write_xlsx(two_language_rows()))
    add(packing_list_ctns(), write_xlsx(packing_list_ctns()))
    add(packing_list_zh(), write_xlsx(packing_list_zh()))
    add(jushuitan_flat(), write_xls(jushuitan_flat()))
    add(wangdiantong(), write_csv(wangdiantong(), encoding="gbk"))
    add(logo_block(), write_xlsx(logo_block()))
    add(spacer_columns(), write_xls(spacer_columns()))
    add(currency_text(), write_csv(currency_text()))
    add(seq_then_code(), write_xlsx(seq_then_code()))
    add(numeric_dates(), write_xlsx(numeric_dates()))
    add(taiwan_name_spec(), write_xlsx(taiwan_name_spec()))
    add(packing_list_numero(), write_xlsx(packing_list_numero()))
    add(youzan_orders(), write_csv(youzan_orders()))
    add(english_first_bilingual(), write_xlsx(english_first_bilingual()))
    add(two_row_items(), write_xlsx(two_row_items()))
    add(two_row_items_csv(), write_csv(two_row_items_csv()))
    add(item_cards(), write_xlsx(item_cards()))
    add(unit_word_qty(), write_xlsx(unit_word_qty()))
    add(gift_discount(), write_xlsx(gift_discount()))
    add(returns_negative(), write_xlsx(returns_negative()))
    add(returns_section(), write_xlsx(returns_section()))
    add(sap_b1(), write_xlsx(sap_b1()))
    add(d365_packing(), write_csv(d365_packing()))
    add(oracle_packing(), write_xlsx(oracle_packing()))
    add(oe_brand_fit(), write_xls(oe_brand_fit()))
    add(hidden_and_notes(), write_hidden_first(hidden_and_notes()))
    add(german_lieferschein(), write_csv(german_lieferschein(), encoding="utf-8-sig",
                                         delimiter=";"))
    add(two_unit_qty(), write_xlsx(two_unit_qty()))
    add(footnote_headers(), write_xlsx(footnote_headers()))
    add(blank_headers(), write_xlsx(blank_headers()))
    add(so_beside_po(), write_xlsx(so_beside_po()))
    add(month_and_shelf_life(), write_xlsx(month_and_shelf_life()))
    add(side_by_side(), write_xlsx(side_by_side()))
    add(three_level_header(), write_xlsx(three_level_header()))
    add(code_in_name(), write_csv(code_in_name()))
    add(code_slash_name(), write_xlsx(code_slash_name()))
    add(name_newline_spec(), write_xlsx(name_newline_spec()))
    add(summary_first(), write_summary_first(summary_first()))
    add(carton_sections(), write_xlsx(carton_sections()))
    add(kit_subitems(), write_xlsx(kit_subitems()))
    add(text_cells(), write_xlsx(text_cells()))
    add(strict_ooxml(), write_strict(strict_ooxml()))
    add(attr_order(), write_other_writer(attr_order()))
    add(mac_cr_wps(), write_mac_csv(mac_cr_wps()))
    add(date_qty_header(), write_xlsx(date_qty_header()))
    add(store_qty_header(), write_xlsx(store_qty_header()))
    add(korean_english(), write_xlsx(korean_english()))
    add(lot_expiry_cell(), write_xlsx(lot_expiry_cell()))
    add(taiwan_english(), write_csv(taiwan_english()))
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for doc, data in build():
        path = OUT / doc.name
        if data is None:
            if not path.exists():
                sys.exit(f"{doc.name}: LibreOffice (soffice) is needed to create it")
            print(f"kept {doc.name} (no soffice)")
        else:
            path.write_bytes(data)
        (OUT / f"{doc.name}.json").write_text(
            json.dumps(doc.expected(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(list(OUT.glob('*.json')))} sheets in {OUT}")


if __name__ == "__main__":
    main()
