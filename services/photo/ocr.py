"""The text recogniser: RapidOCR's Chinese/English models, shipped inside the wheel
(no download at run time), run on ONNX Runtime with headless OpenCV.

Loading the models takes about half a second and ~100 MB, so one engine is created
lazily per process and shared; a lock lets one photo use both cores at a time instead
of several photos fighting over them.
"""
from __future__ import annotations

import threading

import numpy as np

from domain.photo_table import TextBox

_engine = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()
THREADS = 2          # the server's cores; more only adds contention


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
    with _run_lock:
        # The angle classifier is skipped: pages are turned upright before this point
        # and it only costs time on horizontal print.
        result, _elapsed = ocr(bgr, use_cls=False)
    boxes = []
    for points, text, score in result or ():
        corners = tuple((float(x), float(y)) for x, y in points)
        boxes.append(TextBox(corners, str(text), float(score)))
    return boxes
