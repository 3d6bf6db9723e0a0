"""Helpers for driving the app in Chromium like a person on a tablet."""
from __future__ import annotations

import time

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "demo1234"


def wait_idle(page: Page, timeout: float = 30) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    time.sleep(0.3)
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.2)
    raise TimeoutError("app still running")


def login(page: Page, url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0, timeout=20000)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(1, timeout=20000)


def open_page(page: Page, title: str) -> None:
    """Click a page in the sidebar navigation (opening the sidebar if collapsed)."""
    open_sidebar(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    wait_idle(page)


def open_sidebar(page: Page) -> None:
    """On a portrait tablet the sidebar starts collapsed: tap the expand control."""
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.is_visible():
        expand.click()
        page.wait_for_timeout(400)


def assert_healthy_screen(page: Page) -> None:
    """No exception box, no horizontal scrolling, touch targets >= 44 px."""
    assert page.locator('[data-testid="stException"]').count() == 0
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"horizontal scroll of {overflow}px"
    heights = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] button'))
        .filter(b => b.offsetParent !== null && b.getBoundingClientRect().width > 30)
        .filter(b => !b.closest('[data-testid="stTextInput"]'))  // icons inside a field
        .map(b => [b.innerText.trim().slice(0, 30), b.getBoundingClientRect().height])""")
    small = [(text, h) for text, h in heights if text and h < 44]
    assert not small, f"buttons under 44px: {small}"
