"""Claim figures of the supplier scorecard: claims per 100 delivered lines, claim
value and credits, time to resolve, refused deliveries; and the same by month."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from db import Database
from db.queries import claims as q
from db.queries import reports as rq
from domain import reports as calc
from services import clock
from services.reports.common import ZERO, _frame
from services.reports.periods import _as_end, _as_start

CLAIM_SCORE_COLUMNS = ["claims", "claims_per_100_lines", "claim_value", "credited_value",
                       "avg_resolve_hours", "refused_deliveries"]
CLAIMS_BY_MONTH_COLUMNS = ["period", "supplier", "name", "claims", "claim_value",
                           "refused_deliveries"]
HOURS = Decimal("0.01")


def claim_scores(session, start_at: datetime | None, end_at: datetime | None,
                 lines: dict[int, int]) -> dict[int, dict]:
    """Per supplier id: the CLAIM_SCORE_COLUMNS over claims raised and deliveries
    refused in [start_at, end_at); ``lines``: delivered lines per supplier id."""
    scores: dict[int, dict] = defaultdict(lambda: {
        "claims": 0, "claim_value": ZERO, "credited_value": ZERO, "resolve_seconds": ZERO,
        "resolved": 0, "refused_deliveries": 0})
    for row in q.claims_raised(session, start_at, end_at):
        entry = scores[row.supplier_id]
        entry["claims"] += 1
        entry["claim_value"] += row.value or ZERO
        entry["credited_value"] += row.credit_amount or ZERO
        if row.resolved_at is not None:
            entry["resolve_seconds"] += Decimal((row.resolved_at - row.raised_at).total_seconds())
            entry["resolved"] += 1
    for row in q.refusals(session, start_at, end_at):
        scores[row.supplier_id]["refused_deliveries"] += 1
    out = {}
    for supplier_id, e in scores.items():
        per_100 = calc.ratio(e["claims"] * 100, lines.get(supplier_id, 0), "0.01")
        hours = (e["resolve_seconds"] / 3600 / e["resolved"]).quantize(HOURS) \
            if e["resolved"] else None
        out[supplier_id] = {"claims": e["claims"], "claims_per_100_lines": per_100,
                            "claim_value": e["claim_value"],
                            "credited_value": e["credited_value"],
                            "avg_resolve_hours": hours,
                            "refused_deliveries": e["refused_deliveries"]}
    return out


def supplier_claims_by_month(db: Database, start: date | datetime | None = None,
                             end: date | datetime | None = None) -> pd.DataFrame:
    """Claims raised and deliveries refused per local month and supplier (the
    scorecard's chart)."""
    start_at, end_at = _as_start(start), _as_end(end)
    with db.read() as session:
        claims = q.claims_raised(session, start_at, end_at)
        refused = q.refusals(session, start_at, end_at)
        suppliers = rq.supplier_names(session)
    table: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"claims": 0, "claim_value": ZERO, "refused_deliveries": 0})
    for row in claims:
        entry = table[clock.period_of(row.raised_at), suppliers[row.supplier_id][0]]
        entry["claims"] += 1
        entry["claim_value"] += row.value or ZERO
    for row in refused:
        table[clock.period_of(row.refused_at), suppliers[row.supplier_id][0]][
            "refused_deliveries"] += 1
    names = dict(suppliers.values())                      # code -> name, for the chart
    records = [{"period": period, "supplier": supplier, "name": names.get(supplier, supplier),
                **values} for (period, supplier), values in sorted(table.items())]
    return _frame(records, CLAIMS_BY_MONTH_COLUMNS)
