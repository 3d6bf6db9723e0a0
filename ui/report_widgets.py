"""Streamlit glue for the report pages: cached service calls, period pickers,
server-side paging, Excel downloads with the sign-off block, dashboard tiles."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

import pandas as pd
import streamlit as st

from services import clock, export, reports
from services.errors import ServiceError
from ui.i18n import current_language, t
from ui.navigation import PAGES
from ui.session import current_user, get_db
from ui.units import localize_units
from ui.widgets import (
    MAX_ROWS,
    PAGE_SIZE,
    column_chooser,
    readable_booleans,
    show_dataframe,
    show_service_error,
)

CACHE_TTL = 60          # seconds; every write clears the cache anyway (after_write)
COLUMN_PREFIX = "rcol"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _db_key() -> str:
    return get_db().engine.url.render_as_string(hide_password=True)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=200)
def _cached(db_key: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(reports, name)(get_db(), *args, **dict(kwargs))


def cached(name: str, *args, **kwargs) -> Any:
    """services.reports.<name>(db, *args, **kwargs), cached for CACHE_TTL seconds per
    database; None (with the error shown) when the service refuses."""
    try:
        return localize_units(get_db(), _cached(_db_key(), name, tuple(args),
                                                tuple(sorted(kwargs.items()))))
    except ServiceError as exc:
        show_service_error(exc)
        return None


def call(name: str, *args, **kwargs) -> Any:
    """An uncached service call (per-user checks such as the audit trail)."""
    try:
        return getattr(reports, name)(get_db(), *args, **kwargs)
    except ServiceError as exc:
        show_service_error(exc)
        return None


def fetch(name: str, *args, **kwargs) -> Any:
    """A plain service call for deferred work (an Excel file built on click)."""
    return localize_units(get_db(), getattr(reports, name)(get_db(), *args, **kwargs))


# --- pickers -----------------------------------------------------------------------
def period_label(period: str) -> str:
    year, month = period.split("-")
    return t("rep.period_label", year=year, month=int(month))


def month_picker(key: str, *, label_key: str = "common.period", count: int = 24) -> str:
    """A month (current and the previous ``count - 1``), newest first."""
    periods = reports.recent_periods(get_db(), count)
    default = st.session_state.get(f"{key}_default", 0)
    return st.selectbox(t(label_key), periods, index=default, key=key, format_func=period_label)


def date_range_picker(key: str, *, days: int = 30, allow_empty: bool = False
                      ) -> tuple[date | None, date | None]:
    """From / to dates (inclusive), defaulting to the last ``days`` days."""
    today = clock.today()
    left, right = st.columns(2)
    start = left.date_input(t("common.from"), None if allow_empty else today - timedelta(days=days),
                            key=f"{key}_from", format="YYYY-MM-DD")
    end = right.date_input(t("common.to"), None if allow_empty else today, key=f"{key}_to",
                           format="YYYY-MM-DD")
    if start and end and start > end:
        st.warning(t("rep.range_swapped"))
        start, end = end, start
    return start, end


# --- tables --------------------------------------------------------------------------
def page_controls(total: int, key: str, page_size: int = PAGE_SIZE) -> tuple[int, int]:
    """A page number input for a server-side paged table; returns (limit, offset)."""
    pages = max(1, -(-total // page_size))
    page = 1
    if pages > 1:
        page = st.number_input(t("common.page_of", pages=pages), 1, pages, 1, key=f"{key}_page")
    return page_size, (int(page) - 1) * page_size


def show_frame(df: pd.DataFrame, *, total: int | None = None, column_config=None,
               height: int | str = "auto", key: str | None = None,
               tablet: list[str] | None = None) -> None:
    """One page (at most MAX_ROWS rows) with translated headers; a wide report (with
    ``tablet`` columns and a ``key``) opens with the columns a tablet fits."""
    if tablet and key:
        df = column_chooser(df, key, tablet, prefix=COLUMN_PREFIX)
    show_dataframe(df.head(MAX_ROWS), COLUMN_PREFIX, column_config=column_config, height=height)
    st.caption(t("common.rows_total", total=len(df) if total is None else total))


def headers_for(columns) -> dict[str, str]:
    return {c: t(f"{COLUMN_PREFIX}.{c}") for c in columns}


def signoff_labels(lang: str | None = None) -> list[str]:
    return [t(f"signoff.{key}", lang) for key in ("prepared", "reviewed", "approved", "date")]


def report_excel(frames: list[tuple[pd.DataFrame, str]], *, lang: str, preparer: str,
                 heading: str, subtitle: str = "", totals: bool = False) -> bytes:
    """The workbook of report frames in ``lang``: translated headers, sign-off labels
    and yes/no words (原厂/副厂), the preparer's name and today's date, a totals row.
    Everything is translated with ``lang`` given, never looked up from the session:
    a deferred download runs outside the page's script run."""
    frames = [(readable_booleans(df, lang), title) for df, title in frames]
    columns = [c for df, _title in frames for c in df.columns]
    headers = {c: _translate(f"{COLUMN_PREFIX}.{c}", lang) for c in columns}
    return export.report_workbook(
        frames, headers, heading=heading, subtitle=subtitle, signoff=signoff_labels(lang),
        signoff_values=[preparer, "", "", clock.today().isoformat()],
        totals_label=_translate("doc.total", lang) if totals else "")


def excel_button(build: Callable[[], list[tuple[pd.DataFrame, str]]], *, filename: str,
                 heading: str, subtitle: str = "", key: str, totals: bool = False) -> None:
    """A download button that builds the workbook (report_excel) only when clicked."""
    user = current_user()
    preparer = user.display_name if user else ""
    lang = current_language()

    def data() -> bytes:
        return report_excel(build(), lang=lang, preparer=preparer, heading=heading,
                            subtitle=subtitle, totals=totals)

    st.download_button(t("common.download_excel"), data, file_name=filename, mime=XLSX_MIME,
                       key=key, icon=":material/download:", on_click="ignore")


def _translate(key: str, lang: str) -> str:
    from ui.i18n import translate

    return translate(key, lang)


# --- navigation links ------------------------------------------------------------------
def can_open(path: str) -> bool:
    user = current_user()
    spec = next((p for p in PAGES if p.path == path), None)
    return bool(user and spec and spec.exists() and spec.allowed(user.roles))


def link(path: str, label: str, icon: str | None = None, query_params=None) -> None:
    """st.page_link to a registered page the user may open (nothing otherwise)."""
    if can_open(path):
        st.page_link(path, label=label, icon=icon, query_params=query_params)


def tile(container, title: str, value: Any, *, help_text: str = "", target: str | None = None,
         link_label: str = "", icon: str | None = None, delta: str | None = None) -> None:
    with container.container(border=True):
        st.metric(title, value, delta=delta, delta_color="off", delta_arrow="off",
                  help=help_text or None)
        if target:
            link(target, link_label or t("home.open"), icon or ":material/arrow_forward:")


from ui.format import fmt_money, fmt_qty  # noqa: E402,F401  (pages import them from here)
