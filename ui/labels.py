"""Printing labels from any page: choose A4 label sheet or 50 × 30 mm thermal, make
the PDF, download it. The PDF is made on a tap and kept only for that selection."""
from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from services import labels
from services.errors import ServiceError
from ui.i18n import current_language, t
from ui.session import get_db
from ui.widgets import show_service_error

ss = st.session_state


def label_pdf(key: str, build: Callable[[str], Sequence[labels.Label]], *, filename: str,
              selection: tuple = ()) -> None:
    """Layout choice, a "make labels" button and the download of what it made.
    ``build(language)`` returns the labels; ``selection`` identifies what they are of."""
    layout = st.segmented_control(
        t("labels.layout"), list(labels.LAYOUTS), default="a4", key=f"{key}_layout",
        format_func=lambda v: t(f"labels.layout.{v}")) or "a4"
    signature = (layout, current_language(), *selection)
    if st.button(t("labels.make"), key=f"{key}_make", width="stretch", icon=":material/label:"):
        try:
            made = labels.render(build(current_language()), layout=layout, title=filename)
        except ServiceError as exc:
            show_service_error(exc)
        else:
            ss[f"{key}_pdf"] = (signature, made)
    done = ss.get(f"{key}_pdf")
    if done and done[0] == signature:
        st.download_button(t("labels.download"), done[1], file_name=f"{filename}-{layout}.pdf",
                           mime="application/pdf", key=f"{key}_download", width="stretch",
                           icon=":material/download:", on_click="ignore")


def lot_labels_for_receipt(receipt: str) -> None:
    """At receiving, after posting: a label for every lot the receipt booked."""
    with st.container(border=True):
        st.markdown(f"**{t('labels.lot_title')}**")
        st.caption(t("labels.lot_help"))
        label_pdf("rcv_lot_labels", lambda lang: labels.lot_labels(
            get_db(), receipt=receipt, language=lang), filename=f"lots-{receipt}",
            selection=(receipt,))


def bin_labels_section(zones: list[str], bins: list[str]) -> None:
    """Bin labels for a zone or chosen bins (locations page)."""
    with st.expander(t("labels.bin_title"), icon=":material/label:"):
        left, right = st.columns(2)
        zone = left.selectbox(t("field.zone"), [""] + zones, key="binlbl_zone",
                              format_func=lambda z: z or t("common.all"))
        chosen = right.multiselect(t("labels.bins"), bins, key="binlbl_bins")
        label_pdf("binlbl", lambda lang: labels.bin_labels(
            get_db(), chosen or None, zone=zone or None, language=lang),
            filename="bin-labels", selection=(zone, *chosen))


def shelf_card(sku: str) -> None:
    """The item's shelf card (料卡) with a Code 128 of its SKU."""
    with st.container(border=True):
        st.markdown(f"**{t('labels.card_title')}**")
        label_pdf(f"card_{sku}", lambda lang: labels.shelf_cards(get_db(), [sku], language=lang),
                  filename=f"shelf-card-{sku}", selection=(sku,))
