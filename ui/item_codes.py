"""The codes an item carries (EAN, OE, supplier part numbers), edited on the item screen."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.codes import CODE_KINDS
from services import catalog
from ui.i18n import t
from ui.session import actor, get_db
from ui.widgets import labelled, run_action


def item_codes_editor(sku: str, suppliers: list[str]) -> None:
    db = get_db()
    st.subheader(t("codes.title"))
    codes = catalog.list_codes(db, sku)
    if codes:
        table = pd.DataFrame(codes)
        table["kind"] = table["kind"].map(lambda k: t(f"codes.kind.{k}"))
        st.dataframe(labelled(table, "codes.col"), hide_index=True, width="stretch")
    else:
        st.caption(t("codes.none"))
    with st.form(f"add_code_{sku}", clear_on_submit=True):
        c1, c2, c3 = st.columns([2, 1, 1])
        code = c1.text_input(t("field.code"), key=f"code_new_{sku}", max_chars=60)
        kind = c2.selectbox(t("field.code_kind"), CODE_KINDS, key=f"code_kind_{sku}",
                            format_func=lambda k: t(f"codes.kind.{k}"))
        supplier = c3.selectbox(t("field.supplier"), [""] + suppliers, key=f"code_sup_{sku}",
                                format_func=lambda s: s or "—")
        if st.form_submit_button(t("codes.add"), icon=":material/add:", width="stretch"):
            if run_action(lambda: catalog.add_code(db, actor=actor(), sku=sku, code=code,
                                                   kind=kind, supplier=supplier or None),
                          "codes.added", code=code.strip(), sku=sku):
                st.rerun()
    if codes:
        r1, r2 = st.columns([3, 1], vertical_alignment="bottom")
        gone = r1.selectbox(t("codes.remove"), [c["code"] for c in codes], key=f"code_rm_{sku}")
        if r2.button(t("codes.remove"), key=f"code_rm_btn_{sku}", icon=":material/delete:",
                     width="stretch"):
            if run_action(lambda: catalog.remove_code(db, actor=actor(), sku=sku, code=gone),
                          "codes.removed", code=gone):
                st.rerun()
