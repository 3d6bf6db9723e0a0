"""My account: language and password."""
import streamlit as st

from services import catalog, users
from ui.i18n import LANGUAGES, current_language, t
from ui.session import actor, get_db, require_roles
from ui.widgets import run_action

user = require_roles()
st.title(t("nav.account"))
st.write(t("account.signed_in_as", name=user.display_name, username=user.username))
st.write(t("account.roles", roles=", ".join(t("role." + r) for r in sorted(user.roles))))

with st.form("change_password", clear_on_submit=True):
    st.subheader(t("account.change_password"))
    old = st.text_input(t("field.old_password"), type="password")
    new = st.text_input(t("account.new_password"), type="password")
    again = st.text_input(t("account.repeat_password"), type="password")
    if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
        if new != again:
            st.error(t("account.passwords_differ"))
        else:
            run_action(lambda: users.change_own_password(
                get_db(), actor=actor(), old_password=old, new_password=new),
                "account.password_changed")
st.caption(t("account.language_hint", languages=" / ".join(LANGUAGES.values())))

houses = [w for w in catalog.list_warehouses(get_db()) if w["active"]]
if len(houses) > 1:
    with st.form("home_warehouse"):
        st.subheader(t("account.home_warehouse"))
        codes = [h["code"] for h in houses]
        names = {h["code"]: h["name_zh"] if current_language() == "zh" and h["name_zh"]
                 else h["name"] for h in houses}
        current = users.home_warehouse(get_db(), user.username)
        choice = st.selectbox(t("account.home_warehouse"), codes,
                              index=codes.index(current) if current in codes else 0,
                              format_func=lambda code: f"{code} · {names[code]}")
        st.caption(t("account.home_warehouse_hint"))
        if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
            run_action(lambda: users.set_home_warehouse(get_db(), actor=actor(), warehouse=choice),
                       "account.home_warehouse_saved")
