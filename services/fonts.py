"""Fonts for printed documents and labels.

Chinese text is embedded in every PDF with Noto Sans CJK, installed as a pip package
(requirements.txt), so a fresh machine without system CJK fonts prints the same.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

CJK_FONT_FAMILY = "NotoSansCJK"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the OpenType CJK font shipped by the pinned font package."""
    import cvttf_NotoSansCJK_Regular as package

    path = Path(package.__file__).with_name("NotoSansCJKtc-Regular.otf")
    if not path.is_file():  # pragma: no cover - a broken install
        raise FileNotFoundError(f"CJK font missing from its package: {path}")
    return path
