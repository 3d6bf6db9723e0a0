"""Supplier claims: every discrepancy and refused delivery followed to closure;
overdue ones in red with their age."""
import pandas as pd
import streamlit as st

from services import catalog, claims, receiving
from ui import claims as claim_ui
from ui.i18n import t
from ui.report_widgets import month_picker
from ui.session import get_db, require_roles
from ui.widgets import compact_table

STATUS_FILTERS = ["not_closed", "all", "open", "with_supplier", "credited", "replaced",
                  "returned", "written_off", "closed"]

require_roles("purchasing", "supervisor", "manager", "finance")
db = get_db()
st.title(t("nav.claims"))
tab_claims, tab_refused = st.tabs([t("claims.tab_claims"), t("claims.tab_refused")])

with tab_claims:
    left, middle, right = st.columns([2, 2, 1])
    status = left.selectbox(t("claims.status_filter"), STATUS_FILTERS, key="claims_status",
                            format_func=lambda s: t(f"claims.filter.{s}"))
    names = {s["code"]: s["name"] for s in catalog.list_suppliers(db)}
    suppliers = [""] + list(names)
    supplier = middle.selectbox(t("field.supplier"), suppliers, key="claims_supplier",
                                format_func=lambda s: names.get(s) or t("common.all"))
    only_overdue = right.toggle(t("claims.only_overdue"), key="claims_overdue")
    frame = claims.list_claims(db, status=status, supplier=supplier or None,
                               overdue=True if only_overdue else None)
    if frame.empty:
        st.info(t("claims.none"))
    else:
        overdue = int(frame["overdue"].sum())
        if overdue:
            st.error(t("claims.overdue_count", count=overdue), icon=":material/alarm:")
        claim_ui.claims_table(frame)
        numbers = list(frame["number"])
        wanted = st.query_params.get("claim")
        if wanted in numbers and "claims_pick" not in st.session_state:
            st.session_state["claims_pick"] = wanted
        chosen = st.selectbox(t("claims.choose"), numbers, key="claims_pick")
        if chosen:
            claim_ui.claim_detail(chosen)
    with st.expander(t("claims.month_pack"), icon=":material/folder_zip:"):
        codes = [s for s in suppliers if s]
        pick_supplier = st.selectbox(t("field.supplier"), codes, key="claims_pack_supplier",
                                     format_func=names.get)
        period = month_picker("claims_pack_period")
        if pick_supplier and period:
            claim_ui.pack_buttons(f"{pick_supplier}/{period}", key="month_pack")

with tab_refused:
    rows = receiving.list_refusals(db)
    if not rows:
        st.info(t("claims.no_refusals"))
    else:
        compact_table(pd.DataFrame([{
            "number": r["number"], "supplier": r["supplier"], "po_number": r["po_number"],
            "delivery_note_no": r["delivery_note_no"], "reason": r["reason"],
            "packages": r["packages"] or t("rfd.whole_delivery"), "driver_name": r["driver_name"],
            "refused_by": r["refused_by"], "refused_at": claim_ui.local(r["refused_at"]),
            "redelivered_receipt": r["redelivered_receipt"]} for r in rows]), "refusals",
            ["number", "supplier", "delivery_note_no", "refused_at"], prefix="claims.col",
            widths={"supplier": "medium"})
