"""Stock on hand (库存查询): lots with stock, filtered, valued at FIFO lot cost; drill
into an item's stock card; Excel export with the sign-off block."""
import streamlit as st

from ui.i18n import current_language, t
from ui.report_widgets import (
    cached,
    excel_button,
    fetch,
    fmt_money,
    fmt_qty,
    link,
    page_controls,
    show_frame,
)
from ui.scan import scan_box
from ui.session import require_roles

require_roles()
st.title(t("nav.report_stock"))

options = cached("filter_options") or {}
ALL = ""


def choice(column, label_key: str, values: list[str], key: str) -> str:
    return column.selectbox(t(label_key), [ALL, *values], key=key,
                            format_func=lambda v: v or t("common.all"))


with st.container(border=True):
    top = st.columns([2, 1, 1, 1])
    with top[0]:
        scan = scan_box("soh_search", label=t("rep.search_items"), quiet_miss=True)
    warehouse = choice(top[1], "field.warehouse", options.get("warehouses", []), "soh_wh")
    zone = choice(top[2], "field.zone", options.get("zones", []), "soh_zone")
    location = choice(top[3], "field.location", options.get("locations", []), "soh_loc")
    bottom = st.columns([1, 1, 1, 1, 1])
    category = choice(bottom[0], "field.category", options.get("categories", []), "soh_cat")
    brand = choice(bottom[1], "field.brand", options.get("brands", []), "soh_brand")
    genuine_choice = bottom[2].selectbox(
        t("rep.genuine_filter"), ["all", "genuine", "aftermarket"], key="soh_genuine",
        format_func=lambda v: t(f"rep.genuine.{v}"))
    status = bottom[3].selectbox(
        t("rcol.status"), [ALL, "available", "quarantine", "hold"], key="soh_status",
        format_func=lambda v: t(f"rep.status.{v}") if v else t("common.all"))
    as_of = bottom[4].date_input(t("rep.as_of"), None, key="soh_as_of", format="YYYY-MM-DD",
                                 help=t("rep.as_of_help"))

# a scanned item code, lot label or bin label filters exactly; other text searches
hit = scan.hit
filters = dict(
    search=None if hit else scan.text or None, sku=hit.sku if hit else None,
    warehouse=warehouse or None, zone=zone or None,
    location=(hit.location if hit and hit.location else location) or None, category=category or None, brand=brand or None,
    genuine={"all": None, "genuine": True, "aftermarket": False}[genuine_choice],
    status=status or None, as_of=as_of,
)
totals = cached("stock_on_hand_totals", **filters)
if totals is None:
    st.stop()
cols = st.columns(3)
cols[0].metric(t("rcol.lots"), totals["lots"])
cols[1].metric(t("rcol.qty_on_hand"), fmt_qty(totals["qty"]))
cols[2].metric(t("rcol.value"), fmt_money(totals["value"]))

limit, offset = page_controls(totals["lots"], "soh")
page = cached("stock_on_hand", limit=limit, offset=offset, **filters)
if page is None:
    st.stop()
if page.empty:
    st.info(t("common.none_found"))
else:
    view = page.copy()
    view["status"] = [t(f"rep.status.{s}") for s in view["status"]]
    view["genuine"] = [t("rep.genuine.genuine") if g else t("rep.genuine.aftermarket")
                       for g in view["genuine"]]
    name_column = "name_zh" if current_language() == "zh" else "name"
    shown = ["sku", name_column, "category", "brand", "genuine", "warehouse", "location", "zone",
             "lot_no", "expiry_date", "received_at", "status", "unit", "qty_on_hand",
             "unit_cost", "value"]
    show_frame(view[shown], total=totals["lots"], key="soh",
               tablet=["sku", name_column, "location", "qty_on_hand", "unit", "value"])

    skus = list(dict.fromkeys(page["sku"]))
    left, right = st.columns([2, 1])
    sku = left.selectbox(t("rep.drill_item"), skus, key="soh_drill")
    with right:
        if sku:
            link("pages/report_stock_card.py", t("rep.open_stock_card", sku=sku),
                 ":material/badge:", query_params={"sku": sku})

subtitle = t("rep.as_of_line", date=as_of.isoformat()) if as_of else t("rep.current_stock")
sheet_title = t("nav.report_stock")
excel_button(
    lambda: [(fetch("stock_on_hand", **filters), sheet_title)],
    filename=f"stock_on_hand{'_' + as_of.isoformat() if as_of else ''}.xlsx",
    heading=t("nav.report_stock"), subtitle=subtitle, key="soh_excel")
link("pages/report_expiry.py", t("nav.report_expiry"), ":material/event_busy:")
