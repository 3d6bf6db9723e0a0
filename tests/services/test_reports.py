"""Reports against hand-computed figures (tests/factories.report_scenario), on SQLite
and PostgreSQL: monthly summary across a month boundary with a return, a transfer
and a stocktake loss; month closing; stock on hand; stock card; the books check."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services import clock, reports
from services.errors import InvalidState, NotFound, PermissionDenied, ValidationError
from tests.factories import REPORT_TZ, post_movement, report_scenario, stock_lot, utc


@pytest.fixture(autouse=True)
def local_zone(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", REPORT_TZ)


@pytest.fixture
def history(world):
    docs = report_scenario(world.db)
    clock.set_now(utc(2026, 2, 15, 2))
    return docs


def row(df, sku):
    rows = df[df["sku"] == sku].to_dict("records")
    assert len(rows) == 1, (sku, rows)
    return rows[0]


def figures(record):
    return {k: record[k] for k in (
        "opening_qty", "opening_value", "in_qty", "in_value", "out_qty", "out_value",
        "adjust_qty", "adjust_value", "closing_qty", "closing_value")}


JAN_OF = dict(opening_qty=D(0), opening_value=D(0), in_qty=D(15), in_value=D("40"),
              out_qty=D(10), out_value=D("25"), adjust_qty=D(0), adjust_value=D(0),
              closing_qty=D(5), closing_value=D("15"))
FEB_OF = dict(opening_qty=D(5), opening_value=D("15"), in_qty=D(0), in_value=D(0),
              out_qty=D(0), out_value=D(0), adjust_qty=D(-1), adjust_value=D("-3"),
              closing_qty=D(4), closing_value=D("12"))
FEB_BP = dict(opening_qty=D(0), opening_value=D(0), in_qty=D(4), in_value=D("80"),
              out_qty=D(1), out_value=D("20"), adjust_qty=D(0), adjust_value=D(0),
              closing_qty=D(3), closing_value=D("60"))


def test_monthly_summary_hand_computed(history, world):
    db = world.db
    jan = reports.monthly_summary(db, "2026-01")
    assert list(jan.columns) == ["sku", "opening_qty", "opening_value", "in_qty", "in_value",
                                 "out_qty", "out_value", "adjust_qty", "adjust_value",
                                 "closing_qty", "closing_value"]
    # The BP-200 receipt at 31 Jan 17:30 UTC is 1 Feb in Shanghai: not in January.
    assert list(jan["sku"]) == ["OF-100"]
    assert figures(row(jan, "OF-100")) == JAN_OF
    feb = reports.monthly_summary(db, "2026-02")
    assert list(feb["sku"]) == ["BP-200", "OF-100"]
    assert figures(row(feb, "OF-100")) == FEB_OF
    assert figures(row(feb, "BP-200")) == FEB_BP
    for df in (jan, feb):
        for r in df.to_dict("records"):
            assert r["opening_qty"] + r["in_qty"] - r["out_qty"] + r["adjust_qty"] == r["closing_qty"]
            assert (r["opening_value"] + r["in_value"] - r["out_value"] + r["adjust_value"]
                    == r["closing_value"])
    assert reports.check_consistency(db) == []


def test_monthly_summary_details_and_categories(history, world):
    detail = reports.monthly_summary(world.db, "2026-02", details=True)
    assert list(detail.columns[:5]) == ["sku", "name", "name_zh", "category", "unit"]
    assert row(detail, "OF-100")["name_zh"] == "机油滤清器"
    cats = reports.monthly_summary_by_category(world.db, "2026-02")
    assert list(cats["category"]) == ["Brakes", "Filters"]
    brakes = cats[cats["category"] == "Brakes"].to_dict("records")[0]
    assert brakes["items"] == 1 and brakes["closing_value"] == D("60")
    totals = reports.summary_totals(detail)
    assert totals["closing_value"] == D("72") and totals["in_value"] == D("80")


def test_monthly_summary_period_checks(history, world):
    with pytest.raises(ValidationError) as bad:
        reports.monthly_summary(world.db, "2026-13")
    assert bad.value.code == "bad_period"
    with pytest.raises(ValidationError) as future:
        reports.monthly_summary(world.db, "2026-03")
    assert future.value.code == "period_in_future"
    assert reports.monthly_summary(world.db, "2025-12").empty


def test_close_month_freezes_figures(history, world):
    db = world.db
    with pytest.raises(PermissionDenied):
        reports.close_month(db, actor="keeper", period="2026-01")
    with pytest.raises(ValidationError) as not_ended:
        reports.close_month(db, actor="finance", period="2026-02")
    assert not_ended.value.code == "period_not_ended"
    result = reports.close_month(db, actor="finance", period="2026-01")
    assert result == {"period": "2026-01", "items": 1, "closing_qty": D(5),
                      "closing_value": D("15")}
    with pytest.raises(InvalidState) as twice:
        reports.close_month(db, actor="finance2", period="2026-01")
    assert twice.value.code == "period_already_closed"
    status = reports.period_status(db, "2026-01")
    assert status["closed"] and status["closed_by"] == "finance"
    assert reports.closed_periods(db)[0]["period"] == "2026-01"

    jan_trend = reports.movement_trend(db, view="month").set_index("period").loc["2026-01"]
    assert (jan_trend["in_value"], jan_trend["out_value"]) == (D(40), D(25))
    # Later movements (February) change February, never January.
    from services import issuing

    clock.set_now(utc(2026, 2, 20, 2))
    issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                        requested_by="Workshop")
    assert figures(row(reports.monthly_summary(db, "2026-01"), "OF-100")) == JAN_OF
    feb = figures(row(reports.monthly_summary(db, "2026-02"), "OF-100"))
    # FIFO takes the 3.00 lot left in A-01-01.
    assert feb == {**FEB_OF, "out_qty": D(1), "out_value": D("3"), "closing_qty": D(3),
                   "closing_value": D("9")}

    # Nothing may be dated in a closed month any more.
    clock.set_now(utc(2026, 1, 28, 2))
    with pytest.raises(InvalidState) as closed:
        post_movement(db, "OF-100", "A-01-01", 1, "stocktake_gain", doc_no="GAIN-LATE")
    assert closed.value.code == "period_closed"
    clock.set_now(utc(2026, 2, 20, 3))
    assert figures(row(reports.monthly_summary(db, "2026-01"), "OF-100")) == JAN_OF
    assert reports.check_consistency(db) == []


def test_close_month_in_order(world, monkeypatch):
    db = world.db
    clock.set_now(utc(2025, 11, 10))
    stock_lot(db, "OF-100", "A-01-01", 2, "1.00")
    clock.set_now(utc(2026, 1, 10))
    stock_lot(db, "OF-100", "A-01-01", 1, "1.00")
    clock.set_now(utc(2026, 2, 10))
    with pytest.raises(ValidationError) as earlier:
        reports.close_month(db, actor="finance", period="2026-01")
    assert earlier.value.code == "previous_period_open"
    assert earlier.value.params["open"] == "2025-11"
    assert not reports.period_status(db, "2026-01")["can_close"]
    reports.close_month(db, actor="finance", period="2025-11")
    reports.close_month(db, actor="finance", period="2025-12")   # no movements: still closes
    reports.close_month(db, actor="finance", period="2026-01")
    jan = figures(row(reports.monthly_summary(db, "2026-01"), "OF-100"))
    assert jan["opening_qty"] == D(2) and jan["closing_qty"] == D(3)
    # An open month after a chain of closed ones starts from the last snapshot.
    feb = figures(row(reports.monthly_summary(db, "2026-02"), "OF-100"))
    assert feb["opening_qty"] == D(3) and feb["closing_value"] == D(3)


def test_closed_month_detects_tampered_ledger(history, world):
    """A movement written straight into a closed month is reported by the books check."""
    from sqlalchemy import select, update

    from db.models import Movement

    db = world.db
    reports.close_month(db, actor="finance", period="2026-01")

    def tamper(session):
        first = session.scalar(select(Movement.id).order_by(Movement.id).limit(1))
        session.execute(update(Movement).where(Movement.id == first).values(qty=D(11)))

    db.write(tamper)
    problems = reports.check_consistency(db)
    assert any("closed 2026-01" in p for p in problems)


def test_stock_on_hand_filters_and_paging(history, world):
    db = world.db
    df = reports.stock_on_hand(db)
    assert list(df.columns[:3]) == ["sku", "name", "name_zh"]
    assert [(r["sku"], r["location"], r["lot_no"], r["qty_on_hand"], r["value"])
            for r in df.to_dict("records")] == [
        ("BP-200", "A-01-02", "B1", D(3), D("60")),
        ("OF-100", "A-01-01", "L2", D(2), D("6")),
        ("OF-100", "A-01-02", "L2", D(2), D("6")),
    ]
    assert reports.stock_on_hand_totals(db) == {"lots": 3, "qty": D(7), "value": D("72")}
    assert list(reports.stock_on_hand(db, location="A-01-02")["sku"]) == ["BP-200", "OF-100"]
    assert list(reports.stock_on_hand(db, category="Brakes")["sku"]) == ["BP-200"]
    assert list(reports.stock_on_hand(db, search="机油")["sku"]) == ["OF-100", "OF-100"]
    assert list(reports.stock_on_hand(db, search="brake")["sku"]) == ["BP-200"]
    assert reports.stock_on_hand(db, warehouse="WH2").empty
    assert len(reports.stock_on_hand(db, zone="A Parts")) == 3
    assert reports.stock_on_hand(db, status="quarantine").empty
    assert reports.stock_on_hand_totals(db, status="available")["value"] == D("72")
    page = reports.stock_on_hand(db, limit=2, offset=2)
    assert list(page["location"]) == ["A-01-02"] and reports.stock_on_hand_count(db) == 3
    # As of 31 January (local): OF-100 only, 3 + 2 in two bins, 15.00.
    jan = reports.stock_on_hand(db, as_of=date(2026, 1, 31))
    assert list(zip(jan["location"], jan["qty_on_hand"], jan["value"])) == [
        ("A-01-01", D(2), D("6")), ("A-01-02", D(3), D("9"))]
    assert reports.stock_on_hand_totals(db, as_of=date(2026, 1, 31)) == {
        "lots": 2, "qty": D(5), "value": D("15")}


def test_stock_card_running_balance(history, world):
    db = world.db
    card = reports.stock_card(db, "OF-100")
    assert list(card["type"]) == ["receipt", "receipt", "issue", "issue", "return",
                                  "transfer_out", "transfer_in", "stocktake_loss"]
    assert list(card["balance_qty"]) == [D(10), D(15), D(5), D(3), D(5), D(2), D(5), D(4)]
    assert list(card["balance_value"]) == [D(25), D(40), D(15), D(9), D(15), D(6), D(15), D(12)]
    assert card.iloc[2]["doc_no"] == history["issue"] and card.iloc[2]["actor"] == "keeper"
    assert card.iloc[2]["out_qty"] == D(10) and card.iloc[0]["in_qty"] == D(10)
    assert card.iloc[4]["doc_no"] == history["return"]
    assert card.iloc[7]["actor"] == "finance"
    # From 1 February: the opening row carries January's closing balance.
    feb = reports.stock_card(db, "OF-100", start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert list(feb["type"]) == ["opening", "stocktake_loss"]
    assert (feb.iloc[0]["balance_qty"], feb.iloc[0]["balance_value"]) == (D(5), D(15))
    assert (feb.iloc[1]["balance_qty"], feb.iloc[1]["balance_value"]) == (D(4), D(12))
    one_bin = reports.stock_card(db, "OF-100", location="A-01-02")
    assert list(one_bin["balance_qty"]) == [D(3), D(2)]
    with pytest.raises(NotFound):
        reports.stock_card(db, "NOPE-1")
    card_info = reports.item_card(db, "OF-100")
    assert card_info["reorder_level"] == D(5) and card_info["qty_on_hand"] == D(4)
    assert [b["location"] for b in card_info["bins"]] == ["A-01-01", "A-01-02"]


def test_expiry_ageing_slow_moving(world):
    db = world.db
    clock.set_now(utc(2025, 6, 1, 2))
    stock_lot(db, "CL-300", "B-01-01", 4, "10.00", lot_no="C-OLD", expiry_date=date(2026, 2, 20))
    clock.set_now(utc(2026, 1, 20, 2))
    stock_lot(db, "CL-300", "B-01-01", 6, "11.00", lot_no="C-NEW", expiry_date=date(2026, 4, 10))
    stock_lot(db, "CL-300", "B-01-01", 1, "11.00", lot_no="C-LATE", expiry_date=date(2026, 9, 1))
    stock_lot(db, "BP-200", "A-01-01", 2, "20.00")
    clock.set_now(utc(2026, 3, 1, 2))     # 1 March local
    exp = reports.expiring(db, 90)
    assert list(zip(exp["lot_no"], exp["days_left"], exp["bucket"])) == [
        ("C-OLD", -9, "expired"), ("C-NEW", 40, "<=60")]
    assert exp.iloc[1]["value"] == D("66")
    assert list(reports.expiring(db, 30, include_expired=False)["lot_no"]) == []
    age = reports.ageing(db)
    assert list(age["bucket"]) == ["0-30", "31-60", "61-90", "91-180", "181-365", ">365"]
    by_bucket = {r["bucket"]: r for r in age.to_dict("records")}
    assert by_bucket["31-60"]["lots"] == 3 and by_bucket["31-60"]["value"] == D("117")
    assert by_bucket["181-365"]["qty"] == D(4) and by_bucket["181-365"]["value"] == D("40")
    cats = reports.ageing(db, by_category=True)
    assert set(cats["category"]) == {"Brakes", "Fluids"}
    slow = reports.slow_moving(db, idle_days=180)
    assert list(slow["sku"]) == ["CL-300"] and slow.iloc[0]["idle_days"] == 273
    assert slow.iloc[0]["qty_on_hand"] == D(11)
    assert list(reports.slow_moving(db, idle_days=30)["sku"]) == ["CL-300", "BP-200"]
    dash = reports.dashboard(db)
    assert dash["expiring"] == {"expired": 1, "d30": 0, "d60": 1, "d90": 1}


def test_reorder_with_usage(world):
    from services import issuing

    db = world.db
    clock.set_now(utc(2026, 1, 5, 2))
    stock_lot(db, "OF-100", "A-01-01", 20, "2.00")
    stock_lot(db, "BP-200", "A-01-01", 3, "20.00")
    stock_lot(db, "BP-200", "QUAR-01", 2, "20.00", status="quarantine")
    clock.set_now(utc(2026, 2, 1, 2))
    issue = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 17}],
                                requested_by="Workshop").number
    issuing.return_to_stock(db, actor="keeper", issue_number=issue, sku="OF-100", qty=2)
    clock.set_now(utc(2026, 3, 1, 2))
    df = reports.reorder(db)
    # OF-100: 5 left = level 5 -> not below; BP-200: 3 available < 4.
    assert list(df["sku"]) == ["BP-200"]
    bp = df.to_dict("records")[0]
    assert (bp["available_qty"], bp["quarantine_qty"], bp["avg_monthly_usage"],
            bp["suggested_qty"]) == (D(3), D(2), D(0), D(1))
    issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                        requested_by="Workshop")
    df = reports.reorder(db)
    of = df[df["sku"] == "OF-100"].to_dict("records")[0]
    # Net usage over 90 days: 17 - 2 + 1 = 16 -> 5.333 a month; suggest 5 + 5.333 - 4.
    assert of["avg_monthly_usage"] == D("5.333") and of["suggested_qty"] == D("6.333")
    assert reports.dashboard(db)["below_reorder"] == 2


def test_dashboard_today(history, world):
    db = world.db
    clock.set_now(utc(2026, 2, 12, 5))
    dash = reports.dashboard(db)
    assert dash["issues_today"] == {"docs": 1, "qty": D(1), "value": D("20")}
    assert dash["receipts_today"] == {"docs": 0, "qty": D(0), "value": D(0)}
    assert dash["quarantine"]["lots"] == 0 and dash["stocktake"] is None
    clock.set_now(utc(2026, 1, 31, 18))
    assert reports.dashboard(db)["receipts_today"]["value"] == D("80")


def test_movement_trend_and_category_value(history, world):
    db = world.db
    month = reports.movement_trend(db, view="month")
    assert len(month) == 12 and list(month["period"][-2:]) == ["2026-01", "2026-02"]
    jan, feb = month.to_dict("records")[-2:]
    assert (jan["in_qty"], jan["in_value"], jan["out_qty"], jan["out_value"]) == (
        D(15), D(40), D(10), D(25))
    assert (feb["in_qty"], feb["in_value"], feb["out_qty"], feb["out_value"]) == (
        D(4), D(80), D(1), D(20))
    weeks = reports.movement_trend(db, view="week")
    assert len(weeks) == 12 and weeks.iloc[-1]["period"] == "2026-02-09"
    assert weeks.iloc[-1]["out_value"] == D("20")
    years = reports.movement_trend(db, view="year")
    assert list(years["period"]) == ["2022", "2023", "2024", "2025", "2026"]
    assert years.iloc[-1]["in_value"] == D("120")
    with pytest.raises(ValidationError):
        reports.movement_trend(db, view="day")
    cats = reports.stock_value_by_category(db)
    assert dict(zip(cats["category"], cats["value"])) == {"Brakes": D("60"), "Filters": D("12")}


def test_consistency_report_and_audit_trail_roles(history, world):
    db = world.db
    with pytest.raises(PermissionDenied):
        reports.consistency_report(db, actor="keeper")
    report = reports.consistency_report(db, actor="finance")
    assert report["ok"] and report["ledger_qty"] == D(7) and report["balance_value"] == D("72")
    with pytest.raises(PermissionDenied):
        reports.audit_trail(db, actor="manager")
    trail = reports.audit_trail(db, actor="admin", action="issue.post")
    assert len(trail) == 2 and set(trail["actor"]) == {"keeper"}
    assert reports.audit_trail_count(db, actor="finance", user="keeper") >= 4
    since = reports.audit_trail(db, actor="finance", start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert list(since["action"]) == ["issue.post"]
    assert "issue.return" in reports.audit_filters(db, actor="finance")["actions"]
    page = reports.audit_trail(db, actor="finance", limit=1, offset=0)
    assert len(page) == 1


def test_export_round_trip_of_summary_and_card(history, world):
    """Last month's summary and a stock card, exported and read back, reconcile."""
    import io

    from openpyxl import load_workbook

    from services import export

    db = world.db
    summary = reports.monthly_summary(db, "2026-01", details=True)
    card = reports.stock_card(db, "OF-100", start=date(2026, 1, 1), end=date(2026, 1, 31))
    data = export.report_workbook([(summary, "Summary"), (card, "Card")],
                                  {"sku": "配件编码", "closing_value": "期末金额"},
                                  heading="收发存汇总表", signoff=["制表人", "审核人"])
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Summary"]
    header = [c.value for c in ws[3]]
    assert header[0] == "配件编码" and "期末金额" in header
    rows = list(ws.iter_rows(min_row=4, max_row=3 + len(summary), values_only=True))
    back = dict(zip(header, rows[0]))
    assert back["配件编码"] == "OF-100"
    assert D(str(back["期末金额"])) == D(15) and D(str(back["in_value"])) == D(40)
    cws = wb["Card"]
    cheader = [c.value for c in cws[3]]
    crows = list(cws.iter_rows(min_row=4, max_row=3 + len(card), values_only=True))
    balances = [D(str(r[cheader.index("balance_value")])) for r in crows]
    assert balances == list(card["balance_value"]) and balances[-1] == D(15)
