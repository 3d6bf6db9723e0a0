"""Old parts handed back after an exchange (旧件)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import or_, select

from db import Database
from db.models import Issue, IssueLine, Item, OldPart
from services import clock
from services.common import audit, clean_text, require_role
from services.errors import NotFound

from services.issuing.common import ISSUE_ROLES


def list_old_parts(db: Database, *, outstanding_only: bool = True,
                   search: str | None = None) -> pd.DataFrame:
    """The old-parts register: tagged old parts held until handed back to the owner."""
    columns = ["tag", "sku", "name", "issue_number", "reference", "requested_by",
               "received_at", "handed_back_at", "handed_to"]
    with db.read() as session:
        query = (select(OldPart, IssueLine, Issue, Item)
                 .join(IssueLine, IssueLine.id == OldPart.issue_line_id)
                 .join(Issue, Issue.id == IssueLine.issue_id)
                 .join(Item, Item.id == OldPart.item_id)
                 .order_by(OldPart.received_at, OldPart.id))
        if outstanding_only:
            query = query.where(OldPart.handed_back_at.is_(None))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(OldPart.tag.ilike(pattern), Item.sku.ilike(pattern),
                                    Issue.number.ilike(pattern), Issue.reference.ilike(pattern)))
        rows = [[p.tag, item.sku, item.name, issue.number, issue.reference,
                 issue.requested_by, clock.to_local(p.received_at),
                 clock.to_local(p.handed_back_at) if p.handed_back_at else None, p.handed_to]
                for p, _line, issue, item in session.execute(query)]
        return pd.DataFrame(rows, columns=columns)


def hand_back_old_part(db: Database, *, actor, tag, handed_to="") -> None:
    """Record that the tagged old part went back to the vehicle owner."""
    tag = clean_text(tag, "tag", max_len=60, required=True)
    handed_to = clean_text(handed_to, "handed_to", max_len=100)

    def work(session):
        user = require_role(session, actor, *ISSUE_ROLES)
        part = session.scalar(select(OldPart).where(
            OldPart.tag == tag, OldPart.handed_back_at.is_(None)).with_for_update())
        if part is None:
            raise NotFound(what="old_part", key=tag)
        part.handed_back_at = clock.now()
        part.handed_back_by_id = user.id
        part.handed_to = handed_to
        audit(session, actor, "old_part.hand_back", "old_part", tag, handed_to=handed_to)

    db.write(work)
