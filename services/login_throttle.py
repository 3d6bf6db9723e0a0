"""Login throttling: every attempt is charged before its password is checked.

Three scopes, each one upsert that counts the attempt and decides, in the same
statement, whether it may be checked (so 30 parallel guesses cannot all slip in
between a read and a write):
- ``user``: per username (known or not): FREE_ATTEMPTS free, then a growing wait;
- ``address``: per client address (one guesser trying many usernames): a few more
  free attempts, since a shared tablet signs several people in;
- ``all``: failures per minute across every username and address (a guess sprayed
  from many addresses).
An attempt is charged as a failure up front; a correct password clears the
username's count and gives the address and the minute their attempt back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.orm import Session

from db.models import LoginThrottle
from db.types import UTCDateTime
from db.writes.common import upsert_returning
from services import clock

FREE_ATTEMPTS = 3
ADDRESS_FREE_ATTEMPTS = 10
MAX_WAIT_SECONDS = 300
GLOBAL_FAILURES_PER_MINUTE = 60
WINDOW = timedelta(minutes=1)
NOT_BLOCKED = datetime(2000, 1, 1, tzinfo=timezone.utc)

USER, ADDRESS, ALL = "user", "address", "all"
_TABLE = LoginThrottle.__table__


class Throttled(Exception):
    """An attempt refused before its password was checked (rolls back its charges)."""


def wait_seconds(failures: int, free: int = FREE_ATTEMPTS) -> int:
    """Back-off after repeated failures: 0, then 2, 4, 8 … seconds (capped)."""
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), MAX_WAIT_SECONDS)


def _at(moment: datetime):
    return literal(moment, UTCDateTime())


def _blocked_until(count, now: datetime, free: int):
    """SQL for ``now + wait_seconds(count)``, ``count`` being a column expression:
    the wait schedule as a CASE, so the statement needs no dialect's date maths.
    A free attempt leaves no wait at all (not "until now": a parallel attempt that
    read the clock a moment earlier would take that for a wait)."""
    steps = [(count < free, _at(NOT_BLOCKED))]
    failures = free
    while wait_seconds(failures, free) < MAX_WAIT_SECONDS:
        steps.append((count == failures,
                      _at(now + timedelta(seconds=wait_seconds(failures, free)))))
        failures += 1
    return case(*steps, else_=_at(now + timedelta(seconds=MAX_WAIT_SECONDS)))


def _free(scope: str) -> int:
    return ADDRESS_FREE_ATTEMPTS if scope == ADDRESS else FREE_ATTEMPTS


def _charge_backoff(session: Session, scope: str, key: str, now: datetime) -> bool:
    """Count one attempt for ``scope``/``key`` unless it is still waiting."""
    free = _free(scope)
    return upsert_returning(
        session, _TABLE, keys=["scope", "key"], returning=_TABLE.c.failures,
        values=dict(scope=scope, key=key, failures=1, last_failure_at=now,
                    blocked_until=_blocked_until(literal(1), now, free)),
        set_={"failures": _TABLE.c.failures + 1, "last_failure_at": now,
              "blocked_until": _blocked_until(_TABLE.c.failures + 1, now, free)},
        where=_TABLE.c.blocked_until <= now) is not None


def _charge_minute(session: Session, now: datetime) -> bool:
    """Count one failure in the current minute unless it already holds the limit."""
    window_over = _TABLE.c.blocked_until <= now
    return upsert_returning(
        session, _TABLE, keys=["scope", "key"], returning=_TABLE.c.failures,
        values=dict(scope=ALL, key="", failures=1, last_failure_at=now,
                    blocked_until=now + WINDOW),
        set_={"failures": case((window_over, 1), else_=_TABLE.c.failures + 1),
              "last_failure_at": now,
              "blocked_until": case((window_over, _at(now + WINDOW)),
                                    else_=_TABLE.c.blocked_until)},
        where=window_over | (_TABLE.c.failures < GLOBAL_FAILURES_PER_MINUTE)) is not None


def charge_attempt(session: Session, username: str, address: str | None) -> int:
    """Charge one login attempt to every scope, in a fixed order (all, address,
    user) so concurrent logins never deadlock; raise Throttled if any scope is
    waiting or full. Returns the username's failure count including this one."""
    now = clock.now()
    if not _charge_minute(session, now):
        raise Throttled(ALL)
    if address and not _charge_backoff(session, ADDRESS, address, now):
        raise Throttled(ADDRESS)
    if not _charge_backoff(session, USER, username, now):
        raise Throttled(USER)
    return session.scalar(select(_TABLE.c.failures).where(
        _TABLE.c.scope == USER, _TABLE.c.key == username))


def refund_attempt(session: Session, username: str, address: str | None) -> None:
    """A correct password: the username starts afresh; the address and the minute
    get this attempt back (an address's failures are not wiped by one success, or
    a guesser holding one account could reset its own counter)."""
    now = clock.now()
    session.execute(update(_TABLE).where(_TABLE.c.scope == ALL, _TABLE.c.failures > 0)
                    .values(failures=_TABLE.c.failures - 1))
    if address:
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.scope == ADDRESS, _TABLE.c.key == address, _TABLE.c.failures > 0)
            .values(failures=_TABLE.c.failures - 1,
                    blocked_until=_blocked_until(_TABLE.c.failures - 1, now,
                                                 ADDRESS_FREE_ATTEMPTS)))
    session.execute(delete(_TABLE).where(_TABLE.c.scope == USER, _TABLE.c.key == username))


def seconds_to_wait(session: Session, username: str, address: str | None) -> int:
    """Seconds before an attempt for ``username`` from ``address`` may be checked."""
    now = clock.now()
    rows = session.execute(select(_TABLE.c.scope, _TABLE.c.failures, _TABLE.c.blocked_until)
                           .where(((_TABLE.c.scope == USER) & (_TABLE.c.key == username))
                                  | ((_TABLE.c.scope == ADDRESS)
                                     & (_TABLE.c.key == (address or "")))
                                  | (_TABLE.c.scope == ALL))).all()
    wait = 0.0
    for scope, failures, blocked_until in rows:
        if scope == ALL and failures < GLOBAL_FAILURES_PER_MINUTE:
            continue
        wait = max(wait, (blocked_until - now).total_seconds())
    return max(0, int(wait + 0.999))


def clean_address(address: str | None) -> str | None:
    """A client address as a key (trimmed; at most 80 characters)."""
    address = address.strip()[:80] if isinstance(address, str) else ""
    return address or None
