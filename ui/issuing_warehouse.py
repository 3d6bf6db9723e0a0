"""The warehouse an issue leaves from: a picker defaulting to the user's home
warehouse, and other warehouses' stock shown with a shortcut to a transfer."""
from __future__ import annotations

import streamlit as st

from services import catalog, issuing, users
from ui.i18n import current_language, t

PICK_KEY = "iss_warehouse"
CHOICE_KEY = "iss_warehouse_choice"     # plain state: survives the widget being re-created


def warehouse_name(house: dict) -> str:
    """A warehouse's name in the screen's language."""
    if current_language() == "zh" and house.get("name_zh"):
        return house["name_zh"]
    return house["name"]


def warehouse_picker(db, username: str) -> str | None:
    """The chosen warehouse code (None when there is only one warehouse)."""
    houses = [h for h in catalog.list_warehouses(db) if h["active"]]
    if len(houses) <= 1:
        return houses[0]["code"] if houses else None
    codes = [h["code"] for h in houses]
    names = {h["code"]: warehouse_name(h) for h in houses}
    chosen = st.session_state.get(CHOICE_KEY)
    if chosen not in codes:
        home = users.home_warehouse(db, username)
        chosen = st.session_state[CHOICE_KEY] = home if home in codes else codes[0]
    # The choice lives outside the widget and is the widget's default: a selectbox
    # whose value was only pushed through session_state can be re-created by the
    # browser at its first option (seen with quick taps on a loaded server), and an
    # issue would then silently look for stock in the wrong warehouse.
    return st.selectbox(t("issuing.warehouse"), codes, index=codes.index(chosen), key=PICK_KEY,
                        format_func=lambda code: f"{code} · {names[code]}",
                        on_change=_remember_choice)


def _remember_choice() -> None:
    st.session_state[CHOICE_KEY] = st.session_state[PICK_KEY]


def show_elsewhere(line, warehouse: str | None) -> None:
    """Other warehouses' stock of a line's item: never taken, a transfer away."""
    if not line.elsewhere:
        return
    places = ", ".join(t("issuing.available_at", warehouse=e.name_zh if current_language() == "zh"
                         and e.name_zh else e.name, qty=issuing.plain(e.qty))
                       for e in line.elsewhere)
    st.info(t("issuing.elsewhere", places=places), icon=":material/warehouse:")
    st.page_link("pages/transfers.py", label=t("issuing.transfer_here", sku=line.sku,
                                                   warehouse=warehouse or ""),
                 icon=":material/move_down:")
