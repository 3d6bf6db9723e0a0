"""A delivery sheet checked against the PO it is received on: the PO or supplier it
names must match (or a reason is given and kept), a sheet spanning two POs starts
one receipt per PO, the printed delivery date is kept and drives the on-time rate,
remarks reach the receipt; and what a receiver teaches is saved per supplier."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest

from services import clock, receiving, reports
from services.errors import PermissionDenied, ValidationError
from services.sheets import mappings, read_delivery_sheet
from tests.factories import make_approved_po


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def sheet_for(po_line: str, *, supplier="Parts Co 有限公司", note="DN-77", extra=()):
    rows = [[f"{supplier} 送货单"], [f"送货单号：{note}", f"订单号：{po_line}", "送货日期：2026-03-02"],
            ["编码", "名称", "数量", "单价", "备注"],
            ["OF-100", "机油滤清器", "10", "25", "外箱破损"], *extra]
    return read_delivery_sheet(_csv(rows), "note.csv")


def test_a_sheet_naming_another_po_is_stopped_naming_both(world):
    db = world.db
    ours = make_approved_po(db)
    other = make_approved_po(db)
    sheet = sheet_for(other)
    assert sheet.po_number == other and sheet.supplier_name == "Parts Co 有限公司"
    with pytest.raises(ValidationError) as err:
        receiving.start_receipt(db, actor="receiver", po_number=ours, delivery_note_no="DN-77",
                                lines=sheet.lines, sheet=sheet)
    assert err.value.code == "sheet_mismatch"
    assert (err.value.params["sheet_value"], err.value.params["po_value"]) == (other, ours)
    assert receiving.list_receipts(db, status="open") == []
    grn = receiving.start_receipt(db, actor="receiver", po_number=ours, delivery_note_no="DN-77",
                                  lines=sheet.lines, sheet=sheet,
                                  override_reason="Supplier printed the wrong PO; confirmed by phone")
    view = receiving.get_receipt(db, grn)
    assert view.mismatch_reason.startswith("Supplier printed the wrong PO")
    assert view.delivery_date == date(2026, 3, 2)


def test_a_sheet_from_another_supplier_is_stopped(world):
    db = world.db
    po = make_approved_po(db)
    sheet = sheet_for(po, supplier="博世汽车部件（苏州）有限公司")
    with pytest.raises(ValidationError) as err:
        receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                lines=sheet.lines, sheet=sheet)
    assert err.value.params["kind"] == "supplier"
    assert "博世" in err.value.params["sheet_value"] and "SUP1" in err.value.params["po_value"]
    matching = sheet_for(po, supplier="Parts Co., Ltd.", note="DN-10")
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-10",
                                  lines=matching.lines, sheet=matching)
    line = receiving.get_receipt(db, grn).lines[0]
    assert line.remark == "外箱破损"
    assert receiving.get_receipt(db, grn).mismatch_reason == ""


def test_a_sheet_spanning_two_pos_starts_one_receipt_per_po(world):
    db = world.db
    first = make_approved_po(db, [("OF-100", 10, "25")])
    second = make_approved_po(db, [("BP-200", 4, "180")])
    rows = [["送货单号：DN-2PO", "送货日期：2026-03-03"], ["编码", "名称", "数量"],
            [f"订单号：{first}"], ["OF-100", "机油滤清器", "10"],
            [f"订单号：{second}"], ["BP-200", "刹车片", "4"]]
    data = _csv(rows)
    sheet = read_delivery_sheet(data, "two.csv")
    assert sheet.po_numbers == [first, second] and sheet.po_number == ""
    receipts = {}
    for po in sheet.po_numbers:
        receipts[po] = receiving.start_receipt(
            db, actor="receiver", po_number=po, delivery_note_no=sheet.note_no,
            lines=sheet.lines, sheet=sheet, source_file=data, filename="two.csv")
    assert [ln.sku for ln in receiving.get_receipt(db, receipts[first]).lines] == ["OF-100"]
    assert [ln.sku for ln in receiving.get_receipt(db, receipts[second]).lines] == ["BP-200"]
    with pytest.raises(Exception) as again:          # each PO once from that note
        receiving.start_receipt(db, actor="receiver", po_number=first,
                                delivery_note_no=sheet.note_no, lines=sheet.lines, sheet=sheet,
                                source_file=data)
    assert again.value.code == "delivery_note_received"


def test_on_time_rate_uses_the_printed_delivery_date(world):
    """Delivered on the due date, counted two days later: on time."""
    db = world.db
    po = make_approved_po(db, due_date=date(2026, 3, 2))
    clock.set_now(datetime(2026, 3, 4, 9, 0, tzinfo=timezone.utc))
    try:
        sheet = sheet_for(po, note="DN-7701")
        grn = receiving.start_receipt(db, actor="receiver", po_number=po,
                                      delivery_note_no=sheet.note_no, lines=sheet.lines,
                                      sheet=sheet)
        receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=10,
                               location="A-01-01")
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password="password123")
        row = reports.supplier_performance(db, date(2026, 3, 1), date(2026, 3, 31)).iloc[0]
        assert (row["deliveries"], row["on_time"]) == (1, 1)
        assert reports.check_consistency(db) == []
    finally:
        clock.set_now(None)


UNKNOWN = [["货品代号", "货品说明", "发出", "备考"], ["OF-100", "机油滤清器", "3", ""],
           ["BP-200", "刹车片", "2", "短少1套"]]


def test_a_saved_mapping_reads_the_next_sheet_of_that_supplier(world):
    db = world.db
    data = _csv(UNKNOWN)
    with pytest.raises(ValidationError) as err:
        read_delivery_sheet(data, "x.csv")
    assert err.value.code == "no_header_found"
    mappings.save_mapping(db, actor="receiver", supplier="SUP1", header_cells=UNKNOWN[0],
                          header_row=1, columns={"sku": 0, "name": 1, "qty": 2, "remark": 3})
    profile = mappings.supplier_profile(db, "SUP1")
    sheet = receiving.read_delivery_sheet(data, "x.csv", supplier=profile)
    assert sheet.mapping_used
    assert [(ln.sku, ln.qty, ln.remark) for ln in sheet.lines] == [
        ("OF-100", 3, ""), ("BP-200", 2, "短少1套")]
    assert "remark_damage" in sheet.lines[1].hints
    # Another supplier's profile does not apply it.
    assert mappings.supplier_profile(db, "SUP2").mappings == {}
    [saved] = mappings.list_mappings(db, supplier="SUP1")
    assert saved["columns"] == {"sku": 0, "name": 1, "qty": 2, "remark": 3}
    with pytest.raises(PermissionDenied):
        mappings.delete_mapping(db, actor="receiver", mapping_id=saved["id"])
    mappings.update_mapping(db, actor="purchasing", mapping_id=saved["id"],
                            columns={"sku": 0, "name": 1, "qty": 2})
    assert read_delivery_sheet(data, "x.csv", supplier=mappings.supplier_profile(
        db, "SUP1")).lines[1].remark == ""
    mappings.delete_mapping(db, actor="admin", mapping_id=saved["id"])
    assert mappings.list_mappings(db) == []


def test_a_mapping_needs_quantity_and_item_and_each_field_once(world):
    for columns, code in (({"sku": 0}, "mapping_needs_item_and_qty"),
                          ({"sku": 0, "qty": 0}, "mapping_field_twice"),
                          ({"sku": 0, "qty": 2, "colour": 1}, "invalid_choice")):
        with pytest.raises(ValidationError) as err:
            mappings.save_mapping(world.db, actor="receiver", supplier="SUP1",
                                  header_cells=UNKNOWN[0], header_row=1, columns=columns)
        assert err.value.code == code


def test_price_basis_chooses_the_price_compared_with_the_po(world):
    db = world.db
    rows = [["编码", "名称", "数量", "未税单价", "含税单价"], ["OF-100", "机油滤清器", "2", "100", "113"]]
    data = _csv(rows)
    assert read_delivery_sheet(data, "p.csv", supplier=mappings.supplier_profile(
        db, "SUP1")).lines[0].unit_price == 113
    with pytest.raises(PermissionDenied):
        mappings.set_price_basis(db, actor="receiver", supplier="SUP1", basis="excl_tax")
    mappings.set_price_basis(db, actor="purchasing", supplier="SUP1", basis="excl_tax")
    assert read_delivery_sheet(data, "p.csv", supplier=mappings.supplier_profile(
        db, "SUP1")).lines[0].unit_price == 100
