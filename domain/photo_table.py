"""Rebuilding a printed table from OCR text boxes (pure geometry, no images).

A photographed delivery note comes back from the recogniser as text boxes: four
corners, the text and a confidence. This module turns them into a grid of cells:
skew from the boxes' top edges, rows by baseline, columns by the header cells'
x-positions. The grid then goes through the same header/column logic as a
spreadsheet, so the photo and the file are read by one reader.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from statistics import median
from typing import Callable, Iterable, Sequence

Point = tuple[float, float]

# A row starts a new line when its centre is this many box heights below the
# current row's centre (text of one printed row varies by a fraction of a height).
ROW_GAP = 0.55
MIN_HEADER_FIELDS = 2
# Boxes much wider than tall give a reliable baseline angle; short ones ("1", "套") do not.
SKEW_MIN_ASPECT = 2.5
MAX_SKEW_DEGREES = 15.0


@dataclass(frozen=True)
class TextBox:
    """One recognised piece of text: corners clockwise from top-left."""

    points: tuple[Point, Point, Point, Point]
    text: str
    confidence: float

    @property
    def x0(self) -> float:
        return min(p[0] for p in self.points)

    @property
    def x1(self) -> float:
        return max(p[0] for p in self.points)

    @property
    def y0(self) -> float:
        return min(p[1] for p in self.points)

    @property
    def y1(self) -> float:
        return max(p[1] for p in self.points)

    @property
    def cx(self) -> float:
        return sum(p[0] for p in self.points) / 4

    @property
    def cy(self) -> float:
        return sum(p[1] for p in self.points) / 4

    @property
    def height(self) -> float:
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = self.points
        return (math.hypot(dx - ax, dy - ay) + math.hypot(cx - bx, cy - by)) / 2

    @property
    def width(self) -> float:
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = self.points
        return (math.hypot(bx - ax, by - ay) + math.hypot(cx - dx, cy - dy)) / 2

    @property
    def angle(self) -> float:
        """Angle of the top edge in degrees (positive: clockwise in image coordinates)."""
        (ax, ay), (bx, by) = self.points[0], self.points[1]
        return math.degrees(math.atan2(by - ay, bx - ax))


@dataclass
class Grid:
    """Cell texts row by row, with the recogniser's confidence per cell (None: empty)."""

    texts: list[list[str]] = field(default_factory=list)
    confidence: list[list[float | None]] = field(default_factory=list)
    header_row: int | None = None      # index into texts

    def append(self, texts: list[str], confidence: list[float | None]) -> None:
        self.texts.append(texts)
        self.confidence.append(confidence)


# --- corners and skew -----------------------------------------------------------
def order_corners(points: Sequence[Point]) -> tuple[Point, Point, Point, Point]:
    """Four corners as top-left, top-right, bottom-right, bottom-left."""
    if len(points) != 4:
        raise ValueError("a quadrilateral has four corners")
    by_sum = sorted(points, key=lambda p: p[0] + p[1])
    by_diff = sorted(points, key=lambda p: p[1] - p[0])
    top_left, bottom_right = by_sum[0], by_sum[-1]
    top_right, bottom_left = by_diff[0], by_diff[-1]
    if len({top_left, top_right, bottom_right, bottom_left}) != 4:
        # Degenerate ordering (e.g. a square rotated 45°): fall back to angles.
        cx = sum(p[0] for p in points) / 4
        cy = sum(p[1] for p in points) / 4
        ring = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
        start = min(range(4), key=lambda i: ring[i][0] + ring[i][1])
        ring = ring[start:] + ring[:start]
        return ring[0], ring[1], ring[2], ring[3]
    return top_left, top_right, bottom_right, bottom_left


def warp_size(corners: Sequence[Point]) -> tuple[int, int]:
    """Width and height of the straightened rectangle: the longer of opposite edges."""
    tl, tr, br, bl = corners
    width = max(math.dist(tl, tr), math.dist(bl, br))
    height = max(math.dist(tl, bl), math.dist(tr, br))
    return max(int(round(width)), 1), max(int(round(height)), 1)


def skew_angle(boxes: Iterable[TextBox]) -> float:
    """The page's rotation from the median top-edge angle of long text boxes."""
    angles = [b.angle for b in boxes
              if b.height > 0 and b.width >= SKEW_MIN_ASPECT * b.height
              and abs(b.angle) <= MAX_SKEW_DEGREES]
    return median(angles) if angles else 0.0


def rotate_boxes(boxes: Iterable[TextBox], degrees: float, center: Point) -> list[TextBox]:
    """Boxes rotated by ``degrees`` about ``center`` (negative undoes a clockwise skew)."""
    if not degrees:
        return list(boxes)
    rad = math.radians(degrees)
    cos, sin = math.cos(rad), math.sin(rad)
    ox, oy = center

    def turn(p: Point) -> Point:
        x, y = p[0] - ox, p[1] - oy
        return (ox + x * cos - y * sin, oy + x * sin + y * cos)

    return [TextBox(tuple(turn(p) for p in b.points), b.text, b.confidence)  # type: ignore[arg-type]
            for b in boxes]


# --- rows and columns ------------------------------------------------------------
def cluster_rows(boxes: Iterable[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into printed lines by their vertical centre, each left to right."""
    ordered = sorted((b for b in boxes if b.text.strip()), key=lambda b: b.cy)
    if not ordered:
        return []
    typical = median(b.height for b in ordered) or 1.0
    rows: list[list[TextBox]] = []
    centre = None
    for box in ordered:
        if rows and box.cy - centre <= ROW_GAP * typical:
            rows[-1].append(box)
            centre = sum(b.cy for b in rows[-1]) / len(rows[-1])
        else:
            rows.append([box])
            centre = box.cy
    return [sorted(row, key=lambda b: b.x0) for row in rows]


def find_header(rows: Sequence[Sequence[TextBox]],
                header_field: Callable[[str], str | None]) -> int | None:
    """Index of the row naming the most distinct known columns (at least two)."""
    best, best_count = None, MIN_HEADER_FIELDS - 1
    for index, row in enumerate(rows):
        fields = {header_field(b.text) for b in row} - {None}
        if len(fields) > best_count:
            best, best_count = index, len(fields)
    return best


def column_bounds(header: Sequence[TextBox]) -> list[float]:
    """x positions separating the columns: halfway across the gap between header cells."""
    cells = sorted(header, key=lambda b: b.x0)
    return [(left.x1 + right.x0) / 2 for left, right in zip(cells, cells[1:])]


def _char_width(ch: str) -> int:
    return 2 if ord(ch) > 0x2E7F else 1        # CJK prints about twice as wide as Latin


def _break_near(text: str, index: int, reach: int = 3) -> int | None:
    """The nearest place to cut ``text`` around ``index``: a space, or a change between
    Latin and CJK script (``FL-COOL-4L防冻液``). None when there is none close by."""
    for distance in range(reach + 1):
        for at in (index - distance, index + distance):
            if 0 < at < len(text) and (text[at - 1] == " " or text[at] == " " or
                                       _char_width(text[at - 1]) != _char_width(text[at])):
                return at
    return None


def split_across_columns(box: TextBox, bounds: Sequence[float]) -> list[tuple[int, str]]:
    """(column, text) pieces of a box the recogniser read across a column border (two
    adjacent cells' text joined). Cut only at a natural break near the border."""
    first, last = bisect_right(bounds, box.x0), bisect_right(bounds, box.x1)
    text = box.text.strip()
    span = box.x1 - box.x0
    if first == last or span <= 0:
        return [(bisect_right(bounds, box.cx), text)]
    widths = [_char_width(ch) for ch in text]
    total = sum(widths)
    pieces, start, column = [], 0, first
    for bound in bounds[first:last]:
        share = (bound - box.x0) / span
        if not 0.15 < share < 0.85:
            continue                       # barely over the line: alignment, not two cells
        running, index = 0, 0
        while index < len(text) and running + widths[index] / 2 < share * total:
            running += widths[index]
            index += 1
        cut = _break_near(text, index)
        if cut is None or cut <= start:
            continue
        pieces.append((column, text[start:cut].strip()))
        start, column = cut, bisect_right(bounds, bound + 1e-6)
    if not pieces:
        return [(bisect_right(bounds, box.cx), text)]
    pieces.append((column, text[start:].strip()))
    return [(c, t) for c, t in pieces if t]


def assign_columns(row: Sequence[TextBox], bounds: Sequence[float]
                   ) -> tuple[list[str], list[float | None]]:
    """A row's boxes placed in the columns they fall into (a box read across a border is
    split there); several boxes in one cell are joined left to right and keep the
    lowest confidence."""
    width = len(bounds) + 1
    texts: list[list[str]] = [[] for _ in range(width)]
    confidence: list[float | None] = [None] * width
    home = [bisect_right(bounds, box.cx) for box in row]
    for index, box in enumerate(row):
        pieces = split_across_columns(box, bounds)
        # Split only into cells no other box of the row claims: a name printed left of
        # its header's centre must not push into an already filled code cell.
        others = set(home[:index] + home[index + 1:])
        if len(pieces) > 1 and any(c in others for c, _ in pieces if c != home[index]):
            pieces = [(home[index], box.text.strip())]
        for col, text in pieces:
            texts[col].append(text)
            current = confidence[col]
            confidence[col] = box.confidence if current is None else min(current, box.confidence)
    return [" ".join(parts) for parts in texts], confidence


def build_grid(boxes: Iterable[TextBox], header_field: Callable[[str], str | None]) -> Grid | None:
    """The table as a grid, or None when no header row is found. Lines above the header
    keep one cell per box (title, 送货单号：…, 日期：…) for the header-block fields."""
    rows = cluster_rows(boxes)
    header_index = find_header(rows, header_field)
    if header_index is None:
        return None
    grid = Grid(header_row=header_index)
    for row in rows[:header_index]:
        grid.append([b.text.strip() for b in row], [b.confidence for b in row])
    header = rows[header_index]
    grid.append([b.text.strip() for b in header], [b.confidence for b in header])
    bounds = column_bounds(header)
    for row in rows[header_index + 1:]:
        grid.append(*assign_columns(row, bounds))
    return grid


# --- cell text clean-up ------------------------------------------------------------
# Letters the recogniser confuses with digits in a column that can only hold numbers.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1",
                                   "|": "1", "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2",
                                   "，": ",", "。": ".", "·": ".", "：": ":", "¥": "", "￥": ""})


def clean_number_text(text: str) -> tuple[str, bool]:
    """A numeric cell's text with look-alike letters and stray spaces fixed; the flag says
    whether anything had to change (the receiver should then confirm the value)."""
    stripped = text.strip()
    fixed = stripped.translate(_DIGIT_LOOKALIKES).replace(" ", "")
    if fixed.count(",") == 1 and "." not in fixed and len(fixed.split(",")[1]) in (1, 2):
        fixed = fixed.replace(",", ".")       # a decimal comma read from the print
    fixed = fixed.replace(",", "")
    return fixed, fixed != stripped.replace(",", "").replace("¥", "").replace("￥", "")


def split_labelled(text: str, labels: Iterable[str]) -> list[str]:
    """``送货单号：DN-1 订单号：PO-7`` read as one box, split before each known label that
    is followed by a colon, so every header-block field gets its own cell."""
    cuts = {0}
    for label in labels:
        start = 0
        while True:
            found = text.find(label, start)
            if found < 0:
                break
            after = text[found + len(label):found + len(label) + 1]
            if after in (":", "："):
                cuts.add(found)
            start = found + 1
    # A label inside a longer label (单号 in 送货单号) must not cut it in two.
    ordered = sorted(cuts)
    kept = [c for c in ordered if c == 0 or not any(
        text.startswith(label, c2) and c2 < c < c2 + len(label)
        for c2 in ordered for label in labels)]
    parts = [text[a:b].strip() for a, b in zip(kept, kept[1:] + [len(text)])]
    return [p for p in parts if p]


def fix_code_letters(code: str) -> str:
    """A document number's letter prefix read with a digit in it (``P0-2026-1`` for
    ``PO-2026-1``): a hyphen-separated part made of letters and a single 0 or 1 can only
    be letters. Parts with other digits (``K20R``) are left alone."""
    parts = code.split("-")
    fixed = []
    for part in parts:
        digits = [ch for ch in part if ch.isdigit()]
        letters = [ch for ch in part if ch.isalpha()]
        if letters and len(digits) == 1 and digits[0] in "01" and part.isalnum():
            part = part.replace("0", "O").replace("1", "I")
        fixed.append(part)
    return "-".join(fixed)


def code_key(code: str) -> str:
    """Codes compared the way a misread is forgiven: O as 0, I and l as 1, no spaces."""
    return code.upper().replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
