"""The main warehouse flows in Chromium at tablet size (1024×768 landscape, 768×1024
portrait), on the seeded demo database: receive a supplier's delivery sheet with
problem lines, issue a requisition by FIFO, enter stocktake counts, switch to
Chinese. Every screen: no exception, no sideways scrolling, 44 px buttons, and a
screenshot in test-artifacts/."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services import issuing, purchasing, receiving, reports
from services import stocktake as stk
from tests.e2e.browser import (DEMO_PASSWORD, act, assert_healthy_screen, by_key, choose,
                               click, close_sidebar, login, open_page, open_sidebar, switch_user,
                               type_and_enter, wait_text)
from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.touch import wide_tables
from ui.i18n import translate

pytestmark = pytest.mark.e2e
SHEETS = ROOT / "sample_data" / "delivery_sheets"
SAMPLES_ZONE = "S 样品 Samples"


def en(key: str, **params) -> str:
    return translate(key, "en", **params)


def zh(key: str, **params) -> str:
    return translate(key, "zh", **params)


def selected(page: Page, key: str):
    """The shown value of a selectbox (its combobox input)."""
    return by_key(page, key).get_by_role("combobox")


def check(page: Page, name: str, scroll_to=None) -> None:
    """After every screen: healthy layout, then a screenshot of what the person sees."""
    if scroll_to is not None:
        scroll_to.scroll_into_view_if_needed()
    assert_healthy_screen(page)
    screenshot(page, name)


def number_in(text: str, prefix: str) -> str:
    match = re.search(rf"{prefix}-\d{{4}}-\d{{2}}-\d{{4}}", text)
    assert match, f"no {prefix} number in {text!r}"
    return match.group(0)


# --- receiving ----------------------------------------------------------------------
def _portrait_delivery(db, tmp_path: Path) -> tuple[str, Path]:
    """Portrait receives the GBK CSV sheet: its lines against a PO of their own (the
    landscape run receives the Excel sheet against the demo PO)."""
    po = purchasing.create_purchase_order(
        db, actor="zhoujing", supplier="SUP-TYT", number="PO-E2E-PORTRAIT",
        lines=[{"sku": "OF-COR", "qty": 15, "unit_price": "28.50"},
               {"sku": "FL-COOL-4L", "qty": 6, "unit_price": "68.00"}])
    purchasing.approve_purchase_order(db, actor="gm", number=po)
    text = (SHEETS / "demo_gbk.csv").read_bytes().decode("gbk").replace("PO-DEMO-01", po)
    sheet = tmp_path / "demo_gbk.csv"
    sheet.write_bytes(text.encode("gbk"))
    return po, sheet


def start_delivery(page: Page, po: str, sheet: Path, note_no: str, lines: int) -> str:
    """Scan the PO, upload the sheet, check what was read, start checking."""
    open_page(page, en("nav.receiving"))
    check(page, "receive-01-new-delivery")
    type_and_enter(page, by_key(page, "rcv_po_scan").locator("input"), po)
    expect(selected(page, "rcv_po")).to_have_value(re.compile(rf"^{po} · "))
    act(page, lambda: by_key(page, "rcv_upload").locator('input[type="file"]')
        .set_input_files(str(sheet)))
    wait_text(page, re.compile(rf"^{lines} line\(s\) read from row"))
    note = page.locator('[class*="st-key-rcv_note_"] input')
    expect(note).to_have_value(note_no)
    check(page, "receive-02-sheet-read", scroll_to=note)
    # every column of the lines read fits the portrait tablet: nothing hides at the edge
    assert not wide_tables(page), wide_tables(page)
    click(page, by_key(page, "rcv_start").get_by_role("button"))
    header = wait_text(page, re.compile(rf"^GRN-\d{{4}}-\d{{2}}-\d{{4}} · PO {po} · "))
    return number_in(header.inner_text(), "GRN")


def count_line(page: Page, grn: str, sku: str, *, counted: str | None = None,
               damaged: str | None = None, lot: str | None = None,
               certificate: str | None = None, flags: tuple[str, ...] = ()) -> None:
    """Scan the SKU to jump to its line, see its flags, type what was found, save."""
    type_and_enter(page, by_key(page, "rcv_scan_sku").locator("input"), sku)
    form = page.locator(f'[data-testid="stForm"]:has([class*="st-key-rcv_counted_{grn}_"])')
    expect(form).to_contain_text(re.compile(rf"Line \d+: {re.escape(sku)} "))
    for flag in flags:
        expect(form).to_contain_text(en(f"flag.{flag}"))
    key = form.locator(f'[class*="st-key-rcv_counted_{grn}_"]').get_attribute("class")
    line_no = re.search(rf"st-key-rcv_counted_{grn}_(\d+)", key).group(1)
    fields = {"counted": counted, "damaged": damaged, "lot": lot, "cert": certificate}
    for name, value in fields.items():
        if value is not None:
            by_key(page, f"rcv_{name}_{grn}_{line_no}").locator("input").fill(value)
    click(page, form.get_by_role("button", name=en("rcv.save_line")))


def post_with_cosigner(page: Page, keeper: str) -> None:
    form = page.locator('[data-testid="stForm"]:has(.st-key-rcv_checker)')
    form.scroll_into_view_if_needed()
    choose(page, by_key(page, "rcv_checker"), keeper, rerun=False)
    by_key(page, "rcv_checker_pw").locator("input").fill(DEMO_PASSWORD)
    click(page, form.get_by_role("button", name=en("rcv.post")))


def continue_receipt(page: Page, grn: str) -> None:
    open_page(page, en("nav.receiving"))
    click(page, by_key(page, f"cont_{grn}").get_by_role("button"))
    wait_text(page, re.compile(rf"^{grn} · PO "))


def test_receive_delivery_sheet_with_problem_lines(server, demo_db, tablet, tmp_path):
    page, db = tablet, demo_db
    landscape = page.orientation == "landscape"
    if landscape:
        po, sheet, note_no, n_lines = "PO-DEMO-01", SHEETS / "demo_problems_zh.xlsx", \
            "HD-20261102-01", 5
    else:
        po, sheet = _portrait_delivery(db, tmp_path)
        note_no, n_lines = "HD-20261105-02", 2

    login(page, server, "liwei")
    grn = start_delivery(page, po, sheet, note_no, n_lines)
    # every line is listed, not yet counted; the lines' problems are named
    expect(page.locator("[data-testid=stDataFrame]").first).to_contain_text("OF-COR")
    wait_text(page, en("flag.NOT_COUNTED"))
    check(page, "receive-03-lines-and-flags")

    if landscape:
        count_line(page, grn, "OF-COR", counted="18")                      # two short
        count_line(page, grn, "BPF-LAV", counted="10", damaged="2")        # two damaged
        count_line(page, grn, "BAT-60AH", counted="8", flags=("OVER_PO",))  # 3 over the PO
        count_line(page, grn, "FL-COOL-4L", counted="12")                  # near expiry
        # the engine assembly needs its serial/lot and a quality certificate to post
        count_line(page, grn, "ENG-1.6-ASSY", counted="1", lot="4A16-E2E-0001",
                   certificate="QC-2026-1102",
                   flags=("NO_LOT", "NO_CERTIFICATE", "PRICE_MISMATCH"))
        wait_text(page, en("rcv.blocking", items=f"#5 {en('flag.PRICE_MISMATCH')}"))
        # the price differs from the PO: the receiver cannot post until purchasing approves
        waiting = wait_text(page, en("rcv.waiting_approval", line_no=5, sku="ENG-1.6-ASSY",
                                     flag=en("flag.PRICE_MISMATCH"),
                                     roles=en("role.purchasing")))
        check(page, "receive-04-counted-waiting-approval", scroll_to=waiting)
        expect(by_key(page, f"FormSubmitter-rcv_post_{grn}-Post-receipt")
               .get_by_role("button")).to_be_disabled()

        # Purchasing approves the price on the same tablet, then the receiver posts.
        switch_user(page, "zhoujing")
        continue_receipt(page, grn)
        approve = by_key(page, "approve_5_PRICE_MISMATCH").get_by_role("button")
        check(page, "receive-05-purchasing-approves", scroll_to=approve)
        click(page, approve)
        wait_text(page, en("rcv.approved_by_line", line_no=5, sku="ENG-1.6-ASSY",
                           flag=en("flag.PRICE_MISMATCH"), user="zhoujing"))
        switch_user(page, "liwei")
        continue_receipt(page, grn)
        cosigner = "wangfang"
    else:
        count_line(page, grn, "OF-COR", counted="14")                      # one short
        count_line(page, grn, "FL-COOL-4L", counted="6", damaged="1")      # one damaged
        check(page, "receive-04-counted",
              scroll_to=page.locator('[data-testid="stForm"]:has(.st-key-rcv_checker)'))
        cosigner = "chenjie"

    post_with_cosigner(page, cosigner)
    posted = wait_text(page, en("rcv.posted", number=grn))
    view = receiving.get_receipt(db, grn)
    assert view.status == "posted" and view.checked_by == cosigner
    summary = wait_text(page, en("rcv.posted_summary",
                                 accepted=f"{view.accepted_total.normalize():f}",
                                 rejected=f"{view.rejected_total.normalize():f}"))
    assert view.rejected_total > 0
    if landscape:
        by_line = {ln.sku: (ln.accepted_qty, ln.rejected_qty) for ln in view.lines}
        assert by_line["OF-COR"] == (18, 0) and by_line["BPF-LAV"] == (8, 2)
        assert by_line["BAT-60AH"] == (5, 3) and by_line["ENG-1.6-ASSY"] == (1, 0)
    else:
        assert [(ln.accepted_qty, ln.rejected_qty) for ln in view.lines] == [(14, 0), (5, 1)]
    for number in view.return_numbers:
        wait_text(page, en("rcv.return_created", number=number))
    # the posted lines show what was accepted and what was rejected, line by line
    lines_table = page.locator("[data-testid=stDataFrame]").filter(visible=True).last
    for ln in view.lines:
        expect_grid_row(lines_table, ln.sku, f"{ln.accepted_qty.normalize():f}",
                        f"{ln.rejected_qty.normalize():f}")
    table = grid_table(lines_table)
    shown = [(r.get(en("rcv.sku")), r.get(en("rcv.accepted_qty")),
              r.get(en("rcv.rejected_qty"))) for r in table]
    assert shown == [(ln.sku, f"{ln.accepted_qty.normalize():f}",
                      f"{ln.rejected_qty.normalize():f}") for ln in view.lines]
    assert en("flag.SHORT") in table[0][en("rcv.flags")]        # OF-COR came short
    check(page, "receive-06-posted", scroll_to=summary)
    assert posted.is_visible()
    assert reports.check_consistency(db) == []


# --- issuing + language -----------------------------------------------------------------
ISSUES = {  # orientation: [(sku, qty)] — the first line spans two FIFO lots
    "landscape": [("OF-EMG", "30"), ("WB-CIV", "2")],
    "portrait": [("SP-EMG", "45"), ("CF-SYL", "1")],
}


def add_issue_line(page: Page, sku: str, qty: str) -> None:
    type_and_enter(page, by_key(page, "iss_scan").locator("input"), sku)
    expect(selected(page, "iss_pick")).to_have_value(re.compile(rf"^{re.escape(sku)} · "))
    type_and_enter(page, by_key(page, "iss_qty").locator("input"), qty)
    click(page, by_key(page, "iss_add").get_by_role("button"))
    wait_text(page, re.compile(rf"^{re.escape(sku)} .*: requested {qty} "))


def expect_grid_row(frame, *cells: str) -> None:
    """Wait until an st.dataframe shows a row with these exact cell texts (the grid
    redraws a moment after the script run that sent new data)."""
    frame.scroll_into_view_if_needed()
    row = frame.locator('[role="row"]')
    for text in cells:
        row = row.filter(has=frame.page.locator(
            '[role="gridcell"]', has_text=re.compile(rf"^{re.escape(text)}$")))
    expect(row).to_have_count(1)


def grid_table(frame) -> list[dict[str, str]]:
    """The visible rows of an st.dataframe as {column header: cell text}."""
    frame.scroll_into_view_if_needed()
    expect(frame.locator('[role="gridcell"]').first).to_be_attached()
    headers = [(h.text_content() or "").strip()
               for h in frame.locator('[role="columnheader"]').all()]
    return [dict(zip(headers, row)) for row in grid_rows(frame)]


def grid_rows(frame) -> list[list[str]]:
    """The visible cells of an st.dataframe (the grid keeps them in the DOM for
    screen readers), row by row."""
    frame.scroll_into_view_if_needed()
    expect(frame.locator('[role="gridcell"]').first).to_be_attached()
    rows = frame.locator('[role="row"]:has([role="gridcell"])')
    return [[(c.text_content() or "").strip() for c in r.locator('[role="gridcell"]').all()]
            for r in rows.all()]


def test_issue_fifo_requisition_then_switch_to_chinese(server, demo_db, tablet):
    page, db = tablet, demo_db
    lines = ISSUES[page.orientation]
    reference = f"JC-E2E-{page.orientation}"
    login(page, server, "wangfang")
    open_page(page, en("nav.issuing"))
    check(page, "issue-01-empty")
    by_key(page, "iss_requested_by").locator("input").fill("Mechanic Zhang")
    by_key(page, "iss_reference").locator("input").fill(reference)
    before = {sku: _available(db, sku) for sku, _ in lines}
    for sku, qty in lines:
        add_issue_line(page, sku, qty)
    # the preview shows the lots FIFO will take, oldest first
    first = page.locator("[data-testid=stDataFrame]").first
    first.scroll_into_view_if_needed()       # the first line spans two lots
    expect(first.locator('[role="row"]:has([role="gridcell"])')).to_have_count(2)
    check(page, "issue-02-fifo-preview")

    click(page, by_key(page, "iss_confirm").get_by_role("button"))
    posted = wait_text(page, re.compile(r"^Issue slip ISS-\d{4}-\d{2}-\d{4} posted\.$"))
    number = number_in(posted.inner_text(), "ISS")
    view = issuing.get_issue(db, number)
    assert view.reference == reference and view.requested_by == "Mechanic Zhang"
    assert [(ln.sku, ln.qty) for ln in view.lines] == [(s, Decimal(q)) for s, q in lines]
    # the screen shows the lots and costs consumed, as posted
    frames = page.locator("[data-testid=stDataFrame]")
    expect(frames).to_have_count(len(lines))
    for frame, line in zip(frames.all(), view.lines):
        for a in line.allocations:
            expect_grid_row(frame, a.lot_no, f"{issuing.plain(a.qty)}")
        shown = grid_rows(frame)
        assert [(r[1], r[4], r[5]) for r in shown] == [
            (a.lot_no, f"{issuing.plain(a.qty)}", f"{a.unit_cost.quantize(Decimal('0.0001'))}")
            for a in line.allocations]
    total = f"{view.total_cost.quantize(Decimal('0.01')):,}"
    wait_text(page, en("issuing.total_cost", total=total))
    for sku, qty in lines:
        assert _available(db, sku) == before[sku] - Decimal(qty)
    check(page, "issue-03-posted-lots-and-costs")

    # (d) the same screen in Chinese
    open_sidebar(page)
    act(page, page.locator('[data-testid="stSidebar"]').get_by_text("简体中文", exact=True).click)
    expect(page.locator("h1")).to_have_text(zh("issuing.title"))
    wait_text(page, zh("issuing.posted", number=number))
    close_sidebar(page)
    check(page, "issue-04-posted-chinese")
    click(page, by_key(page, "iss_new").get_by_role("button"))
    wait_text(page, zh("issuing.no_lines"))
    check(page, "issue-05-new-requisition-chinese")
    assert reports.check_consistency(db) == []


def _available(db, sku: str) -> Decimal:
    df = reports.stock_on_hand(db, sku=sku)
    return Decimal(str(df["qty_on_hand"].sum())) if len(df) else Decimal(0)


# --- stocktake ------------------------------------------------------------------------
def test_stocktake_count_on_one_small_zone(server, demo_db, tablet):
    """A supervisor opens a stocktake of the samples zone only (other flows go on),
    a keeper counts on the tablet, the supervisor cancels it again (unfrozen)."""
    page, db = tablet, demo_db
    login(page, server, "liuyang")
    open_page(page, en("nav.stocktake"))
    check(page, "stocktake-01-supervisor")
    expander = page.locator('[data-testid="stExpander"]').filter(
        has_text=en("stocktake.open_title")).first
    summary = expander.locator("summary")
    if expander.locator("details").get_attribute("open") is None:
        summary.click()
    # (CSS locators: while the list is open the rest of the page is hidden from ARIA)
    form = page.locator('[data-testid="stForm"]:has([data-testid="stMultiSelect"])')
    zones = form.locator('[data-testid="stMultiSelect"]')
    tags = zones.locator("[data-tag]")
    for attempt in range(3):       # the expander's content may still be mounting: retap
        zones.get_by_role("button", name="Clear all").click()
        try:
            expect(tags).to_have_count(0, timeout=3000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    field = zones.locator('input[role="combobox"]')
    field.click()
    field.press_sequentially("Samples")
    # the list has filtered down to the one zone; highlight it, Enter picks it
    expect(page.get_by_role("option")).to_have_count(1)
    option = page.get_by_role("option", name=SAMPLES_ZONE)
    if option.get_attribute("data-focused") != "true":
        field.press("ArrowDown")
    expect(option).to_have_attribute("data-focused", "true")
    field.press("Enter")
    field.press("Escape")
    expect(zones.get_by_role("group", name="Selected values")).to_have_text(SAMPLES_ZONE)
    check(page, "stocktake-02-open-samples-zone", scroll_to=form)
    click(page, form.get_by_role("button", name=en("stocktake.open_button")))
    opened = wait_text(page, re.compile(r"^Stocktake ST-\d{4}-\d{2}-\d{4} opened"))
    number = number_in(opened.inner_text(), "ST")
    assert stk.get_stocktake(db, number).zones == [SAMPLES_ZONE]

    switch_user(page, "chenjie")
    open_page(page, en("nav.stocktake"))
    expect(selected(page, "stocktake_pick")).to_have_value(re.compile(number))
    expect(selected(page, "count_zone")).to_have_value(SAMPLES_ZONE)
    counts = [("S-01", "SMP-PAD-DISPLAY", "6"), ("S-01", "SMP-FILTER-CUT", "5")]
    entry = page.locator('[data-testid="stForm"]:has(.st-key-count_qty)')
    for location, sku, qty in counts:
        type_and_enter(page, by_key(page, "count_location").locator("input"), location)
        type_and_enter(page, by_key(page, "count_sku").locator("input"), sku)
        by_key(page, "count_qty").locator("input").fill(qty)
        click(page, entry.get_by_role("button", name=en("stocktake.save_count")))
    entries = page.locator("[data-testid=stDataFrame]").filter(visible=True).last
    for location, sku, qty in counts:
        expect_grid_row(entries, location, sku, qty)
    check(page, "stocktake-03-keeper-counts", scroll_to=entries)
    recorded = {(e["sku"], e["qty"])
                for e in stk.count_entries(db, number, SAMPLES_ZONE, "initial")}
    assert recorded >= {(sku, Decimal(q)) for _, sku, q in counts}, recorded

    switch_user(page, "liuyang")
    open_page(page, en("nav.stocktake"))
    page.get_by_role("tab", name=en("stocktake.tab_submit")).click()
    cancel = page.locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=en("stocktake.cancel_button")))
    cancel.locator("input").fill(f"tablet check {page.orientation}")
    click(page, cancel.get_by_role("button", name=en("stocktake.cancel_button")))
    assert stk.get_stocktake(db, number).status == "cancelled"
    check(page, "stocktake-04-cancelled")
