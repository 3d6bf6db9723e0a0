"""Receipts (GRN) list with search and status; the GRN and return-to-supplier
documents as Excel and as a print view with the sign-off block."""

import pandas as pd
import streamlit as st

from services import attachments, clock, receiving, users
from services.errors import ServiceError
from services.export import Sheet, column_totals, report_format, workbook_bytes
from ui import evidence
from ui.documents import pdf_download
from ui.i18n import t
from ui.session import actor, get_db, require_roles
from ui.units import unit_label
from ui.widgets import compact_table, labelled, run_action, show_service_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRN_COLUMNS = ["line_no", "sku", "name", "spec", "unit", "note_qty", "counted_qty",
               "damaged_qty", "accepted_qty", "rejected_qty", "unit_price", "amount", "lot_no",
               "expiry_date", "location", "flags"]
RETURN_COLUMNS = ["line_no", "sku", "name", "qty", "unit_price", "amount", "reason", "lot_no"]
# The columns a portrait tablet (768 px) shows without scrolling sideways; the Excel,
# PDF and print view keep every column.
GRN_TABLET_COLUMNS = ["line_no", "sku", "name", "accepted_qty", "rejected_qty", "unit"]
RETURN_TABLET_COLUMNS = ["line_no", "sku", "name", "qty", "reason"]
LIST_TABLET_COLUMNS = ["number", "status", "supplier_name", "arrived_at", "lines"]
DISCREPANCY_TABLET_COLUMNS = ["line_no", "sku", "flag", "qty", "outcome"]

user = require_roles("receiver", "keeper", "purchasing", "supervisor", "finance", "manager", "qc")
db = get_db()
st.title(t("grn.title"))


def local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def grn_frame(view) -> pd.DataFrame:
    rows = []
    for ln in view.lines:
        price = ln.unit_price
        rows.append({
            "line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "spec": ln.spec,
            "unit": unit_label(db, ln.stock_unit or ln.unit), "note_qty": ln.note_qty, "counted_qty": ln.counted_qty,
            "damaged_qty": ln.damaged_qty, "accepted_qty": ln.accepted_qty,
            "rejected_qty": ln.rejected_qty, "unit_price": price,
            "amount": ln.amount,                # as booked: exact for lines bought by the pack
            "lot_no": ln.lot_no, "expiry_date": ln.expiry_date,
            "location": ln.stored_location or ln.location or "",
            "flags": ", ".join(t(f"flag.{f}") for f in sorted(ln.flags))})
    return pd.DataFrame(rows, columns=GRN_COLUMNS)


def return_frame(doc) -> pd.DataFrame:
    return pd.DataFrame([{
        "line_no": r["receipt_line_no"], "sku": r["sku"], "name": r["name"], "qty": r["qty"],
        "unit_price": r["unit_price"], "amount": r["amount"], "reason": t(f"reject.{r['reason']}"),
        "lot_no": r["lot_no"]} for r in doc.lines], columns=RETURN_COLUMNS)


def signoff(view) -> tuple[list[str], list[str]]:
    labels = [t("signoff.received"), t("signoff.checked"), t("signoff.approved"), t("signoff.date")]
    approvers = sorted({u for ln in view.lines for u in ln.approvals.values()})
    names = users.display_names(db, [view.received_by, view.checked_by, *approvers])
    values = [names.get(view.received_by or "", ""), names.get(view.checked_by or "", ""),
              ", ".join(names[u] for u in approvers), local(view.posted_at)[:10]]
    return labels, values


def document_bytes(title: str, heading: str, subtitle: str, df: pd.DataFrame, labels, values) -> bytes:
    headers = [t(f"rcv.{c}") for c in df.columns]
    rows = [[None if (isinstance(v, float) and v != v) else v for v in row]
            for row in df.itertuples(index=False, name=None)]
    columns = [str(c) for c in df.columns]
    return workbook_bytes([Sheet(title=title, headers=headers, rows=rows, heading=heading,
                                 subtitle=subtitle, signoff=labels, signoff_values=values,
                                 formats=[report_format(c) for c in columns],
                                 totals=column_totals(columns, rows, t("doc.total")))])


def receipt_detail(number: str) -> None:
    try:
        view = receiving.get_receipt(db, number)
    except ServiceError as exc:
        show_service_error(exc)
        return
    heading = t("grn.heading", number=view.number)
    meta = t("grn.meta", po=view.po_number, supplier=view.supplier_name,
             note=view.delivery_note_no, arrived=local(view.arrived_at),
             posted=local(view.posted_at) or t("rcv_status." + view.status))
    st.subheader(heading)
    st.caption(meta)
    df = grn_frame(view)
    labels, values = signoff(view)
    st.download_button(t("grn.download"), document_bytes(t("grn.sheet_grn"), heading, meta, df,
                                                         labels, values),
                       file_name=f"{view.number}.xlsx", mime=XLSX, key=f"dl_{view.number}",
                       icon=":material/download:", width="stretch")
    pdf_download("grn", view.number, key=f"pdf_{view.number}", label_key="doc.download_grn")
    print_view = st.toggle(t("grn.print"), key=f"print_{view.number}")
    if print_view:
        st.table(labelled(df.astype(str).replace({"None": "", "nan": ""}), "rcv"))
        for col, label, value in zip(st.columns(4), labels, values):
            col.markdown(f"**{label}**")
            col.write(value or "________")
    else:       # what a 768 px tablet shows at once; a tapped line shows all its fields
        names_zh = [ln.name_zh for ln in view.lines]
        compact_table(df.assign(name_zh=names_zh), f"grn_lines_{view.number}",
                      GRN_TABLET_COLUMNS, prefix="rcv")
    if view.discrepancies:
        st.markdown(f"**{t('grn.discrepancies')}**")
        disc = pd.DataFrame([{**d, "flag": t(f"flag.{d['flag']}")} for d in view.discrepancies])
        compact_table(disc, f"grn_disc_{view.number}", DISCREPANCY_TABLET_COLUMNS, prefix="rcv")
    with st.expander(t("evidence.receipt_photos"), icon=":material/photo_library:"):
        evidence.document_photos(view.number, key=f"grn_{view.number}")
    for return_number in view.return_numbers:
        return_detail(return_number, labels, values)


def return_detail(number: str, labels, values) -> None:
    doc = receiving.get_supplier_return(db, number)
    heading = t("grn.return_heading", number=doc.number)
    meta = t("grn.return_meta", supplier=doc.supplier_name, receipt=doc.receipt,
             hold=doc.hold_location, status=t(f"rts_status.{doc.status}"))
    with st.container(border=True):
        st.markdown(f"**{heading}**")
        st.caption(meta)
        df = return_frame(doc)
        compact_table(df, f"rts_lines_{doc.number}", RETURN_TABLET_COLUMNS, prefix="rcv")
        names = users.display_names(db, [doc.created_by, doc.confirmed_by])
        return_values = [names.get(doc.created_by, ""), values[1],
                         names.get(doc.confirmed_by or "", ""),
                         local(doc.confirmed_at or doc.created_at)[:10]]
        st.download_button(t("grn.download_return"),
                           document_bytes(t("grn.sheet_return"), heading, meta, df, labels,
                                          return_values),
                           file_name=f"{doc.number}.xlsx", mime=XLSX, key=f"dl_{doc.number}",
                           icon=":material/download:", width="stretch")
        pdf_download("supplier_return", doc.number, key=f"pdf_{doc.number}",
                     label_key="doc.download_return")
        evidence.document_photos(doc.number, key=f"rts_{doc.number}",
                                 can_add=doc.status == "open"
                                 and user.has(*attachments.RETURN_ROLES))
        if doc.status == "open" and user.has("keeper", "supervisor"):
            if st.button(t("grn.confirm_return"), key=f"confirm_{doc.number}", width="stretch"):
                if run_action(lambda: receiving.confirm_supplier_return(
                        db, actor=actor(), number=doc.number) or True,
                        "grn.return_confirmed", number=doc.number):
                    st.rerun()


left, right = st.columns([2, 1])
search = left.text_input(t("common.search"), key="grn_search")
statuses = ["", "open", "posted", "cancelled"]
status = right.selectbox(t("grn.status_filter"), statuses, key="grn_status",
                         format_func=lambda s: t(f"rcv_status.{s}") if s else t("common.all"))
rows = receiving.list_receipts(db, search=search or None, status=status or None)
if not rows:
    st.info(t("grn.none"))
else:
    table = pd.DataFrame([{
        "number": r["number"], "status": t(f"rcv_status.{r['status']}"), "po_number": r["po_number"],
        "supplier_name": r["supplier_name"], "delivery_note_no": r["delivery_note_no"],
        "lines": r["lines"], "arrived_at": local(r["arrived_at"]), "posted_at": local(r["posted_at"]),
        "received_by": r["received_by"], "checked_by": r["checked_by"],
        "return_number": r["return_number"]} for r in rows])
    compact_table(table, "grn_table", LIST_TABLET_COLUMNS, prefix="rcv",
                  widths={"supplier_name": "medium"})
    numbers = [r["number"] for r in rows]
    preset = st.session_state.get("grn_selected")
    chosen = st.selectbox(t("grn.choose"), numbers,
                          index=numbers.index(preset) if preset in numbers else 0, key="grn_pick")
    receipt_detail(chosen)

open_returns = [r for r in receiving.list_supplier_returns(db, status="open")]
if open_returns:
    st.subheader(t("grn.returns"))
    compact_table(pd.DataFrame([{
        "number": r["number"], "receipt": r["receipt"], "supplier": r["supplier"],
        "source": r["source"], "qty": r["qty"], "created_at": local(r["created_at"])}
        for r in open_returns]), "open_returns", ["number", "supplier", "qty", "created_at"],
        prefix="rcv")
