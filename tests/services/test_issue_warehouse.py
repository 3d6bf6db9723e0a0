"""Stock leaves from one warehouse: FIFO within the warehouse chosen (or the
user's home warehouse, or the only one holding the items), never across; another
warehouse's stock is reported, never taken."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services import issuing, reports, users
from services.errors import InsufficientStock, ValidationError
from tests.factories import stock_lot, utc


@pytest.fixture
def two_houses(world):
    db = world.db
    stock_lot(db, "OF-100", "A-01-01", 21, "2.00", received_at=utc(2026, 1, 5))
    stock_lot(db, "OF-100", "W2-01-01", 4, "1.50", received_at=utc(2025, 12, 1))   # oldest
    stock_lot(db, "OF-100", "A-01-02", 5, "2.10", received_at=utc(2026, 2, 1))
    return db


def _locations(view) -> set[str]:
    return {a.location for line in view.lines for a in line.allocations}


def test_an_issue_never_crosses_warehouses(two_houses):
    db = two_houses
    with pytest.raises(ValidationError) as err:          # two warehouses hold it, no home
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "OF-100", "qty": 30}])
    assert err.value.code == "warehouse_required"
    with pytest.raises(InsufficientStock) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", warehouse="MAIN",
                            lines=[{"sku": "OF-100", "qty": 30}])
    assert err.value.params["available"] == Decimal(26)
    assert err.value.params["elsewhere"] == "WH2: 4"
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li", warehouse="MAIN",
                               lines=[{"sku": "OF-100", "qty": 23}])
    # FIFO within MAIN: the older WH2 lot is skipped, never taken.
    assert _locations(view) == {"A-01-01", "A-01-02"}
    assert view.warehouse == "MAIN"
    assert reports.check_consistency(db) == []


def test_the_home_warehouse_is_the_default(two_houses):
    db = two_houses
    users.set_home_warehouse(db, actor="keeper", warehouse="WH2")
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 3}])
    assert _locations(view) == {"W2-01-01"}
    assert view.warehouse == issuing.get_issue(db, view.number).warehouse == "WH2"


def test_the_only_warehouse_holding_the_items_is_the_default(world):
    db = world.db
    stock_lot(db, "BP-200", "W2-01-01", 2, "40.00")
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "BP-200", "qty": 1}])
    assert _locations(view) == {"W2-01-01"}


def test_the_preview_shows_other_warehouses_stock(two_houses):
    db = two_houses
    preview = issuing.preview_issue(db, lines=[{"sku": "OF-100", "qty": 30}], warehouse="MAIN")
    line = preview.lines[0]
    assert line.available == Decimal(26)
    assert {a.location for a in line.allocations} == {"A-01-01", "A-01-02"}
    assert [(e.warehouse, e.qty) for e in line.elsewhere] == [("WH2", Decimal(4))]


def test_a_stocktake_can_cover_one_warehouse(two_houses):
    from services import stocktake as st

    db = two_houses
    number = st.open_stocktake(db, actor="supervisor", period="2031-03", warehouse="WH2")
    assert st.get_stocktake(db, number).zones == ["W2 Parts"]
    # MAIN is not frozen: its stock still moves.
    issuing.issue_stock(db, actor="keeper", requested_by="Li", warehouse="MAIN",
                        lines=[{"sku": "OF-100", "qty": 1}])
    with pytest.raises(ValidationError) as err:
        st.open_stocktake(db, actor="supervisor", period="2031-04", warehouse="WH2",
                          zones=["A Parts"])
    assert err.value.code == "stocktake_unknown_zone"
