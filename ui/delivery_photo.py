"""Receiving from a photo of the paper delivery note (随货同行联): capture pages with the
tablet camera or choose photos, read them with a progress bar, and let the receiver
correct every uncertain cell in an editable grid before the receipt starts."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import streamlit as st

from domain.photo_table import code_key
from services import purchasing, receiving
from services.errors import ServiceError, ValidationError
from services.photo import evidence, intake
from ui.i18n import error_text, field_label, t
from ui.widgets import show_service_error

PHOTOS = "rcv_photo_pages"          # [(bytes, filename)] taken with the camera
READING = "rcv_photo_reading"       # (key of the photos, DeliverySheet)
EDITABLE = ("sku", "name", "spec", "qty", "unit_price", "amount", "lot_no", "expiry_date", "unit")
IMAGE_TYPES = ["jpg", "jpeg", "png", "heic", "heif"]
MAX_PHOTO_MB = intake.MAX_PHOTO_BYTES // (1024 * 1024)


@st.cache_resource(show_spinner=False)
def ocr_engine():
    """The recogniser, loaded once per server process and shared by every session
    (imported here: OpenCV and ONNX load only once someone reads a photo)."""
    from services.photo import ocr

    return ocr.engine()


@dataclass
class PhotoNote:
    """What the receiver confirmed: lines for start_receipt, and the photos as evidence."""

    sheet: object
    photos: list[tuple[bytes, str]]
    lines: list[dict] = field(default_factory=list)
    confirmed: bool = False

    @property
    def note_no(self) -> str:
        return self.sheet.note_no

    @property
    def key(self) -> str:
        return _photos_key(self.photos)[:12]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _photos_key(photos: list[tuple[bytes, str]]) -> str:
    digest = hashlib.sha256()
    for data, _name in photos:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _collect_photos() -> list[tuple[bytes, str]]:
    pages = st.session_state.setdefault(PHOTOS, [])
    # the camera opens (and asks for permission) only when the receiver wants it
    shot = None
    if st.toggle(t("photo.use_camera"), key="rcv_photo_camera_on"):
        shot = st.camera_input(t("photo.camera"), key="rcv_photo_camera")
    if shot is not None and st.button(t("photo.add_page"), key="rcv_photo_add", width="stretch",
                                      icon=":material/add_a_photo:"):
        data = shot.getvalue()
        if all(data != d for d, _ in pages):
            pages.append((data, f"camera-{len(pages) + 1}.jpg"))
    uploads = st.file_uploader(t("photo.upload"), type=IMAGE_TYPES, accept_multiple_files=True,
                               key="rcv_photo_upload", max_upload_size=MAX_PHOTO_MB)
    photos = list(pages) + [(u.getvalue(), u.name) for u in uploads or []]
    if photos:
        cols = st.columns([3, 1])
        cols[0].caption(t("photo.pages", count=len(photos)))
        if pages and cols[1].button(t("photo.clear"), key="rcv_photo_clear", width="stretch"):
            st.session_state[PHOTOS] = []
            st.session_state.pop(READING, None)
            st.rerun()
    return photos


def _read(photos: list[tuple[bytes, str]]):
    """Read (or reuse) the sheet for these photos, with a progress bar per page."""
    key = _photos_key(photos)
    cached = st.session_state.get(READING)
    if cached and cached[0] == key:
        return cached[1]
    if not st.button(t("photo.read"), type="primary", key="rcv_photo_read", width="stretch",
                     icon=":material/document_scanner:"):
        return None
    ocr_engine()
    pages = len(photos)
    bar = st.progress(0.0, text=t("photo.reading", page=1, pages=pages))

    def progress(done: float) -> None:
        page = min(int(round(done * pages)) + 1, pages)
        bar.progress(min(max(done, 0.0), 1.0), text=t("photo.reading", page=page, pages=pages))

    try:
        sheet = receiving.read_delivery_photo([d for d, _ in photos], [n for _, n in photos],
                                           progress=progress)
    except ServiceError as exc:
        bar.empty()
        show_service_error(exc)
        return None
    bar.empty()
    st.session_state[READING] = (key, sheet)
    return sheet


def _uncertain(line, po_skus: set[str] | None) -> set[str]:
    marks = set(getattr(line, "uncertain", None) or ())
    if po_skus is not None and line.sku and line.sku.upper() not in po_skus:
        marks.add("sku")      # a misread code, or goods not ordered: the receiver looks
    return marks


def _confirm_grid(sheet, po_skus: set[str] | None, key: str) -> tuple[list[dict], int]:
    rows, flagged = [], 0
    for line in sheet.lines:
        marks = _uncertain(line, po_skus)
        flagged += len(marks)
        row = {"row": line.row,
               "check": ", ".join("⚠ " + field_label(f) for f in EDITABLE if f in marks)}
        row.update({f: _text(getattr(line, f, "")) for f in EDITABLE})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["row", "check", *EDITABLE])
    styled = frame.style.map(lambda v: "background-color: #fff3bf" if v else "", subset=["check"])
    columns = {f: st.column_config.TextColumn(field_label(f)) for f in EDITABLE}
    columns["row"] = st.column_config.NumberColumn(t("rcv.row"), width="small")
    columns["check"] = st.column_config.TextColumn(t("photo.check_column"))
    edited = st.data_editor(styled, hide_index=True, width="stretch", num_rows="dynamic",
                            disabled=["row", "check"], column_config=columns,
                            key=f"rcv_photo_grid_{key[:12]}")
    lines = []
    for record in edited.to_dict("records"):
        values = {f: str(record.get(f) or "").strip() for f in EDITABLE}
        values = {f: v for f, v in values.items() if v and v not in ("nan", "None")}
        if values.get("sku") or values.get("qty"):
            lines.append(values)
    return lines, flagged


def _problems(sheet) -> None:
    """Rows the reader could not take (e.g. an unreadable quantity): the receiver adds
    them in the grid from the paper."""
    for error in sheet.row_errors:
        params = {k: v for k, v in error.params.items() if k != "row"}
        st.warning(t("error.at_row", row=error.row,
                     message=error_text(ValidationError(error.message, **params))),
                   icon=":material/warning:")


def _po_skus(db, po_number: str | None) -> set[str] | None:
    if not po_number:
        return None
    try:
        order = purchasing.get_purchase_order(db, po_number)
    except ServiceError:
        return None
    return {line.sku.upper() for line in order.lines}


def _offer_po_from_note(sheet, po_number: str | None, open_numbers: list[str]) -> None:
    """The note names another open PO than the one chosen: one tap switches to it."""
    printed = (sheet.po_number or "").strip()
    if not printed or code_key(printed) == code_key(po_number or ""):
        return
    matching = [n for n in open_numbers if code_key(n) == code_key(printed)]
    if matching:
        printed = matching[0]
        st.warning(t("photo.po_differs", printed=printed, chosen=po_number or "-"))
        st.button(t("photo.use_po", number=printed), key="rcv_photo_use_po", width="stretch",
                  on_click=lambda: st.session_state.update(rcv_po=printed))
    else:
        st.info(t("photo.po_not_open", printed=printed))


def capture(po_number: str | None, open_numbers: list[str], db) -> PhotoNote | None:
    """The photo section of a new delivery; returns the note read (with the lines as the
    receiver corrected them), or None while there is nothing read yet."""
    with st.expander(t("photo.title"), icon=":material/photo_camera:",
                     expanded=bool(st.session_state.get(PHOTOS) or st.session_state.get(READING))):
        photos = _collect_photos()
        if not photos:
            return None
        sheet = _read(photos)
        if sheet is None:
            return None
        _offer_po_from_note(sheet, po_number, open_numbers)
        po_skus = _po_skus(db, po_number)
        key = _photos_key(photos)
        st.caption(t("photo.confirm_help"))
        lines, flagged = _confirm_grid(sheet, po_skus, key)
        st.caption(t("photo.summary", lines=len(sheet.lines), uncertain=flagged))
        _problems(sheet)
        confirmed = flagged == 0 or st.checkbox(t("photo.confirmed"), key=f"rcv_photo_ok_{key[:12]}")
        return PhotoNote(sheet, photos, lines, confirmed)


def forget() -> None:
    """After the receipt started: the next delivery starts with no pages."""
    for key in (PHOTOS, READING):
        st.session_state.pop(key, None)


def _displayable(data: bytes) -> bytes:
    """Browsers do not show HEIC: such photos are shown as JPEG (the original is kept)."""
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        return data
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def show_evidence(db, receipt: str) -> None:
    """The delivery note's photos kept with a receipt."""
    photos = evidence.receipt_photos(db, receipt)
    if not photos:
        return
    with st.expander(f"{t('photo.evidence')} ({len(photos)})", icon=":material/photo_library:"):
        for name, data in photos:
            st.image(_displayable(data), caption=name, width="stretch")
