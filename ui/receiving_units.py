"""Receiving screen, units: what the sheet said in its own unit, choosing the unit of a
line flagged UNKNOWN_UNIT, and counting in packs plus loose pieces ("3 箱 + 5 个")
converted to the stock unit before the count is saved."""
from __future__ import annotations

import streamlit as st

from services import catalog, receiving
from services.receiving_units import pick_line_unit
from ui.i18n import t
from ui.session import actor
from ui.units import fmt_qty, show_conversion, unit_label
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


def count_in_packs(db, view, line) -> None:
    """Type "3 箱 + 5 个", see it in the stock unit, then save it as the line's count
    (damaged quantity, lot, expiry and bin are kept as they are)."""
    key = f"rcv_packs_{view.number}_{line.line_no}"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    typed = left.text_input(t("rcv_units.count_in_packs"), key=key,
                            placeholder=t("units.qty_hint"))
    qty = show_conversion(db, line.sku, typed, where=left, supplier=view.supplier)
    if right.button(t("rcv_units.use_count"), key=f"{key}_go", width="stretch",
                    disabled=qty is None):
        if run_action(lambda: receiving.record_count(
                db, actor=actor(), receipt=view.number, line_no=line.line_no,
                counted_qty=qty, damaged_qty=line.damaged_qty), "common.saved"):
            st.rerun()


def line_units(db, view, line) -> None:
    """Everything about units for the line being counted (above its form)."""
    sheet_unit_caption(db, line)
    pick_unit(db, view, line)
    count_in_packs(db, view, line)


def note_qty_text(db, line) -> str:
    """The sheet's quantity in the stock unit, with what the sheet said beside it when
    that was another unit: "60 (5 箱)"; "2 桶 ?" while the unit is unknown."""
    if not getattr(line, "unit_text", "") or line.note_qty_in_unit is None:
        return fmt_qty(line.note_qty)
    if line.unit_factor is None:
        return f"{fmt_qty(line.note_qty_in_unit)} {line.unit_text} ?"
    if line.unit_factor == 1:
        return fmt_qty(line.note_qty)
    return f"{fmt_qty(line.note_qty)} ({fmt_qty(line.note_qty_in_unit)} " \
           f"{unit_label(db, line.unit or line.unit_text)})"
