"""Receiving on the tablet screen (AppTest): upload a supplier sheet, count the
lines (a scanned SKU jumps to its line), approve, post with a co-signer; then the
GRN, PO and QC pages show the result."""
from decimal import Decimal
from pathlib import Path

import pytest

from services import catalog, purchasing, receiving, reports
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import PASSWORD, make_approved_po

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "tests" / "data" / "sheets" / "po_demo_en.csv"


@pytest.fixture
def app_db(sqlite_db):
    from tests.factories import build_world

    build_world(sqlite_db)
    make_approved_po(sqlite_db, [("OF-100", 20, "25"), ("BP-200", 10, "180"),
                                 ("CL-300", 12, "68")], number="PO-2026-11-0001")
    return sqlite_db


def button(at, label):
    return next(b for b in at.button if b.label == label)


def count_line(at, grn, line_no, counted, *, damaged="0", lot=None, bin_code="A-01-01"):
    at.selectbox(key="rcv_line_choice").set_value(line_no).run()
    key = f"{grn}_{line_no}"
    at.text_input(key=f"rcv_counted_{key}").input(counted)
    at.text_input(key=f"rcv_damaged_{key}").input(damaged)
    if lot is not None:
        at.text_input(key=f"rcv_lot_{key}").input(lot)
    at.selectbox(key=f"rcv_bin_{key}").set_value(bin_code)
    button(at, "Save line").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]


def test_upload_count_and_post(app_db):
    db = app_db
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    assert_no_exception(at)
    at.file_uploader(key="rcv_upload").upload("demo_en.csv", DEMO_CSV.read_bytes(), "text/csv").run()
    assert_no_exception(at)
    note_inputs = [w for w in at.text_input if w.key and w.key.startswith("rcv_note_")]
    assert note_inputs[0].value == "PC-7781"          # read from above the header
    button(at, "Start checking").click().run()
    assert_no_exception(at)
    grn = at.session_state["rcv_current"]
    assert grn.startswith("GRN-")
    view = receiving.get_receipt(db, grn)
    assert [ln.sku for ln in view.lines] == ["OF-100", "BP-200", "CL-300"]

    # A scanner typing a SKU jumps to its line.
    at.text_input(key="rcv_scan_sku").input("BP-200").run()
    assert at.selectbox(key="rcv_line_choice").value == 2
    # ... and so does any other code the item carries (the EAN on the bottle).
    catalog.add_code(db, actor="supervisor", sku="CL-300", code="036000291452", kind="ean13")
    at.text_input(key="rcv_scan_sku").input("036000291452").run()
    assert at.selectbox(key="rcv_line_choice").value == 3
    count_line(at, grn, 1, "18", lot="L2611A")                  # short by 2
    count_line(at, grn, 2, "10", damaged="2", lot="L2610B")     # 2 damaged
    count_line(at, grn, 3, "12", lot="C2611", bin_code="B-01-01")
    view = receiving.get_receipt(db, grn)
    assert view.can_post, view.blocking

    at.selectbox(key="rcv_checker").set_value("keeper")
    at.text_input(key="rcv_checker_pw").input(PASSWORD)
    button(at, "Post receipt").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    view = receiving.get_receipt(db, grn)
    assert view.status == "posted" and (view.received_by, view.checked_by) == ("receiver", "keeper")
    assert [(ln.accepted_qty, ln.rejected_qty) for ln in view.lines] == [
        (Decimal(18), Decimal(0)), (Decimal(8), Decimal(2)), (Decimal(12), Decimal(0))]
    assert any("Rejected goods" in w.value for w in at.warning)
    assert [ln.outstanding for ln in purchasing.get_purchase_order(db, "PO-2026-11-0001").lines] == [
        Decimal(2), Decimal(2), Decimal(0)]
    assert reports.check_consistency(db) == []

    # The same file again, under another name: refused, naming the GRN.
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    at.file_uploader(key="rcv_upload").upload("copy.csv", DEMO_CSV.read_bytes(), "text/csv").run()
    assert any(grn in e.value for e in at.error)

    # The receipts page shows it, in Chinese too.
    for lang in ("zh", "en"):
        at = app_for(db, "finance", lang=lang, page="pages/receipts.py").run()
        assert_no_exception(at)
        assert not at.error
        assert grn in at.selectbox(key="grn_pick").options
    at.toggle(key=f"print_{grn}").set_value(True).run()    # (en: AppTest formats in English)
    assert_no_exception(at)
    assert any("Received by" in m.value for m in at.markdown)


def test_receipt_lines_show_the_catalogue_name_on_chinese_screens(app_db):
    """The note's own words on an English screen; the item's Chinese name on a Chinese
    one, on the receiving screen and on the GRN (tablet tables keep six columns)."""
    db = app_db
    grn = receiving.start_receipt(db, actor="receiver", po_number="PO-2026-11-0001",
                                  delivery_note_no="N-ZH",
                                  lines=[{"sku": "OF-100", "qty": 3, "name": "OIL FILTER 4PK"}])
    for lang, name in (("zh", "机油滤清器"), ("en", "OIL FILTER 4PK")):
        at = app_for(db, "finance", lang=lang, page="pages/receipts.py")
        at.session_state["grn_selected"] = grn
        at.run()
        assert_no_exception(at)
        lines = next(f.value for f in at.dataframe if len(f.value) == 1 and "OF-100" in
                     f.value.astype(str).to_numpy())
        assert name in lines.astype(str).to_numpy() and len(lines.columns) <= 6
        at = app_for(db, "receiver", lang=lang, page="pages/receiving.py")
        at.session_state["rcv_current"] = grn
        at.run()
        assert_no_exception(at)
        assert any(name in str(f.value.to_numpy()) for f in at.dataframe)
        assert any(name in option for option in at.selectbox(key="rcv_line_choice").options)


def test_wrong_cosigner_password_does_not_post(app_db):
    db = app_db
    grn = receiving.start_receipt(db, actor="receiver", po_number="PO-2026-11-0001",
                                  delivery_note_no="N-1", lines=[{"sku": "OF-100", "qty": 3}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=3,
                           location="A-01-01")
    at = app_for(db, "receiver", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    at.selectbox(key="rcv_checker").set_value("keeper")
    at.text_input(key="rcv_checker_pw").input("not-the-password")
    button(at, "Post receipt").click().run()
    assert any("wrong password" in e.value for e in at.error)
    assert receiving.get_receipt(db, grn).status == "open"


def test_purchasing_approves_price_on_the_receiving_screen(app_db):
    db = app_db
    grn = receiving.start_receipt(db, actor="receiver", po_number="PO-2026-11-0001",
                                  delivery_note_no="N-2",
                                  lines=[{"sku": "OF-100", "qty": 3, "unit_price": "27"}])
    at = app_for(db, "purchasing", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    assert_no_exception(at)
    button(at, "Approve Price differs on line 1 (OF-100)").click().run()
    assert_no_exception(at)
    assert receiving.get_receipt(db, grn).lines[0].approved == {"PRICE_MISMATCH"}


def test_po_page_create_and_qc_page(app_db):
    db = app_db
    at = app_for(db, "purchasing", page="pages/purchase_orders.py").run()
    assert_no_exception(at)
    assert at.selectbox(key="po_pick").value == "PO-2026-11-0001"
    at = app_for(db, "qc", page="pages/qc.py").run()
    assert_no_exception(at)
    assert any("Nothing is waiting" in i.value for i in at.info)


def test_scanning_a_po_number_selects_that_po(app_db):
    db = app_db
    make_approved_po(db, [("OF-100", 5, "25")], number="PO-2026-11-0002")
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    first = at.selectbox(key="rcv_po").value
    second = "PO-2026-11-0001" if first == "PO-2026-11-0002" else "PO-2026-11-0002"
    at.text_input(key="rcv_po_scan").input(second).run()
    assert_no_exception(at)
    assert at.selectbox(key="rcv_po").value == second
    at.text_input(key="rcv_po_scan").input("PO-NOPE").run()
    assert any("PO-NOPE" in w.value for w in at.warning)
    assert at.selectbox(key="rcv_po").value == second       # a miss keeps the choice


def test_approval_shows_the_two_prices_and_the_receiver_sees_who_must_approve(app_db):
    db = app_db
    grn = receiving.start_receipt(db, actor="receiver", po_number="PO-2026-11-0001",
                                  delivery_note_no="N-3",
                                  lines=[{"sku": "OF-100", "qty": 3, "unit_price": "27"}])
    at = app_for(db, "purchasing", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    assert any(c.value == "Delivery note price 27.00 · PO price 25.00" for c in at.caption), \
        [c.value for c in at.caption]
    receiver = app_for(db, "receiver", page="pages/receiving.py")
    receiver.session_state["rcv_current"] = grn
    receiver.run()
    assert any("Purchasing" in i.value for i in receiver.info), [i.value for i in receiver.info]
    assert any("updates by itself" in c.value for c in receiver.caption)
    receiving.approve_line(db, actor="purchasing", receipt=grn, line_no=1, flag="PRICE_MISMATCH")
    receiver.run()
    assert not any("updates by itself" in c.value for c in receiver.caption)
    assert any("purchasing" in s.value.lower() or "Price" in s.value for s in receiver.success)


def test_save_line_moves_to_the_next_uncounted_line_and_back_to_the_list(app_db):
    db = app_db
    grn = receiving.start_receipt(db, actor="receiver", po_number="PO-2026-11-0001",
                                  delivery_note_no="N-4",
                                  lines=[{"sku": "OF-100", "qty": 3, "unit_price": "25"},
                                         {"sku": "BP-200", "qty": 2, "unit_price": "180"},
                                         {"sku": "CL-300", "qty": 4, "unit_price": "68"}])
    at = app_for(db, "receiver", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    count_line(at, grn, 2, "2")
    assert at.selectbox(key="rcv_line_choice").value == 3       # next uncounted after 2
    count_line(at, grn, 3, "4")
    assert at.selectbox(key="rcv_line_choice").value == 1       # wraps round to line 1
    button(at, "Open receipts").click().run()
    assert_no_exception(at)
    assert "rcv_current" not in at.session_state
    assert receiving.get_receipt(db, grn).status == "open"      # still there to pick up
