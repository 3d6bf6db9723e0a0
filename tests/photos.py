"""Test photos made on the fly: a JPEG carrying EXIF GPS, hostile images."""
from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825


def carton_jpeg(width: int = 640, height: int = 480, *, gps: bool = True,
                colour=(150, 110, 60)) -> bytes:
    """A brown 'carton' with a dent drawn on it; EXIF with a GPS position and a
    camera serial number when ``gps``."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.polygon([(100, 100), (300, 180), (200, 320)], fill=(60, 40, 20))
    exif = Image.Exif()
    if gps:
        exif[0x0110] = "TabletCam"                 # Model
        exif[0xA431] = "SERIAL-12345"              # BodySerialNumber
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 14.0, 0.0), 3: "E",
                                      4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png_bytes(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A real decompression bomb: a grey PNG of width x height zero pixels (900 MB
    decoded) compressed to well under a megabyte, built without ever holding the
    pixels (streamed through zlib row by row)."""
    compressor = zlib.compressobj(9)
    rows = b"\x00" * (width + 1) * 100      # filter byte + grey pixels, 100 rows
    parts = [compressor.compress(rows) for _ in range(height // 100)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)   # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b""))
