"""Transfers (调拨单 / 转仓单) between bins and warehouses: lots keep their identity,
received time and cost; the source location's lots go FIFO."""
import uuid
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import catalog, issuing
from services.errors import ServiceError
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.units import show_conversion
from ui.widgets import labelled, run_action, show_service_error

require_roles("keeper", "supervisor")
db = get_db()
ss = st.session_state
ss.setdefault("trf_request_id", uuid.uuid4().hex)


def money(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places)):,}"


st.title(t("transfers.title"))

done = ss.get("trf_last")
if done is not None:
    st.success(t("transfers.posted", number=done.number), icon=":material/check_circle:")
    st.caption(t("transfers.moved"))
    st.dataframe(labelled(pd.DataFrame([{
        "sku": done.sku, "from_location": a.location, "to_location": done.to_location,
        "lot_no": a.lot_no, "received_at": a.received_at.strftime("%Y-%m-%d"),
        "qty": str(issuing.plain(a.qty)), "unit_cost": money(a.unit_cost, 4),
        "value": money(a.value)} for a in done.lots]), "iss.col"),
        hide_index=True, width="stretch")

term = st.text_input(t("issuing.scan"), key="trf_scan", icon=":material/barcode_scanner:")
sku = None
if term.strip():
    found, _ = catalog.list_items(db, search=term.strip(), active_only=True, limit=20)
    if not found:
        st.info(t("issuing.no_match", term=term.strip()))
    else:
        found.sort(key=lambda i: i["sku"] != term.strip().upper())
        labels = {i["sku"]: f"{i['sku']} · {i['name']}" for i in found}
        sku = st.selectbox(t("issuing.pick_item"), list(labels), format_func=labels.get,
                           key="trf_pick")

if sku:
    try:
        where = issuing.stock_locations(db, sku)
    except ServiceError as exc:
        show_service_error(exc)
        where = []
    if not where:
        st.info(t("transfers.no_stock", sku=sku))
    else:
        st.caption(t("transfers.where"))
        table = pd.DataFrame(where)
        for column in ("qty", "issuable"):
            table[column] = table[column].map(lambda v: str(issuing.plain(v)))
        table["kind"] = table["kind"].map(lambda k: t(f"iss.kind.{k}"))
        table["frozen"] = table["frozen"].map(lambda f: t("common.yes") if f else "")
        st.dataframe(labelled(table, "iss.col"), hide_index=True, width="stretch")
        destinations = [loc["code"] for loc in catalog.list_locations(db, active_only=True)
                        if loc["kind"] != "quarantine"]
        typed = st.text_input(t("field.qty"), value="1", key="trf_qty",
                              help=t("units.qty_hint"))
        in_stock_unit = show_conversion(db, sku, typed)     # "2 箱" shown as "= 24 个"
        qty = typed if in_stock_unit is None else in_stock_unit
        with st.form("trf_form"):
            f1, f2 = st.columns(2)
            source = f1.selectbox(t("field.from_location"), [row["location"] for row in where])
            target = f2.selectbox(t("field.to_location"), destinations)
            note = st.text_input(t("field.note"), max_chars=200)
            if st.form_submit_button(t("transfers.confirm"), type="primary",
                                     icon=":material/swap_horiz:", width="stretch"):
                result = run_action(lambda: issuing.transfer(
                    db, actor=actor(), sku=sku, qty=qty, from_location=source,
                    to_location=target, note=note, request_id=ss["trf_request_id"]))
                if result is not None:
                    ss["trf_last"] = result
                    ss["trf_request_id"] = uuid.uuid4().hex
                    st.rerun()

recent = issuing.list_transfers(db, limit=20)
if not recent.empty:
    st.subheader(t("transfers.recent"))
    recent["at"] = recent["at"].map(lambda v: v.strftime("%Y-%m-%d %H:%M"))
    recent["qty"] = recent["qty"].map(lambda v: str(issuing.plain(v)))
    recent["total_cost"] = recent["total_cost"].map(money)
    st.dataframe(labelled(recent, "iss.col"), hide_index=True, width="stretch")
