"""Claims raised by posting a receipt (one per discrepancy line) and by QC, resolved
by the return note, and by a replacement delivery — including a refused delivery
received later under the same note. The books agree throughout."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services import claims, clock, receiving, reports
from services.errors import Duplicate, InvalidState, ValidationError
from tests.factories import make_approved_po, utc
from tests.photos import carton_jpeg

D = Decimal
FRIDAY = utc(2026, 11, 6, 7, 0)        # Friday 15:00 in Asia/Shanghai
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")
    clock.set_now(FRIDAY)


def books_agree(db):
    assert reports.check_consistency(db) == []


def post(db, grn):
    return receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper")


def by_kind(db, grn) -> dict:
    frame = claims.list_claims(db)
    rows = frame[frame["receipt"] == grn]
    return {(r.kind, r.line_no): claims.get_claim(db, r.number) for r in rows.itertuples()}


def test_posting_raises_one_claim_per_discrepancy_line(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25"), ("BP-200", 4, "40"),
                               ("CL-300", 6, "68"), ("BT-400", 2, "300")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-1",
                                  lines=[{"sku": "OF-100", "qty": 10},
                                         {"sku": "BP-200", "qty": 4},
                                         {"sku": "CL-300", "qty": 6},
                                         {"sku": "BT-400", "qty": 2, "unit_price": "320"},
                                         {"sku": "EN-500", "qty": 1}])
    near = clock.today() + timedelta(days=30)
    for line_no, counted, damaged, expiry in [(1, 8, 0, None), (2, 4, 1, None),
                                              (3, 6, 0, near), (4, 2, 0, None),
                                              (5, 1, 0, None)]:
        receiving.record_count(db, actor="receiver", receipt=grn, line_no=line_no,
                               counted_qty=counted, damaged_qty=damaged, lot_no=f"L{line_no}",
                               expiry_date=expiry, location="A-01-01",
                               certificate="C1" if line_no == 5 else None)
    receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=4,
                           flag="PRICE_MISMATCH")
    view = post(db, grn)
    (rts,) = view.return_numbers
    found = by_kind(db, grn)
    assert set(found) == {("short", 1), ("damaged", 2), ("near_expiry", 3), ("price", 4),
                          ("wrong_item", 5)}
    short, damaged = found["short", 1], found["damaged", 2]
    assert (short.lines[0].qty, short.value, short.return_number) == (D(2), D(50), "")
    assert (damaged.lines[0].qty, damaged.value, damaged.return_number) == (D(1), D(40), rts)
    assert found["near_expiry", 3].value == D(408) and found["near_expiry", 3].return_number
    assert (found["price", 4].lines[0].unit_price, found["price", 4].value) == (D(20), D(40))
    assert all(c.status == "open" and c.owner == "purchasing" and c.raised_by == "receiver"
               for c in found.values())
    # 004 ㈠8: raised Friday 15:00, due Monday 15:00
    assert {c.due_at.astimezone(SH) for c in found.values()} == {
        datetime(2026, 11, 9, 15, 0, tzinfo=SH)}
    assert short.po_number == po and short.delivery_note_no == "DN-1"
    books_agree(db)


def test_damaged_claim_returned_only_when_the_return_is_confirmed(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-2",
                                  lines=[{"sku": "OF-100", "qty": 10}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=10,
                           damaged_qty=3, lot_no="L1", location="A-01-01")
    (rts,) = post(db, grn).return_numbers
    claim = by_kind(db, grn)["damaged", 1]
    claims.update_claim(db, actor="purchasing", number=claim.number, status="with_supplier")
    with pytest.raises(InvalidState) as err:
        claims.update_claim(db, actor="purchasing", number=claim.number, status="returned")
    assert err.value.code == "claim_return_not_confirmed"
    receiving.confirm_supplier_return(db, actor="keeper", number=rts)
    claims.update_claim(db, actor="purchasing", number=claim.number, status="returned",
                        note="collected by the supplier's driver")
    claims.update_claim(db, actor="purchasing", number=claim.number, status="closed")
    assert claims.get_claim(db, claim.number).status == "closed"
    books_agree(db)


def test_short_claim_without_return_cannot_be_returned(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-3",
                                  lines=[{"sku": "OF-100", "qty": 10}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=7,
                           lot_no="L1", location="A-01-01")
    post(db, grn)
    claim = by_kind(db, grn)["short", 1]
    with pytest.raises(InvalidState):
        claims.update_claim(db, actor="purchasing", number=claim.number, status="returned")


def test_qc_failure_raises_a_claim_with_its_return(world):
    db = world.db
    po = make_approved_po(db, [("EN-500", 2, "900")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-4",
                                  lines=[{"sku": "EN-500", "qty": 2}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=2,
                           lot_no="E1", location="A-01-01", certificate="CERT")
    post(db, grn)
    assert by_kind(db, grn) == {}
    result = receiving.qc_release(db, actor="qc", receipt=grn, line_no=1, passed_qty=1,
                                  failed_qty=1)
    claim = by_kind(db, grn)["qc_failed", 1]
    assert (claim.lines[0].qty, claim.value, claim.return_number, claim.raised_by) == (
        D(1), D(900), result["return_number"], "qc")
    books_agree(db)


def test_refused_delivery_later_redelivered_under_the_same_note(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    refusal = receiving.refuse_delivery(db, actor="receiver", po_number=po,
                                        delivery_note_no="DN-9", reason="cartons crushed",
                                        photos=[carton_jpeg()], driver_name="Wang")
    [claim_number] = list(claims.list_claims(db)["number"])
    assert receiving.find_receipt_for_note(db, supplier="SUP1", note_no="DN-9") is None
    books_agree(db)
    # the same note, delivered again: received normally
    clock.set_now(FRIDAY + timedelta(days=3))
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                  lines=[{"sku": "OF-100", "qty": 10}])
    assert claims.get_claim(db, claim_number).status == "open"     # not until it is posted
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=10,
                           lot_no="L1", location="A-01-01")
    post(db, grn)
    claim = claims.get_claim(db, claim_number)
    assert (claim.status, claim.replaced_by_receipt) == ("closed", grn)
    assert [e.to_status for e in claim.events] == ["open", "replaced", "closed"]
    assert receiving.list_refusals(db)[0]["redelivered_receipt"] == grn
    assert receiving.list_refusals(db)[0]["number"] == refusal
    # now the note is received: it can be neither refused nor received again
    with pytest.raises(Duplicate):
        receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                  reason="again")
    books_agree(db)


def test_replacement_received_against_a_short_claim_closes_it(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-5",
                                  lines=[{"sku": "OF-100", "qty": 10}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=6,
                           lot_no="L1", location="A-01-01")
    post(db, grn)
    short = by_kind(db, grn)["short", 1]
    other_po = make_approved_po(db, [("OF-100", 4, "25")], supplier="SUP2")
    with pytest.raises(ValidationError):      # another supplier's delivery
        receiving.start_receipt(db, actor="receiver", po_number=other_po,
                                delivery_note_no="DN-X", lines=[{"sku": "OF-100", "qty": 4}],
                                claim=short.number)
    second = receiving.start_receipt(db, actor="receiver", po_number=po,
                                     delivery_note_no="DN-5B", claim=short.number,
                                     lines=[{"sku": "OF-100", "qty": 4}])
    receiving.record_count(db, actor="receiver", receipt=second, line_no=1, counted_qty=4,
                           lot_no="L2", location="A-01-01")
    post(db, second)
    claim = claims.get_claim(db, short.number)
    assert (claim.status, claim.replaced_by_receipt) == ("closed", second)
    assert by_kind(db, second) == {}
    with pytest.raises(InvalidState):          # a closed claim takes no replacement
        receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-5C",
                                claim=short.number, lines=[{"sku": "OF-100", "qty": 1}])
    books_agree(db)
