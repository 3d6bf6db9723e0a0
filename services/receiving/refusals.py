"""Refusing a delivery at the dock (拒绝收货), before anything is counted.

004 ㈠4: damaged outer packing, short in original packing or near expiry — the
receiver must refuse the goods and report to purchasing at once. A refusal books
nothing and does not use up the supplier's note number: the same note is received
normally when the supplier delivers again, and that receipt resolves the claim.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from db import Database
from db.models import DeliveryNote, PurchaseOrder, RefusedDelivery
from services import clock
from services.attachments import REFUSAL_ROLES, store_photo
from services.claims import NewClaim, raise_claims
from services.common import audit, clean_text, next_number, require_role
from services.errors import Duplicate, InvalidState, NotFound, ValidationError
from services.images import clean_photo
from services.purchasing import RECEIVABLE_STATUSES

MAX_PHOTOS = 12


def refuse_delivery(db: Database, *, actor, po_number, delivery_note_no, reason, photos=(),
                    driver_name="", packages="", vehicle="") -> str:
    """Record a refused delivery (all of it, or the ``packages`` described) with its
    photos and the driver's name, and open a claim for purchasing. Returns its
    number (RFD-…)."""
    po_number = clean_text(po_number, "po_number", max_len=40, required=True)
    note_no = clean_text(delivery_note_no, "delivery_note_no", max_len=60, required=True)
    reason = clean_text(reason, "reason", max_len=1000, required=True)
    driver_name = clean_text(driver_name, "driver_name", max_len=100)
    packages = clean_text(packages, "packages", max_len=200)
    vehicle = clean_text(vehicle, "vehicle", max_len=40)
    cleaned = _clean_photos(photos)

    def work(session):
        user = require_role(session, actor, *REFUSAL_ROLES)
        order = session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == po_number))
        if order is None:
            raise NotFound(what="purchase_order", key=po_number)
        if order.status not in RECEIVABLE_STATUSES:
            raise InvalidState("po_not_receivable", state=order.status, number=po_number)
        received = session.scalar(select(DeliveryNote).where(
            DeliveryNote.supplier_id == order.supplier_id, DeliveryNote.note_no == note_no))
        if received is not None:
            # Counting has started (or finished): that receipt records the problems.
            raise Duplicate("delivery_note_received", field="delivery_note_no",
                            value=note_no, grn=received.receipt_number, same_file=False)
        now = clock.now()
        number = next_number(session, "RFD", now)
        refusal = RefusedDelivery(
            number=number, supplier_id=order.supplier_id, order_id=order.id,
            delivery_note_no=note_no, reason=reason, packages=packages,
            driver_name=driver_name, vehicle=vehicle, refused_by=user.username,
            refused_at=now)
        session.add(refusal)
        session.flush()
        for filename, photo in cleaned:
            store_photo(session, actor=user.username, entity="refused_delivery",
                        document=number, line_no=None, photo=photo, filename=filename,
                        stage="refusal")
        raise_claims(session, actor=user.username, supplier_id=order.supplier_id,
                     order_id=order.id, delivery_note_no=note_no, refusal_id=refusal.id,
                     claims=[NewClaim(kind="refused", note=reason)])
        audit(session, user.username, "delivery.refuse", "refused_delivery", number,
              po=po_number, note=note_no, packages=packages, driver=driver_name,
              photos=len(cleaned))
        return number

    return db.write(work)


def _clean_photos(photos: Iterable) -> list:
    """(filename, CleanPhoto) for each photo given as bytes or (filename, bytes)."""
    out = []
    for index, photo in enumerate(photos or (), start=1):
        if len(out) >= MAX_PHOTOS:
            raise ValidationError("too_many_photos", field="photo", max=MAX_PHOTOS)
        filename, data = (photo if isinstance(photo, tuple) else (f"photo-{index}.jpg", photo))
        out.append((clean_text(filename, "file", max_len=200) or f"photo-{index}.jpg",
                    clean_photo(bytes(data))))
    return out


def list_refusals(db: Database, *, supplier=None, start=None, end=None) -> list[dict]:
    from db.models import Supplier

    with db.read() as session:
        query = (select(RefusedDelivery, Supplier.code, PurchaseOrder.number)
                 .join(Supplier, Supplier.id == RefusedDelivery.supplier_id)
                 .join(PurchaseOrder, PurchaseOrder.id == RefusedDelivery.order_id)
                 .order_by(RefusedDelivery.refused_at.desc()))
        if supplier:
            query = query.where(Supplier.code == str(supplier).strip().upper())
        if start is not None:
            query = query.where(RefusedDelivery.refused_at >= start)
        if end is not None:
            query = query.where(RefusedDelivery.refused_at < end)
        return [{"number": r.number, "supplier": code, "po_number": po,
                 "delivery_note_no": r.delivery_note_no, "reason": r.reason,
                 "packages": r.packages, "driver_name": r.driver_name,
                 "refused_by": r.refused_by, "refused_at": r.refused_at,
                 "redelivered_receipt": r.redelivered_receipt or ""}
                for r, code, po in session.execute(query)]
