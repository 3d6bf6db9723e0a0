"""Spot checks (抽盘) and counters' error rates."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from db.queries import stocktake as q
from domain import stocktake as rules

from services.stocktake.common import _load, spot_sample_ids
from services.stocktake.views import SpotSample
from services.stocktake.counting import _rates


def spot_check_sample(db: Database, stocktake, seed=None) -> SpotSample:
    """The seeded sample of sheet lines finance checks on the shelves (30%, rounded
    up, at least one per zone) and the coverage with the shelf picks."""
    with db.read() as session:
        st = _load(session, stocktake)
        seed = st.spot_seed if seed is None else int(seed)
        rows = q.sheet_rows(session, st.id)
        sheet = [r for r in rows if not r.found]
        sample = spot_sample_ids(session, st, seed, rows)
        values = {r.id: r.book_value for r in rows}

        def view(r):
            line = r
            return {"zone": line.zone, "location": r.location, "sku": r.sku, "name": r.name,
                    "spec": r.spec, "unit": r.unit, "spot_qty": line.spot_qty,
                    "spot_by": line.spot_by}

        from_sheet = [view(r) for r in sheet if r.id in sample]
        shelf = [r for r in rows
                 if r.spot_qty is not None and r.id not in sample]
        covered = sample | {r.id for r in shelf}
        return SpotSample(
            seed=seed, sheet_lines=len(sheet), from_sheet=from_sheet,
            shelf_picks=[view(r) for r in shelf],
            shelf_target=rules.ceil_share(len(sheet), rules.SHELF_FRACTION),
            coverage=rules.coverage(values, covered),
        )


def zone_error_rates(db: Database, stocktake) -> dict[str, Decimal]:
    """Every zone of the stocktake: share of its spot-checked lines whose spot count
    differs from the count on the sheet (0 when none differ). Above 0.01 the zone
    must be fully recounted."""
    with db.read() as session:
        return _rates(session, _load(session, stocktake))
