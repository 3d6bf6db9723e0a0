"""Login throttling holds under parallel guessing: per username, per client
address and per minute overall (30 threads, both databases)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services import clock, login_throttle, reports, users
from tests.factories import PASSWORD

PARALLEL = 30


@pytest.fixture
def checked(monkeypatch):
    """Counts the passwords actually verified (argon2 runs)."""
    lock = threading.Lock()
    calls = []
    verify = users._verify

    def counting(stored, password):
        with lock:
            calls.append(password)
        return verify(stored, password)

    monkeypatch.setattr(users, "_verify", counting)
    return calls


def _in_parallel(attempt, count=PARALLEL):
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return attempt(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_guesses_for_one_username_check_only_the_free_attempts(world, checked):
    db = world.db
    results = _in_parallel(lambda i: users.authenticate(db, "keeper", f"guess-{i}",
                                                        client_address=f"10.0.0.{i}"))
    assert results == [None] * PARALLEL
    assert len(checked) == users.FREE_ATTEMPTS
    assert users.login_wait(db, "keeper") > 0
    # The refused ones were not checked, so they were not audited as failures either.
    trail = reports.audit_trail(db, actor="admin", action="user.login_failed")
    assert len(trail) == users.FREE_ATTEMPTS


def test_one_address_spraying_many_usernames_is_limited(world, checked):
    db = world.db
    results = _in_parallel(lambda i: users.authenticate(db, f"user{i}", "Summer2026!",
                                                        client_address="192.0.2.7"))
    assert results == [None] * PARALLEL
    assert len(checked) == login_throttle.ADDRESS_FREE_ATTEMPTS
    assert users.login_wait(db, "someone-else", "192.0.2.7") > 0
    # Another address is not held up by it.
    assert users.authenticate(db, "keeper", PASSWORD, client_address="192.0.2.8") is not None


def test_failures_per_minute_are_limited_across_addresses(world, checked, monkeypatch):
    db = world.db
    monkeypatch.setattr(login_throttle, "GLOBAL_FAILURES_PER_MINUTE", 12)
    clock.set_now(clock.now())
    results = _in_parallel(lambda i: users.authenticate(db, f"user{i}", "Summer2026!",
                                                        client_address=f"198.51.100.{i}"))
    assert results == [None] * PARALLEL
    assert len(checked) == 12
    # Even a right password waits for the next minute ...
    assert users.authenticate(db, "keeper", PASSWORD, client_address="203.0.113.1") is None
    clock.set_now(clock.now() + login_throttle.WINDOW + timedelta(seconds=1))
    # ... and then goes through.
    assert users.authenticate(db, "keeper", PASSWORD, client_address="203.0.113.1") is not None


def test_a_success_gives_the_minute_and_address_their_attempt_back(world, checked, monkeypatch):
    db = world.db
    monkeypatch.setattr(login_throttle, "GLOBAL_FAILURES_PER_MINUTE", 3)
    for _ in range(5):
        assert users.authenticate(db, "keeper", PASSWORD, client_address="192.0.2.1") is not None
    assert users.login_wait(db, "keeper", "192.0.2.1") == 0
    for name in ("a", "b", "c"):
        users.authenticate(db, name, "wrong-guess", client_address="192.0.2.1")
    assert users.login_wait(db, "keeper", "192.0.2.1") > 0


def test_the_wait_grows_and_the_error_stays_generic(world):
    db = world.db
    clock.set_now(clock.now())
    waits = []
    for _ in range(4):
        for _ in range(users.FREE_ATTEMPTS + 2):
            assert users.authenticate(db, "keeper", "guess") is None
        waits.append(users.login_wait(db, "keeper"))
        clock.set_now(clock.now() + timedelta(seconds=waits[-1]))
    assert waits == sorted(waits) and waits[0] < waits[-1] <= users.MAX_WAIT_SECONDS
