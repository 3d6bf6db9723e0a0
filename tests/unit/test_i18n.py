"""Every visible string and every service error has an English and a Chinese text."""
import re
from pathlib import Path

import pytest

from services.errors import ServiceError, ValidationError
from ui.i18n import catalogue, error_text, translate

ROOT = Path(__file__).resolve().parents[2]
T_CALL = re.compile(r"""\bt\(\s*["']([a-z_]+\.[\w.]*\w)["']\s*[,)]""")
ERROR_CODE = re.compile(
    r"""\b(?:ValidationError|PermissionDenied|NotFound|Duplicate|InsufficientStock|StockFrozen|"""
    r"""ApprovalRequired|InvalidState|ServiceError)\(\s*["']([a-z_]+)["']""")


def _sources(*folders):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")
    yield ROOT / "app.py"


def test_every_message_has_both_languages():
    for key, (en, zh) in catalogue().items():
        assert en.strip() and zh.strip(), key
        fields = re.compile(r"{(\w+)(?:[:!][^}]*)?}")
        assert set(fields.findall(en)) == set(fields.findall(zh)), key


def test_every_literal_key_used_in_the_ui_exists():
    missing = {
        (path.name, key)
        for path in _sources("pages", "ui")
        for key in T_CALL.findall(path.read_text(encoding="utf-8"))
        if key not in catalogue()
    }
    assert not missing, sorted(missing)


def test_every_error_code_raised_by_services_is_translated():
    codes = {code for path in _sources("services", "domain")
             for code in ERROR_CODE.findall(path.read_text(encoding="utf-8"))}
    codes |= {cls.code for cls in _all_subclasses(ServiceError)}
    missing = sorted(c for c in codes if f"error.{c}" not in catalogue())
    assert not missing, missing


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


@pytest.mark.parametrize("lang, expected", [
    ("en", "Row 7: Reorder level cannot be negative."),
    ("zh", "第 7 行：储备定额 不能为负数。"),
])
def test_error_text_names_row_and_field(lang, expected):
    exc = ValidationError("must_not_be_negative", field="reorder_level", row=7, value="-1")
    assert error_text(exc, lang) == expected


def test_missing_params_do_not_crash():
    assert translate("error.insufficient_stock", "en", sku="X") .startswith("Not enough stock of X")
