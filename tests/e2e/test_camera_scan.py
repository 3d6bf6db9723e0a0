"""A keeper with only a tablet: the camera (Chromium's fake camera playing a video of
a brake-pad box's EAN-13) reads the barcode on the issuing screen, the right item is
picked, and it is issued."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import barcode
import pytest
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from sample_data.catalogue import demo_ean
from services import catalog, issuing, reports
from tests.e2e.browser import TIMEOUT, by_key, click, login, open_page, track, wait_text
from tests.e2e.conftest import (TABLET_SIZES, camera_shows_picture, launch_camera_browser,
                                screenshot)
from ui.i18n import translate

pytestmark = pytest.mark.e2e
SKU = "BPF-LAV"          # front brake pads; the demo gives them an EAN-13
VIDEO_SIZE = (640, 480)


def en(key: str, **params) -> str:
    return translate(key, "en", **params)


def box_photo(code: str) -> Image.Image:
    """A grey "box" with the EAN-13 printed on a white sticker, as a camera sees it."""
    symbol = io.BytesIO()
    barcode.get("ean13", code, writer=ImageWriter()).write(
        symbol, options={"module_width": 0.33, "module_height": 18, "dpi": 200})
    sticker = Image.open(symbol).convert("L")
    sticker.thumbnail((VIDEO_SIZE[0] - 120, VIDEO_SIZE[1] - 140))
    frame = Image.new("L", VIDEO_SIZE, 150)
    ImageDraw.Draw(frame).text((20, 16), "BOSCH brake pads / 刹车片", fill=30)
    frame.paste(sticker, ((VIDEO_SIZE[0] - sticker.width) // 2,
                          (VIDEO_SIZE[1] - sticker.height) // 2))
    return frame


def write_y4m(path, frame: Image.Image, frames: int = 10) -> None:
    """An uncompressed 4:2:0 video of the still frame (Chromium loops it)."""
    width, height = frame.size
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@pytest.fixture(scope="module")
def camera_browser(browser, tmp_path_factory, server):
    """A second Chromium, from the session's Playwright, whose camera plays the video."""
    video = tmp_path_factory.mktemp("camera") / "brake_pads_ean.y4m"
    write_y4m(video, box_photo(demo_ean(SKU)))
    instance = launch_camera_browser(browser, video, server)
    yield instance
    instance.close()


@pytest.mark.parametrize("orientation", list(TABLET_SIZES))
def test_camera_reads_the_ean_on_a_box_of_brake_pads_and_issues_it(
        server, demo_db, camera_browser, orientation):
    db = demo_db
    assert catalog.resolve_code(db, demo_ean(SKU)).sku == SKU
    width, height = TABLET_SIZES[orientation]
    context = camera_browser.new_context(viewport={"width": width, "height": height},
                                         has_touch=True, locale="en-US")
    context.grant_permissions(["camera"], origin=server)
    context.set_default_timeout(TIMEOUT * 1000)
    page = context.new_page()
    page.orientation = orientation
    track(page)
    try:
        before = reports.stock_on_hand(db, sku=SKU)["qty_on_hand"].sum()
        login(page, server, "chenjie")
        open_page(page, en("nav.issuing"))
        by_key(page, "iss_requested_by").locator("input").fill("Mechanic Wu")
        click(page, by_key(page, "iss_scan_camera_on").locator("label").first)
        shutter = by_key(page, "iss_scan_camera_0").get_by_test_id("stCameraInputButton")
        expect(shutter).to_be_enabled()
        if not camera_shows_picture(by_key(page, "iss_scan_camera_0")):
            pytest.xfail("Chromium's fake camera showed no picture within 30 s")
        screenshot(page, "camera-01-viewfinder")
        click(page, shutter)
        wait_text(page, en("scan.read", format="EAN-13", text=demo_ean(SKU)))
        pick = by_key(page, "iss_pick").get_by_role("combobox")
        expect(pick).to_have_value(re.compile(rf"^{SKU} · "))
        expect(by_key(page, "iss_scan").locator("input")).to_have_value(demo_ean(SKU))
        expect(shutter).to_have_count(0)      # the viewfinder closes once a code is read
        screenshot(page, "camera-02-item-found")
        click(page, by_key(page, "iss_add").get_by_role("button"))
        wait_text(page, re.compile(rf"^{SKU} .*: requested 1 "))
        click(page, by_key(page, "iss_confirm").get_by_role("button"))
        posted = wait_text(page, re.compile(r"^Issue slip ISS-\d{4}-\d{2}-\d{4} posted\.$"))
        number = re.search(r"ISS-\d{4}-\d{2}-\d{4}", posted.inner_text()).group(0)
        view = issuing.get_issue(db, number)
        assert [(ln.sku, ln.qty) for ln in view.lines] == [(SKU, Decimal(1))]
        assert reports.stock_on_hand(db, sku=SKU)["qty_on_hand"].sum() == before - 1
        screenshot(page, "camera-03-issued")
        assert reports.check_consistency(db) == []
    finally:
        context.close()
