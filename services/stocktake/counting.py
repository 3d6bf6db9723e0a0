"""Counting (盘点): count sheets, entered counts, recounts."""
from __future__ import annotations

from dataclasses import field
from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from db import Database
from db.models import (
    COUNT_ROUNDS,
    Item,
    Location,
    Stocktake,
    StocktakeCount,
    StocktakeLine,
    StocktakeZone,
)
from db.queries import stocktake as q
from domain import stocktake as rules
from services import clock
from services.common import audit, clean_text, load_user, require_role, to_decimal
from services.units import number_or_packs, packs_in_stock_units
from services.errors import PermissionDenied, ValidationError

from services.stocktake.common import COUNT_ROLES, SHEET_HEADERS, SHEET_UPLOAD_ROWS, SPOT_ROLES, ZERO, _check_zone, _load, _require_status, spot_sample_ids
from services.stocktake.views import CountSheetUpload


def count_sheet(db: Database, stocktake, zone) -> list[dict]:
    """The blind count sheet of one zone, sorted by bin: zone, location, sku, name,
    name_zh, spec, unit, found. Never a book quantity or another round's count."""
    with db.read() as session:
        st = _load(session, stocktake)
        _check_zone(st, zone)
        return [
            {"zone": r.zone, "location": r.location, "sku": r.sku, "name": r.name,
             "name_zh": r.name_zh, "spec": r.spec, "unit": r.unit, "found": r.found}
            for r in q.sheet_rows(session, st.id, zone)
        ]


ROUND_COLUMNS = {
    "initial": ("initial_qty", "initial_by", "initial_at"),
    "recount": ("recount_qty", "recount_by", "recount_at"),
    "spot": ("spot_qty", "spot_by", "spot_at"),
}


def count_entries(db: Database, stocktake, zone, round) -> list[dict]:
    """The sheet of one zone with what was entered in ``round`` only (blind to the
    book and to the other rounds): ... qty, counted_by, counted_at, needs_recount."""
    if round not in COUNT_ROUNDS:
        raise ValidationError("invalid_choice", field="count_round", value=str(round))
    qty_col, by_col, at_col = ROUND_COLUMNS[round]
    with db.read() as session:
        st = _load(session, stocktake)
        _check_zone(st, zone)
        out = []
        for r in q.sheet_rows(session, st.id, zone):
            line = r
            out.append({
                "zone": line.zone, "location": r.location, "sku": r.sku, "name": r.name,
                "name_zh": r.name_zh or "", "spec": r.spec, "unit": r.unit, "found": line.found,
                "qty": getattr(line, qty_col), "counted_by": getattr(line, by_col),
                "counted_at": getattr(line, at_col), "needs_recount": line.needs_recount,
            })
        return out


def recount_differences(db: Database, stocktake, zone=None) -> pd.DataFrame:
    """Lines whose recount differs from the initial count, for investigation."""
    with db.read() as session:
        st = _load(session, stocktake)
        rows = [
            {"zone": r.zone, "location": r.location, "sku": r.sku, "name": r.name,
             "initial_qty": r.initial_qty, "initial_by": r.initial_by,
             "recount_qty": r.recount_qty, "recount_by": r.recount_by,
             "difference": r.recount_qty - r.initial_qty}
            for r in q.sheet_rows(session, st.id, zone)
            if r.initial_qty is not None and r.recount_qty is not None
            and r.initial_qty != r.recount_qty
        ]
    return pd.DataFrame(rows, columns=["zone", "location", "sku", "name", "initial_qty",
                                       "initial_by", "recount_qty", "recount_by", "difference"])


def _parse_counts(counts: Iterable[Mapping[str, Any]]) -> tuple[list[tuple], list[dict]]:
    parsed, errors = [], []
    for index, count in enumerate(counts, start=1):
        row = count.get("row", index)
        try:
            sku = clean_text(count.get("sku"), "sku", max_len=40, required=True, row=row).upper()
            location = clean_text(count.get("location"), "location", max_len=40, required=True,
                                  row=row).upper()
            qty = count_qty(count.get("qty"), row)
        except ValidationError as exc:
            errors.append({"row": row, "code": exc.code, "params": exc.params})
            continue
        parsed.append((row, sku, location, qty))
    return parsed, errors


def count_qty(raw, row) -> Decimal | str:
    """A counted quantity: a number in the stock unit, or packs and pieces as counted
    ("3 箱 + 5"), converted once the item is known."""
    return number_or_packs(raw, "qty", row=row, places=3)


def _in_stock_units(session, parsed: list[tuple], items: dict[str, int]) -> list[tuple]:
    """Counts given in pack units converted with the item's own factors (supplier
    sizes do not apply on the shelf); every row that does not convert is reported."""
    # 盘点: counts are real physical quantities, units consistent: a box is its pieces
    in_packs = [(row, items[sku], qty) for row, sku, _l, qty in parsed
                if isinstance(qty, str) and sku in items]
    converted = packs_in_stock_units(session, in_packs)
    return [(row, sku, location, converted.get(row, qty)) for row, sku, location, qty in parsed]


def _raise_errors(errors: list[dict]) -> None:
    if len(errors) == 1:
        raise ValidationError(errors[0]["code"], **errors[0]["params"])
    if errors:
        raise ValidationError("count_rows_invalid", count=len(errors), errors=errors)


def _counter(session: Session, actor_user, counted_by, round: str) -> str:
    """Who physically counted. Only a supervisor types in someone else's count
    (finance for a spot-check partner)."""
    name = clean_text(counted_by, "counted_by", max_len=40).lower() or actor_user.username
    if name == actor_user.username:
        return name
    allowed_typist = ("finance",) if round == "spot" else ("supervisor",)
    if not actor_user.role_names.intersection(allowed_typist):
        raise PermissionDenied("count_for_other_user", user=actor_user.username, counter=name)
    counter = load_user(session, name)
    counter_roles = SPOT_ROLES if round == "spot" else COUNT_ROLES
    if not counter.role_names.intersection(counter_roles):
        raise ValidationError("not_a_counter", field="counted_by", user=name)
    return name


def record_counts(db: Database, *, actor, stocktake, round, counts, counted_by=None,
                  allow_new: bool = False, shelf_pick: bool | None = None) -> dict:
    """Record counts of one round: ``counts`` = [{"sku", "location", "qty"[, "row"]}].

    ``initial``/``recount``: keeper or supervisor; ``spot``: finance. A recount's
    counter must differ from that line's initial counter. ``allow_new`` adds items
    found that are not on the sheet (initial count or a spot check's shelf pick).
    A spot check that puts a zone's error rate above 1% orders a full recount of that
    zone. A spot count names its step with ``shelf_pick``: False (from the sheets:
    only lines of the sample), True (picked on the shelves); None takes either.
    Returns {"recorded": n, "added": n, "recount_zones": [...]}."""
    if round not in COUNT_ROUNDS:
        raise ValidationError("invalid_choice", field="count_round", value=str(round))
    parsed, errors = _parse_counts(counts)
    _raise_errors(errors)
    if not parsed:
        raise ValidationError("required", field="qty")

    def work(session):
        user = require_role(session, actor, *(SPOT_ROLES if round == "spot" else COUNT_ROLES))
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open")
        counter = _counter(session, user, counted_by, round)
        items, locations, lines = _count_targets(session, st, parsed)
        counted = _in_stock_units(session, parsed, items)
        accepted = _check_counts(counted, items, locations, lines, st, round, counter,
                                 allow_new)
        if round == "spot" and shelf_pick is False:
            _only_the_sample(session, st, accepted)
        now = clock.now()
        new_ids = _add_found_lines(session, st, accepted)
        count_rows, line_updates = _count_rows(st, accepted, new_ids, round, counter, actor,
                                               now)
        session.execute(insert(StocktakeCount), count_rows)
        _bulk_update_lines(session, line_updates)
        forced: list[str] = []
        if round == "spot":
            forced = _force_recounts(session, st, {zone for _r, _k, zone, _q, _l in accepted}, now)
        audit(session, actor, f"stocktake.count.{round}", "stocktake", st.number,
              counted_by=counter, lines=len(accepted), added=len(new_ids),
              recount_zones=forced)
        return {"recorded": len(accepted), "added": len(new_ids), "recount_zones": forced}

    return db.write(work)


def _count_targets(session, st: Stocktake, parsed: list[tuple]):
    """The counted SKUs' ids, the locations' (id, zone) by code, and the stocktake's
    lines for them by (item id, location id)."""
    skus = {p[1] for p in parsed}
    codes = {p[2] for p in parsed}
    items = dict(session.execute(select(Item.sku, Item.id).where(Item.sku.in_(skus))).all())
    locations = {code: (loc_id, zone) for code, loc_id, zone in session.execute(
        select(Location.code, Location.id, Location.zone).where(Location.code.in_(codes)))}
    lines = {
        (l.item_id, l.location_id): l
        for l in session.execute(
            select(StocktakeLine.id, StocktakeLine.item_id, StocktakeLine.location_id,
                   StocktakeLine.zone, StocktakeLine.initial_by, StocktakeLine.recount_qty,
                   StocktakeLine.counted_qty)
            .where(StocktakeLine.stocktake_id == st.id,
                   StocktakeLine.item_id.in_(set(items.values()) or {0}),
                   StocktakeLine.location_id.in_({v[0] for v in locations.values()} or {0}))
        )
    }
    return items, locations, lines


def _check_counts(parsed, items, locations, lines, st: Stocktake, round: str, counter: str,
                  allow_new: bool) -> list[tuple]:
    """The counts that may be recorded, as (row, key, zone, qty, line or None); every
    refused row is reported at once."""
    row_errors: list[dict] = []
    accepted: list[tuple] = []
    seen: set = set()

    def fail(row, code, **params):
        row_errors.append({"row": row, "code": code, "params": {"row": row, **params}})

    for row, sku, code, qty in parsed:
        if sku not in items:
            fail(row, "count_unknown_sku", field="sku", sku=sku)
            continue
        if code not in locations:
            fail(row, "count_unknown_location", field="location", location=code)
            continue
        loc_id, zone = locations[code]
        if zone not in st.zones:
            fail(row, "location_not_in_stocktake", field="location", location=code, zone=zone)
            continue
        key = (items[sku], loc_id)
        if key in seen:
            fail(row, "duplicate_count", field="sku", sku=sku, location=code)
            continue
        seen.add(key)
        line = lines.get(key)
        if line is None and not (allow_new and round in ("initial", "spot")):
            fail(row, "not_on_sheet", field="sku", sku=sku, location=code)
            continue
        if line is not None and round == "recount" and line.initial_by == counter:
            fail(row, "recount_same_counter", field="counted_by", sku=sku, location=code,
                 user=counter)
            continue
        if line is not None and round == "spot" and line.counted_qty is None:
            fail(row, "spot_before_count", field="sku", sku=sku, location=code)
            continue
        accepted.append((row, key, zone, qty, line))
    _raise_errors(row_errors)
    return accepted


def _only_the_sample(session, st: Stocktake, accepted: list[tuple]) -> None:
    """盘点: the 30% picked from the sheets is its own step; a line outside the sample
    counted there would silently pass for a shelf pick (the other 20%)."""
    sample = spot_sample_ids(session, st)
    outside = [{"row": row, "code": "not_in_spot_sample",
                "params": {"row": row, "field": "sku", "sku": sku, "location": code}}
               for row, sku, code, line in _accepted_keys(session, accepted)
               if line is None or line.id not in sample]
    _raise_errors(outside)


def _accepted_keys(session, accepted: list[tuple]) -> list[tuple]:
    """(row, sku, location code, line) of accepted counts, for messages."""
    item_ids = {key[0] for _r, key, _z, _q, _l in accepted}
    location_ids = {key[1] for _r, key, _z, _q, _l in accepted}
    skus = dict(session.execute(select(Item.id, Item.sku).where(Item.id.in_(item_ids))).all())
    codes = dict(session.execute(
        select(Location.id, Location.code).where(Location.id.in_(location_ids))).all())
    return [(row, skus[key[0]], codes[key[1]], line) for row, key, _z, _q, line in accepted]


def _add_found_lines(session, st: Stocktake, accepted: list[tuple]) -> dict:
    """Lines for items found that were not on the sheet; their ids by key."""
    new_keys = [(key, zone) for _row, key, zone, _qty, line in accepted if line is None]
    if not new_keys:
        return {}
    new_lines = [StocktakeLine(stocktake_id=st.id, item_id=k[0], location_id=k[1],
                               zone=zone, book_qty=ZERO, book_value=ZERO, found=True)
                 for k, zone in new_keys]
    session.add_all(new_lines)
    session.flush()
    return {(l.item_id, l.location_id): l.id for l in new_lines}


def _count_rows(st: Stocktake, accepted: list[tuple], new_ids: dict, round: str,
                counter: str, actor, now):
    """The count rows to insert and the lines' new values for this round."""
    qty_col, by_col, at_col = ROUND_COLUMNS[round]
    count_rows, line_updates = [], []
    for _row, key, _zone, qty, line in accepted:
        line_id = line.id if line is not None else new_ids[key]
        count_rows.append({"stocktake_id": st.id, "line_id": line_id, "round": round,
                           "qty": qty, "counted_by": counter, "entered_by": actor, "at": now})
        values = {"id": line_id, qty_col: qty, by_col: counter, at_col: now}
        if round == "initial":
            recount = line.recount_qty if line is not None else None
            values["counted_qty"] = rules.final_count(qty, recount)
        elif round == "recount":
            values["counted_qty"] = qty
            values["needs_recount"] = False
        line_updates.append(values)
    return count_rows, line_updates


def _bulk_update_lines(session: Session, rows: list[dict]) -> None:
    """ORM bulk UPDATE by primary key, grouped by the set of columns changed."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        session.execute(update(StocktakeLine), group)


def _rates(session: Session, st: Stocktake) -> dict[str, Decimal]:
    rates = {zone: ZERO for zone in st.zones}
    for row in q.zone_progress(session, st.id):
        rates[row.zone] = rules.error_rate(int(row.spot_checked or 0), int(row.spot_differs or 0))
    return rates


def _force_recounts(session: Session, st: Stocktake, zones: set[str], now: datetime) -> list[str]:
    """Order a full recount of every zone among ``zones`` whose error rate is above
    the limit and which has no recount pending already."""
    progress = {r.zone: r for r in q.zone_progress(session, st.id)}
    forced = []
    for zone in sorted(zones):
        row = progress.get(zone)
        if row is None or int(row.needs_recount or 0) > 0:
            continue
        rate = rules.error_rate(int(row.spot_checked or 0), int(row.spot_differs or 0))
        if rate > rules.ERROR_RATE_LIMIT:
            _order_recount(session, st, zone, now)
            forced.append(zone)
            audit(session, "system", "stocktake.recount_ordered", "stocktake", st.number,
                  zone=zone, error_rate=rate)
    return forced


def _order_recount(session: Session, st: Stocktake, zone: str, now: datetime) -> None:
    session.execute(
        update(StocktakeLine)
        .where(StocktakeLine.stocktake_id == st.id, StocktakeLine.zone == zone)
        .values(needs_recount=True).execution_options(synchronize_session=False)
    )
    session.execute(
        update(StocktakeZone)
        .where(StocktakeZone.stocktake_id == st.id, StocktakeZone.zone == zone)
        .values(forced_recounts=StocktakeZone.forced_recounts + 1, last_forced_at=now)
        .execution_options(synchronize_session=False)
    )


def order_recount(db: Database, *, actor, stocktake, zone) -> None:
    """The supervisor (or finance) orders a full recount of a zone: every line of it
    gets a new recount round."""
    def work(session):
        require_role(session, actor, "supervisor", "finance")
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "open")
        _check_zone(st, zone)
        _order_recount(session, st, zone, clock.now())
        audit(session, actor, "stocktake.recount_ordered", "stocktake", st.number, zone=zone)

    db.write(work)


def read_count_sheet(data: bytes, filename: str) -> CountSheetUpload:
    """Read a filled-in count sheet (xlsx or csv): the header row (en or zh; title
    rows above it allowed) must name location, SKU and counted qty. Rows without a
    qty are skipped (not counted yet); bad rows are listed, good rows returned."""
    from services.uploads import read_table

    rows = read_table(data, filename, max_rows=SHEET_UPLOAD_ROWS)
    header_at, columns = None, {}
    for index, row in enumerate(rows[:20]):
        words = [str(c or "").strip().lower() for c in row]
        found = {name: words.index(w) for name, aliases in SHEET_HEADERS.items()
                 for w in words if w in aliases}
        if len(found) == len(SHEET_HEADERS):
            header_at, columns = index, found
            break
    if header_at is None:
        raise ValidationError("count_sheet_no_header", field="file")
    lines, errors = [], []
    for index in range(header_at + 1, len(rows)):
        row_no = index + 1
        cells = rows[index]

        def cell(name):
            position = columns[name]
            return cells[position] if position < len(cells) else None

        qty = cell("qty")
        if qty is None or str(qty).strip() == "":
            continue
        if isinstance(qty, float):            # a typed number read by the spreadsheet
            qty = repr(qty)
        try:
            qty = count_qty(qty, row_no)                # "3 箱 + 5": converted on recording
            sku = clean_text(cell("sku"), "sku", max_len=40, required=True, row=row_no).upper()
            location = clean_text(cell("location"), "location", max_len=40, required=True,
                                  row=row_no).upper()
        except ValidationError as exc:
            column = exc.params.get("field", "")
            errors.append({"row": row_no, "column": column, "code": exc.code, "params": exc.params})
            continue
        lines.append({"row": row_no, "location": location, "sku": sku, "qty": qty})
    return CountSheetUpload(lines=lines, errors=errors)
