"""Submit, review, approve or send back a stocktake (审批)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import Database
from db.models import Stocktake, StocktakeLine, StocktakeZone
from db.queries import stocktake as q
from domain import stocktake as rules
from services import clock
from services.common import audit, clean_text, require_role
from services.errors import PermissionDenied, ValidationError

from services.stocktake.common import APPROVE_ROLES, MAX_NOTE, REVIEW_ROLES, SEND_BACK_ROLES, SUBMIT_ROLES, ZERO, _load, _not_a_counter, _require_status, _step
from services.stocktake.counting import _bulk_update_lines, _rates
from services.stocktake.variance import _valuate


def _submit_checks(session: Session, st: Stocktake) -> None:
    progress = q.zone_progress(session, st.id)
    for row in progress:
        missing = int(row.lines) - int(row.counted or 0)
        if missing:
            raise ValidationError("lines_not_counted", zone=row.zone, count=missing)
    for row in progress:
        if int(row.needs_recount or 0):
            raise ValidationError("zone_recount_required", zone=row.zone,
                                  count=int(row.needs_recount))
    forced = dict(session.execute(
        select(StocktakeZone.zone, StocktakeZone.forced_recounts)
        .where(StocktakeZone.stocktake_id == st.id)).all())
    rates = _rates(session, st)
    for zone in rules.zones_over_limit(rates):
        if not forced.get(zone):
            raise ValidationError("zone_error_rate_high", zone=zone,
                                  rate=f"{rates[zone] * 100:.1f}")
    rows = q.sheet_rows(session, st.id)
    sheet = [(r.id, r.zone) for r in rows if not r.found]
    sample = set(rules.spot_sample(sheet, st.spot_seed))
    unchecked = sum(1 for r in rows if r.id in sample
                    and r.spot_qty is None)
    if unchecked:
        raise ValidationError("spot_check_incomplete", count=unchecked)
    covered = sample | {r.id for r in rows if r.spot_qty is not None}
    share = rules.coverage({r.id: r.book_value for r in rows}, covered)
    if any(r.book_value for r in rows) and share < rules.COVERAGE_TARGET:
        raise ValidationError("spot_coverage_low", coverage=f"{share * 100:.1f}",
                              target=f"{rules.COVERAGE_TARGET * 100:.0f}")
    no_reason = sum(1 for r in rows if r.counted_qty != r.book_qty
                    and not r.reason)
    if no_reason:
        raise ValidationError("reasons_missing", count=no_reason)


def _sign(db: Database, *, actor, stocktake, comment, roles: tuple[str, ...], status: str,
          step: str, signed: str, check) -> None:
    """One signature of the chain (submit, review, approve): the role, the stocktake
    locked in the status the step needs, the step's own ``check(session, st)`` (it may
    return details for the audit), then who signed and when, the step, the audit."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE)

    def work(session):
        require_role(session, actor, *roles)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, status)
        details = check(session, st) or {}
        setattr(st, f"{signed}_by", actor)
        setattr(st, f"{signed}_at", clock.now())
        _step(session, st, step, actor, signed, comment)
        audit(session, actor, f"stocktake.{step}", "stocktake", st.number, **details)

    db.write(work)


def submit(db: Database, *, actor, stocktake, comment="") -> None:
    """Supervisor: every line counted, forced recounts done, the spot check complete
    and covering 50% of book value, every variance explained."""
    _sign(db, actor=actor, stocktake=stocktake, comment=comment, roles=SUBMIT_ROLES,
          status="open", step="submit", signed="submitted", check=_submit_checks)


def review(db: Database, *, actor, stocktake, comment="") -> None:
    """Finance has checked the variances and their reasons."""
    def check(session, st):
        _not_a_counter(session, st, actor, "review")
        missing = session.scalar(
            select(StocktakeLine.id).where(
                StocktakeLine.stocktake_id == st.id,
                StocktakeLine.counted_qty != StocktakeLine.book_qty, StocktakeLine.reason == "")
            .limit(1))
        if missing:
            raise ValidationError("reasons_missing", count=1)

    _sign(db, actor=actor, stocktake=stocktake, comment=comment, roles=REVIEW_ROLES,
          status="submitted", step="review", signed="reviewed", check=check)


def approve(db: Database, *, actor, stocktake, comment="") -> None:
    """General manager approves; the valuation is fixed here and posted as is."""
    def check(session, st):
        _not_a_counter(session, st, actor, "approve")
        if actor in (st.submitted_by, st.reviewed_by):
            raise PermissionDenied("approver_not_submitter", user=actor)
        return {"net_value": _fix_valuation(session, st)}

    _sign(db, actor=actor, stocktake=stocktake, comment=comment, roles=APPROVE_ROLES,
          status="reviewed", step="approve", signed="approved", check=check)


def _fix_valuation(session: Session, st: Stocktake):
    """Each line's FIFO unit cost and variance value, written once; the net value."""
    values, _lots = _valuate(session, st, q.sheet_rows(session, st.id))
    session.execute(
        update(StocktakeLine).where(StocktakeLine.stocktake_id == st.id)
        .values(unit_cost=ZERO, variance_value=ZERO)
        .execution_options(synchronize_session=False)
    )
    updates = [{"id": line_id, "unit_cost": cost, "variance_value": value}
               for line_id, (_v, cost, value, _t) in values.items()]
    if updates:
        _bulk_update_lines(session, updates)
    return sum((u["variance_value"] for u in updates), ZERO)


def send_back(db: Database, *, actor, stocktake, comment) -> None:
    """Return a submitted/reviewed/approved stocktake to counting, with a comment."""
    comment = clean_text(comment, "stocktake_comment", max_len=MAX_NOTE, required=True)

    def work(session):
        # Refuse anyone who could never send back before revealing the state.
        user = require_role(session, actor, *sorted({r for rs in SEND_BACK_ROLES.values()
                                                     for r in rs}))
        st = _load(session, stocktake, for_update=True)
        _require_status(st, *SEND_BACK_ROLES)
        require_role(session, actor, *SEND_BACK_ROLES[st.status])
        session.execute(
            update(StocktakeLine).where(StocktakeLine.stocktake_id == st.id)
            .values(unit_cost=None, variance_value=None)
            .execution_options(synchronize_session=False)
        )
        st.submitted_by = st.submitted_at = st.reviewed_by = st.reviewed_at = None
        st.approved_by = st.approved_at = None
        _step(session, st, "send_back", user.username, "open", comment)
        audit(session, actor, "stocktake.send_back", "stocktake", st.number, comment=comment)

    db.write(work)
