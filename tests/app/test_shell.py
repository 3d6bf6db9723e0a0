"""App shell: login, navigation by role, both languages."""
import pytest

from tests.app.helpers import app_for, assert_no_exception, visible_pages
from tests.factories import PASSWORD, USERS


@pytest.fixture
def app_db(sqlite_db):
    from tests.factories import build_world

    build_world(sqlite_db)
    return sqlite_db


def test_login_form_signs_in(app_db):
    at = app_for(app_db).run()
    assert_no_exception(at)
    at.text_input(key="login_username").input("keeper")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[-1].click().run()
    assert_no_exception(at)
    assert at.session_state["user"].username == "keeper"


def test_wrong_password_generic_message(app_db):
    at = app_for(app_db).run()
    at.text_input(key="login_username").input("keeper")
    at.text_input(key="login_password").input("nope-nope")
    at.button[-1].click().run()
    assert "user" not in at.session_state
    assert "Sign-in failed" in at.error[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("username", sorted(USERS))
def test_every_visible_page_opens(app_db, username, lang):
    from services import users

    roles = users.get_user(app_db, username).role_names
    for path in visible_pages(roles):
        at = app_for(app_db, username, lang=lang, page=path).run()
        assert_no_exception(at)
        assert not at.error, (path, [e.value for e in at.error])


def _click(at, label):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_sign_out_clears_the_session(app_db):
    at = app_for(app_db, "keeper").run()
    at.session_state["scratch"] = "left over from a screen"
    _click(at, "Sign out")
    assert_no_exception(at)
    assert "user" not in at.session_state and "scratch" not in at.session_state


def test_switch_user_offers_recent_users_on_a_shared_tablet(app_db):
    at = app_for(app_db).run()
    at.text_input(key="login_username").input("keeper")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[-1].click().run()
    _click(at, "Switch user")
    assert "user" not in at.session_state
    assert at.session_state["recent_usernames"] == ["keeper"]   # one-tap sign-in buttons

