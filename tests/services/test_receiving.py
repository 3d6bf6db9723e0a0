"""Receiving through the services, on SQLite and PostgreSQL: one scenario per flag
through to posting, two signatures, duplicates, idempotent posting, rejected goods,
QC release and timeliness. Every scenario ends with the books in agreement."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.models import Lot, Movement, ReceiptDiscrepancy
from services import clock, purchasing, receiving, reports
from services.errors import (
    ApprovalRequired,
    Duplicate,
    InvalidState,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from tests.factories import PASSWORD, make_approved_po, utc

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
NOW = utc(2026, 11, 2, 2, 0)   # Monday 10:00 in Asia/Shanghai


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")
    clock.set_now(NOW)
    yield
    clock.set_now(None)


def books_agree(db):
    assert reports.check_consistency(db) == []


def lots_of(db, sku):
    from db.models import Item

    with db.read() as s:
        item_id = s.scalar(select(Item.id).where(Item.sku == sku))
        return list(s.scalars(select(Lot).where(Lot.item_id == item_id).order_by(Lot.id)))


def start(db, po, lines, note="DN-1", **kw):
    return receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no=note,
                                   lines=lines, **kw)


def count(db, grn, line_no, counted, **kw):
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=line_no,
                           counted_qty=counted, **kw)


def post(db, grn, checked_by="keeper", actor="receiver"):
    return receiving.post_receipt(db, actor=actor, receipt=grn, checked_by=checked_by,
                                  checker_password=PASSWORD)


def line(view, n):
    return next(line for line in view.lines if line.line_no == n)


# --- purchase orders ---------------------------------------------------------------
def test_po_approval_rules_and_receiving_only_against_approved(world):
    db = world.db
    with pytest.raises(PermissionDenied):
        purchasing.create_purchase_order(db, actor="receiver", supplier="SUP1",
                                         lines=[{"sku": "OF-100", "qty": 1, "unit_price": 1}])
    po = purchasing.create_purchase_order(db, actor="purchasing", supplier="SUP1",
                                          due_date="2026-11-05",
                                          lines=[{"sku": "OF-100", "qty": "10", "unit_price": "25"}])
    assert purchasing.get_purchase_order(db, po).status == "draft"
    with pytest.raises(ServiceError):
        start(db, po, [{"sku": "OF-100", "qty": 1}])
    with pytest.raises(PermissionDenied):
        purchasing.approve_purchase_order(db, actor="purchasing", number=po)  # its creator
    with pytest.raises(PermissionDenied):
        purchasing.approve_purchase_order(db, actor="keeper", number=po)
    purchasing.approve_purchase_order(db, actor="purchasing2", number=po)
    view = purchasing.get_purchase_order(db, po)
    assert view.status == "approved" and view.approved_by == "purchasing2"
    assert [(ln.sku, ln.ordered, ln.received, ln.outstanding) for ln in view.lines] == [
        ("OF-100", D(10), D(0), D(10))]
    clock.set_now(utc(2026, 11, 10, 2))
    assert purchasing.get_purchase_order(db, po).overdue
    assert purchasing.list_purchase_orders(db, open_only=True)[0]["overdue"] is True

    other = make_approved_po(db)
    purchasing.cancel_purchase_order(db, actor="manager", number=other)
    with pytest.raises(InvalidState):
        start(db, other, [{"sku": "OF-100", "qty": 1}])
    with pytest.raises(ValidationError) as err:
        purchasing.create_purchase_order(db, actor="purchasing", supplier="SUP1",
                                         lines=[{"sku": "NOPE", "qty": 1, "unit_price": 1}])
    assert err.value.params["row"] == 1 and err.value.code == "unknown_sku"


def test_po_import_from_sheet(world, tmp_path):
    db = world.db
    data = ("供应商,采购单号,配件编码,数量,单价,交货日期\n"
            "SUP1,PO-IMP-1,OF-100,10,25,2026-11-20\n"
            "SUP1,PO-IMP-1,BP-200,4,180,2026-11-20\n"
            "SUP2,PO-IMP-2,CL-300,6,68,2026/11/25\n").encode("gbk")
    numbers = purchasing.import_purchase_orders(db, actor="purchasing", data=data,
                                                filename="po.csv")
    assert numbers == ["PO-IMP-1", "PO-IMP-2"]
    first = purchasing.get_purchase_order(db, "PO-IMP-1")
    assert [ln.sku for ln in first.lines] == ["OF-100", "BP-200"]
    assert first.due_date == date(2026, 11, 20) and first.status == "draft"
    bad = "supplier,sku,qty,unit price\nSUP1,OF-100,-1,2\nSUP1,ZZZ,1,x\n".encode()
    with pytest.raises(ValidationError) as err:
        purchasing.import_purchase_orders(db, actor="purchasing", data=bad, filename="po.csv")
    assert err.value.code == "import_rows_invalid"
    assert {e["row"] for e in err.value.params["errors"]} >= {2}
    assert len(purchasing.list_purchase_orders(db)) == 2


# --- flags through to posting ------------------------------------------------------------
def test_clean_delivery_posts_lots_at_po_price(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25"), ("BP-200", 4, "180")])
    grn = start(db, po, [{"sku": "OF-100", "qty": 10, "unit_price": "25"},
                         {"sku": "BP-200", "qty": "4"}])
    assert grn == "GRN-2026-11-0001"
    view = receiving.get_receipt(db, grn)
    assert view.status == "open" and all(ln.flags == {"NOT_COUNTED"} for ln in view.lines)
    with pytest.raises(ValidationError) as err:
        post(db, grn)
    assert err.value.code == "receipt_not_ready"
    count(db, grn, 1, 10, location="A-01-01", lot_no="L1")
    count(db, grn, 2, 4, location="A-01-02")
    view = post(db, grn)
    assert view.status == "posted" and view.received_by == "receiver" and view.checked_by == "keeper"
    assert [(ln.accepted_qty, ln.rejected_qty, ln.flags) for ln in view.lines] == [
        (D(10), D(0), frozenset()), (D(4), D(0), frozenset())]
    assert view.return_numbers == ()
    lot = lots_of(db, "OF-100")[0]
    assert (lot.qty_on_hand, lot.unit_cost, lot.lot_no, lot.status, lot.receipt_number) == (
        D(10), D("25"), "L1", "available", grn)
    assert purchasing.get_purchase_order(db, po).status == "received"
    books_agree(db)


def test_short_keeps_outstanding_and_over_count_is_accepted(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25"), ("BP-200", 10, "180")])
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}, {"sku": "BP-200", "qty": 5}])
    count(db, grn, 1, 7, location="A-01-01")
    count(db, grn, 2, 6, location="A-01-01")
    view = receiving.get_receipt(db, grn)
    assert line(view, 1).flags == {"SHORT"} and line(view, 2).flags == {"OVER_COUNT"}
    view = post(db, grn)
    assert (line(view, 1).accepted_qty, line(view, 2).accepted_qty) == (D(7), D(6))
    po_view = purchasing.get_purchase_order(db, po)
    assert po_view.status == "partially_received"
    assert [(ln.received, ln.outstanding) for ln in po_view.lines] == [(D(7), D(3)), (D(6), D(4))]
    flags = {(d["line_no"], d["flag"], d["qty"], d["outcome"]) for d in view.discrepancies}
    assert flags == {(1, "SHORT", D(3), "outstanding"), (2, "OVER_COUNT", D(1), "noted")}
    books_agree(db)


def test_damaged_part_is_rejected_to_a_return_document(world):
    db = world.db
    po = make_approved_po(db, [("BP-200", 10, "180")])
    grn = start(db, po, [{"sku": "BP-200", "qty": 10}])
    count(db, grn, 1, 10, damaged_qty=2, location="A-01-01")
    view = post(db, grn)
    ln = line(view, 1)
    assert ln.flags == {"DAMAGED"}
    assert (ln.accepted_qty, ln.rejected_qty, ln.rejected_reasons) == (D(8), D(2), {"damaged": D(2)})
    rts = receiving.get_supplier_return(db, view.return_number)
    assert rts.hold_location == "HOLD-01" and rts.status == "open" and rts.source == "receiving"
    assert [(r["sku"], r["qty"], r["reason"], r["amount"], r["in_stock"]) for r in rts.lines] == [
        ("BP-200", D(2), "damaged", D(360), False)]
    assert sum(lot.qty_on_hand for lot in lots_of(db, "BP-200")) == D(8)
    receiving.confirm_supplier_return(db, actor="keeper", number=rts.number)
    assert receiving.get_supplier_return(db, rts.number).status == "confirmed"
    assert purchasing.get_purchase_order(db, po).lines[0].outstanding == D(2)
    books_agree(db)


def test_damaged_cannot_exceed_counted(world):
    db = world.db
    po = make_approved_po(db)
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}])
    with pytest.raises(ValidationError) as err:
        count(db, grn, 1, 3, damaged_qty=4)
    assert err.value.params == {"field": "damaged_qty", "row": 1, "damaged": "4", "counted": "3"}


@pytest.mark.parametrize("approve", [False, True])
def test_over_po_excess_rejected_unless_purchasing_approves(world, approve):
    db = world.db
    po = make_approved_po(db, [("BT-400", 5, "420")])
    grn = start(db, po, [{"sku": "BT-400", "qty": 8}])
    assert "OVER_PO" in line(receiving.get_receipt(db, grn), 1).flags
    count(db, grn, 1, 8, location="A-01-01")
    with pytest.raises(PermissionDenied):
        receiving.approve_line(db, actor="supervisor", receipt=grn, line_no=1, flag="OVER_PO")
    if approve:
        receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=1, flag="OVER_PO")
        assert line(receiving.get_receipt(db, grn), 1).approved == {"OVER_PO"}
    view = post(db, grn)
    ln = line(view, 1)
    if approve:
        assert (ln.accepted_qty, ln.rejected_qty) == (D(8), D(0))
        assert view.return_number is None
        assert purchasing.get_purchase_order(db, po).lines[0].received == D(8)
    else:
        assert (ln.accepted_qty, ln.rejected_qty, ln.rejected_reasons) == (D(5), D(3), {"over_po": D(3)})
        assert receiving.get_supplier_return(db, view.return_number).lines[0]["reason"] == "over_po"
    assert purchasing.get_purchase_order(db, po).status == "received"
    books_agree(db)


def test_price_mismatch_blocks_until_purchasing_approves_and_lot_keeps_po_price(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    grn = start(db, po, [{"sku": "OF-100", "qty": 10, "unit_price": "26.50"}])
    count(db, grn, 1, 10, location="A-01-01")
    assert line(receiving.get_receipt(db, grn), 1).blocking == ("PRICE_MISMATCH",)
    with pytest.raises(ApprovalRequired) as err:
        post(db, grn)
    assert err.value.params["row"] == 1
    with pytest.raises(PermissionDenied):
        receiving.approve_line(db, actor="supervisor", receipt=grn, line_no=1,
                               flag="PRICE_MISMATCH")
    receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=1, flag="PRICE_MISMATCH")
    view = post(db, grn)
    assert line(view, 1).accepted_qty == D(10)
    assert lots_of(db, "OF-100")[0].unit_cost == D(25)
    disc = [d for d in view.discrepancies if d["flag"] == "PRICE_MISMATCH"]
    assert disc[0]["outcome"] == "approved" and disc[0]["approved_by"] == "purchasing"
    books_agree(db)


@pytest.mark.parametrize("approver", [None, "supervisor", "purchasing"])
def test_near_expiry_rejected_unless_approved(world, approver):
    db = world.db
    po = make_approved_po(db, [("CL-300", 12, "68")])
    near = clock.today() + timedelta(days=30)       # CL-300 needs 90 days
    grn = start(db, po, [{"sku": "CL-300", "qty": 12, "lot_no": "C1", "expiry_date": near}])
    count(db, grn, 1, 12, location="B-01-01")
    assert line(receiving.get_receipt(db, grn), 1).flags == {"NEAR_EXPIRY"}
    if approver:
        receiving.approve_line(db, actor=approver, receipt=grn, line_no=1, flag="NEAR_EXPIRY")
    view = post(db, grn)
    ln = line(view, 1)
    if approver:
        assert (ln.accepted_qty, ln.rejected_qty) == (D(12), D(0))
        assert lots_of(db, "CL-300")[0].expiry_date == near
    else:
        assert (ln.accepted_qty, ln.rejected_qty, ln.rejected_reasons) == (D(0), D(12), {"near_expiry": D(12)})
        assert lots_of(db, "CL-300") == []
        assert purchasing.get_purchase_order(db, po).status == "approved"
    books_agree(db)


def test_expired_goods_are_all_rejected(world):
    db = world.db
    po = make_approved_po(db, [("CL-300", 5, "68")])
    grn = start(db, po, [{"sku": "CL-300", "qty": 5, "lot_no": "OLD", "expiry_date": "2026-10-01"}])
    count(db, grn, 1, 5, damaged_qty=1, location="B-01-01")
    view = post(db, grn)
    ln = line(view, 1)
    assert {"EXPIRED", "DAMAGED"} <= ln.flags
    assert ln.rejected_reasons == {"damaged": D(1), "expired": D(4)} and ln.accepted_qty == 0
    assert lots_of(db, "CL-300") == []
    books_agree(db)


def test_an_expiry_typed_to_the_month_is_its_last_day(world):
    db = world.db
    po = make_approved_po(db, [("CL-300", 5, "68")])
    grn = start(db, po, [{"sku": "CL-300", "qty": 5, "lot_no": "M1", "expiry_date": "2028年02月"}])
    assert line(receiving.get_receipt(db, grn), 1).expiry_date == date(2028, 2, 29)
    with pytest.raises(ValidationError) as bad:
        start(db, po, [{"sku": "CL-300", "qty": 5, "lot_no": "M2", "expiry_date": "2028年13月"}],
              note="DN-BAD-MONTH")
    assert (bad.value.code, bad.value.params["field"]) == ("bad_date", "expiry_date")


def test_not_on_po_unknown_sku_and_other_suppliers_po(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    other = make_approved_po(db, [("BP-200", 3, "180")], supplier="SUP2")
    grn = start(db, po, [{"sku": "OF-100", "qty": 10},
                         {"sku": "BP-200", "qty": 2},                     # not on this PO
                         {"sku": "XX-404", "qty": 1, "unit_price": "9"},  # not in catalogue
                         {"sku": "BP-200", "qty": 1, "po_number": other}])  # SUP2's PO
    view = receiving.get_receipt(db, grn)
    assert [("NOT_ON_PO" in ln.flags) for ln in view.lines] == [False, True, True, True]
    assert line(view, 3).known_item is False and line(view, 4).po_reference == other
    count(db, grn, 1, 10, location="A-01-01")
    count(db, grn, 2, 2)
    count(db, grn, 3, 1)
    count(db, grn, 4, 1)
    view = post(db, grn)
    assert [ln.accepted_qty for ln in view.lines] == [D(10), D(0), D(0), D(0)]
    assert [ln.rejected_reasons for ln in view.lines][1:] == [{"not_on_po": D(2)},
                                                               {"not_on_po": D(1)},
                                                               {"not_on_po": D(1)}]
    rts = receiving.get_supplier_return(db, view.return_number)
    assert [(r["sku"], r["qty"]) for r in rts.lines] == [("BP-200", D(2)), ("XX-404", D(1)),
                                                         ("BP-200", D(1))]
    assert lots_of(db, "BP-200") == []
    assert purchasing.get_purchase_order(db, other).lines[0].received == 0
    books_agree(db)


def test_missing_lot_expiry_certificate_block_posting(world):
    db = world.db
    po = make_approved_po(db, [("CL-300", 4, "68"), ("EN-500", 1, "15000")])
    grn = start(db, po, [{"sku": "CL-300", "qty": 4}, {"sku": "EN-500", "qty": 1}])
    count(db, grn, 1, 4, location="B-01-01")
    count(db, grn, 2, 1, location="A-01-02")
    view = receiving.get_receipt(db, grn)
    assert set(line(view, 1).blocking) == {"NO_LOT", "NO_EXPIRY"}
    assert set(line(view, 2).blocking) == {"NO_LOT", "NO_CERTIFICATE"}
    with pytest.raises(ValidationError) as err:
        post(db, grn)
    codes = {(e["row"], e["code"]) for e in err.value.params["errors"]}
    assert codes == {(1, "lot_required"), (1, "expiry_required"), (2, "lot_required"),
                     (2, "certificate_required")}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Movement)) == 0
    count(db, grn, 1, 4, lot_no="C7", expiry_date="2028-01-31")
    count(db, grn, 2, 1, lot_no="SN-123", certificate="QC-CERT-9")
    view = post(db, grn)
    assert view.status == "posted"
    books_agree(db)


def test_full_inspection_goes_to_quarantine_then_qc_release(world):
    db = world.db
    po = make_approved_po(db, [("EN-500", 3, "15000")])
    grn = start(db, po, [{"sku": "EN-500", "qty": 3, "lot_no": "SN-1"}])
    count(db, grn, 1, 3, location="A-01-02", certificate="CERT-1")
    view = post(db, grn)
    ln = line(view, 1)
    assert (ln.stored_location, ln.lot_status, ln.quarantine_qty) == ("QUAR-01", "quarantine", D(3))
    assert receiving.quarantine_lines(db)[0]["target_bin"] == "A-01-02"
    with pytest.raises(PermissionDenied):
        receiving.qc_release(db, actor="keeper", receipt=grn, line_no=1, passed_qty=1, failed_qty=0)
    with pytest.raises(ValidationError):
        receiving.qc_release(db, actor="qc", receipt=grn, line_no=1, passed_qty=3, failed_qty=1)
    result = receiving.qc_release(db, actor="qc", receipt=grn, line_no=1, passed_qty=2,
                                  failed_qty=1)
    books_agree(db)
    statuses = {lot.status: lot.qty_on_hand for lot in lots_of(db, "EN-500") if lot.qty_on_hand}
    assert statuses == {"available": D(2), "hold": D(1)}
    rts = receiving.get_supplier_return(db, result["return_number"])
    assert rts.source == "qc" and rts.lines[0]["in_stock"] and rts.lines[0]["reason"] == "qc_failed"
    assert receiving.quarantine_lines(db) == []
    receiving.confirm_supplier_return(db, actor="supervisor", number=rts.number)
    receiving.confirm_supplier_return(db, actor="supervisor", number=rts.number)  # no-op
    statuses = {lot.status: lot.qty_on_hand for lot in lots_of(db, "EN-500") if lot.qty_on_hand}
    assert statuses == {"available": D(2)}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Movement)
                        .where(Movement.type == "supplier_return")) == 1
    books_agree(db)


def test_every_line_must_be_counted(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25"), ("BP-200", 2, "180")])
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}, {"sku": "BP-200", "qty": 2}])
    count(db, grn, 1, 10, location="A-01-01")
    with pytest.raises(ValidationError) as err:
        post(db, grn)
    assert err.value.params["errors"][0]["row"] == 2
    assert err.value.params["errors"][0]["code"] == "receipt_line_not_counted"
    count(db, grn, 2, 0)   # nothing came: counted zero is a count
    view = post(db, grn)
    assert line(view, 2).accepted_qty == 0 and "SHORT" in line(view, 2).flags
    books_agree(db)


# --- signatures, duplicates, idempotency --------------------------------------------------
def test_two_signatures_rule(world):
    db = world.db
    po = make_approved_po(db)
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}])
    count(db, grn, 1, 10, location="A-01-01")
    with pytest.raises(ValidationError) as err:
        receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by="keeper",
                               checker_password=PASSWORD)
    assert err.value.code == "cosigner_same_user"
    with pytest.raises(PermissionDenied) as err:
        post(db, grn, checked_by="receiver2")          # a receiver cannot co-sign
    assert err.value.code == "cosigner_role"
    with pytest.raises(PermissionDenied):
        post(db, grn, actor="purchasing")                # not a receiving role
    with pytest.raises(PermissionDenied) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password="wrong-password")
    assert err.value.code == "cosigner_auth_failed"
    assert receiving.get_receipt(db, grn).status == "open"
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="supervisor",
                                  checker_password=PASSWORD)
    assert (view.received_by, view.checked_by) == ("receiver", "supervisor")
    books_agree(db)


def test_same_delivery_note_cannot_be_received_twice(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 20, "25")])
    data = (ROOT / "tests/data/sheets/utf8.csv").read_bytes()
    grn = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-77", source_file=data,
                filename="a.csv")
    with pytest.raises(Duplicate) as err:
        start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-77")
    assert err.value.params["grn"] == grn and err.value.code == "delivery_note_received"
    with pytest.raises(Duplicate) as err:   # same bytes, new name and number
        start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-78", source_file=data,
              filename="renamed.csv")
    assert err.value.params["grn"] == grn and err.value.params["same_file"] is True
    assert receiving.find_receipt_for_note(db, data=data) == grn
    # A cancelled receipt releases the note.
    receiving.cancel_receipt(db, actor="receiver", receipt=grn, reason="wrong PO")
    again = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-77")
    assert again != grn


def test_posting_twice_posts_once(world):
    db = world.db
    po = make_approved_po(db)
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}])
    count(db, grn, 1, 10, location="A-01-01")
    first = post(db, grn)
    second = post(db, grn, checked_by="keeper2")
    assert first == second
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Movement)) == 1
    assert purchasing.get_purchase_order(db, po).lines[0].received == D(10)
    with pytest.raises(InvalidState):
        count(db, grn, 1, 9)
    books_agree(db)


def test_concurrent_posts_post_once(world):
    """Two tablets post the same receipt at once (threads; real locking on PostgreSQL)."""
    import threading

    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25"), ("BP-200", 5, "180")])
    grn = start(db, po, [{"sku": "OF-100", "qty": 10}, {"sku": "BP-200", "qty": 5}])
    count(db, grn, 1, 10, location="A-01-01")
    count(db, grn, 2, 5, damaged_qty=1, location="A-01-02")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker(checker):
        try:
            barrier.wait()
            results.append(post(db, grn, checked_by=checker))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,))
               for c in ("keeper", "keeper2", "supervisor", "supervisor2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({(r.number, r.posted_at, r.checked_by) for r in results}) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Movement)) == 2
        assert s.scalar(select(func.count()).select_from(ReceiptDiscrepancy)) == 1
    assert len(receiving.list_supplier_returns(db)) == 1
    assert [ln.received for ln in purchasing.get_purchase_order(db, po).lines] == [D(10), D(4)]
    books_agree(db)


def test_concurrent_receipts_on_one_po_never_over_receive(world):
    import threading

    db = world.db
    po = make_approved_po(db, [("OF-100", 10, "25")])
    grns = [start(db, po, [{"sku": "OF-100", "qty": 8}], note=f"DN-{i}") for i in range(2)]
    for grn in grns:
        count(db, grn, 1, 8, location="A-01-01")
    barrier = threading.Barrier(2)
    views = []

    def worker(grn):
        barrier.wait()
        views.append(post(db, grn))

    threads = [threading.Thread(target=worker, args=(g,)) for g in grns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = sorted(line(v, 1).accepted_qty for v in views)
    assert accepted == [D(2), D(8)]      # the later one's excess is over the PO
    assert purchasing.get_purchase_order(db, po).lines[0].received == D(10)
    books_agree(db)


# --- bad input ---------------------------------------------------------------------
@pytest.mark.parametrize("qty,code", [(-1, "must_be_positive"), (0, "must_be_positive"),
                                      ("abc", "not_a_number"), ("5000000", "too_large"),
                                      (1.5, "not_a_number")])
def test_bad_quantities_refused_with_row(world, qty, code):
    db = world.db
    po = make_approved_po(db)
    with pytest.raises(ValidationError) as err:
        start(db, po, [{"sku": "OF-100", "qty": 1}, {"sku": "OF-100", "qty": qty}])
    assert (err.value.code, err.value.params["row"], err.value.params["field"]) == (code, 2, "qty")
    assert receiving.list_receipts(db) == []


def test_roles_for_start_count_and_unknown_things(world):
    db = world.db
    po = make_approved_po(db)
    with pytest.raises(PermissionDenied):
        receiving.start_receipt(db, actor="finance", po_number=po, delivery_note_no="X",
                                lines=[{"sku": "OF-100", "qty": 1}])
    with pytest.raises(NotFound):
        start(db, "PO-NOPE", [{"sku": "OF-100", "qty": 1}])
    grn = receiving.start_receipt(db, actor="keeper", po_number=po, delivery_note_no="X",
                                  lines=[{"sku": "OF-100", "qty": 1}])
    with pytest.raises(PermissionDenied):
        receiving.record_count(db, actor="qc", receipt=grn, line_no=1, counted_qty=1)
    with pytest.raises(NotFound):
        count(db, grn, 9, 1)
    with pytest.raises(ValidationError):
        count(db, grn, 1, 1, location="HOLD-01")
    with pytest.raises(ValidationError):
        receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=1, flag="OVER_PO")


# --- timeliness and lists --------------------------------------------------------------
def test_timeliness_alerts(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 30, "25")])
    friday = utc(2026, 11, 6, 2)
    slow = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-SLOW", arrived_at=friday)
    clock.set_now(friday + timedelta(hours=2))
    count(db, slow, 1, 5, location="A-01-01")
    post(db, slow)
    fast = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-FAST")
    count(db, fast, 1, 5, location="A-01-01")
    clock.set_now(clock.now() + timedelta(minutes=40))
    post(db, fast)
    waiting = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-OPEN", arrived_at=friday)
    clock.set_now(utc(2026, 11, 9, 1))        # Monday 09:00 local: one working day not over
    alerts = receiving.timeliness_alerts(db)
    assert alerts["open_overdue"] == []
    assert [a["number"] for a in alerts["slow_checks"]] == [slow]
    clock.set_now(utc(2026, 11, 9, 3))        # Monday 11:00 local
    alerts = receiving.timeliness_alerts(db)
    assert [a["number"] for a in alerts["open_overdue"]] == [waiting]
    rows = {r["number"]: r for r in receiving.list_receipts(db)}
    assert rows[waiting]["paperwork_overdue"] and rows[slow]["check_too_slow"]
    assert not rows[fast]["check_too_slow"]
    assert [r["number"] for r in receiving.list_receipts(db, search="DN-FAST")] == [fast]
    assert {r["number"] for r in receiving.list_receipts(db, status="posted")} == {slow, fast}


def test_the_paperwork_deadline_counts_the_warehouse_calendar(world):
    """004 ㈠8 in working days as admin keeps them: a delivery that arrives on Friday
    before a Monday holiday is due on Tuesday, and every screen says the same."""
    from services import calendar

    db = world.db
    po = make_approved_po(db, [("OF-100", 30, "25")])
    friday = utc(2026, 11, 6, 2)                      # Friday 10:00 local
    waiting = start(db, po, [{"sku": "OF-100", "qty": 5}], note="DN-HOLIDAY", arrived_at=friday)
    calendar.set_day(db, actor="admin", day="2026-11-09", kind="holiday", name="test")

    def overdue_everywhere() -> set[bool]:
        alerts = {a["number"] for a in receiving.timeliness_alerts(db)["open_overdue"]}
        listed = {r["number"]: r for r in receiving.list_receipts(db)}[waiting]
        return {waiting in alerts, listed["paperwork_overdue"],
                receiving.get_receipt(db, waiting).paperwork_overdue,
                reports.dashboard(db)["stale_receipts"] == 1}

    clock.set_now(utc(2026, 11, 9, 8))                # Monday 16:00: a holiday
    assert overdue_everywhere() == {False}
    clock.set_now(utc(2026, 11, 10, 1))               # Tuesday 09:00: not yet
    assert overdue_everywhere() == {False}
    clock.set_now(utc(2026, 11, 10, 3))               # Tuesday 11:00: one working day over
    assert overdue_everywhere() == {True}


# --- the demo delivery with problems, from the sheet to a posted GRN -------------------------
def test_demo_sheet_with_problems_to_posted_grn(world):
    db = world.db
    po = make_approved_po(db, [("OF-100", 20, "25"), ("BP-200", 10, "180"), ("BT-400", 5, "420"),
                               ("CL-300", 12, "68"), ("EN-500", 1, "15000")],
                          number="PO-2026-11-0001")
    path = ROOT / "tests/data/sheets/po_demo_problems_zh.xlsx"
    sheet = receiving.read_delivery_sheet(path.read_bytes(), path.name)
    assert sheet.errors == [] and sheet.po_number == po
    grn = receiving.start_receipt(db, actor="receiver", po_number=sheet.po_number,
                                  delivery_note_no=sheet.note_no, lines=sheet.lines,
                                  source_file=path.read_bytes(), filename=path.name)
    view = receiving.get_receipt(db, grn)
    assert [ln.sheet_row for ln in view.lines] == [6, 7, 8, 9, 10]
    assert "OVER_PO" in line(view, 3).flags and "NEAR_EXPIRY" in line(view, 4).flags
    assert {"PRICE_MISMATCH", "NO_LOT", "NO_CERTIFICATE"} <= line(view, 5).flags
    receiving.record_counts(db, actor="receiver", receipt=grn, counts=[
        {"line_no": 1, "counted_qty": "18", "location": "A-01-01"},
        {"line_no": 2, "counted_qty": "10", "damaged_qty": "2", "location": "A-01-01"},
        {"line_no": 3, "counted_qty": "8", "location": "A-01-02"},
        {"line_no": 4, "counted_qty": "12", "location": "B-01-01"},
        {"line_no": 5, "counted_qty": "1", "location": "A-01-02", "lot_no": "SN-EA211-1",
         "certificate": "CERT-88"}])
    with pytest.raises(ApprovalRequired):
        post(db, grn)
    receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=5, flag="PRICE_MISMATCH")
    view = post(db, grn)
    assert [(ln.accepted_qty, ln.rejected_qty) for ln in view.lines] == [
        (D(18), D(0)), (D(8), D(2)), (D(5), D(3)), (D(0), D(12)), (D(1), D(0))]
    rts = receiving.get_supplier_return(db, view.return_number)
    assert [(r["sku"], r["qty"], r["reason"]) for r in rts.lines] == [
        ("BP-200", D(2), "damaged"), ("BT-400", D(3), "over_po"), ("CL-300", D(12), "near_expiry")]
    assert line(view, 5).lot_status == "quarantine" and lots_of(db, "EN-500")[0].unit_cost == D(15000)
    assert [ln.outstanding for ln in purchasing.get_purchase_order(db, po).lines] == [
        D(2), D(2), D(0), D(12), D(0)]
    with db.read() as s:
        assert s.scalar(select(func.sum(Movement.qty))) == D(18 + 8 + 5 + 1)
    with pytest.raises(Duplicate):
        receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="other",
                                lines=sheet.lines, source_file=path.read_bytes(), filename="x.xlsx")
    books_agree(db)


def test_five_hundred_line_note_posts_whole(sqlite_db):
    """A large note posts in one go with the right quantities (its speed is measured
    in the benchmark, not here)."""
    from services import catalog
    from tests.factories import build_world

    db = sqlite_db
    build_world(db)
    catalog.import_items(db, actor="admin", rows=[
        {"sku": f"P-{i:03d}", "name": f"Part {i}"} for i in range(500)])
    po = make_approved_po(db, [(f"P-{i:03d}", 10, "2.5") for i in range(500)])
    grn = start(db, po, [{"sku": f"P-{i:03d}", "qty": 10} for i in range(500)])
    receiving.record_counts(db, actor="receiver", receipt=grn, counts=[
        {"line_no": n, "counted_qty": 10 if n % 10 else 9, "damaged_qty": 1 if n % 7 == 0 else 0,
         "location": "A-01-01"} for n in range(1, 501)])
    view = post(db, grn)
    assert view.status == "posted" and len(view.lines) == 500
    assert sum(line.accepted_qty for line in view.lines) == sum(
        (9 if n % 10 == 0 else 10) - (1 if n % 7 == 0 else 0) for n in range(1, 501))
    books_agree(db)
