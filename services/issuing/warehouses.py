"""Which warehouse an issue leaves from, and what other warehouses hold.

Stock leaves from one warehouse: the one chosen on the screen, else the actor's
home warehouse, else the only warehouse holding the items. FIFO/FEFO runs within
it; another warehouse's stock is reported ("available at East branch: 4", a
transfer away), never taken."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import User, Warehouse
from domain.allocation import available_qty
from services.common import clean_code
from services.errors import NotFound, ValidationError


@dataclass(frozen=True)
class Elsewhere:
    """Stock of a line's item another warehouse could issue."""

    warehouse: str
    name: str
    name_zh: str
    qty: Decimal


def clean_warehouse(value) -> str | None:
    return clean_code(value, "warehouse", max_len=20, required=False) or None


def choose_warehouse(session: Session, code: str | None, username: str | None,
                     warehouse_ids) -> int | None:
    """The id of the warehouse to issue from: ``code``, else the user's home
    warehouse, else the only one among ``warehouse_ids`` (those holding the items;
    None when none does, so nothing can be taken anyway)."""
    if code:
        found = session.scalar(select(Warehouse.id).where(Warehouse.code == code))
        if found is None:
            raise NotFound(what="warehouse", key=code)
        return found
    if username:
        home = session.scalar(select(User.home_warehouse_id).where(User.username == username))
        if home is not None:
            return home
    holding = set(warehouse_ids)
    if len(holding) > 1:
        raise ValidationError("warehouse_required", field="warehouse")
    return next(iter(holding), None)


def split_lots(lots: dict[int, list], warehouse_id: int | None, house_of) -> tuple[dict, dict]:
    """``lots`` (per item) into those of the chosen warehouse and the others;
    ``house_of(lot)`` gives a lot's warehouse id."""
    mine, others = defaultdict(list), defaultdict(list)
    for item_id, rows in lots.items():
        for row in rows:
            (mine if house_of(row) == warehouse_id else others)[item_id].append(row)
    return mine, others


def elsewhere(session: Session, rows: list, house_of, as_stock, *, today, source
              ) -> tuple[Elsewhere, ...]:
    """Issuable stock of one item per other warehouse, largest first."""
    by_house = defaultdict(list)
    for row in rows:
        by_house[house_of(row)].append(as_stock(row))
    if not by_house:
        return ()
    houses = {h.id: h for h in session.scalars(
        select(Warehouse).where(Warehouse.id.in_(list(by_house))))}
    found = [Elsewhere(houses[h].code, houses[h].name, houses[h].name_zh,
                       available_qty(stocks, today=today, source=source))
             for h, stocks in by_house.items()]
    return tuple(sorted((e for e in found if e.qty > 0), key=lambda e: (-e.qty, e.warehouse)))


def describe(places: tuple[Elsewhere, ...]) -> str:
    """"WH2: 4, EAST: 1" for an error message."""
    from services.issuing.common import plain

    return ", ".join(f"{e.warehouse}: {plain(e.qty)}" for e in places)
