"""Units of measure (domain/units.py): spellings, quantities in packs, exact costing."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.allocation import LotStock, allocate
from domain.units import (
    BadQuantity,
    Unit,
    UnitBook,
    check_factor,
    cost_tiers,
    factors_by_unit,
    in_packs,
    line_value,
    parse_quantity,
    to_stock_qty,
    total_in_stock_unit,
)

TODAY = date(2026, 11, 15)
AT = datetime(2026, 11, 1, tzinfo=timezone.utc)

factors = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3)
whole_factors = st.integers(1, 500).map(Decimal)
pack_prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.9999"), places=4)
pack_counts = st.integers(1, 2000)


def test_spellings_resolve_to_one_code_and_names_follow_the_language():
    book = UnitBook()
    assert {book.resolve(s) for s in ("箱", "BOX", " ctn ", "Carton")} == {"box"}
    assert {book.resolve(s) for s in ("个", "PCE", "pcs", "EA")} == {"pcs"}
    assert book.resolve("升") == book.resolve("l") == "L"
    # a Hong Kong or Taiwan sheet's Traditional measure words
    assert [book.resolve(s) for s in ("個", "隻", "對", "張")] == ["pcs", "pcs", "pair", "sheet"]
    assert book.resolve("furlong") is None
    assert book.name("pcs", "zh") == "个" and book.name("pcs", "en") == "pcs"
    assert [book.name(code, "zh") for code in ("set", "bottle", "L")] == ["套", "瓶", "升"]
    assert book.name("gizmo", "zh") == "gizmo"     # unknown codes shown as they are


def test_a_database_unit_is_added_without_stealing_a_standard_spelling():
    book = UnitBook([Unit("tray", "tray", "盘", ("盘子",)), Unit("crate", "crate", "箱")])
    assert book.resolve("盘子") == "tray" and book.name("tray", "zh") == "盘"
    assert book.resolve("箱") == "box"          # the standard box keeps 箱
    assert book.resolve("crate") == "crate"


@pytest.mark.parametrize("text, parts", [
    ("2 箱", [(Decimal(2), "箱")]),
    ("24 PCE", [(Decimal(24), "PCE")]),
    ("3 箱 + 5 个", [(Decimal(3), "箱"), (Decimal(5), "个")]),
    ("3箱5个", [(Decimal(3), "箱"), (Decimal(5), "个")]),
    ("1.5 L", [(Decimal("1.5"), "L")]),
    ("7", [(Decimal(7), "")]),
])
def test_quantities_as_people_write_them(text, parts):
    assert parse_quantity(text) == parts


@pytest.mark.parametrize("text", ["", "箱", "2 箱 +", "-3 个", "3 + + 4", "abc"])
def test_nonsense_quantities_are_refused(text):
    with pytest.raises(BadQuantity):
        parse_quantity(text)


def test_packs_and_loose_pieces_convert_to_the_stock_unit():
    factors_ = {"box": Decimal(12)}
    parts = [(Decimal(3), "box"), (Decimal(5), None)]
    assert total_in_stock_unit(parts, factors_.__getitem__) == Decimal(41)
    assert in_packs(Decimal(41), Decimal(12)) == (Decimal(3), Decimal(5))
    with pytest.raises(BadQuantity):
        to_stock_qty(Decimal("1.5"), Decimal("3.785"))     # 5.6775 L has 4 places
    assert to_stock_qty(Decimal(2), Decimal("3.785")) == Decimal("7.570")


@pytest.mark.parametrize("bad", ["0", "-12", "1000000", "0.0001", "abc", 1.5, True])
def test_zero_negative_absurd_or_inexact_factors_are_refused(bad):
    with pytest.raises(ValueError):
        check_factor(bad)


def test_a_suppliers_own_factor_wins_over_the_items_general_one():
    rows = [("box", Decimal(12), None), ("box", Decimal(10), 7), ("drum", Decimal(4), None),
            ("box", Decimal(20), 8)]
    assert factors_by_unit(rows, 7) == {"box": Decimal(10), "drum": Decimal(4)}
    assert factors_by_unit(rows, None) == {"box": Decimal(12), "drum": Decimal(4)}


def test_a_box_of_twelve_at_one_hundred_keeps_every_cent():
    tiers = cost_tiers(Decimal(12), Decimal("100.00"))
    assert [(t.qty, t.unit_cost) for t in tiers] == [(Decimal(8), Decimal("8.3333")),
                                                     (Decimal(4), Decimal("8.3334"))]
    assert sum(t.value for t in tiers) == Decimal("100.00")
    assert cost_tiers(Decimal(60), Decimal("600.00"))[0].unit_cost == Decimal(10)


def _as_lots(tiers):
    return [LotStock(lot_id=i + 1, received_at=AT, qty=t.qty, unit_cost=t.unit_cost)
            for i, t in enumerate(tiers)]


@st.composite
def splits(draw, total: Decimal):
    """Up to six issue quantities (3 places) that together take ``total``."""
    thousandths = int(total * 1000)
    cuts = draw(st.lists(st.integers(1, thousandths - 1), max_size=5, unique=True)) \
        if thousandths > 1 else []
    points = [0, *sorted(cuts), thousandths]
    return [Decimal(b - a) / 1000 for a, b in zip(points, points[1:])]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(factor=st.one_of(whole_factors, factors), price=pack_prices, packs=pack_counts,
       data=st.data())
def test_receiving_n_packs_books_n_times_factor_at_n_times_the_pack_price(
        factor, price, packs, data):
    stock_qty = to_stock_qty(Decimal(packs), factor)
    value = line_value(stock_qty, price, factor)
    assert value == packs * price                       # exactly, to the last cent
    tiers = cost_tiers(stock_qty, value)
    assert sum(t.qty for t in tiers) == stock_qty
    assert sum(t.value for t in tiers) == value
    for tier in tiers:
        assert tier.qty > 0
        assert tier.unit_cost == tier.unit_cost.quantize(Decimal("0.0001"))
    # FIFO issues of any split take out exactly the value booked, each piece exact.
    lots = _as_lots(tiers)
    taken = Decimal(0)
    for qty in data.draw(splits(stock_qty)):
        allocations = allocate(lots, qty, today=TODAY)
        for a in allocations:
            assert a.value == a.value.quantize(Decimal("0.0000001"))   # fits Money (7 places)
        taken += sum(a.value for a in allocations)
        left = {a.lot.lot_id: a.qty for a in allocations}
        lots = [LotStock(lot_id=lot.lot_id, received_at=lot.received_at,
                         qty=lot.qty - left.get(lot.lot_id, 0), unit_cost=lot.unit_cost)
                for lot in lots]
    assert taken == value
    assert all(lot.qty == 0 for lot in lots)


@settings(max_examples=100, deadline=None)
@given(qty=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3),
       value=st.decimals(min_value=Decimal(0), max_value=Decimal("9999999"), places=4))
def test_cost_tiers_conserve_any_value_over_any_quantity(qty, value):
    tiers = cost_tiers(qty, value)
    assert sum(t.qty for t in tiers) == qty
    assert sum(t.value for t in tiers) == value
    assert len(tiers) == 1 or tiers[1].unit_cost - tiers[0].unit_cost == Decimal("0.0001")


def test_a_line_in_an_unknown_unit_is_flagged_and_blocks_posting():
    from domain.receiving import UNKNOWN_UNIT, ItemRules, LineInput, evaluate

    line = LineInput(line_no=1, note_qty=Decimal(2), item=ItemRules(), po_line_key=1,
                     po_price=Decimal(10), counted_qty=Decimal(24), unit_known=False)
    result, = evaluate([line], {1: Decimal(60)}, TODAY)
    assert result.flags == {UNKNOWN_UNIT} and result.blocking == [UNKNOWN_UNIT]
    assert result.accepted_qty == 0
    known, = evaluate([LineInput(**{**line.__dict__, "unit_known": True,
                                    "note_qty": Decimal(24)})], {1: Decimal(60)}, TODAY)
    assert known.flags == set() and known.accepted_qty == Decimal(24)
