"""Table reconstruction from OCR text boxes: corners, skew, rows by baseline, columns by
the header cells, header-block splitting and number clean-up."""
from __future__ import annotations

from hypothesis import given, strategies as st

from domain.photo_table import (TextBox, assign_columns, build_grid, clean_number_text, code_key,
                                fix_code_letters,
                                cluster_rows, column_bounds, order_corners, rotate_boxes,
                                skew_angle, split_labelled, warp_size)

HEADERS = {"编码": "sku", "品名": "name", "数量": "qty", "单价": "unit_price", "金额": "amount"}


def box(x, y, text, w=None, h=30, conf=0.99) -> TextBox:
    w = w if w is not None else 20 * len(text)
    return TextBox(((x, y), (x + w, y), (x + w, y + h), (x, y + h)), text, conf)


def table_boxes(y0=100, row_height=50):
    rows = [["编码", "品名", "数量", "单价", "金额"],
            ["BP-1", "刹车片", "4", "12.50", "50.00"],
            ["OF-2", "机油滤清器", "10", "3.20", "32.00"]]
    xs = [50, 250, 500, 650, 850]
    out = []
    for r, row in enumerate(rows):
        for x, text in zip(xs, row):
            out.append(box(x, y0 + r * row_height, text))
    return out


def test_corners_ordered_from_any_order():
    quad = [(90, 10), (10, 12), (12, 200), (95, 190)]
    assert order_corners(quad) == ((10, 12), (90, 10), (95, 190), (12, 200))


def test_warp_size_takes_the_longer_edges():
    assert warp_size(((0, 0), (120, 0), (100, 50), (0, 40))) == (120, 54)


def test_skew_from_long_boxes_only():
    long_boxes = rotate_boxes([box(100, 100 + 40 * i, "送货单号：DN-1", w=300) for i in range(5)],
                              5, (0, 0))
    short = [box(50, 50, "1", w=15, h=30)]
    assert abs(skew_angle(long_boxes + short) - 5) < 0.01
    assert skew_angle(short) == 0.0


def test_rotated_table_is_recovered_after_undoing_the_skew():
    skewed = rotate_boxes(table_boxes(), 7, (500, 200))
    straight = rotate_boxes(skewed, -skew_angle(skewed), (500, 200))
    grid = build_grid(straight, HEADERS.get)
    assert grid.texts[1:] == [["BP-1", "刹车片", "4", "12.50", "50.00"],
                              ["OF-2", "机油滤清器", "10", "3.20", "32.00"]]


def test_rows_cluster_by_baseline_despite_jitter():
    boxes = [box(10, 100, "a"), box(100, 108, "b"), box(200, 95, "c"), box(10, 150, "d")]
    rows = cluster_rows(boxes)
    assert [[b.text for b in row] for row in rows] == [["a", "b", "c"], ["d"]]


def test_cells_follow_header_positions_and_join_split_boxes():
    header = [box(50, 0, "编码", w=60), box(250, 0, "品名", w=60), box(500, 0, "数量", w=60)]
    bounds = column_bounds(header)
    row = [box(40, 50, "BP-1", w=80), box(240, 50, "刹车片", w=60, conf=0.7),
           box(305, 50, "前轮", w=40, conf=0.9), box(540, 50, "4", w=15)]
    texts, confidence = assign_columns(row, bounds)
    assert texts == ["BP-1", "刹车片 前轮", "4"]
    assert confidence == [0.99, 0.7, 0.99]


def test_missing_cell_is_empty_with_no_confidence():
    header = [box(50, 0, "编码", w=60), box(250, 0, "品名", w=60), box(500, 0, "数量", w=60)]
    texts, confidence = assign_columns([box(40, 50, "BP-1"), box(540, 50, "4", w=15)],
                                       column_bounds(header))
    assert texts == ["BP-1", "", "4"] and confidence[1] is None


def test_lines_above_the_header_keep_one_cell_per_box():
    boxes = [box(300, 10, "送货单"), box(50, 50, "送货单号：DN-7", w=200),
             box(600, 50, "日期：2026-11-03", w=200)] + table_boxes()
    grid = build_grid(boxes, HEADERS.get)
    assert grid.header_row == 2
    assert grid.texts[:2] == [["送货单"], ["送货单号：DN-7", "日期：2026-11-03"]]


def test_no_header_means_no_table():
    assert build_grid([box(10, 10, "hello"), box(10, 60, "world")], HEADERS.get) is None


def test_header_block_fields_joined_by_ocr_are_split():
    labels = ["送货单号", "订单号", "单号", "日期"]
    assert split_labelled("送货单号：DN-1 订单号：PO-7日期：2026-11-03", labels) == [
        "送货单号：DN-1", "订单号：PO-7", "日期：2026-11-03"]
    assert split_labelled("送货单号：DN-1", labels) == ["送货单号：DN-1"]


def test_number_lookalikes_fixed_and_reported():
    assert clean_number_text("1O5.5O") == ("105.50", True)
    assert clean_number_text("12.50") == ("12.50", False)
    assert clean_number_text("1,234.00") == ("1234.00", False)
    assert clean_number_text("12,5") == ("12.5", True)


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8, unique=True),
       st.floats(min_value=-8, max_value=8))
def test_any_small_rotation_keeps_rows_apart(row_indices, degrees):
    boxes = [box(100 + 150 * c, 100 + 45 * r, f"r{r}c{c}", w=100) for r in row_indices
             for c in range(4)]
    turned = rotate_boxes(boxes, degrees, (400, 400))
    back = rotate_boxes(turned, -skew_angle(turned), (400, 400))
    rows = cluster_rows(back)
    assert len(rows) == len(row_indices)
    assert all(len({b.text[:b.text.index("c")] for b in row}) == 1 for row in rows)


def test_document_number_prefix_letters_restored():
    assert fix_code_letters("P0-2026-3253") == "PO-2026-3253"
    assert fix_code_letters("PO-2026-3253") == "PO-2026-3253"
    assert fix_code_letters("SP-K20R") == "SP-K20R"
    assert fix_code_letters("2026-0001") == "2026-0001"


def test_code_key_forgives_letter_digit_confusions():
    assert code_key("P0-2026-11-0001") == code_key("PO-2026-11-OOO1")
    assert code_key("BP-1330") != code_key("BP-1331")


def test_text_read_across_a_column_border_is_split_at_the_script_change():
    header = [box(50, 0, "编码", w=60), box(250, 0, "品名", w=60), box(500, 0, "数量", w=60)]
    bounds = column_bounds(header)           # borders at 190 and 405
    joined = box(40, 50, "FL-COOL-4L防冻液", w=260)     # code 40..~190, name beyond
    texts, _ = assign_columns([joined, box(540, 50, "6", w=15)], bounds)
    assert texts == ["FL-COOL-4L", "防冻液", "6"]


def test_text_just_over_a_border_stays_whole():
    header = [box(50, 0, "编码", w=60), box(250, 0, "品名", w=60)]
    texts, _ = assign_columns([box(60, 50, "BP-1330A", w=140)], column_bounds(header))
    assert texts == ["BP-1330A", ""]


def test_no_split_into_a_cell_another_box_fills():
    header = [box(50, 0, "编码", w=60), box(250, 0, "品名", w=60)]
    bounds = column_bounds(header)           # border at 180
    row = [box(40, 50, "CF-1200", w=100), box(150, 50, "空调滤芯 CUK2939", w=200)]
    texts, _ = assign_columns(row, bounds)
    assert texts == ["CF-1200", "空调滤芯 CUK2939"]
