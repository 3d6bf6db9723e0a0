"""Labels that scan, as PDF: bin labels, lot labels (printed at receiving) and item
shelf cards (料卡), on A4 label sheets (3 × 8 labels of 70 × 36 mm) or one 50 × 30 mm
thermal label per page.

Symbols come from python-barcode (Code 128) and segno (QR) and are drawn as vector
bars; Chinese text is embedded with the CJK font (services.fonts). Every symbol
carries what services.catalog.resolve_code resolves: a bin's code, a lot label's
``LOT:<id>``, an item's SKU."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

import barcode
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import Item, ItemCode, Location, Lot
from domain.codes import lot_label_payload
from services.documents.text import local_date, qty
from services.errors import NotFound, ValidationError
from services.fonts import CJK_FONT_FAMILY, cjk_font_path

if TYPE_CHECKING:            # fpdf (and its font tools) load when a label is printed
    from fpdf import FPDF

LAYOUTS = ("a4", "thermal")
MAX_LABELS = 2000                   # one print job; beyond that, print by zone
# A4 sheet: 3 columns × 8 rows of 70 × 36 mm, 4.5 mm top margin (the common 24-up sheet).
A4_COLUMNS, A4_ROWS, A4_CELL, A4_TOP = 3, 8, (70.0, 36.0), 4.5
THERMAL_SIZE = (50.0, 30.0)
PAD = 2.5                           # mm inside each label
THERMAL_DOT = 25.4 / 203            # a 203 dpi thermal head: bars are whole dots wide
MIN_MODULE = 0.19                   # mm; thinner bars do not scan from a phone camera
QUIET_MODULES = 10                  # Code 128 quiet zone each side
QR_BORDER = 2                       # QR quiet zone (modules)

WORDS = {
    "lot": ("Lot", "批号"), "expiry": ("Exp.", "有效期"), "received": ("Recv.", "入库"),
    "bin": ("Bin", "货位"), "unit": ("Unit", "单位"), "reorder": ("Reorder", "储备定额"),
    "spec": ("Spec", "规格"), "zone": ("Zone", "库区"),
}


def word(key: str, language: str) -> str:
    return WORDS[key][1 if language == "zh" else 0]


@dataclass(frozen=True)
class Label:
    """One label: a symbol (``symbology`` "code128" or "qr") carrying ``payload``, a
    big first line and smaller lines under it."""

    payload: str
    symbology: str
    title: str
    lines: tuple[str, ...] = field(default=())


# --- what goes on each label ---------------------------------------------------------
def bin_labels(db: Database, locations: Sequence[str] | None = None, *, zone: str | None = None,
               language: str = "zh") -> list[Label]:
    """A Code 128 of the bin's code, the code in big type, its zone and warehouse."""
    with db.read() as session:
        query = select(Location).where(Location.active.is_(True)).order_by(Location.code)
        if locations:
            query = query.where(Location.code.in_([str(c).strip().upper() for c in locations]))
        if zone:
            query = query.where(Location.zone == zone)
        rows = session.scalars(query.limit(MAX_LABELS + 1)).all()
        _check_count(rows, locations)
        return [Label(loc.code, _linear_or_qr(loc.code), loc.code,
                      (f"{word('zone', language)} {loc.zone}", loc.warehouse.code)) for loc in rows]


def lot_labels(db: Database, *, receipt: str | None = None, lot_ids: Iterable[int] = (),
               language: str = "zh") -> list[Label]:
    """A QR of ``LOT:<id>``, the item, lot no., expiry and received date. ``receipt``:
    every lot a posted receipt booked (printed at receiving)."""
    with db.read() as session:
        query = select(Lot).order_by(Lot.id)
        ids = [int(i) for i in lot_ids]
        if receipt:
            query = query.where(Lot.receipt_number == receipt, Lot.origin_lot_id.is_(None))
        elif ids:
            query = query.where(Lot.id.in_(ids))
        else:
            return []
        lots = session.scalars(query.limit(MAX_LABELS + 1)).all()
        if not lots:
            raise NotFound(what="lot", key=receipt or ", ".join(map(str, ids))[:60])
        _check_count(lots, None)
        return [_lot_label(lot, language) for lot in lots]


def _lot_label(lot: Lot, language: str) -> Label:
    item = lot.item
    lines = [
        _name(item, language),
        f"{word('lot', language)} {lot.lot_no or '-'}",
        f"{word('received', language)} {local_date(lot.received_at)}",
    ]
    if lot.expiry_date:
        lines.append(f"{word('expiry', language)} {local_date(lot.expiry_date)}")
    return Label(lot_label_payload(lot.id), "qr", item.sku, tuple(lines))


def shelf_cards(db: Database, skus: Sequence[str], *, language: str = "zh") -> list[Label]:
    """料卡: name, spec, unit, reorder level and bin, with a Code 128 of the SKU."""
    with db.read() as session:
        items = session.scalars(select(Item).where(
            Item.sku.in_([str(s).strip().upper() for s in skus])).order_by(Item.sku)).all()
        _check_count(items, skus)
        return [_shelf_card(session, item, language) for item in items]


def _shelf_card(session: Session, item: Item, language: str) -> Label:
    bins = _bins_of(session, item)
    lines = [
        _name(item, language),
        f"{word('spec', language)} {item.spec}" if item.spec else "",
        f"{word('unit', language)} {item.unit} · {word('reorder', language)} "
        f"{qty(item.reorder_level)}",
        f"{word('bin', language)} {', '.join(bins)}" if bins else "",
        f"EAN {ean}" if (ean := _ean_of(session, item)) else "",
    ]
    return Label(item.sku, _linear_or_qr(item.sku), item.sku, tuple(x for x in lines if x))


def _ean_of(session: Session, item: Item) -> str | None:
    return session.scalar(select(ItemCode.code).where(
        ItemCode.item_id == item.id, ItemCode.kind == "ean13").order_by(ItemCode.id).limit(1))


def _bins_of(session: Session, item: Item) -> list[str]:
    """The item's home bin, then the bins holding its stock."""
    held = session.scalars(select(Location.code).join(Lot, Lot.location_id == Location.id)
                           .where(Lot.item_id == item.id, Lot.qty_on_hand > 0)
                           .distinct().order_by(Location.code).limit(4)).all()
    home = [item.default_location.code] if item.default_location else []
    return list(dict.fromkeys(home + list(held)))[:3]


def _name(item: Item, language: str) -> str:
    return (item.name_zh or item.name) if language == "zh" else item.name


def _linear_or_qr(payload: str) -> str:
    # Code 128 carries printable ASCII; anything else (a Chinese bin name) goes in a QR
    return "code128" if payload.isascii() and payload.isprintable() else "qr"


def _check_count(rows, asked) -> None:
    if len(rows) > MAX_LABELS:
        raise ValidationError("too_many_labels", limit=MAX_LABELS)
    if asked and not rows:
        raise NotFound(what="label", key=", ".join(map(str, asked))[:60])


# --- the PDF -------------------------------------------------------------------------
def render(labels: Sequence[Label], *, layout: str = "a4", title: str = "Labels") -> bytes:
    """The labels as a PDF: A4 sheets or one thermal label per page."""
    if layout not in LAYOUTS:
        raise ValidationError("invalid_choice", field="layout", value=str(layout))
    if not labels:
        raise ValidationError("required", field="labels")
    if layout == "thermal":
        pdf = _pdf(THERMAL_SIZE, title)
        for label in labels:
            pdf.add_page()
            _draw_label(pdf, label, 0, 0, *THERMAL_SIZE, dot=THERMAL_DOT)
    else:
        pdf = _pdf("A4", title)
        left = (210 - A4_COLUMNS * A4_CELL[0]) / 2
        per_page = A4_COLUMNS * A4_ROWS
        for index, label in enumerate(labels):
            if index % per_page == 0:
                pdf.add_page()
            row, column = divmod(index % per_page, A4_COLUMNS)
            _draw_label(pdf, label, left + column * A4_CELL[0], A4_TOP + row * A4_CELL[1],
                        *A4_CELL, dot=None)
    return bytes(pdf.output())


def _pdf(size, title: str) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=size)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(CJK_FONT_FAMILY, "", str(cjk_font_path()))
    pdf.set_font(CJK_FONT_FAMILY, size=8)
    pdf.set_title(title)
    pdf.set_creator("Warehouse")
    pdf.set_fill_color(0)
    return pdf


def _draw_label(pdf: FPDF, label: Label, x: float, y: float, w: float, h: float,
                *, dot: float | None) -> None:
    if label.symbology == "qr":
        _draw_qr_label(pdf, label, x, y, w, h)
    else:
        _draw_linear_label(pdf, label, x, y, w, h, dot)


def _draw_linear_label(pdf, label: Label, x, y, w, h, dot) -> None:
    """Text on top, the Code 128 across the bottom."""
    inner = w - 2 * PAD
    text_bottom = _draw_text(pdf, label, x + PAD, y + PAD * 0.8, inner, max_lines=4,
                             title_pt=11 if h < 32 else 13, line_pt=6.5 if h < 32 else 7.5)
    bars_height = (y + h - PAD * 0.8) - text_bottom - 0.8
    _code128(pdf, label.payload, x + PAD / 2, text_bottom + 0.8, w - PAD, max(bars_height, 7), dot)


def _draw_qr_label(pdf, label: Label, x, y, w, h) -> None:
    """The QR on the left, the text to its right."""
    side = min(h - 2 * PAD * 0.6, w * 0.44)
    _qr(pdf, label.payload, x + PAD * 0.6, y + PAD * 0.6, side)
    left = x + PAD * 0.6 + side + 1
    _draw_text(pdf, label, left, y + PAD * 0.8, x + w - PAD * 0.6 - left, max_lines=5,
               title_pt=10 if h < 32 else 11, line_pt=6.5 if h < 32 else 7.5)


def _draw_text(pdf, label: Label, x, y, width, *, max_lines: int, title_pt: float,
               line_pt: float) -> float:
    """The title and lines, each cut to the width; returns where the text ends."""
    pdf.set_font(size=title_pt)
    pdf.set_xy(x, y)
    pdf.cell(width, title_pt * 0.42, _fit(pdf, label.title, width))
    y += title_pt * 0.42 + 0.4
    pdf.set_font(size=line_pt)
    for line in label.lines[:max_lines]:
        pdf.set_xy(x, y)
        pdf.cell(width, line_pt * 0.42, _fit(pdf, line, width))
        y += line_pt * 0.42
    return y


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _code128(pdf: FPDF, payload: str, x: float, y: float, width: float, height: float,
             dot: float | None) -> None:
    """Bars of python-barcode's Code 128 encoding, as wide as fits (whole printer dots
    on a thermal label), centred with its quiet zones."""
    modules = barcode.get("code128", payload).build()[0]
    module = width / (len(modules) + 2 * QUIET_MODULES)
    if dot:
        module = max(dot, int(module / dot) * dot)
    if module < MIN_MODULE:
        raise ValidationError("label_code_too_long", value=payload[:40])
    left = x + (width - module * len(modules)) / 2
    run_start = None
    for index, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = index
        elif bit == "0" and run_start is not None:
            pdf.rect(left + run_start * module, y, (index - run_start) * module, height, style="F")
            run_start = None


def _qr(pdf: FPDF, payload: str, x: float, y: float, side: float) -> None:
    """segno's QR matrix as filled squares, quiet zone included in ``side``."""
    qr = segno.make(payload, error="m", micro=False)
    size = qr.symbol_size(border=QR_BORDER)[0]
    module = side / size
    for row, cells in enumerate(qr.matrix):
        start = None
        for column, dark in enumerate(list(cells) + [0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(x + (QR_BORDER + start) * module, y + (QR_BORDER + row) * module,
                         (column - start) * module, module, style="F")
                start = None
