"""Items (配件资料): search, add, edit, deactivate, import from Excel/CSV."""
import pandas as pd
import streamlit as st

from services import catalog
from ui.forms import item_fields
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.units import pack_unit_editor, units_editor, with_unit_names
from ui.widgets import excel_download, paged_table, run_action

require_roles("admin", "supervisor")
db = get_db()
st.title(t("nav.items"))
tab_list, tab_add, tab_import, tab_units = st.tabs([
    t("items.tab_list"), t("items.tab_add"), t("items.tab_import"), t("units.units_title")])
locations = [loc["code"] for loc in catalog.list_locations(db, active_only=True)]

with tab_list:
    search_col, cat_col = st.columns([2, 1])
    search = search_col.text_input(t("common.search"), key="item_search",
                                   placeholder=t("items.search_hint"))
    category = cat_col.selectbox(t("field.category"), [""] + catalog.categories(db),
                                 format_func=lambda c: c or t("common.all"))
    items, total = catalog.list_items(db, search=search or None, category=category or None,
                                      limit=2000)
    if not items:
        st.info(t("common.none_found"))
    else:
        table = pd.DataFrame(items)[["sku", "name", "name_zh", "spec", "brand", "unit",
                                     "category", "reorder_level", "issue_policy", "active"]]
        table = with_unit_names(db, table)
        paged_table(table, "items", prefix="field")
        if total > len(items):
            st.caption(t("items.refine_search", shown=len(items), total=total))
        excel_download(table, "items.xlsx", t("nav.items"), key="items_xlsx", prefix="field")
        sku = st.selectbox(t("items.choose_to_edit"), [""] + [i["sku"] for i in items],
                           key="item_edit_sku", format_func=lambda v: v or "—")
        if sku:
            current = catalog.get_item(db, sku)
            with st.form(f"edit_{sku}"):
                st.subheader(t("items.edit_title", sku=sku))
                values = item_fields(current, key=f"edit_{sku}", locations=locations, new=False)
                saved = st.form_submit_button(t("common.save"), type="primary", width="stretch")
            if saved:
                run_action(lambda: catalog.update_item(db, actor=actor(), sku=sku, **values),
                           "common.saved")
            toggle_key = "common.deactivate" if current["active"] else "common.activate"
            if st.button(t(toggle_key), key=f"toggle_{sku}", width="stretch"):
                if run_action(lambda: catalog.set_item_active(
                        db, actor=actor(), sku=sku, active=not current["active"]), "common.saved"):
                    st.rerun()
            pack_unit_editor(db, sku, [s["code"] for s in catalog.list_suppliers(db, active_only=True)])

with tab_add:
    with st.form("add_item", clear_on_submit=False):
        values = item_fields({}, key="new", locations=locations, new=True)
        added = st.form_submit_button(t("common.add"), type="primary", width="stretch")
    if added:
        run_action(lambda: catalog.create_item(db, actor=actor(), **values),
                   "items.created", sku=values.get("sku", ""))

with tab_import:
    st.write(t("items.import_help"))
    st.caption(t("units.import_help"))
    template = pd.DataFrame(columns=[*catalog.ITEM_FIELDS, catalog.PACK_UNITS_FIELD])
    excel_download(template, "item_import_template.xlsx", t("items.template"),
                   key="items_template", prefix="field")
    upload = st.file_uploader(t("common.upload"), type=["xlsx", "csv"], key="items_upload")
    if upload is not None and st.button(t("items.import_button"), type="primary", width="stretch"):
        count = run_action(lambda: catalog.import_items_file(
            db, actor=actor(), data=upload.getvalue(), filename=upload.name))
        if count:
            st.success(t("items.imported", count=count))

with tab_units:
    units_editor(db)
