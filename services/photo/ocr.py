"""The text recogniser: RapidOCR's Chinese/English models, shipped inside the wheel
(no download at run time), run on ONNX Runtime with headless OpenCV.

Loading the models takes about half a second and ~100 MB, so one engine is created
lazily per process and shared; a lock lets one photo use both cores at a time instead
of several photos fighting over them.
"""
from __future__ import annotations

import os
import threading

import cv2
import numpy as np

from domain.photo_table import TextBox

_engine = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()
THREADS = 2          # the server's cores; more only adds contention
# Detection works on a copy whose long side is at most this (the default only limits
# the short side, which on a phone photo means running at full size: ~360 MB of
# activations). Recognition still crops from the full-resolution page.
MIN_SCORE = 0.5      # below this a "text" is noise (the library's own default cut)
DETECT_LONG_SIDE = int(os.environ.get("PHOTO_DETECT_LONG_SIDE", "1280"))


def engine():
    """The process-wide recogniser, created on first use."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1)
    return _engine


def recognise(bgr: np.ndarray) -> list[TextBox]:
    """Text boxes found in an image (BGR, as OpenCV holds it)."""
    ocr = engine()
    height, width = bgr.shape[:2]
    scale = min(1.0, DETECT_LONG_SIDE / max(height, width))
    small = bgr if scale == 1.0 else cv2.resize(
        bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    with _run_lock:
        found, _elapsed = ocr.text_det(small)
        if found is None or len(found) == 0:
            return []
        corners = (np.asarray(found, dtype=np.float32) / scale).astype(np.float32)
        # The angle classifier is skipped: pages are upright by now, and on horizontal
        # print it only costs time.
        crops = ocr.get_crop_img_list(bgr, corners)
        read, _elapsed = ocr.text_rec(crops)
    boxes = []
    for points, (text, score) in zip(corners, read):
        if score < MIN_SCORE or not str(text).strip():
            continue
        boxes.append(TextBox(tuple((float(x), float(y)) for x, y in points), str(text),
                             float(score)))
    return boxes
