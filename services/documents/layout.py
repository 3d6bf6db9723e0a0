"""An A4 printed document: title block, header fields, tables whose header row repeats
on every page, totals, photos, the sign-off block and "第 1 / 3 页" page numbers.

Chinese and Latin text use Noto Sans CJK from the font package (``services.fonts``);
fpdf2 embeds the subset of glyphs used, so the PDF prints the same on a machine
without any system CJK font.

The document is recorded first and drawn at ``to_bytes()``: the first drawing only
counts the pages of each copy, the second prints "page n of N" with the right N,
even for a document printed in several copies (一式二份), whose numbering restarts
with every copy.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, TextMode
from fpdf.fonts import FontFace

from services import clock
from services.documents.text import tr
from services.fonts import CJK_FONT_FAMILY, cjk_font_path

MARGIN = 12                      # mm, all sides
FOOTER_HEIGHT = 8
BODY_PT = 9
TABLE_PT = 8.5
TITLE_PT = 16
SMALL_PT = 7.5
HEADER_FILL = (221, 229, 240)
TOTALS_FILL = (242, 242, 242)
RULE_GREY = 150
SIGNATURE_SPACE = 12             # mm left blank for the handwritten signature
PHOTO_MAX_PX = 1600              # photos are scaled down before embedding


@dataclass(frozen=True)
class Column:
    """A table column: ``width`` is relative to the other columns (the table always
    spans the page's width); ``align`` is "L", "C" or "R" (numbers: "R")."""

    label: str
    width: float = 1
    align: str = "L"


@dataclass(frozen=True)
class Signer:
    """One box of the sign-off block: the role (收货人), the person's display name and
    the date; an empty name or date leaves a line to write on."""

    role: str
    name: str = ""
    date: str = ""


class PdfDocument:
    """Build a document with the methods below (in reading order), then ``to_bytes()``."""

    def __init__(self, *, title: str, number: str, language: str = "zh",
                 landscape: bool = False) -> None:
        self.title = title
        self.number = number
        self.language = language
        self.landscape = landscape
        self.printed_at = clock.to_local(clock.now()).strftime("%Y-%m-%d %H:%M")
        self.printed_by = ""             # the display name of who printed it, if known
        self._ops: list[Callable[[_Canvas], None]] = []

    # --- content -------------------------------------------------------------------
    def new_copy(self, label: str) -> None:
        """Start a copy (e.g. "第一联"): a new page, the label in the running header and
        page numbers restarting at 1. Call it before any content to label the first."""
        self._ops.append(lambda pdf: pdf.start_copy(label))

    def fields(self, pairs: Sequence[tuple[str, Any]], *, per_row: int = 2) -> None:
        """Label: value pairs under the title, ``per_row`` to a line."""
        self._ops.append(lambda pdf: pdf.draw_fields(list(pairs), per_row))

    def heading(self, text: str) -> None:
        """A section heading (a second table, the photos…)."""
        self._ops.append(lambda pdf: pdf.draw_heading(text))

    def note(self, text: str) -> None:
        """A paragraph of text (wrapped)."""
        self._ops.append(lambda pdf: pdf.draw_note(text))

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[Any]], *,
              totals: Sequence[Any] | None = None, row_height: float | None = None) -> None:
        """Rows of cell texts under the column labels; the label row repeats on every
        page. ``totals`` is one more row (shaded): its leading empty cells merge into
        one "Total" label cell. ``row_height`` (mm): room to write by hand."""
        rows = [list(row) for row in rows]
        self._ops.append(lambda pdf: pdf.draw_table(list(columns), rows, totals, row_height))

    def image(self, data: bytes, *, width_mm: float = 80, caption: str = "") -> None:
        """A photo (JPEG/PNG/HEIC…), scaled to ``width_mm``, with a caption under it."""
        picture = _picture(data)
        self._ops.append(lambda pdf: pdf.draw_image(picture, width_mm, caption))

    def signoff(self, signers: Sequence[Signer]) -> None:
        """The sign-off block, kept on one page: role, name, signature line, date."""
        self._ops.append(lambda pdf: pdf.draw_signoff(list(signers)))

    # --- output --------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        counting = self._draw(page_totals=None)
        return bytes(self._draw(page_totals=counting.copy_pages).output())

    def _draw(self, page_totals: list[int] | None) -> "_Canvas":
        pdf = _Canvas(self, page_totals)
        for op in self._ops:
            op(pdf)
        pdf.finish_copy()
        return pdf


def _picture(data: bytes):
    """The photo as a PIL image, upright and no larger than PHOTO_MAX_PX."""
    from PIL import Image, ImageOps

    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # pragma: no cover - HEIC support is optional
        pass
    picture = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    picture.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
    return picture.convert("RGB")


class _Canvas(FPDF):
    """fpdf2 with the running header and footer; draws what PdfDocument recorded."""

    def __init__(self, doc: PdfDocument, page_totals: list[int] | None) -> None:
        super().__init__(orientation="L" if doc.landscape else "P", unit="mm", format="A4")
        self.doc = doc
        self.page_totals = page_totals
        self.copy_pages: list[int] = []
        self.copy_label = ""
        self.copy_index = 0
        self.copy_start = 1
        self.set_margins(MARGIN, MARGIN + 6, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + FOOTER_HEIGHT)
        self.add_font(CJK_FONT_FAMILY, "", str(cjk_font_path()))
        self.set_font(CJK_FONT_FAMILY, size=BODY_PT)
        self.set_title(f"{doc.title} {doc.number}")
        self.set_creator("Warehouse")
        self.set_lang("zh-CN" if doc.language == "zh" else "en")
        self.set_draw_color(RULE_GREY)
        self.alias_nb_pages(None)  # page totals come from the counting pass

    def ensure_started(self) -> None:
        """The first page and its title block, before the first content."""
        if self.page_no() == 0:
            self.add_page()
            self.draw_title()

    # --- copies ----------------------------------------------------------------------
    def start_copy(self, label: str) -> None:
        if self.page_no() == 0:
            self.copy_label = label        # the first copy
            self.ensure_started()
            return
        self.finish_copy()
        self.copy_label = label
        self.copy_index += 1
        self.add_page()
        self.copy_start = self.page_no()
        self.draw_title()

    def finish_copy(self) -> None:
        self.ensure_started()
        self.copy_pages.append(self.page_no() - self.copy_start + 1)

    # --- page furniture ----------------------------------------------------------------
    def header(self) -> None:
        self.set_font(size=SMALL_PT)
        self.set_text_color(90)
        self.set_xy(MARGIN, MARGIN - 2)
        right = self.copy_label
        self.cell(self.epw / 2, 4, f"{self.doc.title}  {self.doc.number}")
        self.cell(self.epw / 2, 4, right, align="R")
        self.line(MARGIN, MARGIN + 2.5, self.w - MARGIN, MARGIN + 2.5)
        self.set_text_color(0)
        self.set_font(size=BODY_PT)
        self.set_xy(MARGIN, MARGIN + 6)

    def footer(self) -> None:
        page = self.page_no() - self.copy_start + 1
        total = self.page_totals[self.copy_index] if self.page_totals else 0
        self.set_y(-(MARGIN + FOOTER_HEIGHT) + 2)
        self.set_font(size=SMALL_PT)
        self.set_text_color(90)
        third = self.epw / 3
        printed = " ".join(p for p in (self.doc.printed_at, self.doc.printed_by) if p)
        self.cell(third, 4, tr("doc.printed_at", self.doc.language, at=printed))
        self.cell(third, 4, tr("doc.page_of", self.doc.language, page=page, total=total),
                  align="C")
        self.cell(third, 4, self.doc.number, align="R")
        self.set_text_color(0)
        self.set_font(size=BODY_PT)

    # --- blocks ----------------------------------------------------------------------
    def draw_title(self) -> None:
        self.set_font(size=TITLE_PT)
        # Faux bold: the font package ships one weight.
        with self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.25):
            self.cell(0, 9, self.doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(size=BODY_PT + 1)
        y = self.get_y()
        self.cell(0, 6, tr("doc.number", self.doc.language, number=self.doc.number),
                  align="C")
        if self.copy_label:
            self.set_xy(MARGIN, y)
            self.cell(0, 6, self.copy_label, align="R")
        self.set_xy(MARGIN, y + 6)
        self.set_font(size=BODY_PT)
        self.ln(2)

    def draw_fields(self, pairs: list[tuple[str, Any]], per_row: int) -> None:
        self.ensure_started()
        width = self.epw / per_row
        for start in range(0, len(pairs), per_row):
            texts = [f"{label}：{_text(value)}" for label, value in pairs[start:start + per_row]]
            lines = max(len(self.multi_cell(width - 2, 5, text, align="L", dry_run=True,
                                            output="LINES"))
                        for text in texts)
            if self.will_page_break(5 * lines):
                self.add_page()
            y = self.get_y()
            for index, text in enumerate(texts):
                self.set_xy(MARGIN + index * width, y)
                self.multi_cell(width - 2, 5, text, align="L")
            self.set_xy(MARGIN, y + 5 * lines)
        self.ln(2)

    def draw_heading(self, text: str) -> None:
        self.ensure_started()
        if self.will_page_break(20):
            self.add_page()
        self.ln(2)
        self.set_font(size=BODY_PT + 2)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(size=BODY_PT)

    def draw_note(self, text: str) -> None:
        self.ensure_started()
        self.multi_cell(0, 5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def draw_table(self, columns: list[Column], rows, totals, row_height) -> None:
        self.ensure_started()
        self.set_font(size=TABLE_PT)
        heading_style = FontFace(emphasis="", fill_color=HEADER_FILL)
        with self.table(col_widths=[c.width for c in columns], width=self.epw,
                        text_align=tuple(c.align for c in columns),
                        headings_style=heading_style, line_height=TABLE_PT * 0.5,
                        padding=(1, 1.2), repeat_headings=1,
                        cell_fill_mode=TableCellFillMode.NONE, v_align="M",
                        min_row_height=row_height) as table:
            head = table.row()
            for column in columns:
                head.cell(column.label, align="C")
            for values in rows:
                table.row([_text(v) for v in values])
            if totals is not None:
                self._totals_row(table, columns, totals)
        self.set_font(size=BODY_PT)
        self.ln(3)

    def _totals_row(self, table, columns: list[Column], totals: Sequence[Any]) -> None:
        row = table.row(style=FontFace(fill_color=TOTALS_FILL))
        leading = next((i for i, v in enumerate(totals) if i and _text(v)), len(totals))
        row.cell(_text(totals[0]) or tr("doc.total", self.doc.language),
                 colspan=max(1, leading), align="L")
        for index in range(max(1, leading), len(columns)):
            row.cell(_text(totals[index]) if index < len(totals) else "")

    def draw_image(self, picture, width_mm: float, caption: str) -> None:
        self.ensure_started()
        height = width_mm * picture.height / picture.width
        if self.will_page_break(height + 6):
            self.add_page()
        self.image(picture, w=width_mm)
        if caption:
            self.set_font(size=SMALL_PT)
            self.cell(width_mm, 4, caption, new_x="LMARGIN", new_y="NEXT")
            self.set_font(size=BODY_PT)
        self.ln(2)

    def draw_signoff(self, signers: list[Signer]) -> None:
        self.ensure_started()
        if not signers:
            return
        lang = self.doc.language
        row_h = 6
        needed = row_h * 3 + SIGNATURE_SPACE + 4
        if self.will_page_break(needed):
            self.add_page()
        self.ln(3)
        width = self.epw / len(signers)
        top = self.get_y()
        for index, signer in enumerate(signers):
            x = MARGIN + index * width
            self.rect(x, top, width, needed - 4)
            self.set_xy(x + 1.5, top + 1)
            self.cell(width - 3, row_h, signer.role)
            self.set_xy(x + 1.5, top + 1 + row_h)
            self.cell(width - 3, row_h, signer.name or "")
            self.set_xy(x + 1.5, top + 1 + row_h * 2)
            self.set_font(size=SMALL_PT)
            self.set_text_color(110)
            self.cell(width - 3, row_h, tr("doc.signature", lang))
            self.set_text_color(0)
            self.set_font(size=BODY_PT)
            line_y = top + 1 + row_h * 2 + SIGNATURE_SPACE
            self.line(x + 1.5, line_y, x + width - 1.5, line_y)
            self.set_xy(x + 1.5, line_y + 0.5)
            self.cell(width - 3, row_h - 1,
                      f"{tr('doc.date', lang)}：{signer.date or '______'}")
        self.set_xy(MARGIN, top + needed)


def _text(value: Any) -> str:
    """Cell text: None and NaN are blank (never "None"/"nan")."""
    if value is None:
        return ""
    try:
        if value != value:
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)
