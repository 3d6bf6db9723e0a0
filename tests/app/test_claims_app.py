"""Evidence and claims on screen (AppTest): a receiver photographs a crushed carton
with the camera and refuses the delivery; purchasing sees the claim with its photo
on the home screen, records the credit note; photos on a receipt line by upload;
the working-day calendar page."""
from decimal import Decimal

import pytest

from services import attachments, claims, reports
from services import receiving
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import make_approved_po
from tests.photos import carton_jpeg, png_bytes

PO = "PO-2026-11-0001"


@pytest.fixture
def app_db(sqlite_db):
    from tests.factories import build_world

    build_world(sqlite_db)
    make_approved_po(sqlite_db, [("OF-100", 20, "25")], number=PO)
    return sqlite_db


def button(at, label):
    return next(b for b in at.button if b.label == label)


def ok(at):
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]


def test_refuse_with_a_camera_photo_then_purchasing_credits_it(app_db):
    db = app_db
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    ok(at)
    at.selectbox(key="rcv_po").set_value(PO).run()
    note = next(w for w in at.text_input if w.key and w.key.startswith("rcv_note_"))
    note.input("DN-CRUSH-1").run()
    at.selectbox(key="rfd_reason").set_value("packaging_damaged")
    at.text_input(key="rfd_driver").input("Li Lei")
    at.segmented_control(key="rfd_photos_source").set_value("camera").run()
    ok(at)
    at.camera_input(key="rfd_photos_camera").upload("shot.jpg", carton_jpeg()).run()
    ok(at)
    assert any("1 photo" in c.value for c in at.caption)
    button(at, "Refuse the delivery").click().run()
    ok(at)
    assert any("Refused delivery RFD-" in s.value for s in at.success)
    [refusal] = receiving.list_refusals(db)
    assert (refusal["driver_name"], refusal["delivery_note_no"]) == ("Li Lei", "DN-CRUSH-1")
    frame = claims.list_claims(db)
    number = frame.iloc[0]["number"]
    view = claims.get_claim(db, number)
    assert view.kind == "refused" and len(view.photos) == 1
    assert reports.stock_on_hand(db).empty

    # purchasing: the claim and its photo on the home screen
    home = app_for(db, "purchasing", page="pages/home.py").run()
    ok(home)
    assert any(m.label == "Overdue claims" for m in home.metric)
    assert any(number in c.value for c in home.caption)
    assert len(home.get("image")) >= 1          # the photo's thumbnail

    # ... opens it and records the supplier's credit note
    page = app_for(db, "purchasing", page="pages/claims.py").run()
    ok(page)
    page.selectbox(key="claims_pick").set_value(number).run()
    ok(page)
    form_select = next(s for s in page.selectbox if s.label == "Move to")
    form_select.set_value("credited")
    next(w for w in page.text_input if w.label.startswith("Credit note amount")).input("150.00")
    next(w for w in page.text_area if w.label == "Note").input("CN-2026-118")
    button(page, "Save").click().run()
    ok(page)
    view = claims.get_claim(db, number)
    assert view.status == "credited" and view.credit_amount == Decimal("150.00")
    assert view.owner == "purchasing"
    assert reports.check_consistency(db) == []


def test_overdue_claim_red_with_age_for_supervisor(app_db):
    from services import clock
    from tests.factories import utc

    db = app_db
    clock.set_now(utc(2026, 11, 2, 2))       # Monday
    receiving.refuse_delivery(db, actor="receiver", po_number=PO, delivery_note_no="DN-1",
                             reason="crushed")
    clock.set_now(utc(2026, 11, 4, 5))       # Wednesday: past Tuesday's deadline
    at = app_for(db, "supervisor", page="pages/home.py").run()
    ok(at)
    tile = next(m for m in at.metric if m.label == "Overdue claims")
    assert tile.value == "1" and "2 d 3 h" in tile.proto.delta
    assert any(":red[" in m.value and "2 d 3 h" in m.value for m in at.markdown)
    page = app_for(db, "supervisor", page="pages/claims.py").run()
    assert_no_exception(page)
    assert any("1 claim(s) overdue" in e.value for e in page.error)
    styled = page.dataframe[0].value
    assert list(styled["Age"]) == ["2 d 3 h"]


def test_receipt_line_photo_by_upload_and_thumbnail(app_db):
    db = app_db
    from services import receiving

    grn = receiving.start_receipt(db, actor="receiver", po_number=PO, delivery_note_no="DN-7",
                                  lines=[{"sku": "OF-100", "qty": 5}])
    at = app_for(db, "receiver", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    ok(at)
    key = f"ev_receiving_{grn}_1_add"
    at.segmented_control(key=f"{key}_source").set_value("upload").run()
    at.file_uploader(key=f"{key}_upload").upload("dent.png", png_bytes(), "image/png").run()
    ok(at)
    [photo] = attachments.list_photos(db, grn, line_no=1)
    assert photo.filename == "dent.jpg" and photo.uploaded_by == "receiver"
    assert any(b.key == f"ev_receiving_{grn}_1_open_{photo.id}" for b in at.button)
    # a rerun does not store the same upload twice
    at.run()
    assert len(attachments.list_photos(db, grn)) == 1
    # a file that is not a photo is refused with a translated message
    at.file_uploader(key=f"{key}_upload").upload("x.png", b"not a picture", "image/png").run()
    assert any("not a photo" in e.value for e in at.error)


def test_calendar_page_admin(app_db):
    db = app_db
    at = app_for(db, "admin", page="pages/calendar.py").run()
    ok(at)
    at.date_input[0].set_value("2026-12-07")
    at.selectbox[0].set_value("holiday")
    at.text_input[0].input("Test holiday")
    button(at, "Save").click().run()
    ok(at)
    from services import calendar

    assert calendar.list_days(db)[0]["name"] == "Test holiday"
    zh = app_for(db, "admin", page="pages/calendar.py", lang="zh").run()
    ok(zh)
    assert zh.title[0].value == "工作日历"


def test_scorecard_shows_claims_and_chart(app_db):
    from services import clock, receiving
    from tests.factories import utc

    db = app_db
    clock.set_now(utc(2026, 11, 2, 2))
    receiving.refuse_delivery(db, actor="receiver", po_number=PO, delivery_note_no="DN-R",
                              reason="crushed")
    at = app_for(db, "purchasing", page="pages/report_suppliers.py")
    at.run()
    ok(at)
    assert any(s.value == "Claims by month" for s in at.subheader)
    frame = at.dataframe[0].value
    assert "Refused deliveries" in frame.columns and list(frame["Refused deliveries"]) == [1]
    assert list(frame["Claims"]) == [1]
