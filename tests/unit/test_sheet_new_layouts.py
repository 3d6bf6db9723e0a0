"""The guards of the rules added for the third round of layouts: each reads its own
layout and leaves a look-alike alone."""
from __future__ import annotations

import pytest

from services.sheets import vocabulary as vocab
from services.sheets.fields import split_code_in_name, split_lot_expiry, unmarked
from services.sheets.layout import find_header, repeated_header
from services.sheets.reader import sheet_from_grid


@pytest.mark.parametrize("text, expected", [
    ("OF-COR 机油滤清器", ("OF-COR", "机油滤清器")),
    ("OF-COR/机油滤清器", ("OF-COR", "机油滤清器")),
    ("机油滤清器 (OF-COR)", ("OF-COR", "机油滤清器")),
    ("04465-33471 前刹车片", ("04465-33471", "前刹车片")),
    ("12V 蓄电池", ("", "12V 蓄电池")),          # a rating, not a code
    ("H7 灯泡", ("", "H7 灯泡")),
    ("冷却液 (4L)", ("", "冷却液 (4L)")),
    ("Front D1234", ("", "Front D1234")),        # an English name is never cut
])
def test_code_in_name(text, expected):
    assert split_code_in_name(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("B2611 / 2028-06", ("B2611", "2028-06")),
    ("B2611\n2028-06-30", ("B2611", "2028-06-30")),
    ("B2611", ("B2611", "")),
    ("L-2026/11", ("L-2026/11", "")),
])
def test_lot_and_expiry_in_one_cell(text, expected):
    assert split_lot_expiry(text) == expected


def test_excel_text_mark():
    assert unmarked("  '12") == "12" and unmarked("O'Neil") == "O'Neil"


def test_one_store_column_is_the_quantity_and_several_are_not():
    one = find_header([["编码", "名称", "单位", "南山店", "单价"]])
    assert one is not None and one.columns["qty"] == 3
    assert find_header([["编码", "名称", "南山店", "福田店", "单价"]]) is None


def test_a_dated_delivery_header_is_the_quantity():
    assert vocab.header_field("11/28 送货")[0] == "qty"
    assert vocab.header_field("12月5日发货")[0] == "qty"


def test_repeated_header():
    assert repeated_header(["序号", "编码", "数量", "", "序号", "编码", "数量"]) == (0, 4)
    assert repeated_header(["序号", "编码", "名称", "数量", "单价"]) is None


def test_summary_sheet_names():
    assert vocab.is_summary_sheet("汇总") and vocab.is_summary_sheet("Summary")
    assert not vocab.is_summary_sheet("明细")


ROWS = [["序号", "编码", "名称", "数量", "单价"]]


def test_kit_contents_are_not_goods():
    sheet = sheet_from_grid(ROWS + [[1, "KIT-01", "保养套装", 2, 300.0],
                                    ["1-1", "OF-100", "机油滤清器", 2, None],
                                    ["1-2", "AF-220", "空气滤清器", 2, None],
                                    [2, "BP-200", "刹车片", 10, 180.0]])
    assert [ln.sku for ln in sheet.lines] == ["KIT-01", "BP-200"]


def test_numbering_by_page_and_line_keeps_every_line():
    """'1-1', '1-2' with no plain line 1 above are line numbers, not kit contents."""
    sheet = sheet_from_grid(ROWS + [["1-1", "OF-100", "机油滤清器", 2, None],
                                    ["1-2", "AF-220", "空气滤清器", 2, None]])
    assert [ln.sku for ln in sheet.lines] == ["OF-100", "AF-220"]


def test_priced_sub_lines_are_goods():
    sheet = sheet_from_grid(ROWS + [[1, "KIT-01", "保养套装", 2, 300.0],
                                    ["1-1", "OF-100", "机油滤清器", 2, 25.0]])
    assert [ln.sku for ln in sheet.lines] == ["KIT-01", "OF-100"]
