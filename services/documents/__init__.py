"""Printed documents (PDF, A4): what people sign.

    render_pdf(db, *, kind, number, language="zh") -> bytes

kinds: ``grn`` (GRN number), ``supplier_return`` (return note number), ``issue``
(issue slip number), ``count_sheet`` ("ST-…/zone": the blind sheet of one zone, two
copies, never a book quantity), ``variance`` (stocktake number), ``monthly_summary``
("YYYY-MM"). Everything is printed in ``language`` ("zh" or "en"): statuses, reasons and
units in words, quantities without trailing zeros, money with two decimals, local
times, people's display names and item names in that language.

Adding a kind is one function in a module imported below::

    from services.documents.layout import Column, PdfDocument, Signer
    from services.documents.registry import register
    from services.documents.text import tr, qty, money, local_time

    @register("claim")
    def claim(db, number, language) -> PdfDocument:
        view = claims.get_claim(db, number)               # read through the services
        doc = PdfDocument(title=..., number=number, language=language, landscape=False)
        doc.fields([(label, value), ...])                 # header fields under the title
        doc.table([Column(label, width=2), Column(label, align="R")], rows,
                  totals=["", "12", "4,160.00"])          # header row repeats on every page
        doc.image(photo_bytes, width_mm=80, caption="…")  # photos
        doc.signoff([Signer(role, display_name, date)])   # kept on one page
        return doc

Layout (services.documents.layout): A4 portrait or landscape, 12 mm margins, running
header (title, number, copy label), footer with print time and "第 1 / 3 页" /
"Page 1 of 3" (``new_copy(label)`` restarts numbering for 一式二份), Noto Sans CJK
embedded (services.fonts), labels and enum words in services.documents.text.
"""
from __future__ import annotations

import importlib

from db import Database
from services.documents.text import LANGUAGES
from services.errors import ValidationError

__all__ = ["render_pdf", "kinds", "PdfDocument", "Column", "Signer", "register"]
# The PDF library and its font tools (tens of MB) load with the first document
# printed, not with every screen that offers a print button.
_KIND_MODULES = ("claim", "grn", "issue", "monthly", "stocktake")
_LAZY = {"Column": "layout", "PdfDocument": "layout", "Signer": "layout",
         "register": "registry", "BUILDERS": "registry"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f"services.documents.{_LAZY[name]}"), name)
    raise AttributeError(name)


def _builders() -> dict:
    for module in _KIND_MODULES:              # each registers its kind on import
        importlib.import_module(f"services.documents.{module}")
    from services.documents.registry import BUILDERS

    return BUILDERS


def kinds() -> list[str]:
    return sorted(_builders())


def render_pdf(db: Database, *, kind, number, language="zh", printed_by="") -> bytes:
    """The document ``number`` of ``kind`` as PDF bytes, printed in ``language``;
    ``printed_by`` (a display name) goes in the footer next to the print time."""
    builders = _builders()
    if kind not in builders:
        raise ValidationError("invalid_choice", field="kind", value=str(kind))
    if language not in LANGUAGES:
        raise ValidationError("invalid_choice", field="language", value=str(language))
    number = str(number or "").strip()
    if not number:
        raise ValidationError("required", field="number")
    document = builders[kind](db, number, language)
    document.printed_by = str(printed_by or "")
    return document.to_bytes()
