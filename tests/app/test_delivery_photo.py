"""Receiving from a photographed delivery note (AppTest): choose the photo, read it,
confirm the marked cells, start the receipt; the photo is kept with the receipt."""
from decimal import Decimal

import pytest

from services import receiving
from services.photo import evidence
from tests.app.helpers import app_for, assert_no_exception
from tests.data.photos.corpus import photo_of_note
from tests.factories import make_approved_po

PO = "PO-2026-11-0001"
LINES = [("OF-100", "机油滤清器", "W712/75", "20", "25.00"),
         ("BP-200", "刹车片", "前轮 GDB1330", "10", "180.00"),
         ("CL-300", "离合器片", "CL-300A", "12", "68.00")]


@pytest.fixture
def app_db(sqlite_db):
    from tests.factories import build_world

    build_world(sqlite_db)
    make_approved_po(sqlite_db, [(sku, int(qty), price) for sku, _n, _s, qty, price in LINES],
                     number=PO)
    return sqlite_db


def note_photo() -> bytes:
    lines = [{"sku": sku, "name": name, "spec": spec, "unit": "个", "qty": qty,
              "unit_price": price, "amount": f"{Decimal(qty) * Decimal(price):.2f}"}
             for sku, name, spec, qty, price in LINES]
    lines[1]["amount"] = "1900.00"      # printed wrong: 10 × 180 is 1800, so it is marked
    return photo_of_note(lines, note_no="SH2611-0042", po_number=PO, supplier="广州顺达汽配有限公司")


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_photo_to_started_receipt(app_db):
    db = app_db
    photo = note_photo()
    at = app_for(db, "receiver", page="pages/receiving.py", timeout=180).run()
    assert_no_exception(at)
    at.file_uploader(key="rcv_photo_upload").upload("IMG_2041.jpg", photo, "image/jpeg").run()
    assert_no_exception(at)
    button(at, "Read the photos").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    note_inputs = [w for w in at.text_input if w.key and w.key.startswith("rcv_note_")]
    assert note_inputs[0].value == "SH2611-0042"           # from the header block
    # The amount that fails qty × price is marked; starting is refused until confirmed.
    confirm = [c for c in at.checkbox if c.key and c.key.startswith("rcv_photo_ok_")]
    assert len(confirm) == 1
    button(at, "Start checking").click().run()
    assert any("Confirm the marked cells" in e.value for e in at.error)
    assert "rcv_current" not in at.session_state
    at.checkbox(key=confirm[0].key).check()
    button(at, "Start checking").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    grn = at.session_state["rcv_current"]
    view = receiving.get_receipt(db, grn)
    assert view.delivery_note_no == "SH2611-0042" and view.po_number == PO
    assert [(ln.sku, ln.note_qty) for ln in view.lines] == [
        (sku, Decimal(qty)) for sku, _n, _s, qty, _p in LINES]
    # kept once, cleaned (re-encoded JPEG, no EXIF), not the raw upload
    ((name, kept),) = evidence.receipt_photos(db, grn)
    assert name == "IMG_2041.jpg" and kept.startswith(b"\xff\xd8") and kept != photo
    # Viewable later on the receipt screen.
    at.run()
    assert_no_exception(at)
    assert any("Photos of the delivery note" in e.label for e in at.expander)
