"""The delivery-note photos kept with a receipt (the attachment store shared with
uploaded sheets), for viewing later."""
from __future__ import annotations

from sqlalchemy import select

from db import Database
from db.models import Attachment

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def is_photo(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or data[4:12] in (b"ftypheic", b"ftypheix",
                                                            b"ftypmif1", b"ftypheif")


def receipt_photos(db: Database, receipt: str) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every photo attached to the receipt, oldest first."""
    with db.read() as session:
        rows = session.execute(
            select(Attachment.filename, Attachment.content)
            .where(Attachment.entity == "receipt", Attachment.entity_key == str(receipt))
            .order_by(Attachment.id)).all()
    return [(name, bytes(content)) for name, content in rows if is_photo(bytes(content[:16]))]
