"""Property tests for FIFO / FEFO allocation (domain/allocation.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.allocation import (
    BAD,
    GOOD,
    LotStock,
    ShortStock,
    allocate,
    allocation_value,
    available_qty,
    is_issuable,
    issue_order_key,
)

TODAY = date(2026, 11, 15)
BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("500"), places=3)
costs = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.9999"), places=4)


@st.composite
def lot_lists(draw, min_size=0, max_size=12):
    n = draw(st.integers(min_size, max_size))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    lots = []
    for lot_id in ids:
        lots.append(LotStock(
            lot_id=lot_id,
            # few distinct times so ties (broken by id) are common
            received_at=BASE + timedelta(hours=draw(st.integers(0, 5))),
            qty=draw(st.one_of(quantities, st.just(Decimal(0)))),
            unit_cost=draw(costs),
            expiry_date=draw(st.one_of(
                st.none(), st.dates(TODAY - timedelta(days=30), TODAY + timedelta(days=30)))),
            status=draw(st.sampled_from(["available", "available", "available",
                                         "quarantine", "hold"])),
            location_kind=draw(st.sampled_from(["storage", "storage", "storage",
                                                "quarantine", "hold"])),
        ))
    return lots


def good(lot: LotStock) -> bool:
    return (lot.status == "available" and lot.location_kind == "storage" and lot.qty > 0
            and (lot.expiry_date is None or lot.expiry_date >= TODAY))


policies = st.sampled_from(["FIFO", "FEFO"])


@settings(max_examples=300, deadline=None)
@given(lots=lot_lists(), data=st.data(), policy=policies)
def test_allocation_invariants(lots, data, policy):
    available = sum((l.qty for l in lots if good(l)), Decimal(0))
    assume(available > 0)
    qty = data.draw(st.decimals(min_value=Decimal("0.001"), max_value=available, places=3))
    result = allocate(lots, qty, policy=policy, today=TODAY)

    # exactly the requested quantity
    assert sum((a.qty for a in result), Decimal(0)) == qty
    # each lot at most once, never more than it holds, never a zero take
    assert len({a.lot.lot_id for a in result}) == len(result)
    for a in result:
        assert Decimal(0) < a.qty <= a.lot.qty
        assert a.lot.qty - a.qty >= 0
    # expired, quarantined, held, non-storage lots are never chosen
    assert all(good(a.lot) for a in result)
    # value is qty x that lot's unit cost
    assert allocation_value(result) == sum((a.qty * a.lot.unit_cost for a in result), Decimal(0))
    # oldest first: chosen lots are in issue order, all but the last are emptied,
    # and no issuable lot that sorts before a chosen one was skipped
    keys = [issue_order_key(a.lot, policy) for a in result]
    assert keys == sorted(keys)
    for a in result[:-1]:
        assert a.qty == a.lot.qty
    chosen = {a.lot.lot_id for a in result}
    last_key = keys[-1]
    for lot in lots:
        if good(lot) and issue_order_key(lot, policy) < last_key:
            assert lot.lot_id in chosen


@settings(max_examples=200, deadline=None)
@given(lots=lot_lists(), extra=quantities, policy=policies)
def test_short_stock_raises_and_allocates_nothing(lots, extra, policy):
    available = sum((l.qty for l in lots if good(l)), Decimal(0))
    before = list(lots)
    with pytest.raises(ShortStock) as err:
        allocate(lots, available + extra, policy=policy, today=TODAY)
    assert err.value.available == available
    assert err.value.requested == available + extra
    assert lots == before          # inputs untouched


@settings(max_examples=200, deadline=None)
@given(lots=lot_lists(), extra=quantities, policy=policies)
def test_partial_takes_everything_issuable(lots, extra, policy):
    available = sum((l.qty for l in lots if good(l)), Decimal(0))
    result = allocate(lots, available + extra, policy=policy, today=TODAY, allow_partial=True)
    assert sum((a.qty for a in result), Decimal(0)) == available
    assert all(good(a.lot) for a in result)


@settings(max_examples=200, deadline=None)
@given(lots=lot_lists(min_size=1))
def test_fifo_is_received_at_then_id(lots):
    ordered = [l for l in lots if good(l)]
    assume(ordered)
    qty = sum((l.qty for l in ordered), Decimal(0))
    result = allocate(lots, qty, policy="FIFO", today=TODAY)
    assert [a.lot.lot_id for a in result] == [
        l.lot_id for l in sorted(ordered, key=lambda l: (l.received_at, l.lot_id))]


@settings(max_examples=200, deadline=None)
@given(lots=lot_lists(min_size=1))
def test_fefo_is_expiry_first_undated_last(lots):
    ordered = [l for l in lots if good(l)]
    assume(ordered)
    qty = sum((l.qty for l in ordered), Decimal(0))
    result = allocate(lots, qty, policy="FEFO", today=TODAY)
    expected = sorted(ordered, key=lambda l: (l.expiry_date is None, l.expiry_date or date.max,
                                               l.received_at, l.lot_id))
    assert [a.lot.lot_id for a in result] == [l.lot_id for l in expected]


@settings(max_examples=200, deadline=None)
@given(lots=lot_lists())
def test_bad_stock_book_never_includes_quarantine_or_good_stock(lots):
    for lot in lots:
        if is_issuable(lot, TODAY, BAD):
            assert lot.status != "quarantine" and lot.location_kind != "quarantine"
            assert not is_issuable(lot, TODAY, GOOD)
    assert available_qty(lots, today=TODAY) == sum((l.qty for l in lots if good(l)), Decimal(0))


def test_worked_example_three_lots_different_costs():
    lots = [
        LotStock(3, BASE + timedelta(days=2), Decimal(5), Decimal("12.0000")),
        LotStock(1, BASE, Decimal(4), Decimal("10.0000")),
        LotStock(2, BASE + timedelta(days=1), Decimal(3), Decimal("11.5000")),
        LotStock(4, BASE - timedelta(days=1), Decimal(9), Decimal("9.0000"),
                 expiry_date=TODAY - timedelta(days=1)),
        LotStock(5, BASE - timedelta(days=1), Decimal(9), Decimal("9.0000"), status="hold"),
    ]
    result = allocate(lots, Decimal(9), today=TODAY)
    assert [(a.lot.lot_id, a.qty) for a in result] == [(1, 4), (2, 3), (3, 2)]
    assert allocation_value(result) == Decimal("98.5")


def test_non_positive_quantity_is_refused():
    with pytest.raises(ValueError):
        allocate([], Decimal(0), today=TODAY)
