"""Refusing a delivery at the dock, before counting (拒绝收货): reason, packages,
driver, photos. Nothing is booked; purchasing gets a claim."""
from __future__ import annotations

import streamlit as st

from services import claims, receiving
from ui import evidence
from ui.i18n import t
from ui.session import actor, get_db
from ui.widgets import run_action

REASONS = ("packaging_damaged", "wrong_goods", "short_in_packing", "near_expiry", "other")
KEY = "rfd"


def refuse_form(po_number: str, note_no: str) -> None:
    """An expander on the receiving screen for the PO and note chosen there."""
    with st.expander(t("rfd.title"), icon=":material/block:"):
        st.caption(t("rfd.help"))
        reason_code = st.selectbox(t("field.reason"), REASONS, key=f"{KEY}_reason",
                                   format_func=lambda r: t(f"rfd.reason.{r}"))
        detail = st.text_input(t("rfd.detail"), key=f"{KEY}_detail", max_chars=500)
        whole = st.toggle(t("rfd.whole"), value=True, key=f"{KEY}_whole")
        packages = "" if whole else st.text_input(t("rfd.packages"), key=f"{KEY}_packages",
                                                  max_chars=200)
        left, right = st.columns(2)
        driver = left.text_input(t("rfd.driver"), key=f"{KEY}_driver", max_chars=100)
        vehicle = right.text_input(t("rfd.vehicle"), key=f"{KEY}_vehicle", max_chars=40)
        photos = evidence.collect_photos(f"{KEY}_photos")
        if st.button(t("rfd.submit"), type="primary", width="stretch", key=f"{KEY}_submit",
                     icon=":material/block:", disabled=not note_no.strip()):
            reason = t(f"rfd.reason.{reason_code}") + (f": {detail.strip()}" if detail.strip() else "")
            number = run_action(lambda: receiving.refuse_delivery(
                get_db(), actor=actor(), po_number=po_number, delivery_note_no=note_no,
                reason=reason, photos=photos, driver_name=driver, packages=packages,
                vehicle=vehicle), "rfd.done")
            if number is not None:
                st.session_state[f"{KEY}_last"] = number
                evidence.forget_collected(f"{KEY}_photos")
                st.rerun()
    last = st.session_state.get(f"{KEY}_last")
    if last:
        st.success(t("rfd.recorded", number=last), icon=":material/block:")


def replacement_claim(po_number: str) -> str | None:
    """Which open claim of this PO the delivery replaces (posting it resolves the
    claim); None for an ordinary delivery."""
    open_claims = claims.list_claims(get_db(), po_number=po_number,
                                      status=list(claims.UNRESOLVED))
    if open_claims.empty:
        return None
    labels = {r.number: f"{r.number} · {t('claim_kind.' + r.kind)} · {r.sku}"
              for r in open_claims.itertuples()}
    choice = st.selectbox(t("rfd.replaces_claim"), [""] + list(labels), key="rcv_claim",
                          format_func=lambda n: labels.get(n, t("rfd.no_claim")))
    return choice or None
