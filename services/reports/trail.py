"""The audit trail (操作日志)."""
from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

from db import Database
from db.queries import reports as q
from services.common import require_role

from services.reports.common import CONTROL_ROLES, _frame, _local
from services.reports.periods import _as_end, _as_start


AUDIT_COLUMNS = ["at", "actor", "action", "entity", "entity_key", "details"]


def audit_trail(db: Database, *, actor, user: str | None = None, action: str | None = None,
                start: date | datetime | None = None, end: date | datetime | None = None,
                search: str | None = None, limit: int | None = None, offset: int = 0
                ) -> pd.DataFrame:
    """Audit events, newest first (AUDIT_COLUMNS), for finance and admin."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        rows = q.audit_events(session, user=user or None, action=action or None,
                              start=_as_start(start), end=_as_end(end), search=search,
                              limit=limit, offset=offset)
    return _frame([{
        "at": _local(r.at), "actor": r.actor, "action": r.action, "entity": r.entity,
        "entity_key": r.entity_key,
        "details": json.dumps(r.details or {}, ensure_ascii=False, sort_keys=True, default=str),
    } for r in rows], AUDIT_COLUMNS)


def audit_trail_count(db: Database, *, actor, user=None, action=None, start=None, end=None,
                      search=None) -> int:
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        return q.audit_count(session, user=user or None, action=action or None,
                             start=_as_start(start), end=_as_end(end), search=search)


def audit_filters(db: Database, *, actor) -> dict[str, list[str]]:
    """The actors and actions that occur in the trail (for the filter pickers)."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        return {"actors": q.audit_actors(session), "actions": q.audit_actions(session)}
