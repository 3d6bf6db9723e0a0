"""A receiver photographs a paper delivery note with the tablet camera (Chromium's
fake camera plays a generated photo of a 随货同行联), reads it, confirms, and starts
checking: the receipt has the note's lines and keeps the photo. Tablet sizes."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from services import purchasing, receiving
from services.photo import evidence
from tests.data.photos.corpus import photo_of_note, y4m_of
from tests.e2e.browser import (act, assert_healthy_screen, by_key, login, open_page, track,
                              wait_runs, wait_text)
from tests.e2e.conftest import (ARTIFACTS, TABLET_SIZES, camera_shows_picture,
                                launch_camera_browser, screenshot)
from ui.i18n import translate

pytestmark = pytest.mark.e2e
LINES = [("OF-COR", "机油滤清器", "90915-YZZD2", "15", "28.50", "L261101", "2029-06-30"),
         ("FL-COOL-4L", "防冻液", "4L -35℃", "6", "68.00", "L261102", "2028-12-31")]


def en(key: str, **params) -> str:
    return translate(key, "en", **params)


@pytest.fixture(scope="module")
def camera_browser(tmp_path_factory, browser, server):
    """Chromium whose camera shows a photographed delivery note."""

    lines = [{"sku": sku, "name": name, "spec": spec, "unit": "个", "qty": qty,
              "unit_price": price, "amount": f"{Decimal(qty) * Decimal(price):.2f}",
              "lot_no": lot, "expiry_date": expiry}
             for sku, name, spec, qty, price, lot, expiry in LINES]
    photo = photo_of_note(lines, note_no="SH-CAM-0007", po_number="PO-E2E-CAMERA",
                          supplier="广州丰田配件有限公司", layout="suihuo", seed="camera")
    video = tmp_path_factory.mktemp("camera") / "note.y4m"
    video.write_bytes(y4m_of(photo))
    instance = launch_camera_browser(browser, video, server)
    yield instance
    instance.close()


@pytest.mark.parametrize("orientation", ["portrait"])
def test_photograph_note_and_start_checking(server, demo_db, camera_browser, orientation):
    po = purchasing.create_purchase_order(
        demo_db, actor="zhoujing", supplier="SUP-TYT", number="PO-E2E-CAMERA",
        lines=[{"sku": sku, "qty": int(qty), "unit_price": price}
               for sku, _n, _s, qty, price, _l, _e in LINES])
    purchasing.approve_purchase_order(demo_db, actor="gm", number=po)
    width, height = TABLET_SIZES[orientation]
    context = camera_browser.new_context(viewport={"width": width, "height": height},
                                         has_touch=True, locale="en-US",
                                         permissions=["camera"])
    page = context.new_page()
    page.orientation = orientation
    track(page)
    try:
        login(page, server, "liwei")
        open_page(page, en("nav.receiving"))
        page.get_by_text(en("photo.title")).click()
        act(page, page.get_by_text(en("photo.use_camera")).click)
        take = page.get_by_role("button", name=re.compile("Take Photo", re.I))
        expect(take).to_be_enabled()
        if not camera_shows_picture(page.get_by_test_id("stCameraInput")):
            # the test machine's fake camera, not the product: said, never passed
            pytest.xfail("Chromium's fake camera showed no picture within 30 s")
        _take_photo(page, take)
        act(page, by_key(page, "rcv_photo_add").get_by_role("button").click)
        wait_text(page, en("photo.pages", count=1))
        act(page, by_key(page, "rcv_photo_read").get_by_role("button").click, timeout=180)
        wait_text(page, re.compile(r"^2 lines read"))
        expect(page.locator('[class*="st-key-rcv_note_"] input')).to_have_value("SH-CAM-0007")
        assert_healthy_screen(page)
        screenshot(page, "receive-photo-read")
        confirm = page.locator('[class*="st-key-rcv_photo_ok_"]')
        if confirm.count():
            act(page, confirm.locator("label").first.click)
        act(page, page.get_by_role("button", name=en("rcv.start")).click)
        wait_text(page, re.compile(r"GRN-\d{4}-\d{2}-\d{4}"))
        screenshot(page, "receive-photo-started")
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)          # what the screen showed when it failed
        page.screenshot(path=str(ARTIFACTS / f"FAILED-photo-camera-{orientation}.png"))
        raise
    finally:
        context.close()
    grn = next(r["number"] for r in receiving.list_receipts(demo_db, po_number=po))
    view = receiving.get_receipt(demo_db, grn)
    assert view.delivery_note_no == "SH-CAM-0007"
    assert [(ln.sku, ln.note_qty, ln.lot_no) for ln in view.lines] == [
        (sku, Decimal(qty), lot) for sku, _n, _s, qty, _p, lot, _e in LINES]
    assert [name for name, _data in evidence.receipt_photos(demo_db, grn)] == ["camera-1.jpg"]


def _take_photo(page, take) -> None:
    """Tap the shutter until the photo reaches the server (on a loaded machine the fake
    camera sometimes hands the page no frame for a tap, and nothing is sent)."""
    before = page.runs.finished
    for attempt in range(3):
        take.click()
        try:
            wait_runs(page, before, 20)
            return
        except TimeoutError:
            if attempt == 2:
                raise

