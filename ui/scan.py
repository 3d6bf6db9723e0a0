"""The scan box every page uses where a SKU, lot or bin is typed or scanned: a text
box a keyboard-wedge scanner types into, and the tablet's camera (a snapshot decoded
on the server). Any code an item carries resolves to the item; a lot label jumps to
its lot, a bin label to its bin; a code matching nothing says so and offers a search."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable

import streamlit as st

from services import catalog, scanning
from services.errors import NotFound, ServiceError
from ui.i18n import current_language, t
from ui.widgets import show_service_error

ss = st.session_state


@dataclass
class Scan:
    """What the box holds now. ``hit`` is the resolved code (None when nothing, or
    something of a kind this box does not take); ``items`` the items to offer: the
    hit's item, or name/spec search results when no code matched."""

    text: str = ""
    hit: catalog.Resolved | None = None
    items: list[dict] = field(default_factory=list)

    @property
    def sku(self) -> str | None:
        return self.hit.sku if self.hit is not None else None


def clear(key: str) -> None:
    """Empty the box before it is drawn again (call from a callback or before the box)."""
    ss[key] = ""
    ss[f"{key}_search"] = False


def scan_box(key: str, *, want: tuple[str, ...] = ("item", "lot", "bin"), label: str | None = None,
             camera: bool = True, search: bool = True, limit: int = 20,
             quiet_miss: bool = False, keep_camera: bool = False,
             on_change: Callable[[], None] | None = None) -> Scan:
    """``search``: offer items found by name/spec when no code matches; ``quiet_miss``:
    the page searches by the text itself and says when that finds nothing;
    ``keep_camera``: stay ready for the next code (continuous counting) instead of
    closing the viewfinder once a code is read; ``on_change``: called when a code is
    typed or read by the camera (a box that jumps somewhere and empties itself)."""
    db = _db()
    if camera and _take_camera_reading(key, keep_camera) and on_change is not None:
        on_change()
    text = st.text_input(label or t("scan.box"), key=key, max_chars=200, on_change=on_change,
                         icon=":material/barcode_scanner:").strip()
    if camera:
        _camera(key)
    if not text:
        return Scan()
    try:
        hit = catalog.resolve_code(db, text)
    except NotFound:
        if quiet_miss:
            return Scan(text=text)
        return _nothing_matches(db, text, search, limit)
    if hit.kind not in want:
        st.warning(t("scan.not_item" if hit.kind == "bin" else "scan.not_bin"),
                   icon=":material/block:")
        return Scan(text=text)
    st.caption(_describe(hit))
    items = [_item(db, hit.sku)] if hit.sku else []
    return Scan(text=text, hit=hit, items=[i for i in items if i])


def item_label(item: dict) -> str:
    name = item.get("name_zh") if current_language() == "zh" and item.get("name_zh") else item["name"]
    return f"{item['sku']} · {name}" + (f" · {item['spec']}" if item.get("spec") else "")


def _db():
    from ui.session import get_db

    return get_db()


def _item(db, sku: str) -> dict | None:
    try:
        return catalog.get_item(db, sku)
    except NotFound:
        return None


def _describe(hit: catalog.Resolved) -> str:
    if hit.kind == "lot":
        return t("scan.lot", lot_no=hit.lot_no or "-", sku=hit.sku, location=hit.location)
    if hit.kind == "bin":
        return t("scan.bin", location=hit.location)
    return t("scan.item", sku=hit.sku)


def _nothing_matches(db, text: str, search: bool, limit: int) -> Scan:
    """Say clearly that no code matched; offer the item search by name or spec."""
    found: list[dict] = []
    if search:
        found, _ = catalog.list_items(db, search=text, active_only=True, limit=limit)
    if not found:
        st.warning(t("scan.unknown", code=text), icon=":material/search_off:")
        return Scan(text=text)
    st.info(t("scan.unknown", code=text), icon=":material/search:")
    st.caption(t("scan.search_instead", code=text))
    return Scan(text=text, items=found)


# --- the camera ------------------------------------------------------------------
def _camera_key(key: str) -> str:
    # a new key after each reading gives a fresh camera: scan, count, next
    return f"{key}_camera_{ss.get(f'{key}_camera_n', 0)}"


def _camera(key: str) -> None:
    if not st.toggle(t("scan.camera"), key=f"{key}_camera_on"):
        _camera_message(key)
        return
    st.camera_input(t("scan.take_photo"), key=_camera_key(key), help=t("scan.camera_help"))
    _camera_message(key)


def _camera_message(key: str) -> None:
    """What the last photo gave: a warning once, or what was read while it is in the box."""
    message = ss.get(f"{key}_camera_msg")
    if message is None:
        return
    kind, text, value = message
    if kind == "warn":
        ss.pop(f"{key}_camera_msg")
        st.warning(text, icon=":material/no_photography:")
    elif ss.get(key) == value:
        st.caption(text)


def _take_camera_reading(key: str, keep_camera: bool) -> bool:
    """Before the text box is drawn: decode a new snapshot into it. True when a code
    was read."""
    photo = ss.get(_camera_key(key))
    if photo is None:
        return False
    data = photo.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if ss.get(f"{key}_camera_seen") == digest:
        return False
    ss[f"{key}_camera_seen"] = digest
    try:
        symbols = scanning.read_symbols(data)
    except ServiceError as exc:
        show_service_error(exc)
        return False
    ss[f"{key}_camera_n"] = ss.get(f"{key}_camera_n", 0) + 1     # a fresh shutter
    if not symbols:
        ss[f"{key}_camera_msg"] = ("warn", t("scan.no_symbol"), None)
        return False
    ss[key] = symbols[0].text
    ss[f"{key}_camera_msg"] = ("info", t("scan.read", format=symbols[0].format,
                                         text=symbols[0].text), symbols[0].text)
    if not keep_camera:      # the viewfinder fills a tablet: show what was found instead
        ss[f"{key}_camera_on"] = False
    return True


def sku_for(code: str) -> str | None:
    """The SKU a typed or scanned code stands for (an item code or a lot label), for
    boxes that jump to a line rather than pick an item."""
    try:
        return catalog.resolve_code(_db(), code).sku
    except NotFound:
        return None
