"""An issue slip with its lines, FIFO allocations, old parts and audit event."""
from __future__ import annotations

import json

from sqlalchemy import bindparam, insert, text
from sqlalchemy.orm import Session

from db.bulk import insert_returning_ids
from db.models import Issue, IssueAllocation, IssueLine, OldPart
from db.types import Money, UTCDateTime
from db.writes.audit import store_audit_event
from db.writes.common import is_postgresql

_ISSUE_INSERT = insert(Issue.__table__).returning(Issue.__table__.c.id)
_ISSUE_LINE_INSERT = insert(IssueLine.__table__).returning(IssueLine.__table__.c.id)
_ALLOCATION_INSERT = insert(IssueAllocation.__table__)
_OLD_PART_INSERT = insert(OldPart.__table__)
# PostgreSQL: a slip with its lines, allocations, old parts and audit event in one
# statement (arrays unnested; allocations find their line by line_no).
_LINE_ARRAYS = ("line_no", "item_id", "qty_requested", "qty", "total_cost", "old_part_tag")
_ALLOCATION_ARRAYS = ("line_no", "seq", "lot_id", "location_id", "qty", "unit_cost", "value")
_SLIP_POSTGRESQL = text("""
WITH doc AS (
    INSERT INTO issue (number, request_id, at, purpose, reference, requested_by, actor_id,
                       approved_by_id, total_cost, partial, note)
    VALUES (:number, :request_id, :at, :purpose, :reference, :requested_by, :actor_id,
            :approved_by_id, :total_cost, :partial, :note)
    RETURNING id),
lines AS (
    INSERT INTO issue_line (issue_id, line_no, item_id, qty_requested, qty, total_cost,
                            old_part_tag)
    SELECT doc.id, l.line_no, l.item_id, l.qty_requested, l.qty, l.total_cost, l.old_part_tag
    FROM doc, unnest(CAST(:ln_line_no AS integer[]), CAST(:ln_item_id AS integer[]),
                     CAST(:ln_qty_requested AS numeric[]), CAST(:ln_qty AS numeric[]),
                     CAST(:ln_total_cost AS numeric[]), CAST(:ln_old_part_tag AS text[]))
              AS l(line_no, item_id, qty_requested, qty, total_cost, old_part_tag)
    ORDER BY l.line_no
    RETURNING id, line_no, item_id, old_part_tag),
allocations AS (
    INSERT INTO issue_allocation (issue_line_id, seq, lot_id, location_id, qty, unit_cost, value)
    SELECT lines.id, a.seq, a.lot_id, a.location_id, a.qty, a.unit_cost, a.value
    FROM unnest(CAST(:al_line_no AS integer[]), CAST(:al_seq AS integer[]),
                CAST(:al_lot_id AS integer[]), CAST(:al_location_id AS integer[]),
                CAST(:al_qty AS numeric[]), CAST(:al_unit_cost AS numeric[]),
                CAST(:al_value AS numeric[]))
         AS a(line_no, seq, lot_id, location_id, qty, unit_cost, value)
    JOIN lines ON lines.line_no = a.line_no
    ORDER BY a.line_no, a.seq),
old_parts AS (
    INSERT INTO old_part (tag, issue_line_id, item_id, received_at, received_by_id, handed_to)
    SELECT lines.old_part_tag, lines.id, lines.item_id, :at, :actor_id, ''
    FROM lines WHERE lines.old_part_tag <> ''),
event AS (
    INSERT INTO audit_event (at, actor, action, entity, entity_key, details)
    VALUES (:ev_at, :ev_actor, :ev_action, :ev_entity, :ev_entity_key, CAST(:ev_details AS json))
    RETURNING id)
SELECT doc.id AS issue_id, event.id AS audit_id FROM doc, event
""").bindparams(bindparam("at", type_=UTCDateTime()), bindparam("ev_at", type_=UTCDateTime()),
                bindparam("total_cost", type_=Money()))


def store_issue_slip(session: Session, slip: dict, lines: list[dict], allocations: list[dict],
                     event: dict) -> tuple[int, int]:
    """Insert the slip, its lines, allocations (keyed by line_no), old parts and its
    audit event; returns (issue id, audit event id). PostgreSQL: one statement."""
    if is_postgresql(session):
        row = session.execute(_SLIP_POSTGRESQL, {
            **slip,
            **{f"ln_{key}": [line[key] for line in lines] for key in _LINE_ARRAYS},
            **{f"al_{key}": [a[key] for a in allocations] for key in _ALLOCATION_ARRAYS},
            **{f"ev_{key}": value for key, value in event.items() if key != "details"},
            "ev_details": json.dumps(event["details"]),
        }).one()
        return row.issue_id, row.audit_id
    issue_id = session.execute(_ISSUE_INSERT, slip).scalar_one()
    line_ids = _store_lines(session, issue_id, lines)
    by_line_no = {line["line_no"]: line_id for line, line_id in zip(lines, line_ids)}
    session.execute(_ALLOCATION_INSERT, [
        {**{k: v for k, v in a.items() if k != "line_no"},
         "issue_line_id": by_line_no[a["line_no"]]} for a in allocations])
    old_parts = [{"tag": line["old_part_tag"], "issue_line_id": line_id,
                  "item_id": line["item_id"], "received_at": slip["at"],
                  "received_by_id": slip["actor_id"], "handed_back_at": None,
                  "handed_back_by_id": None, "handed_to": ""}
                 for line, line_id in zip(lines, line_ids) if line["old_part_tag"]]
    if old_parts:
        session.execute(_OLD_PART_INSERT, old_parts)
    return issue_id, store_audit_event(session, event)


def _store_lines(session: Session, issue_id: int, lines: list[dict]) -> list[int]:
    rows = [{**line, "issue_id": issue_id} for line in lines]
    if len(rows) == 1:
        return [session.execute(_ISSUE_LINE_INSERT, rows[0]).scalar_one()]
    return insert_returning_ids(session, IssueLine.__table__, rows)
