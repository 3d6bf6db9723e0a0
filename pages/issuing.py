"""Issue stock (领料出库): a requisition on the tablet, the lots FIFO will take,
then the posted slip with the lots and costs actually consumed."""
import uuid
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import catalog, issuing
from services.errors import ServiceError
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.widgets import labelled, run_action, show_service_error

require_roles("keeper", "supervisor")
db = get_db()
ss = st.session_state
DRAFT_KEYS = ("iss_requested_by", "iss_reference", "iss_scan", "iss_qty", "iss_approver",
              "iss_approver_pw", "iss_partial")

if ss.pop("iss_reset", False):
    for key in list(ss.keys()):
        if key in DRAFT_KEYS or str(key).startswith("iss_tag_"):
            del ss[key]
    ss["iss_lines"] = []
    ss["iss_request_id"] = uuid.uuid4().hex
ss.setdefault("iss_lines", [])
ss.setdefault("iss_request_id", uuid.uuid4().hex)   # one id per draft: a double tap issues once


def money(value: Decimal, places: int = 2) -> str:
    return f"{value.quantize(Decimal(1).scaleb(-places)):,}"


def lots_table(allocations) -> pd.DataFrame:
    return pd.DataFrame([{
        "location": a.location, "lot_no": a.lot_no,
        "received_at": a.received_at.strftime("%Y-%m-%d"),
        "expiry_date": a.expiry_date.isoformat() if a.expiry_date else "",
        "qty": str(issuing.plain(a.qty)), "unit_cost": money(a.unit_cost, 4),
        "value": money(a.value),
    } for a in allocations])


def add_line() -> None:
    sku = ss.get("iss_pick")
    if sku:
        ss["iss_lines"].append({"sku": sku, "qty": (ss.get("iss_qty") or "1").strip()})
        ss["iss_scan"] = ""
        ss["iss_qty"] = "1"


def remove_line(index: int) -> None:
    ss["iss_lines"].pop(index)


def start_new() -> None:
    ss.pop("iss_last", None)
    ss["iss_reset"] = True


st.title(t("issuing.title"))

# --- the slip just posted ---------------------------------------------------
last = ss.get("iss_last")
if last is not None:
    key = "issuing.replayed" if last.replayed else "issuing.posted"
    st.success(t(key, number=last.number), icon=":material/check_circle:")
    if last.partial:
        st.warning(t("issuing.partial_note"))
    for low in last.low_stock:
        st.warning(t("issuing.low_stock", sku=low.sku, name=low.name,
                     available=issuing.plain(low.available),
                     level=issuing.plain(low.reorder_level)), icon=":material/warning:")
    st.subheader(t("issuing.consumed"))
    for line in last.lines:
        st.markdown(f"**{line.sku}** {line.name} — {issuing.plain(line.qty)} {line.unit}")
        st.dataframe(labelled(lots_table(line.allocations), "iss.col"), hide_index=True,
                     width="stretch")
    st.markdown(f"### {t('issuing.total_cost', total=money(last.total_cost))}")
    left, right = st.columns(2)
    if left.button(t("issues.open"), icon=":material/print:", width="stretch", key="iss_open"):
        ss["issues_open"] = last.number
        st.switch_page("pages/issues_list.py")
    right.button(t("issuing.new"), icon=":material/add:", type="primary", width="stretch",
                 key="iss_new", on_click=start_new)
    st.stop()

# --- header -------------------------------------------------------------------
st.subheader(t("issuing.header"))
c1, c2, c3 = st.columns(3)
requested_by = c1.text_input(t("field.requested_by"), key="iss_requested_by", max_chars=100)
purpose = c2.selectbox(t("field.purpose"), issuing.PURPOSES, key="iss_purpose",
                       format_func=lambda p: t(f"purpose.{p}"))
reference = c3.text_input(t("field.reference"), key="iss_reference", max_chars=60)
stock = "good"
if purpose in issuing.BAD_STOCK_PURPOSES and st.toggle(t("issuing.bad_stock"), key="iss_bad"):
    stock = "bad"          # the separate book of held / expired stock

# --- add lines by scan or search ---------------------------------------------
term = st.text_input(t("issuing.scan"), key="iss_scan", max_chars=60,
                     icon=":material/barcode_scanner:")
if term.strip():
    found, total = catalog.list_items(db, search=term.strip(), active_only=True, limit=20)
    if total > len(found):      # say so when the list is cut
        st.caption(t("common.showing_of", shown=len(found), total=total))
    if not found:
        st.info(t("issuing.no_match", term=term.strip()))
    else:
        found.sort(key=lambda i: i["sku"] != term.strip().upper())   # exact SKU first
        labels = {i["sku"]: f"{i['sku']} · {i['name']}" + (f" · {i['spec']}" if i["spec"] else "")
                  for i in found}
        p1, p2, p3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        p1.selectbox(t("issuing.pick_item"), list(labels), key="iss_pick",
                     format_func=labels.get)
        p2.text_input(t("issuing.qty"), value="1", key="iss_qty")
        p3.button(t("issuing.add_line"), icon=":material/add:", width="stretch",
                  key="iss_add", on_click=add_line)

# --- lines and the FIFO preview -----------------------------------------------
st.subheader(t("issuing.lines"))
lines = ss["iss_lines"]
if not lines:
    st.caption(t("issuing.no_lines"))
    st.stop()

try:
    preview = issuing.preview_issue(db, lines=lines, purpose=purpose, stock=stock)
except ServiceError as exc:
    show_service_error(exc)
    preview = None

tags: dict[str, str] = {}
if preview is not None:
    for index, line in enumerate(preview.lines):
        with st.container(border=True):
            head, button = st.columns([5, 1], vertical_alignment="center")
            head.markdown(t("issuing.line_summary", sku=line.sku, name=line.name,
                            requested=issuing.plain(line.requested), unit=line.unit,
                            available=issuing.plain(line.available)))
            # a repeated SKU is merged into its first line; remove removes that line
            first = next(i for i, raw in enumerate(lines)
                         if str(raw["sku"]).strip().upper() == line.sku)
            button.button(t("issuing.remove"), key=f"iss_rm_{index}", icon=":material/delete:",
                          width="stretch", on_click=remove_line, args=(first,))
            if not line.known:
                st.error(t("issuing.unknown", sku=line.sku))
                continue
            if line.short:
                st.warning(t("issuing.short", available=issuing.plain(line.available),
                             requested=issuing.plain(line.requested)))
            if line.frozen:
                st.error(t("issuing.frozen"), icon=":material/ac_unit:")
            if line.is_assembly:
                st.info(t("issuing.assembly"), icon=":material/engineering:")
            if line.requires_old_part:
                tags[line.sku] = st.text_input(t("issuing.old_part"), key=f"iss_tag_{line.sku}",
                                               max_chars=60)
            if line.allocations:
                st.dataframe(labelled(lots_table(line.allocations), "iss.col"),
                             hide_index=True, width="stretch")
    st.markdown(f"**{t('issuing.preview_total', total=money(preview.total_cost))}**")

approved_by = password = None
if preview is not None and preview.needs_approval:
    st.subheader(t("issuing.approval"))
    a1, a2 = st.columns(2)
    approved_by = a1.text_input(t("issuing.approver"), key="iss_approver", max_chars=40)
    password = a2.text_input(t("issuing.approver_password"), type="password",
                             key="iss_approver_pw")

allow_partial = st.checkbox(t("issuing.allow_partial"), key="iss_partial")
blocked = preview is None or any(
    not line.known or line.frozen or (line.short and not allow_partial) for line in preview.lines)
if blocked:
    st.caption(t("issuing.fix_first"))
b1, b2 = st.columns([3, 1])
if b1.button(t("issuing.confirm"), type="primary", icon=":material/outbox:", width="stretch",
             disabled=blocked, key="iss_confirm"):
    result = run_action(lambda: issuing.issue_stock(
        db, actor=actor(), lines=lines, requested_by=requested_by, purpose=purpose,
        reference=reference, approved_by=approved_by or None,
        approver_password=password if approved_by else None, old_part_tags=tags,
        request_id=ss["iss_request_id"], allow_partial=allow_partial, stock=stock))
    if result is not None:
        ss["iss_last"] = result
        ss["iss_reset"] = True
        st.rerun()
b2.button(t("issuing.clear"), icon=":material/clear_all:", width="stretch", key="iss_clear",
          on_click=start_new)
