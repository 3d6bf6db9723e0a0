"""Words and numbers of printed documents and exports: every stored code has words in
both languages, quantities never show trailing zeros, report workbooks built for the
Chinese UI are Chinese throughout (sign-off row, yes/no words, totals)."""
import io
from decimal import Decimal

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from db.models import ISSUE_PURPOSES, RECEIPT_STATUSES, RETURN_STATUSES, STOCKTAKE_STATUSES
from db.models import VARIANCE_REASONS
from domain import receiving as rules
from sample_data import catalogue
from services.documents.text import LABELS, enum, money, price, qty

CODES = {
    "flag": rules.FLAGS,
    "reject": [v for k, v in vars(rules).items() if k.startswith("R_")],
    "rcv_status": RECEIPT_STATUSES,
    "rts_status": RETURN_STATUSES,
    "st_status": STOCKTAKE_STATUSES,
    "purpose": ISSUE_PURPOSES,
    "reason": VARIANCE_REASONS,
    "unit": sorted({item["unit"] for item in catalogue.items()}),
}


def test_every_code_has_words_in_both_languages():
    for group, codes in CODES.items():
        assert codes, group
        for code in codes:
            english, chinese = LABELS[f"{group}.{code}"]
            assert english and chinese and english != chinese or group == "unit"
            assert enum(group, code, "zh") == chinese and enum(group, code, "en") == english
    assert all(en and zh for en, zh in LABELS.values())


def test_unknown_codes_and_blanks_print_plainly():
    assert enum("flag", "SOMETHING_NEW", "zh") == "SOMETHING_NEW"
    assert enum("reason", None, "zh") == "" and enum("reason", float("nan"), "en") == ""


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False))
def test_quantities_without_trailing_zeros_read_back_exactly(value):
    text = qty(value)
    assert Decimal(text.replace(",", "")) == value
    assert not ("." in text and text.endswith("0"))


def test_money_and_prices():
    assert money(Decimal("4160.0000")) == "4,160.00" and money(None) == ""
    assert price(Decimal("12.5000000")) == "12.50" and price(Decimal("20.1666")) == "20.1666"
    assert qty(Decimal("8.000")) == "8" and qty(Decimal("-1.000")) == "-1"


def test_report_workbook_from_the_chinese_ui_is_chinese():
    from ui.report_widgets import report_excel

    frame = pd.DataFrame({"sku": ["OF-100", "OF-100-AM"], "genuine": [True, False],
                          "qty_on_hand": [Decimal("8.000"), Decimal("1.500")],
                          "value": [Decimal("80.0000000"), Decimal("9.7500000")]})
    data = report_excel([(frame, "库存")], lang="zh", preparer="吴丽 Wu Li",
                        heading="库存查询", totals=True)
    ws = load_workbook(io.BytesIO(data))["库存"]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "原厂件" in cells and "副厂件" in cells and False not in cells and True not in cells
    assert "制表人: 吴丽 Wu Li" in cells and "审核人: ________" in cells
    assert not any(isinstance(v, str) and ("Prepared" in v or "Total" in v) for v in cells)
    total_row = next(r for r in ws.iter_rows() if r[0].value == "合计")
    assert [c.value for c in total_row][1:4] == [None, 9.5, 89.75]
    assert ws.cell(4, 3).number_format == "#,##0" and ws.cell(5, 3).number_format == "#,##0.0"
