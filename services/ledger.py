"""The ledger writer: the only code that changes stock.

Every change of a lot's quantity or place goes through a ``LedgerWriter`` inside the
caller's transaction. It keeps the three books in step (帐、物、卡): the append-only
``movement`` ledger, the lots' ``qty_on_hand`` and the cached ``stock_balance`` per
item and location. Movements and balance changes are written in bulk on ``flush()``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.bulk import insert_returning_ids
from db.models import Location, Lot
from db.writes.ledger import store_ledger_entries
from services import clock
from services.errors import InvalidState, StockFrozen

# Movement types (signed qty: + into a lot, - out of it).
RECEIPT = "receipt"
ISSUE = "issue"
RETURN = "return"
TRANSFER_OUT = "transfer_out"
TRANSFER_IN = "transfer_in"
QC_OUT = "qc_out"
QC_IN = "qc_in"
REJECT_OUT = "reject_out"
REJECT_IN = "reject_in"
SUPPLIER_RETURN = "supplier_return"
GAIN = "stocktake_gain"
LOSS = "stocktake_loss"
MOVEMENT_TYPES = (
    RECEIPT, ISSUE, RETURN, TRANSFER_OUT, TRANSFER_IN, QC_OUT, QC_IN, REJECT_OUT,
    REJECT_IN, SUPPLIER_RETURN, GAIN, LOSS,
)
INBOUND = {RECEIPT}
OUTBOUND = {ISSUE, SUPPLIER_RETURN}
ADJUSTMENT = {GAIN, LOSS}
INTERNAL = {TRANSFER_OUT, TRANSFER_IN, QC_OUT, QC_IN, REJECT_OUT, REJECT_IN}


_LOTS = Lot.__table__


@dataclass(slots=True)
class LotRef:
    """What the ledger needs of a lot it writes in bulk (no ORM object): lots read as
    plain rows (``take``) or created by ``receive_many``."""

    id: int
    item_id: int
    location_id: int
    unit_cost: Decimal
    qty_on_hand: Decimal


@dataclass
class LedgerWriter:
    """Collects stock changes for one document and writes them on ``flush()``."""

    session: Session
    doc_type: str
    doc_no: str
    actor_id: int | None
    at: datetime = field(default_factory=clock.now)
    # The stocktake that froze a location may itself post into it.
    stocktake_id: int | None = None
    _rows: list[dict] = field(default_factory=list)
    _deltas: dict = field(default_factory=lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    _locations: dict[int, Location] = field(default_factory=dict)
    # New on-hand quantities of LotRef lots, written on flush() (one UPDATE by id).
    _ref_qty: dict[int, Decimal] = field(default_factory=dict)
    _period_open: bool = False

    # --- checks -----------------------------------------------------------
    def location(self, location_id: int) -> Location:
        loc = self._locations.get(location_id)
        if loc is None:
            loc = self.session.get(Location, location_id)
            self._locations[location_id] = loc
        return loc

    def know_location(self, location) -> None:
        """Seed the location cache with a row already read (``id``, ``code``, ``zone``,
        ``frozen_by_stocktake_id``), so the frozen check needs no query."""
        self._locations.setdefault(location.id, location)

    def check_not_frozen(self, location_id: int) -> None:
        loc = self.location(location_id)
        frozen_by = loc.frozen_by_stocktake_id
        if frozen_by is not None and frozen_by != self.stocktake_id:
            raise StockFrozen(location=loc.code, zone=loc.zone)

    # --- stock changes ----------------------------------------------------
    def receive(
        self,
        *,
        item_id: int,
        location_id: int,
        qty: Decimal,
        unit_cost: Decimal,
        lot_no: str = "",
        expiry_date: date | None = None,
        status: str = "available",
        supplier_id: int | None = None,
        received_at: datetime | None = None,
        movement_type: str = RECEIPT,
        note: str = "",
    ) -> Lot:
        """A new lot with ``qty`` on hand."""
        self.check_not_frozen(location_id)
        lot = Lot(
            item_id=item_id, location_id=location_id, lot_no=lot_no or "",
            expiry_date=expiry_date, received_at=received_at or self.at,
            unit_cost=unit_cost, qty_received=qty, qty_on_hand=qty, status=status,
            supplier_id=supplier_id, receipt_number=self.doc_no,
        )
        self.session.add(lot)
        self._record(lot, qty, movement_type, note, new_lot=True)
        return lot

    def receive_many(self, lots: list[dict], movement_type: str = RECEIPT) -> list[LotRef]:
        """New lots in bulk, as ``receive`` for each: one INSERT (ids returned in the
        order given), their movements written on ``flush()``. Each dict holds
        ``receive``'s keyword arguments (``item_id``, ``location_id``, ``qty``,
        ``unit_cost``; optionally ``lot_no``, ``expiry_date``, ``status``,
        ``supplier_id``, ``received_at``, ``note``)."""
        if not lots:
            return []
        for location_id in dict.fromkeys(lot["location_id"] for lot in lots):
            self.check_not_frozen(location_id)
        rows = [{
            "item_id": lot["item_id"], "location_id": lot["location_id"],
            "lot_no": lot.get("lot_no") or "", "expiry_date": lot.get("expiry_date"),
            "received_at": lot.get("received_at") or self.at, "unit_cost": lot["unit_cost"],
            "qty_received": lot["qty"], "qty_on_hand": lot["qty"],
            "status": lot.get("status", "available"), "origin_lot_id": None,
            "supplier_id": lot.get("supplier_id"), "receipt_number": self.doc_no,
        } for lot in lots]
        ids = insert_returning_ids(self.session, _LOTS, rows)
        refs = []
        for lot_id, lot in zip(ids, lots):
            ref = LotRef(lot_id, lot["item_id"], lot["location_id"], lot["unit_cost"], lot["qty"])
            self._record(ref, lot["qty"], movement_type, lot.get("note", ""), new_lot=True)
            refs.append(ref)
        return refs

    def take(self, lot: Lot | LotRef, qty: Decimal, movement_type: str = ISSUE,
             note: str = "") -> Decimal:
        """Remove ``qty`` from a lot; returns the value taken (qty x lot cost)."""
        self.check_not_frozen(lot.location_id)
        if qty > lot.qty_on_hand:
            raise ValueError(f"lot {lot.id} has {lot.qty_on_hand}, cannot take {qty}")
        lot.qty_on_hand -= qty
        if isinstance(lot, LotRef):
            self._ref_qty[lot.id] = lot.qty_on_hand
        return -self._record(lot, -qty, movement_type, note)

    def put(self, lot: Lot, qty: Decimal, movement_type: str = RETURN, note: str = "") -> Decimal:
        """Add ``qty`` back into an existing lot at its own cost."""
        self.check_not_frozen(lot.location_id)
        lot.qty_on_hand += qty
        return self._record(lot, qty, movement_type, note)

    def move(
        self,
        lot: Lot,
        qty: Decimal,
        to_location_id: int,
        *,
        status: str | None = None,
        out_type: str = TRANSFER_OUT,
        in_type: str = TRANSFER_IN,
        note: str = "",
    ) -> Lot:
        """Move ``qty`` of a lot to another location (and/or status), keeping its
        lot no., expiry, received time and cost. Returns the receiving lot."""
        status = status or lot.status
        self.check_not_frozen(to_location_id)
        target = self._sibling_lot(lot, to_location_id, status)
        self.take(lot, qty, out_type, note)
        if target is None:
            target = Lot(
                item_id=lot.item_id, location_id=to_location_id, lot_no=lot.lot_no,
                expiry_date=lot.expiry_date, received_at=lot.received_at,
                unit_cost=lot.unit_cost, qty_received=Decimal(0), qty_on_hand=qty,
                status=status, origin_lot_id=lot.origin_lot_id or lot.id,
                supplier_id=lot.supplier_id, receipt_number=lot.receipt_number,
            )
            self.session.add(target)
            self._record(target, qty, in_type, note, new_lot=True)
        else:
            target.qty_on_hand += qty
            self._record(target, qty, in_type, note)
        return target

    def _sibling_lot(self, lot: Lot, location_id: int, status: str) -> Lot | None:
        """A piece of the same original lot already at the destination."""
        origin = lot.origin_lot_id or lot.id
        return self.session.scalar(
            select(Lot).where(
                Lot.item_id == lot.item_id,
                Lot.location_id == location_id,
                Lot.status == status,
                (Lot.id == origin) | (Lot.origin_lot_id == origin),
            )
        )

    def _record(self, lot: Lot | LotRef, qty: Decimal, movement_type: str, note: str,
                new_lot: bool = False) -> Decimal:
        value = qty * lot.unit_cost
        self._rows.append({
            "lot": lot, "type": movement_type, "qty": qty, "value": value, "note": note,
        })
        delta = self._deltas[(lot.item_id, lot.location_id)]
        delta[0] += qty
        delta[1] += value
        return value

    # --- write ------------------------------------------------------------
    def flush(self) -> int:
        """Write the collected movements and balance changes; returns the count."""
        if not self._rows:
            return 0
        self.session.flush()  # lots get their ids
        lot_quantities = sorted(self._ref_qty.items())
        self._ref_qty.clear()
        store_ledger_entries(
            self.session,
            header={"at": self.at, "doc_type": self.doc_type, "doc_no": self.doc_no,
                    "actor_id": self.actor_id},
            lot_quantities=lot_quantities,
            movements=[self._movement_row(r) for r in self._rows],
            balances=self._balance_rows(),
            require_open=self._require_open, period_checked=self._period_open)
        count = len(self._rows)
        self._rows.clear()
        self._deltas.clear()
        return count

    def _require_open(self, last_closed: str | None) -> None:
        """Months closed by finance (月结) are final: nothing may be dated in them."""
        period = clock.period_of(self.at)
        if last_closed is not None and period <= last_closed:
            raise InvalidState("period_closed", period=period, closed=last_closed)
        self._period_open = True

    def _movement_row(self, row: dict) -> dict:
        lot: Lot | LotRef = row["lot"]
        return {
            "at": self.at, "type": row["type"], "item_id": lot.item_id, "lot_id": lot.id,
            "location_id": lot.location_id, "qty": row["qty"], "unit_cost": lot.unit_cost,
            "value": row["value"], "doc_type": self.doc_type, "doc_no": self.doc_no,
            "actor_id": self.actor_id, "note": row["note"][:200],
        }

    def _balance_rows(self) -> list[dict]:
        return [
            {"item_id": item_id, "location_id": location_id, "qty": qty, "value": value}
            for (item_id, location_id), (qty, value) in sorted(self._deltas.items())
            if qty != 0 or value != 0
        ]
