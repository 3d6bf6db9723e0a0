"""Stocktake rules: the spot-check sample, error rates, variance valuation."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as s

from domain import stocktake as rules
from domain.allocation import LotStock

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
qty = s.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
cost = s.decimals(min_value=0, max_value=500, places=4, allow_nan=False, allow_infinity=False)
lines_strategy = s.lists(s.sampled_from(["A", "B", "C", "D", "E", "F"]), min_size=1, max_size=200)


@given(zones=lines_strategy, seed=s.integers(0, 2**31))
def test_sample_size_zones_and_reproducibility(zones, seed):
    lines = list(enumerate(zones, start=100))
    sample = rules.spot_sample(lines, seed)
    distinct = set(zones)
    assert len(sample) == len(set(sample))
    assert set(sample) <= {line_id for line_id, _z in lines}
    assert len(sample) == min(len(lines), max(math.ceil(len(lines) * 3 / 10), len(distinct)))
    assert {zone for line_id, zone in lines if line_id in sample} == distinct
    # Same seed, any input order: same sample.
    assert rules.spot_sample(list(reversed(lines)), seed) == sample


def test_sample_is_thirty_percent_rounded_up():
    lines = [(i, "Z" + str(i % 2)) for i in range(61)]
    assert len(rules.spot_sample(lines, 7)) == 19
    assert rules.sample_size(10, 6) == 6          # at least one per zone
    assert rules.sample_size(3, 6) == 3           # never more than there is
    assert rules.spot_sample(lines, 1) != rules.spot_sample(lines, 2)


@given(values=s.lists(qty, min_size=1, max_size=50), data=s.data())
def test_coverage_is_a_share_of_book_value(values, data):
    book = dict(enumerate(values))
    covered = data.draw(s.sets(s.sampled_from(sorted(book))))
    share = rules.coverage(book, covered)
    assert Decimal(0) <= share <= Decimal(1)
    total = sum(values, Decimal(0))
    if total:
        assert share * total == pytest.approx(sum((book[k] for k in covered), Decimal(0)))
        assert rules.coverage(book, book) == 1
    else:
        assert share == 0


@given(rows=s.lists(s.tuples(s.sampled_from(["A", "B"]), s.none() | s.integers(0, 5),
                             s.none() | s.integers(0, 5)), max_size=60))
def test_error_rate_counts_only_spot_checked_lines(rows):
    rows = [(z, None if a is None else Decimal(a), None if b is None else Decimal(b))
            for z, a, b in rows]
    rates = rules.zone_error_rates(rows, zones=["A", "B", "C"])
    assert set(rates) == {"A", "B", "C"} and rates["C"] == 0
    for zone in ("A", "B"):
        checked = [(a, b) for z, a, b in rows if z == zone and b is not None]
        wrong = [1 for a, b in checked if a != b]
        assert rates[zone] == (Decimal(len(wrong)) / len(checked) if checked else 0)
        assert Decimal(0) <= rates[zone] <= 1


def test_zones_over_limit_and_final_count():
    rates = {"A": Decimal("0.01"), "B": Decimal("0.0101"), "C": Decimal(0)}
    assert rules.zones_over_limit(rates) == ["B"]
    assert rules.final_count(Decimal(3), None) == 3
    assert rules.final_count(Decimal(3), Decimal(4)) == 4
    assert rules.final_count(None, None) is None


lot_strategy = s.lists(s.tuples(qty, cost, s.integers(0, 400), s.booleans()), min_size=1,
                       max_size=8)


def make_lots(spec):
    return [LotStock(lot_id=i + 1, received_at=T0 + timedelta(days=d), qty=q, unit_cost=c,
                     expiry_date=date(2027, 1, 1) - timedelta(days=d) if dated else None,
                     status="available" if i % 3 else "hold")
            for i, (q, c, d, dated) in enumerate(spec)]


@settings(max_examples=200)
@given(spec=lot_strategy, data=s.data(), policy=s.sampled_from(["FIFO", "FEFO"]))
def test_loss_takes_lots_in_issue_order_at_their_cost(spec, data, policy):
    lots = make_lots(spec)
    on_hand = sum((l.qty for l in lots), Decimal(0))
    loss = data.draw(s.decimals(min_value=0, max_value=on_hand, places=3))
    taken = rules.loss_allocation(lots, loss, policy)
    assert sum((a.qty for a in taken), Decimal(0)) == loss
    assert all(a.qty > 0 and a.qty <= a.lot.qty for a in taken)
    # Every lot but the last taken is emptied, in issue order.
    from domain.allocation import issue_order_key

    keys = [issue_order_key(a.lot, policy) for a in taken]
    assert keys == sorted(keys)
    assert all(a.qty == a.lot.qty for a in taken[:-1])
    untaken = [l for l in lots if l.qty > 0 and l.lot_id not in {a.lot.lot_id for a in taken}]
    if taken:
        assert all(issue_order_key(l, policy) > keys[-1] for l in untaken)
    value = rules.variance_value(-loss, lots=lots, policy=policy)
    assert value == -sum((a.qty * a.lot.unit_cost for a in taken), Decimal(0))
    assert value <= 0


def test_loss_beyond_stock_and_gain_value():
    lots = make_lots([(Decimal(5), Decimal(15), 0, False), (Decimal(3), Decimal(17), 30, False)])
    assert rules.loss_value(lots, Decimal(6)) == Decimal(-92)
    with pytest.raises(rules.NotEnoughStock):
        rules.loss_allocation(lots, Decimal(9))
    assert rules.variance_value(Decimal(2), gain_unit_cost=Decimal("7.5")) == Decimal(15)
    assert rules.variance_value(Decimal(0), lots=lots) == 0
    assert rules.average_cost(Decimal(-92), Decimal(-6)) == Decimal("15.3333")


@given(rows=s.lists(s.tuples(s.integers(-5, 5), cost), max_size=40))
def test_summary_figures(rows):
    lines = [(Decimal(q), Decimal(q) * c) for q, c in rows]
    figures = rules.summarise(lines)
    assert figures.net_value == sum((v for _q, v in lines), Decimal(0))
    assert figures.absolute_value == sum((abs(v) for _q, v in lines), Decimal(0))
    assert figures.loss_value <= 0 <= figures.gain_value
    assert figures.lines == len(lines)
    assert figures.accurate_lines == sum(1 for q, _v in lines if q == 0)
    assert 0 <= figures.accuracy <= 1
    groups = rules.group_figures((str(q % 2), q, v) for q, v in lines)
    assert sum(g.net_value for g in groups.values()) == figures.net_value
