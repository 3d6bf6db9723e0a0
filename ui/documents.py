"""Download buttons for the printed documents (PDF, A4) of services.documents."""
from __future__ import annotations

import re

import streamlit as st

from ui.i18n import current_language, t
from ui.session import current_user, get_db

PDF_MIME = "application/pdf"


def pdf_filename(kind: str, number: str) -> str:
    """A safe file name: ``GRN-2026-11-0002.pdf``, ``ST-…_A.pdf`` for a zone's sheet."""
    stem = re.sub(r"[^\w.-]+", "_", number, flags=re.UNICODE).strip("_")
    return f"{stem or kind}.pdf"


def pdf_download(kind: str, number: str, *, key: str, label_key: str = "doc.download_pdf",
                 **label_params) -> None:
    """A button that prints document ``number`` of ``kind`` in the user's language,
    built only when tapped."""
    language = current_language()
    user = current_user()
    printed_by = user.display_name if user else ""

    def data() -> bytes:
        from services import documents      # the PDF library and its fonts load on first print

        return documents.render_pdf(get_db(), kind=kind, number=number, language=language,
                                    printed_by=printed_by)

    st.download_button(t(label_key, **label_params), data, file_name=pdf_filename(kind, number),
                       mime=PDF_MIME, key=key, icon=":material/picture_as_pdf:",
                       on_click="ignore", width="stretch")
