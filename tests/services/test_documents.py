"""Printed documents (services.documents.render_pdf) on SQLite and PostgreSQL: every
kind in Chinese and English, opened with pypdf and read back: totals, people's names,
translated words, page numbers, the table header on every page of a long document,
no book quantity on a count sheet, the CJK font embedded. Excel exports: totals,
print setup and the translated sign-off row."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services import catalog, clock, documents, export, issuing, receiving, reports, users
from services import stocktake as st
from services.documents import text as words
from services.errors import NotFound, ValidationError
from tests.factories import make_approved_po, stock_lot, utc

D = Decimal
NOW = utc(2026, 11, 2, 2, 0)            # Monday 10:00 in Asia/Shanghai
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NAMES = {"receiver": "李伟 Li Wei", "keeper": "王芳 Wang Fang", "supervisor": "刘洋 Liu Yang",
         "finance2": "吴丽 Wu Li", "manager": "马军 Ma Jun", "purchasing": "周静 Zhou Jing"}
MANY = 70                               # items that make a document run over several pages
BOOK_QTY = 987                          # a book quantity no count sheet may show


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TZ", "Asia/Shanghai")
    clock.set_now(NOW)
    yield
    clock.set_now(None)


@pytest.fixture
def named(world):
    """The standard world with real display names (documents print them)."""
    for username, name in NAMES.items():
        users.update_user(world.db, actor="admin", username=username, display_name=name)
    return world.db


def pages(pdf: bytes) -> list[str]:
    """Each page's text without whitespace: pypdf puts spaces (and, with the CID font's
    two-byte codes, NUL characters) between glyphs; poppler's pdftotext reads it clean."""
    return [re.sub(r"[\s\x00]+", "", page.extract_text() or "")
            for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def all_text(pdf: bytes) -> str:
    return "".join(pages(pdf))


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use -> whether its glyphs are inside the file."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def render_both(db, kind, number):
    return {lang: documents.render_pdf(db, kind=kind, number=number, language=lang)
            for lang in ("zh", "en")}


def posted_grn_with_damage(db) -> receiving.ReceiptView:
    po = make_approved_po(db, [("OF-100", 10, "12.5"), ("BP-200", 4, "180")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-77",
                                  lines=[{"sku": "OF-100", "qty": 10}, {"sku": "BP-200", "qty": 4}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=10,
                           location="A-01-01")
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=2, counted_qty=4,
                           damaged_qty=1, location="A-01-02")
    return receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password="password123")


# --- GRN and return note ---------------------------------------------------------------
def test_grn_prints_totals_names_translated_words_and_local_times(named):
    view = posted_grn_with_damage(named)
    pdf = render_both(named, "grn", view.number)
    zh, en = all_text(pdf["zh"]), all_text(pdf["en"])
    # accepted 10 x 12.50 + 3 x 180.00; quantities without trailing zeros
    assert "合计" in zh and "665.00" in zh and "Total" in en and "665.00" in en
    assert ".000" not in zh and ".000" not in en
    for text in (zh, en):
        assert squash(NAMES["receiver"]) in text and squash(NAMES["keeper"]) in text
        assert "2026-11-0210:00" in text and "+00:00" not in text   # local, no offset
        assert "PartsCo" in text and view.po_number in text       # supplier by name
    assert "receiver" not in zh and "keeper" not in zh
    assert "入库验收单" in zh and "机油滤清器" in zh and "刹车片" in zh   # item names in Chinese
    assert "破损" in zh and "已入库" in zh and "件" in zh                # flag, status, unit
    assert "DAMAGED" not in zh and "posted" not in zh and "pcs" not in zh
    assert "Goodsreceivednote" in en and "Oilfilter" in en and "Damaged" in en
    assert "第1/1页" in zh and "Page1of1" in en
    assert all(embedded_fonts(pdf["zh"]).values()) and embedded_fonts(pdf["zh"])


def test_return_note_prints_the_rejected_goods_and_their_total(named):
    view = posted_grn_with_damage(named)
    (number,) = view.return_numbers
    pdf = render_both(named, "supplier_return", number)
    zh, en = all_text(pdf["zh"]), all_text(pdf["en"])
    assert "退货单" in zh and "破损" in zh and "合计" in zh and "180.00" in zh
    assert "Returntosuppliernote" in en and "Damaged" in en and "180.00" in en
    assert squash(NAMES["receiver"]) in zh and "HOLD-01" in zh and view.number in zh


# --- issue slip ----------------------------------------------------------------------------
def test_issue_slip_prints_lots_costs_total_and_the_keepers_name(named):
    stock_lot(named, "OF-100", "A-01-01", 4, "10", lot_no="L-OLD", received_at=utc(2026, 10, 1))
    stock_lot(named, "OF-100", "A-01-01", 6, "12.5", lot_no="L-NEW", received_at=utc(2026, 10, 9))
    slip = issuing.issue_stock(named, actor="keeper", lines=[{"sku": "OF-100", "qty": 7}],
                               requested_by="receiver", purpose="workshop", reference="JC-9")
    pdf = render_both(named, "issue", slip.number)
    zh, en = all_text(pdf["zh"]), all_text(pdf["en"])
    # FIFO: 4 x 10 + 3 x 12.50 = 77.50
    assert slip.total_cost == D("77.5")
    for text in (zh, en):
        assert "L-OLD" in text and "L-NEW" in text and "77.50" in text and "JC-9" in text
        assert squash(NAMES["keeper"]) in text
        assert squash(NAMES["receiver"]) in text      # requested_by typed as a username
    assert "出库单" in zh and "维修派工单" in zh and "合计" in zh and "机油滤清器" in zh
    assert "Issueslip" in en and "Workshopjobcard" in en
    # the warehouse it left from, as the service reports it right after posting
    assert slip.warehouse == issuing.get_issue(named, slip.number).warehouse == "MAIN"
    assert "仓库：MAIN·总仓" in zh and "Warehouse：MAIN·Mainwarehouse" in en
    assert "workshop" not in zh


# --- stocktake: blind count sheets (two copies) and the variance report ---------------------
def add_many_items(db, zone_bin="A-01-01"):
    rows = [{"sku": f"ZZ-{i:03d}", "name": f"Part {i}", "name_zh": f"配件{i}号",
             "unit": "set" if i % 2 else "pcs", "category": "Bulk"} for i in range(MANY)]
    catalog.import_items(db, actor="supervisor", rows=rows)
    for i in range(MANY):
        stock_lot(db, f"ZZ-{i:03d}", zone_bin, BOOK_QTY, "2.5", received_at=utc(2026, 10, 5))


def test_count_sheet_is_blind_two_copies_header_on_every_page(named):
    add_many_items(named)
    number = st.open_stocktake(named, actor="supervisor", period="2026-11", zones=["A Parts"])
    pdf = render_both(named, "count_sheet", f"{number}/A Parts")
    for lang, header, counter in (("zh", "实盘数量", "盘点人签名"), ("en", "Countedqty", "Countedby(sign)")):
        texts = pages(pdf[lang])
        per_copy = len(texts) // 2
        assert per_copy >= 3 and len(texts) == 2 * per_copy
        for index, text in enumerate(texts):
            assert header in text and counter in text          # the header repeats
            page = index % per_copy + 1                        # numbering restarts per copy
            assert (f"第{page}/{per_copy}页" if lang == "zh" else f"Page{page}of{per_copy}") in text
            assert str(BOOK_QTY) not in text                   # never a book quantity
        copy_marks = ("第1联", "第2联") if lang == "zh" else ("Copy1of2", "Copy2of2")
        assert copy_marks[0] in texts[0] and copy_marks[1] in texts[per_copy]
        assert "ZZ-069" in texts[per_copy - 1] and "ZZ-069" in texts[-1]
    zh = all_text(pdf["zh"])
    assert "配件5号" in zh and "套" in zh and squash(NAMES["supervisor"]) in zh
    with pytest.raises(ValidationError):
        documents.render_pdf(named, kind="count_sheet", number=number)
    with pytest.raises(ValidationError):
        documents.render_pdf(named, kind="count_sheet", number=f"{number}/No such zone")


def test_variance_report_prints_differences_reasons_totals_and_approvers(named):
    stock_lot(named, "OF-100", "A-01-01", 10, "12", received_at=utc(2026, 10, 1))
    stock_lot(named, "BP-200", "A-01-02", 5, "100", received_at=utc(2026, 10, 1))
    number = st.open_stocktake(named, actor="supervisor", period="2026-11", zones=["A Parts"])
    truth = {("OF-100", "A-01-01"): 8, ("BP-200", "A-01-02"): 5}
    counts = [{"sku": s, "location": l, "qty": q} for (s, l), q in truth.items()]
    st.record_counts(named, actor="keeper", stocktake=number, round="initial", counts=counts)
    st.record_counts(named, actor="finance", stocktake=number, round="spot", counts=counts)
    st.set_reason(named, actor="supervisor", stocktake=number, sku="OF-100",
                  location="A-01-01", reason="damage", note="crushed box")
    st.submit(named, actor="supervisor", stocktake=number)
    st.review(named, actor="finance2", stocktake=number)
    st.approve(named, actor="manager", stocktake=number)
    pdf = render_both(named, "variance", number)
    zh, en = all_text(pdf["zh"]), all_text(pdf["en"])
    for text in (zh, en):
        assert "-24.00" in text and "crushedbox" in text and "BP-200" not in text
        for user in ("supervisor", "finance2", "manager"):
            assert squash(NAMES[user]) in text
    assert "盘点差异表" in zh and "损坏" in zh and "已批准" in zh and "合计" in zh
    assert "Damage" in en and "Approved" in en and "damage" not in zh


# --- monthly summary -----------------------------------------------------------------------
def test_monthly_summary_totals_and_header_on_every_page(named):
    add_many_items(named)
    stock_lot(named, "OF-100", "A-01-01", 3, "10", received_at=utc(2026, 11, 1, 3))
    pdf = render_both(named, "monthly_summary", "2026-11")
    received = MANY * BOOK_QTY * D("2.5") + 3 * D(10)     # all booked this month
    for lang, header, total in (("zh", "期末金额", "合计"), ("en", "Closingvalue", "Total")):
        texts = pages(pdf[lang])
        with_rows = [text for text in texts if "ZZ-" in text]
        assert len(with_rows) >= 3
        assert all(header in text for text in with_rows)     # the header repeats
        totals = next(text for text in texts if total in text)
        figures = totals[totals.index(total):]
        # in value and closing value: the same total, twice, after the label
        assert figures.count(words.money(received)) == 2
        assert (f"第{len(texts)}/{len(texts)}页" if lang == "zh"
                else f"Page{len(texts)}of{len(texts)}") in texts[-1]
    assert "未结账" in all_text(pdf["zh"]) and "Open" in all_text(pdf["en"])


def test_unknown_kind_language_or_number_is_refused(named):
    with pytest.raises(ValidationError):
        documents.render_pdf(named, kind="invoice", number="X")
    with pytest.raises(ValidationError):
        documents.render_pdf(named, kind="grn", number="X", language="fr")
    with pytest.raises(NotFound):
        documents.render_pdf(named, kind="grn", number="GRN-NOPE")
    assert set(documents.kinds()) >= {"grn", "supplier_return", "issue", "count_sheet",
                                      "variance", "monthly_summary"}


# --- the font renders without any system font --------------------------------------------
def test_grn_renders_with_no_system_fonts_and_keeps_a_png(named, tmp_path):
    """poppler is pointed at an empty font configuration: what it draws comes from
    the fonts inside the PDF. The PNG of the Chinese GRN is kept for people to look at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) not installed")
    from PIL import Image

    view = posted_grn_with_damage(named)
    pdf = documents.render_pdf(named, kind="grn", number=view.number, language="zh")
    (tmp_path / "grn.pdf").write_bytes(pdf)
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                     f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "grn.pdf"),
                    str(tmp_path / "grn")], check=True, timeout=60,
                   env={"FONTCONFIG_FILE": str(empty), "PATH": "/usr/bin:/bin"})
    image = Image.open(tmp_path / "grn.png").convert("L")
    title = image.crop((image.width // 3, 40, 2 * image.width // 3, 110))
    assert title.getextrema()[0] < 80         # the Chinese title is drawn in black
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "grn.png", ARTIFACTS / "grn-zh.png")


# --- Excel exports ---------------------------------------------------------------------------
def test_excel_totals_quantities_print_setup_and_named_signoff(named):
    view = posted_grn_with_damage(named)
    columns = ["line_no", "sku", "note_qty", "accepted_qty", "unit_price", "amount"]
    rows = [[ln.line_no, ln.sku, ln.note_qty, ln.accepted_qty, ln.unit_price,
             ln.accepted_qty * ln.unit_price] for ln in view.lines]
    names = users.display_names(named, [view.received_by, view.checked_by])
    sheet = export.Sheet(
        title="入库单", headers=["序号", "编码", "送货数", "合格入库", "单价", "金额"], rows=rows,
        heading="入库验收单", signoff=["收货人", "验收人", "日期"],
        signoff_values=[names[view.received_by], names[view.checked_by], "2026-11-02"],
        formats=[export.report_format(c) for c in columns],
        totals=export.column_totals(columns, rows, "合计"))
    ws = load_workbook(io.BytesIO(export.workbook_bytes([sheet])))["入库单"]
    header_row, first = 3, 4
    total_row = first + len(rows)
    assert [c.value for c in ws[total_row]] == ["合计", None, 14, 13, None, 665]
    assert ws.cell(total_row, 1).font.bold
    assert ws.cell(first, 3).number_format == "#,##0"          # 10, not 10.000
    assert ws.cell(first, 6).number_format == export.MONEY_FORMAT
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == f"${header_row}:${header_row}"
    signoff = [c.value for c in ws[total_row + 3] if c.value]
    assert signoff == [f"收货人: {NAMES['receiver']}", f"验收人: {NAMES['keeper']}",
                       "日期: 2026-11-02"]


def test_monthly_summary_workbook_has_a_totals_row(named):
    add_many_items(named)
    frame = reports.monthly_summary(named, "2026-11", details=True)
    data = export.report_workbook([(frame, "按物料")], {}, heading="进销存月报",
                                  signoff=["制表人"], signoff_values=["吴丽"], totals_label="合计")
    ws = load_workbook(io.BytesIO(data))["按物料"]
    columns = list(frame.columns)
    total_row = 4 + len(frame)
    assert ws.cell(total_row, 1).value == "合计"
    closing = ws.cell(total_row, columns.index("closing_value") + 1).value
    assert D(str(closing)) == MANY * BOOK_QTY * D("2.5")       # Decimal sums, no float drift
    assert ws.cell(total_row, columns.index("closing_qty") + 1).value == MANY * BOOK_QTY
    assert ws.cell(total_row, columns.index("name") + 1).value is None
