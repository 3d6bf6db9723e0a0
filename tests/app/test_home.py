"""Home dashboard: tiles per role with links to the acting screens, and the charts."""
import pytest

from services import clock
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import REPORT_TZ, build_world, report_scenario, utc


@pytest.fixture
def app_db(sqlite_db, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", REPORT_TZ)
    build_world(sqlite_db)
    report_scenario(sqlite_db)
    clock.set_now(utc(2026, 2, 12, 5))          # the day BP-200 was issued
    yield sqlite_db
    clock.set_now(None)


def links(at):
    return {p.proto.page for p in at.get("page_link")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_keeper_tiles_links_and_charts(app_db, lang):
    at = app_for(app_db, "keeper", lang=lang, page="pages/home.py").run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    issues = "Issues today" if lang == "en" else "今日出库单"
    below = "Below reorder level" if lang == "en" else "低于储备定额"
    assert metrics[issues] == "1" and metrics[below] == "2"
    assert {"issues_list", "report_reorder", "report_expiry", "report_stock"} <= links(at)
    assert "qc" not in links(at)                # keepers cannot open the QC page
    assert len(at.get("vega_lite_chart")) == 2


def test_purchasing_sees_deliveries(app_db):
    at = app_for(app_db, "purchasing", page="pages/home.py").run()
    assert_no_exception(at)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Overdue claims", "Deliveries due (7 days)", "Deliveries overdue"]
    assert "Issues today" not in labels
    assert "purchase_orders" in links(at)


def test_trend_switch(app_db):
    at = app_for(app_db, "manager", page="pages/home.py").run()
    at.button_group(key="home_trend_view").set_value("week").run()
    assert_no_exception(at)
    at.button_group(key="home_trend_view").set_value("year").run()
    assert_no_exception(at)
    assert len(at.get("vega_lite_chart")) == 2
