"""Units on screen: unit names in the user's language, an item's pack units editor, and
quantity entry in packs plus loose stock units ("3 箱 + 5 个") with its conversion shown."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from domain.units import UnitBook, in_packs
from services import catalog, units
from services.errors import ServiceError
from ui import i18n
from ui.i18n import error_text, t
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
    return unit_book(db).name(code, i18n.current_language())


def with_unit_names(db, df: pd.DataFrame, column: str = "unit") -> pd.DataFrame:
    """A copy of ``df`` whose unit column holds names in the user's language."""
    if column not in df.columns:
        return df
    book, lang = unit_book(db), i18n.current_language()
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


def both_units(db, stock_qty, stock_unit: str, pack_unit: str | None, factor) -> str:
    """"60 个 (5 箱)" for a line ordered in boxes; "60 个" otherwise."""
    plain = f"{fmt_qty(stock_qty)} {unit_label(db, stock_unit)}"
    if not pack_unit:
        return plain
    return f"{plain} ({packs_text(db, stock_qty, stock_unit, pack_unit, factor)})"


def localize_units(db, result):
    """A report's result with unit codes replaced by names in the user's language: a
    DataFrame's "unit" column, or a mapping's "unit" value (a new object; cached
    results are never changed)."""
    if isinstance(result, pd.DataFrame) and "unit" in result.columns:
        return with_unit_names(db, result)
    if isinstance(result, dict) and isinstance(result.get("unit"), str):
        return {**result, "unit": unit_label(db, result["unit"])}
    return result


def pack_units_column(db, skus) -> list[str]:
    """Per SKU: its pack units as counters read them, "箱 = 12 个; 箱 = 10 个 (SUP1)"."""
    packs = units.pack_units_for(db, skus)
    return ["; ".join(
        f"{unit_label(db, p.unit)} = {fmt_qty(p.factor)} {unit_label(db, p.stock_unit)}"
        + (f" ({p.supplier})" if p.supplier else "") for p in packs.get(sku, []))
        for sku in skus]


def has_unit(text: str | None) -> bool:
    """Whether a typed quantity names a unit ("3 箱 + 5 个") rather than a plain number."""
    value = (text or "").strip().replace(",", "")
    try:
        Decimal(value)
        return False
    except ArithmeticError:
        return bool(value)


def convert_typed(db, sku: str | None, text: str | None, supplier: str | None = None):
    """(stock quantity, None) for a quantity typed in packs; (None, error text) when it
    is not understood; (None, None) for a plain number or nothing to convert."""
    if not sku or not has_unit(text):
        return None, None
    try:
        return units.convert_quantity(db, sku=sku, text=text, supplier=supplier), None
    except ServiceError as exc:
        return None, error_text(exc)


def show_conversion(db, sku: str | None, text: str | None, where=None,
                    supplier: str | None = None):
    """Under a quantity typed in packs: "= 41 个", or why it is not understood. Returns
    the stock quantity (None when there is nothing to convert or it failed)."""
    where = where or st
    qty, problem = convert_typed(db, sku, text, supplier)
    if problem:
        where.error(problem, icon=":material/error:")
    elif qty is not None:
        unit = unit_label(db, catalog.get_item(db, sku)["unit"])
        where.caption(t("units.conversion", qty=fmt_qty(qty), unit=unit))
    return qty


def confirm_pack_count(db, save) -> None:
    """A count typed in packs ("3 箱 + 5 个", kept in session state by the count form)
    is shown converted to the stock unit and saved only when confirmed:
    ``save(pending, stock_qty)``."""
    pending = st.session_state.get("count_in_packs")
    if not pending:
        return
    sku = (pending["sku"] or "").strip().upper()
    qty, problem = convert_typed(db, sku, pending["typed"])
    with st.container(border=True):
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            unit = unit_label(db, catalog.get_item(db, sku)["unit"])
            st.markdown(t("units.count_confirm", location=pending["location"], sku=sku,
                          typed=pending["typed"], qty=fmt_qty(qty), unit=unit))
        left, right = st.columns(2)
        if not problem and left.button(t("units.confirm_count"), type="primary",
                                       width="stretch", key="count_packs_ok"):
            if run_action(lambda: save({**pending, "sku": sku}, qty), "stocktake.count_saved"):
                st.session_state.pop("count_in_packs", None)
                st.rerun()
        if right.button(t("common.cancel"), width="stretch", key="count_packs_cancel"):
            st.session_state.pop("count_in_packs", None)
            st.rerun()


def units_editor(db) -> None:
    """Units as data: every unit with its English and Chinese names; add one or rename
    one the database added (master-data roles)."""
    st.subheader(t("units.units_title"))
    show_dataframe(pd.DataFrame(units.list_units(db)), "units.unit_col")
    with st.form("define_unit", clear_on_submit=True):
        left, mid, right = st.columns(3)
        code = left.text_input(t("units.unit_col.code"), max_chars=20, key="unit_code")
        name_en = mid.text_input(t("units.unit_col.name_en"), max_chars=40, key="unit_name_en")
        name_zh = right.text_input(t("units.unit_col.name_zh"), max_chars=40, key="unit_name_zh")
        aliases = st.text_input(t("units.unit_col.aliases"), max_chars=200, key="unit_aliases")
        saved = st.form_submit_button(t("units.define"), type="primary", width="stretch")
    if saved and run_action(lambda: units.define_unit(
            db, actor=actor(), code=code, name_en=name_en, name_zh=name_zh, aliases=aliases),
            "success.unit_defined"):
        st.rerun()
