"""Touch: on the working screens at 1024×768 and 768×1024, every visible interactive
element (buttons, links, fields, steppers, tabs, chips, help icons, table toolbars,
the sidebar toggle) measures at least 44 px, in the browser; screenshots of each
screen in both languages go to test-artifacts/."""
import pytest

from tests.e2e.browser import (login, open_page, open_sidebar, set_language, use_english,
                               wait_idle)
from tests.e2e.conftest import screenshot
from tests.e2e.touch import small_targets, wide_tables

pytestmark = pytest.mark.e2e

# (user, screens in English, the same screens in Chinese)
WORKING_SCREENS = {
    "liuyang": [("Receive goods", "收货验收"), ("Stocktake", "盘点"),
                ("Variance review", "盘点差异审核"), ("Issue stock", "领料出库"),
                ("Stock on hand", "库存查询"), ("Home", "首页")],
    "liwei": [("Receive goods", "收货验收"), ("Receipts (GRN)", "入库单")],
}


def _measure(page, name: str) -> list[str]:
    wait_idle(page)
    screenshot(page, name)
    return small_targets(page)


@pytest.mark.parametrize("username", sorted(WORKING_SCREENS))
def test_every_target_on_the_working_screens_is_finger_sized(server, tablet, username):
    login(tablet, server, username)
    small = {}
    for lang in ("zh", "en"):
        if lang == "en":
            use_english(tablet)
        else:
            set_language(tablet, "简体中文")
        for english, chinese in WORKING_SCREENS[username]:
            title = english if lang == "en" else chinese
            open_page(tablet, title)
            if found := _measure(tablet, f"touch-{username}-{english}-{lang}".replace(" ", "_")):
                small[f"{title} ({lang})"] = found
    open_sidebar(tablet)            # the sidebar itself: language, switch user, sign out
    if found := small_targets(tablet):
        small["sidebar"] = found
    assert not small, small


# Working screens whose tables must show every column at 768 px (no sideways scroll).
FITTING_SCREENS = ["Receive goods", "Receipts (GRN)", "Stocktake", "Variance review",
                   "Quarantine / QC", "Transfers", "Purchase orders", "Issue slips",
                   "Returns & old parts", "Tool loans", "Supplier claims",
                   "Issue stock"]


def test_working_tables_fit_a_portrait_tablet(server, tablet):
    if tablet.orientation != "portrait":
        pytest.skip("the narrow case is the one that matters")
    login(tablet, server, "liuyang")
    wide = {}
    for title in FITTING_SCREENS:
        open_page(tablet, title)
        wait_idle(tablet)
        # what a folded section holds is measured once it is unfolded, as a user sees it
        for summary in tablet.locator("details:not([open]) > summary").all():
            summary.click()
        wait_idle(tablet)
        if found := wide_tables(tablet):
            wide[title] = found
    assert not wide, wide


def test_login_screen_targets(server, tablet):
    from tests.e2e.browser import goto

    goto(tablet, server)
    # the tablet style arrives with the first script run: measure once it applies
    tablet.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=stFormSubmitButton] button');"
        " return b && b.getBoundingClientRect().height >= 44; }")
    assert not small_targets(tablet)
    screenshot(tablet, "touch-login")
