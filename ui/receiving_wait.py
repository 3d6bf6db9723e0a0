"""Receiving approvals on the tablet: the facts an approver signs for, and a
receiver's screen that follows approvals made on another tablet."""
from __future__ import annotations

import streamlit as st

from domain.receiving import APPROVAL_ROLES, NEAR_EXPIRY, OVER_PO, PRICE_MISMATCH
from services import clock, receiving
from services.errors import ServiceError
from ui.format import fmt_money, fmt_qty
from ui.i18n import t
from ui.session import get_db

WAIT_SECONDS = 5        # how often a waiting receiver's screen looks for approvals


def approval_facts(line, flag: str) -> str:
    """What the approval is about, in figures: prices, quantities, shelf life."""
    if flag == PRICE_MISMATCH:
        return t("rcv.fact_price", note=fmt_money(line.note_unit_price),
                 po=fmt_money(line.unit_price))
    if flag == OVER_PO:
        delivered = line.counted_qty if line.counted_qty is not None else line.note_qty
        return t("rcv.fact_over", delivered=fmt_qty(delivered), outstanding=fmt_qty(line.outstanding))
    if flag == NEAR_EXPIRY and line.expiry_date:
        days = (line.expiry_date - clock.today()).days
        return t("rcv.fact_expiry", expiry=line.expiry_date.isoformat(), days=days)
    return ""


def _waiting(view) -> tuple:
    return tuple((ln.line_no, flag) for ln in view.lines for flag in sorted(ln.needs_approval)
                 if flag not in ln.approved and flag in APPROVAL_ROLES)


def follow_approvals(view) -> None:
    """While lines wait for someone else's approval, look again every few seconds and
    redraw the whole screen (Post button included) as soon as one is given."""
    waiting = _waiting(view)
    if view.status == "open" and waiting:
        _watch(view.number, waiting)


@st.fragment(run_every=WAIT_SECONDS)
def _watch(number: str, waiting: tuple) -> None:
    try:
        now = _waiting(receiving.get_receipt(get_db(), number))
    except ServiceError:
        return
    if now != waiting:
        st.rerun(scope="app")
    st.caption(t("rcv.watching", seconds=WAIT_SECONDS))
