"""AppTest of every report page in both languages, on the reports scenario."""
from __future__ import annotations

import pytest

from services import clock, reports
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import REPORT_TZ, build_world, report_scenario, utc

REPORT_PAGES = [
    "pages/report_stock.py", "pages/report_stock_card.py", "pages/report_monthly.py",
    "pages/report_expiry.py", "pages/report_reorder.py", "pages/report_suppliers.py",
]


@pytest.fixture
def app_db(sqlite_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", REPORT_TZ)
    build_world(sqlite_db)
    report_scenario(sqlite_db)
    clock.set_now(utc(2026, 2, 15, 2))
    yield sqlite_db
    clock.set_now(None)


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    parts += [h.value for h in at.title] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", REPORT_PAGES)
def test_report_pages_open(app_db, page, lang):
    at = app_for(app_db, "finance", lang=lang, page=page).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ["pages/consistency.py", "pages/audit.py", "pages/home.py"])
def test_control_pages_and_home_open(app_db, page, lang):
    at = app_for(app_db, "admin", lang=lang, page=page).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]


def test_stock_on_hand_page_figures_and_filter(app_db):
    at = app_for(app_db, "keeper", page="pages/report_stock.py").run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lots"] == "3" and metrics["Value"] == "72.00"
    table = at.dataframe[0].value
    assert list(table["SKU"]) == ["BP-200", "OF-100", "OF-100"]
    at.text_input(key="soh_search").input("机油").run()
    assert_no_exception(at)
    assert list(at.dataframe[0].value["SKU"]) == ["OF-100", "OF-100"]
    at.selectbox(key="soh_loc").select("A-01-02").run()
    assert list(at.dataframe[0].value["Bin"]) == ["A-01-02"]


def test_stock_on_hand_page_chinese_headers(app_db):
    at = app_for(app_db, "keeper", lang="zh", page="pages/report_stock.py").run()
    assert_no_exception(at)
    columns = list(at.dataframe[0].value.columns)
    assert "配件编码" in columns and "金额" in columns and "货位" in columns
    assert "机油滤清器" in set(at.dataframe[0].value["中文名称"])


def test_stock_card_page_from_link(app_db):
    at = app_for(app_db, "keeper", page="pages/report_stock_card.py")
    at.query_params["sku"] = "OF-100"
    at.query_params["period"] = "2026-01"
    at.run()
    assert_no_exception(at)
    card = at.dataframe[0].value
    assert list(card["Balance qty"])[-1] == "5"        # end of January, no trailing zeros
    assert list(card["Movement"])[:2] == ["Opening balance", "Receipt"]
    downloads = len(at.get("download_button"))
    at.button(key="card_OF-100_make").click().run()       # the shelf card PDF
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("download_button")) == downloads + 1


def test_monthly_page_closed_and_close_action(app_db):
    at = app_for(app_db, "finance", page="pages/report_monthly.py").run()
    assert_no_exception(at)
    at.selectbox(key="monthly_period").select("2026-01").run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["In value"] == "40.00" and metrics["Closing value"] == "15.00"
    assert "Open month" in texts(at)
    at.checkbox(key="close_sure").check()
    at.button[-1].click().run()
    assert_no_exception(at)
    assert reports.period_status(app_db, "2026-01")["closed"]
    at.run()
    assert "final" in texts(at)


def test_monthly_page_keeper_cannot_close(app_db):
    at = app_for(app_db, "keeper", lang="zh", page="pages/report_monthly.py").run()
    assert_no_exception(at)
    assert not at.checkbox and "月结" not in [s.value for s in at.subheader]


def test_control_pages_refuse_keeper(app_db):
    for page in ("pages/consistency.py", "pages/audit.py"):
        at = app_for(app_db, "keeper", page=page).run()
        assert at.error and "cannot open" in at.error[0].value


def test_consistency_page_agrees(app_db):
    at = app_for(app_db, "finance", lang="zh", page="pages/consistency.py").run()
    assert_no_exception(at)
    assert "帐、物、卡三者一致" in texts(at)


def test_audit_page_filters(app_db):
    at = app_for(app_db, "admin", page="pages/audit.py").run()
    assert_no_exception(at)
    at.date_input(key="audit_from").set_value(utc(2026, 1, 1).date())
    at.selectbox(key="audit_action").select("issue.post").run()
    assert_no_exception(at)
    events = at.dataframe[0].value
    assert set(events["Action"]) == {"issue.post"} and len(events) == 2


def test_wide_reports_open_with_the_columns_a_tablet_fits(app_db):
    """Stock on hand has sixteen columns: it opens with the six a 768 px tablet shows;
    the chooser brings back every column, and the choice stays on the next rerun.
    (In English: AppTest re-formats choice widgets in English on a rerun.)"""
    from ui.i18n import translate

    at = app_for(app_db, "keeper", lang="en", page="pages/report_stock.py").run()
    assert_no_exception(at)
    tablet = ["sku", "name", "location", "unit", "qty_on_hand", "value"]   # in the table's order
    assert list(at.dataframe[0].value.columns) == [translate(f"rcol.{c}", "en") for c in tablet]
    chooser = at.multiselect(key="soh_columns")
    every = ["sku", "name", "category", "brand", "genuine", "warehouse", "location", "zone",
             "lot_no", "expiry_date", "received_at", "status", "unit", "qty_on_hand",
             "unit_cost", "value"]
    assert chooser.options == [translate(f"rcol.{c}", "en") for c in every]
    chooser.set_value(every).run()
    assert_no_exception(at)
    assert len(at.dataframe[0].value.columns) == 16
    at.text_input(key="soh_search").input("oil").run()
    assert len(at.dataframe[0].value.columns) == 16
