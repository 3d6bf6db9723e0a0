"""Photos as evidence: take one with the tablet camera or upload it, see the
thumbnails, open one full size. Pages call these with a document number."""
from __future__ import annotations

import streamlit as st

from services import attachments, clock
from services.errors import ServiceError
from services.images import MAX_PHOTO_BYTES
from ui.i18n import t
from ui.session import actor, get_db
from ui.widgets import run_action, show_service_error

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "heic", "heif"]
PER_ROW = 4
_HANDLED = "evidence_handled"


def _new_shots(key: str) -> list[tuple[str, bytes]]:
    """Photos taken or uploaded since the last run, each returned once."""
    source = st.segmented_control(
        t("evidence.source"), ["camera", "upload"], key=f"{key}_source",
        format_func=lambda s: t(f"evidence.{s}"))
    files = []
    if source == "camera":
        shot = st.camera_input(t("evidence.take"), key=f"{key}_camera")
        files = [shot] if shot is not None else []
    elif source == "upload":
        files = st.file_uploader(t("evidence.upload"), type=PHOTO_TYPES, key=f"{key}_upload",
                                 accept_multiple_files=True,
                                 max_upload_size=MAX_PHOTO_BYTES // (1024 * 1024)) or []
    handled = st.session_state.setdefault(_HANDLED, set())
    fresh = []
    for upload in files:
        marker = (key, upload.file_id)
        if marker not in handled:
            handled.add(marker)
            fresh.append((upload.name, upload.getvalue()))
    return fresh


def add_photos(document: str, *, line_no: int | None = None, key: str) -> None:
    """Camera or upload; each photo is checked and stored with ``document`` at once."""
    saved = False
    for name, data in _new_shots(key):
        saved |= run_action(lambda: attachments.add_photo(
            get_db(), actor=actor(), document=document, line_no=line_no, data=data,
            filename=name), "evidence.saved") is not None
    if saved:
        st.rerun()          # show it among the thumbnails


def collect_photos(key: str) -> list[tuple[str, bytes]]:
    """Photos gathered for a record not written yet (a refusal): kept in the session
    until the caller submits them, shown as previews."""
    stash: dict = st.session_state.setdefault(f"{key}_stash", {})
    for name, data in _new_shots(key):
        stash[f"{len(stash) + 1}-{name}"] = data
    if stash:
        st.caption(t("evidence.collected", count=len(stash)))
        columns = st.columns(PER_ROW)
        for index, (name, data) in enumerate(stash.items()):
            with columns[index % PER_ROW]:
                try:
                    st.image(data, width="stretch")
                except Exception:        # e.g. HEIC, which browsers cannot show
                    st.caption(name)
        if st.button(t("evidence.discard"), key=f"{key}_discard", icon=":material/delete:"):
            st.session_state[f"{key}_stash"] = {}
            st.rerun()
    return [(name.split("-", 1)[1], data) for name, data in stash.items()]


def forget_collected(key: str) -> None:
    st.session_state.pop(f"{key}_stash", None)


def gallery(photos, *, key: str) -> None:
    """Thumbnails; a tap opens the photo full size."""
    if not photos:
        st.caption(t("evidence.none"))
        return
    columns = st.columns(PER_ROW)
    for index, photo in enumerate(photos):
        with columns[index % PER_ROW]:
            st.image(photo.thumbnail, width="stretch")
            when = clock.to_local(photo.uploaded_at).strftime("%m-%d %H:%M")
            label = t("evidence.caption", line=photo.line_no or "—", who=photo.uploaded_by,
                      when=when)
            if st.button(label, key=f"{key}_open_{photo.id}", width="stretch",
                         icon=":material/zoom_in:"):
                _full_size(photo.id)


def document_photos(document: str, *, line_no: int | None = None, key: str,
                    can_add: bool = False) -> None:
    """The photos of a document (or one of its lines), and adding more when allowed."""
    try:
        photos = attachments.list_photos(get_db(), document, line_no=line_no)
    except ServiceError as exc:
        show_service_error(exc)
        return
    gallery(photos, key=key)
    if can_add:
        add_photos(document, line_no=line_no, key=f"{key}_add")


def _full_size(photo_id: int) -> None:
    @st.dialog(t("evidence.full_size"), width="large")
    def show() -> None:
        try:
            st.image(attachments.get_photo(get_db(), photo_id), width="stretch")
        except ServiceError as exc:
            show_service_error(exc)

    show()


def receipt_line_photos(receipt: str, line_no: int, *, stage: str = "receiving") -> None:
    """Photos of one receipt line: at counting (receiver) or in QC."""
    with st.expander(t(f"evidence.line_{stage}", line_no=line_no), icon=":material/photo_camera:"):
        document_photos(receipt, line_no=line_no, key=f"ev_{stage}_{receipt}_{line_no}",
                        can_add=True)
