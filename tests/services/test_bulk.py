"""db.bulk on SQLite and PostgreSQL: rows stored exactly as single-row statements
would store them, ids in the order given, updates by key."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from db.bulk import insert_returning_ids, insert_rows, update_rows
from db.models import AuditEvent, Lot, ReceiptDiscrepancy
from tests.factories import build_world, stock_lot

AT = datetime(2026, 11, 3, 8, 30, tzinfo=timezone.utc)


def lot_row(item_id: int, location_id: int, n: int) -> dict:
    return {"item_id": item_id, "location_id": location_id, "lot_no": f"B{n:03d}",
            "expiry_date": date(2027, 1, n % 28 + 1) if n % 2 else None, "received_at": AT,
            "unit_cost": Decimal("12.3456"), "qty_received": Decimal("1.25") * n,
            "qty_on_hand": Decimal("1.25") * n, "status": "available", "origin_lot_id": None,
            "supplier_id": None, "receipt_number": f"GRN-B-{n}"}


@pytest.fixture
def ids(db):
    build_world(db)
    lot = stock_lot(db, "OF-100", "A-01-01", 1, "1")
    with db.read() as session:
        first = session.get(Lot, lot)
        return first.item_id, first.location_id


def test_insert_returning_ids_keeps_the_order_given_and_exact_values(db, ids):
    item_id, location_id = ids
    rows = [lot_row(item_id, location_id, n) for n in range(1, 41)]
    got = db.write(lambda s: insert_returning_ids(s, Lot.__table__, rows))
    assert got == sorted(got) and len(set(got)) == 40
    with db.read() as session:
        stored = {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_(got)))}
    for lot_id, row in zip(got, rows):
        lot = stored[lot_id]
        assert (lot.lot_no, lot.qty_on_hand, lot.unit_cost, lot.expiry_date, lot.received_at) == (
            row["lot_no"], row["qty_on_hand"], row["unit_cost"], row["expiry_date"], AT)


def test_update_rows_by_key_with_decimals_json_and_nulls(db, ids):
    item_id, location_id = ids
    new = db.write(lambda s: insert_returning_ids(
        s, Lot.__table__, [lot_row(item_id, location_id, n) for n in (1, 2, 3)]))
    db.write(lambda s: update_rows(s, Lot.__table__, [
        {"id": new[2], "qty_on_hand": Decimal("0.001"), "expiry_date": None},
        {"id": new[0], "qty_on_hand": Decimal("7.5"), "expiry_date": date(2028, 2, 29)}]))
    with db.read() as session:
        got = {lot.id: (lot.qty_on_hand, lot.expiry_date)
               for lot in session.scalars(select(Lot).where(Lot.id.in_(new)))}
    assert got == {new[0]: (Decimal("7.5"), date(2028, 2, 29)),
                   new[1]: (Decimal("2.5"), None),             # untouched
                   new[2]: (Decimal("0.001"), None)}
    with pytest.raises(ValueError, match="repeated"):
        db.write(lambda s: update_rows(s, Lot.__table__, [
            {"id": new[1], "qty_on_hand": Decimal(1)}, {"id": new[1], "qty_on_hand": Decimal(2)}]))


def test_insert_rows_matches_a_plain_insert_json_included(db, ids):
    def details(n):
        return {"note": "含税 price", "n": n, "list": [1, "二"]}

    plain = {"at": AT, "actor": "a", "action": "x.plain", "entity": "e", "entity_key": "1",
             "details": details(0)}
    db.write(lambda s: s.execute(insert(AuditEvent.__table__), plain))
    db.write(lambda s: insert_rows(s, AuditEvent.__table__, [
        {**plain, "action": "x.bulk", "entity_key": str(n), "details": details(n)}
        for n in range(1, 4)]))
    db.write(lambda s: insert_rows(s, ReceiptDiscrepancy.__table__, []))   # nothing: no statement
    with db.read() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("x.%"))
                                 .order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_key, e.details, e.at) for e in events] == [
        ("x.plain", "1", details(0), AT)] + [("x.bulk", str(n), details(n), AT) for n in (1, 2, 3)]


def test_update_rows_never_sets_the_key_column(db, ids):
    """Only the new values are SET (rewriting a primary key to itself would make
    SQLite delete and re-insert the row and check every referencing table)."""
    from sqlalchemy import event

    item_id, location_id = ids
    new = db.write(lambda s: insert_returning_ids(s, Lot.__table__,
                                                  [lot_row(item_id, location_id, 1)]))
    seen: list[str] = []

    def capture(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        db.write(lambda s: update_rows(s, Lot.__table__, [{"id": new[0], "status": "hold"}]))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    updates = [s for s in seen if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    set_clause = updates[0].split(" SET ", 1)[1].split(" FROM ", 1)[0].split(" WHERE ", 1)[0]
    assigned = [part.split("=", 1)[0].strip().strip('"') for part in set_clause.split(",")]
    assert assigned == ["status"]
