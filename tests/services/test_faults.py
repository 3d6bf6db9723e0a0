"""Faults while posting, on SQLite and PostgreSQL.

(a) An exception injected at every single statement, flush or commit of a posting
    (receipt, issue, transfer, return, QC release, stocktake) leaves nothing behind:
    every table is exactly as before, and the books agree.
(b) A process killed (SIGKILL) mid-posting leaves a SQLite file that opens, passes
    ``PRAGMA integrity_check`` and the books check, with every document whole.
(c) A PostgreSQL connection dropped mid-transaction is retried (the server rolled it
    back); one lost during COMMIT is reported, and the user's retry never posts twice.
(d) Several processes writing one SQLite file never see "database is locked".
"""
from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db import Database
from db.database import create_db_engine
from db.models import Issue, IssueAllocation, IssueLine, Item, Lot, Movement, Receipt
from services import clock, issuing, receiving, reports
from services import stocktake as st
from services.errors import InvalidState
from tests.factories import (
    PASSWORD,
    build_world,
    count_receipt,
    every_row,
    open_receipt,
    receive_goods,
    stock_lot,
    stocktake_to_approval,
    utc,
)

ROOT = Path(__file__).resolve().parents[2]
D = Decimal
NOW = utc(2026, 11, 10, 2)
INJECTED = {"count": 0}          # faults injected over the whole module, for the report


@pytest.fixture(autouse=True)
def _no_login_throttle(monkeypatch):
    """A fault injected after a co-signer's password was charged to the login
    throttle and before the refund leaves that charge behind (by design: a crash
    never buys a free guess); hundreds of injected faults would then lock the
    co-signer out. These tests are about the books, so the allowance is lifted."""
    from services import login_throttle

    monkeypatch.setattr(login_throttle, "FREE_ATTEMPTS", 10_000)
    monkeypatch.setattr(login_throttle, "ADDRESS_FREE_ATTEMPTS", 10_000)
    monkeypatch.setattr(login_throttle, "GLOBAL_FAILURES_PER_MINUTE", 10_000)


@pytest.fixture
def world(db):
    clock.set_now(NOW)
    build_world(db)
    yield db
    clock.set_now(None)


# --- (a) an exception between any two writes -------------------------------------------
class InjectedFault(RuntimeError):
    pass


class Injector:
    """Counts every Session.execute / flush / commit made inside ``Database.write``
    and raises at the armed one."""

    def __init__(self, monkeypatch):
        self.depth = 0
        self.calls = 0
        self.armed_at: int | None = None
        self.fired = False
        original_write = Database.write

        def write(db_self, work):
            self.depth += 1
            try:
                return original_write(db_self, work)
            finally:
                self.depth -= 1

        monkeypatch.setattr(Database, "write", write)
        for name in ("execute", "flush", "commit"):
            original = getattr(Session, name)

            def wrapper(session, *args, _original=original, **kwargs):
                self._tick()
                return _original(session, *args, **kwargs)

            monkeypatch.setattr(Session, name, wrapper)

    def _tick(self):
        if self.depth == 0 or self.armed_at is None or self.fired:
            return
        self.calls += 1
        if self.calls == self.armed_at:
            self.fired = True
            INJECTED["count"] += 1
            raise InjectedFault(f"injected at call {self.calls}")

    def arm(self, at: int):
        self.armed_at, self.calls, self.fired = at, 0, False


def crash_everywhere(db, monkeypatch, action):
    """Run ``action`` with a fault at the 1st, 2nd, … database call of its write
    transaction until it runs through; after each fault nothing may have changed.
    Returns (faults injected, the result of the run that went through)."""
    injector = Injector(monkeypatch)
    before = every_row(db)
    for at in range(1, 500):
        injector.arm(at)
        try:
            result = action()
        except InjectedFault:
            assert every_row(db) == before, f"fault at call {at} left rows behind"
            continue
        assert not injector.fired
        injector.armed_at = None
        assert at > 3, "the posting made suspiciously few database calls"
        assert every_row(db) != before
        assert reports.check_consistency(db) == []
        print(f"\n{at - 1} faults injected, each left nothing behind")
        return at - 1, result
    raise AssertionError("the action never completed")


def test_receipt_posting_leaves_nothing_on_any_fault(world, monkeypatch):
    db = world
    grn = open_receipt(db, [("OF-100", 5, "2.5"), ("BP-200", 4, "40"), ("CL-300", 3, "9")])
    count_receipt(db, grn, damaged={2: 1}, counted={3: 2})      # a rejection and a short line
    faults, view = crash_everywhere(db, monkeypatch, lambda: receiving.post_receipt(
        db, actor="receiver", receipt=grn, checked_by="keeper", checker_password=PASSWORD))
    assert faults >= 10 and view.status == "posted" and view.return_number


def test_issue_transfer_and_return_leave_nothing_on_any_fault(world, monkeypatch):
    db = world
    stock_lot(db, "OF-100", "A-01-01", 3, "2.5", lot_no="OLD", received_at=utc(2026, 1, 1))
    stock_lot(db, "OF-100", "A-01-02", 5, "3", lot_no="NEW", received_at=utc(2026, 2, 1))
    stock_lot(db, "BP-200", "A-01-01", 4, "40", lot_no="B")
    _n, issue = crash_everywhere(db, monkeypatch, lambda: issuing.issue_stock(
        db, actor="keeper", lines=[{"sku": "OF-100", "qty": 6}, {"sku": "BP-200", "qty": 1}],
        requested_by="Bay 1", request_id="REQ-FAULT-1"))
    assert [a.lot_no for a in issue.lines[0].allocations] == ["OLD", "NEW"]
    crash_everywhere(db, monkeypatch, lambda: issuing.return_to_stock(
        db, actor="keeper", issue_number=issue.number, sku="OF-100", qty=4))
    crash_everywhere(db, monkeypatch, lambda: issuing.transfer(
        db, actor="supervisor", sku="OF-100", qty=4, from_location="A-01-02",
        to_location="HOLD-01"))


def test_qc_release_and_stocktake_posting_leave_nothing_on_any_fault(world, monkeypatch):
    db = world
    grn = receive_goods(db, [("EN-500", 3, "900")])
    crash_everywhere(db, monkeypatch, lambda: receiving.qc_release(
        db, actor="qc", receipt=grn, line_no=1, passed_qty=2, failed_qty=1))
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5", lot_no="L1", received_at=utc(2026, 1, 1))
    stock_lot(db, "OF-100", "A-01-01", 5, "3.5", lot_no="L2", received_at=utc(2026, 2, 1))
    stock_lot(db, "BP-200", "A-01-02", 4, "40", lot_no="B1")
    number = stocktake_to_approval(db, ["A Parts"], period="2026-10", counts={
        ("OF-100", "A-01-01"): 12, ("BP-200", "A-01-02"): 6, ("EN-500", "A-01-01"): 1})
    faults, result = crash_everywhere(db, monkeypatch, lambda: st.post(
        db, actor="finance", stocktake=number))
    assert result.gain_doc_no and result.loss_doc_no and faults >= 10
    with pytest.raises(InvalidState):
        st.post(db, actor="finance", stocktake=number)


def test_ledger_writer_flush_failure_after_the_first_document_part(world, monkeypatch):
    """A stocktake writes its loss document, then its gain document: a failure in
    the second flush takes the first one back with it."""
    from services.ledger import LedgerWriter

    db = world
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    stock_lot(db, "BP-200", "A-01-02", 4, "40")
    number = stocktake_to_approval(db, ["A Parts"], period="2026-10", counts={
        ("OF-100", "A-01-01"): 8, ("BP-200", "A-01-02"): 5})
    before = every_row(db)
    original = LedgerWriter.flush
    calls = _fail_ledger_flush(monkeypatch, 2, InjectedFault("second document"))
    with pytest.raises(InjectedFault):
        st.post(db, actor="finance", stocktake=number)
    assert calls[0].startswith("SL-") and calls[1].startswith("SG-")
    assert every_row(db) == before
    assert st.get_stocktake(db, number).status == "approved"
    monkeypatch.setattr(LedgerWriter, "flush", original)
    st.post(db, actor="finance", stocktake=number)
    assert reports.check_consistency(db) == []


# --- (b) a process killed mid-posting ---------------------------------------------------
def _worker(url: str, seed: int, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.services.posting_worker", url, str(seed), str(count)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def documents_are_whole(db) -> int:
    """Every posted document has all of its parts; returns how many there are."""
    with db.read() as s:
        for issue_id, qty, total in s.execute(
                select(Issue.id, func.sum(IssueLine.qty), Issue.total_cost)
                .join(IssueLine, IssueLine.issue_id == Issue.id).group_by(Issue.id)):
            allocated = s.scalar(select(func.sum(IssueAllocation.qty)).join(IssueLine)
                                 .where(IssueLine.issue_id == issue_id))
            number = s.scalar(select(Issue.number).where(Issue.id == issue_id))
            moved = s.execute(select(func.sum(Movement.qty), func.sum(Movement.value))
                              .where(Movement.doc_no == number)).one()
            assert allocated == qty and moved == (-qty, -total), number
        for number, status in s.execute(select(Receipt.number, Receipt.status)):
            lots = s.scalar(select(func.count()).select_from(Lot)
                            .where(Lot.receipt_number == number))
            assert (lots > 0) == (status == "posted"), number
        return s.scalar(select(func.count()).select_from(Movement))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_mid_posting_leaves_a_consistent_sqlite_file(sqlite_db, tmp_path):
    db = sqlite_db
    build_world(db)
    receive_goods(db, [("OF-100", 30, "2.5"), ("BP-200", 30, "40")])
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    rng = random.Random(8)
    kills, progress = 0, []
    for round_no in range(6):
        worker = _worker(url, seed=round_no, count=400)
        assert worker.stdout.readline().strip() == "READY"
        # Let it post a few documents, then kill it wherever it happens to be.
        for _ in range(rng.randint(1, 4)):
            line = worker.stdout.readline()
            assert line.startswith(("OK", "SKIP")), line + worker.stderr.read()
        time.sleep(rng.uniform(0, 0.05))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        reopened = Database(create_db_engine(url))
        with reopened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert reports.check_consistency(reopened) == []
        progress.append(documents_are_whole(reopened))
        reopened.dispose()
    assert kills == 6 and progress == sorted(progress) and progress[-1] > progress[0]
    INJECTED["count"] += kills


# --- (c) PostgreSQL connection dropped ----------------------------------------------------
def _pg(db):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL connection handling")
    return db


def test_pg_connection_terminated_mid_transaction_is_retried_once(world, caplog):
    db = _pg(world)
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    with db.read() as s:
        item_id = s.scalar(select(Item.id).where(Item.sku == "OF-100"))
    blocker = db.engine.connect()
    blocker_tx = blocker.begin()
    blocker.execute(text("SELECT pg_advisory_xact_lock(1, :id)"), {"id": item_id})
    outcome = {}

    def issue():
        try:
            outcome["view"] = issuing.issue_stock(
                db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}], requested_by="Bay",
                request_id="REQ-DROP-1")
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["error"] = exc

    caplog.set_level(logging.WARNING, logger="db.database")
    thread = threading.Thread(target=issue)
    thread.start()
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            victim = None
            for _ in range(500):               # wait until the issue blocks on the item lock
                victim = conn.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%' "
                    "AND pid <> :blocker"), {"blocker": blocker.connection.dbapi_connection.info.backend_pid}
                ).scalar()
                if victim:
                    break
                time.sleep(0.01)
            assert victim, "the issue never reached the item lock"
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar()
    finally:
        blocker_tx.commit()
        blocker.close()
        admin.dispose()
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert any("retrying transaction" in r.getMessage() for r in caplog.records)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 1
    again = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}],
                                requested_by="Bay", request_id="REQ-DROP-1")
    assert again.replayed and again.number == outcome["view"].number
    assert reports.stock_on_hand(db, sku="OF-100")["qty_on_hand"].sum() == 6
    assert reports.check_consistency(db) == []


def _fail_ledger_flush(monkeypatch, nth: int, error: Exception) -> list[str]:
    """Make the ``nth`` LedgerWriter.flush raise ``error`` (the others run); the
    returned list collects the doc_no of every flush."""
    from services.ledger import LedgerWriter

    original, calls = LedgerWriter.flush, []

    def flush(self):
        calls.append(self.doc_no)
        if len(calls) == nth:
            raise error
        return original(self)

    monkeypatch.setattr(LedgerWriter, "flush", flush)
    return calls


def _lost_connection(statement: str) -> OperationalError:
    return OperationalError(statement, {}, Exception("server closed the connection unexpectedly"),
                            connection_invalidated=True)


def test_connection_lost_before_commit_is_retried_transparently(world, monkeypatch):
    """Works the same on both databases: the first attempt dies in the ledger write."""
    db = world
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    calls = _fail_ledger_flush(monkeypatch, 1, _lost_connection("INSERT INTO movement"))
    view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 3}],
                               requested_by="Bay")
    # Each attempt writes under its own stand-in; the one that died took no number.
    assert len(calls) == 2 and calls[0] != calls[1]
    assert view.number.endswith("-0001")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == 1
        assert set(s.scalars(select(Movement.doc_no).where(Movement.type == "issue"))) == {
            view.number}
        assert s.scalar(select(func.sum(Movement.qty)).where(Movement.type == "issue")) == -3
    assert reports.check_consistency(db) == []


@pytest.mark.parametrize("document", ["issue", "transfer", "return", "receipt", "stocktake"])
def test_reply_lost_after_commit_is_reported_and_retry_never_posts_twice(world, monkeypatch,
                                                                         document):
    """The COMMIT went through but the client saw the connection drop: the error
    reaches the caller (not retried blindly), and doing it again posts nothing new."""
    db = world
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    first = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}],
                                requested_by="Bay")
    grn = open_receipt(db, [("BP-200", 4, "40")])
    count_receipt(db, grn, location="A-01-02")
    stocktake = stocktake_to_approval(db, ["B Fluids"], period="2026-10", until="approved") \
        if document == "stocktake" else None
    actions = {
        "issue": lambda: issuing.issue_stock(
            db, actor="keeper", lines=[{"sku": "OF-100", "qty": 2}], requested_by="Bay",
            request_id="REQ-LOST-1"),
        "transfer": lambda: issuing.transfer(
            db, actor="keeper", sku="OF-100", qty=2, from_location="A-01-01",
            to_location="A-01-02", request_id="REQ-LOST-2"),
        "return": lambda: issuing.return_to_stock(
            db, actor="keeper", issue_number=first.number, sku="OF-100", qty=1,
            request_id="REQ-LOST-3"),
        "receipt": lambda: receiving.post_receipt(db, actor="receiver", receipt=grn,
                                                  checked_by="keeper", checker_password=PASSWORD),
        "stocktake": lambda: st.post(db, actor="finance", stocktake=stocktake),
    }
    original_commit, lost = Session.commit, []

    # The document's own transaction loses its reply, not the login throttle's
    # accounting of a co-signer's password check before it.
    from services import login_throttle

    for name in ("charge_attempt", "refund_attempt"):
        def marked(session, *args, _original=getattr(login_throttle, name)):
            session.info["throttle"] = True
            return _original(session, *args)
        monkeypatch.setattr(login_throttle, name, marked)

    def commit(session):
        original_commit(session)
        if not lost and not session.info.pop("throttle", False):
            lost.append(True)
            raise _lost_connection("COMMIT")

    monkeypatch.setattr(Session, "commit", commit)
    with pytest.raises(OperationalError):
        actions[document]()
    monkeypatch.setattr(Session, "commit", original_commit)
    after_first = every_row(db)
    if document == "stocktake":
        with pytest.raises(InvalidState) as err:
            actions[document]()
        assert err.value.params["state"] == "posted"
    else:
        result = actions[document]()
        assert getattr(result, "replayed", True) or result.status == "posted"
    assert every_row(db) == after_first, "the retry posted again"
    assert reports.check_consistency(db) == []


# --- (d) SQLite busy contention ------------------------------------------------------------
def test_sqlite_writers_in_several_processes_never_see_database_is_locked(sqlite_db):
    db = sqlite_db
    build_world(db)
    receive_goods(db, [("OF-100", 40, "2.5"), ("BP-200", 40, "40")])
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    workers = [_worker(url, seed=100 + n, count=25) for n in range(4)]
    outputs = [w.communicate(timeout=180) for w in workers]
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, out + err
        assert "locked" not in out + err
    posted = sum(line.startswith("OK") for out, _e in outputs for line in out.splitlines())
    assert posted >= 50
    reopened = Database(create_db_engine(url))
    assert reports.check_consistency(reopened) == []
    documents_are_whole(reopened)
    reopened.dispose()
