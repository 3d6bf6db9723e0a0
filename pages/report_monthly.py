"""Monthly in/out/closing summary (收发存汇总表) per item and per category, FIFO
values; month-end closing (月结) for finance; drill into an item's stock card."""
import streamlit as st

from services import reports
from ui.documents import pdf_download
from ui.i18n import current_language, t
from ui.report_widgets import (
    cached,
    excel_button,
    fetch,
    fmt_money,
    link,
    month_picker,
    period_label,
)
from ui.session import actor, get_db, require_roles
from ui.widgets import column_chooser, paged_table, run_action

user = require_roles()
st.title(t("nav.report_monthly"))

top = st.columns([1, 1.3, 2])
with top[0]:
    period = month_picker("monthly_period")
by = top[1].segmented_control(t("rep.group_by"), ["item", "category"], default="item",
                              format_func=lambda v: t(f"rep.by.{v}"), key="monthly_by") or "item"
status = cached("period_status", period)
if status is None:
    st.stop()
with top[2]:
    if status["closed"]:
        st.success(t("rep.period_closed", by=status["closed_by"],
                     at=status["closed_at"].strftime("%Y-%m-%d %H:%M")), icon=":material/lock:")
    else:
        st.info(t("rep.period_open"), icon=":material/lock_open:")

detail = cached("monthly_summary", period, details=True)
if detail is None:
    st.stop()
totals = reports.summary_totals(detail)
# Two rows so full figures fit on a tablet: the flows, then opening and closing.
for names in (("in_value", "out_value", "adjust_value"), ("opening_value", "closing_value")):
    for column, name in zip(st.columns(3), names):
        column.metric(t(f"rcol.{name}"), fmt_money(totals[name]))
st.caption(t("rep.summary_rule"))

name_column = "name_zh" if current_language() == "zh" else "name"
if by == "item":
    shown = ["sku", name_column, "category", "unit", "opening_qty", "opening_value", "in_qty",
             "in_value", "out_qty", "out_value", "adjust_qty", "adjust_value", "closing_qty",
             "closing_value"]
    if detail.empty:
        st.info(t("common.none_found"))
    else:
        paged_table(column_chooser(detail[shown], "monthly_items",
                                   ["sku", name_column, "unit", "in_qty", "out_qty",
                                    "closing_qty"], prefix="rcol"),
                    "monthly_items", prefix="rcol")
        left, right = st.columns([2, 1])
        sku = left.selectbox(t("rep.drill_item"), list(detail["sku"]), key="monthly_drill")
        with right:
            link("pages/report_stock_card.py", t("rep.open_stock_card", sku=sku),
                 ":material/badge:", query_params={"sku": sku, "period": period})
else:
    by_category = cached("monthly_summary_by_category", period)
    if by_category is not None:
        view = by_category.copy()
        view["category"] = [c or t("rep.no_category") for c in view["category"]]
        paged_table(view, "monthly_categories", prefix="rcol")

subtitle = t("rep.period_line", period=period_label(period)) + " · " + (
    t("rep.closed_short") if status["closed"] else t("rep.open_short"))
item_title, category_title = t("rep.by.item"), t("rep.by.category")
excel_button(
    lambda: [(fetch("monthly_summary", period, details=True), item_title),
             (fetch("monthly_summary_by_category", period), category_title)],
    filename=f"monthly_summary_{period}.xlsx", heading=t("nav.report_monthly"),
    subtitle=subtitle, key="monthly_excel", totals=True)
pdf_download("monthly_summary", period, key="monthly_pdf", label_key="doc.download_monthly")

if user.has("finance"):
    st.divider()
    st.subheader(t("rep.close_month"))
    if status["closed"]:
        st.caption(t("rep.close_done"))
    elif not status["can_close"]:
        code, params = status["reason"]
        st.caption(t(f"error.{code}", **params))
    else:
        with st.form("close_month"):
            st.write(t("rep.close_explain", period=period_label(period)))
            sure = st.checkbox(t("rep.close_confirm"), key="close_sure")
            if st.form_submit_button(t("rep.close_button"), type="primary", width="stretch",
                                     icon=":material/lock:"):
                if not sure:
                    st.warning(t("rep.close_tick"))
                elif run_action(lambda: reports.close_month(get_db(), actor=actor(), period=period),
                                "rep.closed_ok", period=period):
                    st.rerun()
