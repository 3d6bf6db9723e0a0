"""AppTest: pack units on the item screen; unit names in the user's language."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services import catalog
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import build_world


@pytest.fixture
def app_db(sqlite_db):
    build_world(sqlite_db)
    return sqlite_db


def _table_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _open_item(at, sku):
    at.selectbox(key="item_edit_sku").select(sku).run()
    assert_no_exception(at)
    return at


def test_item_screen_adds_a_suppliers_pack_unit_and_refuses_a_bad_factor(app_db):
    at = _open_item(app_for(app_db, "supervisor", page="pages/items.py").run(), "OF-100")
    assert "Stock unit: pcs" in [m.value for m in at.markdown]
    at.text_input(key="pu_unit_OF-100").input("箱")
    at.text_input(key="pu_factor_OF-100").input("0")
    at.button[[b.label for b in at.button].index("Save pack unit")].click().run()
    assert any("greater than zero" in e.value for e in at.error)
    assert catalog.pack_units(app_db, "OF-100") == []

    at.text_input(key="pu_unit_OF-100").input("箱")
    at.text_input(key="pu_factor_OF-100").input("10")
    at.selectbox(key="pu_supplier_OF-100").select("SUP1")
    at.button[[b.label for b in at.button].index("Save pack unit")].click().run()
    assert_no_exception(at)
    assert [(r.unit, r.factor, r.supplier) for r in catalog.pack_units(app_db, "OF-100")] == [
        ("box", Decimal(10), "SUP1")]
    table = at.dataframe[-1].value
    assert list(table["Pack unit"]) == ["box"] and list(table["Supplier"]) == ["SUP1"]
    remove = [b for b in at.button if b.label.startswith("Remove: box = 10 pcs")]
    remove[0].click().run()
    assert catalog.pack_units(app_db, "OF-100") == []


def test_chinese_item_screen_shows_units_by_chinese_name(app_db, monkeypatch):
    # AppTest formats widget values in this process too: let it see the same language.
    monkeypatch.setattr("ui.i18n.current_language", lambda: "zh")
    catalog.set_pack_unit(app_db, actor="admin", sku="CL-300", unit="桶", factor=4)
    at = _open_item(app_for(app_db, "admin", lang="zh", page="pages/items.py").run(), "CL-300")
    items = at.dataframe[0].value
    units_shown = set(items["单位"])
    assert units_shown == {"个", "瓶"}           # never "pcs" or "bottle" on a zh screen
    assert "库存单位：瓶" in [m.value for m in at.markdown]
    assert list(at.dataframe[-1].value["包装单位"]) == ["桶"]


def test_purchase_order_in_boxes_shows_both_units(app_db, monkeypatch):
    from services import purchasing

    catalog.set_pack_unit(app_db, actor="admin", sku="OF-100", unit="箱", factor=12)
    number = purchasing.create_purchase_order(app_db, actor="purchasing", supplier="SUP1", lines=[
        {"sku": "OF-100", "qty": 5, "unit": "箱", "unit_price": "120.00"}])
    at = app_for(app_db, "purchasing", page="pages/purchase_orders.py").run()
    assert_no_exception(at)
    assert at.selectbox(key="po_pick").value == number
    line = _table_with(at, "Unit price").iloc[0]
    assert line["Ordered"] == "60 pcs (5 box)"
    assert line["Outstanding"] == "60 pcs (5 box)"
    assert line["Unit price"] == "10 / pcs (120 / box)"
    monkeypatch.setattr("ui.i18n.current_language", lambda: "zh")
    at = app_for(app_db, "purchasing", lang="zh", page="pages/purchase_orders.py").run()
    assert_no_exception(at)
    line = _table_with(at, "单价").iloc[0]
    assert line["订购数量"] == "60 个 (5 箱)"
