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


@pytest.fixture
def zh_formatting(monkeypatch):
    """AppTest formats widget values in this process too: let it see Chinese. Every ui
    module is imported first, so none keeps the patched function after the test."""
    import importlib
    import pkgutil

    import ui

    for module in pkgutil.iter_modules(ui.__path__):
        importlib.import_module(f"ui.{module.name}")
    monkeypatch.setattr("ui.i18n.current_language", lambda: "zh")


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
    table = _table_with(at, "Pack unit")
    assert list(table["Pack unit"]) == ["box"] and list(table["Supplier"]) == ["SUP1"]
    remove = [b for b in at.button if b.label.startswith("Remove: box = 10 pcs")]
    remove[0].click().run()
    assert catalog.pack_units(app_db, "OF-100") == []


def test_chinese_item_screen_shows_units_by_chinese_name(app_db, zh_formatting):
    catalog.set_pack_unit(app_db, actor="admin", sku="CL-300", unit="桶", factor=4)
    at = _open_item(app_for(app_db, "admin", lang="zh", page="pages/items.py").run(), "CL-300")
    items = at.dataframe[0].value
    units_shown = set(items["单位"])
    assert units_shown == {"个", "瓶", "套"}     # never "pcs", "bottle" or "set" on a zh screen
    assert "库存单位：瓶" in [m.value for m in at.markdown]
    assert list(_table_with(at, "每包装数量")["包装单位"]) == ["桶"]


def test_purchase_order_in_boxes_shows_both_units(app_db, request):
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
    request.getfixturevalue("zh_formatting")
    at = app_for(app_db, "purchasing", lang="zh", page="pages/purchase_orders.py").run()
    assert_no_exception(at)
    line = _table_with(at, "单价").iloc[0]
    assert line["订购数量"] == "60 个 (5 箱)"


REPORT_PAGES = ["pages/report_stock.py", "pages/report_monthly.py", "pages/report_reorder.py",
                "pages/report_stock_card.py"]


@pytest.mark.parametrize("page", REPORT_PAGES)
def test_chinese_reports_show_units_by_chinese_name(page, sqlite_db, monkeypatch,
                                                   zh_formatting):
    from services import clock
    from tests.factories import REPORT_TZ, report_scenario, utc

    monkeypatch.setenv("WAREHOUSE_TZ", REPORT_TZ)
    build_world(sqlite_db)
    report_scenario(sqlite_db)
    clock.set_now(utc(2026, 2, 15, 2))
    at = app_for(sqlite_db, "supervisor", lang="zh", page=page).run()
    assert_no_exception(at)
    shown = [set(d.value["单位"]) for d in at.dataframe if "单位" in d.value.columns]
    if page != "pages/report_stock_card.py":
        assert shown, "the report shows a unit column"
    for units_shown in shown:
        assert units_shown <= {"个", "瓶", "套"}, units_shown


def test_keeper_issues_in_boxes_and_sees_the_conversion_first(app_db):
    from services import issuing
    from tests.factories import stock_lot, utc

    stock_lot(app_db, "OF-100", "A-01-01", 30, "10", lot_no="L1", received_at=utc(2026, 3, 1))
    catalog.set_pack_unit(app_db, actor="admin", sku="OF-100", unit="箱", factor=12)
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_requested_by").input("Mechanic Li")
    at.text_input(key="iss_scan").input("OF-100").run()
    at.text_input(key="iss_qty").input("2 箱").run()
    assert "= 24 pcs" in [c.value for c in at.caption]
    at.text_input(key="iss_qty").input("2 桶").run()
    assert any('"桶"' in e.value for e in at.error)
    at.text_input(key="iss_qty").input("1 箱 + 3 个").run()
    at.button(key="iss_add").click().run()
    assert_no_exception(at)
    assert at.session_state["iss_lines"] == [{"sku": "OF-100", "qty": "15"}]
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    number = at.session_state["iss_last"].number
    assert issuing.get_issue(app_db, number).total_cost == Decimal(150)


def _counted(stk, db, number):
    return [(e["sku"], e["location"], e["qty"])
            for e in stk.count_entries(db, number, "AX Auxiliary", "initial")
            if e["qty"] is not None]


def test_a_count_in_packs_and_pieces_is_confirmed_in_the_stock_unit(sqlite_db):
    from services import clock
    from services import stocktake as stk
    from tests.factories import build_stocktake_world
    from tests.services.test_stocktake import COUNT_DAY

    build_stocktake_world(sqlite_db)
    clock.set_now(COUNT_DAY)
    catalog.set_pack_unit(sqlite_db, actor="admin", sku="OF-100", unit="箱", factor=12)
    number = stk.open_stocktake(sqlite_db, actor="supervisor", period="2026-03",
                                zones=["AX Auxiliary"])
    at = app_for(sqlite_db, "keeper", page="pages/stocktake.py").run()
    at.text_input(key="count_location").input("AX-01")
    at.text_input(key="count_sku").input("of-100")
    at.text_input(key="count_qty").input("3 箱 + 5 个")
    next(b for b in at.button if b.label == "Save count").click().run()
    assert_no_exception(at)
    assert _counted(stk, sqlite_db, number) == []        # not saved before confirming
    assert any("3 箱 + 5 个 = **41 pcs**" in m.value for m in at.markdown)
    at.button(key="count_packs_ok").click().run()
    assert_no_exception(at)
    assert _counted(stk, sqlite_db, number) == [("OF-100", "AX-01", Decimal(41))]
    # the count sheet lists the pack unit beside the stock unit
    sheet = next(d.value for d in at.dataframe if "Pack units" in d.value.columns)
    packs = dict(zip(sheet["SKU"], sheet["Pack units"]))
    assert packs["OF-100"] == "box = 12 pcs" and packs["BP-200"] == ""


def test_receiving_in_boxes_on_the_tablet(app_db):
    from services import purchasing, receiving

    catalog.set_pack_unit(app_db, actor="admin", sku="OF-100", unit="箱", factor=12)
    po = purchasing.create_purchase_order(app_db, actor="purchasing", supplier="SUP1", lines=[
        {"sku": "OF-100", "qty": 5, "unit": "箱", "unit_price": "120"},
        {"sku": "BP-200", "qty": 6, "unit_price": "50"}])
    purchasing.approve_purchase_order(app_db, actor="manager", number=po)
    grn = receiving.start_receipt(app_db, actor="receiver", po_number=po, delivery_note_no="N-1",
                                  lines=[{"sku": "OF-100", "qty": 5, "unit": "箱"},
                                         {"sku": "BP-200", "qty": 3, "unit": "对"}])
    at = app_for(app_db, "receiver", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    assert_no_exception(at)
    table = _table_with(at, "Note qty")
    assert list(table["Note qty"]) == ["60 (5 box)", "3 对 ?"]
    at.selectbox(key="rcv_line_choice").set_value(1).run()
    assert "Sheet: 5 box = 60 pcs" in [c.value for c in at.caption]
    at.text_input(key=f"rcv_packs_{grn}_1").input("4 箱 + 12 个").run()
    assert "= 60 pcs" in [c.value for c in at.caption]
    at.button(key=f"rcv_packs_{grn}_1_go").click().run()
    assert_no_exception(at)
    assert receiving.get_receipt(app_db, grn).lines[0].counted_qty == Decimal(60)

    # line 2: the sheet's 对 is not a unit of BP-200; the receiver says it means sets
    at.selectbox(key="rcv_line_choice").set_value(2).run()
    assert any("对" in w.value for w in at.warning)
    at.selectbox(key=f"rcv_unit_{grn}_2").set_value("set")
    at.button(key=f"rcv_unit_{grn}_2_go").click().run()
    assert_no_exception(at)
    line = receiving.get_receipt(app_db, grn).lines[1]
    assert "UNKNOWN_UNIT" not in line.flags and line.note_qty == Decimal(3)


def test_chinese_count_sheet_names_units_in_chinese(sqlite_db, zh_formatting):
    from services import clock
    from services import stocktake as stk
    from tests.factories import build_stocktake_world
    from tests.services.test_stocktake import COUNT_DAY

    build_stocktake_world(sqlite_db)
    clock.set_now(COUNT_DAY)
    catalog.set_pack_unit(sqlite_db, actor="admin", sku="CL-300", unit="箱", factor=6)
    stk.open_stocktake(sqlite_db, actor="supervisor", period="2026-03", zones=["AX Auxiliary"])
    at = app_for(sqlite_db, "keeper", lang="zh", page="pages/stocktake.py").run()
    assert_no_exception(at)
    sheet = next(d.value for d in at.dataframe if "包装单位" in d.value.columns)
    assert set(sheet["单位"]) == {"个", "套", "瓶"}
    assert dict(zip(sheet["配件编码"], sheet["包装单位"]))["CL-300"] == "箱 = 6 瓶"


def test_units_tab_defines_a_unit_with_both_names(app_db):
    from services import units

    at = app_for(app_db, "admin", page="pages/items.py").run()
    at.text_input(key="unit_code").input("tray")
    at.text_input(key="unit_name_en").input("tray")
    at.text_input(key="unit_name_zh").input("盘")
    at.button[[b.label for b in at.button].index("Save unit")].click().run()
    assert_no_exception(at)
    assert units.unit_name(app_db, "tray", "zh") == "盘"
    table = _table_with(at, "Other spellings (comma-separated)")
    assert "盘" in list(table["Chinese name"])
