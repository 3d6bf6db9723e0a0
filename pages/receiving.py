"""Receive goods on a tablet: choose or scan the PO, upload the supplier's sheet (or
type the lines), count each line, get approvals, then post with a co-signing keeper."""
from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import purchasing, receiving, users
from services.errors import Duplicate, ServiceError
from ui import delivery_photo, evidence, receiving_sheet, refusal
from ui.i18n import current_language, t
from ui.receiving_units import line_units, note_qty_text
from ui.labels import lot_labels_for_receipt
from ui.receiving_codes import learn_codes
from ui.scan import scan_box, sku_for
from ui.session import actor, after_write, get_db, require_roles
from ui.receiving_flow import (LINES_TABLE, back_to_list, compact, go_to_next_line,
                               pick_tapped_line, take_next_line)
from ui.receiving_wait import approval_facts, follow_approvals
from ui.widgets import labelled, person_label, run_action, show_service_error

CURRENT = "rcv_current"
RECEIVABLE = ["approved", "partially_received", "received"]

user = require_roles("receiver", "keeper", "purchasing", "supervisor")
db = get_db()
can_receive = user.has("receiver", "keeper")
st.title(t("nav.receiving"))


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def shown_name(line) -> str:
    """The catalogue's Chinese name on a Chinese screen, else the name on the note."""
    return line.name_zh if current_language() == "zh" and line.name_zh else line.name


def flag_text(flags) -> str:
    return ", ".join(t(f"flag.{f}") for f in sorted(flags))


def show_alerts() -> None:
    alerts = receiving.timeliness_alerts(db)
    if alerts["open_overdue"]:
        st.warning(t("rcv.alerts_open", items=", ".join(
            f"{a['number']} ({a['supplier']}, {a['delivery_note_no']})" for a in alerts["open_overdue"])),
            icon=":material/schedule:")
    if alerts["slow_checks"]:
        st.info(t("rcv.alerts_slow", items=", ".join(
            f"{a['number']} ({a['minutes']} min)" for a in alerts["slow_checks"][-10:])),
            icon=":material/timer:")


# --- choosing a delivery ------------------------------------------------------------
def choose_receipt() -> None:
    open_receipts = receiving.list_receipts(db, status="open")
    if open_receipts:
        st.subheader(t("rcv.in_progress"))
        cols = st.columns(2)
        for i, row in enumerate(open_receipts[:20]):
            label = t("rcv.continue", number=row["number"]) + f" · {row['supplier_name']} · {row['delivery_note_no']}"
            if cols[i % 2].button(label, key=f"cont_{row['number']}", width="stretch",
                                  icon=":material/warning:" if row["paperwork_overdue"] else None):
                st.session_state[CURRENT] = row["number"]
                st.rerun()
    if can_receive:
        new_delivery()


def new_delivery() -> None:
    st.subheader(t("rcv.new"))
    orders = purchasing.list_purchase_orders(db, status=RECEIVABLE)
    if not orders:
        st.info(t("rcv.no_open_pos"))
        return
    by_number = {o["number"]: o for o in orders}
    numbers = list(by_number)

    def scan_po() -> None:
        # a keyed selectbox keeps its value when `index` changes: set the choice itself
        code = st.session_state.get("rcv_po_scan", "").strip()
        if code in by_number:
            st.session_state["rcv_po"] = code

    upload = receiving_sheet.sheet_step(db, by_number)    # preselects the PO it names
    scanned = st.text_input(t("rcv.scan_po"), key="rcv_po_scan", on_change=scan_po).strip()
    if scanned and scanned not in by_number:
        st.warning(t("rcv.po_not_open", number=scanned))
    if st.session_state.get("rcv_po") not in by_number:
        st.session_state.pop("rcv_po", None)
    po_number = st.selectbox(
        t("field.po_number"), numbers,
        format_func=lambda n: f"{n} · {by_number[n]['supplier_name']} · "
                              f"{t('po_status.' + by_number[n]['status'])}",
        key="rcv_po")
    sheet = upload.sheet if upload is not None else None
    data = upload.data if upload is not None else None
    photo = None
    if upload is not None:
        receiving_sheet.show(db, upload)
        receiving_sheet.teach(db, upload, by_number[po_number]["supplier"],
                              by_number[po_number]["supplier_name"])
    else:
        photo = delivery_photo.capture(po_number, numbers, db)
    reason = receiving_sheet.mismatch_reason(upload, po_number, by_number[po_number])
    note_default = sheet.note_no if sheet is not None else (photo.note_no if photo else "")
    note_no = st.text_input(t("field.delivery_note_no"), value=note_default,
                            key=f"rcv_note_{upload.file_id if upload else photo.key if photo else 'typed'}")
    typed = None
    if sheet is None and photo is None:
        st.caption(t("rcv.type_lines"))
        typed = st.data_editor(
            pd.DataFrame({"sku": pd.Series(dtype="str"), "qty": pd.Series(dtype="str"),
                          "unit_price": pd.Series(dtype="str"), "lot_no": pd.Series(dtype="str"),
                          "expiry_date": pd.Series(dtype="str")}),
            num_rows="dynamic", width="stretch", key="rcv_typed",
            column_config={c: st.column_config.TextColumn(t(f"field.{c}"))
                           for c in ("sku", "qty", "unit_price", "lot_no", "expiry_date")})
    claim = refusal.replacement_claim(po_number)
    refusal.refuse_form(po_number, note_no)
    if st.button(t("rcv.start"), type="primary", width="stretch", key="rcv_start",
                 disabled=reason is None):
        if photo is not None and not photo.confirmed:
            st.error(t("photo.must_confirm"), icon=":material/warning:")
            return
        if sheet is not None:
            lines = sheet.lines
        elif photo is not None:
            lines, data, upload_name = photo.lines, photo.photos[0][0], photo.photos[0][1]
        else:
            lines = [{k: (str(v).strip() if v is not None and str(v).strip() not in ("", "nan", "None") else None)
                      for k, v in row.items()}
                     for row in (typed.to_dict("records") if typed is not None else [])
                     if any(v not in (None, "") and str(v) != "nan" for v in row.values())]
        try:
            number = receiving.start_receipt(
                db, actor=actor(), po_number=po_number, delivery_note_no=note_no, lines=lines,
                source_file=data, filename=upload.name if upload else (upload_name if photo else ""),
                photos=photo.photos if photo else (), claim=claim,
                **receiving_sheet.start_kwargs(upload, reason or ""))
        except Duplicate as exc:
            st.error(t("rcv.already_received", grn=exc.params.get("grn", "")),
                     icon=":material/content_copy:")
            return
        except ServiceError as exc:
            show_service_error(exc)
            return
        after_write()
        delivery_photo.forget()
        st.session_state[CURRENT] = number
        st.toast(t("rcv.started", number=number), icon=":material/check_circle:")
        st.rerun()


# --- one receipt ---------------------------------------------------------------------
def receipt_screen(number: str) -> None:
    back_to_list()
    try:
        view = receiving.get_receipt(db, number)
    except ServiceError as exc:
        show_service_error(exc)
        st.session_state.pop(CURRENT, None)
        return
    st.subheader(t("rcv.header", number=view.number, po=view.po_number,
                   supplier=view.supplier_name, note=view.delivery_note_no))
    delivery_photo.show_evidence(db, number)
    if view.status != "open":
        posted_summary(view)
        return
    counted = sum(1 for ln in view.lines if ln.counted_qty is not None)
    st.progress(counted / max(len(view.lines), 1),
                text=t("rcv.progress", done=counted, total=len(view.lines)))
    lines_table(view)
    if can_receive:
        learn_codes(view.number)
        line_form(view)
        evidence.receipt_line_photos(view.number, st.session_state["rcv_line_choice"])
        bulk_counts(view)
    approvals(view)
    if can_receive:
        post_form(view)
        with st.expander(t("rcv.cancel_receipt")):
            reason = st.text_input(t("field.reason"), key="rcv_cancel_reason")
            if st.button(t("rcv.cancel_receipt"), key="rcv_cancel", width="stretch"):
                if run_action(lambda: receiving.cancel_receipt(db, actor=actor(), receipt=number,
                                                              reason=reason) or True,
                              "rcv.cancelled", number=number):
                    st.session_state.pop(CURRENT, None)
                    st.rerun()


def lines_table(view) -> None:
    rows = [{
        "line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "name_zh": ln.name_zh,
        "note_qty": note_qty_text(db, ln),
        "counted_qty": fmt(ln.counted_qty), "damaged_qty": fmt(ln.damaged_qty) if ln.damaged_qty else "",
        "accepted_qty": fmt(ln.accepted_qty), "rejected_qty": fmt(ln.rejected_qty),
        "flags": flag_text(ln.flags), "lot_no": ln.lot_no, "expiry_date": fmt(ln.expiry_date),
        "location": ln.location or "", "unit_price": fmt(ln.unit_price),
        "note_unit_price": fmt(ln.note_unit_price), "remark": ln.remark} for ln in view.lines]
    df = compact(pd.DataFrame(rows), posted=view.status == "posted")
    blocking = {ln.line_no for ln in view.lines if ln.blocking}
    st.session_state[f"{LINES_TABLE}_numbers"] = [ln.line_no for ln in view.lines]

    def highlight(row):
        color = "background-color: #fde2e1" if row.iloc[0] in blocking else ""
        return [color] * len(row)

    st.dataframe(labelled(df, "rcv").style.apply(highlight, axis=1), hide_index=True,
                 width="stretch", height=min(420, 38 + 35 * len(rows)), key=LINES_TABLE,
                 on_select=pick_tapped_line, selection_mode="single-row")


def storage_bins() -> list[str]:
    from services import catalog

    return [loc["code"] for loc in catalog.list_locations(db, active_only=True)
            if loc["kind"] in ("storage", "quarantine")]


def line_form(view) -> None:
    by_sku = {}
    for ln in view.lines:
        by_sku.setdefault(ln.sku, ln.line_no)
    numbers = [ln.line_no for ln in view.lines]

    def jump():
        code = st.session_state.get("rcv_scan_sku", "").strip().upper()
        code = code if code in by_sku else (sku_for(code) or code)   # any code the item carries
        if code in by_sku:
            st.session_state["rcv_line_choice"] = by_sku[code]
            st.session_state["rcv_scan_miss"] = ""
        elif code:
            st.session_state["rcv_scan_miss"] = code
        st.session_state["rcv_scan_sku"] = ""

    scan_box("rcv_scan_sku", label=t("rcv.scan_sku"), search=False, on_change=jump)
    if st.session_state.get("rcv_scan_miss"):
        st.warning(t("rcv.sku_not_here", sku=st.session_state["rcv_scan_miss"]))
    take_next_line()
    if st.session_state.get("rcv_line_choice") not in numbers:
        st.session_state["rcv_line_choice"] = next(
            (ln.line_no for ln in view.lines if ln.counted_qty is None), numbers[0])
    lines = {ln.line_no: ln for ln in view.lines}
    choice = st.selectbox(t("rcv.choose_line"), numbers, key="rcv_line_choice",
                          format_func=lambda n: f"{n} · {lines[n].sku} {shown_name(lines[n])}")
    ln = lines[choice]
    bins = storage_bins()
    line_units(db, view, ln)
    with st.form(f"rcv_line_{view.number}_{choice}"):
        st.markdown(f"**{t('rcv.line_form', line_no=ln.line_no, sku=ln.sku, name=shown_name(ln))}**")
        st.caption(t("rcv.note_says", qty=fmt(ln.note_qty), price=fmt(ln.note_unit_price) or "-",
                     po_price=fmt(ln.unit_price) or "-", outstanding=fmt(ln.outstanding)))
        if ln.full_inspection:
            st.caption(t("rcv.quarantine_note"))
        if ln.flags:
            st.caption(flag_text(ln.flags))
        left, right = st.columns(2)
        key = f"{view.number}_{choice}"
        counted = left.text_input(t("field.counted_qty"), fmt(ln.counted_qty) or fmt(ln.note_qty),
                                  key=f"rcv_counted_{key}")
        damaged = right.text_input(t("field.damaged_qty"), fmt(ln.damaged_qty),
                                   key=f"rcv_damaged_{key}")
        lot = left.text_input(t("field.lot_no"), ln.lot_no, key=f"rcv_lot_{key}")
        expiry = right.date_input(t("field.expiry_date"), ln.expiry_date, format="YYYY-MM-DD",
                                  min_value=date(2000, 1, 1), key=f"rcv_expiry_{key}")
        options = [""] + bins
        current = ln.location or ""
        location = left.selectbox(t("field.location"), options, key=f"rcv_bin_{key}",
                                  index=options.index(current) if current in options else 0)
        certificate = right.text_input(t("field.certificate"), ln.certificate,
                                       key=f"rcv_cert_{key}")
        if st.form_submit_button(t("rcv.save_line"), type="primary", width="stretch"):
            if run_action(lambda: receiving.record_count(
                    db, actor=actor(), receipt=view.number, line_no=ln.line_no,
                    counted_qty=counted.strip(), damaged_qty=damaged.strip() or "0", lot_no=lot,
                    expiry_date=expiry or "", location=location or None,
                    certificate=certificate), "common.saved"):
                go_to_next_line(view, ln.line_no)
            st.rerun()


def bulk_counts(view) -> None:
    """All lines at once, for a long sheet counted on paper first."""
    with st.expander(t("rcv.save_all")):
        df = pd.DataFrame([{
            "line_no": ln.line_no, "sku": ln.sku, "note_qty": fmt(ln.note_qty),
            "counted_qty": fmt(ln.counted_qty), "damaged_qty": fmt(ln.damaged_qty),
            "lot_no": ln.lot_no, "location": ln.location or ""} for ln in view.lines])
        edited = st.data_editor(
            df, hide_index=True, width="stretch", key=f"rcv_bulk_{view.number}",
            disabled=["line_no", "sku", "note_qty"],
            column_config={c: st.column_config.TextColumn(t(f"rcv.{c}"))
                           for c in df.columns})
        if st.button(t("rcv.save_all"), key="rcv_save_all", width="stretch"):
            counts = [{"line_no": int(r["line_no"]), "counted_qty": str(r["counted_qty"]).strip(),
                       "damaged_qty": str(r["damaged_qty"] or "0").strip(),
                       "lot_no": r["lot_no"] or "", "location": r["location"] or None}
                      for r in edited.to_dict("records") if str(r["counted_qty"] or "").strip()]
            if run_action(lambda: receiving.record_counts(db, actor=actor(), receipt=view.number,
                                                          counts=counts),
                          "rcv.saved_counts", count=len(counts)) is not None:
                st.rerun()


def approvals(view) -> None:
    needed = [(ln, flag) for ln in view.lines for flag in sorted(ln.needs_approval)]
    if not needed:
        return
    st.subheader(t("rcv.approvals"))
    from domain.receiving import APPROVAL_ROLES

    for ln, flag in needed:
        if flag in ln.approved:
            st.success(t("rcv.approved_by_line", line_no=ln.line_no, sku=ln.sku,
                         flag=t(f"flag.{flag}"), user=ln.approvals[flag]))
            continue
        roles = APPROVAL_ROLES[flag]
        if facts := approval_facts(ln, flag):
            st.caption(facts)
        if user.has(*roles):
            if st.button(t("rcv.approve_flag", flag=t(f"flag.{flag}"), line_no=ln.line_no, sku=ln.sku),
                         key=f"approve_{ln.line_no}_{flag}", width="stretch"):
                if run_action(lambda: receiving.approve_line(
                        db, actor=actor(), receipt=view.number, line_no=ln.line_no, flag=flag) or True,
                        "rcv.approved_flag", flag=t(f"flag.{flag}")):
                    st.rerun()
        else:
            st.info(t("rcv.waiting_approval", line_no=ln.line_no, sku=ln.sku, flag=t(f"flag.{flag}"),
                      roles=" / ".join(t(f"role.{r}") for r in roles)))
    follow_approvals(view)


def post_form(view) -> None:
    st.subheader(t("rcv.post_section"))
    if view.blocking:
        st.warning(t("rcv.blocking", items="; ".join(
            f"#{n} {t('flag.' + f)}" for n, f in view.blocking)))
    cosigners = [u for u in users.users_with_role(db, "keeper", "supervisor") if u != user.username]
    with st.form(f"rcv_post_{view.number}", clear_on_submit=True):
        checker = st.selectbox(t("rcv.cosigner"), cosigners, key="rcv_checker",
                               format_func=person_label(db, cosigners))
        password = st.text_input(t("rcv.cosigner_password"), type="password", key="rcv_checker_pw")
        submitted = st.form_submit_button(t("rcv.post"), type="primary", width="stretch",
                                          disabled=not view.can_post)
    if submitted:
        result = run_action(lambda: receiving.post_receipt(
            db, actor=actor(), receipt=view.number, checked_by=checker or "",
            checker_password=password), "rcv.posted", number=view.number)
        if result is not None:
            st.rerun()


def posted_summary(view) -> None:
    if view.status == "posted":
        st.success(t("rcv.posted", number=view.number))
        st.write(t("rcv.posted_summary", accepted=fmt(view.accepted_total),
                   rejected=fmt(view.rejected_total)))
        for number in view.return_numbers:
            st.warning(t("rcv.return_created", number=number))
        lines_table(view)
        st.page_link("pages/receipts.py", label=t("grn.print"), icon=":material/print:")
        lot_labels_for_receipt(view.number)
    else:
        st.info(t("rcv_status." + view.status))
    if st.button(t("rcv.done"), type="primary", width="stretch", key="rcv_done"):
        st.session_state.pop(CURRENT, None)
        st.session_state["grn_selected"] = view.number
        st.rerun()


show_alerts()
current = st.session_state.get(CURRENT)
if current:
    receipt_screen(current)
else:
    choose_receipt()
