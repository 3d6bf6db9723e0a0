"""Returns to stock (退库) against an issue slip."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db import Database
from db.models import Issue, IssueAllocation, IssueLine, Item, Lot, StockReturn, StockReturnLine
from db.queries import issuing as q
from services import clock
from services.common import audit, clean_text, get_or_404, next_number, require_role, to_decimal
from services.errors import NotFound, ValidationError
from services.ledger import RETURN, LedgerWriter

from services.issuing.common import ISSUE_ROLES, ZERO, _clean_request_id, _clean_sku, _replay, plain
from services.issuing.views import AllocationView, ReturnView
from services.issuing.slips import _issue_query


def returnable(db: Database, issue_number: str) -> list[dict]:
    """Per SKU on an issue: issued, already returned, still returnable."""
    with db.read() as session:
        issue = session.scalar(_issue_query().where(Issue.number == (issue_number or "").strip()))
        if issue is None:
            raise NotFound(what="issue", key=issue_number)
        ids = [a.id for line in issue.lines for a in line.allocations]
        returned = q.returned_by_allocation(session, ids)
        out = []
        for line in issue.lines:
            back = sum((returned.get(a.id, ZERO) for a in line.allocations), ZERO)
            out.append({"sku": line.item.sku, "name": line.item.name, "unit": line.item.unit,
                        "issued": line.qty, "returned": back, "returnable": line.qty - back})
        return out


def return_to_stock(db: Database, *, actor, issue_number, sku, qty, request_id=None,
                    note="") -> ReturnView:
    """Unused parts back into the lots they were issued from, at those lots' cost.

    The newest lot the issue consumed is refilled first (undoing the issue's tail).
    Never more than issued minus already returned."""
    sku = _clean_sku(sku)
    qty = to_decimal(qty, "qty", positive=True)
    issue_number = clean_text(issue_number, "issue_number", max_len=30, required=True)
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)

    def work(session: Session) -> ReturnView:
        user = require_role(session, actor, *ISSUE_ROLES)
        done = _replay(session, request_id, StockReturn, _return_view)
        if done is not None:
            return done
        issue = get_or_404(session, Issue, "issue", number=issue_number)
        item = get_or_404(session, Item, "item", sku=sku)
        db.lock_items(session, [item.id])
        allocations = session.scalars(
            select(IssueAllocation).join(IssueLine)
            .where(IssueLine.issue_id == issue.id, IssueLine.item_id == item.id)
            .order_by(IssueLine.line_no, IssueAllocation.seq)).all()
        if not allocations:
            raise ValidationError("not_on_issue", field="sku", sku=sku, issue=issue_number)
        returned = q.returned_by_allocation(session, [a.id for a in allocations])
        issued = sum((a.qty for a in allocations), ZERO)
        already = sum(returned.values(), ZERO)
        if qty > issued - already:
            raise ValidationError("return_exceeds_issued", field="qty", sku=sku,
                                  issued=plain(issued), returned=plain(already),
                                  requested=plain(qty))
        lots = {lot.id: lot for lot in session.scalars(
            select(Lot).where(Lot.id.in_([a.lot_id for a in allocations]))
            .order_by(Lot.id).with_for_update())}
        now = clock.now()
        number = next_number(session, "RET", now)
        writer = LedgerWriter(session, "stock_return", number, user.id, at=now)
        doc = StockReturn(number=number, request_id=request_id, issue=issue, item=item,
                          qty=qty, total_cost=ZERO, at=now, actor=user, note=note)
        left = qty
        for a in reversed(allocations):
            room = a.qty - returned.get(a.id, ZERO)
            if left <= 0 or room <= 0:
                continue
            back = min(room, left)
            lot = lots[a.lot_id]
            value = writer.put(lot, back, RETURN, note=issue_number)
            doc.lines.append(StockReturnLine(allocation_id=a.id, lot=lot, qty=back,
                                             unit_cost=lot.unit_cost, value=value))
            doc.total_cost += value
            left -= back
        session.add(doc)
        writer.flush()
        audit(session, actor, "issue.return", "stock_return", number, issue=issue_number,
              sku=sku, qty=qty, total_cost=doc.total_cost, request_id=request_id)
        return _return_view(doc)

    return db.write(work)


def _return_view(doc: StockReturn, replayed=False) -> ReturnView:
    lots = tuple(
        AllocationView(lot_id=l.lot.id, lot_no=l.lot.lot_no, received_at=l.lot.received_at,
                       expiry_date=l.lot.expiry_date, location=l.lot.location.code, qty=l.qty,
                       unit_cost=l.unit_cost, value=l.value)
        for l in doc.lines)
    return ReturnView(number=doc.number, issue_number=doc.issue.number, sku=doc.item.sku,
                      qty=doc.qty, total_cost=doc.total_cost, lots=lots, replayed=replayed)


def list_returns(db: Database, *, issue_number: str | None = None, limit: int = 100
                 ) -> pd.DataFrame:
    columns = ["number", "at", "issue_number", "sku", "name", "qty", "total_cost", "actor"]
    with db.read() as session:
        query = (select(StockReturn).options(selectinload(StockReturn.issue),
                                             selectinload(StockReturn.item),
                                             selectinload(StockReturn.actor))
                 .order_by(StockReturn.at.desc(), StockReturn.id.desc()).limit(limit))
        if issue_number:
            query = query.join(Issue).where(Issue.number == issue_number.strip())
        rows = [[r.number, clock.to_local(r.at), r.issue.number, r.item.sku, r.item.name,
                 r.qty, r.total_cost, r.actor.username] for r in session.scalars(query)]
        return pd.DataFrame(rows, columns=columns)
