"""盘点前已审核单据记账: before a stocktake opens, the receipts counted into its zones
but not posted are listed; opening over them needs an explicit confirmation."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from services import stocktake as stk
from ui.i18n import t
from ui.widgets import compact_table


def show_open_receipts(db, zones: list[str]) -> bool:
    """List the waiting receipts; True when there are any (ask to confirm)."""
    waiting = stk.open_receipts_in_zones(db, zones)
    if not waiting:
        return False
    st.warning(t("stocktake.open_receipts_warning", count=len({w["receipt"] for w in waiting})),
               icon=":material/inventory:")
    # ten rows a page: a longer list would scroll inside the table and push it past a
    # portrait tablet's width by the scrollbar
    compact_table(pd.DataFrame(waiting), "open_receipts", ["receipt", "zone", "location"],
                  prefix="stocktake.col", page_size=10, widths={"zone": "medium"})
    return True


def confirm_open_receipts() -> bool:
    """The explicit confirmation (inside the opening form)."""
    return st.checkbox(t("stocktake.open_receipts_confirm"), key="stocktake_allow_open_receipts")
