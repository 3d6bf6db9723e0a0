"""Altair charts for the dashboard and the reports. Services hand over Decimal;
charts need plain numbers, so the conversion to float happens here and only here."""
from __future__ import annotations

import re
from decimal import Decimal

import altair as alt
import pandas as pd

from ui.i18n import current_language, t

IN_COLOR = "#2e7d32"
OUT_COLOR = "#c62828"


def _number(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, Decimal):
        return float(value)
    return float(value)


def numeric(df: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with ``columns`` as floats (for plotting only)."""
    out = df.copy()
    for column in columns:
        out[column] = [_number(v) for v in out[column]]
    return out


def value_by_category(df: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: stock value per category (df: category, qty, value)."""
    data = numeric(df, ["value", "qty"])
    data["category"] = [c or t("rep.no_category") for c in data["category"]]
    return (
        alt.Chart(data)
        .mark_bar(color="#1565c0")
        .encode(
            x=alt.X("value:Q", title=t("rcol.value")),
            y=alt.Y("category:N", sort="-x", title=t("rcol.category")),
            tooltip=[alt.Tooltip("category:N", title=t("rcol.category")),
                     alt.Tooltip("value:Q", title=t("rcol.value"), format=",.2f"),
                     alt.Tooltip("qty:Q", title=t("rcol.qty"), format=",.3f")],
        )
        .properties(height=max(120, 28 * len(data)))
    )


def in_out_trend(df: pd.DataFrame, measure: str = "value") -> alt.Chart:
    """Grouped bars of inbound and outbound per period (df: movement_trend frame)."""
    data = numeric(df, [f"in_{measure}", f"out_{measure}"])
    long = pd.DataFrame({
        "period": list(data["period"]) * 2,
        "direction": [t("rep.inbound")] * len(data) + [t("rep.outbound")] * len(data),
        "amount": list(data[f"in_{measure}"]) + list(data[f"out_{measure}"]),
    })
    title = t("rcol.value") if measure == "value" else t("rcol.qty")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=t("common.period"), sort=None),
            xOffset="direction:N",
            y=alt.Y("amount:Q", title=title),
            color=alt.Color("direction:N", title="",
                            scale=alt.Scale(range=[IN_COLOR, OUT_COLOR])),
            tooltip=[alt.Tooltip("period:N", title=t("common.period")),
                     alt.Tooltip("direction:N", title=""),
                     alt.Tooltip("amount:Q", title=title, format=",.2f")],
        )
        .properties(height=260)
    )


def ageing_bars(df: pd.DataFrame) -> alt.Chart:
    """Stock value per age bucket (df: bucket, lots, qty, value)."""
    data = numeric(df, ["value", "qty"])
    return (
        alt.Chart(data)
        .mark_bar(color="#6d4c41")
        .encode(
            x=alt.X("bucket:N", title=t("rcol.age_bucket"), sort=list(data["bucket"])),
            y=alt.Y("value:Q", title=t("rcol.value")),
            tooltip=[alt.Tooltip("bucket:N", title=t("rcol.age_bucket")),
                     alt.Tooltip("lots:Q", title=t("rcol.lots")),
                     alt.Tooltip("value:Q", title=t("rcol.value"), format=",.2f")],
        )
        .properties(height=240)
    )


def expiry_bars(df: pd.DataFrame) -> alt.Chart:
    """Value expiring per band (df: expiring frame)."""
    data = numeric(df, ["value"])
    grouped = data.groupby("bucket", as_index=False)["value"].sum()
    grouped["label"] = [t(f"rep.expiry.{b}") for b in grouped["bucket"]]
    order = [t(f"rep.expiry.{b}") for b in ("expired", "<=30", "<=60", "<=90", ">90")]
    return (
        alt.Chart(grouped)
        .mark_bar(color="#ef6c00")
        .encode(
            x=alt.X("label:N", title=t("rcol.bucket"), sort=order),
            y=alt.Y("value:Q", title=t("rcol.value")),
            tooltip=[alt.Tooltip("label:N", title=t("rcol.bucket")),
                     alt.Tooltip("value:Q", title=t("rcol.value"), format=",.2f")],
        )
        .properties(height=220)
    )


_CJK = re.compile(r"[\u3400-\u9fff]")


def supplier_label(name: str, lang: str | None = None) -> str:
    """A supplier's name short enough for a chart axis, in the user's language: names
    are kept as "Bosch Automotive Aftermarket (China) 博世汽车售后", so the Chinese
    screen takes the Chinese part and the English one the part before it."""
    name = str(name or "")
    cut = _CJK.search(name)
    if cut is None:
        return name[:24]
    if (lang or current_language()) == "zh":
        return name[cut.start():].strip()[:12]
    return (name[:cut.start()].strip() or name)[:24]


def supplier_rates(df: pd.DataFrame) -> alt.Chart:
    """On-time rate per supplier (df: supplier_performance frame)."""
    data = numeric(df, ["on_time_rate"])
    data["label"] = [supplier_label(n) for n in data["name"]]
    return (
        alt.Chart(data)
        .mark_bar(color="#00897b")
        .encode(
            x=alt.X("on_time_rate:Q", title=t("rcol.on_time_rate"),
                    axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("label:N", sort="-x", title=t("rcol.supplier")),
            tooltip=[alt.Tooltip("label:N", title=t("rcol.supplier")),
                     alt.Tooltip("name:N", title=t("rcol.name")),
                     alt.Tooltip("on_time_rate:Q", title=t("rcol.on_time_rate"), format=".1%"),
                     alt.Tooltip("deliveries:Q", title=t("rcol.deliveries"))],
        )
        .properties(height=max(120, 40 * len(data)))      # every supplier's label shows
    )


def supplier_problem_rates(df: pd.DataFrame) -> alt.Chart:
    """Short / damaged / rejected rates per supplier, grouped bars."""
    data = numeric(df, ["short_rate", "damaged_rate", "rejected_rate"])
    names = {"short_rate": t("rcol.short_rate"), "damaged_rate": t("rcol.damaged_rate"),
             "rejected_rate": t("rcol.rejected_rate")}
    long = pd.DataFrame({
        "supplier": [supplier_label(n) for n in data["name"] for _ in names],
        "measure": [names[m] for _ in data["supplier"] for m in names],
        "rate": [data.loc[i, m] for i in data.index for m in names],
    })
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("supplier:N", title=t("rcol.supplier")),
            xOffset="measure:N",
            y=alt.Y("rate:Q", title="", axis=alt.Axis(format=".0%"),
                    scale=alt.Scale(domainMin=0, domainMax=max(0.05, float(long["rate"].max())))),
            color=alt.Color("measure:N", title=""),
            tooltip=[alt.Tooltip("supplier:N", title=t("rcol.supplier")),
                     alt.Tooltip("measure:N", title=""),
                     alt.Tooltip("rate:Q", title="", format=".1%")],
        )
        .properties(height=240)
    )
