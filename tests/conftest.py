"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL runs when TEST_DATABASE_URL is set (a server URL; the fixture creates
and drops its own database). With REQUIRE_POSTGRES=1 (CI) its absence is an error.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import Database, open_database
from db.database import create_db_engine
from db.models import Base
from services import clock

PG_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"


def pytest_sessionstart(session):
    if REQUIRE_PG and not PG_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    open_database(f"sqlite:///{path}").dispose()
    return path


def _server_url(worker: str) -> tuple[str, str]:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"wh_test_{worker}_{uuid.uuid4().hex[:8]}"
    return url.render_as_string(hide_password=False), name


@pytest.fixture(scope="session")
def pg_database():
    """Create a scratch PostgreSQL database for this test session; drop it after."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TEST_DATABASE_URL is required (REQUIRE_POSTGRES=1)")
        pytest.skip("TEST_DATABASE_URL not set")
    server_url, name = _server_url(os.environ.get("PYTEST_XDIST_WORKER", "main"))
    admin = create_engine(make_url(server_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    database = open_database(url)
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, sqlite_template) -> Database:
    """A fresh, empty, migrated database (parametrized over both backends)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        database = Database(create_db_engine(f"sqlite:///{path}"))
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_database")
        _truncate_all(database)
        yield database


@pytest.fixture(autouse=True)
def _release_clock():
    """A test may pin the clock (before or after its database exists); never let
    it leak into the next test."""
    yield
    clock.set_now(None)


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Database:
    """SQLite only, for tests that are about SQLite behaviour."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    database = Database(create_db_engine(f"sqlite:///{path}"))
    yield database
    database.dispose()


@pytest.fixture
def world(db):
    """The small standard world most service tests start from (tests/factories.py)."""
    from tests.factories import build_world

    return build_world(db)
