"""The print buttons (PDF) on the pages where documents live, in both languages."""
import pytest

from services import issuing, receiving, reports
from services import stocktake as st
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import build_world, make_approved_po


@pytest.fixture
def posted(sqlite_db):
    build_world(sqlite_db)
    po = make_approved_po(sqlite_db, [("BP-200", 4, "180")])
    grn = receiving.start_receipt(sqlite_db, actor="receiver", po_number=po,
                                  delivery_note_no="DN-1", lines=[{"sku": "BP-200", "qty": 4}])
    receiving.record_count(sqlite_db, actor="receiver", receipt=grn, line_no=1, counted_qty=4,
                           damaged_qty=1, location="A-01-01")
    return sqlite_db, receiving.post_receipt(sqlite_db, actor="receiver", receipt=grn,
                                             checked_by="keeper",
                           checker_password="password123")


def download_labels(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


@pytest.mark.parametrize("lang,grn_label,return_label", [
    ("zh", "打印入库单（PDF）", "打印退货单（PDF）"),
    ("en", "Print GRN (PDF)", "Print return note (PDF)"),
])
def test_receipts_page_offers_the_grn_and_return_note_as_pdf(posted, lang, grn_label,
                                                            return_label):
    db, view = posted
    at = app_for(db, "finance", lang=lang, page="pages/receipts.py").run()
    assert_no_exception(at)
    labels = download_labels(at)
    assert grn_label in labels and return_label in labels


@pytest.mark.parametrize("page,user,label", [
    ("pages/report_monthly.py", "finance", "打印进销存月报（PDF）"),
    ("pages/issues_list.py", "keeper", "打印出库单（PDF）"),
    ("pages/stocktake.py", "supervisor", "打印盘点表 一式二份（PDF）"),
    ("pages/variance_review.py", "finance", "打印盘点差异表（PDF）"),
])
def test_document_pages_offer_their_pdf(posted, page, user, label):
    db, _view = posted
    issuing.issue_stock(db, actor="keeper", lines=[{"sku": "BP-200", "qty": 1}],
                        requested_by="Bay 2")
    st.open_stocktake(db, actor="supervisor", period=reports.current_period(), zones=["A Parts"])
    at = app_for(db, user, lang="zh", page=page).run()
    assert_no_exception(at)
    assert label in download_labels(at)
