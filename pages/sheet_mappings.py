"""Saved sheet mappings: what receivers taught the reader, per supplier and layout,
and which printed price (with or without tax) each supplier's sheet compares with
the PO. Purchasing and admin see, correct and delete them."""
import pandas as pd
import streamlit as st

from services import catalog
from services.sheets import mappings
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.widgets import run_action

require_roles("purchasing", "admin")
db = get_db()
st.title(t("nav.sheet_mappings"))

saved = mappings.list_mappings(db)
suppliers = catalog.list_suppliers(db, active_only=True)
by_code = {s["code"]: s for s in suppliers}

st.subheader(t("sheets.saved_mappings"))
if not saved:
    st.info(t("sheets.no_saved_mappings"))
for mapping in saved:
    with st.container(border=True):
        st.markdown(f"**{mapping['supplier']}** · {mapping['supplier_name']}")
        st.dataframe(pd.DataFrame([{
            t("sheets.col.headers"): mapping["headers"],
            t("field.mapping"): ", ".join(f"{t('field.' + f)} → {c + 1}"
                                          for f, c in sorted(mapping["columns"].items(),
                                                             key=lambda item: item[1])),
            t("sheets.col.by"): mapping["updated_by"],
            t("sheets.col.updated"): mapping["updated_at"]}]), hide_index=True, width="stretch")
        if st.button(t("sheets.delete_mapping"), key=f"map_delete_{mapping['id']}",
                     width="stretch", icon=":material/delete:"):
            if run_action(lambda m=mapping: mappings.delete_mapping(
                    db, actor=actor(), mapping_id=m["id"]), "success.mapping_deleted") is not None:
                st.rerun()

st.subheader(t("field.price_basis"))
for code in sorted({m["supplier"] for m in saved} | set(by_code)):
    profile = mappings.supplier_profile(db, code)
    if profile is None:
        continue
    cols = st.columns([3, 2])
    basis = cols[0].selectbox(profile.name, ["incl_tax", "excl_tax"],
                              index=["incl_tax", "excl_tax"].index(profile.price_basis),
                              format_func=lambda b: t(f"sheets.price_basis.{b}"),
                              key=f"map_price_basis_{code}")
    if cols[1].button(t("sheets.save_price_basis"), key=f"map_price_save_{code}",
                      width="stretch", disabled=basis == profile.price_basis):
        run_action(lambda c=code, b=basis: mappings.set_price_basis(
            db, actor=actor(), supplier=c, basis=b), "success.price_basis_saved")
        st.rerun()
