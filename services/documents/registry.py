"""Which function prints which kind of document."""
from __future__ import annotations

from typing import Callable

from db import Database
from services.documents.layout import PdfDocument

# kind -> builder(db, number, language) returning the filled-in document
Builder = Callable[[Database, str, str], PdfDocument]
BUILDERS: dict[str, Builder] = {}


def register(kind: str) -> Callable[[Builder], Builder]:
    """Decorator: ``@register("claim")`` on ``def claim(db, number, language)``."""
    def add(builder: Builder) -> Builder:
        BUILDERS[kind] = builder
        return builder
    return add
