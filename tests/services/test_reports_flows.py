"""Reports fed by the real purchasing, receiving and stocktake services: supplier
performance, the dashboard's delivery tiles, open PO quantities in reorder
suggestions and stocktake adjustments in the monthly summary."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services import clock, issuing, receiving, reports
from services import stocktake as st
from tests.factories import PASSWORD, REPORT_TZ, make_approved_po, stock_lot, utc


@pytest.fixture(autouse=True)
def local_zone(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", REPORT_TZ)
    yield
    clock.set_now(None)


def receive(db, po, lines, counts, *, note, arrive, post_after_hours, approve=()):
    """Start a receipt at ``arrive`` (UTC), count, approve flags, post N hours later."""
    clock.set_now(arrive)
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no=note,
                                  lines=lines)
    for line_no, (counted, damaged) in enumerate(counts, start=1):
        receiving.record_count(db, actor="receiver", receipt=grn, line_no=line_no,
                               counted_qty=counted, damaged_qty=damaged, location="A-01-01")
    for line_no, flag in approve:
        receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=line_no, flag=flag)
    if post_after_hours is not None:
        clock.set_now(arrive.replace(hour=arrive.hour + post_after_hours))
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password=PASSWORD)
    return grn


@pytest.fixture
def deliveries(world):
    db = world.db
    clock.set_now(utc(2026, 3, 1, 1))
    po1 = make_approved_po(db, [("OF-100", 10, "25")], due_date=date(2026, 3, 5))
    po2 = make_approved_po(db, [("BP-200", 5, "40")], due_date=date(2026, 3, 2))
    po3 = make_approved_po(db, [("OF-100", 4, "25")], supplier="SUP2")
    po4 = make_approved_po(db, [("OF-100", 6, "25")], supplier="SUP2", due_date=date(2026, 3, 20))
    po5 = make_approved_po(db, [("BP-200", 3, "40")], due_date=date(2026, 3, 10))
    # SUP1: on time but 2 short; late, 1 damaged and a price approved by purchasing.
    receive(db, po1, [{"sku": "OF-100", "qty": 10}], [(8, 0)], note="N1",
            arrive=utc(2026, 3, 4, 1), post_after_hours=2)
    receive(db, po2, [{"sku": "BP-200", "qty": 5, "unit_price": "42"}], [(5, 1)], note="N2",
            arrive=utc(2026, 3, 6, 1), post_after_hours=4, approve=[(1, "PRICE_MISMATCH")])
    # SUP2: no due date, clean, checked in one hour.
    receive(db, po3, [{"sku": "OF-100", "qty": 4}], [(4, 0)], note="N3",
            arrive=utc(2026, 3, 7, 1), post_after_hours=1)
    # Arrived Thursday 12 March and still being checked.
    receive(db, po5, [{"sku": "BP-200", "qty": 3}], [], note="N5", arrive=utc(2026, 3, 12, 1),
            post_after_hours=None)
    clock.set_now(utc(2026, 3, 16, 2))      # Monday 16 March, 10:00 local
    return {"po4": po4, "po5": po5}


def test_supplier_performance_hand_computed(deliveries, world):
    df = reports.supplier_performance(world.db, date(2026, 3, 1), date(2026, 3, 31))
    assert list(df["supplier"]) == ["SUP1", "SUP2"]
    sup1, sup2 = df.to_dict("records")
    assert (sup1["deliveries"], sup1["on_time"], sup1["on_time_rate"]) == (2, 1, D("0.5"))
    assert sup1["lines"] == 2 and sup1["price_mismatches"] == 1
    assert sup1["short_rate"] == D("0.1333")            # 2 of 15 noted
    assert sup1["damaged_rate"] == D("0.0769")          # 1 of 13 counted
    assert sup1["rejected_rate"] == D("0.0769")
    assert sup1["avg_check_hours"] == D("3.00")         # (2 h + 4 h) / 2
    assert (sup2["on_time_rate"], sup2["short_rate"], sup2["avg_check_hours"]) == (
        D(1), D(0), D("1.00"))
    assert reports.supplier_performance(world.db, date(2026, 3, 5), date(2026, 3, 31))[
        "deliveries"].sum() == 2
    assert reports.check_consistency(world.db) == []


def test_dashboard_delivery_tiles(deliveries, world):
    dash = reports.dashboard(world.db)
    assert dash["deliveries_due"] == 1          # PO4 due 20 March
    # PO1 and PO2 still have a shortfall outstanding; PO5 (due 10 March) is unposted.
    assert dash["deliveries_overdue"] == 3
    assert dash["open_receipts"] == 1 and dash["stale_receipts"] == 1
    # The tile and the receiving screen's timeliness list apply one rule.
    assert len(receiving.timeliness_alerts(world.db)["open_overdue"]) == 1
    clock.set_now(utc(2026, 3, 13, 0))          # Friday 08:00: not yet a working day
    assert reports.dashboard(world.db)["stale_receipts"] == 0
    assert receiving.timeliness_alerts(world.db)["open_overdue"] == []


def test_reorder_counts_open_purchase_orders(deliveries, world):
    db = world.db
    issuing.issue_stock(db, actor="keeper", lines=[{"sku": "BP-200", "qty": 1}],
                        requested_by="Workshop")
    df = reports.reorder(db)
    bp = df[df["sku"] == "BP-200"].to_dict("records")[0]
    # 4 accepted - 1 issued = 3 < 4; on order: PO2's 1 outstanding + PO5's 3.
    assert bp["available_qty"] == D(3) and bp["open_po_qty"] == D(4)
    assert bp["avg_monthly_usage"] == D("0.333") and bp["suggested_qty"] == D(0)
    assert "OF-100" not in set(df["sku"])


def test_stocktake_adjustments_in_monthly_summary(world):
    db = world.db
    clock.set_now(utc(2026, 3, 2, 2))
    stock_lot(db, "OF-100", "A-01-01", 10, "2.00")
    stock_lot(db, "BP-200", "A-01-02", 3, "20.00")
    clock.set_now(utc(2026, 3, 30, 2))
    number = st.open_stocktake(db, actor="supervisor", period="2026-03", zones=["A Parts"])
    truth = {("OF-100", "A-01-01"): D(9), ("BP-200", "A-01-02"): D(4)}
    rows = st.count_sheet(db, number, "A Parts")
    st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=[
        {"sku": r["sku"], "location": r["location"], "qty": truth[(r["sku"], r["location"])]}
        for r in rows])
    st.record_counts(db, actor="finance", stocktake=number, round="spot", counts=[
        {"sku": r["sku"], "location": r["location"], "qty": truth[(r["sku"], r["location"])]}
        for r in rows])
    st.set_reasons(db, actor="supervisor", stocktake=number, reasons=[
        {"sku": "OF-100", "location": "A-01-01", "reason": "counting_error", "note": ""},
        {"sku": "BP-200", "location": "A-01-02", "reason": "unrecorded_return", "note": ""},
    ])
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    st.approve(db, actor="manager", stocktake=number)
    clock.set_now(utc(2026, 3, 31, 2))
    result = st.post(db, actor="finance", stocktake=number)
    assert result.loss_value == D(-2) and result.gain_value == D(20)
    summary = reports.monthly_summary(db, "2026-03").set_index("sku")
    assert (summary.loc["OF-100", "adjust_qty"], summary.loc["OF-100", "adjust_value"]) == (
        D(-1), D(-2))
    assert (summary.loc["BP-200", "adjust_qty"], summary.loc["BP-200", "adjust_value"]) == (
        D(1), D(20))
    assert summary.loc["BP-200", "closing_value"] == D(80)
    assert reports.dashboard(db)["stocktake"]["status"] == "posted"
    card = reports.stock_card(db, "BP-200")
    assert list(card["type"]) == ["receipt", "stocktake_gain"]
    assert card.iloc[-1]["balance_value"] == D(80)
    clock.set_now(utc(2026, 4, 2, 2))
    reports.close_month(db, actor="finance", period="2026-03")
    assert reports.monthly_summary(db, "2026-03").set_index("sku").loc[
        "BP-200", "adjust_value"] == D(20)
    assert reports.check_consistency(db) == []
