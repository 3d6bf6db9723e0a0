"""盘点前已审核单据记账: a stocktake does not open over counted but unposted receipts
in its zones unless the supervisor confirms it, and the refusal lists them."""
from __future__ import annotations

import pytest

from services import receiving
from services import stocktake as st
from services.errors import ServiceError
from tests.factories import PASSWORD, count_receipt, every_row, open_receipt

PERIOD = "2031-02"


def test_counted_unposted_receipts_in_the_zones_are_listed_and_refused(world):
    db = world.db
    counted = open_receipt(db, [("OF-100", 5, "2.50")])
    count_receipt(db, counted, location="A-01-02")
    not_counted = open_receipt(db, [("BP-200", 2, "40.00")])       # nothing counted yet
    elsewhere = open_receipt(db, [("CL-300", 2, "8.00")])
    count_receipt(db, elsewhere, location="B-01-01")                # another zone
    before = every_row(db)
    with pytest.raises(ServiceError) as err:
        st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["A Parts"])
    assert err.value.code == "stocktake_open_receipts"
    assert err.value.params["receipts"] == counted
    assert every_row(db) == before
    assert st.open_receipts_in_zones(db, ["A Parts"]) == [
        {"receipt": counted, "zone": "A Parts", "location": "A-01-02"}]
    assert not_counted and elsewhere not in {r["receipt"] for r in
                                             st.open_receipts_in_zones(db, ["A Parts"])}


def test_an_explicit_confirmation_opens_it_and_the_receipt_waits(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 5, "2.50")])
    count_receipt(db, grn, location="A-01-02")
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["A Parts"],
                               allow_open_receipts=True)
    with pytest.raises(ServiceError) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password=PASSWORD)
    assert err.value.code == "stock_frozen"
    st.cancel(db, actor="supervisor", stocktake=number)
    assert receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                                  checker_password=PASSWORD).status == "posted"
    # Once booked, nothing is in the way.
    st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["A Parts"])
