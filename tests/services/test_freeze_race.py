"""Opening a stocktake races every stock writer (PostgreSQL): either the writer
commits first and its change is in the snapshot, or it meets the freeze and is
refused. The snapshot always equals on-hand at opening; counting on-hand gives
zero variance; the books check agrees.

FREEZE_RACES races per writer type (default 4 here; `make soak` runs 50)."""
from __future__ import annotations

import os
import threading
from collections import defaultdict
from decimal import Decimal

import pytest

from services import issuing, receiving, reports
from services import stocktake as st
from services.errors import StockFrozen
from tests.factories import PASSWORD, count_receipt, open_receipt, receive_goods, stock_lot

RACES = int(os.environ.get("FREEZE_RACES", "4"))
PERIOD = "2031-01"
ZONES = ["A Parts", "Q Quarantine", "D Defective"]


@pytest.fixture
def pg_world(world):
    if world.db.is_sqlite:
        pytest.skip("SQLite serialises every writer (BEGIN IMMEDIATE): no race to lose")
    return world


# Each writer: prepare(db) -> the racing call (no arguments). Everything the call
# needs is set up before the race, outside any freeze.
def _issue(db):
    return lambda: issuing.issue_stock(db, actor="keeper", requested_by="Li",
                                       lines=[{"sku": "OF-100", "qty": 1}])


def _return(db):
    slip = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 1}])
    return lambda: issuing.return_to_stock(db, actor="keeper", issue_number=slip.number,
                                           sku="OF-100", qty=1)


def _transfer(db):
    return lambda: issuing.transfer(db, actor="keeper", sku="OF-100", qty=1,
                                    from_location="A-01-01", to_location="A-01-02")


def _receipt(db):
    grn = open_receipt(db, [("BP-200", 2, "40.00")])
    count_receipt(db, grn, location="A-01-02")
    return lambda: receiving.post_receipt(db, actor="receiver", receipt=grn,
                                          checked_by="keeper", checker_password=PASSWORD)


def _qc(db):
    grn = receive_goods(db, [("EN-500", 2, "900.00")], location="A-01-01")
    return lambda: receiving.qc_release(db, actor="qc", receipt=grn, line_no=1,
                                        passed_qty=1, failed_qty=1)


def _supplier_return(db):
    stock_lot(db, "BP-200", "HOLD-01", 1, "40.00", status="hold")
    return lambda: issuing.issue_stock(db, actor="keeper", requested_by="Parts Co",
                                       lines=[{"sku": "BP-200", "qty": 1}],
                                       purpose="supplier_return", stock="bad")


WRITERS = {"issue": _issue, "return": _return, "transfer": _transfer, "receipt": _receipt,
           "qc_release": _qc, "supplier_return": _supplier_return}


def _on_hand(db) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in reports.stock_on_hand(db).itertuples():
        totals[(row.sku, row.location)] += row.qty_on_hand
    return {k: v for k, v in totals.items() if v}


def _snapshot(db, number) -> dict[tuple[str, str], Decimal]:
    report = st.variance_report(db, number)
    return {(r.sku, r.location): r.book_qty for r in report.itertuples() if r.book_qty}


def _race(db, call) -> tuple[str, object]:
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def open_it():
        barrier.wait()
        outcome["stocktake"] = st.open_stocktake(db, actor="supervisor", period=PERIOD,
                                                 zones=ZONES, allow_open_receipts=True)

    def write_it():
        barrier.wait()
        try:
            outcome["writer"] = call()
        except StockFrozen as exc:
            outcome["writer"] = exc

    threads = [threading.Thread(target=open_it), threading.Thread(target=write_it)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcome["stocktake"], outcome["writer"]


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_stocktake_snapshot_never_misses_a_racing_writer(pg_world, writer):
    db = pg_world.db
    stock_lot(db, "OF-100", "A-01-01", 10 * RACES + 10, "2.50")
    mismatches, refused = 0, 0
    for _ in range(RACES):
        call = WRITERS[writer](db)
        number, result = _race(db, call)
        refused += isinstance(result, StockFrozen)
        if _snapshot(db, number) != _on_hand(db):
            mismatches += 1
        assert reports.check_consistency(db) == []
        st.cancel(db, actor="supervisor", stocktake=number, comment="race test")
    print(f"\n{writer}: {mismatches} snapshot mismatches, {refused} refused by the freeze, "
          f"out of {RACES} races")
    assert mismatches == 0
    # Counting exactly what is on hand leaves no variance.
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=ZONES,
                               allow_open_receipts=True)
    on_hand = _on_hand(db)
    for zone in ZONES:
        sheet = st.count_sheet(db, number, zone)
        counts = [{"sku": r["sku"], "location": r["location"],
                   "qty": on_hand.get((r["sku"], r["location"]), 0)} for r in sheet]
        if counts:
            st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=counts)
    report = st.variance_report(db, number)
    assert len(report) and all(v == 0 for v in report["variance_qty"])
    assert reports.check_consistency(db) == []


def test_the_books_check_notices_a_snapshot_that_differs_from_the_ledger(world):
    """What the race used to leave behind: a snapshot saying 10 while 9 are on hand."""
    from sqlalchemy import update

    from db.models import StocktakeLine

    db = world.db
    stock_lot(db, "OF-100", "A-01-01", 10, "2.50")
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["A Parts"])
    assert reports.check_consistency(db) == []
    with db.engine.begin() as conn:
        conn.execute(update(StocktakeLine).values(book_qty=StocktakeLine.book_qty + 1))
    problems = reports.check_consistency(db)
    assert any(number in p and "OF-100" in p for p in problems), problems
