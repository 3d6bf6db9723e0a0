"""Transfers (调拨单 / 转仓单) between bins and warehouses: lots keep their identity,
received time and cost; the source location's lots go FIFO."""
import uuid
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import catalog, issuing
from services.errors import ServiceError
from ui.i18n import t
from ui.scan import item_label, scan_box
from ui.session import actor, get_db, require_roles
from ui.units import show_conversion
from ui.widgets import compact_table, run_action, show_service_error

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
    compact_table(pd.DataFrame([{
        "sku": done.sku, "from_location": a.location, "to_location": done.to_location,
        "lot_no": a.lot_no, "received_at": a.received_at.strftime("%Y-%m-%d"),
        "qty": str(issuing.plain(a.qty)), "unit_cost": money(a.unit_cost, 4),
        "value": money(a.value)} for a in done.lots]), "trf_done",
        ["sku", "from_location", "to_location", "lot_no", "qty"], prefix="iss.col")

scan = scan_box("trf_scan", want=("item", "lot"), label=t("issuing.scan"))
sku = None
if scan.items:
    labels = {i["sku"]: item_label(i) for i in scan.items}
    sku = st.selectbox(t("issuing.pick_item"), list(labels), format_func=labels.get,
                       key="trf_pick")
scanned_lot = scan.hit.location if scan.hit is not None and scan.hit.kind == "lot" else None

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
        compact_table(table, "trf_where", ["location", "kind", "qty", "issuable", "frozen"],
                      prefix="iss.col", widths={"location": "medium"})
        destinations = [loc["code"] for loc in catalog.list_locations(db, active_only=True)
                        if loc["kind"] != "quarantine"]
        typed = st.text_input(t("field.qty"), value="1", key="trf_qty",
                              help=t("units.qty_hint"))
        in_stock_unit = show_conversion(db, sku, typed)     # "2 箱" shown as "= 24 个"
        qty = typed if in_stock_unit is None else in_stock_unit
        with st.form("trf_form"):
            f1, f2 = st.columns(2)
            sources = [row["location"] for row in where]
            # a scanned lot label proposes the bin that lot sits in
            source = f1.selectbox(t("field.from_location"), sources,
                                  index=sources.index(scanned_lot) if scanned_lot in sources else 0)
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
    compact_table(recent, "trf_recent", ["number", "at", "sku", "qty", "to_location"],
                  prefix="iss.col")
