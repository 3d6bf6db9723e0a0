"""Engine and transaction handling for SQLite and PostgreSQL."""
from __future__ import annotations

import logging
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_SQLITE_PATH = Path("data") / "warehouse.db"
# PostgreSQL SQLSTATEs that mean "try the whole transaction again".
RETRYABLE_PG_CODES = {"40001", "40P01"}
MAX_ATTEMPTS = 8


# All of a document's item locks in one statement: PostgreSQL evaluates output
# expressions after ORDER BY (documented for SELECT), so they are taken in ascending id.
_ITEM_LOCKS = text("SELECT pg_advisory_xact_lock(1, id) "
                   "FROM unnest(CAST(:ids AS integer[])) AS id ORDER BY id")


def default_url() -> str:
    url = os.environ.get("WAREHOUSE_DB_URL")
    if url:
        return url
    private_directory(DEFAULT_SQLITE_PATH.parent)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def private_directory(path: Path) -> None:
    """Create ``path`` (and parents) readable by its owner only, if missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists: the books and their
    backups are nobody else's to read. (SQLite gives its -wal and -shm files the
    database file's mode.)"""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class Database:
    """A handle on one database: ``read()`` and ``write()`` transactions."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work. Closing the session rolls its connection back
        without expiring the objects read, so they stay usable afterwards."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def _write_once(self, state: dict) -> Iterator[Session]:
        with self._sessions() as session:
            if self.is_sqlite:
                # Take the write lock up front so concurrent writers queue on the busy
                # timeout instead of failing with "database is locked" mid-transaction.
                session.connection(execution_options={"sqlite_immediate": True})
            try:
                yield session
                state["committing"] = True
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` as one transaction; retry deadlocks and
        serialization failures (PostgreSQL), lock time-outs (SQLite), and a
        connection lost before COMMIT was sent (the server has rolled that
        transaction back, so running it again cannot post twice). A connection lost
        during COMMIT is raised: whether it committed is unknown."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            state = {"committing": False}
            try:
                with self._write_once(state) as session:
                    return work(session)
            except (OperationalError, DBAPIError) as exc:
                if attempt == MAX_ATTEMPTS or not self._is_retryable(exc, state["committing"]):
                    raise
                level = logging.WARNING if exc.connection_invalidated else logging.INFO
                log.log(level, "retrying transaction after %s (attempt %d)", exc.orig, attempt)
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    def _is_retryable(self, exc: DBAPIError, committing: bool = False) -> bool:
        if exc.connection_invalidated:
            return not committing
        if self.is_sqlite:
            return "database is locked" in str(exc.orig)
        return getattr(exc.orig, "sqlstate", None) in RETRYABLE_PG_CODES

    def lock_items(self, session: Session, item_ids) -> None:
        """Serialise stock writers per item, always in ascending id order so two
        multi-line documents can never deadlock each other. (SQLite: the whole
        database is already locked by BEGIN IMMEDIATE.)"""
        if self.is_sqlite:
            return
        ids = sorted(set(item_ids))
        if ids:
            session.execute(_ITEM_LOCKS, {"ids": ids})

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's BEGIN IMMEDIATE be the only BEGIN (pysqlite would
        # otherwise open its own deferred transactions).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Reads start a deferred transaction; writes take the write lock at once.
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None and path.parent.is_dir():
            private_file(path)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Open (creating or upgrading the schema to the newest migration)."""
    url = url or default_url()
    engine = create_db_engine(url)
    if upgrade:
        from db.migrate import upgrade_to_head

        upgrade_to_head(engine)
    return Database(engine)
