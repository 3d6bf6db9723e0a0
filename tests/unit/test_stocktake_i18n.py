"""Every stocktake error code and field has both translations, and the count sheet
we hand out is one the upload parser reads back."""
import re
from pathlib import Path

from services import stocktake as stk
from ui.i18n import catalogue, translate

SOURCE = "\n".join(path.read_text() for path in sorted(
    (Path(__file__).resolve().parents[2] / "services" / "stocktake").glob("*.py")))


def test_error_codes_and_fields_are_translated():
    codes = set(re.findall(r'(?:ValidationError|InvalidState|PermissionDenied|Duplicate)\(\s*"([a-z_]+)"', SOURCE))
    codes |= set(re.findall(r'fail\(row, "([a-z_]+)"', SOURCE))
    assert "recount_same_counter" in codes and "zone_recount_required" in codes
    fields = set(re.findall(r'field="([a-z_]+)"', SOURCE))
    fields |= set(re.findall(r'(?:clean_text|to_decimal)\([^,]+, "([a-z_]+)"', SOURCE))
    messages = catalogue()
    missing = [f"error.{c}" for c in codes if f"error.{c}" not in messages]
    missing += [f"field.{f}" for f in fields if f"field.{f}" not in messages]
    assert missing == []
    for key in [f"error.{c}" for c in codes] + [f"reason.{r}" for r in stk.VARIANCE_REASONS]:
        english, chinese = messages[key]
        assert english and chinese and english != chinese


def test_downloaded_sheet_headers_are_accepted_on_upload():
    for lang in ("en", "zh"):
        for column, name in (("location", "location"), ("sku", "sku"), ("counted_qty", "qty")):
            assert translate(f"stcol.{column}", lang).lower() in stk.SHEET_HEADERS[name]
