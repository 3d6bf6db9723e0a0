"""The supplier scorecard's claim figures, computed by hand: claims per 100 lines,
claim value, credits, time to resolve, refused deliveries, and the months."""
from datetime import date
from decimal import Decimal

import pytest

from services import claims, clock, receiving, reports
from tests.factories import PASSWORD, make_approved_po, utc

D = Decimal


@pytest.fixture(autouse=True)
def _tz(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")


def receive(db, po, note, counted, damaged=0, lines=None):
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no=note,
                                  lines=lines or [{"sku": "OF-100", "qty": 10}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=counted,
                           damaged_qty=damaged, location="A-01-01")
    receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password=PASSWORD)
    return grn


def test_claim_figures_on_the_scorecard(world):
    db = world.db
    clock.set_now(utc(2026, 3, 2, 2))                       # Monday
    po = make_approved_po(db, [("OF-100", 40, "25")])
    receive(db, po, "N1", 8)                                # short 2 -> 50.00
    receive(db, po, "N2", 10, damaged=1)                    # damaged 1 -> 25.00
    receive(db, po, "N3", 10)                               # clean
    receive(db, po, "N4", 10)                               # clean
    po2 = make_approved_po(db, [("OF-100", 5, "25")], supplier="SUP2")
    receiving.refuse_delivery(db, actor="receiver", po_number=po2, delivery_note_no="R1",
                              reason="crushed")
    short = claims.list_claims(db, supplier="SUP1", status="open")
    short_no = short[short["kind"] == "short"].iloc[0]["number"]
    clock.set_now(utc(2026, 3, 2, 8))                       # six hours later
    claims.update_claim(db, actor="purchasing", number=short_no, status="credited",
                        credit_amount="50")
    clock.set_now(utc(2026, 4, 1, 2))
    receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no="R2",
                              reason="wrong goods")

    df = reports.supplier_performance(db, date(2026, 3, 1), date(2026, 3, 31))
    sup1, sup2 = df.to_dict("records")
    assert (sup1["lines"], sup1["claims"], sup1["claims_per_100_lines"]) == (4, 2, D("50.00"))
    assert (sup1["claim_value"], sup1["credited_value"]) == (D(75), D(50))
    assert sup1["avg_resolve_hours"] == D("6.00") and sup1["refused_deliveries"] == 0
    # SUP2 delivered nothing in March but refused one: on the scorecard all the same
    assert (sup2["supplier"], sup2["deliveries"], sup2["refused_deliveries"],
            sup2["claims"]) == ("SUP2", 0, 1, 1)
    assert sup2["claims_per_100_lines"] is None and sup2["avg_resolve_hours"] is None
    months = reports.supplier_claims_by_month(db)
    assert months.to_dict("records") == [
        {"period": "2026-03", "supplier": "SUP1", "name": "Parts Co", "claims": 2,
         "claim_value": D(75),
         "refused_deliveries": 0},
        {"period": "2026-03", "supplier": "SUP2", "name": "Other Parts Co", "claims": 1,
         "claim_value": D(0),
         "refused_deliveries": 1},
        {"period": "2026-04", "supplier": "SUP1", "name": "Parts Co", "claims": 1,
         "claim_value": D(0),
         "refused_deliveries": 1}]
    april = reports.supplier_performance(db, date(2026, 4, 1), date(2026, 4, 30))
    assert list(april["supplier"]) == ["SUP1"] and april.iloc[0]["refused_deliveries"] == 1
    assert reports.check_consistency(db) == []
