"""Report workbooks: round trip, number formats, sign-off, formula-injection escaping."""
import io
from datetime import date, datetime, timezone
from decimal import Decimal as D

import pandas as pd
from openpyxl import load_workbook

from services import export

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1:A2)", "+cmd|' /C calc'!A0", "-1+1",
        "\tleading tab", "=1+1"]


def frame():
    return pd.DataFrame({
        "sku": ["OF-100", "BP-200", *EVIL],
        "qty_on_hand": [D("5.000"), D("-1.500"), *[D(i) for i in range(len(EVIL))]],
        "value": [D("15.0000000"), D("-30.25"), *[D(0)] * len(EVIL)],
        "unit_cost": [D("3.0000"), D("20.1666"), *[None] * len(EVIL)],
        "on_time_rate": [D("0.5"), None, *[None] * len(EVIL)],
        "expiry_date": [date(2026, 4, 10), None, *[None] * len(EVIL)],
        "at": [datetime(2026, 1, 5, 10, 30, tzinfo=timezone.utc), pd.NaT, *[pd.NaT] * len(EVIL)],
    })


def read(data):
    return load_workbook(io.BytesIO(data))


def test_round_trip_values_formats_and_signoff():
    df = frame()
    headers = {"sku": "配件编码", "qty_on_hand": "结存数量", "value": "金额",
               "unit_cost": "单位成本", "on_time_rate": "准时率", "expiry_date": "有效期至",
               "at": "时间"}
    data = export.report_workbook(
        [(df, "库存"), (df.head(1), "Second")], headers, heading="库存查询",
        subtitle="2026-01", signoff=["制表人", "审核人", "批准人", "日期"],
        signoff_values=["Finance", "", "", "2026-02-01"])
    wb = read(data)
    assert wb.sheetnames == ["库存", "Second"]
    ws = wb["库存"]
    assert ws["A1"].value == "库存查询" and ws["A2"].value == "2026-01"
    assert [c.value for c in ws[3]] == list(headers.values())
    assert ws.freeze_panes == "A4"
    assert ws["A3"].font.bold
    # Numbers stay numbers and match the frame.
    assert ws["B4"].value == 5 and ws["B5"].value == -1.5
    assert D(str(ws["C5"].value)) == D("-30.25") and ws["C4"].value == 15
    assert D(str(ws["D5"].value)) == D("20.1666")
    # Quantities in their own decimals: 5.000 -> 5, -1.500 -> -1.5 (never 5.000).
    assert ws["B4"].number_format == "#,##0" and ws["B5"].number_format == "#,##0.0"
    assert ws["C4"].number_format == export.MONEY_FORMAT
    assert ws["D4"].number_format == export.COST_FORMAT
    assert ws["E4"].number_format == export.RATE_FORMAT and ws["E4"].value == 0.5
    assert ws["F4"].value.date() == date(2026, 4, 10)
    assert ws["G4"].value == datetime(2026, 1, 5, 10, 30) and ws["G5"].value is None
    last = 3 + len(df)
    assert ws.cell(row=last + 3, column=1).value == "制表人: Finance"
    assert ws.cell(row=last + 3, column=3).value == "审核人: ________"
    assert ws.cell(row=last + 3, column=7).value == "日期: 2026-02-01"
    back = pd.DataFrame(list(ws.iter_rows(min_row=4, max_row=last, values_only=True)),
                        columns=list(headers))
    assert [D(str(v)) for v in back["qty_on_hand"]] == list(df["qty_on_hand"])
    assert list(back["sku"][:2]) == ["OF-100", "BP-200"]


def test_formula_injection_is_escaped():
    data = export.report_workbook([(frame(), "x")], {}, heading="=cmd()")
    ws = read(data)["x"]
    assert ws["A1"].value == "'=cmd()"
    for row, evil in enumerate(EVIL, start=6):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value == "'" + evil
    # No cell anywhere is a formula.
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    assert ws["B6"].data_type == "n"
    assert export.escape_cell("\r=1") == "'\r=1" and export.escape_cell(-1) == -1


def test_report_format_by_name():
    assert export.report_format("closing_qty") == export.QTY_FORMAT
    assert export.report_format("closing_value") == export.MONEY_FORMAT
    assert export.report_format("unit_cost") == export.COST_FORMAT
    assert export.report_format("short_rate") == export.RATE_FORMAT
    assert export.report_format("sku") is None
