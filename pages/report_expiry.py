"""Expiry and ageing (效期与库龄): near-expiry and expired lots, and stock on hand
by age since receipt."""
import streamlit as st

from ui import charts
from ui.i18n import current_language, t
from ui.report_widgets import cached, excel_button, fetch, fmt_money, link, show_frame
from ui.session import require_roles
from ui.widgets import paged_table

require_roles()
st.title(t("nav.report_expiry"))

expiry_tab, ageing_tab = st.tabs([t("rep.expiry_tab"), t("rep.ageing_tab")])

with expiry_tab:
    left, right = st.columns([1, 2])
    within = left.segmented_control(t("rep.within_days"), [30, 60, 90, 180], default=90,
                                    key="expiry_within",
                                    format_func=lambda d: t("rep.days", days=d)) or 90
    include_expired = right.toggle(t("rep.include_expired"), True, key="expiry_expired")
    df = cached("expiring", int(within), include_expired=include_expired)
    if df is not None:
        if df.empty:
            st.success(t("rep.nothing_expiring", days=within))
        else:
            expired = df[df["bucket"] == "expired"]
            cols = st.columns(3)
            cols[0].metric(t("rep.expiry.expired"), len(expired))
            cols[1].metric(t("rcol.lots"), len(df))
            cols[2].metric(t("rcol.value"), fmt_money(sum(df["value"])))
            st.altair_chart(charts.expiry_bars(df), width="stretch")
            view = df.copy()
            view["bucket"] = [t(f"rep.expiry.{b}") for b in view["bucket"]]
            view["status"] = [t(f"rep.status.{s}") for s in view["status"]]
            name_column = "name_zh" if current_language() == "zh" else "name"
            paged_table(view[["sku", name_column, "location", "zone", "lot_no", "expiry_date",
                              "days_left", "bucket", "status", "qty_on_hand", "unit_cost",
                              "value"]], "expiry_table", prefix="rcol")
        title = t("rep.expiry_tab")
        excel_button(lambda: [(fetch("expiring", int(within), include_expired=include_expired),
                               title)],
                     filename=f"expiry_{within}d.xlsx", heading=title,
                     subtitle=t("rep.within_line", days=within), key="expiry_excel")
    link("pages/issuing.py", t("rep.act_issue_first"), ":material/outbox:")
    link("pages/transfers.py", t("rep.act_move_hold"), ":material/swap_horiz:")

with ageing_tab:
    options = cached("filter_options") or {}
    left, right = st.columns(2)
    category = left.selectbox(t("field.category"), ["", *options.get("categories", [])],
                              key="ageing_cat", format_func=lambda v: v or t("common.all"))
    warehouse = right.selectbox(t("field.warehouse"), ["", *options.get("warehouses", [])],
                                key="ageing_wh", format_func=lambda v: v or t("common.all"))
    age = cached("ageing", category=category or None, warehouse=warehouse or None)
    if age is not None:
        st.altair_chart(charts.ageing_bars(age), width="stretch")
        view = age.rename(columns={"bucket": "age_bucket"})
        show_frame(view)
        by_category = cached("ageing", category=category or None, warehouse=warehouse or None,
                             by_category=True)
        if by_category is not None and not by_category.empty:
            st.subheader(t("rep.by.category"))
            view = by_category.rename(columns={"bucket": "age_bucket"})
            view["category"] = [c or t("rep.no_category") for c in view["category"]]
            paged_table(view, "ageing_categories", prefix="rcol")
        title, cat_title = t("rep.ageing_tab"), t("rep.by.category")
        excel_button(
            lambda: [
                (fetch("ageing", category=category or None, warehouse=warehouse or None)
                 .rename(columns={"bucket": "age_bucket"}), title),
                (fetch("ageing", category=category or None, warehouse=warehouse or None,
                       by_category=True).rename(columns={"bucket": "age_bucket"}),
                 cat_title),
            ],
            filename="ageing.xlsx", heading=title, subtitle=t("rep.current_stock"),
            key="ageing_excel")
    link("pages/report_reorder.py", t("rep.see_slow_moving"), ":material/hourglass_bottom:")
