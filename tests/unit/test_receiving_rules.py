"""Pure receiving rules: flags, accepted/rejected maths, timeliness."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, strategies as st

from domain import receiving as r
from domain.calendar import WorkCalendar

D = Decimal
TODAY = date(2026, 11, 2)
PLAIN = r.ItemRules()
COOLANT = r.ItemRules(tracks_expiry=True, min_shelf_life_days=90)


def line(**kw):
    base = dict(line_no=1, note_qty=D(10), item=PLAIN, po_line_key=1, po_price=D(25))
    base.update(kw)
    return r.LineInput(**base)


def one(outstanding=D(10), **kw):
    return r.evaluate([line(**kw)], {1: outstanding}, TODAY)[0]


def test_uncounted_blocks():
    res = one()
    assert res.flags == {"NOT_COUNTED"} and res.blocking == ["NOT_COUNTED"]


def test_short_over_count_damaged():
    assert one(counted_qty=D(8)).flags == {"SHORT"}
    res = one(counted_qty=D(10), damaged_qty=D(3))
    assert res.flags == {"DAMAGED"} and (res.accepted_qty, res.rejected_qty) == (D(7), D(3))
    res = one(counted_qty=D(11), outstanding=D(20))
    assert res.flags == {"OVER_COUNT"} and res.accepted_qty == D(11)


def test_over_po_across_lines_and_approval():
    lines = [line(line_no=1, note_qty=D(6), counted_qty=D(6)),
             line(line_no=2, note_qty=D(6), counted_qty=D(6))]
    first, second = r.evaluate(lines, {1: D(10)}, TODAY)
    assert "OVER_PO" not in first.flags and "OVER_PO" in second.flags
    assert (second.accepted_qty, second.rejected_reasons) == (D(4), {"over_po": D(2)})
    approved = [lines[0], line(line_no=2, note_qty=D(6), counted_qty=D(6),
                               approved=frozenset({"OVER_PO"}))]
    assert r.evaluate(approved, {1: D(10)}, TODAY)[1].accepted_qty == D(6)


def test_price_mismatch_blocks_only_when_something_is_accepted():
    res = one(note_price=D("26"), counted_qty=D(10))
    assert res.blocking == ["PRICE_MISMATCH"]
    assert one(note_price=D("26"), counted_qty=D(10), approved=frozenset({"PRICE_MISMATCH"})).blocking == []
    assert one(note_price=D("26"), counted_qty=D(0)).blocking == []


def test_expiry_rules():
    near = one(item=COOLANT, counted_qty=D(10), lot_no="L", expiry_date=TODAY + timedelta(days=89))
    assert near.flags == {"NEAR_EXPIRY"} and near.rejected_reasons == {"near_expiry": D(10)}
    ok = one(item=COOLANT, counted_qty=D(10), lot_no="L", expiry_date=TODAY + timedelta(days=90))
    assert ok.flags == set() and ok.accepted_qty == D(10)
    expired = one(counted_qty=D(10), expiry_date=TODAY - timedelta(days=1))
    assert "EXPIRED" in expired.flags and expired.accepted_qty == 0
    missing = one(item=COOLANT, counted_qty=D(10))
    assert set(missing.blocking) == {"NO_LOT", "NO_EXPIRY"}


def test_assembly_needs_certificate_and_lot():
    res = one(item=r.ItemRules(is_assembly=True), counted_qty=D(1), note_qty=D(1))
    assert set(res.blocking) == {"NO_LOT", "NO_CERTIFICATE"}


def test_not_on_po_all_rejected_and_no_data_blocks():
    res = one(item=None, po_line_key=None, counted_qty=D(3), note_qty=D(3))
    assert res.flags == {"NOT_ON_PO"} and res.rejected_reasons == {"not_on_po": D(3)}
    assert res.blocking == []


@given(note=st.integers(1, 50), counted=st.integers(0, 60), damaged=st.integers(0, 60),
       outstanding=st.integers(0, 50), approved=st.booleans(), near=st.booleans())
def test_accepted_plus_rejected_is_counted(note, counted, damaged, outstanding, approved, near):
    damaged = min(damaged, counted)
    res = one(note_qty=D(note), counted_qty=D(counted), damaged_qty=D(damaged),
              outstanding=D(outstanding), item=COOLANT, lot_no="L",
              expiry_date=TODAY + timedelta(days=30 if near else 400),
              approved=frozenset({"OVER_PO"}) if approved else frozenset())
    assert res.accepted_qty + res.rejected_qty == counted
    assert res.accepted_qty >= 0 and res.rejected_qty == sum(res.rejected_reasons.values(), D(0))
    if not approved:
        assert res.accepted_qty <= outstanding


def test_po_status():
    assert r.po_status([(D(10), D(0))], "approved") == "approved"
    assert r.po_status([(D(10), D(4))], "approved") == "partially_received"
    assert r.po_status([(D(10), D(10)), (D(2), D(3))], "partially_received") == "received"
    assert r.po_status([(D(10), D(4))], "closed") == "closed"


def test_working_days():
    friday = datetime(2026, 11, 6, 10, 0)
    assert not r.paperwork_overdue(friday, datetime(2026, 11, 9, 9, 59))
    assert r.paperwork_overdue(friday, datetime(2026, 11, 9, 10, 1))
    # a Monday holiday moves it to Tuesday; a worked Saturday (调休) brings it forward
    holiday = WorkCalendar(holidays=frozenset({date(2026, 11, 9)}))
    assert not r.paperwork_overdue(friday, datetime(2026, 11, 10, 9, 59), holiday)
    assert r.paperwork_overdue(friday, datetime(2026, 11, 10, 10, 1), holiday)
    worked_saturday = WorkCalendar(workdays=frozenset({date(2026, 11, 7)}))
    assert r.paperwork_overdue(friday, datetime(2026, 11, 7, 10, 1), worked_saturday)
    assert r.check_too_slow(friday, friday + timedelta(minutes=61))
    assert not r.check_too_slow(friday, friday + timedelta(minutes=60))
