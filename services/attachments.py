"""Photos kept as evidence with a document: a receipt (GRN) and its lines, QC of a
posted line, a return-to-supplier note, a claim, a refused delivery.

Photos live in the ``attachment`` table beside the document, so the database backup
carries them. Nothing here edits or deletes a photo: once the document is posted
(confirmed, closed) no photo is added to it either.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import (
    Attachment,
    Claim,
    Lot,
    ReceiptLine,
    Receipt,
    RefusedDelivery,
    SupplierReturn,
)
from services import clock
from services.common import audit, clean_text, require_role
from services.errors import Duplicate, InvalidState, NotFound, ValidationError
from services.images import CONTENT_TYPE, CleanPhoto, clean_photo

MAX_PHOTOS_PER_DOCUMENT = 60

# Who may photograph what, by document kind (its number's prefix).
RECEIPT_ROLES = ("receiver", "keeper", "supervisor", "qc")
QC_ROLES = ("qc", "supervisor")
RETURN_ROLES = ("receiver", "keeper", "supervisor", "qc", "purchasing")
CLAIM_ROLES = ("purchasing", "supervisor", "manager", "receiver", "keeper", "qc")
REFUSAL_ROLES = ("receiver", "keeper", "supervisor")
ENTITY_BY_PREFIX = {"GRN": "receipt", "RTS": "supplier_return", "CLM": "claim",
                    "RFD": "refused_delivery"}


@dataclass(frozen=True)
class PhotoInfo:
    id: int
    document: str
    line_no: int | None
    stage: str
    filename: str
    uploaded_by: str
    uploaded_at: datetime
    thumbnail: bytes


def entity_of(document: str) -> str:
    entity = ENTITY_BY_PREFIX.get(document.split("-", 1)[0])
    if entity is None:
        raise NotFound(what="document", key=document)
    return entity


def add_photo(db: Database, *, actor, document, line_no=None, data, filename) -> int:
    """Check, clean and keep one photo of ``document`` (a GRN, RTS, CLM or RFD
    number), optionally of one receipt line. Returns the photo's id."""
    document = clean_text(document, "document", max_len=40, required=True).upper()
    entity = entity_of(document)
    filename = clean_text(filename, "file", max_len=200) or "photo.jpg"
    if line_no is not None and (isinstance(line_no, bool) or not isinstance(line_no, int)
                                or line_no < 1):
        raise ValidationError("invalid", field="line_no", value=str(line_no))
    photo = clean_photo(bytes(data or b""))       # CPU work outside the transaction

    def work(session):
        stage = _may_photograph(session, actor, entity, document, line_no)
        return store_photo(session, actor=actor, entity=entity, document=document,
                           line_no=line_no, photo=photo, filename=filename, stage=stage)

    return db.write(work)


def store_photo(session: Session, *, actor: str, entity: str, document: str,
                line_no: int | None, photo: CleanPhoto, filename: str, stage: str) -> int:
    """Insert a cleaned photo in the caller's transaction (no permission check: the
    caller made it)."""
    sha = hashlib.sha256(photo.content).hexdigest()
    existing = session.scalars(select(Attachment.sha256).where(
        Attachment.entity == entity, Attachment.entity_key == document)).all()
    if sha in existing:
        raise Duplicate("photo_duplicate", field="photo", document=document)
    if len(existing) >= MAX_PHOTOS_PER_DOCUMENT:
        raise ValidationError("too_many_photos", field="photo", max=MAX_PHOTOS_PER_DOCUMENT)
    row = Attachment(entity=entity, entity_key=document, filename=_jpeg_name(filename),
                     sha256=sha, content=photo.content, thumbnail=photo.thumbnail,
                     content_type=CONTENT_TYPE, line_no=line_no, stage=stage,
                     uploaded_by=actor, uploaded_at=clock.now(), note="")
    session.add(row)
    session.flush()
    audit(session, actor, "photo.add", entity, document, line_no=line_no, stage=stage,
          sha256=sha, photo_id=row.id)
    return row.id


def _jpeg_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem[:190]}.jpg"


def _may_photograph(session: Session, actor, entity: str, document: str,
                    line_no: int | None) -> str:
    """The stage the photo belongs to, if ``actor`` may add it now; else raise."""
    if entity == "receipt":
        return _receipt_stage(session, actor, document, line_no)
    if line_no is not None:
        raise ValidationError("invalid", field="line_no", value=str(line_no))
    if entity == "supplier_return":
        require_role(session, actor, *RETURN_ROLES)
        doc = _get(session, SupplierReturn, document)
        if doc.status != "open":
            raise InvalidState("photo_document_closed", number=document, state=doc.status)
        return "return"
    if entity == "claim":
        require_role(session, actor, *CLAIM_ROLES)
        doc = _get(session, Claim, document)
        if doc.status == "closed":
            raise InvalidState("photo_document_closed", number=document, state=doc.status)
        return "claim"
    # A refused delivery is complete when recorded: its photos come with it.
    require_role(session, actor, *REFUSAL_ROLES)
    doc = _get(session, RefusedDelivery, document)
    raise InvalidState("photo_document_closed", number=doc.number, state="refused")


def _receipt_stage(session: Session, actor, document: str, line_no: int | None) -> str:
    receipt = _get(session, Receipt, document)
    if receipt.status == "open":
        require_role(session, actor, *RECEIPT_ROLES)
        if line_no is not None:
            _receipt_line(session, receipt, line_no)
        return "receiving"
    # Posted: only QC adds photos, of a line whose stock still waits in quarantine.
    require_role(session, actor, *QC_ROLES)
    if receipt.status != "posted" or line_no is None:
        raise InvalidState("photo_document_closed", number=document, state=receipt.status)
    line = _receipt_line(session, receipt, line_no)
    lot = session.get(Lot, line.lot_id) if line.lot_id else None
    if lot is None or lot.status != "quarantine" or lot.qty_on_hand <= 0:
        raise InvalidState("photo_document_closed", number=document, state=receipt.status)
    return "qc"


def _receipt_line(session: Session, receipt: Receipt, line_no: int) -> ReceiptLine:
    line = session.scalar(select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.id,
                                                    ReceiptLine.line_no == line_no))
    if line is None:
        raise NotFound(what="receipt_line", key=f"{receipt.number} / {line_no}")
    return line


def _get(session: Session, model, number: str):
    row = session.scalar(select(model).where(model.number == number))
    if row is None:
        raise NotFound(what=model.__tablename__, key=number)
    return row


# --- reading ---------------------------------------------------------------------------
_INFO_COLUMNS = (Attachment.id, Attachment.entity_key, Attachment.line_no, Attachment.stage,
                 Attachment.filename, Attachment.uploaded_by, Attachment.uploaded_at,
                 Attachment.thumbnail)


def list_photos(db: Database, document, *, line_no=None) -> list[PhotoInfo]:
    """The photos of a document (of one line when ``line_no`` is given), oldest first,
    with their thumbnails."""
    document = str(document or "").strip().upper()
    entity = entity_of(document)
    with db.read() as session:
        return photos_of(session, entity, [document], line_no=line_no)


def photos_of(session: Session, entity: str, documents: list[str], *,
              line_no=None) -> list[PhotoInfo]:
    query = (select(*_INFO_COLUMNS)
             .where(Attachment.entity == entity, Attachment.entity_key.in_(documents),
                    Attachment.content_type == CONTENT_TYPE)
             .order_by(Attachment.id))
    if line_no is not None:
        query = query.where(Attachment.line_no == line_no)
    return [PhotoInfo(id=r.id, document=r.entity_key, line_no=r.line_no, stage=r.stage,
                      filename=r.filename, uploaded_by=r.uploaded_by,
                      uploaded_at=r.uploaded_at, thumbnail=r.thumbnail or b"")
            for r in session.execute(query)]


def get_photo(db: Database, photo_id: int) -> bytes:
    """The full-size (cleaned) JPEG of one photo."""
    with db.read() as session:
        content = session.scalar(select(Attachment.content).where(
            Attachment.id == int(photo_id), Attachment.content_type == CONTENT_TYPE))
    if content is None:
        raise NotFound(what="photo", key=str(photo_id))
    return content
