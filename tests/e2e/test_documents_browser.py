"""Printing on the tablet: the receipts page's "print GRN" button downloads a real PDF
in the user's language (Chinese here), built when tapped."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from services import receiving
from tests.e2e.browser import login, open_page
from tests.e2e.conftest import ARTIFACTS, screenshot
from ui.i18n import translate


def test_finance_downloads_the_grn_pdf_in_chinese(server, demo_db, tablet):
    page = tablet
    newest = receiving.list_receipts(demo_db)[0]["number"]     # the page opens the newest
    login(page, server, "wuli", keep_language=True)          # wuli reads Chinese
    open_page(page, translate("nav.receipts", "zh"))
    button = page.get_by_role("button", name=translate("doc.download_grn", "zh"))
    button.scroll_into_view_if_needed()
    screenshot(page, "documents-grn-print-button")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"{newest}.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "入库验收单" in text and newest in text and "第1/1页" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{newest}-{page.orientation}.pdf").write_bytes(data)
