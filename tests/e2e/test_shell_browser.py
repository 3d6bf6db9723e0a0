"""Login, navigation and language switch in a real browser at tablet sizes."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_healthy_screen, login, open_page, open_sidebar, wait_idle
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_supervisor_signs_in_browses_master_data_and_switches_to_chinese(server, tablet):
    login(tablet, server, "liuyang")
    assert_healthy_screen(tablet)
    screenshot(tablet, "01-signed-in")
    open_page(tablet, "Items")
    tablet.get_by_text(re.compile(r"^\d+ rows$")).first.wait_for(timeout=15000)
    assert_healthy_screen(tablet)
    screenshot(tablet, "02-items")
    open_sidebar(tablet)
    tablet.get_by_text("简体中文", exact=True).first.click()
    wait_idle(tablet)
    tablet.get_by_text("退出登录").first.wait_for(timeout=15000)
    assert_healthy_screen(tablet)
    screenshot(tablet, "03-items-chinese")


def test_wrong_password_shows_generic_message(server, tablet):
    tablet.goto(server)
    wait_idle(tablet)
    tablet.get_by_label("Username", exact=True).fill("liuyang")
    tablet.get_by_label("Password", exact=True).fill("wrong-password")
    tablet.get_by_role("button", name="Sign in").click()
    wait_idle(tablet)
    tablet.get_by_text("Sign-in failed").wait_for(timeout=15000)
    assert_healthy_screen(tablet)


def test_switch_user_and_sign_out_on_a_shared_tablet(server, tablet):
    login(tablet, server, "wangfang")
    open_sidebar(tablet)
    tablet.get_by_role("button", name="Switch user").click()
    wait_idle(tablet)
    tablet.get_by_role("button", name="wangfang").click()      # one tap on a recent user
    wait_idle(tablet)
    expect(tablet.get_by_label("Username", exact=True)).to_have_value("wangfang", timeout=15000)
    tablet.get_by_label("Password", exact=True).fill("demo1234")
    tablet.get_by_role("button", name="Sign in").click()
    wait_idle(tablet)
    open_sidebar(tablet)
    tablet.get_by_role("button", name="Sign out").click()
    wait_idle(tablet)
    tablet.get_by_role("button", name="Sign in").wait_for(timeout=15000)
    assert_healthy_screen(tablet)


def test_sign_in_keeps_the_users_saved_language(server, tablet, demo_db):
    from services import users

    users.set_language(demo_db, actor="liwei", language="zh")   # other flows may switch it
    login(tablet, server, "liwei", keep_language=True)
    open_sidebar(tablet)
    tablet.get_by_role("button", name="退出登录").wait_for(timeout=15000)
    assert users.get_user(demo_db, "liwei").language == "zh"
    assert_healthy_screen(tablet)
