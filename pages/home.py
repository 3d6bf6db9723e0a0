"""Home dashboard: today's work and the warnings for the signed-in user's roles,
each tile linking to the screen that acts on it, plus two charts."""
import streamlit as st

from ui import charts
from ui import claims as claims_tile
from ui.i18n import t
from ui.report_widgets import can_open, cached, fmt_money, fmt_qty, link, tile
from ui.session import require_roles

user = require_roles()
st.title(t("nav.home"))

# Which tiles each role sees first (a user with several roles sees the union).
ROLE_TILES = {
    "receiver": ["receipts", "deliveries_due", "deliveries_overdue", "stale_receipts", "quarantine"],
    "keeper": ["receipts", "issues", "stale_receipts", "quarantine", "below_reorder",
               "expiring", "stocktake"],
    "qc": ["quarantine", "expiring"],
    "supervisor": ["claims", "receipts", "issues", "stale_receipts", "quarantine", "below_reorder",
                   "expiring", "stocktake", "deliveries_overdue"],
    "purchasing": ["claims", "deliveries_due", "deliveries_overdue", "below_reorder", "stale_receipts"],
    "finance": ["receipts", "issues", "stocktake", "expiring", "below_reorder"],
    "manager": ["receipts", "issues", "deliveries_overdue", "below_reorder", "expiring",
                "quarantine", "stocktake"],
    "admin": ["receipts", "issues", "below_reorder", "stocktake"],
}
ORDER = ["claims", "receipts", "issues", "deliveries_due", "deliveries_overdue", "stale_receipts",
         "quarantine", "below_reorder", "expiring", "stocktake"]
wanted = {name for role in user.roles for name in ROLE_TILES.get(role, [])} or set(ORDER)
shown = [name for name in ORDER if name in wanted]

data = cached("dashboard")
if data is None:
    st.stop()
st.caption(t("home.today", date=data["today"].isoformat()))


def show_tile(column, name: str) -> None:
    if name == "claims":
        # overdue claims in red with their age (004 ㈠8: one working day per step)
        claims_tile.home_tile(column)
    elif name == "receipts":
        r = data["receipts_today"]
        tile(column, t("home.receipts_today"), r["docs"],
             help_text=t("home.receipts_help", qty=fmt_qty(r["qty"]), value=fmt_money(r["value"])),
             delta=t("home.value_delta", value=fmt_money(r["value"])),
             target="pages/receipts.py", link_label=t("nav.receipts"))
    elif name == "issues":
        r = data["issues_today"]
        tile(column, t("home.issues_today"), r["docs"],
             help_text=t("home.issues_help", qty=fmt_qty(r["qty"]), value=fmt_money(r["value"])),
             delta=t("home.value_delta", value=fmt_money(r["value"])),
             target="pages/issues_list.py", link_label=t("nav.issues_list"))
    elif name == "deliveries_due":
        tile(column, t("home.deliveries_due"), data["deliveries_due"],
             help_text=t("home.deliveries_due_help"), target="pages/purchase_orders.py",
             link_label=t("nav.purchase_orders"))
    elif name == "deliveries_overdue":
        tile(column, t("home.deliveries_overdue"), data["deliveries_overdue"],
             help_text=t("home.deliveries_overdue_help"), target="pages/purchase_orders.py",
             link_label=t("nav.purchase_orders"))
    elif name == "stale_receipts":
        tile(column, t("home.stale_receipts"), data["stale_receipts"],
             help_text=t("home.stale_receipts_help", open=data["open_receipts"]),
             delta=t("home.open_receipts", count=data["open_receipts"]),
             target="pages/receiving.py", link_label=t("nav.receiving"))
    elif name == "quarantine":
        q = data["quarantine"]
        oldest = q["oldest"].date().isoformat() if q["oldest"] else "—"
        tile(column, t("home.quarantine"), q["lots"],
             help_text=t("home.quarantine_help", qty=fmt_qty(q["qty"]), oldest=oldest),
             delta=t("home.oldest", date=oldest) if q["lots"] else None,
             target="pages/qc.py", link_label=t("nav.qc"))
    elif name == "below_reorder":
        tile(column, t("home.below_reorder"), data["below_reorder"],
             help_text=t("home.below_reorder_help"), target="pages/report_reorder.py",
             link_label=t("nav.report_reorder"))
    elif name == "expiring":
        e = data["expiring"]
        tile(column, t("home.expiring"), t("home.expiring_value", d30=e["d30"], d60=e["d60"],
                                            d90=e["d90"]),
             help_text=t("home.expiring_help"),
             delta=t("home.expired", count=e["expired"]) if e["expired"] else None,
             target="pages/report_expiry.py", link_label=t("nav.report_expiry"))
    elif name == "stocktake":
        s = data["stocktake"]
        value = t(f"home.stocktake.{s['status']}") if s else t("home.stocktake_none")
        tile(column, t("home.stocktake"), value,
             help_text=t("home.stocktake_help", number=s["number"], period=s["period"]) if s else "",
             delta=s["number"] if s else None,
             **stocktake_link())


def stocktake_link() -> dict:
    """The stocktake screen, or the variance review for those who approve (manager)."""
    for path, title in (("pages/stocktake.py", "nav.stocktake"),
                        ("pages/variance_review.py", "nav.variance_review")):
        if can_open(path):
            return {"target": path, "link_label": t(title)}
    return {}


PER_ROW = 3   # wide enough for a tile's figure on a 1024 px tablet with the sidebar
for start in range(0, len(shown), PER_ROW):
    columns = st.columns(PER_ROW)
    for column, name in zip(columns, shown[start:start + PER_ROW]):
        show_tile(column, name)

st.divider()
left, right = st.columns(2)
with left:
    st.subheader(t("home.value_by_category"))
    by_category = cached("stock_value_by_category")
    if by_category is not None and not by_category.empty:
        st.altair_chart(charts.value_by_category(by_category), width="stretch")
    else:
        st.info(t("rep.no_stock"))
    link("pages/report_stock.py", t("nav.report_stock"), ":material/inventory_2:")
with right:
    st.subheader(t("home.trend"))
    view = st.segmented_control(
        t("home.trend_view"), ["week", "month", "year"], default="month",
        format_func=lambda v: t(f"home.view.{v}"), key="home_trend_view") or "month"
    measure = st.segmented_control(
        t("home.trend_measure"), ["value", "qty"], default="value",
        format_func=lambda v: t(f"rcol.{v}"), key="home_trend_measure") or "value"
    trend = cached("movement_trend", view=view)
    if trend is not None:
        st.altair_chart(charts.in_out_trend(trend, measure), width="stretch")
    link("pages/report_monthly.py", t("nav.report_monthly"), ":material/calendar_month:")
