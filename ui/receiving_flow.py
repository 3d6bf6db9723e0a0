"""Receiving flow on the tablet: after "Save line" the next uncounted line comes up,
and a receipt in progress always has a way back to the list of open receipts."""
from __future__ import annotations

import streamlit as st

from ui.i18n import t

LINE_CHOICE = "rcv_line_choice"
NEXT_LINE = "rcv_next_line"
CURRENT = "rcv_current"


def next_uncounted(view, saved_line_no: int) -> int | None:
    """The first uncounted line after the one just saved (wrapping round)."""
    numbers = [ln.line_no for ln in view.lines]
    start = numbers.index(saved_line_no) + 1 if saved_line_no in numbers else 0
    for ln in view.lines[start:] + view.lines[:start]:
        if ln.counted_qty is None and ln.line_no != saved_line_no:
            return ln.line_no
    return None


def go_to_next_line(view, saved_line_no: int) -> None:
    """Ask the next run to show the next uncounted line (the line picker is already
    drawn in this run, so its value is set before it is drawn again)."""
    following = next_uncounted(view, saved_line_no)
    if following is not None:
        st.session_state[NEXT_LINE] = following


def take_next_line() -> None:
    if NEXT_LINE in st.session_state:
        st.session_state[LINE_CHOICE] = st.session_state.pop(NEXT_LINE)


def _leave_receipt() -> None:
    st.session_state.pop(CURRENT, None)
    st.session_state.pop(LINE_CHOICE, None)


def back_to_list() -> None:
    """Back to the open receipts; this one stays open and can be picked up again."""
    st.button(t("rcv.back_to_list"), icon=":material/arrow_back:", key="rcv_back",
              on_click=_leave_receipt)


# The columns a 768 px tablet shows without scrolling sideways; the rest of a line
# (lot, expiry, bin, prices, certificate) is in the line's form, one tap away.
COMPACT_COLUMNS = ["line_no", "sku", "name", "note_qty", "counted_qty", "flags"]
# Once posted, what matters is what was accepted and what was rejected, line by line.
POSTED_COLUMNS = ["line_no", "sku", "name", "accepted_qty", "rejected_qty", "flags"]
LINES_TABLE = "rcv_lines_table"


def compact(df, *, posted: bool = False):
    columns = POSTED_COLUMNS if posted else COMPACT_COLUMNS
    picked = [c for c in columns if c in df.columns]
    # the catalogue's Chinese name rides along: zh screens show it instead of the name
    return df[picked + [f"{c}_zh" for c in picked if f"{c}_zh" in df.columns]]


def pick_tapped_line() -> None:
    """A tapped row opens that line's form (the details) below the table."""
    selection = st.session_state.get(LINES_TABLE)
    rows = selection.selection.rows if selection else []
    numbers = st.session_state.get(f"{LINES_TABLE}_numbers", [])
    if rows and rows[0] < len(numbers):
        st.session_state[NEXT_LINE] = numbers[rows[0]]
