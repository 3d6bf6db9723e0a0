"""Warehouses, zones and bin locations."""
import pandas as pd
import streamlit as st

from services import catalog
from ui.i18n import t
from ui.labels import bin_labels_section
from ui.session import actor, get_db, require_roles
from ui.widgets import excel_download, paged_table, run_action, show_dataframe

require_roles("admin", "supervisor")
db = get_db()
st.title(t("nav.locations"))
tab_list, tab_add, tab_houses = st.tabs(
    [t("locations.tab_list"), t("locations.tab_add"), t("locations.tab_warehouses")])
houses = [w["code"] for w in catalog.list_warehouses(db)]
kind_label = lambda kind: t(f"locations.kind.{kind}")  # noqa: E731

with tab_list:
    col1, col2, col3 = st.columns(3)
    search = col1.text_input(t("common.search"), key="loc_search")
    house = col2.selectbox(t("field.warehouse"), [""] + houses,
                           format_func=lambda c: c or t("common.all"))
    zone = col3.selectbox(t("field.zone"), [""] + catalog.zones(db),
                          format_func=lambda z: z or t("common.all"))
    rows = catalog.list_locations(db, warehouse=house or None, zone=zone or None,
                                  search=search or None)
    if not rows:
        st.info(t("common.none_found"))
    else:
        table = pd.DataFrame(rows)
        table["kind"] = table["kind"].map(kind_label)
        paged_table(table, "locations", prefix="field")
        excel_download(table, "locations.xlsx", t("nav.locations"), key="loc_xlsx", prefix="field")
        code = st.selectbox(t("locations.choose_to_edit"), [""] + [r["code"] for r in rows],
                     format_func=lambda v: v or "—")
        if code:
            current = next(r for r in rows if r["code"] == code)
            with st.form(f"edit_loc_{code}"):
                new_zone = st.text_input(t("field.zone"), current["zone"])
                kind = st.selectbox(t("field.kind"), catalog.LOCATION_KINDS,
                                    catalog.LOCATION_KINDS.index(current["kind"]), format_func=kind_label)
                active = st.checkbox(t("field.active"), current["active"])
                if st.form_submit_button(t("common.save"), type="primary", width="stretch"):
                    run_action(lambda: catalog.update_location(
                        db, actor=actor(), code=code, zone=new_zone, kind=kind, active=active),
                        "common.saved")

    bin_labels_section(catalog.zones(db), [r["code"] for r in rows])

with tab_add:
    with st.form("add_location"):
        code = st.text_input(t("field.code"), max_chars=40)
        zone = st.text_input(t("field.zone"))
        kind = st.selectbox(t("field.kind"), catalog.LOCATION_KINDS, format_func=kind_label)
        house = st.selectbox(t("field.warehouse"), houses) if houses else None
        if st.form_submit_button(t("common.add"), type="primary", width="stretch"):
            run_action(lambda: catalog.create_location(
                db, actor=actor(), code=code, zone=zone, kind=kind, warehouse=house),
                "locations.created", code=code)

with tab_houses:
    show_dataframe(pd.DataFrame(catalog.list_warehouses(db)), "field")
    with st.form("add_warehouse"):
        code = st.text_input(t("field.code"), max_chars=20)
        name = st.text_input(t("field.name"))
        name_zh = st.text_input(t("field.name_zh"))
        if st.form_submit_button(t("common.add"), type="primary", width="stretch"):
            run_action(lambda: catalog.create_warehouse(
                db, actor=actor(), code=code, name=name, name_zh=name_zh),
                "locations.warehouse_created", code=code)
