"""Backup and restore round trip: every table comes back identical."""
from sqlalchemy import select, text

from db.backup import create_backup, restore_backup
from db.models import Base
from tests.factories import build_world, stock_lot


def _snapshot(db) -> dict[str, list]:
    with db.engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def test_backup_then_restore_returns_every_row(db, tmp_path):
    build_world(db)
    stock_lot(db, "OF-100", "A-01-01", 12, "3.2500", lot_no="L1")
    url = db.engine.url.render_as_string(hide_password=False)
    before = _snapshot(db)
    backup = create_backup(url, tmp_path)
    assert backup.stat().st_size > 0

    stock_lot(db, "BP-200", "A-01-02", 5, "40.0000", lot_no="AFTER")   # a change after the backup
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    assert _snapshot(db) != before

    db.engine.dispose()
    restore_backup(backup, url)
    db.engine.dispose()
    assert _snapshot(db) == before
