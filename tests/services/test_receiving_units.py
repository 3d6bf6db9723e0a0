"""Receiving in pack units, on SQLite and PostgreSQL: the sheet's unit converted with the
item's or the supplier's factor, UNKNOWN_UNIT blocking and release, exact value for
goods bought by the pack, posted lines keeping their factor. Books agree after each."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from db.models import Item, Lot
from services import catalog, clock, issuing, purchasing, receiving, reports, units
from services.errors import ValidationError
from services.receiving_units import pick_line_unit
from tests.factories import PASSWORD, utc

D = Decimal
NOW = utc(2026, 11, 2, 2, 0)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")
    clock.set_now(NOW)
    yield
    clock.set_now(None)


def books_agree(db):
    assert reports.check_consistency(db) == []


def sheet(rows) -> bytes:
    """A supplier's delivery sheet (xlsx) with a 单位 column."""
    book = Workbook()
    book.active.append(["配件编码", "名称", "数量", "单位", "单价", "金额"])
    for sku, name, qty, unit, price in rows:
        book.active.append([sku, name, qty, unit, price, qty * price])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def order(db, lines, supplier="SUP1"):
    number = purchasing.create_purchase_order(db, actor="purchasing", supplier=supplier,
                                              lines=lines)
    purchasing.approve_purchase_order(db, actor="manager", number=number)
    return number


def receive_sheet(db, po, data, note="DN-1"):
    read = receiving.read_delivery_sheet(data, "note.xlsx")
    assert not [e for e in read.errors if getattr(e, "severity", "error") == "error"], read.errors
    return receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no=note,
                                   lines=read.lines, source_file=data, filename="note.xlsx")


def count_and_post(db, grn, counts):
    for line_no, text in counts.items():
        sku = receiving.get_receipt(db, grn).lines[line_no - 1].sku
        qty = units.convert_quantity(db, sku=sku, text=text, supplier="SUP1")
        receiving.record_count(db, actor="receiver", receipt=grn, line_no=line_no,
                               counted_qty=qty, location="A-01-01")
    return receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                                  checker_password=PASSWORD)


def lots(db, sku):
    with db.read() as s:
        item_id = s.scalar(select(Item.id).where(Item.sku == sku))
        return [(lot.qty_on_hand, lot.unit_cost) for lot in s.scalars(
            select(Lot).where(Lot.item_id == item_id).order_by(Lot.id))]


def test_five_boxes_at_120_become_60_pieces_at_10_and_issue_fifo(world):
    """Done when: purchasing orders 5 箱 at 120.00, the receiver books a sheet saying
    "5 箱", stock shows 60 个 at 10.00, value 600.00, a keeper issues 7 个 FIFO."""
    db = world.db
    catalog.set_pack_unit(db, actor="supervisor", sku="OF-100", unit="箱", factor=12)
    po = order(db, [{"sku": "OF-100", "qty": 5, "unit": "箱", "unit_price": "120.00"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 5, "箱", 120)]))
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.unit, line.unit_text, line.note_qty_in_unit, line.note_qty, line.unit_factor
            ) == ("box", "箱", D(5), D(60), D(12))
    assert line.stock_unit == "pcs" and not line.flags - {"NOT_COUNTED"}
    count_and_post(db, grn, {1: "5 箱"})
    stock = reports.stock_on_hand(db, sku="OF-100")
    assert list(stock["qty_on_hand"]) == [D(60)]
    assert list(stock["unit_cost"]) == [D(10)] and list(stock["value"]) == [D(600)]
    assert purchasing.get_purchase_order(db, po).lines[0].received_in_unit == D(5)
    issued = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 7}],
                                 requested_by="workshop")
    assert issued.total_cost == D(70)
    assert [(a.qty, a.unit_cost) for a in issued.lines[0].allocations] == [(D(7), D(10))]
    assert reports.stock_on_hand(db, sku="OF-100")["value"].sum() == D(530)
    # both languages name the unit
    book = units.unit_book(db)
    assert (book.name(line.stock_unit, "en"), book.name(line.stock_unit, "zh")) == ("pcs", "个")
    assert (book.name(line.unit, "en"), book.name(line.unit, "zh")) == ("box", "箱")
    books_agree(db)


def test_a_suppliers_own_box_size_is_used_for_its_sheets(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=10,
                          supplier="SUP1")
    po = order(db, [{"sku": "OF-100", "qty": 30, "unit_price": "9.5"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 3, "CTN", D("95"))]))
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.note_qty, line.unit_factor) == (D(30), D(10))
    assert "PRICE_MISMATCH" not in line.flags         # 95 a box of 10 = 9.5 a piece
    count_and_post(db, grn, {1: "2 箱 + 10 个"})
    assert lots(db, "OF-100") == [(D(30), D("9.5"))]
    books_agree(db)


def test_unknown_unit_blocks_until_master_data_defines_it(world):
    db = world.db
    po = order(db, [{"sku": "OF-100", "qty": 24, "unit_price": "10"},
                    {"sku": "BP-200", "qty": 4, "unit_price": "50"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 2, "桶", 120),
                                       ("BP-200", "刹车片", 4, "套", 50)]))
    first, second = receiving.get_receipt(db, grn).lines
    assert "UNKNOWN_UNIT" in first.flags and "UNKNOWN_UNIT" in first.blocking
    assert "UNKNOWN_UNIT" not in second.flags
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=24,
                           location="A-01-01")
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=2, counted_qty=4,
                           location="A-01-01")
    with pytest.raises(ValidationError) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password=PASSWORD)
    assert [e["code"] for e in err.value.params["errors"]] == ["unit_unknown"]
    assert lots(db, "OF-100") == [] and lots(db, "BP-200") == []     # nothing booked
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="桶", factor=12)
    line = receiving.get_receipt(db, grn).lines[0]
    assert ("UNKNOWN_UNIT" not in line.flags, line.note_qty, line.unit_factor) == (
        True, D(24), D(12))
    receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password=PASSWORD)
    assert lots(db, "OF-100") == [(D(24), D(10))]
    books_agree(db)


def test_unknown_unit_released_by_the_receiver_picking_the_unit(world):
    db = world.db
    po = order(db, [{"sku": "OF-100", "qty": 10, "unit_price": "10"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 6, "只装", 10)]))
    assert "UNKNOWN_UNIT" in receiving.get_receipt(db, grn).lines[0].flags
    with pytest.raises(ValidationError):
        pick_line_unit(db, actor="receiver", receipt=grn, line_no=1, unit="桶")
    pick_line_unit(db, actor="receiver", receipt=grn, line_no=1, unit="个")
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.flags - {"NOT_COUNTED"}, line.note_qty, line.unit_text) == (set(), D(6), "只装")
    count_and_post(db, grn, {1: "6"})
    assert lots(db, "OF-100") == [(D(6), D(10))]
    books_agree(db)


def test_a_box_price_that_does_not_divide_keeps_every_cent(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    po = order(db, [{"sku": "OF-100", "qty": 1, "unit": "箱", "unit_price": "100.00"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 1, "箱", 100)]))
    count_and_post(db, grn, {1: "1 箱"})
    assert lots(db, "OF-100") == [(D(8), D("8.3333")), (D(4), D("8.3334"))]
    assert reports.stock_on_hand(db, sku="OF-100")["value"].sum() == D("100.00")
    line = receiving.get_receipt(db, grn).lines[0]
    assert line.unit_price == D("8.3333") and line.amount == D("100.00")   # not 12 × 8.3333
    books_agree(db)
    issued = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 5}],
                                 requested_by="workshop")
    rest = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 7}],
                               requested_by="workshop")
    assert issued.total_cost + rest.total_cost == D("100.00")
    books_agree(db)


def test_posted_lines_keep_the_factor_they_were_posted_with(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    po = order(db, [{"sku": "OF-100", "qty": 2, "unit": "箱", "unit_price": "120"}])
    grn = receive_sheet(db, po, sheet([("OF-100", "机油滤清器", 2, "箱", 120)]))
    count_and_post(db, grn, {1: "2 箱"})
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=24, replace=True)
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.unit_factor, line.note_qty, line.accepted_qty) == (D(12), D(24), D(24))
    po_line = purchasing.get_purchase_order(db, po).lines[0]
    assert (po_line.unit_factor, po_line.ordered) == (D(12), D(24))
    books_agree(db)


def test_mapping_lines_accept_a_unit_and_lines_without_one_are_in_the_stock_unit(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="BP-200", unit="件", factor=4)
    po = order(db, [{"sku": "OF-100", "qty": 5, "unit_price": "10"},
                    {"sku": "BP-200", "qty": 8, "unit_price": "50"}])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                  lines=[{"sku": "OF-100", "qty": 5},
                                         {"sku": "BP-200", "qty": 2, "unit": "件"}])
    plain, packs = receiving.get_receipt(db, grn).lines
    assert (plain.note_qty, plain.unit, plain.note_qty_in_unit) == (D(5), "pcs", None)
    assert (packs.note_qty, packs.unit, packs.note_qty_in_unit) == (D(8), "case", D(2))
    catalog.set_pack_unit(db, actor="admin", sku="CL-300", unit="桶", factor="3.785")
    with pytest.raises(ValidationError) as err:    # 1.5 x 3.785 L has four places
        receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-10",
                                lines=[{"sku": "CL-300", "qty": "1.5", "unit": "桶"}])
    assert err.value.code == "qty_not_in_stock_unit"
    books_agree(db)


def test_qc_releases_both_cost_tiers_of_a_quarantined_line(world):
    db = world.db          # EN-500 is fully inspected: booked into quarantine first
    catalog.set_pack_unit(db, actor="admin", sku="EN-500", unit="箱", factor=3)
    po = order(db, [{"sku": "EN-500", "qty": 1, "unit": "箱", "unit_price": "100"}])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-Q",
                                  lines=[{"sku": "EN-500", "qty": 1, "unit": "箱"}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=3,
                           location="A-01-01", lot_no="SN-1", certificate="CERT-1")
    receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password=PASSWORD)
    assert lots(db, "EN-500") == [(D(2), D("33.3333")), (D(1), D("33.3334"))]
    assert [r["qty"] for r in receiving.quarantine_lines(db)] == [D(3)]
    result = receiving.qc_release(db, actor="qc", receipt=grn, line_no=1, passed_qty=1,
                                  failed_qty=2)
    assert receiving.quarantine_lines(db) == []
    returned = receiving.get_supplier_return(db, result["return_number"])
    assert sum((ln["amount"] for ln in returned.lines), D(0)) == D("66.6667")
    stock = reports.stock_on_hand(db, sku="EN-500")
    assert stock["value"].sum() == D("100.0000")
    books_agree(db)


def test_counts_typed_in_packs_use_this_suppliers_box(world):
    """The all-lines count table takes "2 箱 + 5" like the single-line form: this
    supplier's box of 10 (not the general 12); an unknown unit or a damaged part larger
    than the count is refused by row and nothing is written."""
    db = world.db
    catalog.set_pack_unit(db, actor="supervisor", sku="OF-100", unit="箱", factor=12)
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=10, supplier="SUP1")
    po = order(db, [{"sku": "OF-100", "qty": 25, "unit_price": "10"}])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-P",
                                  lines=[{"sku": "OF-100", "qty": 25}])
    for counts, code in (([{"line_no": 1, "counted_qty": "2 桶"}], "unknown_unit"),
                         ([{"line_no": 1, "counted_qty": "1 箱", "damaged_qty": "2 箱"}],
                          "damaged_exceeds_counted"),
                         ([{"line_no": 1, "counted_qty": "lots"}], "not_a_number")):
        with pytest.raises(ValidationError) as err:
            receiving.record_counts(db, actor="receiver", receipt=grn, counts=counts)
        assert err.value.code == code and err.value.params.get("row") == 1
        assert receiving.get_receipt(db, grn).lines[0].counted_qty is None
    receiving.record_counts(db, actor="receiver", receipt=grn, counts=[
        {"line_no": 1, "counted_qty": "2 箱 + 5", "damaged_qty": "1 箱", "location": "A-01-01"}])
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.counted_qty, line.damaged_qty) == (D(25), D(10))
    books_agree(db)
