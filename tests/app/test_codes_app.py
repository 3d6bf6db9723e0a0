"""AppTest: codes edited on the item screen, bin labels from the locations screen."""
from __future__ import annotations

import pytest

from services import catalog
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import build_world


@pytest.fixture
def app_db(sqlite_db):
    build_world(sqlite_db)
    return sqlite_db


def test_supervisor_adds_and_removes_codes_on_the_item_screen(app_db):
    at = app_for(app_db, "supervisor", page="pages/items.py").run()
    at.selectbox(key="item_edit_sku").select("BP-200").run()
    assert_no_exception(at)
    at.text_input(key="code_new_BP-200").input("6901234567893")      # wrong check digit
    at.selectbox(key="code_kind_BP-200").select("ean13")
    at.button(key="FormSubmitter:add_code_BP-200-Add code").click().run()
    assert "check digit" in at.error[0].value
    at.text_input(key="code_new_BP-200").input("6901234567892")
    at.selectbox(key="code_kind_BP-200").select("ean13")
    at.button(key="FormSubmitter:add_code_BP-200-Add code").click().run()
    assert_no_exception(at)
    assert catalog.resolve_code(app_db, "6901234567892").sku == "BP-200"
    code_tables = [d.value for d in at.dataframe if "Code" in d.value.columns]
    assert "6901234567892" in code_tables[0]["Code"].tolist()
    # the same code on another item is refused, naming both
    at.selectbox(key="item_edit_sku").select("OF-100").run()
    at.text_input(key="code_new_OF-100").input("6901234567892")
    at.selectbox(key="code_kind_OF-100").select("ean13")
    at.button(key="FormSubmitter:add_code_OF-100-Add code").click().run()
    assert "BP-200" in at.error[0].value and "OF-100" in at.error[0].value
    at.selectbox(key="item_edit_sku").select("BP-200").run()
    at.button(key="code_rm_btn_BP-200").click().run()
    assert catalog.list_codes(app_db, "BP-200") == []


def test_bin_labels_from_the_locations_screen(app_db):
    at = app_for(app_db, "supervisor", page="pages/locations.py").run()
    at.selectbox(key="binlbl_zone").select("A Parts")
    at.button(key="binlbl_make").click().run()
    assert_no_exception(at)
    assert not at.error
    assert len(at.get("download_button")) >= 1


def test_item_import_help_names_the_code_columns(app_db):
    from ui.i18n import translate

    assert "EAN" in translate("items.import_help", "en")


def test_receiving_learns_a_supplier_code_then_prints_lot_labels(app_db):
    from services import receiving
    from tests.factories import make_approved_po

    po = make_approved_po(app_db, [("BP-200", 4, "180")])
    grn = receiving.start_receipt(app_db, actor="receiver", po_number=po, delivery_note_no="DN-9",
                                  lines=[{"sku": "PC-88812", "name": "刹车片", "qty": 4}])
    at = app_for(app_db, "receiver", page="pages/receiving.py")
    at.session_state["rcv_current"] = grn
    at.run()
    assert_no_exception(at)
    assert any("PC-88812" in m.value and "BP-200" in m.value for m in at.markdown)
    at.button(key=f"rcv_learn_{grn}_1").click().run()
    assert_no_exception(at)
    assert catalog.resolve_code(app_db, "PC-88812").sku == "BP-200"
    assert not [b for b in at.button if b.key == f"rcv_learn_{grn}_1"]     # learnt: gone
    receiving.record_count(app_db, actor="receiver", receipt=grn, line_no=1, counted_qty=4,
                           lot_no="L-1", location="A-01-01")
    receiving.post_receipt(app_db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password="password123")
    at.run()
    at.button(key="rcv_lot_labels_make").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("download_button")) == 1
