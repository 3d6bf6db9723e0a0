"""Bad photos get a clear error before any recognition, in bounded memory: not an
image, damaged, too many megapixels (judged from the header), decompression bombs,
too small, no table; HEIC from an iPhone camera app is read."""
from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import Image

from services.errors import ValidationError
from services.photo import intake
from services.photo.reader import read_delivery_photo

CORPUS = Path(__file__).resolve().parents[1] / "data" / "photos"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=30_000, height=30_000) -> bytes:
    """A ~100 KB PNG declaring 900 megapixels of 1-bit zeros."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body)
            + _png_chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header claims another size (as a 50-MP photo would)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def refused(images, names=None) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        read_delivery_photo(images, names or [f"p{i}.jpg" for i in range(len(images))])
    return caught.value


def test_not_an_image():
    error = refused([b"%PDF-1.7 not a photo at all"], ["note.jpg"])
    assert error.code == "note_photo_unreadable" and error.params["filename"] == "note.jpg"


def test_damaged_jpeg():
    data = (CORPUS / "en_packing_1.jpg").read_bytes()
    assert refused([data[: len(data) // 3]]).code == "note_photo_unreadable"


def test_fifty_megapixels_refused_from_the_header_alone():
    tracemalloc.start()
    error = refused([jpeg_claiming(8660, 5774)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "note_photo_too_many_pixels" and error.params["max_mp"] == 40
    assert peak < 5 * 1024 * 1024


def test_decompression_bomb_refused_without_inflating():
    bomb = png_bomb()
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    error = refused([bomb], ["bomb.png"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "note_photo_too_many_pixels"
    assert peak < 5 * 1024 * 1024


def test_bad_page_refuses_the_whole_batch_before_reading():
    good = (CORPUS / "en_packing_1.jpg").read_bytes()
    error = refused([good, b"garbage"], ["p1.jpg", "p2.jpg"])
    assert error.code == "note_photo_unreadable" and error.params["filename"] == "p2.jpg"


def test_batch_limits():
    assert refused([]).code == "photo_missing"
    assert refused([b"x"] * (intake.MAX_PHOTOS + 1)).code == "photo_too_many"
    assert refused([b"x" * (intake.MAX_PHOTO_BYTES + 1)]).code == "photo_file_too_large"


def test_tiny_image_refused():
    out = io.BytesIO()
    Image.new("RGB", (120, 90), "white").save(out, "PNG")
    assert refused([out.getvalue()], ["tiny.png"]).code == "photo_too_small"


def test_photo_without_a_table():
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (235, 235, 230)).save(out, "JPEG", quality=70)
    error = refused([out.getvalue()], ["wall.jpg"])
    assert error.code == "photo_no_table" and error.params["filename"] == "wall.jpg"


def test_large_phone_photo_is_decoded_downscaled():
    out = io.BytesIO()
    Image.open(CORPUS / "zh_songhuodan_3.jpg").resize((3024, 4032)).save(out, "JPEG", quality=80)
    pixels = intake.load_photo(out.getvalue(), "IMG_0001.jpg")
    assert max(pixels.shape[:2]) == intake.WORK_LONG_SIDE


def test_heic_photo_reads_like_the_jpeg():
    out = io.BytesIO()
    Image.open(CORPUS / "en_packing_1.jpg").save(out, format="HEIF", quality=80)
    sheet = read_delivery_photo([out.getvalue()], ["IMG_0420.HEIC"])
    expected = next(n for n in json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
                    if n["photos"] == ["en_packing_1.jpg"])
    assert sheet.note_no == expected["note_no"]
    assert [line.sku for line in sheet.lines] == [line["sku"] for line in expected["lines"]]
