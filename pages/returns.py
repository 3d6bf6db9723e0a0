"""Returns to stock (退库) against the original issue slip, and the old-parts
register (领新交旧) until the old part is handed back to the vehicle owner."""
import uuid
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import issuing
from services.errors import ServiceError
from ui.i18n import t
from ui.session import actor, after_write, get_db, require_roles
from ui.units import with_unit_names
from ui.widgets import compact_table, run_action, show_service_error

require_roles("keeper", "supervisor")
db = get_db()
ss = st.session_state
ss.setdefault("ret_request_id", uuid.uuid4().hex)


def money(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places)):,}"


def when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None and not pd.isna(value) else ""


st.title(t("returns.title"))
tab_return, tab_old = st.tabs([t("returns.tab_return"), t("returns.tab_old_parts")])

with tab_return:
    number = st.text_input(t("field.issue_number"), key="ret_issue",
                           icon=":material/receipt_long:").strip()
    done = ss.get("ret_last")
    if done is not None:
        st.success(t("returns.posted", number=done.number), icon=":material/check_circle:")
        st.caption(t("returns.into_lots"))
        compact_table(pd.DataFrame([{
            "location": a.location, "lot_no": a.lot_no, "qty": str(issuing.plain(a.qty)),
            "unit_cost": money(a.unit_cost, 4), "value": money(a.value)} for a in done.lots]),
            "ret_done", ["location", "lot_no", "qty", "unit_cost", "value"], prefix="iss.col")
    if number:
        try:
            lines = issuing.returnable(db, number)
        except ServiceError as exc:
            show_service_error(exc)
            lines = []
        if lines:
            table = pd.DataFrame(lines)[["sku", "name", "unit", "issued", "returned",
                                          "returnable"]]
            for column in ("issued", "returned", "returnable"):
                table[column] = table[column].map(lambda v: str(issuing.plain(v)))
            compact_table(with_unit_names(db, table), "ret_lines",
                          ["sku", "name", "issued", "returnable", "unit"], prefix="iss.col")
            open_lines = [line for line in lines if line["returnable"] > 0]
            if not open_lines:
                st.info(t("returns.nothing_returnable"))
            else:
                with st.form("ret_form"):
                    r1, r2 = st.columns([3, 1])
                    sku = r1.selectbox(t("field.sku"), [line["sku"] for line in open_lines],
                                       format_func=lambda s: next(
                                           f"{s} · {l['name']}" for l in open_lines if l["sku"] == s))
                    qty = r2.text_input(t("field.qty"), value="1")
                    note = st.text_input(t("field.note"), max_chars=200)
                    if st.form_submit_button(t("returns.confirm"), type="primary",
                                             icon=":material/assignment_return:",
                                             width="stretch"):
                        result = run_action(lambda: issuing.return_to_stock(
                            db, actor=actor(), issue_number=number, sku=sku, qty=qty,
                            note=note, request_id=ss["ret_request_id"]))
                        if result is not None:
                            ss["ret_last"] = result
                            ss["ret_request_id"] = uuid.uuid4().hex
                            st.rerun()
    recent = issuing.list_returns(db, limit=20)
    if not recent.empty:
        st.subheader(t("returns.recent"))
        recent["at"] = recent["at"].map(when)
        recent["qty"] = recent["qty"].map(lambda v: str(issuing.plain(v)))
        recent["total_cost"] = recent["total_cost"].map(money)
        compact_table(recent, "ret_recent", ["number", "at", "sku", "qty", "total_cost"],
                      prefix="iss.col")

with tab_old:
    o1, o2 = st.columns([3, 1], vertical_alignment="bottom")
    search = o1.text_input(t("common.search"), key="old_search", icon=":material/search:")
    show_all = o2.toggle(t("old_parts.show_all"), key="old_all")
    if ss.get("old_done"):
        st.success(t("old_parts.handed_back", tag=ss.pop("old_done")),
                   icon=":material/check_circle:")
    register = issuing.list_old_parts(db, outstanding_only=not show_all, search=search or None)
    st.subheader(t("old_parts.outstanding"))
    if register.empty:
        st.info(t("old_parts.none"))
    else:
        view = register.copy()
        for column in ("received_at", "handed_back_at"):
            view[column] = view[column].map(when)
        compact_table(view, "old_parts_table", ["tag", "sku", "issue_number", "received_at",
                                                "handed_back_at"], prefix="iss.col")
    waiting = register[register["handed_back_at"].isna()]["tag"].tolist() if not register.empty else []
    if waiting:
        with st.form("old_form", clear_on_submit=True):
            h1, h2 = st.columns(2)
            tag = h1.selectbox(t("field.tag"), waiting)
            handed_to = h2.text_input(t("field.handed_to"), max_chars=100)
            if st.form_submit_button(t("old_parts.hand_back"), type="primary",
                                     icon=":material/handshake:", width="stretch"):
                try:
                    issuing.hand_back_old_part(db, actor=actor(), tag=tag, handed_to=handed_to)
                except ServiceError as exc:
                    show_service_error(exc)
                else:
                    after_write()
                    ss["old_done"] = tag
                    st.rerun()
