"""One formatting layer for everything a page shows: quantities without trailing
zeros, money with two decimals, local times without offsets, codes translated,
never "None"/"nan". Tables go through ``display_frame``; single values through
``fmt_qty`` / ``fmt_money`` / ``fmt_time`` / ``fmt_code``."""
from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from services import clock
from ui.i18n import current_language, has, t

BLANK = ""
MONEY_WORDS = ("value", "cost", "price", "amount", "total_money")
# Columns whose text cells are codes (statuses, document types, units, flags...):
# shown through the catalogue's ``value.<code>`` (or ``unit.<code>``) entries.
CODE_COLUMNS = ("status", "doc_type", "type", "kind", "movement_type", "unit", "uom",
                "result", "flag", "flags", "reason", "source", "zone_kind", "state",
                "direction", "category_kind", "role", "action", "decision")


def is_money_column(column: str) -> bool:
    name = str(column).lower()
    return any(word in name for word in MONEY_WORDS)


def is_blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, Decimal) and value.is_nan():
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def fmt_qty(value: Any) -> str:
    """8.000 -> "8", -1.500 -> "-1.5", 12000 -> "12,000"."""
    if is_blank(value):
        return BLANK
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.normalize()
    if number == 0:
        number = Decimal(0)
    return f"{number:,f}"


def fmt_money(value: Any) -> str:
    if is_blank(value):
        return BLANK
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number:,.2f}"


def fmt_time(value: Any) -> str:
    """A moment in the warehouse's local time, to the minute, without an offset."""
    if is_blank(value):
        return BLANK
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = clock.to_local(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fmt_code(value: Any, column: str = "") -> str:
    """A status / document type / unit code in the user's words (the code itself
    when the catalogue has no entry, e.g. a user-defined unit)."""
    if is_blank(value):
        return BLANK
    code = str(value)
    unit_key = f"value.unit.{code.lower()}" if _is_unit(column) else ""
    for key in (f"value.{column}.{code}", unit_key, f"value.{code}", f"value.{code.lower()}"):
        if key and has(key):
            return t(key)
    return code


def _is_unit(column: str) -> bool:
    return str(column).lower() in ("unit", "uom", "base_unit", "purchase_unit")


def fmt_unit(code: Any) -> str:
    return fmt_code(code, "unit")


def fmt_qty_unit(qty: Any, unit: Any) -> str:
    """"19 件" / "19 pcs"."""
    return f"{fmt_qty(qty)} {fmt_unit(unit)}".strip()


def fmt_bool(value: bool) -> str:
    return t("common.yes") if value else t("common.no")


def fmt_value(value: Any, column: str = "") -> Any:
    """One table cell as the user should read it."""
    if is_blank(value):
        return BLANK
    if isinstance(value, bool):
        return fmt_bool(value)
    if isinstance(value, Decimal):
        return fmt_money(value) if is_money_column(column) else fmt_qty(value)
    if isinstance(value, (datetime, pd.Timestamp)):
        return fmt_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return fmt_money(value) if is_money_column(column) else fmt_qty(value)
    if isinstance(value, str):
        if is_code_column(column) or _is_unit(column):
            return fmt_code(value, column)
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(fmt_value(v, column)) for v in value)
    return value


def is_code_column(column: str) -> bool:
    name = str(column).lower()
    return name in CODE_COLUMNS or name.endswith("_status") or name.endswith("_type")


def localized_name(row: dict | pd.Series, base: str = "item_name") -> str:
    """The Chinese name in the Chinese UI when there is one, else the name."""
    zh = row.get(f"{base}_zh") if hasattr(row, "get") else None
    if current_language() == "zh" and zh and not is_blank(zh):
        return str(zh)
    value = row.get(base)
    return BLANK if is_blank(value) else str(value)


NAME_PAIRS = (("item_name", "item_name_zh"), ("name", "name_zh"),
              ("warehouse_name", "warehouse_name_zh"), ("item", "item_zh"))


def _merge_localized_names(df: pd.DataFrame) -> pd.DataFrame:
    """Where a table carries both ``x`` and ``x_zh``, show one column in the user's
    language and drop the other."""
    for base, zh in NAME_PAIRS:
        if base in df.columns and zh in df.columns:
            if current_language() == "zh":
                df[base] = [z if isinstance(z, str) and z.strip() else b
                            for b, z in zip(df[base], df[zh])]
            df = df.drop(columns=[zh])
    return df


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every cell formatted for reading (text), names in the
    user's language. Figures stay Decimal in services and exports; this is display
    only."""
    shown = _merge_localized_names(df.copy())
    for column in shown.columns:
        shown[column] = [fmt_value(v, column) for v in shown[column]]
    return shown
