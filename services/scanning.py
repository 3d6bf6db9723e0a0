"""Reading barcodes and QR codes from a photo (the tablet's camera), server-side
with zxing-cpp: EAN-13/UPC-A, Code 128, QR Code and Data Matrix."""
from __future__ import annotations

import io
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import ValidationError
from services.uploads import check_size

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000          # refuse decompression bombs before decoding
F = zxingcpp.BarcodeFormat
FORMATS = (F.EAN13, F.UPCA, F.EAN8, F.Code128, F.QRCode, F.DataMatrix)
# What the UI shows for a format (zxing-cpp's own names vary between releases).
FORMAT_NAMES = {F.EAN13: "EAN-13", F.UPCA: "UPC-A", F.EAN8: "EAN-8", F.Code128: "Code 128",
                F.QRCode: "QR", F.DataMatrix: "Data Matrix"}


@dataclass(frozen=True)
class Symbol:
    format: str
    text: str


def open_photo(data: bytes) -> Image.Image:
    """A photo as a grayscale PIL image, upright; unreadable or huge files refused."""
    check_size(data, MAX_PHOTO_BYTES)
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise ValidationError("photo_too_large", field="photo")
        image = ImageOps.exif_transpose(image)
        return image.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError("unreadable_photo", field="photo") from exc


def read_symbols(data: bytes) -> list[Symbol]:
    """Every barcode found in the photo, in reading order (may be empty)."""
    image = open_photo(data)
    found = zxingcpp.read_barcodes(image, formats=FORMATS)
    return [Symbol(FORMAT_NAMES.get(code.format, str(code.format)), code.text)
            for code in found if code.valid and code.text]
