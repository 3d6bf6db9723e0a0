"""AppTest helpers: run the real app.py against a test database, signed in."""
from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from services import users
from ui.navigation import PAGES, pages_for

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def app_for(db, username: str | None = None, *, lang: str = "en", page: str | None = None,
            timeout: float = 30) -> AppTest:
    """An AppTest of app.py using ``db`` (its URL is handed over through
    WAREHOUSE_DB_URL), signed in as ``username`` and opened on ``page``
    (e.g. "pages/receiving.py"). Call ``.run()`` yourself."""
    os.environ["WAREHOUSE_DB_URL"] = db.engine.url.render_as_string(hide_password=False)
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["lang"] = lang
    if username:
        from ui.session import CurrentUser

        user = users.get_user(db, username)
        at.session_state["user"] = CurrentUser(
            username=user.username, display_name=user.display_name,
            roles=frozenset(user.role_names), language=lang)
    if page:
        at.switch_page(page)
    return at


def visible_pages(roles) -> list[str]:
    return [p.path for p in pages_for(roles)]


def all_page_paths() -> list[str]:
    return [p.path for p in PAGES if p.exists()]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
