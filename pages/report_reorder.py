"""Reorder suggestions (存货不足的预警) and slow-moving / long-stored stock."""
import streamlit as st

from ui.i18n import current_language, t
from ui.report_widgets import cached, excel_button, fetch, fmt_money, link
from ui.session import require_roles
from ui.widgets import paged_table

require_roles()
st.title(t("nav.report_reorder"))
name_column = "name_zh" if current_language() == "zh" else "name"

reorder_tab, slow_tab = st.tabs([t("rep.reorder_tab"), t("rep.slow_tab")])

with reorder_tab:
    months = st.segmented_control(t("rep.usage_months"), [1, 3, 6, 12], default=3,
                                  key="reorder_months",
                                  format_func=lambda m: t("rep.months", months=m)) or 3
    st.caption(t("rep.reorder_rule"))
    df = cached("reorder", usage_months=int(months))
    if df is not None:
        if df.empty:
            st.success(t("rep.nothing_to_reorder"))
        else:
            st.metric(t("home.below_reorder"), len(df))
            paged_table(df[["sku", name_column, "category", "unit", "reorder_level",
                            "available_qty", "quarantine_qty", "open_po_qty",
                            "avg_monthly_usage", "suggested_qty"]], "reorder_table",
                        prefix="rcol")
        title = t("rep.reorder_tab")
        excel_button(lambda: [(fetch("reorder", usage_months=int(months)), title)],
                     filename="reorder.xlsx", heading=title,
                     subtitle=t("rep.usage_line", months=months), key="reorder_excel")
    link("pages/purchase_orders.py", t("rep.act_order"), ":material/request_quote:")

with slow_tab:
    idle = st.segmented_control(t("rep.idle_days"), [90, 180, 365, 730], default=180,
                                key="slow_idle",
                                format_func=lambda d: t("rep.days", days=d)) or 180
    st.caption(t("rep.slow_rule"))
    slow = cached("slow_moving", idle_days=int(idle))
    if slow is not None:
        if slow.empty:
            st.success(t("rep.nothing_slow", days=idle))
        else:
            cols = st.columns(2)
            cols[0].metric(t("rep.slow_items"), len(slow))
            cols[1].metric(t("rcol.value"), fmt_money(sum(slow["value"])))
            paged_table(slow[["sku", name_column, "category", "qty_on_hand", "value",
                              "last_issue_at", "last_receipt_at", "oldest_received_at",
                              "idle_days"]], "slow_table", prefix="rcol")
        title = t("rep.slow_tab")
        excel_button(lambda: [(fetch("slow_moving", idle_days=int(idle)), title)],
                     filename=f"slow_moving_{idle}d.xlsx", heading=title,
                     subtitle=t("rep.idle_line", days=idle), key="slow_excel")
    link("pages/report_expiry.py", t("nav.report_expiry"), ":material/event_busy:")
