"""Login form with a quick user switch for a shared tablet."""
from __future__ import annotations

import os

import streamlit as st

from services import users
from ui.i18n import t
from ui.session import get_db, sign_in

RECENT_KEY = "recent_usernames"
MAX_RECENT = 6


def remember(username: str) -> None:
    recent = [u for u in st.session_state.get(RECENT_KEY, []) if u != username]
    st.session_state[RECENT_KEY] = [username, *recent][:MAX_RECENT]


def _prefill(username: str) -> None:
    st.session_state["login_username"] = username


def login_page() -> None:
    st.title(t("app.title"))
    st.subheader(t("auth.sign_in"))
    recent = st.session_state.get(RECENT_KEY, [])
    if recent:
        st.caption(t("auth.recent_users"))
        cols = st.columns(min(len(recent), 3))
        for i, name in enumerate(recent):
            # A callback runs before the form is drawn, so the field shows the name.
            cols[i % len(cols)].button(name, key=f"recent_{name}", width="stretch",
                                       on_click=_prefill, args=(name,))
    with st.form("login", enter_to_submit=True):
        username = st.text_input(t("auth.username"), key="login_username",
                                 autocomplete="username")
        password = st.text_input(t("auth.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary", width="stretch")
    if submitted:
        _try_login(username, password)


def client_address() -> str | None:
    """The browser's address, for throttling guesses per client. Behind a reverse
    proxy every request comes from the proxy: set WAREHOUSE_TRUST_PROXY=1 there so
    the first X-Forwarded-For address is used instead (never without a proxy that
    overwrites that header, or a guesser could name any address)."""
    if os.environ.get("WAREHOUSE_TRUST_PROXY") == "1":
        forwarded = st.context.headers.get("X-Forwarded-For")
        if isinstance(forwarded, str) and forwarded.split(",")[0].strip():
            return forwarded.split(",")[0].strip()
    address = st.context.ip_address
    return address if isinstance(address, str) else None    # None outside a browser


def _try_login(username: str, password: str) -> None:
    db = get_db()
    address = client_address()
    wait = users.login_wait(db, username, address)
    if wait:
        st.error(t("auth.wait", seconds=wait))
        return
    user = users.authenticate(db, username, password, client_address=address)
    if user is None:
        st.error(t("auth.failed"))
        return
    st.session_state.pop("login_password", None)
    remember(user.username)
    sign_in(user)
    st.rerun()
