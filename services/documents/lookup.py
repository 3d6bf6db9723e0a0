"""Read helpers the printed documents need and the other services do not offer:
people's display names and item names in the reader's language."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from db import Database
from db.models import Item, User


def display_names(db: Database, usernames: Iterable[str | None]) -> dict[str, str]:
    """username -> the person's display name (the username when it has none)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    with db.read() as session:
        rows = session.execute(select(User.username, User.display_name)
                               .where(User.username.in_(wanted))).all()
    names = {username: (display or username) for username, display in rows}
    return {u: names.get(u, u) for u in wanted}


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
