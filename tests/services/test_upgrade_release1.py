"""The demo database the first release made (its own loader, schema 0001) upgrades to
the newest schema with every lot, quantity and value as that release reported them,
and then takes the units round's scenario: 5 箱 ordered at 120.00, 60 个 booked at
10.00, 7 issued FIFO (issue 15 ㈦: existing databases keep working)."""
from __future__ import annotations

import gzip
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db import open_database
from db.models import ItemPackUnit
from services import catalog, issuing, purchasing, receiving, reports, units

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "migrations"
PASSWORD = "demo1234"                      # every demo user's password in that release
D = Decimal


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "release1.db"
    path.write_bytes(gzip.decompress((FIXTURES / "release1-demo.db.gz").read_bytes()))
    with sqlite3.connect(path) as conn:          # made by the previous release: schema 0001
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    db = open_database(f"sqlite:///{path}")      # upgrades, as the app does on start
    yield db
    db.dispose()


def _stock(db) -> list[tuple[str, str, Decimal, Decimal]]:
    frame = reports.stock_on_hand(db)
    return sorted((sku, lot, D(str(qty)), D(str(value))) for sku, lot, qty, value in
                  zip(frame["sku"], frame["lot_no"], frame["qty_on_hand"], frame["value"]))


def test_every_lot_keeps_its_quantity_and_value(upgraded):
    before = json.loads((FIXTURES / "release1-demo.json").read_text(encoding="utf-8"))
    assert before["consistency"] == []
    expected = sorted((sku, lot, D(qty), D(value)) for sku, lot, qty, value in before["stock"])
    assert _stock(upgraded) == expected
    assert reports.check_consistency(upgraded) == []
    with upgraded.read() as session:
        assert session.scalars(select(ItemPackUnit)).all() == []     # no pack units yet
    assert catalog.get_item(upgraded, "OF-EXC")["unit"] == "pcs"    # today's unit: the stock unit
    assert catalog.get_item(upgraded, "CNS-RAG")["unit"] == "bag"
    assert units.unit_name(upgraded, "bag", "zh") == "包"


def test_the_upgraded_books_take_boxes(upgraded):
    db = upgraded
    catalog.set_pack_unit(db, actor="admin", sku="OF-EXC", unit="箱", factor=12)
    po = purchasing.create_purchase_order(db, actor="zhoujing", supplier="SUP-MAN", lines=[
        {"sku": "OF-EXC", "qty": 5, "unit": "箱", "unit_price": "120.00"}])
    purchasing.approve_purchase_order(db, actor="gm", number=po)
    grn = receiving.start_receipt(db, actor="liwei", po_number=po, delivery_note_no="DN-UPG-1",
                                  lines=[{"sku": "OF-EXC", "qty": 5, "unit": "箱",
                                          "unit_price": "120.00"}])
    line = receiving.get_receipt(db, grn).lines[0]
    assert (line.note_qty_in_unit, line.note_qty, line.unit_factor) == (D(5), D(60), D(12))
    receiving.record_count(db, actor="liwei", receipt=grn, line_no=1, counted_qty=D(60),
                           location="A-01-01")
    receiving.post_receipt(db, actor="liwei", receipt=grn, checked_by="wangfang",
                           checker_password=PASSWORD)
    booked = reports.stock_on_hand(db, sku="OF-EXC")
    new = booked[booked["lot_no"] == receiving.get_receipt(db, grn).lines[0].lot_no]
    assert [D(str(q)) for q in new["qty_on_hand"]] == [D(60)]
    assert [D(str(c)) for c in new["unit_cost"]] == [D(10)]
    assert [D(str(v)) for v in new["value"]] == [D(600)]
    before = D(str(booked["value"].sum()))
    issued = issuing.issue_stock(db, actor="wangfang", lines=[{"sku": "OF-EXC", "qty": 7}],
                                 requested_by="workshop")
    oldest = booked.sort_values("received_at").iloc[0]
    assert issued.lines[0].allocations[0].lot_no == oldest["lot_no"]      # FIFO: old stock first
    assert D(str(reports.stock_on_hand(db, sku="OF-EXC")["value"].sum())) == \
        before - issued.total_cost
    assert reports.check_consistency(db) == []
