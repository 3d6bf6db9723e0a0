"""Straightening a photographed page with OpenCV: find the sheet of paper (the largest
bright quadrilateral) and warp it flat. Small rotations left after this are measured
from the text boxes themselves (``domain.photo_table.skew_angle``)."""
from __future__ import annotations

import cv2
import numpy as np

from domain.photo_table import order_corners, warp_size

FIND_LONG_SIDE = 640          # the outline is found on a small copy: fast, and enough
MIN_PAGE_SHARE = 0.25         # of the photo's area; smaller quads are table cells, logos
MAX_PAGE_SHARE = 0.97         # a page filling the frame needs no warp


def find_page(rgb: np.ndarray) -> tuple | None:
    """The page's four corners in image coordinates, or None if no clear outline."""
    height, width = rgb.shape[:2]
    scale = FIND_LONG_SIDE / max(height, width)
    small = cv2.resize(rgb, (max(int(width * scale), 1), max(int(height * scale), 1)),
                       interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    # Paper is the bright region; Otsu separates it from a desk or dashboard.
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    share = cv2.contourArea(outline) / float(small.shape[0] * small.shape[1])
    if not MIN_PAGE_SHARE <= share <= MAX_PAGE_SHARE:
        return None
    hull = cv2.convexHull(outline)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            points = [(float(x) / scale, float(y) / scale) for [[x, y]] in approx]
            return order_corners(points)
    return None


def flatten_page(rgb: np.ndarray, corners) -> np.ndarray:
    """The page warped to a rectangle (perspective removed)."""
    width, height = warp_size(corners)
    source = np.array(corners, dtype=np.float32)
    target = np.array([(0, 0), (width - 1, 0), (width - 1, height - 1), (0, height - 1)],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def straighten(rgb: np.ndarray) -> np.ndarray:
    """The page cut out and flattened when its outline is visible; else the photo as is."""
    corners = find_page(rgb)
    return rgb if corners is None else flatten_page(rgb, corners)


def to_bgr(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
