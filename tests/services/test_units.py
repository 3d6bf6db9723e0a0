"""Pack units on items (services/units.py via services.catalog) and purchase orders
placed in a pack unit."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from services import catalog, purchasing, units
from services.errors import Duplicate, NotFound, PermissionDenied, ValidationError


def test_pack_units_general_and_per_supplier(world):
    db = world.db
    catalog.set_pack_unit(db, actor="supervisor", sku="OF-100", unit="箱", factor=12)
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="box", factor="10",
                          supplier="SUP1")
    catalog.set_pack_unit(db, actor="admin", sku="CL-300", unit="桶", factor="3.785")
    rows = catalog.pack_units(db, "OF-100")
    assert [(r.unit, r.factor, r.supplier) for r in rows] == [
        ("box", Decimal(12), None), ("box", Decimal(10), "SUP1")]
    assert catalog.pack_units(db, "CL-300")[0].factor == Decimal("3.785")


@pytest.mark.parametrize("factor, code", [
    (0, "must_be_positive"), (-12, "must_be_positive"), ("1000000", "invalid_factor"),
    ("0.0001", "invalid_factor"), ("abc", "not_a_number"), ("1.2345", "too_many_decimals")])
def test_bad_factors_are_refused_and_nothing_is_written(world, factor, code):
    with pytest.raises(ValidationError) as err:
        catalog.set_pack_unit(world.db, actor="admin", sku="OF-100", unit="箱", factor=factor)
    assert err.value.code == code
    assert catalog.pack_units(world.db, "OF-100") == []


def test_the_same_unit_twice_is_refused_unless_replaced(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    with pytest.raises(Duplicate):
        catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="CTN", factor=24)
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)   # same: no-op
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=24, replace=True)
    assert [r.factor for r in catalog.pack_units(db, "OF-100")] == [Decimal(24)]
    with pytest.raises(ValidationError) as err:
        catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="个", factor=1)
    assert err.value.code == "pack_unit_is_stock_unit"
    catalog.remove_pack_unit(db, actor="admin", sku="OF-100", unit="箱")
    assert catalog.pack_units(db, "OF-100") == []
    with pytest.raises(NotFound):
        catalog.remove_pack_unit(db, actor="admin", sku="OF-100", unit="箱")


def test_only_master_data_roles_set_pack_units(world):
    for actor in ("keeper", "purchasing", "receiver"):
        with pytest.raises(PermissionDenied):
            catalog.set_pack_unit(world.db, actor=actor, sku="OF-100", unit="箱", factor=12)
    with pytest.raises(NotFound):
        catalog.set_pack_unit(world.db, actor="admin", sku="OF-100", unit="箱", factor=12,
                              supplier="NOPE")


def test_units_are_data_with_english_and_chinese_names(world):
    db = world.db
    assert units.unit_name(db, "pcs", "zh") == "个"
    assert units.unit_name(db, "bottle", "zh") == "瓶"
    assert units.unit_name(db, "个", "en") == "pcs"
    units.define_unit(db, actor="admin", code="tray", name_en="tray", name_zh="盘",
                      aliases="TRY, 盘子")
    assert units.unit_name(db, "tray", "zh") == "盘"
    assert units.unit_book(db).resolve("盘子") == "tray"
    with pytest.raises(Duplicate):
        units.define_unit(db, actor="admin", code="箱", name_en="crate")
    with pytest.raises(PermissionDenied):
        units.define_unit(db, actor="keeper", code="tin", name_en="tin")


def test_quantities_in_packs_and_pieces(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    with db.read() as session:
        from services.units import factors_in, quantity_in_stock_unit, unit_book_in
        from db.models import Item
        from sqlalchemy import select

        item = session.scalar(select(Item).where(Item.sku == "OF-100"))
        book, factors = unit_book_in(session), factors_in(session, [item.id], None)[item.id]
    assert quantity_in_stock_unit(book, item.unit, factors, "3 箱 + 5 个") == Decimal(41)
    assert quantity_in_stock_unit(book, item.unit, factors, "2 CTN") == Decimal(24)
    with pytest.raises(ValidationError) as err:
        quantity_in_stock_unit(book, item.unit, factors, "2 桶")
    assert err.value.code == "unknown_unit"


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_item_import_sets_pack_units(world):
    db = world.db
    data = _xlsx([["编码", "名称", "单位", "包装单位"],
                  ["SP-900", "火花塞", "个", "箱=10; SUP1:箱=12, 件=100"],
                  ["WB-901", "雨刮", "对", ""]])
    assert catalog.import_items_file(db, actor="admin", data=data, filename="items.xlsx") == 2
    assert {(r.unit, r.factor, r.supplier) for r in catalog.pack_units(db, "SP-900")} == {
        ("box", Decimal(10), None), ("box", Decimal(12), "SUP1"), ("case", Decimal(100), None)}
    bad = _xlsx([["编码", "名称", "单位", "包装单位"], ["SP-902", "火花塞", "个", "箱=0"],
                 ["SP-903", "火花塞", "个", "箱"]])
    with pytest.raises(ValidationError) as err:
        catalog.import_items_file(db, actor="admin", data=bad, filename="items.xlsx")
    assert [(e["row"], e["code"]) for e in err.value.params["errors"]] == [
        (2, "must_be_positive"), (3, "invalid_pack_units")]
    twice = _xlsx([["sku", "name", "unit", "pack units"], ["SP-904", "Plug", "pcs", "箱=10;box=12"]])
    with pytest.raises(Duplicate):
        catalog.import_items_file(db, actor="admin", data=twice, filename="items.xlsx")
    assert catalog.list_items(db, search="SP-90")[1] == 1     # nothing of the refused files


def test_purchase_order_in_boxes_shows_both_units(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=10, supplier="SUP2")
    number = purchasing.create_purchase_order(db, actor="purchasing", supplier="SUP1", lines=[
        {"sku": "OF-100", "qty": 5, "unit": "箱", "unit_price": "120.00"},
        {"sku": "BP-200", "qty": 3, "unit_price": "80"}])
    po = purchasing.get_purchase_order(db, number)
    boxes, plain = po.lines
    assert (boxes.ordered, boxes.unit_price, boxes.order_unit, boxes.unit_factor) == (
        Decimal(60), Decimal(10), "box", Decimal(12))
    assert (boxes.ordered_in_unit, boxes.unit_pack_price, boxes.amount) == (
        Decimal(5), Decimal(120), Decimal(600))
    assert boxes.outstanding_in_unit == Decimal(5) and boxes.received_in_unit == 0
    assert plain.order_unit is None and plain.amount == Decimal(240)
    assert po.total == Decimal(840)
    listed = purchasing.list_purchase_orders(db)
    assert listed[0]["total"] == Decimal(840)
    other = purchasing.create_purchase_order(db, actor="purchasing", supplier="SUP2", lines=[
        {"sku": "OF-100", "qty": 5, "unit": "box", "unit_price": "100"}])
    assert purchasing.get_purchase_order(db, other).lines[0].ordered == Decimal(50)


def test_purchase_order_in_an_unknown_unit_is_refused(world):
    with pytest.raises(ValidationError) as err:
        purchasing.create_purchase_order(world.db, actor="purchasing", supplier="SUP1", lines=[
            {"sku": "OF-100", "qty": 5, "unit": "桶", "unit_price": "120.00"}])
    assert (err.value.code, err.value.params["unit"]) == ("unknown_unit", "桶")
    assert purchasing.list_purchase_orders(world.db) == []


def test_purchase_order_import_with_a_unit_column(world):
    db = world.db
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    data = ("供应商,采购单号,配件编码,数量,单位,单价\n"
            "SUP1,PO-U-1,OF-100,5,箱,120\n"
            "SUP1,PO-U-1,BP-200,4,,180\n").encode("gbk")
    assert purchasing.import_purchase_orders(db, actor="purchasing", data=data,
                                             filename="po.csv") == ["PO-U-1"]
    boxes, plain = purchasing.get_purchase_order(db, "PO-U-1").lines
    assert (boxes.ordered, boxes.order_unit, boxes.amount) == (Decimal(60), "box", Decimal(600))
    assert (plain.ordered, plain.order_unit) == (Decimal(4), None)
    english = b"supplier,sku,qty,unit price\nSUP1,OF-100,3,25\n"
    number, = purchasing.import_purchase_orders(db, actor="purchasing", data=english,
                                                filename="po.csv")
    assert purchasing.get_purchase_order(db, number).lines[0].order_unit is None
