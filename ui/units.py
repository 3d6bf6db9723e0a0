"""Units on screen: unit names in the user's language, an item's pack units editor, and
quantity entry in packs plus loose stock units ("3 箱 + 5 个") with its conversion shown."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from domain.units import UnitBook, in_packs
from services import catalog, units
from services.errors import ServiceError
from ui.i18n import current_language, error_text, t
from ui.session import actor
from ui.widgets import run_action, show_dataframe


@st.cache_data(show_spinner=False, ttl=300)
def _book(_db, url: str) -> UnitBook:
    return units.unit_book(_db)


def unit_book(db) -> UnitBook:
    """Cached per server (cleared after every write, like every read cache)."""
    return _book(db, str(db.engine.url))


def unit_label(db, code: str | None) -> str:
    """A unit's name in the user's language (个 for pcs on a Chinese screen)."""
    return unit_book(db).name(code, current_language())


def with_unit_names(db, df: pd.DataFrame, column: str = "unit") -> pd.DataFrame:
    """A copy of ``df`` whose unit column holds names in the user's language."""
    if column not in df.columns:
        return df
    book, lang = unit_book(db), current_language()
    shown = df.copy()
    shown[column] = shown[column].map(lambda code: book.name(code, lang))
    return shown


def fmt_qty(value) -> str:
    return format(Decimal(value).normalize(), "f") if value is not None else ""


def packs_text(db, stock_qty, stock_unit: str, pack_unit: str | None, factor) -> str:
    """41 个 with 箱 = 12: "3 箱 + 5 个"; without a pack unit just "41 个"."""
    unit = unit_label(db, stock_unit)
    if not pack_unit or factor in (None, 0):
        return f"{fmt_qty(stock_qty)} {unit}"
    packs, loose = in_packs(Decimal(stock_qty), Decimal(factor))
    text = f"{fmt_qty(packs)} {unit_label(db, pack_unit)}"
    return text + (f" + {fmt_qty(loose)} {unit}" if loose else "")


# --- the item screen -------------------------------------------------------------------
def pack_unit_editor(db, sku: str, suppliers: list[str]) -> None:
    """An item's pack units: list, add or change (with the supplier it is for), remove."""
    item = catalog.get_item(db, sku)
    st.subheader(t("units.title"))
    st.caption(t("units.help"))
    st.write(t("units.stock_unit", unit=unit_label(db, item["unit"])))
    rows = catalog.pack_units(db, sku)
    if rows:
        table = pd.DataFrame([{
            "unit": unit_label(db, r.unit), "factor": r.factor,
            "supplier": r.supplier or t("units.all_suppliers")} for r in rows])
        show_dataframe(table, "units.col")
    else:
        st.caption(t("units.none"))
    with st.form(f"pack_unit_{sku}", clear_on_submit=True):
        left, mid, right = st.columns(3)
        unit = left.text_input(t("units.unit"), key=f"pu_unit_{sku}", max_chars=20)
        factor = mid.text_input(t("units.factor"), key=f"pu_factor_{sku}")
        supplier = right.selectbox(t("units.supplier"), [""] + suppliers,
                                   key=f"pu_supplier_{sku}",
                                   format_func=lambda c: c or t("units.all_suppliers"))
        replace = st.checkbox(t("units.replace"), key=f"pu_replace_{sku}")
        saved = st.form_submit_button(t("units.save"), type="primary", width="stretch")
    if saved and run_action(lambda: catalog.set_pack_unit(
            db, actor=actor(), sku=sku, unit=unit, factor=factor.strip(),
            supplier=supplier or None, replace=replace), "success.pack_unit_saved"):
        st.rerun()
    for index, row in enumerate(rows):
        label = f"{t('units.remove')}: {unit_label(db, row.unit)} = {fmt_qty(row.factor)} " \
                f"{unit_label(db, item['unit'])}" + (f" ({row.supplier})" if row.supplier else "")
        if st.button(label, key=f"pu_remove_{sku}_{index}", width="stretch"):
            if run_action(lambda r=row: catalog.remove_pack_unit(
                    db, actor=actor(), sku=sku, unit=r.unit, supplier=r.supplier),
                    "success.pack_unit_removed"):
                st.rerun()


# --- entering quantities in packs -----------------------------------------------------------
def quantity_in_packs(db, *, label: str, sku: str, key: str, supplier: str | None = None,
                      default: str = "") -> Decimal | None:
    """A quantity typed as "3 箱 + 5 个" (or a plain number of stock units) for ``sku``;
    shows the conversion to the stock unit before anything is confirmed. Returns the
    stock quantity, or None while the text is empty or not understood."""
    text = st.text_input(label, value=default, key=key,
                         placeholder=t("units.qty_hint"))
    if not text.strip():
        return None
    try:
        qty = units.convert_quantity(db, sku=sku, text=text, supplier=supplier)
    except ServiceError as exc:
        st.error(error_text(exc), icon=":material/error:")
        return None
    item = catalog.get_item(db, sku)
    st.caption(t("units.conversion", qty=fmt_qty(qty), unit=unit_label(db, item["unit"])))
    return qty


def both_units(db, stock_qty, stock_unit: str, pack_unit: str | None, factor) -> str:
    """"60 个 (5 箱)" for a line ordered in boxes; "60 个" otherwise."""
    plain = f"{fmt_qty(stock_qty)} {unit_label(db, stock_unit)}"
    if not pack_unit:
        return plain
    return f"{plain} ({packs_text(db, stock_qty, stock_unit, pack_unit, factor)})"
