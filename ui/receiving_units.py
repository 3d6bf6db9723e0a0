"""Receiving screen, units: what the sheet said in its own unit, choosing the unit of a
line flagged UNKNOWN_UNIT, and counting in packs plus loose pieces ("3 箱 + 5 个")
converted to the stock unit before the count is saved."""
from __future__ import annotations

import streamlit as st

from services import catalog
from services.receiving_units import pick_line_unit
from ui.i18n import t
from ui.session import actor
from ui.units import convert_typed, fmt_qty, show_conversion, unit_label
from ui.widgets import run_action


def sheet_unit_caption(db, line) -> None:
    """"Sheet: 5 箱 = 60 个" for a line the sheet gave in another unit."""
    if not getattr(line, "unit_text", "") or line.note_qty_in_unit is None:
        return
    if line.unit_factor is None:
        st.caption(t("rcv_units.sheet_unknown", qty=fmt_qty(line.note_qty_in_unit),
                     unit=line.unit_text))
        return
    st.caption(t("rcv_units.sheet_says", qty=fmt_qty(line.note_qty_in_unit),
                 unit=unit_label(db, line.unit or line.unit_text),
                 stock_qty=fmt_qty(line.note_qty), stock_unit=unit_label(db, line.stock_unit)))


def pick_unit(db, view, line) -> None:
    """For a line in a unit the item does not know: the receiver picks the unit (the
    stock unit or a pack unit defined for this supplier) — or master data defines it."""
    if "UNKNOWN_UNIT" not in line.flags:
        return
    st.warning(t("rcv_units.unknown", unit=line.unit_text, sku=line.sku),
               icon=":material/straighten:")
    packs = [p for p in catalog.pack_units(db, line.sku)
             if p.supplier in (None, view.supplier)]
    options = [line.stock_unit] + list(dict.fromkeys(p.unit for p in packs))
    factors = {p.unit: p.factor for p in packs}

    def describe(code: str) -> str:
        name = unit_label(db, code)
        if code == line.stock_unit:
            return t("rcv_units.stock_unit_option", unit=name)
        return f"{name} = {fmt_qty(factors[code])} {unit_label(db, line.stock_unit)}"

    key = f"rcv_unit_{view.number}_{line.line_no}"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(t("rcv_units.pick"), options, key=key, format_func=describe)
    if right.button(t("rcv_units.use_unit"), key=f"{key}_go", width="stretch"):
        if run_action(lambda: pick_line_unit(db, actor=actor(), receipt=view.number,
                                             line_no=line.line_no, unit=chosen),
                      "common.saved"):
            st.rerun()


def count_in_packs(db, view, line, counted_key: str) -> None:
    """Type "3 箱 + 5 个", see it in the stock unit, then put it in the counted field
    (``counted_key``: the session key of the line form's counted quantity)."""
    key = f"rcv_packs_{view.number}_{line.line_no}"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    typed = left.text_input(t("rcv_units.count_in_packs"), key=key,
                            placeholder=t("units.qty_hint"))
    show_conversion(db, line.sku, typed, where=left, supplier=view.supplier)

    def apply() -> None:
        qty, problem = convert_typed(db, line.sku, st.session_state.get(key),
                                     view.supplier)
        if qty is not None and not problem:
            st.session_state[counted_key] = fmt_qty(qty)

    right.button(t("rcv_units.use_count"), key=f"{key}_go", width="stretch", on_click=apply,
                 disabled=convert_typed(db, line.sku, typed, view.supplier)[0] is None)


def line_units(db, view, line, counted_key: str) -> None:
    """Everything about units for the line being counted (above its form)."""
    sheet_unit_caption(db, line)
    pick_unit(db, view, line)
    count_in_packs(db, view, line, counted_key)
