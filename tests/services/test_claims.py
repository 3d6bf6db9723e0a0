"""Claims: raised by refusals (and, in test_claims_receiving, by posting), every
transition and who may make it, deadlines in working days, the timeline."""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services import attachments, calendar, claims
from services import receiving
from services.errors import (
    ApprovalRequired,
    Duplicate,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from services.reports import check_consistency
from tests.factories import PASSWORD, make_approved_po, unique, utc
from tests.photos import carton_jpeg

SH = ZoneInfo("Asia/Shanghai")
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def shanghai(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")


def refuse(db, *, actor="receiver", po=None, note=None, photos=()):
    po = po or make_approved_po(db)
    number = receiving.refuse_delivery(
        db, actor=actor, po_number=po, delivery_note_no=note or unique("DN-"),
        reason="outer carton crushed", photos=photos, driver_name="Wang Wei")
    frame = claims.list_claims(db)
    return number, frame.iloc[0]["number"], po


def test_refusal_books_nothing_and_raises_a_claim_for_purchasing(world):
    db = world.db
    clock_now = utc(2026, 12, 1, 2)
    from services import clock

    clock.set_now(clock_now)
    refusal, number, po = refuse(db, photos=[("crushed.jpg", carton_jpeg())])
    claim = claims.get_claim(db, number)
    assert (claim.kind, claim.status, claim.owner) == ("refused", "open", "purchasing")
    assert claim.refusal == refusal and claim.po_number == po and claim.supplier == "SUP1"
    assert len(claim.photos) == 1 and claim.photos[0].stage == "refusal"
    assert [e.to_status for e in claim.events] == ["open"]
    assert claim.events[0].note == "outer carton crushed"
    rows = receiving.list_refusals(db)
    assert rows[0]["driver_name"] == "Wang Wei" and rows[0]["number"] == refusal
    from services import reports

    assert reports.stock_on_hand(db).empty
    assert check_consistency(db) == []


def test_refusal_permissions_and_input(world):
    db = world.db
    po = make_approved_po(db)
    for actor in ("purchasing", "finance", "qc", "nobody"):
        with pytest.raises(PermissionDenied):
            receiving.refuse_delivery(db, actor=actor, po_number=po, delivery_note_no="DN-1",
                                     reason="crushed")
    with pytest.raises(ValidationError) as err:
        receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no="DN-1",
                                 reason=" ")
    assert err.value.params["field"] == "reason"
    with pytest.raises(ValidationError):    # a bad photo: nothing written
        receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no="DN-1",
                                 reason="crushed", photos=[("x.jpg", b"not an image")])
    with pytest.raises(NotFound):
        receiving.refuse_delivery(db, actor="receiver", po_number="PO-NONE",
                                 delivery_note_no="DN-1", reason="crushed")
    assert claims.list_claims(db).empty and receiving.list_refusals(db) == []


def test_a_note_already_being_received_cannot_be_refused(world):
    from services import receiving

    db = world.db
    po = make_approved_po(db)
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                  lines=[{"sku": "OF-100", "qty": 10}])
    with pytest.raises(Duplicate) as err:
        receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                 reason="crushed")
    assert err.value.params["grn"] == grn


def test_due_one_working_day_later_across_weekend_and_holiday(world):
    from services import clock

    db = world.db
    calendar.set_day(db, actor="admin", day=date(2026, 12, 7), kind="holiday", name="Test day")
    clock.set_now(FRIDAY_3PM.astimezone(ZoneInfo("UTC")))
    _, number, _ = refuse(db)
    claim = claims.get_claim(db, number)
    # Friday 15:00 -> (weekend, Monday holiday) -> Tuesday 15:00 local
    assert claim.due_at.astimezone(SH) == datetime(2026, 12, 8, 15, 0, tzinfo=SH)
    clock.set_now(datetime(2026, 12, 8, 14, 59, tzinfo=SH))
    assert claims.list_claims(db, overdue=True).empty
    clock.set_now(datetime(2026, 12, 8, 15, 1, tzinfo=SH))
    overdue = claims.list_claims(db, overdue=True)
    assert list(overdue["number"]) == [number]
    assert overdue.iloc[0]["age_hours"] == 96
    # each step is due one working day after it was taken
    claims.update_claim(db, actor="purchasing", number=number, status="with_supplier")
    assert claims.get_claim(db, number).due_at.astimezone(SH) == \
        datetime(2026, 12, 9, 15, 1, tzinfo=SH)
    assert claims.list_claims(db, overdue=True).empty


def test_calendar_is_maintained_by_admin_only(world):
    db = world.db
    with pytest.raises(PermissionDenied):
        calendar.set_day(db, actor="supervisor", day="2026-12-07", kind="holiday")
    with pytest.raises(ValidationError):
        calendar.set_day(db, actor="admin", day="2026-13-07", kind="holiday")
    calendar.set_day(db, actor="admin", day="2026-12-05", kind="workday", name="调休")
    calendar.set_day(db, actor="admin", day="2026-12-07", kind="holiday")
    assert [(d["day"], d["kind"]) for d in calendar.list_days(db, year=2026)] == [
        (date(2026, 12, 5), "workday"), (date(2026, 12, 7), "holiday")]
    calendar.set_day(db, actor="admin", day="2026-12-07", kind="normal")
    assert len(calendar.list_days(db)) == 1


# --- transitions and roles -------------------------------------------------------------
def test_credit_note_path_with_timeline_and_owner(world):
    db = world.db
    _, number, _ = refuse(db)
    with pytest.raises(PermissionDenied):
        claims.update_claim(db, actor="receiver", number=number, status="with_supplier")
    assert claims.get_claim(db, number).owner == "purchasing"     # the team, by default
    claims.update_claim(db, actor="purchasing2", number=number, status="with_supplier",
                        note="emailed Parts Co")
    with pytest.raises(ValidationError) as err:
        claims.update_claim(db, actor="purchasing2", number=number, status="credited")
    assert err.value.params["field"] == "credit_amount"
    with pytest.raises(ValidationError):
        claims.update_claim(db, actor="purchasing2", number=number, status="credited",
                            credit_amount=1.5)
    view = claims.update_claim(db, actor="purchasing2", number=number, status="credited",
                               credit_amount="125.50", note="credit note CN-778")
    assert view.status == "credited" and view.credit_amount == Decimal("125.50")
    assert view.owner == "purchasing2"      # the first buyer who acted owns it
    with pytest.raises(PermissionDenied):
        claims.update_claim(db, actor="finance", number=number, status="closed")
    claims.update_claim(db, actor="manager", number=number, status="closed")
    view = claims.get_claim(db, number)
    assert [(e.from_status, e.to_status, e.actor) for e in view.events] == [
        ("", "open", "receiver"), ("open", "with_supplier", "purchasing2"),
        ("with_supplier", "credited", "purchasing2"), ("credited", "closed", "manager")]
    assert view.events[2].credit_amount == Decimal("125.50")
    assert view.closed_at is not None and not view.overdue
    with pytest.raises(InvalidState):
        claims.update_claim(db, actor="purchasing", number=number, status="with_supplier")
    assert check_consistency(db) == []


@pytest.mark.parametrize("start,target", [
    ("open", "closed"), ("open", "open"), ("open", "replaced"),
    ("with_supplier", "with_supplier"), ("with_supplier", "open"),
    ("with_supplier", "closed"), ("with_supplier", "replaced"), ("credited", "written_off"),
    ("credited", "returned"),
])
def test_transitions_refused(world, start, target):
    db = world.db
    _, number, _ = refuse(db)
    if start == "with_supplier":
        claims.update_claim(db, actor="purchasing", number=number, status="with_supplier")
    if start == "credited":
        claims.update_claim(db, actor="purchasing", number=number, status="credited",
                            credit_amount="1")
    extra = ({"note": "gone", "approved_by": "manager", "approver_password": PASSWORD}
             if target == "written_off" else {})
    with pytest.raises(InvalidState):
        claims.update_claim(db, actor="purchasing", number=number, status=target, **extra)
    assert claims.get_claim(db, number).status == start


def test_write_off_needs_a_managers_password(world):
    db = world.db
    _, number, _ = refuse(db)
    with pytest.raises(ValidationError):     # a reason is required
        claims.update_claim(db, actor="purchasing", number=number, status="written_off",
                            approved_by="manager", approver_password=PASSWORD)
    with pytest.raises(ApprovalRequired):
        claims.update_claim(db, actor="purchasing", number=number, status="written_off",
                            note="supplier gone")
    with pytest.raises(PermissionDenied) as err:
        claims.update_claim(db, actor="purchasing", number=number, status="written_off",
                            note="supplier gone", approved_by="manager",
                            approver_password="wrong")
    assert err.value.code == "approver_auth_failed"
    with pytest.raises(PermissionDenied) as err:
        claims.update_claim(db, actor="purchasing", number=number, status="written_off",
                            note="supplier gone", approved_by="supervisor",
                            approver_password=PASSWORD)
    assert err.value.code == "claim_approver_role"
    with pytest.raises(PermissionDenied):    # a receiver may not write off
        claims.update_claim(db, actor="receiver", number=number, status="written_off",
                            note="x", approved_by="manager", approver_password=PASSWORD)
    assert claims.get_claim(db, number).status == "open"
    view = claims.update_claim(db, actor="supervisor", number=number, status="written_off",
                               note="supplier gone", approved_by="manager",
                               approver_password=PASSWORD)
    assert view.status == "written_off" and view.events[-1].approved_by == "manager"
    claims.update_claim(db, actor="purchasing", number=number, status="closed")


def test_manager_cannot_approve_own_write_off(world):
    from tests.factories import add_users

    db = world.db
    add_users(db, {"buyerboss": ["purchasing", "manager"]})
    _, number, _ = refuse(db)
    with pytest.raises(ValidationError) as err:
        claims.update_claim(db, actor="buyerboss", number=number, status="written_off",
                            note="x", approved_by="buyerboss", approver_password=PASSWORD)
    assert err.value.code == "approver_same_user"


def test_list_filters(world):
    db = world.db
    _, first, _ = refuse(db)
    po2 = make_approved_po(db, supplier="SUP2")
    _, second, _ = refuse(db, po=po2)
    claims.update_claim(db, actor="purchasing", number=second, status="with_supplier")
    assert list(claims.list_claims(db, supplier="SUP2")["number"]) == [second]
    assert list(claims.list_claims(db, status="open")["number"]) == [first]
    assert set(claims.list_claims(db, status="not_closed")["number"]) == {first, second}
    with pytest.raises(ValidationError):
        claims.list_claims(db, status="bogus")
    with pytest.raises(NotFound):
        claims.get_claim(db, "CLM-NONE")


# --- photos on a claim ---------------------------------------------------------------
def test_claim_photos_until_closed(world):
    db = world.db
    _, number, _ = refuse(db)
    with pytest.raises(PermissionDenied):
        attachments.add_photo(db, actor="finance", document=number, data=carton_jpeg(),
                              filename="a.jpg")
    attachments.add_photo(db, actor="purchasing", document=number, data=carton_jpeg(),
                          filename="supplier-reply.png")
    with pytest.raises(Duplicate):
        attachments.add_photo(db, actor="purchasing", document=number, data=carton_jpeg(),
                              filename="again.jpg")
    claims.update_claim(db, actor="purchasing", number=number, status="credited",
                        credit_amount="10")
    claims.update_claim(db, actor="purchasing", number=number, status="closed")
    with pytest.raises(InvalidState):
        attachments.add_photo(db, actor="purchasing", document=number,
                              data=carton_jpeg(colour=(1, 2, 3)), filename="late.jpg")
    photos = claims.get_claim(db, number).photos
    assert [p.filename for p in photos] == ["supplier-reply.jpg"]
