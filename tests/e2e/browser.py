"""Helpers for driving the app in Chromium like a person on a tablet.

Waiting is deterministic: every page's Streamlit websocket is watched and each
``script_finished`` message is decoded, so an interaction waits exactly until the
script run it caused has finished successfully — a run cut short by ``st.rerun()``
reports FINISHED_EARLY_FOR_RERUN and is not counted. No fixed sleeps."""
from __future__ import annotations

import re
import time
from typing import Callable

from playwright.sync_api import Locator, Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

DEMO_PASSWORD = "demo1234"
TIMEOUT = 60            # seconds: generous, as every wait ends on a condition, not a clock
QUIET_MS = 300
APP = '[data-testid="stApp"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
_FINISHED_OK = ForwardMsg.FINISHED_SUCCESSFULLY
expect.set_options(timeout=TIMEOUT * 1000)      # the machine may be shared and busy


def finished_ok(payload) -> bool:
    """Is this websocket frame Streamlit's "script run finished successfully"?"""
    if isinstance(payload, str) or len(payload) > 256:      # deltas are bigger
        return False
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg
        return False
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished == _FINISHED_OK


class Runs:
    """Completed script runs of one page, counted from its websocket frames."""

    def __init__(self, page, on_finished: Callable[[], None] | None = None):
        self.finished = 0
        self.finished_at = 0.0          # time.perf_counter() of the last one
        self.socket = None
        self.on_finished = on_finished
        page.on("websocket", self._opened)

    def _opened(self, socket) -> None:
        if "/_stcore/stream" in socket.url:
            self.socket = socket
            socket.on("framereceived", self._frame)

    def _frame(self, payload) -> None:
        if finished_ok(payload):
            self.finished += 1
            self.finished_at = time.perf_counter()
            if self.on_finished is not None:
                self.on_finished()


def track(page: Page) -> Runs:
    """Start counting a page's script runs (before its first goto)."""
    if getattr(page, "runs", None) is None:
        page.runs = Runs(page)
    return page.runs


def wait_runs(page: Page, after: int, timeout: float = TIMEOUT) -> float:
    """Wait until more than ``after`` runs have finished; returns when the last did."""
    runs = page.runs
    deadline = time.perf_counter() + timeout
    while runs.finished <= after:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"no finished script run within {timeout}s")
        if runs.socket is None:
            page.wait_for_event("websocket", timeout=left * 1000)
            continue
        try:
            runs.socket.wait_for_event("framereceived", predicate=finished_ok,
                                       timeout=min(left, 5) * 1000)
        except Exception:  # noqa: BLE001 - a timeout slice or a reconnect: look again
            pass
    page.wait_for_selector(IDLE, timeout=timeout * 1000)
    return runs.finished_at


def act(page: Page, action: Callable[[], object], timeout: float = TIMEOUT) -> float:
    """Do something that makes Streamlit rerun (a click, Enter in a field, an upload)
    and wait until that rerun — and any st.rerun() it chains — has finished.
    Returns the latency in seconds from the action to the end of the last run."""
    runs = getattr(page, "runs", None)
    assert runs is not None, "call track(page) before the page is opened"
    before, start = runs.finished, time.perf_counter()
    action()
    return wait_runs(page, before, timeout) - start


def goto(page: Page, url: str) -> None:
    """Open the app and wait for its first script run."""
    runs = track(page)
    before = runs.finished
    page.goto(url)
    wait_runs(page, before)


def wait_idle(page: Page, timeout: float = TIMEOUT) -> None:
    """Wait until no script run is in progress and none started for QUIET_MS
    (for steps that may or may not cause a rerun)."""
    page.wait_for_selector(APP, state="attached", timeout=timeout * 1000)
    since = page.evaluate(_OBSERVE)
    page.wait_for_function(
        """([since, quiet]) => document.querySelector('[data-testid="stApp"]')
              .getAttribute('data-test-script-state') === 'notRunning'
              && performance.now() - Math.max(since, window.__st.changedAt) >= quiet""",
        arg=[since, QUIET_MS], polling=50, timeout=timeout * 1000)


_OBSERVE = """() => {
  if (window.__st) return performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  const st = window.__st = {changedAt: performance.now()};
  let last = app.getAttribute('data-test-script-state');
  new MutationObserver(() => {
    const now = app.getAttribute('data-test-script-state');
    if (now !== last) { st.changedAt = performance.now(); last = now; }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  return performance.now();
}"""


def by_key(page: Page, key: str) -> Locator:
    """The element container Streamlit gives a keyed widget (class ``st-key-<key>``)."""
    return page.locator(f".st-key-{key}")


def type_and_enter(page: Page, field: Locator, text: str) -> float:
    """Type into a text field outside a form and commit it (one rerun; none when
    the field already holds ``text``)."""
    if field.input_value() == text:
        return 0.0
    field.fill(text)
    return act(page, lambda: field.press("Enter"))


def click(page: Page, target: Locator) -> float:
    target.scroll_into_view_if_needed()
    return act(page, target.click)


def choose(page: Page, select: Locator, option: str | re.Pattern, *, rerun: bool = True) -> None:
    """Pick an option of a selectbox (``select``: the widget container or its input)."""
    select.get_by_role("combobox").click()
    opt = page.get_by_role("option", name=option).first
    if rerun:
        act(page, opt.click)
    else:
        opt.click()


def login(page: Page, url: str, username: str, password: str = DEMO_PASSWORD, *,
          keep_language: bool = False) -> float:
    """Sign in. The app then speaks the user's saved language (some demo users are
    Chinese); the flows are written against the English screens, so switch to
    English unless ``keep_language``."""
    goto(page, url)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    latency = act(page, page.get_by_role("button", name="Sign in").click)
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
    expect(page.locator(NAV)).to_have_count(1)
    if not keep_language:
        use_english(page)
    return latency


# The page navigation: across the top on tablets (grouped by task), in the sidebar
# where Streamlit falls back to it.
NAV = '[data-testid="stTopNav"], [data-testid="stSidebarNav"]'
TOP_NAV = '[data-testid="stTopNav"]'


def _in_chinese(page: Page) -> bool:
    return page.locator(NAV).first.get_by_text("概览", exact=True).count() > 0


def use_english(page: Page) -> None:
    """Tap "English" in the sidebar if the screen is in Chinese."""
    if not _in_chinese(page):
        return
    set_language(page, "English")


def set_language(page: Page, name: str) -> None:
    """Tap "English" / "简体中文" in the sidebar and wait for the navigation to follow."""
    open_sidebar(page)
    act(page, page.locator('[data-testid="stSidebar"]').get_by_text(name, exact=True).first.click)
    expect(page.locator(NAV).first.get_by_text(
        "概览" if name == "简体中文" else "Overview", exact=True)).to_have_count(1)
    close_sidebar(page)


def switch_user(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """The shared tablet: "Switch user" in the sidebar, then sign in as someone else."""
    open_sidebar(page)
    act(page, page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name=re.compile("Switch user|切换用户")).click)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    act(page, page.get_by_role("button", name="Sign in").click)
    expect(page.locator(NAV)).to_have_count(1)
    use_english(page)


def _section_of(title: str) -> tuple[str, str]:
    """The navigation section (English, Chinese) of a page with this title."""
    from ui.i18n import translate
    from ui.navigation import PAGES

    for spec in PAGES:
        if title in (translate(spec.title_key, "en"), translate(spec.title_key, "zh")):
            return translate(spec.section_key, "en"), translate(spec.section_key, "zh")
    raise KeyError(title)


def open_page(page: Page, title: str) -> float:
    """Open a page from the navigation: the task group in the top bar, then the page
    (or the sidebar's link where the navigation is in the sidebar)."""
    top = page.locator(TOP_NAV)
    if top.count() == 0:
        open_sidebar(page)
        link = page.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name=title, exact=True)
        latency = act(page, link.click)
        close_sidebar(page)
        return latency
    link = nav_link(page, title)
    if link.count() == 0:
        english, chinese = _section_of(title)
        top.locator('[data-testid="stTopNavSection"]').filter(
            has=page.get_by_text(re.compile(f"^({re.escape(english)}|{re.escape(chinese)})$"))
        ).first.click()
        link.first.wait_for()
    return act(page, link.first.click)


def nav_link(page: Page, title: str) -> Locator:
    """A visible page link of the navigation (its text also holds an icon name)."""
    return page.locator('a[data-testid="stTopNavDropdownLink"]').filter(
        has=page.get_by_text(title, exact=True)).filter(visible=True)


def _sidebar_overlays(page: Page) -> bool:
    """On a narrow screen the open sidebar covers the main area."""
    return page.viewport_size["width"] < 800


def _sidebar_settled(page: Page, collapsed: bool) -> None:
    """Wait for the sidebar's slide animation to end in the wanted state."""
    page.wait_for_function(
        """collapsed => {
          const bar = document.querySelector('[data-testid="stSidebar"]');
          if (!bar || bar.getAttribute('data-collapsed') !== String(collapsed)) return false;
          const box = bar.getBoundingClientRect();
          return collapsed ? box.right <= 1 : box.left >= -1;
        }""", arg=collapsed, polling=50, timeout=10000)


def open_sidebar(page: Page) -> None:
    """On a portrait tablet the sidebar starts collapsed: tap the expand control."""
    bar = page.locator('[data-testid="stSidebar"]')
    if bar.get_attribute("data-collapsed") == "true":
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        _sidebar_settled(page, False)


def close_sidebar(page: Page) -> None:
    """Put the overlaying sidebar away again (portrait) so the screen can be used."""
    if not _sidebar_overlays(page):
        return
    bar = page.locator('[data-testid="stSidebar"]')
    if bar.get_attribute("data-collapsed") == "false":
        bar.locator('[data-testid="stSidebarCollapseButton"] button').click()
        _sidebar_settled(page, True)


def assert_healthy_screen(page: Page) -> None:
    """No exception box, no horizontal scrolling, touch targets >= 44 px."""
    assert page.locator('[data-testid="stException"]').count() == 0, \
        page.locator('[data-testid="stException"]').first.inner_text()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"horizontal scroll of {overflow}px"
    main_overflow = page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        return main ? main.scrollWidth - main.clientWidth : 0; }""")
    assert main_overflow <= 1, f"main area scrolls sideways by {main_overflow}px"
    heights = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] button'))
        .filter(b => b.offsetParent !== null && b.getBoundingClientRect().width > 30)
        .filter(b => !b.closest('[data-testid="stTextInput"]'))  // icons inside a field
        .map(b => [b.innerText.trim().slice(0, 30), b.getBoundingClientRect().height])""")
    small = [(text, h) for text, h in heights if text and h < 44]
    assert not small, f"buttons under 44px: {small}"


def wait_text(page: Page, text: str | re.Pattern, timeout: float = TIMEOUT) -> Locator:
    loc = page.get_by_text(text).filter(visible=True).first
    loc.wait_for(timeout=timeout * 1000)
    return loc
