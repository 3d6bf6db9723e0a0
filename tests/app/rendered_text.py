"""Everything a person can read on an AppTest screen, and the checks for raw values."""
from __future__ import annotations

import re

import pandas as pd

TEXT_ATTRS = ("value", "label", "body", "help", "placeholder", "caption", "delta")
OPTION_ATTRS = ("options",)
# Raw values that must never reach a screen.
RAW_PATTERNS = {
    "None": re.compile(r"(?<![\w-])None(?![\w-])"),
    "nan": re.compile(r"(?<![\w-])(nan|NaN|NaT)(?![\w-])"),
    "ISO offset": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}:\d{2}"),
    # two decimals are money; three or more ending in 0 are an unnormalised quantity
    "trailing zeros": re.compile(r"(?<![\d.])-?\d[\d,]*\.\d{2,}0(?!\d)"),
    "4+ decimals": re.compile(r"(?<![\d.])-?\d[\d,]*\.\d{4,}(?!\d)"),
    "supplier code": re.compile(r"\bSUP-[A-Z]{3}\b(?!-)"),
}
# Codes that must be shown translated in both languages (whole cells / labels only).
RAW_CODES = {"issue", "GRN", "outstanding", "rejected", "receiving", "available",
             "quarantine", "hold", "submitted", "reviewed", "approved", "posted",
             "open", "cancelled", "draft", "partially_received", "receipt", "transfer",
             "stocktake_gain", "stocktake_loss", "return", "True", "False"}
# English words that must not be left in the Chinese UI.
ENGLISH_IN_ZH = ("pcs", "set", "bottle", "available", "issue", "outstanding", "receiving",
                 "rejected", "True", "False", "Upload", "None", "Checking", "Posted")
ENGLISH_WORD = re.compile(r"(?<![A-Za-z])({})(?![A-Za-z])".format("|".join(ENGLISH_IN_ZH)))


# Master data that records a unit's spellings (its code, English name and the ways
# sheets write it) shows them as data, in both languages: those columns are not
# screen text to translate.
MASTER_SPELLINGS = {"代码", "英文名称", "其他写法（逗号分隔）"}

# Fields hold what the user typed; choice widgets hold the raw value behind the shown
# option (the options themselves are checked as shown).
EDITABLE = {"text_input", "text_area", "number_input", "selectbox", "multiselect", "radio",
            "select_slider", "segmented_control", "pills"}


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def texts(at) -> list[tuple[str, str]]:
    """(element type, text) for every readable string on the screen."""
    found: list[tuple[str, str]] = []
    for node in walk(at._tree):
        kind = getattr(node, "type", "")
        for attr in TEXT_ATTRS + OPTION_ATTRS:
            if attr == "value" and kind in EDITABLE:     # what the user typed is theirs
                continue
            try:
                value = getattr(node, attr)
            except Exception:  # noqa: BLE001 - not every element has every attribute
                continue
            if isinstance(value, pd.DataFrame):
                found += [(f"{kind}.header", str(c)) for c in value.columns]
                value = value.drop(columns=[c for c in value.columns if c in MASTER_SPELLINGS])
                found += [(f"{kind}.cell", str(v)) for v in value.astype(object).to_numpy().ravel()
                          if v is not None and not (isinstance(v, float) and v != v)]
                found += [(f"{kind}.cell", "nan") for v in value.astype(object).to_numpy().ravel()
                          if v is None or (isinstance(v, float) and v != v)]
            elif isinstance(value, str):
                found.append((kind, value))
            elif isinstance(value, (list, tuple)) and attr in OPTION_ATTRS:
                found += [(f"{kind}.option", str(v)) for v in value]
    return found


def problems(at, lang: str) -> list[str]:
    found = []
    for kind, text in texts(at):
        for name, pattern in RAW_PATTERNS.items():
            if pattern.search(text):
                found.append(f"{name}: {kind} {text[:120]!r}")
        if text.strip() in RAW_CODES and not kind.endswith("header"):
            found.append(f"raw code: {kind} {text!r}")
        if lang == "zh" and ENGLISH_WORD.search(text):
            found.append(f"English in zh: {kind} {text[:120]!r}")
    return found
