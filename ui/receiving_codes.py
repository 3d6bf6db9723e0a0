"""At receiving: save the supplier's code printed on a sheet line to the item the line
was matched to, so the next sheet from that supplier matches by code."""
from __future__ import annotations

import streamlit as st

from services import codes
from ui.i18n import t
from ui.session import actor, get_db
from ui.widgets import run_action


def learn_codes(receipt: str) -> None:
    db = get_db()
    learnable = codes.learnable_codes(db, receipt)
    if not learnable:
        return
    with st.container(border=True):
        st.markdown(f"**{t('codes.learn_title')}**")
        st.caption(t("codes.learn_help"))
        for line in learnable:
            text, button = st.columns([4, 1], vertical_alignment="center")
            text.write(t("codes.learn_line", **line))
            if button.button(t("codes.learn_save"), key=f"rcv_learn_{receipt}_{line['line_no']}",
                             icon=":material/bookmark_add:", width="stretch"):
                if run_action(lambda: codes.learn_code(db, actor=actor(), receipt=receipt,
                                                       line_no=line["line_no"]),
                              "codes.learned", code=line["code"], sku=line["sku"],
                              supplier=line["supplier"]):
                    st.rerun()
