"""Issuing scenarios through services.issuing, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from db.models import AuditEvent, DocumentSequence, Issue, Location, Lot, Movement
from services import clock, issuing, reports
from services.errors import (
    ApprovalRequired,
    InsufficientStock,
    NotFound,
    PermissionDenied,
    StockFrozen,
    ValidationError,
)
from tests.factories import PASSWORD, stock_lot, utc

NOW = utc(2026, 11, 10, 9, 0)


@pytest.fixture
def w(world):
    clock.set_now(NOW)
    yield world
    assert reports.check_consistency(world.db) == []


def lot_qty(db, lot_id) -> Decimal:
    with db.read() as session:
        return session.get(Lot, lot_id).qty_on_hand


def count(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def three_lots(db, sku="OF-100"):
    """Three lots of ``sku`` with different costs, received on different days,
    deliberately created newest first so ids do not follow FIFO order."""
    c = stock_lot(db, sku, "A-01-02", 5, "12.0000", lot_no="L3", received_at=utc(2026, 10, 3))
    b = stock_lot(db, sku, "A-01-01", 3, "11.5000", lot_no="L2", received_at=utc(2026, 10, 2))
    a = stock_lot(db, sku, "A-01-01", 4, "10.0000", lot_no="L1", received_at=utc(2026, 10, 1))
    return a, b, c


def test_fifo_across_three_lots_with_different_costs(w):
    db = w.db
    a, b, c = three_lots(db)
    view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 9}],
                               requested_by="Mechanic Li", reference="JC-1001")
    assert view.number == "ISS-2026-11-0001"
    line = view.lines[0]
    assert [(x.lot_no, x.qty, x.unit_cost) for x in line.allocations] == [
        ("L1", 4, Decimal("10")), ("L2", 3, Decimal("11.5")), ("L3", 2, Decimal("12"))]
    assert [x.location for x in line.allocations] == ["A-01-01", "A-01-01", "A-01-02"]
    assert line.total_cost == view.total_cost == Decimal("98.5")
    assert (lot_qty(db, a), lot_qty(db, b), lot_qty(db, c)) == (0, 0, 3)
    # the ledger holds one movement per lot, valued at that lot's cost
    with db.read() as session:
        moves = session.execute(select(Movement.lot_id, Movement.qty, Movement.value)
                                .where(Movement.doc_no == view.number)
                                .order_by(Movement.id)).all()
        assert moves == [(a, -4, Decimal("-40")), (b, -3, Decimal("-34.5")),
                         (c, -2, Decimal("-24"))]
        assert session.scalar(select(AuditEvent.action).where(
            AuditEvent.entity_key == view.number)) == "issue.post"
    # the stock card shows the issue and the same running balance as the lots
    again = issuing.get_issue(db, view.number)
    assert again.lines[0].allocations == line.allocations
    assert again.total_cost == Decimal("98.5")


def test_number_is_stamped_on_slip_movements_and_audit_past_9999(w):
    """The slip is written under a provisional number and stamped last: nothing may
    keep the stand-in, and numbers past 9,999 in a month keep all their digits."""
    db = w.db
    three_lots(db)
    first = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                                requested_by="Li")
    db.write(lambda session: session.execute(
        update(DocumentSequence).where(DocumentSequence.prefix == "ISS")
        .values(last_no=9999)))
    second = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 2}],
                                 requested_by="Li")
    assert (first.number, second.number) == ("ISS-2026-11-0001", "ISS-2026-11-10000")
    with db.read() as session:
        assert session.scalars(select(Issue.number).order_by(Issue.id)).all() == [
            first.number, second.number]
        doc_nos = session.scalars(select(Movement.doc_no).where(Movement.doc_type == "issue")
                                  .distinct()).all()
        assert sorted(doc_nos) == sorted([first.number, second.number])
        keys = session.scalars(select(AuditEvent.entity_key)
                               .where(AuditEvent.action == "issue.post")).all()
        assert sorted(keys) == sorted([first.number, second.number])
    assert issuing.get_issue(db, second.number).lines[0].qty == 2


def test_multi_line_requisition_and_repeated_sku_is_summed(w):
    db = w.db
    three_lots(db)
    stock_lot(db, "BP-200", "A-01-02", 10, "30.0000", lot_no="BP1", received_at=utc(2026, 9, 1))
    view = issuing.issue_stock(db, actor="keeper", requested_by="Wang", purpose="sale",
                               reference="SO-7", lines=[
                                   {"sku": "OF-100", "qty": "2"}, {"sku": "bp-200", "qty": 3},
                                   {"sku": "OF-100", "qty": Decimal("1.5")}])
    assert [(l.sku, l.qty) for l in view.lines] == [("OF-100", Decimal("3.5")),
                                                    ("BP-200", 3)]
    assert view.total_cost == Decimal("35") + Decimal("90")
    assert view.purpose == "sale" and view.reference == "SO-7"


def test_fefo_takes_earliest_expiry_first(w):
    db = w.db
    late = stock_lot(db, "CL-300", "B-01-01", 5, "20", lot_no="LATE", received_at=utc(2026, 1, 1),
                     expiry_date=date(2027, 12, 31))
    soon = stock_lot(db, "CL-300", "B-01-01", 5, "25", lot_no="SOON", received_at=utc(2026, 6, 1),
                     expiry_date=date(2027, 3, 1))
    view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "CL-300", "qty": 6}],
                               requested_by="Zhang")
    assert [(x.lot_no, x.qty) for x in view.lines[0].allocations] == [("SOON", 5), ("LATE", 1)]
    assert lot_qty(db, soon) == 0 and lot_qty(db, late) == 4
    assert view.total_cost == Decimal("145")


def test_expired_quarantined_and_held_lots_are_never_issued(w):
    db = w.db
    expired = stock_lot(db, "CL-300", "B-01-01", 5, "10", lot_no="EXP",
                        received_at=utc(2025, 1, 1), expiry_date=date(2026, 11, 9))
    quarantined = stock_lot(db, "CL-300", "QUAR-01", 5, "10", lot_no="Q",
                            received_at=utc(2025, 1, 2), status="quarantine",
                            expiry_date=date(2028, 1, 1))
    held = stock_lot(db, "CL-300", "HOLD-01", 5, "10", lot_no="H", received_at=utc(2025, 1, 3),
                     status="hold", expiry_date=date(2028, 1, 1))
    good = stock_lot(db, "CL-300", "B-01-01", 2, "30", lot_no="OK", received_at=utc(2026, 5, 1),
                     expiry_date=date(2028, 1, 1))
    preview = issuing.preview_issue(db, lines=[{"sku": "CL-300", "qty": 3}])
    assert preview.lines[0].available == 2 and preview.lines[0].short and not preview.ok
    with pytest.raises(InsufficientStock) as err:
        issuing.issue_stock(db, actor="keeper", lines=[{"sku": "CL-300", "qty": 3}],
                            requested_by="Zhang")
    assert err.value.params["available"] == 2
    view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "CL-300", "qty": 2}],
                               requested_by="Zhang")
    assert [x.lot_no for x in view.lines[0].allocations] == ["OK"]
    assert [lot_qty(db, i) for i in (expired, quarantined, held, good)] == [5, 5, 5, 0]


def test_insufficient_stock_names_sku_and_writes_nothing(w):
    db = w.db
    three_lots(db)                                     # 12 OF-100
    stock_lot(db, "BP-200", "A-01-01", 2, "30")
    before = (count(db, Issue), count(db, Movement), count(db, AuditEvent))
    with pytest.raises(InsufficientStock) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=[
            {"sku": "OF-100", "qty": 5}, {"sku": "BP-200", "qty": 3}])
    assert err.value.code == "insufficient_stock"
    assert err.value.params == {"sku": "BP-200", "available": 2, "requested": 3,
                                "field": "qty", "row": 2}
    assert (count(db, Issue), count(db, Movement), count(db, AuditEvent)) == before
    # the document sequence did not move either
    assert issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=[
        {"sku": "OF-100", "qty": 5}]).number == "ISS-2026-11-0001"


def test_partial_issue_only_when_asked(w):
    db = w.db
    stock_lot(db, "OF-100", "A-01-01", 3, "10")
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li", allow_partial=True,
                               lines=[{"sku": "OF-100", "qty": 5}, {"sku": "BP-200", "qty": 1}])
    assert view.partial
    assert [(l.sku, l.qty_requested, l.qty) for l in view.lines] == [("OF-100", 5, 3)]
    with pytest.raises(InsufficientStock):
        issuing.issue_stock(db, actor="keeper", requested_by="Li", allow_partial=True,
                            lines=[{"sku": "OF-100", "qty": 1}])


def test_bad_input_names_line_and_field(w):
    db = w.db
    stock_lot(db, "OF-100", "A-01-01", 3, "10")
    cases = [
        ([{"sku": "OF-100", "qty": 0}], {}, "must_be_positive", "qty"),
        ([{"sku": "OF-100", "qty": 1.5}], {}, "not_a_number", "qty"),
        ([{"sku": "OF-100", "qty": "1.0001"}], {}, "too_many_decimals", "qty"),
        ([{"sku": "", "qty": 1}], {}, "required", "sku"),
        ([{"sku": "OF-100", "qty": 1}, {"sku": "NOPE", "qty": 1}], {}, "unknown_sku", "sku"),
        ([], {}, "no_lines", "lines"),
        ([{"sku": "OF-100", "qty": 1}], {"requested_by": ""}, "required", "requested_by"),
        ([{"sku": "OF-100", "qty": 1}], {"purpose": "gift"}, "invalid_choice", "purpose"),
        ([{"sku": "OF-100", "qty": 1}], {"stock": "bad"}, "bad_stock_purpose", "purpose"),
    ]
    for lines, extra, code, field in cases:
        kwargs = {"requested_by": "Li", **extra}
        with pytest.raises(ValidationError) as err:
            issuing.issue_stock(db, actor="keeper", lines=lines, **kwargs)
        assert (err.value.code, err.value.params["field"]) == (code, field), (lines, extra)
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "OF-100", "qty": 1}, {"sku": "NOPE", "qty": 1}])
    assert err.value.params["row"] == 2 and err.value.params["sku"] == "NOPE"
    assert count(db, Issue) == 0


def test_only_keeper_or_supervisor_may_issue(w):
    db = w.db
    stock_lot(db, "OF-100", "A-01-01", 3, "10")
    for who in ("receiver", "finance", "manager", "admin", "nobody"):
        with pytest.raises(PermissionDenied):
            issuing.issue_stock(db, actor=who, requested_by="Li",
                                lines=[{"sku": "OF-100", "qty": 1}])
    assert issuing.issue_stock(db, actor="supervisor", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 1}]).actor == "supervisor"


def test_assembly_needs_supervisor_or_manager_approval(w):
    db = w.db
    stock_lot(db, "EN-500", "A-01-02", 2, "8000")
    line = [{"sku": "EN-500", "qty": 1}]
    with pytest.raises(ApprovalRequired) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line)
    assert err.value.code == "assembly_approval_required" and err.value.params["sku"] == "EN-500"
    with pytest.raises(PermissionDenied) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line,
                            approved_by="keeper2")
    assert err.value.code == "approver_not_allowed"
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="supervisor", requested_by="Li", lines=line,
                            approved_by="supervisor")
    assert err.value.code == "approver_is_actor"
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line,
                            approved_by="supervisor", approver_password="wrong-password")
    assert err.value.code == "approver_password_wrong"
    assert count(db, Issue) == 0
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line,
                               approved_by="manager", approver_password=PASSWORD)
    assert view.approved_by == "manager"
    view = issuing.issue_stock(db, actor="supervisor", requested_by="Li", lines=line,
                               approved_by="supervisor2")
    assert view.approved_by == "supervisor2"


def test_old_part_register_until_handed_back(w):
    db = w.db
    stock_lot(db, "BT-400", "A-01-01", 3, "400")
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "BT-400", "qty": 1}])
    assert err.value.code == "old_part_tag_required" and err.value.params["sku"] == "BT-400"
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li", reference="JC-9",
                               lines=[{"sku": "BT-400", "qty": 1}],
                               old_part_tags={"bt-400": "OLD-0001"})
    assert view.lines[0].old_part_tag == "OLD-0001"
    register = issuing.list_old_parts(db)
    assert register[["tag", "sku", "issue_number", "reference"]].values.tolist() == [
        ["OLD-0001", "BT-400", view.number, "JC-9"]]
    # the same tag cannot be handed in twice while the first is still held
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "BT-400", "qty": 1}],
                            old_part_tags={"BT-400": "OLD-0001"})
    assert err.value.code == "old_part_tag_in_use"
    with pytest.raises(PermissionDenied):
        issuing.hand_back_old_part(db, actor="finance", tag="OLD-0001")
    issuing.hand_back_old_part(db, actor="keeper", tag="OLD-0001", handed_to="Owner Chen")
    assert issuing.list_old_parts(db).empty
    everything = issuing.list_old_parts(db, outstanding_only=False)
    assert everything["handed_to"].tolist() == ["Owner Chen"]
    assert everything["handed_back_at"].notna().all()
    with pytest.raises(NotFound):
        issuing.hand_back_old_part(db, actor="keeper", tag="OLD-0001")


def test_return_to_stock_goes_back_into_the_lots_at_their_cost(w):
    db = w.db
    a, b, c = three_lots(db)
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 9}])   # L1 4, L2 3, L3 2
    back = issuing.return_to_stock(db, actor="keeper", issue_number=view.number,
                                   sku="OF-100", qty=3)
    assert back.number == "RET-2026-11-0001"
    # newest lot consumed is refilled first, each at its own cost
    assert [(x.lot_no, x.qty, x.unit_cost) for x in back.lots] == [
        ("L3", 2, Decimal("12")), ("L2", 1, Decimal("11.5"))]
    assert back.total_cost == Decimal("35.5")
    assert (lot_qty(db, a), lot_qty(db, b), lot_qty(db, c)) == (0, 1, 5)
    assert reports.check_consistency(db) == []
    rows = {r["sku"]: r for r in issuing.returnable(db, view.number)}
    assert (rows["OF-100"]["returned"], rows["OF-100"]["returnable"]) == (3, 6)
    with pytest.raises(ValidationError) as err:
        issuing.return_to_stock(db, actor="keeper", issue_number=view.number, sku="OF-100",
                                qty=7)
    assert err.value.code == "return_exceeds_issued"
    assert err.value.params == {"field": "qty", "sku": "OF-100", "issued": 9, "returned": 3,
                                "requested": 7}
    issuing.return_to_stock(db, actor="keeper", issue_number=view.number, sku="OF-100", qty=6)
    assert (lot_qty(db, a), lot_qty(db, b), lot_qty(db, c)) == (4, 3, 5)
    with pytest.raises(ValidationError):
        issuing.return_to_stock(db, actor="keeper", issue_number=view.number, sku="OF-100",
                                qty="0.001")
    with pytest.raises(ValidationError) as err:
        issuing.return_to_stock(db, actor="keeper", issue_number=view.number, sku="BP-200",
                                qty=1)
    assert err.value.code == "not_on_issue"
    with pytest.raises(NotFound):
        issuing.return_to_stock(db, actor="keeper", issue_number="ISS-0000", sku="OF-100",
                                qty=1)
    assert len(issuing.list_returns(db, issue_number=view.number)) == 2


def test_transfer_between_bins_and_warehouses_keeps_lot_identity(w):
    db = w.db
    a, b, c = three_lots(db)         # A-01-01: L1 4 @10 (oldest), L2 3 @11.5
    t = issuing.transfer(db, actor="keeper", sku="OF-100", qty=5, from_location="A-01-01",
                         to_location="w2-01-01")
    assert t.number == "TRF-2026-11-0001"
    assert [(x.lot_no, x.qty) for x in t.lots] == [("L1", 4), ("L2", 1)]
    assert t.total_cost == Decimal("51.5")
    with db.read() as session:
        w2 = session.scalar(select(Location.id).where(Location.code == "W2-01-01"))
        moved = session.scalars(select(Lot).where(Lot.location_id == w2).order_by(Lot.id)).all()
        originals = {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_([a, b])))}
        assert [(l.lot_no, l.qty_on_hand, l.unit_cost, l.received_at, l.origin_lot_id)
                for l in moved] == [
            ("L1", 4, Decimal("10"), originals[a].received_at, a),
            ("L2", 1, Decimal("11.5"), originals[b].received_at, b)]
    assert reports.check_consistency(db) == []
    # FIFO across locations still follows received time: the moved L1 goes out first
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 5}])
    assert [(x.lot_no, x.location, x.qty) for x in view.lines[0].allocations] == [
        ("L1", "W2-01-01", 4), ("L2", "A-01-01", 1)]
    with pytest.raises(InsufficientStock) as err:
        issuing.transfer(db, actor="keeper", sku="OF-100", qty=9, from_location="A-01-01",
                         to_location="A-01-02")
    assert err.value.params["location"] == "A-01-01"
    with pytest.raises(ValidationError) as err:
        issuing.transfer(db, actor="keeper", sku="OF-100", qty=1, from_location="A-01-01",
                         to_location="A-01-01")
    assert err.value.code == "same_location"
    with pytest.raises(ValidationError) as err:
        issuing.transfer(db, actor="keeper", sku="OF-100", qty=1, from_location="A-01-02",
                         to_location="QUAR-01")
    assert err.value.code == "transfer_to_quarantine"
    with pytest.raises(PermissionDenied):
        issuing.transfer(db, actor="receiver", sku="OF-100", qty=1, from_location="A-01-02",
                         to_location="A-01-01")
    assert issuing.list_transfers(db)["number"].tolist() == ["TRF-2026-11-0001"]


def test_transfer_to_hold_area_puts_stock_on_hold_and_scrap_issue_takes_it(w):
    db = w.db
    stock_lot(db, "CL-300", "B-01-01", 4, "10", lot_no="OLD", received_at=utc(2025, 1, 1),
              expiry_date=date(2026, 10, 1))
    t = issuing.transfer(db, actor="keeper", sku="CL-300", qty=4, from_location="B-01-01",
                         to_location="HOLD-01")
    assert [x.lot_no for x in t.lots] == ["OLD"]
    with pytest.raises(InsufficientStock):
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "CL-300", "qty": 1}])
    scrap = issuing.issue_stock(db, actor="supervisor", requested_by="Li", purpose="scrap",
                                stock="bad", lines=[{"sku": "CL-300", "qty": 4}])
    assert scrap.total_cost == Decimal("40")
    assert issuing.stock_locations(db, "CL-300") == []


def test_frozen_location_refuses_issue_instead_of_rerouting(w):
    db = w.db
    a, b, c = three_lots(db)
    with db.engine.begin() as conn:
        conn.execute(update(Location).where(Location.code == "A-01-01")
                     .values(frozen_by_stocktake_id=99))
    preview = issuing.preview_issue(db, lines=[{"sku": "OF-100", "qty": 1}])
    assert preview.lines[0].frozen and not preview.ok
    with pytest.raises(StockFrozen):
        issuing.issue_stock(db, actor="keeper", requested_by="Li",
                            lines=[{"sku": "OF-100", "qty": 1}])
    assert lot_qty(db, c) == 5 and count(db, Issue) == 0
    with pytest.raises(StockFrozen):
        issuing.transfer(db, actor="keeper", sku="OF-100", qty=1, from_location="A-01-02",
                         to_location="A-01-01")


def test_request_id_issues_once(w):
    db = w.db
    stock_lot(db, "OF-100", "A-01-01", 10, "10")
    first = issuing.issue_stock(db, actor="keeper", requested_by="Li", request_id="tab-1-abc",
                                lines=[{"sku": "OF-100", "qty": 2}])
    again = issuing.issue_stock(db, actor="keeper", requested_by="Li", request_id="tab-1-abc",
                                lines=[{"sku": "OF-100", "qty": 2}])
    assert again.replayed and not first.replayed
    assert again.number == first.number and again.total_cost == first.total_cost
    assert again.lines == first.lines
    assert count(db, Issue) == 1
    assert issuing.stock_locations(db, "OF-100")[0]["qty"] == 8
    back1 = issuing.return_to_stock(db, actor="keeper", issue_number=first.number,
                                    sku="OF-100", qty=1, request_id="ret-1")
    back2 = issuing.return_to_stock(db, actor="keeper", issue_number=first.number,
                                    sku="OF-100", qty=1, request_id="ret-1")
    assert back2.replayed and back2.number == back1.number
    t1 = issuing.transfer(db, actor="keeper", sku="OF-100", qty=1, from_location="A-01-01",
                          to_location="A-01-02", request_id="trf-1")
    t2 = issuing.transfer(db, actor="keeper", sku="OF-100", qty=1, from_location="A-01-01",
                          to_location="A-01-02", request_id="trf-1")
    assert t2.replayed and t2.number == t1.number
    assert issuing.stock_locations(db, "OF-100")[0]["qty"] == 8


def test_low_stock_warning_after_issue(w):
    db = w.db
    stock_lot(db, "OF-100", "A-01-01", 7, "10")          # reorder level 5
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 2}])
    assert view.low_stock == ()
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 1}])
    assert [(x.sku, x.available, x.reorder_level) for x in view.low_stock] == [("OF-100", 4, 5)]


def test_issue_list_search_and_slip(w):
    db = w.db
    three_lots(db)
    stock_lot(db, "BP-200", "A-01-01", 5, "30")
    one = issuing.issue_stock(db, actor="keeper", requested_by="Mechanic Li",
                              reference="JC-1001", lines=[{"sku": "OF-100", "qty": 5}])
    clock.set_now(NOW + timedelta(days=1))
    two = issuing.issue_stock(db, actor="keeper", requested_by="Wang", reference="SO-5",
                              purpose="sale", lines=[{"sku": "BP-200", "qty": 1}])
    frame, total = issuing.list_issues(db)
    assert total == 2 and frame["number"].tolist() == [two.number, one.number]
    assert issuing.list_issues(db, search="jc-10")[0]["number"].tolist() == [one.number]
    assert issuing.list_issues(db, search="bp-200")[0]["number"].tolist() == [two.number]
    assert issuing.list_issues(db, search="wang")[1] == 1
    assert issuing.list_issues(db, purpose="sale")[1] == 1
    local_day = clock.to_local(one.at).date()
    assert one.number in issuing.list_issues(db, start=local_day, end=local_day)[0][
        "number"].tolist()
    slip = issuing.issue_slip_frame(issuing.get_issue(db, one.number))
    assert slip[["lot_no", "qty", "unit_cost", "value"]].values.tolist() == [
        ["L1", 4, Decimal("10"), Decimal("40")], ["L2", 1, Decimal("11.5"), Decimal("11.5")]]
    with pytest.raises(NotFound):
        issuing.get_issue(db, "ISS-1999-01-0001")


def test_tool_loans_lend_return_overdue(w):
    db = w.db
    with pytest.raises(PermissionDenied):
        issuing.create_tool(db, actor="keeper", code="TW-1", name="Torque wrench")
    issuing.create_tool(db, actor="supervisor", code="tw-1", name="Torque wrench")
    issuing.create_tool(db, actor="admin", code="JACK-2", name="Trolley jack")
    today = clock.today()
    loan = issuing.lend_tool(db, actor="keeper", tool="TW-1", borrower="Mechanic Li",
                             due_date=today + timedelta(days=2))
    assert loan.startswith("TL-2026-11-")
    with pytest.raises(ValidationError) as err:
        issuing.lend_tool(db, actor="keeper", tool="TW-1", borrower="Wang", due_date=today)
    assert err.value.code == "tool_on_loan"
    with pytest.raises(ValidationError) as err:
        issuing.lend_tool(db, actor="keeper", tool="JACK-2", borrower="Wang",
                          due_date=today - timedelta(days=1))
    assert err.value.code == "due_date_past"
    assert issuing.overdue_tool_loans(db).empty
    clock.set_now(NOW + timedelta(days=5))
    late = issuing.overdue_tool_loans(db)
    assert late[["number", "tool", "days_overdue"]].values.tolist() == [[loan, "TW-1", 3]]
    with pytest.raises(ValidationError):          # damage needs a note
        issuing.return_tool(db, actor="keeper", loan=loan, damaged=True)
    issuing.return_tool(db, actor="keeper", loan=loan, damaged=True, note="handle cracked")
    assert issuing.overdue_tool_loans(db).empty
    with pytest.raises(ValidationError) as err:
        issuing.return_tool(db, actor="keeper", loan=loan)
    assert err.value.code == "loan_already_returned"
    tools = {t["code"]: t for t in issuing.list_tools(db)}
    assert tools["TW-1"]["active"] is False and tools["JACK-2"]["on_loan"] is False
    with pytest.raises(ValidationError) as err:
        issuing.lend_tool(db, actor="keeper", tool="TW-1", borrower="Wang",
                          due_date=clock.today())
    assert err.value.code == "tool_inactive"


def test_every_error_code_is_translated():
    from ui.i18n import catalogue

    import importlib
    import inspect
    import re

    import pkgutil

    source = "\n".join(inspect.getsource(importlib.import_module(f"services.issuing.{m.name}"))
                       for m in pkgutil.iter_modules(issuing.__path__))
    codes = set(re.findall(r'(?:ValidationError|ApprovalRequired|PermissionDenied)\("(\w+)"',
                           source))
    fields = set(re.findall(r'field="(\w+)"', source))
    cat = catalogue()
    assert codes and {c for c in codes if f"error.{c}" not in cat} == set()
    assert {f for f in fields if f"field.{f}" not in cat} == set()
    for purpose in issuing.PURPOSES:
        assert f"purpose.{purpose}" in cat
