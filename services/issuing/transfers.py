"""Transfers between bins (移库) and where an item's stock is."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from db import Database
from db.models import Item, Location, Transfer, TransferLine
from domain.allocation import ANY_AVAILABLE, GOOD, ShortStock, allocate
from services import clock
from services.common import audit, clean_text, get_or_404, next_number, require_role, to_decimal
from services.errors import InsufficientStock, ValidationError
from services.ledger import LedgerWriter

from services.issuing.common import ISSUE_ROLES, ZERO, _clean_request_id, _clean_sku, _load_lots, _lot_stock, _replay, plain
from services.issuing.views import AllocationView, TransferView


def transfer(db: Database, *, actor, sku, qty, from_location, to_location, request_id=None,
             note="") -> TransferView:
    """Move stock between bins or warehouses (TRF-YYYY-MM-NNNN), taking the source
    location's lots in FIFO (FEFO) order. Lot no., expiry, received time and cost
    travel with the stock. Moving into a hold area puts the stock on hold (expired
    stock may go there); quarantine areas are for receiving only."""
    sku = _clean_sku(sku)
    qty = to_decimal(qty, "qty", positive=True)
    from_code = clean_text(from_location, "from_location", max_len=40, required=True).upper()
    to_code = clean_text(to_location, "to_location", max_len=40, required=True).upper()
    note = clean_text(note, "note", max_len=200)
    request_id = _clean_request_id(request_id)
    if from_code == to_code:
        raise ValidationError("same_location", field="to_location", location=to_code)

    def work(session: Session) -> TransferView:
        user = require_role(session, actor, *ISSUE_ROLES)
        done = _replay(session, request_id, Transfer, _transfer_view)
        if done is not None:
            return done
        item = get_or_404(session, Item, "item", sku=sku)
        source_loc = get_or_404(session, Location, "location", code=from_code)
        target_loc = _transfer_target(session, to_code)
        source = GOOD if target_loc.kind == "storage" else ANY_AVAILABLE
        db.lock_items(session, [item.id])
        pairs = _load_lots(session, [item.id], source=source, location_id=source_loc.id,
                           for_update=True).get(item.id, [])
        stocks = [_lot_stock(lot, loc) for lot, loc in pairs]
        try:
            chosen = allocate(stocks, qty, policy=item.issue_policy, today=clock.today(),
                              source=source)
        except ShortStock as exc:
            raise InsufficientStock(sku=sku, available=plain(exc.available),
                                    requested=plain(qty), field="qty",
                                    location=from_code) from None
        now = clock.now()
        number = next_number(session, "TRF", now)
        writer = LedgerWriter(session, "transfer", number, user.id, at=now)
        doc = Transfer(number=number, request_id=request_id, item=item,
                       from_location=source_loc, to_location=target_loc, qty=qty,
                       total_cost=ZERO, at=now, actor=user, note=note)
        lots = {lot.id: lot for lot, _loc in pairs}
        status = "hold" if target_loc.kind == "hold" else None
        for seq, a in enumerate(chosen, start=1):
            lot = lots[a.lot.lot_id]
            target = writer.move(lot, a.qty, target_loc.id, status=status, note=note)
            doc.lines.append(TransferLine(seq=seq, from_lot=lot, to_lot=target, qty=a.qty,
                                          unit_cost=lot.unit_cost, value=a.value))
            doc.total_cost += a.value
        session.add(doc)
        writer.flush()
        audit(session, actor, "transfer.post", "transfer", number, sku=sku, qty=qty,
              from_location=from_code, to_location=to_code, request_id=request_id)
        return _transfer_view(doc)

    return db.write(work)


def _transfer_target(session: Session, to_code: str) -> Location:
    """The bin stock moves into: active, and not a quarantine area (receiving only)."""
    target_loc = get_or_404(session, Location, "location", code=to_code)
    if target_loc.kind == "quarantine":
        raise ValidationError("transfer_to_quarantine", field="to_location",
                              location=to_code)
    if not target_loc.active:
        raise ValidationError("location_inactive", field="to_location", location=to_code)
    return target_loc


def _transfer_view(doc: Transfer, replayed=False) -> TransferView:
    lots = tuple(
        AllocationView(lot_id=l.from_lot.id, lot_no=l.from_lot.lot_no,
                       received_at=l.from_lot.received_at, expiry_date=l.from_lot.expiry_date,
                       location=doc.from_location.code, qty=l.qty, unit_cost=l.unit_cost,
                       value=l.value)
        for l in doc.lines)
    return TransferView(number=doc.number, sku=doc.item.sku, qty=doc.qty,
                        from_location=doc.from_location.code,
                        to_location=doc.to_location.code, total_cost=doc.total_cost,
                        lots=lots, replayed=replayed)


def list_transfers(db: Database, *, search: str | None = None, limit: int = 100
                   ) -> pd.DataFrame:
    columns = ["number", "at", "sku", "name", "qty", "from_location", "to_location",
               "total_cost", "actor"]
    with db.read() as session:
        query = (select(Transfer, Item).join(Item, Item.id == Transfer.item_id)
                 .options(selectinload(Transfer.from_location),
                          selectinload(Transfer.to_location), selectinload(Transfer.actor))
                 .order_by(Transfer.at.desc(), Transfer.id.desc()).limit(limit))
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(Transfer.number.ilike(pattern), Item.sku.ilike(pattern)))
        rows = [[t.number, clock.to_local(t.at), item.sku, item.name, t.qty,
                 t.from_location.code, t.to_location.code, t.total_cost, t.actor.username]
                for t, item in session.execute(query)]
        return pd.DataFrame(rows, columns=columns)


def stock_locations(db: Database, sku: str) -> list[dict]:
    """Where an item's available stock sits: location, zone, kind, qty, frozen."""
    sku = _clean_sku(sku)
    today = clock.today()
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=sku)
        pairs = _load_lots(session, [item.id], source=ANY_AVAILABLE).get(item.id, [])
        by_location: dict[str, dict] = {}
        for lot, loc in pairs:
            row = by_location.setdefault(loc.code, {
                "location": loc.code, "zone": loc.zone, "kind": loc.kind, "qty": ZERO,
                "issuable": ZERO, "frozen": loc.frozen_by_stocktake_id is not None})
            row["qty"] += lot.qty_on_hand
            if loc.kind == "storage" and (lot.expiry_date is None or lot.expiry_date >= today):
                row["issuable"] += lot.qty_on_hand
        return sorted(by_location.values(), key=lambda r: r["location"])
