"""Users and roles (admin only)."""
import pandas as pd
import streamlit as st

from services import users
from services.common import ROLES
from ui.i18n import LANGUAGES, t
from ui.session import actor, get_db, require_roles
from ui.widgets import paged_table, run_action

require_roles("admin")
db = get_db()
st.title(t("nav.users"))
tab_list, tab_add = st.tabs([t("users.tab_list"), t("users.tab_add")])
role_label = lambda role: t(f"role.{role}")  # noqa: E731

with tab_list:
    rows = users.list_users(db, actor=actor())
    table = pd.DataFrame(rows)
    table["roles"] = table["roles"].map(lambda rs: ", ".join(role_label(r) for r in rs))
    paged_table(table, "users", prefix="field")
    username = st.selectbox(t("users.choose_to_edit"), [""] + [r["username"] for r in rows],
                     format_func=lambda v: v or "—")
    if username:
        current = next(r for r in rows if r["username"] == username)
        with st.form(f"edit_user_{username}", clear_on_submit=True):
            display_name = st.text_input(t("field.display_name"), current["display_name"])
            roles = st.multiselect(t("field.roles"), ROLES, current["roles"], format_func=role_label)
            active = st.checkbox(t("field.active"), current["active"])
            password = st.text_input(t("users.new_password"), type="password")
            if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
                run_action(lambda: users.update_user(
                    db, actor=actor(), username=username, roles=roles,
                    display_name=display_name, active=active, password=password or None),
                    "common.saved")

with tab_add:
    with st.form("add_user", clear_on_submit=True):
        username = st.text_input(t("field.username"), max_chars=40)
        display_name = st.text_input(t("field.display_name"))
        password = st.text_input(t("field.password"), type="password")
        roles = st.multiselect(t("field.roles"), ROLES, format_func=role_label)
        language = st.selectbox(t("field.language"), list(LANGUAGES), format_func=LANGUAGES.get)
        if st.form_submit_button(t("common.add"), type="primary", width="stretch"):
            run_action(lambda: users.create_user(
                db, actor=actor(), username=username, password=password, roles=roles,
                display_name=display_name, language=language), "users.created", username=username)
