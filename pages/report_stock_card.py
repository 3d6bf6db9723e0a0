"""Stock card (料卡) of one item: every movement with document, actor and running
balance over a period; the printable shelf card with a Code 128 of the SKU."""
from datetime import date

import streamlit as st

from services import reports
from services.errors import ServiceError
from ui.format import fmt_qty_unit, fmt_unit
from ui.i18n import current_language, has, t
from ui.labels import shelf_card
from ui.report_widgets import (
    cached,
    date_range_picker,
    excel_button,
    fetch,
    fmt_money,
    fmt_qty,
    show_frame,
)
from ui.scan import scan_box
from ui.session import require_roles

require_roles()
st.title(t("nav.report_stock_card"))

# The SKU can come from a link (?sku=...), a scanner typing into the box, or the picker.
from_link = st.query_params.get("sku")
if from_link and st.session_state.get("card_linked") != from_link:
    st.session_state["card_linked"] = from_link
    st.session_state["card_search"] = from_link
link_period = st.query_params.get("period")
if link_period and st.session_state.get("card_linked_period") != link_period:
    st.session_state["card_linked_period"] = link_period
    try:
        st.session_state["card_from"], st.session_state["card_to"] = reports.period_dates(
            link_period)
    except ServiceError:
        pass
scan = scan_box("card_search", want=("item", "lot"), label=t("rep.scan_or_search"))
matches = scan.items if scan.text else (cached("find_items", None, limit=50) or [])
if not matches:
    st.stop()
name_key = "name_zh" if current_language() == "zh" else "name"
labels = {m["sku"]: f"{m['sku']} · {m[name_key] or m['name']}" for m in matches}
skus = list(labels)
sku = st.selectbox(t("rcol.sku"), skus, index=0, format_func=labels.get, key="card_sku")
if sku != st.query_params.get("sku"):
    st.query_params["sku"] = sku

card = cached("item_card", sku)
if card is None:
    st.stop()
with st.container(border=True):
    head = st.columns([2, 1, 1, 1])
    name = card["name_zh"] or card["name"] if current_language() == "zh" else card["name"]
    head[0].markdown(f"**{card['sku']}** · {name}")
    head[0].caption(" · ".join(x for x in (card["spec"], card["brand"], card["category"]) if x))
    head[1].metric(t("rcol.qty_on_hand"), fmt_qty_unit(card['qty_on_hand'], card['unit']))
    head[2].metric(t("rcol.value"), fmt_money(card["value"]))
    head[3].metric(t("rcol.reorder_level"), fmt_qty(card["reorder_level"]))
    badges = [t("rep.genuine.genuine") if card["genuine"] else t("rep.genuine.aftermarket")]
    if card["hazardous"]:
        badges.append(t("rep.hazardous"))
    st.caption(" · ".join(badges))
    if card["bins"]:
        st.caption(t("rep.bins") + ": " + ", ".join(
            f"{b['location']} ({fmt_qty(b['qty'])})" for b in card["bins"]))

start, end = date_range_picker("card", days=90, allow_empty=False)
if card["qty_on_hand"] < card["reorder_level"]:
    st.warning(t("rep.below_reorder_warning", qty=fmt_qty(card["qty_on_hand"]),
                 level=fmt_qty(card["reorder_level"])))
movements = cached("stock_card", sku, start, end)
if movements is None:
    st.stop()
view = movements.copy()
view["type"] = [t(f"rep.move.{v}") if has(f"rep.move.{v}") else v for v in view["type"]]
show_frame(view, total=len(view), height=420 if len(view) > 10 else "auto", key="card",
           tablet=["at", "type", "doc_no", "in_qty", "out_qty", "balance_qty"])

period_line = t("rep.range_line", start=start.isoformat() if start else "…",
                end=end.isoformat() if end else "…")
sheet_title = t("nav.report_stock_card")
heading = f"{t('nav.report_stock_card')} {card['sku']} {name}"
excel_button(lambda: [(fetch("stock_card", sku, start, end), sheet_title)],
             filename=f"stock_card_{card['sku']}_{(start or date.min).isoformat()}.xlsx",
             heading=heading, subtitle=period_line, key="card_excel")

shelf_card(sku)
