"""How a stocktake is named in a picker (stocktake and variance review pages)."""
from __future__ import annotations

from ui.i18n import t


def option_label(row: dict) -> str:
    """'ST-… · 2026-11 · Open', and the warehouse when the count covers only one."""
    label = t("stocktake.option", number=row["number"], period=row["period"],
              status=t("ststatus." + row["status"]))
    return f"{label} · {row['warehouse']}" if row.get("warehouse") else label
