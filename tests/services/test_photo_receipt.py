"""The photos of a paper delivery note are kept with the receipt they start, in the
same transaction, cleaned like every photo the product keeps (re-encoded without
EXIF or GPS, with a thumbnail), each page once."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from services import attachments, receiving
from services.errors import Duplicate, ValidationError
from services.photo import evidence
from tests.factories import make_approved_po

PO = "PO-PHOTO-1"


def jpeg(colour, *, gps: bool = False) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
        exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (320, 240), colour).save(out, "JPEG", exif=exif)
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
    kept = evidence.receipt_photos(world.db, grn)
    assert [name for name, _ in kept] == ["p1.jpg", "p2.jpg"]
    for (_, data), colour in zip(kept, ((255, 255, 255), (128, 128, 128))):
        image = Image.open(io.BytesIO(data))
        assert image.size == (320, 240) and not image.getexif()     # no GPS, no maker
        assert all(abs(a - b) <= 2 for a, b in zip(image.getpixel((160, 120)), colour))
    # shown with the receipt's other photos, thumbnails and all
    listed = attachments.list_photos(world.db, grn)
    assert len(listed) == 2 and all(p.thumbnail for p in listed)


def test_a_photo_s_location_is_not_kept(world, po):
    page = jpeg("white", gps=True)
    assert Image.open(io.BytesIO(page)).getexif().get_ifd(0x8825)
    grn = receiving.start_receipt(
        world.db, actor="receiver", po_number=po, delivery_note_no="SH-GPS",
        lines=[{"sku": "OF-100", "qty": "10"}], source_file=page, filename="gps.jpg",
        photos=[(page, "gps.jpg")])
    ((_, data),) = evidence.receipt_photos(world.db, grn)
    assert b"PhoneMaker" not in data and not Image.open(io.BytesIO(data)).getexif()
    # the same photo sent again is still recognised as the same note
    with pytest.raises(Duplicate):
        receiving.start_receipt(
            world.db, actor="receiver", po_number=po, delivery_note_no="SH-GPS-2",
            lines=[{"sku": "OF-100", "qty": "10"}], source_file=page, filename="gps.jpg")


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
