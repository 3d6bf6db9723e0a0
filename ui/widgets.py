"""Reusable Streamlit pieces: running a service action, tables, downloads."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

from services import clock
from services.errors import ServiceError, ValidationError
from services.export import column_totals, dataframe_sheet, workbook_bytes
from ui.format import display_frame, is_blank
from ui.i18n import error_text, t
from ui.session import after_write, current_user

PAGE_SIZE = 100
MAX_ROWS = 2000


def show_service_error(exc: ServiceError) -> None:
    st.error(error_text(exc), icon=":material/error:")
    for row_error in exc.params.get("errors", [])[:50] if isinstance(exc, ValidationError) else []:
        inner = ValidationError(row_error["code"], **row_error.get("params", {}))
        st.caption("• " + error_text(inner))


def run_action(action: Callable[[], Any], success_key: str | None = None, **params) -> Any:
    """Call a service write; show a translated error (nothing was written) or a
    success toast. Returns the service's result (True when it returns nothing), or
    None when it failed."""
    try:
        result = action()
    except ServiceError as exc:
        show_service_error(exc)
        return None
    after_write()
    if success_key:
        st.toast(t(success_key, **params), icon=":material/check_circle:")
    return True if result is None else result


FLASH = "_flash_message"


def refresh_with(message: str = "") -> None:
    """Redraw the page at once after a write so status, buttons and counters show
    the new state; ``message`` is shown at the top of the redrawn page."""
    if message:
        st.session_state[FLASH] = message
    st.rerun()


def show_flash() -> None:
    """The message of the write that caused this redraw (see refresh_with)."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def labelled(df: pd.DataFrame, prefix: str = "col") -> pd.DataFrame:
    """Column headers translated from ``<prefix>.<column>`` keys; every cell
    formatted for reading (ui.format: quantities, money, local times, codes)."""
    shown = display_frame(df)
    return shown.rename(columns={c: t(f"{prefix}.{c}") for c in shown.columns})


def _is_number_column(series: pd.Series) -> bool:
    values = [v for v in series.head(50) if not is_blank(v)]
    return bool(values) and all(isinstance(v, (Decimal, int, float)) and not isinstance(v, bool)
                                for v in values)


def show_dataframe(df: pd.DataFrame, prefix: str = "col", *, column_config=None,
                   **kwargs) -> None:
    """A table with translated headers and formatted cells (ui.format), figures
    aligned right. Formatting is for display only: figures stay Decimal in the
    services and in every export."""
    config = dict(column_config or {})
    for column in df.columns:
        label = t(f"{prefix}.{column}")
        if label not in config and _is_number_column(df[column]):
            config[label] = st.column_config.TextColumn(label, alignment="right")
    return st.dataframe(labelled(df, prefix), hide_index=True, width="stretch",
                        column_config=config or None, **kwargs)


def paged_table(df: pd.DataFrame, key: str, *, page_size: int = PAGE_SIZE,
                prefix: str = "col", **kwargs) -> None:
    """A table showing one page at a time (never more than MAX_ROWS sent)."""
    total = len(df)
    pages = max(1, -(-total // page_size))
    page = 1
    if pages > 1:
        page = st.number_input(t("common.page_of", pages=pages), 1, pages, 1, key=f"{key}_page")
    start = (page - 1) * page_size
    show_dataframe(df.iloc[start:start + page_size], prefix, **kwargs)
    st.caption(t("common.rows_total", total=total))


def compact_table(df: pd.DataFrame, key: str, columns: list[str], *, prefix: str = "col",
                  page_size: int = PAGE_SIZE, widths: dict[str, str | int] | None = None) -> None:
    """A working screen's table: only ``columns`` (what fits a 768 px tablet), one
    page at a time; tapping a row shows all of that row's fields below the table."""
    total = len(df)
    pages = max(1, -(-total // page_size))
    page = 1
    if pages > 1:
        page = st.number_input(t("common.page_of", pages=pages), 1, pages, 1, key=f"{key}_page")
    shown = df.iloc[(page - 1) * page_size:page * page_size]
    # a shown name keeps its Chinese partner column: the zh screen shows that one
    picked = [c for c in columns if c in shown.columns]
    picked += [f"{c}_zh" for c in picked if f"{c}_zh" in shown.columns]
    # long texts (supplier names, zones) get a set width: the row's details show them whole
    config = {t(f"{prefix}.{c}"): st.column_config.Column(width=w) for c, w in (widths or {}).items()}
    event = show_dataframe(shown[picked], prefix, column_config=config or None,
                           key=key, on_select="rerun", selection_mode="single-row")
    st.caption(t("common.rows_total", total=total) + " · " + t("common.tap_for_details"))
    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(shown):
        details = display_frame(shown.iloc[[rows[0]]]).iloc[0]
        with st.container(border=True):
            for column, value in details.items():
                if value != "":
                    st.markdown(f"**{t(f'{prefix}.{column}')}**: {value}")


# Yes/no columns printed with their own words; others print 是/否 (Yes/No).
BOOLEAN_WORDS = {"genuine": ("rep.genuine.genuine", "rep.genuine.aftermarket")}


def _is_boolean(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def readable_booleans(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """True/False cells as words in ``lang`` (default: the user's) (原厂/副厂, 是/否)."""
    out = df.copy()
    for column in df.columns:
        if not df[column].map(_is_boolean).any():
            continue
        yes, no = BOOLEAN_WORDS.get(str(column), ("common.yes", "common.no"))
        out[column] = df[column].map(
            lambda v, yes=yes, no=no: t(yes if v else no, lang) if _is_boolean(v) else v)
    return out


def preparer_signoff() -> tuple[list[str], list[str]]:
    """Prepared / reviewed / approved / date, with the user's name and today's date."""
    user = current_user()
    labels = [t("signoff.prepared"), t("signoff.reviewed"), t("signoff.approved"),
              t("signoff.date")]
    return labels, [user.display_name if user else "", "", "", clock.today().isoformat()]


def excel_download(df: pd.DataFrame, filename: str, title: str, *, key: str,
                   prefix: str = "col", heading: str = "", signoff: bool = False,
                   totals: bool = False) -> None:
    """An .xlsx of ``df``: translated headers and yes/no words, quantities in their own
    decimals, print setup; ``signoff`` adds the block with the preparer's name and the
    date, ``totals`` a row summing the quantity and money columns."""
    headers = {c: t(f"{prefix}.{c}") for c in df.columns}
    sheet = dataframe_sheet(readable_booleans(df), title, headers, heading=heading or title)
    if signoff:
        sheet.signoff, sheet.signoff_values = preparer_signoff()
    if totals:
        sheet.totals = column_totals(list(df.columns), sheet.rows, t("doc.total"))
    data = workbook_bytes([sheet])
    st.download_button(
        t("common.download_excel"), data, file_name=filename, key=key,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )


def signoff_block(names: dict[str, str] | None = None) -> None:
    """Prepared by / reviewed by / approved by / date, for print views."""
    names = names or {}
    cols = st.columns(4)
    for col, key in zip(cols, ("prepared", "reviewed", "approved", "date")):
        col.markdown(f"**{t('signoff.' + key)}**")
        col.write(names.get(key, "________"))


def people(db, usernames) -> list[str]:
    """Each username as the person's display name (what colleagues know them by)."""
    from services import users

    usernames = list(usernames)
    names = users.display_names(db, usernames)
    return [names.get(u, u) if u else "" for u in usernames]


def column_chooser(df: pd.DataFrame, key: str, tablet: list[str], *,
                   prefix: str = "col") -> pd.DataFrame:
    """A wide report's columns: every column can be shown, the table opens with the
    ``tablet`` ones (what a 768 px screen fits); the choice stays for the session."""
    if len(df.columns) <= len(tablet):
        return df
    options = list(df.columns)
    chosen = st.multiselect(t("common.columns_shown"), options,
                            default=[c for c in tablet if c in options], key=f"{key}_columns",
                            format_func=lambda c: t(f"{prefix}.{c}"))
    return df[[c for c in options if c in chosen] or options[:1]]


def person_label(db, usernames) -> Callable[[str], str]:
    """format_func for choosing a person: "王芳 (wangfang)": the name people know, and
    the sign-in name the password belongs to."""
    usernames = [u for u in usernames if u]
    names = dict(zip(usernames, people(db, usernames)))
    return lambda u: f"{names[u]} ({u})" if names.get(u, u) != u else str(u or "")

