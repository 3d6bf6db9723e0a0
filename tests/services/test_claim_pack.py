"""The claim pack: PDF (text read back with pypdf) and Excel, per claim and per
supplier and month."""
import io
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import claims, clock, documents
from services import receiving
from services.documents.claim import claim_pack_excel
from services.errors import ValidationError
from tests.factories import make_approved_po, utc
from tests.photos import carton_jpeg


@pytest.fixture(autouse=True)
def shanghai(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")


def pdf_text(data: bytes) -> str:
    """The document's text without spaces (the CJK font's text comes out spaced)."""
    reader = PdfReader(io.BytesIO(data))
    return "".join(re.sub(r"[\s\x00]+", "", page.extract_text() or "")
                   for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def refused_claim(db, note="DN-55"):
    po = make_approved_po(db)
    receiving.refuse_delivery(db, actor="receiver", po_number=po, delivery_note_no=note,
                             reason="carton crushed", photos=[("c.jpg", carton_jpeg())],
                             driver_name="Zhang San", packages="cartons 3 and 7")
    number = claims.list_claims(db).iloc[0]["number"]
    claims.update_claim(db, actor="purchasing", number=number, status="with_supplier",
                        note="sent to supplier")
    claims.update_claim(db, actor="purchasing", number=number, status="credited",
                        credit_amount="321.50", note="CN-4455")
    return number, po


def test_claim_pdf_in_english_and_chinese(world):
    db = world.db
    clock.set_now(utc(2026, 11, 10, 2))
    number, po = refused_claim(db)
    data = documents.render_pdf(db, kind="claim", number=number, language="en")
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    for expected in (number, "Supplier claim", "Parts Co", po, "DN-55", "Refused delivery",
                     "carton crushed", "cartons 3 and 7", "Zhang San", "321.50", "CN-4455",
                     "Open → With supplier", "Credited", "Supplier's acknowledgement"):
        assert squash(expected) in text, expected
    assert sum(len(page.images) for page in reader.pages) == 1      # the photo
    zh = pdf_text(documents.render_pdf(db, kind="claim", number=number, language="zh"))
    assert "供应商索赔单" in zh and "已开红字" in zh and "供应商确认" in zh


def test_supplier_month_pack_pdf_and_excel(world):
    db = world.db
    clock.set_now(utc(2026, 11, 10, 2))
    first, _ = refused_claim(db, "DN-1")
    second, _ = refused_claim(db, "DN-2")
    clock.set_now(utc(2026, 12, 2, 2))
    later, _ = refused_claim(db, "DN-3")          # December: not in November's pack
    text = pdf_text(documents.render_pdf(db, kind="claim", number="SUP1/2026-11",
                                         language="en"))
    assert first in text and second in text and later not in text
    assert "643.00" in text                       # the credits of the month
    workbook = load_workbook(io.BytesIO(claim_pack_excel(db, "SUP1/2026-11", "en")))
    assert workbook.sheetnames == ["Claims", first, second]
    summary = [[c.value for c in row] for row in workbook["Claims"].iter_rows()]
    assert any(row[0] == first for row in summary)
    sheet = [[c.value for c in row] for row in workbook[first].iter_rows()]
    assert any("Zhang San" in [str(v) for v in row] for row in sheet)
    with pytest.raises(ValidationError):
        documents.render_pdf(db, kind="claim", number="SUP1/2026-13", language="en")
