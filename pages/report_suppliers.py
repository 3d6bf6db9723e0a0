"""Supplier performance (供应商绩效): on-time deliveries, short / damaged / rejected
rates, price mismatches and check time, over a period."""
import streamlit as st

from ui import charts
from ui import claims as claims_ui
from ui.i18n import t
from ui.report_widgets import cached, date_range_picker, excel_button, fetch, link, show_frame
from ui.session import require_roles

require_roles()
st.title(t("nav.report_suppliers"))

start, end = date_range_picker("suppliers", days=90)
st.caption(t("rep.supplier_rule"))
df = cached("supplier_performance", start, end)
if df is not None:
    if df.empty:
        st.info(t("rep.no_deliveries"))
    else:
        left, right = st.columns(2)
        with left:
            st.subheader(t("rcol.on_time_rate"))
            st.altair_chart(charts.supplier_rates(df), width="stretch")
        with right:
            st.subheader(t("rep.problem_rates"))
            st.altair_chart(charts.supplier_problem_rates(df), width="stretch")
        claims_ui.scorecard_claims(start, end)
        view = df.copy()
        for column in ("on_time_rate", "short_rate", "damaged_rate", "rejected_rate"):
            view[column] = [None if v is None else f"{v * 100:.1f}%" for v in view[column]]
        # the name says who; codes are for Excel. A tablet opens with the rates.
        show_frame(view.drop(columns=["supplier"]), key="suppliers",
                   tablet=["name", "on_time_rate", "short_rate", "claims",
                           "refused_deliveries"])
    title = t("nav.report_suppliers")
    excel_button(lambda: [(fetch("supplier_performance", start, end), title)],
                 filename=f"supplier_performance_{start}_{end}.xlsx", heading=title,
                 subtitle=t("rep.range_line", start=start or "…", end=end or "…"),
                 key="suppliers_excel")
link("pages/receipts.py", t("nav.receipts"), ":material/receipt_long:")
link("pages/purchase_orders.py", t("nav.purchase_orders"), ":material/request_quote:")
