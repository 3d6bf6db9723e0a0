"""Builders for test data. Users are inserted with one pre-computed password hash
(hashing is deliberately slow); everything else goes through the services."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache

from db import Database
from db.models import User, UserRole
from services import catalog, clock
from services.ledger import LedgerWriter
from services.users import _hasher

PASSWORD = "password123"
# username -> roles. Two of most roles so segregation-of-duty rules can be tested.
USERS = {
    "admin": ["admin"],
    "receiver": ["receiver"], "receiver2": ["receiver"],
    "keeper": ["keeper"], "keeper2": ["keeper"],
    "qc": ["qc"],
    "supervisor": ["supervisor"], "supervisor2": ["supervisor"],
    "purchasing": ["purchasing"], "purchasing2": ["purchasing"],
    "finance": ["finance"], "finance2": ["finance"],
    "manager": ["manager"],
}


@lru_cache(maxsize=1)
def password_hash() -> str:
    return _hasher.hash(PASSWORD)


def add_users(db: Database, users: dict[str, list[str]] = USERS) -> None:
    def work(session):
        for username, roles in users.items():
            user = User(username=username, display_name=username.title(),
                        password_hash=password_hash())
            user.roles = [UserRole(role=r) for r in roles]
            session.add(user)

    db.write(work)


@dataclass
class World:
    db: Database
    items: dict[str, dict] = field(default_factory=dict)


ITEMS = [
    dict(sku="OF-100", name="Oil filter", name_zh="机油滤清器", category="Filters", reorder_level=5),
    dict(sku="BP-200", name="Brake pad set", name_zh="刹车片", category="Brakes", reorder_level=4),
    dict(sku="CL-300", name="Coolant 4L", name_zh="冷却液", unit="bottle", category="Fluids",
         tracks_expiry=True, min_shelf_life_days=90, issue_policy="FEFO"),
    dict(sku="BT-400", name="Battery 12V 60Ah", name_zh="蓄电池", category="Electrical",
         requires_old_part=True),
    dict(sku="EN-500", name="Engine assembly 1.6L", name_zh="发动机总成", category="Assemblies",
         is_assembly=True, full_inspection=True),
]
LOCATIONS = [
    ("A-01-01", "A Parts", "storage", "MAIN"),
    ("A-01-02", "A Parts", "storage", "MAIN"),
    ("B-01-01", "B Fluids", "storage", "MAIN"),
    ("QUAR-01", "Q Quarantine", "quarantine", "MAIN"),
    ("HOLD-01", "D Defective", "hold", "MAIN"),
    ("W2-01-01", "W2 Parts", "storage", "WH2"),
]


def build_world(db: Database) -> World:
    add_users(db)
    catalog.create_warehouse(db, actor="admin", code="MAIN", name="Main warehouse", name_zh="总仓")
    catalog.create_warehouse(db, actor="admin", code="WH2", name="Second warehouse", name_zh="二仓")
    for code, zone, kind, house in LOCATIONS:
        catalog.create_location(db, actor="admin", code=code, zone=zone, kind=kind, warehouse=house)
    for item in ITEMS:
        catalog.create_item(db, actor="admin", **item)
    catalog.create_supplier(db, actor="admin", code="SUP1", name="Parts Co")
    catalog.create_supplier(db, actor="admin", code="SUP2", name="Other Parts Co")
    return World(db=db, items={i["sku"]: i for i in ITEMS})


def stock_lot(db: Database, sku: str, location: str, qty, unit_cost, *, lot_no="",
              received_at: datetime | None = None, expiry_date=None, status="available",
              doc_no: str = "TEST-OPENING") -> int:
    """Put a lot straight into stock through the ledger writer (test set-up only;
    real receipts go through services.receiving). Returns the lot id."""
    from sqlalchemy import select

    from db.models import Item, Location

    def work(session):
        item = session.scalar(select(Item).where(Item.sku == sku))
        loc = session.scalar(select(Location).where(Location.code == location))
        writer = LedgerWriter(session, "opening", doc_no, actor_id=None)
        lot = writer.receive(
            item_id=item.id, location_id=loc.id, qty=Decimal(qty), unit_cost=Decimal(unit_cost),
            lot_no=lot_no, expiry_date=expiry_date, status=status,
            received_at=received_at or clock.now(),
        )
        writer.flush()
        return lot.id

    return db.write(work)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
