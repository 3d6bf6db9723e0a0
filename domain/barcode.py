"""Code 128 (subset B) barcodes, drawn as SVG.

Subset B covers printable ASCII (space to ``~``), which is what SKUs and bin codes
use. A symbol is: start B, one symbol per character, a modulo-103 check symbol, and
the stop pattern, with a quiet zone of ten modules on each side. Pure Python: no
Streamlit, no database.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

# Element widths (bar, space, bar, space, bar, space) of symbol values 0-105 and of
# the stop pattern (seven elements, the last bar being the termination bar).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232",
)
STOP_PATTERN = "2331112"
START_B = 104
MODULO = 103
QUIET_ZONE = 10          # modules of white on each side


class BarcodeError(ValueError):
    """The text cannot be encoded in Code 128 subset B."""


def symbol_values(text: str) -> list[int]:
    """Start B, the characters' values, and the check value (the stop is implied)."""
    if not text:
        raise BarcodeError("empty text")
    values = [START_B]
    for ch in text:
        code = ord(ch)
        if not 32 <= code <= 126:
            raise BarcodeError(f"character {ch!r} is not in Code 128 subset B")
        values.append(code - 32)
    check = (values[0] + sum(pos * v for pos, v in enumerate(values[1:], start=1))) % MODULO
    values.append(check)
    return values


def check_value(text: str) -> int:
    return symbol_values(text)[-1]


def _widths_to_modules(widths: str) -> str:
    out = []
    for index, width in enumerate(widths):
        out.append(("1" if index % 2 == 0 else "0") * int(width))
    return "".join(out)


def modules(text: str) -> str:
    """The symbol as a string of modules: '1' bar, '0' space (no quiet zone)."""
    parts = [_widths_to_modules(PATTERNS[v]) for v in symbol_values(text)]
    parts.append(_widths_to_modules(STOP_PATTERN))
    return "".join(parts)


def bars(text: str) -> list[tuple[int, int]]:
    """(start module, width in modules) of every bar, counted from the left quiet zone."""
    result: list[tuple[int, int]] = []
    run_start = None
    bits = modules(text)
    for index, bit in enumerate(bits + "0"):
        if bit == "1" and run_start is None:
            run_start = index
        elif bit == "0" and run_start is not None:
            result.append((QUIET_ZONE + run_start, index - run_start))
            run_start = None
    return result


def svg(text: str, *, module_px: int = 2, height_px: int = 60, caption: str | None = None,
        extra_lines: tuple[str, ...] = ()) -> str:
    """A standalone SVG of the barcode, the human-readable text under it, and any
    extra lines (e.g. name, reorder level). All text is XML-escaped."""
    width_modules = len(modules(text)) + 2 * QUIET_ZONE
    width = width_modules * module_px
    font = 14
    lines = [caption if caption is not None else text, *extra_lines]
    total_height = height_px + 8 + len(lines) * (font + 4) + 4
    rects = "".join(
        f'<rect x="{start * module_px}" y="4" width="{w * module_px}" height="{height_px}"/>'
        for start, w in bars(text)
    )
    labels = "".join(
        f'<text x="{width // 2}" y="{height_px + 8 + (i + 1) * (font + 4) - 4}" '
        f'font-size="{font}" text-anchor="middle" font-family="monospace">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
        f'viewBox="0 0 {width} {total_height}">'
        f'<rect width="{width}" height="{total_height}" fill="#ffffff"/>'
        f'<g fill="#000000">{rects}</g><g fill="#000000">{labels}</g></svg>'
    )
