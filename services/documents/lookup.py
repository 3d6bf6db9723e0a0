"""Read helpers of printed documents: people's display names (services.users) and
item names in the reader's language."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from db import Database
from db.models import Item
from services.users import display_names  # noqa: F401  (re-exported)


def item_names(db: Database, skus: Iterable[str], language: str) -> dict[str, tuple[str, str]]:
    """sku -> (name in ``language``, stock unit): the Chinese name where one exists."""
    wanted = {s for s in skus if s}
    if not wanted:
        return {}
    with db.read() as session:
        rows = session.execute(select(Item.sku, Item.name, Item.name_zh, Item.unit)
                               .where(Item.sku.in_(wanted))).all()
    return {sku: ((name_zh if language == "zh" and name_zh else name), unit)
            for sku, name, name_zh, unit in rows}
