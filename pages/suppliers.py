"""Suppliers: search, add, edit, deactivate."""
import pandas as pd
import streamlit as st

from services import catalog
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.widgets import excel_download, paged_table, run_action

require_roles("admin", "supervisor")
db = get_db()
st.title(t("nav.suppliers"))
tab_list, tab_add = st.tabs([t("suppliers.tab_list"), t("suppliers.tab_add")])

with tab_list:
    search = st.text_input(t("common.search"), key="supplier_search")
    suppliers = catalog.list_suppliers(db, search=search or None)
    if not suppliers:
        st.info(t("common.none_found"))
    else:
        table = pd.DataFrame(suppliers)
        paged_table(table, "suppliers", prefix="field")
        excel_download(table, "suppliers.xlsx", t("nav.suppliers"), key="suppliers_xlsx",
                       prefix="field")
        code = st.selectbox(t("suppliers.choose_to_edit"), [""] + [s["code"] for s in suppliers],
                     format_func=lambda v: v or "—")
        if code:
            current = next(s for s in suppliers if s["code"] == code)
            with st.form(f"edit_supplier_{code}"):
                name = st.text_input(t("field.name"), current["name"])
                address = st.text_input(t("field.address"), current["address"])
                contact = st.text_input(t("field.contact"), current["contact"])
                active = st.checkbox(t("field.active"), current["active"])
                if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
                    run_action(lambda: catalog.update_supplier(
                        db, actor=actor(), code=code, name=name, address=address,
                        contact=contact, active=active), "common.saved")

with tab_add:
    with st.form("add_supplier"):
        code = st.text_input(t("field.code"), max_chars=30)
        name = st.text_input(t("field.name"))
        address = st.text_input(t("field.address"))
        contact = st.text_input(t("field.contact"))
        if st.form_submit_button(t("common.add"), type="primary", width="stretch"):
            run_action(lambda: catalog.create_supplier(
                db, actor=actor(), code=code, name=name, address=address, contact=contact),
                "suppliers.created", code=code)
