"""Posting approved variances to the ledger (过账) and unfreezing."""
from __future__ import annotations

from db import Database
from db.queries import stocktake as q
from services import clock
from services.common import audit, next_number, require_role
from services.errors import InvalidState, PermissionDenied
from services.ledger import GAIN, LOSS, LedgerWriter

from services.stocktake.common import LOT_STATUS_FOR_KIND, POST_ROLES, ZERO, _load, _not_a_counter, _require_status, _step, _unfreeze
from services.stocktake.views import PostResult
from services.stocktake.variance import _valuate


def post(db: Database, *, actor, stocktake) -> PostResult:
    """Finance posts the approved variances: a gain document (SG-…) and a loss
    document (SL-…) in one transaction, then unfreezes the zones. Losses take lots
    in issue order at that location; gains become a lot at the latest receipt cost.
    A stocktake already posted raises InvalidState(state="posted")."""
    def work(session):
        user = require_role(session, actor, *POST_ROLES)
        st = _load(session, stocktake, for_update=True)
        _require_status(st, "approved")
        _not_a_counter(session, st, actor, "post")
        if actor == st.approved_by:
            raise PermissionDenied("approver_cannot_post", user=actor)
        rows = [r for r in q.sheet_rows(session, st.id)
                if r.counted_qty != r.book_qty]
        db.lock_items(session, {r.item_id for r in rows})
        by_id = {r.id: r for r in rows}
        for line_id, balance in q.balances_for_lines(session, st.id):
            line = by_id[line_id]
            if balance != line.book_qty:
                raise InvalidState("stocktake_book_changed", sku=line.sku, location=line.location)
        values, lot_objects = _valuate(session, st, rows, for_update=True)
        now = clock.now()
        gains = [r for r in rows if values[r.id][0] > 0]
        losses = [r for r in rows if values[r.id][0] < 0]
        gain_no = next_number(session, "SG", now) if gains else ""
        loss_no = next_number(session, "SL", now) if losses else ""
        gain_value = loss_value = ZERO
        if losses:
            writer = LedgerWriter(session, "stocktake_loss", loss_no, user.id, at=now,
                                  stocktake_id=st.id)
            for r in losses:
                for allocation in values[r.id][3]:
                    loss_value -= writer.take(lot_objects[allocation.lot.lot_id],
                                              allocation.qty, LOSS, note=st.number)
            writer.flush()
        if gains:
            writer = LedgerWriter(session, "stocktake_gain", gain_no, user.id, at=now,
                                  stocktake_id=st.id)
            for r in gains:
                line = r
                qty = line.counted_qty - line.book_qty
                writer.receive(item_id=line.item_id, location_id=line.location_id, qty=qty,
                               unit_cost=line.unit_cost, lot_no=gain_no,
                               status=LOT_STATUS_FOR_KIND.get(r.kind, "available"),
                               movement_type=GAIN, note=st.number)
                gain_value += qty * line.unit_cost
            writer.flush()
        _unfreeze(session, st)
        st.posted_by, st.posted_at = actor, now
        st.gain_doc_no, st.loss_doc_no = gain_no, loss_no
        _step(session, st, "post", actor, "posted")
        audit(session, actor, "stocktake.post", "stocktake", st.number, gain_doc=gain_no,
              loss_doc=loss_no, gain_value=gain_value, loss_value=loss_value)
        return PostResult(gain_no, loss_no, gain_value, loss_value)

    return db.write(work)
