"""Defensive handling of uploaded photos.

A photo is judged by its bytes (JPEG, PNG, WebP, HEIC/HEIF), never by its name. Its
dimensions are read from the header before any pixel is decoded, so a decompression
bomb (a small file declaring a huge image) is refused without allocating it. What is
kept is a fresh JPEG re-encoded from the pixels: no EXIF (GPS position, camera serial),
no embedded profile or comment, orientation applied, the long side capped.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import ValidationError

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000          # a 48 MP phone saves 12 MP by default; 8000 x 5000 is plenty
MAX_SIDE = 2048                  # what is kept: enough to read a label on a carton
THUMB_SIDE = 320
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# Pillow's own guard, on for every decode in this process (it raises beyond 2x).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
                b"avif")


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes          # JPEG, no metadata
    thumbnail: bytes        # JPEG, long side THUMB_SIDE
    width: int
    height: int


def kind_of(data: bytes) -> str | None:
    """'jpeg' | 'png' | 'webp' | 'heif' by magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif"
    return None


def _refuse(code: str) -> ValidationError:
    return ValidationError(code, field="photo")


def _open(data: bytes, kind: str) -> Image.Image:
    """Open lazily: only the header is parsed here."""
    if kind == "heif":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _refuse("photo_too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse("photo_unreadable") from None


def clean_photo(data: bytes) -> CleanPhoto:
    """Check and re-encode an uploaded photo, or raise ValidationError."""
    if not data:
        raise _refuse("photo_unreadable")
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError("file_too_large", field="photo",
                              limit_mb=MAX_PHOTO_BYTES // (1024 * 1024))
    kind = kind_of(data)
    if kind is None:
        raise _refuse("photo_not_an_image")
    image = _open(data, kind)
    width, height = image.size
    # Checked from the header, before decoding a single pixel.
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise _refuse("photo_too_many_pixels")
    try:
        if kind == "jpeg":
            # Decode straight at a reduced scale (DCT scaling): less memory and time.
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        image.seek(0)                       # first frame of an animation
        image = ImageOps.exif_transpose(image)   # apply, then drop, the orientation tag
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        pixels = image.convert("RGB")
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError):
        raise _refuse("photo_unreadable") from None
    content = _jpeg(pixels)
    preview = pixels.copy()
    preview.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanPhoto(content=content, thumbnail=_jpeg(preview),
                      width=pixels.width, height=pixels.height)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # A new image object carries no info dict: nothing but pixels is written.
    Image.frombytes("RGB", image.size, image.tobytes()).save(
        out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
