"""Migration 0003 (units): a database of the previous release (schema 0001) with stock,
a posted receipt and purchase orders in it upgrades and keeps working."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from db import open_database
from db.database import create_db_engine
from db.migrate import alembic_config
from db.models import Base, ItemPackUnit, UnitOfMeasure
from services import catalog, issuing, purchasing, receiving, reports, units
from tests.conftest import PG_URL
from tests.factories import password_hash

AT = datetime(2026, 10, 5, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'release1.db'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    server = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"wh_migr_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables_at(conn) -> dict[str, Table]:
    """The tables as they are in this database, typed like the models (scaled
    decimals on SQLite), without the columns later migrations add."""
    inspector, meta = inspect(conn), MetaData()
    tables = {}
    for name in inspector.get_table_names():
        if name not in Base.metadata.tables:
            continue
        present = {c["name"] for c in inspector.get_columns(name)}
        tables[name] = Table(name, meta, *[c._copy() for c in Base.metadata.tables[name].c
                                            if c.name in present])
    return tables


def _release1_database(url: str) -> None:
    """Schema 0001 filled as the previous release left it: users, master data, an
    approved PO received in full by a posted receipt, its lot in stock, an open PO."""
    engine = create_db_engine(url)
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        t = _tables_at(conn)
        assert "unit_of_measure" not in t and "unit" not in t["receipt_line"].c

        def add(table, **values):
            return conn.execute(t[table].insert().values(**values)).inserted_primary_key[0]

        for username, role in (("admin", "admin"), ("keeper", "keeper"),
                               ("purchasing", "purchasing")):
            user = add("app_user", username=username, password_hash=password_hash(),
                       display_name=username, language="zh")
            add("user_role", user_id=user, role=role)
        house = add("warehouse", code="MAIN", name="Main", name_zh="总仓")
        bin_ = add("location", warehouse_id=house, code="A-01", zone="A", kind="storage")
        supplier = add("supplier", code="SUP1", name="Parts Co")
        filter_ = add("item", sku="OF-100", name="Oil filter", name_zh="机油滤清器", unit="pcs")
        add("item", sku="CL-300", name="Coolant", name_zh="冷却液", unit="瓶")
        add("item", sku="HS-700", name="Hose", name_zh="软管", unit="卷盘")
        order = add("purchase_order", number="PO-OLD", supplier_id=supplier,
                    status="received", created_by="purchasing", created_at=AT,
                    approved_by="admin", approved_at=AT)
        po_line = add("purchase_order_line", order_id=order, line_no=1, item_id=filter_,
                      qty_ordered=Decimal(10), qty_received=Decimal(10),
                      unit_price=Decimal("8.5"))
        add("purchase_order", number="PO-OPEN", supplier_id=supplier, status="approved",
            created_by="purchasing", created_at=AT, approved_by="admin", approved_at=AT)
        receipt = add("receipt", number="GRN-OLD", order_id=order, supplier_id=supplier,
                      delivery_note_no="DN-1", status="posted", arrived_at=AT,
                      started_by="keeper", started_at=AT, posted_at=AT,
                      received_by="keeper", checked_by="admin")
        lot = add("lot", item_id=filter_, location_id=bin_, lot_no="L1", received_at=AT,
                  unit_cost=Decimal("8.5"), qty_received=Decimal(10), qty_on_hand=Decimal(10),
                  status="available", supplier_id=supplier, receipt_number="GRN-OLD")
        add("receipt_line", receipt_id=receipt, line_no=1, sku="OF-100", item_id=filter_,
            po_line_id=po_line, note_qty=Decimal(10), unit_price=Decimal("8.5"),
            counted_qty=Decimal(10), accepted_qty=Decimal(10), rejected_qty=Decimal(0),
            flags=[], lot_id=lot, location_id=bin_, counted_by="keeper", counted_at=AT)
        add("movement", at=AT, type="receipt", item_id=filter_, lot_id=lot, location_id=bin_,
            qty=Decimal(10), unit_cost=Decimal("8.5"), value=Decimal(85),
            doc_type="receipt", doc_no="GRN-OLD")
        add("stock_balance", item_id=filter_, location_id=bin_, qty=Decimal(10),
            value=Decimal(85))
    engine.dispose()


def test_a_release1_database_upgrades_and_keeps_working(empty_url):
    _release1_database(empty_url)
    db = open_database(empty_url)          # upgrades to the newest schema
    try:
        with db.read() as session:
            assert session.scalars(select(ItemPackUnit)).all() == []
            own = [(u.code, u.name_en, u.name_zh) for u in session.scalars(select(UnitOfMeasure))]
        assert own == [("卷盘", "卷盘", "卷盘")]      # the one unit not among the standard ones
        assert catalog.get_item(db, "CL-300")["unit"] == "瓶"       # the stock unit, unchanged
        assert units.unit_name(db, "瓶", "en") == "bottle"
        assert units.unit_name(db, "pcs", "zh") == "个"

        old = purchasing.get_purchase_order(db, "PO-OLD").lines[0]
        assert (old.order_unit, old.ordered, old.amount) == (None, Decimal(10), Decimal(85))
        line = receiving.get_receipt(db, "GRN-OLD").lines[0]
        assert (line.note_qty, line.accepted_qty) == (Decimal(10), Decimal(10))
        assert reports.check_consistency(db) == []

        issued = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 3}],
                                     requested_by="workshop")
        assert issued.total_cost == Decimal("25.5")
        stock = reports.stock_on_hand(db, sku="OF-100")
        assert list(stock["qty_on_hand"]) == [Decimal(7)]

        catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
        number = purchasing.create_purchase_order(db, actor="purchasing", supplier="SUP1",
                                                  lines=[{"sku": "OF-100", "qty": 2,
                                                          "unit": "箱", "unit_price": 96}])
        assert purchasing.get_purchase_order(db, number).lines[0].ordered == Decimal(24)
        assert reports.check_consistency(db) == []
    finally:
        db.dispose()
