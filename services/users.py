"""Users, roles, passwords and login throttling."""
from __future__ import annotations

from typing import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from db import Database
from db.models import User, UserRole, Warehouse
from services import login_throttle
from services.common import ROLES, audit, clean_text, get_or_404, load_user, require_role
from services.errors import Duplicate, ValidationError

# OWASP's minimum for argon2id: 19 MiB, 2 iterations.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against unknown usernames so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
FREE_ATTEMPTS = login_throttle.FREE_ATTEMPTS
MAX_WAIT_SECONDS = login_throttle.MAX_WAIT_SECONDS
wait_seconds = login_throttle.wait_seconds
MIN_PASSWORD = 8
LANGUAGES = ("en", "zh")


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles or []))
    if not roles:
        raise ValidationError("required", field="roles")
    for role in roles:
        if role not in ROLES:
            raise ValidationError("unknown_role", field="roles", role=role)
    return roles


def _check_password(password: str) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationError("password_too_short", field="password", min=MIN_PASSWORD)
    if len(password) > 200:
        raise ValidationError("too_long", field="password", max=200)
    return password


def create_user(db: Database, *, actor, username, password, roles, display_name="",
                language="en") -> None:
    username = clean_text(username, "username", max_len=40, required=True).lower()
    display_name = clean_text(display_name, "display_name", max_len=100)
    roles = _check_roles(roles)
    _check_password(password)
    if language not in LANGUAGES:
        raise ValidationError("invalid_choice", field="language", value=language)
    password_hash = _hasher.hash(password)

    def work(session):
        if actor is None:
            if session.scalar(select(func.count()).select_from(User)):
                raise ValidationError("actor_required", field="actor")
        else:
            require_role(session, actor, "admin")
        if session.scalar(select(User.id).where(User.username == username)):
            raise Duplicate(field="username", value=username)
        user = User(username=username, display_name=display_name or username,
                    password_hash=password_hash, language=language)
        user.roles = [UserRole(role=r) for r in roles]
        session.add(user)
        audit(session, actor or username, "user.create", "user", username, roles=roles)

    db.write(work)


def update_user(db: Database, *, actor, username, roles=None, display_name=None,
                active=None, password=None) -> None:
    """Change roles, name, active flag or password (admin only)."""
    if roles is not None:
        roles = _check_roles(roles)
    if display_name is not None:
        display_name = clean_text(display_name, "display_name", max_len=100, required=True)
    new_hash = _hasher.hash(_check_password(password)) if password is not None else None

    def work(session):
        require_role(session, actor, "admin")
        user = get_or_404(session, User, "user", username=username)
        changes = {}
        if roles is not None:
            user.roles = [UserRole(role=r) for r in roles]
            changes["roles"] = roles
        if display_name is not None:
            user.display_name = changes["display_name"] = display_name
        if active is not None:
            if not active and username == actor:
                raise ValidationError("cannot_deactivate_self", field="active")
            user.active = changes["active"] = bool(active)
        if new_hash is not None:
            user.password_hash = new_hash
            changes["password"] = "changed"
        audit(session, actor, "user.update", "user", username, **changes)

    db.write(work)


def deactivate_user(db: Database, *, actor, username) -> None:
    update_user(db, actor=actor, username=username, active=False)


def change_own_password(db: Database, *, actor, old_password, new_password) -> None:
    if authenticate(db, actor, old_password) is None:
        raise ValidationError("wrong_password", field="old_password")
    new_hash = _hasher.hash(_check_password(new_password))

    def work(session):
        user = get_or_404(session, User, "user", username=actor)
        user.password_hash = new_hash
        audit(session, actor, "user.password", "user", actor)

    db.write(work)


def set_language(db: Database, *, actor, language) -> None:
    if language not in LANGUAGES:
        raise ValidationError("invalid_choice", field="language", value=language)

    def work(session):
        get_or_404(session, User, "user", username=actor).language = language
        audit(session, actor, "user.language", "user", actor, language=language)

    db.write(work)


def set_home_warehouse(db: Database, *, actor, warehouse, username=None) -> None:
    """The warehouse a user issues, returns and counts in by default (a warehouse
    code; None clears it). Users set their own; an admin may set anyone's."""
    username = (username or actor or "").strip().lower()

    def work(session):
        acting = load_user(session, actor)
        if username != acting.username:
            require_role(session, actor, "admin")
        user = get_or_404(session, User, "user", username=username)
        house = None
        if warehouse:
            house = get_or_404(session, Warehouse, "warehouse",
                               code=str(warehouse).strip().upper())
        user.home_warehouse_id = house.id if house else None
        audit(session, actor, "user.home_warehouse", "user", username,
              warehouse=house.code if house else "")

    db.write(work)


def home_warehouse(db: Database, username: str) -> str | None:
    """The user's home warehouse code, if set."""
    with db.read() as session:
        return session.scalar(select(Warehouse.code).join(
            User, User.home_warehouse_id == Warehouse.id).where(User.username == username))


def login_wait(db: Database, username: str, client_address: str | None = None) -> int:
    """Seconds before a login for this username (from this address) is checked
    (0 = may try now)."""
    with db.read() as session:
        return login_throttle.seconds_to_wait(session, (username or "").strip().lower(),
                                              login_throttle.clean_address(client_address))


def authenticate(db: Database, username, password, *, client_address: str | None = None
                 ) -> User | None:
    """The user if the password is right and the account active, else None.

    No hint which part was wrong. The attempt is charged to the username, the
    client address and the minute before the password is checked; one that any of
    them refuses is not checked at all."""
    username = (username or "").strip().lower()
    address = login_throttle.clean_address(client_address)
    if not username:
        return None
    try:
        failures = db.write(
            lambda session: login_throttle.charge_attempt(session, username, address))
    except login_throttle.Throttled:
        return None
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None else _DUMMY_HASH
    ok = _verify(stored, password or "") and user is not None and user.active
    if ok:
        db.write(lambda session: login_throttle.refund_attempt(session, username, address))
        return user
    db.write(lambda session: audit(session, username, "user.login_failed", "user", username,
                                   failures=failures, address=address or ""))
    return None


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def get_user(db: Database, username: str) -> User | None:
    with db.read() as session:
        return session.scalar(select(User).where(User.username == username))


def list_users(db: Database, *, actor, include_inactive=True) -> list[dict]:
    with db.read() as session:
        require_role(session, actor, "admin")
        query = select(User).order_by(User.username)
        if not include_inactive:
            query = query.where(User.active.is_(True))
        return [
            {"username": u.username, "display_name": u.display_name,
             "roles": sorted(u.role_names), "active": u.active, "language": u.language}
            for u in session.scalars(query)
        ]


def users_with_role(db: Database, *roles: str) -> list[str]:
    """Active usernames holding any of ``roles`` (for co-signer pickers)."""
    with db.read() as session:
        return list(session.scalars(
            select(User.username).join(UserRole)
            .where(UserRole.role.in_(roles), User.active.is_(True))
            .distinct().order_by(User.username)
        ))


def display_names(db: Database, usernames: Iterable[str | None]) -> dict[str, str]:
    """username -> the person's display name (the username when it has none), for
    sign-off blocks and printed documents; unknown names map to themselves."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    with db.read() as session:
        rows = session.execute(select(User.username, User.display_name)
                               .where(User.username.in_(wanted))).all()
    names = {username: (display or username) for username, display in rows}
    return {u: names.get(u, u) for u in wanted}


def user_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(User))


__all__ = [
    "create_user", "update_user", "deactivate_user", "authenticate", "login_wait",
    "change_own_password", "set_language", "set_home_warehouse", "home_warehouse",
    "get_user", "list_users", "users_with_role", "display_names", "user_count", "ROLES",
]
