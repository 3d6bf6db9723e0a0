"""The photos of a paper delivery note are kept with the receipt they start (the
attachment store shared with uploaded sheets), in the same transaction."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from services import receiving
from services.errors import ValidationError
from services.photo import evidence
from tests.factories import make_approved_po

PO = "PO-PHOTO-1"


def jpeg(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def po(world):
    make_approved_po(world.db, [("OF-100", 10, "25")], number=PO)
    return PO


def test_every_page_kept_once_with_the_receipt(world, po):
    page1, page2 = jpeg("white"), jpeg("grey")
    grn = receiving.start_receipt(
        world.db, actor="receiver", po_number=po, delivery_note_no="SH-1",
        lines=[{"sku": "OF-100", "qty": "10"}], source_file=page1, filename="p1.jpg",
        photos=[(page1, "p1.jpg"), (page2, "p2.jpg"), (page2, "p2-again.jpg")])
    assert evidence.receipt_photos(world.db, grn) == [("p1.jpg", page1), ("p2.jpg", page2)]


def test_a_non_image_among_the_photos_writes_nothing(world, po):
    with pytest.raises(ValidationError) as caught:
        receiving.start_receipt(
            world.db, actor="receiver", po_number=po, delivery_note_no="SH-2",
            lines=[{"sku": "OF-100", "qty": "10"}],
            photos=[(jpeg("white"), "p1.jpg"), (b"MZ\x90\x00 not a photo", "p2.jpg")])
    assert caught.value.code == "note_photo_unreadable" and caught.value.params["filename"] == "p2.jpg"
    assert receiving.list_receipts(world.db, po_number=po) == []


def test_uploaded_sheets_are_not_shown_as_photos(world, po):
    grn = receiving.start_receipt(
        world.db, actor="receiver", po_number=po, delivery_note_no="SH-3",
        lines=[{"sku": "OF-100", "qty": "10"}], source_file=b"sku,qty\nOF-100,10\n",
        filename="note.csv")
    assert evidence.receipt_photos(world.db, grn) == []
