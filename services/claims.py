"""Supplier claims: every discrepancy found at receiving, QC or the dock becomes a
claim with an owner and a deadline, followed until it is closed.

    open → with_supplier → credited | replaced | returned | written_off → closed

Claims are raised by posting a receipt (one per discrepancy line), by a failed QC
and by refusing a delivery; purchasing owns them. A replacement delivery received
against a claim resolves it as ``replaced``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Iterable

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import (
    CLAIM_KINDS,
    CLAIM_STATUSES,
    Claim,
    ClaimEvent,
    PurchaseOrder,
    Receipt,
    RefusedDelivery,
    Supplier,
    SupplierReturn,
)
from services import clock
from services.attachments import PhotoInfo, photos_of
from services.calendar import due_one_working_day_after
from services.common import (
    PRICE_PLACES,
    audit,
    clean_text,
    load_user,
    next_number,
    require_role,
    to_decimal,
)
from services.errors import (
    ApprovalRequired,
    InvalidState,
    NotFound,
    PermissionDenied,
    ValidationError,
)

ZERO = Decimal(0)
RESOLVED = ("credited", "replaced", "returned", "written_off")
UNRESOLVED = ("open", "with_supplier")
# Where a claim may go next, and who moves it there.
TRANSITIONS = {
    "open": ("with_supplier", "credited", "returned", "written_off"),
    "with_supplier": ("credited", "returned", "written_off"),
    "credited": ("closed",),
    "replaced": ("closed",),
    "returned": ("closed",),
    "written_off": ("closed",),
    "closed": (),
}
ROLES_FOR = {
    "with_supplier": ("purchasing",),
    "credited": ("purchasing",),
    "returned": ("purchasing",),
    "written_off": ("purchasing", "supervisor"),   # + a manager's approval with proof
    "closed": ("purchasing", "manager"),
}
APPROVER_ROLES = ("manager",)
DEFAULT_OWNER = "purchasing"       # the role that owns a claim nobody has taken yet
READ_ROLES = ("purchasing", "supervisor", "manager", "finance", "receiver", "keeper", "qc")
MAX_CREDIT = Decimal("100000000")

# A posted receipt's discrepancy flag -> the claim it raises (None: no claim).
KIND_OF_FLAG = {
    "SHORT": "short", "DAMAGED": "damaged", "OVER_PO": "over", "OVER_COUNT": "over",
    "NOT_ON_PO": "wrong_item", "PRICE_MISMATCH": "price", "NEAR_EXPIRY": "near_expiry",
    "EXPIRED": "expired",
}


@dataclass(frozen=True)
class ClaimEventView:
    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str
    credit_amount: Decimal | None
    approved_by: str | None


@dataclass(frozen=True)
class ClaimLine:
    line_no: int | None
    sku: str
    name: str
    qty: Decimal
    unit_price: Decimal
    value: Decimal


@dataclass(frozen=True)
class ClaimView:
    number: str
    kind: str
    status: str
    owner: str
    supplier: str
    supplier_name: str
    po_number: str
    receipt: str
    delivery_note_no: str
    return_number: str
    refusal: str
    raised_by: str
    raised_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    credit_amount: Decimal | None
    replaced_by_receipt: str
    value: Decimal
    lines: list[ClaimLine]
    events: list[ClaimEventView]
    photos: list[PhotoInfo] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return is_overdue(self.status, self.due_at, clock.now())


def is_overdue(status: str, due_at: datetime, now: datetime) -> bool:
    return status != "closed" and due_at < now


# --- raising claims (inside the caller's transaction) --------------------------------
@dataclass(frozen=True)
class NewClaim:
    kind: str
    qty: Decimal = ZERO
    unit_price: Decimal = ZERO
    value: Decimal = ZERO
    line_no: int | None = None
    sku: str = ""
    name: str = ""
    note: str = ""
    goes_back: bool = False          # the goods wait on the return note for the supplier


def raise_claims(session: Session, *, actor: str, supplier_id: int, claims: Iterable[NewClaim],
                 order_id: int | None = None, receipt_id: int | None = None,
                 delivery_note_no: str = "", return_number: str | None = None,
                 refusal_id: int | None = None) -> list[str]:
    """Open one claim per discrepancy, owned by purchasing, due one working day
    after now. Returns their numbers."""
    claims = list(claims)
    if not claims:
        return []
    now = clock.now()
    due = due_one_working_day_after(session, now)
    numbers = []
    for new in claims:
        if new.kind not in CLAIM_KINDS:
            raise ValueError(f"unknown claim kind {new.kind!r}")
        number = next_number(session, "CLM", now)
        claim = Claim(number=number, kind=new.kind, status="open", supplier_id=supplier_id,
                      order_id=order_id, receipt_id=receipt_id, receipt_line_no=new.line_no,
                      refusal_id=refusal_id,
                      return_number=return_number if new.goes_back else None,
                      delivery_note_no=delivery_note_no, sku=new.sku, name=new.name[:200],
                      qty=new.qty, unit_price=new.unit_price, value=new.value,
                      owner="", raised_by=actor, raised_at=now, due_at=due)
        claim.events.append(ClaimEvent(at=now, actor=actor, from_status="", to_status="open",
                                       note=new.note))
        session.add(claim)
        numbers.append(number)
    if numbers:
        session.flush()
        audit(session, actor, "claim.raise", "claim", numbers[0], claims=numbers,
              receipt_id=receipt_id, refusal_id=refusal_id)
    return numbers


def claims_for_discrepancies(lines: Iterable[dict], discrepancies: Iterable[dict]) -> list[NewClaim]:
    """The claims a posted receipt raises: one per discrepancy row that the supplier
    owes us something for. ``lines`` by line_no: sku, name, unit_price (the PO's),
    note_unit_price, counted_qty; ``discrepancies``: line_no, flag, qty, outcome."""
    by_no = {line["line_no"]: line for line in lines}
    out = []
    for row in discrepancies:
        kind = KIND_OF_FLAG.get(row["flag"])
        line = by_no[row["line_no"]]
        if kind is None or (kind in ("near_expiry", "over") and row["outcome"] == "approved"):
            continue
        po_price = line.get("unit_price") or line.get("note_unit_price") or ZERO
        if kind == "price":
            qty = line.get("counted_qty") or ZERO
            unit = abs((line.get("note_unit_price") or ZERO) - po_price)
        else:
            qty, unit = row["qty"], po_price
        if kind != "price" and qty <= 0:
            continue
        out.append(NewClaim(kind=kind, qty=qty, unit_price=unit, value=qty * unit,
                            line_no=row["line_no"], sku=line["sku"], name=line.get("name", ""),
                            note=row["flag"], goes_back=row["outcome"] == "rejected"))
    return out


def link_replacement(session: Session, *, claim_number: str, supplier_id: int,
                     receipt_number: str) -> None:
    """A receipt is started for the replacement goods of a claim: posting it will
    resolve the claim. The claim must be the same supplier's and still unresolved."""
    claim = session.scalar(select(Claim).where(Claim.number == claim_number)
                           .with_for_update())
    if claim is None:
        raise NotFound(what="claim", key=claim_number)
    if claim.supplier_id != supplier_id:
        raise ValidationError("claim_other_supplier", field="claim", number=claim_number)
    if claim.status not in UNRESOLVED:
        raise InvalidState("claim_transition", number=claim_number, state=claim.status,
                           to="replaced")
    claim.replaced_by_receipt = receipt_number


def resolve_by_replacement(session: Session, *, actor: str, supplier_id: int,
                           delivery_note_no: str, receipt_number: str) -> list[str]:
    """A replacement delivery was posted: the claims it was received against, and
    the refusal claims of the same supplier note, are resolved as ``replaced`` and
    closed. Returns their numbers."""
    refused_note = (Claim.kind == "refused") & (Claim.supplier_id == supplier_id) \
        & (Claim.delivery_note_no == delivery_note_no)
    linked = Claim.replaced_by_receipt == receipt_number
    query = (select(Claim).where(Claim.status.in_(UNRESOLVED), refused_note | linked)
             .order_by(Claim.id).with_for_update())
    now = clock.now()
    done = []
    for claim in session.scalars(query):
        _move(session, claim, actor, "replaced", now, note=receipt_number)
        _move(session, claim, actor, "closed", now, note=receipt_number)
        claim.replaced_by_receipt = receipt_number
        done.append(claim.number)
        if claim.refusal_id is not None:
            refusal = session.get(RefusedDelivery, claim.refusal_id)
            refusal.redelivered_receipt = refusal.redelivered_receipt or receipt_number
    if done:
        audit(session, actor, "claim.replaced", "claim", done[0], claims=done,
              receipt=receipt_number)
    return done


# --- reading ----------------------------------------------------------------------------
LIST_COLUMNS = ["number", "kind", "status", "supplier", "supplier_name", "po_number", "receipt",
                "line_no", "sku", "name", "qty", "value", "credit_amount", "owner",
                "raised_at", "due_at", "overdue", "age_hours"]


def list_claims(db: Database, *, status=None, supplier=None, overdue=None,
                start=None, end=None, po_number=None) -> pd.DataFrame:
    """Claims, newest first. ``status``: one status, a list, "not_closed" or "resolved";
    ``supplier``: its code; ``po_number``: the order; ``overdue``: True/False filters
    on being past due."""
    statuses = _statuses(status)
    now = clock.now()
    with db.read() as session:
        query = (select(Claim, Supplier.code, Supplier.name, Receipt.number,
                        PurchaseOrder.number)
                 .join(Supplier, Supplier.id == Claim.supplier_id)
                 .outerjoin(Receipt, Receipt.id == Claim.receipt_id)
                 .outerjoin(PurchaseOrder, PurchaseOrder.id == Claim.order_id)
                 .order_by(Claim.raised_at.desc(), Claim.id.desc()))
        if statuses:
            query = query.where(Claim.status.in_(statuses))
        if supplier:
            query = query.where(Supplier.code == str(supplier).strip().upper())
        if po_number:
            query = query.where(PurchaseOrder.number == str(po_number).strip())
        if start is not None:
            query = query.where(Claim.raised_at >= start)
        if end is not None:
            query = query.where(Claim.raised_at < end)
        if overdue is True:
            query = query.where(Claim.status != "closed", Claim.due_at < now)
        elif overdue is False:
            query = query.where((Claim.status == "closed") | (Claim.due_at >= now))
        rows = [{
            "number": c.number, "kind": c.kind, "status": c.status, "supplier": code,
            "supplier_name": name, "po_number": po or "", "receipt": grn or "",
            "line_no": c.receipt_line_no,
            "sku": c.sku, "name": c.name, "qty": c.qty, "value": c.value,
            "credit_amount": c.credit_amount, "owner": c.owner or DEFAULT_OWNER, "raised_at": c.raised_at,
            "due_at": c.due_at, "overdue": is_overdue(c.status, c.due_at, now),
            "age_hours": int((now - c.raised_at).total_seconds() // 3600),
        } for c, code, name, grn, po in session.execute(query)]
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def _statuses(status) -> tuple[str, ...]:
    if status in (None, "", "all"):
        return ()
    if status == "not_closed":
        return ("open", "with_supplier", *RESOLVED)      # not yet closed
    if status == "resolved":
        return RESOLVED
    wanted = (status,) if isinstance(status, str) else tuple(status)
    for value in wanted:
        if value not in CLAIM_STATUSES:
            raise ValidationError("invalid", field="status", value=str(value))
    return wanted


def get_claim(db: Database, number) -> ClaimView:
    number = str(number or "").strip().upper()
    with db.read() as session:
        claim = session.scalar(select(Claim).where(Claim.number == number))
        if claim is None:
            raise NotFound(what="claim", key=number)
        return claim_view(session, claim)


def claim_view(session: Session, claim: Claim) -> ClaimView:
    supplier = session.get(Supplier, claim.supplier_id)
    order = session.get(PurchaseOrder, claim.order_id) if claim.order_id else None
    receipt = session.get(Receipt, claim.receipt_id) if claim.receipt_id else None
    refusal = session.get(RefusedDelivery, claim.refusal_id) if claim.refusal_id else None
    photos = []
    if receipt is not None:
        photos += [p for p in photos_of(session, "receipt", [receipt.number])
                   if p.line_no in (None, claim.receipt_line_no)]
    if refusal is not None:
        photos += photos_of(session, "refused_delivery", [refusal.number])
    if claim.return_number:
        photos += photos_of(session, "supplier_return", [claim.return_number])
    photos += photos_of(session, "claim", [claim.number])
    line = ClaimLine(line_no=claim.receipt_line_no, sku=claim.sku, name=claim.name,
                     qty=claim.qty, unit_price=claim.unit_price, value=claim.value)
    return ClaimView(
        number=claim.number, kind=claim.kind, status=claim.status,
        owner=claim.owner or DEFAULT_OWNER,
        supplier=supplier.code, supplier_name=supplier.name,
        po_number=order.number if order else "", receipt=receipt.number if receipt else "",
        delivery_note_no=claim.delivery_note_no, return_number=claim.return_number or "",
        refusal=refusal.number if refusal else "", raised_by=claim.raised_by,
        raised_at=claim.raised_at, due_at=claim.due_at, resolved_at=claim.resolved_at,
        closed_at=claim.closed_at, credit_amount=claim.credit_amount,
        replaced_by_receipt=claim.replaced_by_receipt or "", value=claim.value,
        lines=[line] if claim.sku or claim.qty else [],
        events=[ClaimEventView(at=e.at, actor=e.actor, from_status=e.from_status,
                               to_status=e.to_status, note=e.note,
                               credit_amount=e.credit_amount, approved_by=e.approved_by)
                for e in claim.events],
        photos=photos)


# --- moving a claim on --------------------------------------------------------------------
def update_claim(db: Database, *, actor, number, status, note="", credit_amount=None,
                 approved_by=None, approver_password=None) -> ClaimView:
    """Move a claim to ``status``. A credit note needs its amount; a write-off needs
    a reason and a manager's approval proven by the manager's password."""
    number = clean_text(number, "claim", max_len=40, required=True).upper()
    if status not in CLAIM_STATUSES:
        raise ValidationError("invalid", field="status", value=str(status))
    note = clean_text(note, "note", max_len=1000, required=status == "written_off")
    credit = None
    if status == "credited":
        if credit_amount in (None, ""):
            raise ValidationError("required", field="credit_amount")
        credit = to_decimal(credit_amount, "credit_amount", places=PRICE_PLACES,
                            positive=True, maximum=MAX_CREDIT)
    elif credit_amount not in (None, ""):
        raise ValidationError("invalid", field="credit_amount", value=str(credit_amount))
    approver = _approver(db, actor, status, approved_by, approver_password)

    def work(session):
        user = require_role(session, actor, *ROLES_FOR.get(status, ("purchasing",)))
        claim = session.scalar(select(Claim).where(Claim.number == number).with_for_update())
        if claim is None:
            raise NotFound(what="claim", key=number)
        _check_transition(session, claim, status)
        if approver is not None:
            if approver == user.username:       # a second person signs
                raise ValidationError("approver_same_user", field="approved_by", user=approver)
            manager = load_user(session, approver)
            if not manager.role_names.intersection(APPROVER_ROLES):
                raise PermissionDenied("claim_approver_role", field="approved_by",
                                       user=approver)
        now = clock.now()
        _move(session, claim, user.username, status, now, note=note, credit=credit,
              approved_by=approver)
        if "purchasing" in user.role_names and not claim.owner:
            claim.owner = user.username        # the buyer who acts on it owns it now
        audit(session, user.username, f"claim.{status}", "claim", number, note=note,
              credit_amount=credit, approved_by=approver)
        return claim_view(session, claim)

    return db.write(work)


def _approver(db: Database, actor, status: str, approved_by, password) -> str | None:
    """The manager approving a write-off, authenticated here (second signature)."""
    if status != "written_off":
        return None
    approved_by = clean_text(approved_by, "approved_by", max_len=40).lower()
    if not approved_by or password in (None, ""):
        raise ApprovalRequired("claim_write_off_approval", field="approved_by",
                               what="written_off")
    from services.users import authenticate

    if authenticate(db, approved_by, password) is None:
        raise PermissionDenied("approver_auth_failed", field="approved_by", user=approved_by)
    return approved_by


def _check_transition(session: Session, claim: Claim, status: str) -> None:
    if status == "replaced":
        # Only receiving the replacement delivery resolves a claim as replaced.
        raise InvalidState("claim_replaced_by_receipt", number=claim.number,
                           state=claim.status)
    if status not in TRANSITIONS[claim.status]:
        raise InvalidState("claim_transition", number=claim.number, state=claim.status,
                           to=status)
    if status == "returned":
        doc = session.scalar(select(SupplierReturn).where(
            SupplierReturn.number == (claim.return_number or "")))
        if doc is None or doc.status != "confirmed":
            raise InvalidState("claim_return_not_confirmed", number=claim.number,
                               document=claim.return_number or "")


def _move(session: Session, claim: Claim, actor: str, status: str, now: datetime, *,
          note: str = "", credit: Decimal | None = None, approved_by: str | None = None) -> None:
    claim.events.append(ClaimEvent(at=now, actor=actor, from_status=claim.status,
                                   to_status=status, note=note, credit_amount=credit,
                                   approved_by=approved_by))
    claim.status = status
    if credit is not None:
        claim.credit_amount = credit
    if status in RESOLVED:
        claim.resolved_at = now
    if status == "closed":
        claim.closed_at = now
    else:
        # 004 ㈠8: each step within one working day — the next step is due then.
        claim.due_at = due_one_working_day_after(session, now)


def overdue_summary(db: Database) -> dict:
    """Unclosed claims past due: count and the oldest age in hours (home tile)."""
    frame = list_claims(db, overdue=True)
    return {"count": len(frame), "oldest_hours": int(frame["age_hours"].max()) if len(frame) else 0,
            "rows": frame}



def next_statuses(status: str, roles) -> list[str]:
    """The statuses a user with ``roles`` may move a claim in ``status`` to."""
    return [s for s in TRANSITIONS.get(status, ())
            if set(ROLES_FOR.get(s, ())).intersection(roles)]
