"""Taking in a photo safely: JPEG, PNG or HEIC bytes to a downscaled RGB image.

The size is judged from the header alone (Pillow opens lazily) before any pixel is
decoded, so a 50-megapixel photo or a decompression bomb (a tiny PNG declaring huge
dimensions) is refused in milliseconds and without memory. JPEGs decode straight at a
reduced scale (``draft``), which is both the fast and the low-memory path for a 12-MP
phone photo.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import ValidationError

MAX_PHOTO_BYTES = 10 * 1024 * 1024     # a 12-MP JPEG or HEIC is 2–6 MB
MAX_PHOTOS = 10
MAX_PIXELS = 40_000_000            # a 48-MP phone setting or a 50-MP photo is refused
MAX_SIDE = 12_000
# Long side the recogniser works on: A4 at this size puts ordinary 10-pt print at
# about 20 px, plenty for the models, and keeps detection well under a second.
WORK_LONG_SIDE = 1800
FORMATS = {"JPEG", "PNG", "HEIF", "MPO", "WEBP"}

# The library-wide bomb guard stays on (Pillow raises above twice this).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

try:  # HEIC from an iPhone camera app; pillow-heif registers an opener with Pillow.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pinned in requirements.txt
    pass


def _refuse(code: str, filename: str, **params):
    raise ValidationError(code, field="photo", filename=filename, **params)


def check_batch(images: list[bytes], filenames: list[str]) -> None:
    if not images:
        raise ValidationError("photo_missing", field="photo")
    if len(images) > MAX_PHOTOS:
        raise ValidationError("photo_too_many", field="photo", max=MAX_PHOTOS)
    if len(filenames) != len(images):
        raise ValidationError("photo_names_mismatch", field="photo")


def open_checked(data: bytes, filename: str) -> Image.Image:
    """The lazily opened image after the header checks; no pixels decoded yet."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        _refuse("note_photo_unreadable", filename)
    if len(data) > MAX_PHOTO_BYTES:
        _refuse("photo_file_too_large", filename, limit_mb=MAX_PHOTO_BYTES // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("note_photo_too_many_pixels", filename, max_mp=MAX_PIXELS // 1_000_000)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        _refuse("note_photo_unreadable", filename)
    if image.format not in FORMATS:
        _refuse("note_photo_unreadable", filename)
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        _refuse("note_photo_too_many_pixels", filename, max_mp=MAX_PIXELS // 1_000_000)
    if min(width, height) < 200:
        _refuse("photo_too_small", filename)
    return image


def load_photo(data: bytes, filename: str, long_side: int = WORK_LONG_SIDE) -> np.ndarray:
    """RGB pixels, upright (EXIF orientation applied), long side at most ``long_side``."""
    image = open_checked(data, filename)
    if image.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale directly: a 12-MP photo never exists in full.
        image.draft("RGB", (long_side, long_side))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("note_photo_too_many_pixels", filename, max_mp=MAX_PIXELS // 1_000_000)
    except (OSError, ValueError, SyntaxError, EOFError):
        _refuse("note_photo_unreadable", filename)
    scale = long_side / max(image.size)
    if scale < 1:
        size = (max(int(image.width * scale), 1), max(int(image.height * scale), 1))
        image = image.resize(size, Image.Resampling.LANCZOS if scale > 0.5 else Image.Resampling.BOX)
    return np.asarray(image)
