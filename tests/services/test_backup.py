"""Backup and restore round trip: every table comes back identical."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

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


def test_round_trip_of_a_fully_populated_database(db, tmp_path):
    """After a receipt (with a return to supplier), an issue, a return to stock, a
    transfer and a posted stocktake, every table — ledger, lots, documents, audit
    trail, sequences — comes back identical, and the books still agree."""
    from services import clock, issuing, receiving, reports
    from services import stocktake as st
    from tests.factories import receive_goods, stocktake_to_approval, utc

    clock.set_now(utc(2026, 11, 10, 2))
    try:
        build_world(db)
        grn = receive_goods(db, [("OF-100", 10, "2.5"), ("BP-200", 4, "40")],
                            damaged={2: 1})
        issue = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}],
                                    requested_by="Bay 1")
        issuing.return_to_stock(db, actor="keeper", issue_number=issue.number,
                                sku="OF-100", qty=1)
        issuing.transfer(db, actor="keeper", sku="OF-100", qty=2, from_location="A-01-01",
                         to_location="A-01-02")
        number = stocktake_to_approval(db, ["A Parts"], period="2026-11", counts={
            ("OF-100", "A-01-02"): 1, ("BP-200", "A-01-01"): 4})
        st.post(db, actor="finance", stocktake=number)
        assert receiving.get_receipt(db, grn).return_number
        assert reports.check_consistency(db) == []
        url = db.engine.url.render_as_string(hide_password=False)
        before = _snapshot(db)
        assert all(before[name] for name in ("movement", "lot", "receipt", "issue",
                                             "stocktake_line", "audit_event"))
        backup = create_backup(url, tmp_path)

        issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                            requested_by="After the backup")
        assert _snapshot(db) != before
        db.engine.dispose()
        restore_backup(backup, url)
        db.engine.dispose()
        assert _snapshot(db) == before
        assert reports.check_consistency(db) == []
        # The restored database keeps working: numbering continues where it was.
        again = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                                    requested_by="After the restore")
        assert again.number != issue.number
        assert reports.check_consistency(db) == []
    finally:
        clock.set_now(None)


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_database_and_backup_files_are_private(tmp_path, monkeypatch):
    """The books and their backups are created 0600 (0700 directories), whatever
    the umask would have allowed."""
    from pathlib import Path

    from db import open_database
    from db import database as database_module

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WAREHOUSE_DB_URL", raising=False)
    url = database_module.default_url()
    db = open_database(url)
    build_world(db)
    path = Path(make_url(url).database)
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        assert not side.exists() or _mode(side) == 0o600
    backup = create_backup(url, tmp_path / "backups")
    assert _mode(backup) == 0o600 and _mode(backup.parent) == 0o700
    db.dispose()
    restored = tmp_path / "elsewhere.db"
    restore_backup(backup, f"sqlite:///{restored}")
    assert _mode(restored) == 0o600


def test_postgresql_backup_file_is_private(db, tmp_path):
    if db.is_sqlite:
        pytest.skip("the SQLite backup's mode is checked above")
    build_world(db)
    backup = create_backup(db.engine.url.render_as_string(hide_password=False), tmp_path)
    assert _mode(backup) == 0o600
