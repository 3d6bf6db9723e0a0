"""The reusable A4 layout (services.documents.layout) on its own: photos, a damaged
photo, copies numbered from 1, totals merged under one label, landscape pages."""
import io
import re

from PIL import Image
from pypdf import PdfReader

from services.documents.layout import Column, PdfDocument, Signer


def page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"[\s\x00]+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]


def png(width=400, height=300) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photos_are_embedded_and_a_damaged_one_prints_its_caption():
    doc = PdfDocument(title="索赔单", number="CLM-1", language="zh")
    doc.fields([("供应商", "Parts Co"), ("状态", "待处理")])
    doc.image(png(), width_mm=60, caption="破损外箱")
    doc.image(b"not a picture", caption="照片2")
    doc.signoff([Signer("经办人", "王芳", "2026-11-02")])
    pdf = doc.to_bytes()
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1 and page.images[0].image.size == (400, 300)
    text = page_texts(pdf)[0]
    assert "破损外箱" in text and "照片2—" in text and "王芳" in text and "第1/1页" in text


def test_copies_restart_numbering_and_totals_merge_under_one_label():
    doc = PdfDocument(title="Sheet", number="X-1", language="en", landscape=True)
    columns = [Column("#", 0.5, "C"), Column("Name", 3), Column("Qty", 1, "R")]
    rows = [[i, f"Part {i}", i] for i in range(1, 61)]
    for copy in (1, 2):
        doc.new_copy(f"Copy {copy} of 2")
        doc.table(columns, rows, totals=["", "", "1830"])
    pdf = doc.to_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height   # landscape
    texts = page_texts(pdf)
    per_copy = len(texts) // 2
    assert per_copy >= 2 and len(texts) == 2 * per_copy
    for index, text in enumerate(texts):
        assert f"Page{index % per_copy + 1}of{per_copy}" in text and "NameQty" in text
    assert "Total1830" in texts[per_copy - 1] and "Total1830" in texts[-1]
    assert "Copy2of2" in texts[per_copy]
