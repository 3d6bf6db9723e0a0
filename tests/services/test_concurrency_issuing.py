"""Concurrent issuing: PostgreSQL threads and SQLite processes.

Two tablets issuing the last units at once: exactly one wins, the other gets the
insufficient-stock error; stock never goes negative and FIFO order holds."""
from __future__ import annotations

import logging
import multiprocessing as mp
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from db import Database
from db.database import create_db_engine
from db.models import Issue, IssueAllocation, IssueLine, Lot, Movement
from services import issuing, reports
from services.errors import InsufficientStock
from tests.factories import build_world, stock_lot, utc


@pytest.fixture
def pg(pg_database):
    from tests.conftest import _truncate_all

    _truncate_all(pg_database)
    build_world(pg_database)
    return pg_database


def run_threads(n, target):
    """Start ``n`` threads behind one barrier; return their results / exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def body(i):
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[i] = exc

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def fifo_lots(db, sku="OF-100"):
    """10 units in three lots with different costs (4 + 3 + 3)."""
    return [
        stock_lot(db, sku, "A-01-02", 3, "12", lot_no="L3", received_at=utc(2026, 3, 3)),
        stock_lot(db, sku, "A-01-01", 4, "10", lot_no="L1", received_at=utc(2026, 3, 1)),
        stock_lot(db, sku, "A-01-01", 3, "11", lot_no="L2", received_at=utc(2026, 3, 2)),
    ]


def consumed_in_order(db, sku="OF-100"):
    """(lot received_at, qty) of every allocation, in issue (commit/number) order."""
    with db.read() as session:
        return session.execute(
            select(Lot.received_at, IssueAllocation.qty)
            .join(IssueAllocation, IssueAllocation.lot_id == Lot.id)
            .join(IssueLine, IssueLine.id == IssueAllocation.issue_line_id)
            .join(Issue, Issue.id == IssueLine.issue_id)
            .order_by(Issue.number, IssueAllocation.seq)).all()


def lots_on_hand(db):
    with db.read() as session:
        return session.scalars(select(Lot.qty_on_hand)).all()


@pytest.mark.parametrize("round_no", range(3))
def test_pg_twenty_tablets_ten_units(pg, round_no, caplog):
    fifo_lots(pg)
    caplog.set_level(logging.INFO, logger="db.database")

    def issue_one(i):
        return issuing.issue_stock(pg, actor="keeper" if i % 2 else "keeper2",
                                   requested_by=f"tablet {i}",
                                   lines=[{"sku": "OF-100", "qty": 1}])

    results = run_threads(20, issue_one)
    wins = [r for r in results if isinstance(r, issuing.IssueView)]
    losses = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(wins) == 10 and len(losses) == 10, results
    assert all(l.params["available"] == 0 and l.params["sku"] == "OF-100" for l in losses)
    # Gapless: the ten winners hold numbers 1..10 of the month, stamped everywhere.
    period = wins[0].number[4:11]
    assert sorted(w.number for w in wins) == [f"ISS-{period}-{n:04d}" for n in range(1, 11)]
    with pg.read() as session:
        assert sorted(session.scalars(select(Movement.doc_no).distinct()
                                      .where(Movement.doc_type == "issue"))) == sorted(
            w.number for w in wins)
    assert all(q == 0 for q in lots_on_hand(pg))
    order = consumed_in_order(pg)
    assert [received for received, _ in order] == sorted(received for received, _ in order)
    assert sum((qty for _, qty in order), Decimal(0)) == 10
    assert sum((w.total_cost for w in wins), Decimal(0)) == 4 * 10 + 3 * 11 + 3 * 12
    assert not [r for r in caplog.records if "retrying" in r.getMessage()]
    assert reports.check_consistency(pg) == []


def test_pg_opposite_order_multi_line_issues_do_not_deadlock(pg, caplog):
    stock_lot(pg, "OF-100", "A-01-01", 40, "10")
    stock_lot(pg, "BP-200", "A-01-02", 40, "30")
    stock_lot(pg, "CL-300", "B-01-01", 40, "20")
    caplog.set_level(logging.INFO, logger="db.database")
    orders = [["OF-100", "BP-200", "CL-300"], ["CL-300", "BP-200", "OF-100"],
              ["BP-200", "OF-100"], ["CL-300", "OF-100"]]

    def issue_many(i):
        lines = [{"sku": sku, "qty": 1} for sku in orders[i % len(orders)]]
        return [issuing.issue_stock(pg, actor="keeper", requested_by=f"t{i}-{k}", lines=lines)
                for k in range(2)]

    results = run_threads(16, issue_many)
    assert all(isinstance(r, list) for r in results), [r for r in results if not isinstance(r, list)]
    deadlocks = [r for r in caplog.records if "deadlock" in r.getMessage().lower()]
    assert deadlocks == []
    stock = {row["location"]: row["qty"] for sku in ("OF-100", "BP-200", "CL-300")
             for row in issuing.stock_locations(pg, sku)}
    # 16 threads x 2 issues: 8 issues per order list
    used = {"OF-100": 32, "BP-200": 24, "CL-300": 24}
    assert stock == {"A-01-01": 40 - used["OF-100"], "A-01-02": 40 - used["BP-200"],
                     "B-01-01": 40 - used["CL-300"]}
    assert reports.check_consistency(pg) == []


def test_pg_same_request_id_racing_issues_once(pg):
    stock_lot(pg, "OF-100", "A-01-01", 10, "10")

    def tap(i):
        return issuing.issue_stock(pg, actor="keeper", requested_by="double tap",
                                   request_id="tablet-7-req-42",
                                   lines=[{"sku": "OF-100", "qty": 3}])

    results = run_threads(8, tap)
    assert all(isinstance(r, issuing.IssueView) for r in results), results
    assert len({r.number for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert issuing.stock_locations(pg, "OF-100")[0]["qty"] == 7
    assert reports.check_consistency(pg) == []


# --- SQLite: several processes on one database file --------------------------
def _sqlite_worker(url, start, attempts, out):
    database = Database(create_db_engine(url))
    start.wait()
    outcome = []
    for k in range(attempts):
        try:
            view = issuing.issue_stock(database, actor="keeper", requested_by=f"p{k}",
                                       lines=[{"sku": "OF-100", "qty": 1}])
            outcome.append(("ok", view.number))
        except InsufficientStock:
            outcome.append(("short", None))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            outcome.append(("error", repr(exc)))
    database.dispose()
    out.put(outcome)


def test_sqlite_processes_issue_the_last_units_once(sqlite_db):
    build_world(sqlite_db)
    fifo_lots(sqlite_db)
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    ctx = mp.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_sqlite_worker, args=(url, start, 3, out)) for _ in range(5)]
    for p in procs:
        p.start()
    start.set()
    outcomes = [item for _ in procs for item in out.get(timeout=60)]
    for p in procs:
        p.join(timeout=30)
    errors = [o for o in outcomes if o[0] == "error"]
    assert errors == []
    assert sum(o[0] == "ok" for o in outcomes) == 10
    assert sum(o[0] == "short" for o in outcomes) == 5
    assert len({o[1] for o in outcomes if o[0] == "ok"}) == 10
    assert all(q == 0 for q in lots_on_hand(sqlite_db))
    order = consumed_in_order(sqlite_db)
    assert [received for received, _ in order] == sorted(received for received, _ in order)
    assert reports.check_consistency(sqlite_db) == []


def test_pg_item_locks_are_taken_in_ascending_id_order(pg):
    """One statement takes all of a document's item locks, lowest id first: a writer
    blocked on item 5 holds 2 and not yet 9, whatever order it was given."""
    blocker = pg.engine.connect()
    blocker_tx = blocker.begin()
    blocker.execute(text("SELECT pg_advisory_xact_lock(1, 5)"))
    thread = threading.Thread(target=pg.write, args=(lambda s: pg.lock_items(s, [9, 5, 2]),))
    thread.start()
    try:
        with pg.engine.connect() as conn:
            held: list = []
            for _ in range(500):
                rows = conn.execute(text(
                    "SELECT objid, granted FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = 1 AND pid <> :blocker ORDER BY objid"),
                    {"blocker": blocker.connection.dbapi_connection.info.backend_pid}).all()
                held = [tuple(r) for r in rows]
                if (5, False) in held:
                    break
                time.sleep(0.01)
            assert held == [(2, True), (5, False)]
    finally:
        blocker_tx.commit()
        blocker.close()
    thread.join(30)
    assert not thread.is_alive()
