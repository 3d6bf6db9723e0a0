"""Stocktake rules shared by every step: roles, limits, loading and status checks."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Location, Stocktake, StocktakeStep
from db.queries import stocktake as q
from domain import stocktake as rules
from services import clock
from services.errors import InvalidState, NotFound, PermissionDenied, ValidationError


OPEN_ROLES = ("supervisor",)
COUNT_ROLES = ("keeper", "supervisor")
SPOT_ROLES = ("finance",)
REASON_ROLES = ("supervisor", "finance")
SUBMIT_ROLES = ("supervisor",)
REVIEW_ROLES = ("finance",)
APPROVE_ROLES = ("manager",)
POST_ROLES = ("finance",)
CANCEL_ROLES = ("supervisor", "manager")
# Who may send a stocktake back to counting, by the state it is in.
SEND_BACK_ROLES = {"submitted": ("finance",), "reviewed": ("manager",),
                   "approved": ("finance", "manager")}
LIVE = ("open", "submitted", "reviewed", "approved")
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_NOTE = 500
SHEET_UPLOAD_ROWS = 50_000
# Header words accepted in an uploaded count sheet (en / zh), lower-cased.
SHEET_HEADERS = {
    "location": {"location", "bin", "库位", "货位", "货位号"},
    "sku": {"sku", "配件编码", "编码", "货号"},
    "qty": {"counted qty", "counted_qty", "count", "实盘数量", "盘点数量", "实盘数"},
}
LOT_STATUS_FOR_KIND = {"storage": "available", "quarantine": "quarantine", "hold": "hold"}
ZERO = Decimal(0)
ERROR_RATE_LIMIT = rules.ERROR_RATE_LIMIT
COVERAGE_TARGET = rules.COVERAGE_TARGET


def _clean_period(period: Any) -> str:
    text = str(period or "").strip()
    if not PERIOD_RE.match(text):
        raise ValidationError("invalid_period", field="stocktake_period", value=text)
    return text


def _load(session: Session, number: str, *, for_update: bool = False) -> Stocktake:
    query = select(Stocktake).where(Stocktake.number == str(number or "").strip())
    if for_update:
        query = query.with_for_update()
    stocktake = session.scalar(query)
    if stocktake is None:
        raise NotFound(what="stocktake", key=str(number))
    return stocktake


def _require_status(stocktake: Stocktake, *statuses: str) -> None:
    if stocktake.status not in statuses:
        raise InvalidState(state=stocktake.status, number=stocktake.number)


def _step(session: Session, stocktake: Stocktake, step: str, actor: str, to_status: str,
          comment: str = "") -> None:
    session.add(StocktakeStep(
        stocktake_id=stocktake.id, step=step, from_status=stocktake.status,
        to_status=to_status, actor=actor, at=clock.now(), comment=comment,
    ))
    stocktake.status = to_status


def _unfreeze(session: Session, stocktake: Stocktake) -> None:
    session.execute(
        update(Location).where(Location.frozen_by_stocktake_id == stocktake.id)
        .values(frozen_by_stocktake_id=None).execution_options(synchronize_session=False)
    )


def _not_a_counter(session: Session, stocktake: Stocktake, actor: str, action: str) -> None:
    """Segregation of duties: whoever counted may not review, approve or post."""
    if actor in q.counters(session, stocktake.id):
        raise PermissionDenied("counter_cannot_approve", user=actor, action=action)


def _int(row, name: str) -> int:
    return int(getattr(row, name) or 0) if row is not None else 0


def _check_zone(st: Stocktake, zone: str) -> None:
    if zone not in (st.zones or []):
        raise ValidationError("stocktake_unknown_zone", field="zone", zone=zone)


def spot_sample_ids(session: Session, st: Stocktake, seed: int | None = None,
                    rows: list | None = None) -> set[int]:
    """The sheet lines picked for finance to check on the shelves (the 30% from the
    sheets), by the stocktake's own seed: the same lines every time it is asked.
    ``rows``: the stocktake's sheet rows when the caller has them already."""
    rows = q.sheet_rows(session, st.id) if rows is None else rows
    sheet = [r for r in rows if not r.found]
    return set(rules.spot_sample([(r.id, r.zone) for r in sheet],
                                 st.spot_seed if seed is None else int(seed)))
