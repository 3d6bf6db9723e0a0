"""Pure report maths."""
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import reports as calc


def test_periods():
    assert calc.next_period("2025-12") == "2026-01"
    assert calc.previous_period("2026-01") == "2025-12"
    assert calc.periods_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert calc.periods_between("2026-02", "2026-01") == []
    for bad in ("2026-13", "26-01", "2026-1", "", None):
        with pytest.raises(ValueError):
            calc.parse_period(bad)


def test_month_figures_classification():
    fig = calc.MonthFigures()
    fig.add_opening(D(5), D(15))
    fig.add_movement("receipt", D(10), D(25))
    fig.add_movement("issue", D(-12), D(-31))
    fig.add_movement("return", D(2), D(6))
    fig.add_movement("transfer_out", D(-3), D(-9))
    fig.add_movement("transfer_in", D(3), D(9))
    fig.add_movement("stocktake_loss", D(-1), D(-3))
    fig.add_movement("supplier_return", D(-1), D(-2.5))
    assert (fig.in_qty, fig.out_qty, fig.out_value, fig.adjust_qty) == (D(10), D(11), D("27.5"), D(-1))
    assert fig.closing_qty == D(3) and fig.closing_value == D("9.5")
    assert calc.direction("return") == "out" and calc.direction("qc_in") == "internal"
    assert calc.direction("anything_else") == "adjust"


@given(st.lists(st.tuples(
    st.sampled_from(sorted(calc.IN_TYPES | calc.OUT_TYPES | calc.RETURN_TYPES
                           | calc.ADJUST_TYPES | calc.INTERNAL_TYPES | {"new_type"})),
    st.decimals(min_value=-1000, max_value=1000, places=3),
    st.decimals(min_value=-10000, max_value=10000, places=2)), max_size=40))
def test_identity_always_holds(moves):
    fig = calc.MonthFigures()
    fig.add_opening(D(7), D(70))
    for movement_type, qty, value in moves:
        fig.add_movement(movement_type, qty, value)
    assert fig.closing_qty == D(7) + sum((m[1] for m in moves), D(0))
    assert fig.closing_value == D(70) + sum((m[2] for m in moves), D(0))


def test_running_balance():
    assert calc.running_balance(D(5), D(15), [(D(1), D(3)), (D(-2), D(-6))]) == [
        (D(6), D(18)), (D(4), D(12))]


def test_buckets():
    assert calc.bucket_labels() == ["0-30", "31-60", "61-90", "91-180", "181-365", ">365"]
    assert [calc.age_bucket(d) for d in (0, 30, 31, 90, 91, 365, 366)] == [
        "0-30", "0-30", "31-60", "61-90", "91-180", "181-365", ">365"]
    assert [calc.expiry_bucket(d) for d in (-1, 0, 30, 31, 61, 91)] == [
        "expired", "<=30", "<=30", "<=60", "<=90", ">90"]


def test_usage_and_suggestion():
    assert calc.average_monthly_usage(D(16), 3) == D("5.333")
    assert calc.average_monthly_usage(D(-4), 3) == D(0)          # more returned than issued
    assert calc.suggested_order(D(5), D(4), D(0), D("5.333")) == D("6.333")
    assert calc.suggested_order(D(4), D(3), D(4), D(1)) == D(0)
    with pytest.raises(ValueError):
        calc.average_monthly_usage(D(1), 0)


def test_ratio():
    assert calc.ratio(1, 3) == D("0.3333") and calc.ratio(1, 0) is None
