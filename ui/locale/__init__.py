"""Message catalogues. Each module here defines ``MESSAGES = {key: (english, chinese)}``;
capabilities keep their own module so they never edit the same file."""
from __future__ import annotations

import importlib
import pkgutil


def load_catalogue() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for key, pair in getattr(module, "MESSAGES", {}).items():
            if key in merged and merged[key] != pair:
                raise ValueError(f"message {key!r} defined differently in {module_info.name}")
            merged[key] = pair
    return merged
