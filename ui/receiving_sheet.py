"""The supplier's sheet on the receiving screen: upload and read it (through the
supplier's saved mapping when there is one), preselect the PO it names, show what
was read with remarks and hints, stop a sheet that does not match the chosen PO
(unless a reason is given), and let the receiver map columns the reader missed."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import streamlit as st

from services import receiving
from services.errors import ServiceError, ValidationError
from services.sheets import ColumnMapping, DeliverySheet, checks, column_letter, mappings
from services.sheets import preview_rows
from services.sheets.vocabulary import LINE_FIELDS
from ui.i18n import error_text, t
from ui.session import actor
from ui.widgets import compact_table, labelled, show_service_error

UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "xml", "csv", "txt", "tsv", "htm", "html"]
MAX_UPLOAD_MB = 10
PREVIEW_LINES = 5
TEACH_FIELDS = ("ignore", "sku", "name", "spec", "name_spec", "qty", "ordered_qty", "unit",
                "unit_price", "price_incl_tax", "price_excl_tax", "tax_rate", "amount",
                "amount_incl_tax", "lot_no", "expiry_date", "po_number", "remark", "barcode",
                "line_no")
CACHE = "rcv_sheet_read"


@dataclass
class Upload:
    data: bytes
    name: str
    file_id: str
    sheet: DeliverySheet | None
    supplier: str = ""                       # the supplier whose profile was applied
    problems: list = field(default_factory=list)


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


# --- reading --------------------------------------------------------------------------
def sheet_step(db, by_number: dict[str, dict]) -> Upload | None:
    """The uploader and the sheet read from it. Call before the PO select: a PO the
    sheet names is preselected (once per file)."""
    upload = st.file_uploader(t("rcv.upload"), type=UPLOAD_TYPES, key="rcv_upload",
                              max_upload_size=MAX_UPLOAD_MB)
    if upload is None:
        return None
    data = upload.getvalue()
    first = _read(db, data, upload.name, upload.file_id, "")
    if first.sheet is not None and st.session_state.get("rcv_po_from_sheet") != upload.file_id:
        named = [p for p in first.sheet.po_numbers if p in by_number]
        st.session_state["rcv_po_from_sheet"] = upload.file_id
        if named:
            st.session_state["rcv_po"] = named[0]
            st.toast(t("sheets.po_from_sheet", number=named[0]), icon=":material/link:")
    chosen = st.session_state.get("rcv_po") or next(iter(by_number), None)
    supplier = by_number[chosen]["supplier"] if chosen in by_number else ""
    profile = mappings.supplier_profile(db, supplier) if supplier else None
    if profile is None or (not profile.mappings and profile.price_basis == "incl_tax"):
        return first
    return _read(db, data, upload.name, upload.file_id, supplier, profile)


def _read(db, data: bytes, name: str, file_id: str, supplier: str, profile=None) -> Upload:
    key = (file_id, supplier, bool(profile and profile.mappings), getattr(profile, "price_basis", ""),
           len(getattr(profile, "mappings", {}) or {}))
    cache = st.session_state.get(CACHE)
    if cache and cache[0] == key:
        return cache[1]
    try:
        sheet = receiving.read_delivery_sheet(data, name, supplier=profile)
        found = Upload(data, name, file_id, sheet, supplier)
    except ServiceError as exc:
        found = Upload(data, name, file_id, None, supplier, [exc])
    st.session_state[CACHE] = (key, found)
    return found


# --- showing ---------------------------------------------------------------------------
def show(db, upload: Upload) -> None:
    """What was read: the header block, the lines (remark and hints too), problems."""
    for exc in upload.problems:
        show_service_error(exc)
    sheet = upload.sheet
    if sheet is None:
        return
    earlier = receiving.find_receipt_for_note(db, data=upload.data)
    if earlier:
        st.error(t("rcv.already_received", grn=earlier), icon=":material/content_copy:")
    if sheet.mapping_used:
        st.info(t("sheets.read_through_mapping"), icon=":material/school:")
    st.caption(t("sheets.header_block", note_no=sheet.note_no or "—",
                 po_number=", ".join(sheet.po_numbers) or "—",
                 delivery_date=fmt(sheet.delivery_date) or "—",
                 supplier_name=sheet.supplier_name or "—"))
    st.caption(t("rcv.read_summary", lines=len(sheet.lines), header=sheet.header_row,
                 errors=len(sheet.errors)))
    if len(sheet.po_numbers) > 1:
        st.info(t("sheets.two_pos", count=len(sheet.po_numbers),
                  numbers=", ".join(sheet.po_numbers)), icon=":material/call_split:")
    preview = pd.DataFrame([{
        "row": ln.row, "sku": ln.sku, "name": ln.name, "spec": ln.spec,
        "note_qty": f"{fmt(ln.qty)} {ln.unit}".strip(), "unit_price": fmt(ln.unit_price),
        "lot_no": ln.lot_no, "expiry_date": fmt(ln.expiry_date), "po_number": ln.po_number,
        "remark": ln.remark, "hints": hint_text(ln)} for ln in sheet.lines])
    if not preview.empty:
        compact_table(preview, "rcv_sheet_lines", preview_columns(sheet), prefix="rcv")
    hinted = [ln for ln in sheet.lines if ln.hints]
    if hinted:
        st.warning("\n".join(f"- {t('rcv.row')} {ln.row} · {ln.sku or ln.name}: {hint_text(ln)}"
                             for ln in hinted), icon=":material/report:")
    for title, problems in (("rcv.sheet_problems", sheet.row_errors),
                            ("rcv.sheet_warnings", sheet.warnings)):
        if problems:
            with st.expander(f"{t(title)} ({len(problems)})", expanded=title == "rcv.sheet_problems"):
                st.dataframe(labelled(pd.DataFrame([{
                    "row": e.row, "column": e.column, "problem": sheet_problem(e)}
                    for e in problems]), "rcv"), hide_index=True, width="stretch")


def preview_columns(sheet: DeliverySheet) -> list[str]:
    """What fits a 768 px tablet: the PO and remark columns only when the sheet has
    them to tell (a tap on a line shows every field, spec included)."""
    columns = ["row", "sku", "name", "note_qty", "unit_price", "lot_no", "expiry_date"]
    if len(sheet.po_numbers) > 1:
        columns.append("po_number")
    if any(ln.remark for ln in sheet.lines):
        columns.append("remark")
    return columns


def hint_text(line) -> str:
    texts = []
    if "remark_damage" in line.hints:
        texts.append(t("sheets.remark_damage"))
    if "qty_differs" in line.hints:
        texts.append(t("sheets.qty_differs", qty=fmt(line.qty), ordered=fmt(line.ordered_qty)))
    return " ".join(texts)


def sheet_problem(error) -> str:
    params = {k: v for k, v in error.params.items() if k != "row"}
    return error_text(ValidationError(error.message, **params))


# --- checking against the chosen PO ------------------------------------------------------
def mismatch_reason(upload: Upload | None, po_number: str, order: dict) -> str | None:
    """'' when the sheet fits the PO; the reason typed when it does not; None while a
    reason is still needed (the start button must wait)."""
    if upload is None or upload.sheet is None:
        return ""
    sheet = upload.sheet
    found = checks.sheet_mismatch(sheet_pos=sheet.po_numbers, sheet_supplier=sheet.supplier_name,
                                  po_number=po_number, supplier_name=order["supplier_name"],
                                  supplier_code=order["supplier"])
    if found is None:
        return ""
    st.error(f"**{t('sheets.mismatch_title')}** — " + t("error.sheet_mismatch", **found),
             icon=":material/block:")
    reason = st.text_input(t("sheets.override"), key=f"rcv_override_{upload.file_id}_{po_number}",
                           max_chars=200).strip()
    return reason or None


def start_kwargs(upload: Upload | None, reason: str) -> dict:
    """What start_receipt needs from the sheet besides its lines."""
    if upload is None or upload.sheet is None:
        return {}
    return {"sheet": upload.sheet, "override_reason": reason}


# --- teaching --------------------------------------------------------------------------------
def teach(db, upload: Upload | None, supplier: str, supplier_name: str) -> None:
    """Map the columns by hand, with a live preview; saved for this supplier."""
    if upload is None or not supplier:
        return
    failed = upload.sheet is None
    with st.expander(t("sheets.teach"), expanded=failed, icon=":material/school:"):
        st.caption(t("sheets.teach_help"))
        try:
            rows = preview_rows(upload.data, upload.name)
        except ServiceError as exc:
            show_service_error(exc)
            return
        if not rows:
            return
        detected = upload.sheet.header_row if upload.sheet is not None else 1
        header_row = st.number_input(t("rcv.header_row"), min_value=1, max_value=len(rows),
                                     value=min(detected or 1, len(rows)), step=1,
                                     key=f"teach_header_{upload.file_id}")
        headers = rows[header_row - 1]
        current = {}
        if upload.sheet is not None and upload.sheet.header_row == header_row:
            current = {_index(letter): f for f, letter in upload.sheet.columns.items()}
        columns: dict[str, int] = {}
        grid = st.columns(3)
        for col, header in enumerate(headers):
            default = current.get(col, "ignore")
            choice = grid[col % 3].selectbox(
                t("sheets.column_label", letter=column_letter(col), header=header or "—"),
                TEACH_FIELDS, index=TEACH_FIELDS.index(default) if default in TEACH_FIELDS else 0,
                format_func=lambda f: t(f"field.{f}"), key=f"teach_{upload.file_id}_{header_row}_{col}")
            if choice != "ignore":
                columns.setdefault(choice, col)
        _preview(upload, header_row, columns)
        if st.button(t("sheets.save_mapping", supplier=supplier_name), width="stretch",
                     key=f"teach_save_{upload.file_id}", icon=":material/save:"):
            try:
                mappings.save_mapping(db, actor=actor(), supplier=supplier, header_cells=headers,
                                      header_row=int(header_row), columns=columns)
            except ServiceError as exc:
                show_service_error(exc)
                return
            st.session_state.pop(CACHE, None)
            st.toast(t("sheets.mapping_saved", supplier=supplier_name), icon=":material/check_circle:")
            st.rerun()


def _index(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _preview(upload: Upload, header_row: int, columns: dict[str, int]) -> None:
    """The first lines as this mapping reads them (live, before saving)."""
    st.markdown(f"**{t('sheets.preview')}**")
    try:
        mappings.clean_columns(columns, 10_000)
        sheet = receiving.read_delivery_sheet(upload.data, upload.name,
                                              mapping=ColumnMapping(int(header_row), columns))
    except ServiceError as exc:
        st.caption(error_text(exc))
        return
    st.dataframe(labelled(pd.DataFrame([{
        "row": ln.row, "sku": ln.sku, "name": ln.name, "spec": ln.spec, "note_qty": fmt(ln.qty),
        "unit_price": fmt(ln.unit_price), "lot_no": ln.lot_no, "remark": ln.remark}
        for ln in sheet.lines[:PREVIEW_LINES]]), "rcv"), hide_index=True, width="stretch")
