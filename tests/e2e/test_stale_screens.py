"""Screens that follow actions, in Chromium: after finance taps "Reviewed" the variance
page shows the new status and the next person's buttons in the same interaction (no
reload), and the variance note typed for one line does not carry over to the next."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from services import clock, reports
from services import stocktake as stk
from tests.e2e.browser import act, by_key, choose, click, login, open_page, wait_text
from tests.e2e.conftest import screenshot
from tests.services.test_stocktake import balances, count_zone
from ui.i18n import translate

pytestmark = pytest.mark.e2e
SAMPLES_ZONE = "S 样品 Samples"


def en(key: str, **params) -> str:
    return translate(key, "en", **params)


@pytest.fixture
def counted(demo_db):
    """A stocktake of the samples zone, counted with two lines short and spot-checked;
    cancelled afterwards so the zone is free for the other browser tests."""
    db = demo_db
    number = stk.open_stocktake(db, actor="liuyang", period=clock.today().strftime("%Y-%m"),
                                zones=[SAMPLES_ZONE], allow_open_receipts=True)
    try:
        sheet = {(r["sku"], r["location"]) for r in stk.count_sheet(db, number, SAMPLES_ZONE)}
        truth = {k: v for k, v in balances(db).items() if k in sheet}
        short = sorted(k for k, v in truth.items() if v >= 1)[:2]
        assert len(short) == 2, truth
        for key in short:
            truth[key] -= 1
        count_zone(db, number, SAMPLES_ZONE, truth, actor="wangfang")
        _spot_check(db, number, truth)
        yield number, short
    finally:
        if stk.get_stocktake(db, number).status in stk.LIVE:
            stk.cancel(db, actor="liuyang", stocktake=number, comment="browser test")


def _spot_check(db, number: str, truth: dict) -> None:
    """Finance (wuli) counts the lines picked from the sheets, then shelf picks until
    half the book value is covered."""
    def spot(keys, shelf_pick):
        stk.record_counts(db, actor="wuli", stocktake=number, round="spot",
                          shelf_pick=shelf_pick, counts=[
                              {"sku": s, "location": loc, "qty": truth[(s, loc)]} for s, loc in keys])

    sample = stk.spot_check_sample(db, number)
    picked = [(r["sku"], r["location"]) for r in sample.from_sheet]
    spot(picked, False)
    rest = [key for key in sorted(truth) if key not in picked]
    while stk.spot_check_sample(db, number).coverage < Decimal("0.5") and rest:
        spot(rest[:3], True)
        rest = rest[3:]


def _select(page, key: str, option: re.Pattern) -> None:
    """Pick an option unless it is already the one shown (picking it again would not
    rerun the page)."""
    box = by_key(page, key).get_by_role("combobox")
    if not option.search(box.input_value()):
        box.scroll_into_view_if_needed()
        choose(page, by_key(page, key), option)


def _pick(page, number: str) -> None:
    _select(page, "variance_pick", re.compile(re.escape(number)))


def _line(key) -> re.Pattern:
    return re.compile(rf"^{re.escape(key[0])} @ {re.escape(key[1])} ")


def test_variance_notes_stay_on_their_line_and_the_page_follows_reviewed(
        server, demo_db, tablet, counted):
    page, db = tablet, demo_db
    number, (first, second) = counted
    login(page, server, "liuyang")                 # the supervisor writes the reasons
    open_page(page, en("nav.variance_review"))
    _pick(page, number)
    note = by_key(page, "reason_note").locator("input")
    form = page.locator('[data-testid="stForm"]').filter(has=note)
    _select(page, "reason_line", _line(first))
    note.fill("found behind the shelf")
    click(page, form.get_by_role("button", name=en("common.save")))
    wait_text(page, en("variance.reason_saved"))
    _select(page, "reason_line", _line(second))
    expect(note).to_have_value("")                 # the first line's note did not follow
    note.fill("broken in the drawer")
    click(page, form.get_by_role("button", name=en("common.save")))
    wait_text(page, en("variance.reason_saved"))
    notes = {(r.sku, r.location): r.note for r in stk.variance_report(db, number).itertuples()}
    assert (notes[first], notes[second]) == ("found behind the shelf", "broken in the drawer")
    stk.submit(db, actor="liuyang", stocktake=number)

    login(page, server, "wuli")                    # finance reviews on the same tablet
    open_page(page, en("nav.variance_review"))
    _pick(page, number)
    expect(page.get_by_text(re.compile(en("ststatus.submitted"))).first).to_be_visible()
    screenshot(page, "stale-01-submitted")
    act(page, page.get_by_role("button", name=en("variance.review_button")).click)
    # the same interaction shows the new state: the status, and no "Reviewed" button
    expect(page.get_by_text(re.compile(en("ststatus.reviewed"))).first).to_be_visible()
    expect(page.get_by_role("button", name=en("variance.review_button"))).to_have_count(0)
    screenshot(page, "stale-02-reviewed")
    assert stk.get_stocktake(db, number).status == "reviewed"
    assert reports.check_consistency(db) == []


def test_a_waiting_receiver_sees_the_approval_given_on_another_tablet(server, demo_db,
                                                                       tablet):
    """A line whose price differs from the PO waits for purchasing. The receiver's
    screen says so, and when purchasing approves elsewhere, the screen redraws by itself
    within seconds: the line is approved and Post can be tapped, with nothing touched."""
    from services import purchasing, receiving

    page, db = tablet, demo_db
    tag = page.orientation.upper()
    po = purchasing.create_purchase_order(
        db, actor="zhoujing", supplier="SUP-MAN", number=f"PO-E2E-WAIT-{tag}",
        lines=[{"sku": "AF-SAG", "qty": 4, "unit_price": "30.00"}])
    purchasing.approve_purchase_order(db, actor="gm", number=po)
    grn = receiving.start_receipt(db, actor="liwei", po_number=po,
                                  delivery_note_no=f"DN-E2E-WAIT-{tag}",
                                  lines=[{"sku": "AF-SAG", "qty": 4, "unit_price": "33.00"}])
    receiving.record_count(db, actor="liwei", receipt=grn, line_no=1, counted_qty=4,
                           location="A-01-01")
    assert "PRICE_MISMATCH" in receiving.get_receipt(db, grn).lines[0].needs_approval
    try:
        _watch_the_approval_arrive(page, server, db, grn)
    finally:        # the other browser tests find no open receipt of this one
        receiving.cancel_receipt(db, actor="liwei", receipt=grn, reason="browser test")


def _watch_the_approval_arrive(page, server, db, grn: str) -> None:
    from services import receiving

    login(page, server, "liwei")
    open_page(page, en("nav.receiving"))
    click(page, by_key(page, f"cont_{grn}").get_by_role("button"))
    # (while the page redraws, the old button and the new one are both in the page)
    waiting = page.get_by_role("button", name=en("rcv.post"), disabled=True)
    ready = page.get_by_role("button", name=en("rcv.post"), disabled=False)
    expect(waiting.first).to_be_visible()
    expect(ready).to_have_count(0)
    wait_text(page, re.compile(re.escape(en("rcv.watching", seconds=5))))
    screenshot(page, "stale-03-waiting-for-purchasing")
    receiving.approve_line(db, actor="zhoujing", receipt=grn, line_no=1,
                           flag="PRICE_MISMATCH", note="new price list")   # another tablet
    expect(ready.first).to_be_visible(timeout=20_000)   # no tap: the screen followed
    expect(waiting).to_have_count(0)
    screenshot(page, "stale-04-approved-elsewhere")
