"""Translation lookup: ``t("key", **params)`` in the user's language."""
from __future__ import annotations

import string
from functools import lru_cache

from services.errors import ServiceError
from ui.locale import load_catalogue

LANGUAGES = {"en": "English", "zh": "简体中文"}
_INDEX = {"en": 0, "zh": 1}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, tuple[str, str]]:
    return load_catalogue()


def current_language() -> str:
    try:
        import streamlit as st

        return st.session_state.get("lang", "en")
    except Exception:  # outside a Streamlit run (e.g. unit tests)
        return "en"


class _SafeParams(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def translate(key: str, lang: str | None = None, **params) -> str:
    lang = lang or current_language()
    pair = catalogue().get(key)
    if pair is None:
        return key
    text = pair[_INDEX.get(lang, 0)]
    if not params:
        return text
    return string.Formatter().vformat(text, (), _SafeParams(params))


t = translate


def has(key: str) -> bool:
    return key in catalogue()


def field_label(field: str, lang: str | None = None) -> str:
    key = f"field.{field}"
    return translate(key, lang) if has(key) else field


def error_text(exc: ServiceError, lang: str | None = None) -> str:
    """A translated sentence for a service error; field names are translated too."""
    params = dict(exc.params)
    if "field" in params:
        params["field"] = ", ".join(field_label(f.strip(), lang) for f in str(params["field"]).split(","))
    if has(f"limit.{params.get('limit')}"):       # upload budgets name their limit
        params["limit"] = translate(f"limit.{params['limit']}", lang)
    key = f"error.{exc.code}"
    if not has(key):
        key = f"error.{type(exc).code}"
    text = translate(key, lang, **params)
    if "row" in params and "{row}" not in catalogue().get(key, ("", ""))[0]:
        text = translate("error.at_row", lang, row=params["row"], message=text)
    return text
