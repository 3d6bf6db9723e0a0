"""AppTest: the issuing page issues from one warehouse (picker defaulting to the
user's home warehouse, other warehouses' stock shown, never taken); scrap asks for
a leader's approval; the stocktake page lists counted but unposted receipts and
opens over them only when confirmed."""
from __future__ import annotations

import pytest

from services import issuing, users
from services import stocktake as stk
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import PASSWORD, build_world, count_receipt, open_receipt, stock_lot, utc


@pytest.fixture
def app_db(sqlite_db):
    build_world(sqlite_db)
    stock_lot(sqlite_db, "OF-100", "A-01-01", 21, "2.00", lot_no="MAIN1", received_at=utc(2026, 3, 1))
    stock_lot(sqlite_db, "OF-100", "W2-01-01", 4, "1.50", lot_no="EAST1", received_at=utc(2026, 1, 1))
    return sqlite_db


def _add(at, sku, qty):
    at.text_input(key="iss_scan").input(sku).run()
    at.text_input(key="iss_qty").input(str(qty))
    at.button(key="iss_add").click().run()
    assert_no_exception(at)


def test_issuing_picks_the_home_warehouse_and_shows_the_other(app_db):
    users.set_home_warehouse(app_db, actor="keeper", warehouse="MAIN")
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    assert at.selectbox(key="iss_warehouse").value == "MAIN"
    at.text_input(key="iss_requested_by").input("Li")
    _add(at, "OF-100", 25)
    notes = " ".join(i.value for i in at.info)
    assert "available at Second warehouse: 4" in notes
    assert at.button(key="iss_confirm").disabled          # 21 here: short, never crossing


def test_other_warehouses_stock_is_named_in_chinese(app_db):
    users.set_home_warehouse(app_db, actor="keeper", warehouse="MAIN")
    at = app_for(app_db, "keeper", page="pages/issuing.py", lang="zh")
    at.session_state["iss_lines"] = [{"sku": "OF-100", "qty": "25"}]
    at.run()
    assert_no_exception(at)
    assert "二仓 可用：4" in " ".join(i.value for i in at.info)


def test_issuing_from_the_warehouse_chosen_on_the_screen(app_db):
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.selectbox(key="iss_warehouse").select("WH2").run()
    at.text_input(key="iss_requested_by").input("Li")
    _add(at, "OF-100", 3)
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    view = issuing.get_issue(app_db, issuing.list_issues(app_db)[0]["number"][0])
    assert {a.location for line in view.lines for a in line.allocations} == {"W2-01-01"}


def test_scrap_asks_for_a_leaders_approval(app_db):
    stock_lot(app_db, "BP-200", "HOLD-01", 3, "20.00", status="hold")
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_requested_by").input("QC")
    at.selectbox(key="iss_purpose").select("scrap").run()
    at.toggle(key="iss_bad").set_value(True).run()
    _add(at, "BP-200", 3)
    at.button(key="iss_confirm").click().run()
    assert at.error and "supervisor or manager" in at.error[0].value
    at.text_input(key="iss_approver").input("manager")
    at.text_input(key="iss_approver_pw").input(PASSWORD)
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    assert issuing.get_issue(app_db, issuing.list_issues(app_db)[0]["number"][0]).approved_by == "manager"


def test_stocktake_page_lists_unposted_receipts_and_needs_confirmation(app_db):
    grn = open_receipt(app_db, [("BP-200", 2, "40.00")])
    count_receipt(app_db, grn, location="A-01-02")
    at = app_for(app_db, "supervisor", page="pages/stocktake.py").run()
    assert_no_exception(at)
    assert any(grn in str(df.value.to_dict()) for df in at.dataframe)
    form_submit = [b for b in at.button if "Open" in str(b.label)]
    form_submit[0].click().run()
    assert at.error and grn in at.error[0].value
    assert stk.list_stocktakes(app_db) == []
    at.checkbox(key="stocktake_allow_open_receipts").check()
    [b for b in at.button if "Open" in str(b.label)][0].click().run()
    assert_no_exception(at)
    assert len(stk.list_stocktakes(app_db)) == 1
