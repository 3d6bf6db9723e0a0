"""Uploaded photos: type by content, size, decompression bombs, EXIF stripped."""
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from services.errors import ValidationError
from services.images import MAX_PHOTO_BYTES, MAX_SIDE, clean_photo, kind_of
from tests.photos import GPS_IFD, carton_jpeg, png_bomb, png_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_gps_and_camera_serial_are_removed_and_pixels_kept():
    original = carton_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)   # the test has GPS
    clean = clean_photo(original)
    kept = Image.open(io.BytesIO(clean.content))
    assert kept.format == "JPEG"
    assert len(kept.getexif()) == 0
    assert b"SERIAL-12345" not in clean.content and b"TabletCam" not in clean.content
    assert kept.size == (640, 480)
    # still the same picture: the dent is dark, the carton brown
    assert sum(kept.getpixel((200, 200))) < 200 and kept.getpixel((600, 50))[0] > 120
    thumb = Image.open(io.BytesIO(clean.thumbnail))
    assert max(thumb.size) == 320


def test_orientation_is_applied_before_the_tag_is_dropped():
    image = Image.new("RGB", (400, 200), "white")
    exif = Image.Exif()
    exif[0x0112] = 6                       # rotate 90° when shown
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(clean_photo(out.getvalue()).content)).size == (200, 400)


def test_large_photo_is_scaled_down():
    clean = clean_photo(carton_jpeg(4000, 3000, gps=False))
    assert max(clean.width, clean.height) == MAX_SIDE


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00" + b"\x00" * 100,                        # an executable
    b"%PDF-1.7\n" + b"x" * 100,
    b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    b"GIF89a" + b"\x00" * 50,                              # not one of ours
    b"\xff\xd8\xff\xe0" + b"\x00" * 40,                    # JPEG magic, garbage after
    b"",
])
def test_not_an_image_or_damaged_is_refused(data):
    with pytest.raises(ValidationError) as err:
        clean_photo(data)
    assert err.value.code in ("photo_unreadable", "photo_not_an_image")


def test_type_is_judged_by_content_not_name():
    assert kind_of(png_bytes()) == "png"
    assert kind_of(carton_jpeg()) == "jpeg"
    assert clean_photo(png_bytes()).content.startswith(b"\xff\xd8\xff")


def test_webp_and_heic_are_accepted():
    from pillow_heif import register_heif_opener

    register_heif_opener()
    for fmt in ("WEBP", "HEIF"):
        out = io.BytesIO()
        Image.new("RGB", (120, 80), (200, 0, 0)).save(out, fmt)
        clean = clean_photo(out.getvalue())
        assert (clean.width, clean.height) == (120, 80)


def test_oversized_file_is_refused_before_reading():
    with pytest.raises(ValidationError) as err:
        clean_photo(b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO_BYTES)
    assert err.value.code == "file_too_large"


def test_header_beyond_the_pixel_limit_is_refused():
    # 7000 x 7000 = 49 MP: past our limit, below Pillow's own hard stop (2x).
    with pytest.raises(ValidationError) as err:
        clean_photo(png_bomb(7000, 7000))
    assert err.value.code == "photo_too_many_pixels"


def test_decompression_bomb_refused_in_bounded_time_and_memory():
    # In a fresh process so its peak memory is its own: a 900 MB (decoded) PNG.
    script = textwrap.dedent("""
        import resource, sys, time
        sys.path.insert(0, %r)
        from tests.photos import png_bomb
        from services.errors import ValidationError
        from services.images import clean_photo
        bomb = png_bomb(30000, 30000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        try:
            clean_photo(bomb)
            print("ACCEPTED")
        except ValidationError as exc:
            print(exc.code)
        print(time.perf_counter() - start)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """ % str(ROOT))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    reason, seconds, grown_kb = result.stdout.split()
    assert reason == "photo_too_many_pixels"
    assert float(seconds) < 2.0             # refused from the header, never inflated
    assert int(grown_kb) < 50 * 1024        # far below the 900 MB the pixels would need
