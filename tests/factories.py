"""Builders for test data. Users are inserted with one pre-computed password hash
(hashing is deliberately slow); everything else goes through the services."""
from __future__ import annotations

import itertools
import uuid
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
    dict(sku="BP-200", name="Brake pad set", name_zh="刹车片", unit="set", category="Brakes",
         reorder_level=4),
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


# --- stocktake --------------------------------------------------------------
# The seed's six stocktake zones (成品区, 辅料区, 成品待检区, 次品区, 台面辅料区, 样板区),
# two bins each.
STOCKTAKE_ZONES = [
    ("FG Finished goods", "storage", ("FG-01", "FG-02")),
    ("AX Auxiliary", "storage", ("AX-01", "AX-02")),
    ("FQ Goods quarantine", "quarantine", ("FQ-01", "FQ-02")),
    ("DF Defective", "hold", ("DF-01", "DF-02")),
    ("CT Counter materials", "storage", ("CT-01", "CT-02")),
    ("SM Samples", "storage", ("SM-01", "SM-02")),
]


def build_stocktake_world(db: Database) -> World:
    """The standard world plus the seed's six zones, each bin holding stock: every
    item in every storage bin (two lots at different costs in the first bin of a
    zone), one lot per item in quarantine and hold bins."""
    world = build_world(db)
    for zone, kind, codes in STOCKTAKE_ZONES:
        for code in codes:
            catalog.create_location(db, actor="admin", code=code, zone=zone, kind=kind)
    status = {"storage": "available", "quarantine": "quarantine", "hold": "hold"}
    day = 1
    for zone, kind, codes in STOCKTAKE_ZONES:
        for position, code in enumerate(codes):
            for index, item in enumerate(ITEMS):
                base = Decimal(10 + index * 5)
                stock_lot(db, item["sku"], code, 4 + index, base, lot_no=f"{code}-L1",
                          received_at=utc(2026, 1, day % 28 + 1, 8), status=status[kind])
                if kind == "storage" and position == 0:
                    stock_lot(db, item["sku"], code, 3, base + 2, lot_no=f"{code}-L2",
                              received_at=utc(2026, 2, day % 28 + 1, 8), status=status[kind])
                day += 1
    return world


# --- reports scenario ------------------------------------------------------------
REPORT_TZ = "Asia/Shanghai"


def post_movement(db: Database, sku: str, location: str, qty, movement_type: str, *,
                  doc_type: str = "stocktake", doc_no: str = "ST-TEST", actor: str | None = None,
                  lot_id: int | None = None) -> None:
    """Put ``qty`` (> 0) into, or take ``-qty`` out of, an existing lot of ``sku`` at
    ``location`` through the ledger writer (e.g. a stocktake gain or loss)."""
    from sqlalchemy import select

    from db.models import Item, Location, Lot, User

    def work(session):
        item = session.scalar(select(Item).where(Item.sku == sku))
        loc = session.scalar(select(Location).where(Location.code == location))
        lot = session.get(Lot, lot_id) if lot_id else session.scalar(
            select(Lot).where(Lot.item_id == item.id, Lot.location_id == loc.id)
            .order_by(Lot.received_at, Lot.id).limit(1))
        user_id = session.scalar(select(User.id).where(User.username == actor)) if actor else None
        writer = LedgerWriter(session, doc_type, doc_no, actor_id=user_id)
        amount = Decimal(qty)
        if amount >= 0:
            writer.put(lot, amount, movement_type)
        else:
            writer.take(lot, -amount, movement_type)
        writer.flush()

    db.write(work)


def report_scenario(db: Database) -> dict:
    """A small two-month history for the reports (times are UTC; with
    WAREHOUSE_TZ=Asia/Shanghai the BP-200 receipt of 31 Jan 17:30 UTC is 1 Feb local).

    January 2026, OF-100: receive 10 @ 2.50 and 5 @ 3.00 into A-01-01; issue 12
    (FIFO: 10 @ 2.50 + 2 @ 3.00 = 31.00); return 2 (to the 3.00 lot, 6.00); transfer 3
    to A-01-02. February: BP-200 4 @ 20.00 received (1 Feb local), OF-100 stocktake
    loss of 1 at A-01-02 (3.00), BP-200 issue 1 (20.00). Returns the document numbers."""
    from services import issuing

    docs = {}
    clock.set_now(utc(2026, 1, 5, 2))
    stock_lot(db, "OF-100", "A-01-01", 10, "2.50", lot_no="L1", doc_no="GRN-T-1")
    clock.set_now(utc(2026, 1, 10, 2))
    stock_lot(db, "OF-100", "A-01-01", 5, "3.00", lot_no="L2", doc_no="GRN-T-2")
    clock.set_now(utc(2026, 1, 15, 2))
    docs["issue"] = issuing.issue_stock(
        db, actor="keeper", lines=[{"sku": "OF-100", "qty": 12}], requested_by="Workshop").number
    clock.set_now(utc(2026, 1, 20, 2))
    docs["return"] = issuing.return_to_stock(
        db, actor="keeper", issue_number=docs["issue"], sku="OF-100", qty=2).number
    clock.set_now(utc(2026, 1, 25, 2))
    docs["transfer"] = issuing.transfer(
        db, actor="keeper", sku="OF-100", qty=3, from_location="A-01-01",
        to_location="A-01-02").number
    clock.set_now(utc(2026, 1, 31, 17, 30))
    stock_lot(db, "BP-200", "A-01-02", 4, "20.00", lot_no="B1", doc_no="GRN-T-3")
    clock.set_now(utc(2026, 2, 10, 2))
    post_movement(db, "OF-100", "A-01-02", -1, "stocktake_loss", doc_no="LOSS-T-1",
                  actor="finance")
    clock.set_now(utc(2026, 2, 12, 2))
    docs["issue2"] = issuing.issue_stock(
        db, actor="keeper", lines=[{"sku": "BP-200", "qty": 1}], requested_by="Workshop").number
    return docs


def make_approved_po(db: Database, lines=None, *, supplier: str = "SUP1", number=None,
                     due_date=None, created_by: str = "purchasing",
                     approved_by: str = "manager") -> str:
    """A PO created by purchasing and approved by someone else (receiving tests).
    ``lines``: [(sku, qty, unit_price)]; default OF-100 x10 @ 25."""
    from services import purchasing

    lines = lines or [("OF-100", 10, "25")]
    po = purchasing.create_purchase_order(
        db, actor=created_by, supplier=supplier, number=number, due_date=due_date,
        lines=[{"sku": sku, "qty": qty, "unit_price": price} for sku, qty, price in lines])
    purchasing.approve_purchase_order(db, actor=approved_by, number=po)
    return po


# --- whole documents through the services (hardening tests) ------------------------
_SEQUENCE = itertools.count(1)
_PROCESS = uuid.uuid4().hex[:5].upper()


def unique(prefix: str) -> str:
    """A name never used before, even by another test process writing to the same
    database (delivery notes, codes …)."""
    return f"{prefix}{_PROCESS}{next(_SEQUENCE)}"


def open_receipt(db: Database, lines, *, receiver: str = "receiver", note_no: str | None = None,
                 note_prices: bool = False) -> str:
    """An approved PO for ``lines`` [(sku, qty, unit_price)] and a receipt started
    against it (not counted yet). With ``note_prices`` the note repeats the prices."""
    from services import receiving

    po = make_approved_po(db, lines)
    return receiving.start_receipt(
        db, actor=receiver, po_number=po, delivery_note_no=note_no or unique("DN-"),
        lines=[{"sku": sku, "qty": qty, **({"unit_price": price} if note_prices else {})}
               for sku, qty, price in lines])


def count_receipt(db: Database, grn: str, *, location: str = "A-01-01",
                  receiver: str = "receiver", counted: dict | None = None,
                  damaged: dict | None = None) -> None:
    """Count every line of an open receipt (``counted``/``damaged`` by line no.,
    default: the note quantity, nothing damaged), with a lot no., an expiry a year
    ahead for expiry-tracked items and a certificate for assemblies."""
    from datetime import timedelta

    from sqlalchemy import select

    from db.models import Item
    from services import receiving

    view = receiving.get_receipt(db, grn)
    with db.read() as session:
        items = {i.sku: i for i in session.scalars(
            select(Item).where(Item.sku.in_([ln.sku for ln in view.lines])))}
    counts = []
    for ln in view.lines:
        item = items.get(ln.sku)
        counts.append({
            "line_no": ln.line_no,
            "counted_qty": (counted or {}).get(ln.line_no, ln.note_qty),
            "damaged_qty": (damaged or {}).get(ln.line_no, 0),
            "lot_no": ln.lot_no or unique("LOT-"),
            "expiry_date": clock.today() + timedelta(days=400)
            if item is not None and item.tracks_expiry else None,
            "certificate": "CERT-1" if item is not None and item.is_assembly else None,
            "location": location,
        })
    receiving.record_counts(db, actor=receiver, receipt=grn, counts=counts)


def receive_goods(db: Database, lines, *, location: str = "A-01-01", receiver: str = "receiver",
                  checker: str = "keeper", counted: dict | None = None,
                  damaged: dict | None = None) -> str:
    """PO -> receipt -> counts -> posted with a co-signer. Returns the GRN number."""
    from services import receiving

    grn = open_receipt(db, lines, receiver=receiver)
    count_receipt(db, grn, location=location, receiver=receiver, counted=counted,
                  damaged=damaged)
    receiving.post_receipt(db, actor=receiver, receipt=grn, checked_by=checker,
                           checker_password=PASSWORD)
    return grn


def stocktake_to_approval(db: Database, zones, *, period: str, counts: dict | None = None,
                          counter: str = "keeper", spot: str = "finance2",
                          reviewer: str = "finance2", until: str = "approved") -> str:
    """Open a stocktake of ``zones`` and take it to ``until`` (open, counted,
    submitted, reviewed or approved): every sheet line counted by ``counter`` at
    ``counts[(sku, location)]`` (default: the book), every line spot-checked by
    ``spot`` at the same figure, variances explained by the supervisor. Posting is
    left to the caller (finance, not the approver)."""
    from sqlalchemy import select

    from db.models import Item, Location, Stocktake, StocktakeLine
    from services import stocktake as st

    number = st.open_stocktake(db, actor="supervisor", period=period, zones=list(zones))
    if until == "open":
        return number
    with db.read() as session:
        book = {(sku, code): qty for sku, code, qty in session.execute(
            select(Item.sku, Location.code, StocktakeLine.book_qty)
            .join(Item, Item.id == StocktakeLine.item_id)
            .join(Location, Location.id == StocktakeLine.location_id)
            .join(Stocktake, Stocktake.id == StocktakeLine.stocktake_id)
            .where(Stocktake.number == number))}
    figures = {key: Decimal((counts or {}).get(key, qty)) for key, qty in book.items()}
    rows = [{"sku": s, "location": loc, "qty": q} for (s, loc), q in sorted(figures.items())]
    if rows:
        st.record_counts(db, actor=counter, stocktake=number, round="initial", counts=rows)
        st.record_counts(db, actor=spot, stocktake=number, round="spot", counts=rows)
    reasons = [{"sku": s, "location": loc, "reason": "counting_error"}
               for (s, loc), q in sorted(figures.items()) if q != book[(s, loc)]]
    if reasons:
        st.set_reasons(db, actor="supervisor", stocktake=number, reasons=reasons)
    if until == "counted":
        return number
    st.submit(db, actor="supervisor", stocktake=number)
    if until == "submitted":
        return number
    st.review(db, actor=reviewer, stocktake=number)
    if until == "reviewed":
        return number
    st.approve(db, actor="manager", stocktake=number)
    return number


def every_row(db: Database) -> dict[str, list]:
    """Every row of every table, sorted: equal before and after means nothing was
    written (the test databases are small). Login throttling's counters are left
    out: a refused action that checked a co-signer's password counts that check."""
    from sqlalchemy import select

    from db.models import Base

    with db.engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)).all()))
                for t in Base.metadata.sorted_tables if t.name != "login_throttle"}
