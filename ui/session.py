"""Database handle, login state and page guards."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from db import Database, open_database
from db.database import default_url


@st.cache_resource(show_spinner=False)
def _database(url: str) -> Database:
    return open_database(url)


def get_db() -> Database:
    """One engine per server process and URL; services open sessions per action."""
    return _database(default_url())


@dataclass(frozen=True)
class CurrentUser:
    username: str
    display_name: str
    roles: frozenset[str]
    language: str

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def current_user() -> CurrentUser | None:
    return st.session_state.get("user")


def sign_in(user) -> None:
    """Store the authenticated user (a services.users User) in the session."""
    st.session_state["user"] = CurrentUser(
        username=user.username, display_name=user.display_name or user.username,
        roles=frozenset(user.role_names), language=user.language,
    )
    st.session_state["lang"] = user.language


def sign_out() -> None:
    """Forget everything about the user in this browser session."""
    lang = st.session_state.get("lang", "en")
    st.session_state.clear()
    st.session_state["lang"] = lang
    st.cache_data.clear()


def actor() -> str:
    user = current_user()
    if user is None:
        st.stop()
    return user.username


def require_roles(*roles: str) -> CurrentUser:
    """Stop the page unless the signed-in user holds one of ``roles``.

    Navigation already hides pages a role may not open; this guards direct URLs.
    The services check again on every write."""
    from ui.i18n import t

    user = current_user()
    if user is None:
        st.warning(t("auth.please_sign_in"))
        st.stop()
    if roles and not user.has(*roles):
        st.error(t("auth.page_not_allowed"))
        st.stop()
    return user


def after_write() -> None:
    """Read-side caches are stale after any write."""
    st.cache_data.clear()
