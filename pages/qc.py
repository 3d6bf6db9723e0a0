"""Quarantine / QC: inspect goods booked into quarantine; passed to a bin,
failed to the hold area on a return-to-supplier document."""
import pandas as pd
import streamlit as st

from services import catalog, receiving
from ui import evidence
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.widgets import compact_table, run_action

user = require_roles("qc", "supervisor")
db = get_db()
st.title(t("qc.title"))

waiting = receiving.quarantine_lines(db)
if not waiting:
    st.info(t("qc.none"))
    st.stop()

compact_table(pd.DataFrame([{   # what a 768 px tablet shows; a tapped row shows the rest
    "receipt": w["receipt"], "line_no": w["line_no"], "sku": w["sku"], "name": w["name"],
    "lot_no": w["lot_no"], "qty": w["qty"], "location": w["location"],
    "target_bin": w["target_bin"], "supplier": w["supplier"]} for w in waiting]),
    "qc_waiting", ["receipt", "sku", "name", "qty", "location"], prefix="rcv",
    widths={"name": "medium"})

if user.has("qc"):
    options = list(range(len(waiting)))
    pick = st.selectbox(t("qc.choose"), options, key="qc_pick", format_func=lambda i: t(
        "qc.option", receipt=waiting[i]["receipt"], line_no=waiting[i]["line_no"],
        sku=waiting[i]["sku"], name=waiting[i]["name"], qty=f"{waiting[i]['qty'].normalize():f}",
        location=waiting[i]["location"]))
    row = waiting[pick]
    bins = [loc["code"] for loc in catalog.list_locations(db, active_only=True, kind="storage")]
    with st.form(f"qc_{row['receipt']}_{row['line_no']}", clear_on_submit=True):
        left, right = st.columns(2)
        passed = left.text_input(t("field.passed_qty"), f"{row['qty'].normalize():f}")
        failed = right.text_input(t("field.failed_qty"), "0")
        default = row["target_bin"] if row["target_bin"] in bins else (bins[0] if bins else "")
        target = st.selectbox(t("qc.bin"), bins, index=bins.index(default) if default in bins else 0)
        if st.form_submit_button(t("qc.release"), type="primary", width="stretch"):
            result = run_action(lambda: receiving.qc_release(
                db, actor=actor(), receipt=row["receipt"], line_no=row["line_no"],
                passed_qty=passed.strip() or "0", failed_qty=failed.strip() or "0",
                location=target), "qc.released")
            if result and result.get("return_number"):
                st.warning(t("qc.failed_return", number=result["return_number"]))
            if result is not None:
                st.rerun()
    evidence.receipt_line_photos(row["receipt"], row["line_no"], stage="qc")
