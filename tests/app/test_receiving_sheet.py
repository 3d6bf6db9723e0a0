"""The supplier's sheet on the receiving screen (AppTest): the PO it names is
preselected; a sheet for another PO is stopped until a reason is typed; a column
layout the reader does not know is mapped once by the receiver and read through
that saved mapping on the next upload from the same supplier; purchasing sees and
deletes saved mappings."""
from __future__ import annotations

import csv
import io

import pytest

from services import receiving
from services.sheets import mappings
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import make_approved_po


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def app_db(sqlite_db):
    from tests.factories import build_world

    build_world(sqlite_db)
    make_approved_po(sqlite_db, [("OF-100", 20, "25"), ("BP-200", 10, "180")],
                     number="PO-A-0001")
    make_approved_po(sqlite_db, [("OF-100", 5, "25")], number="PO-A-0002")
    make_approved_po(sqlite_db, [("OF-100", 5, "25")], supplier="SUP2", number="PO-B-0001")
    return sqlite_db


def button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def upload(at, name: str, data: bytes):
    at.file_uploader(key="rcv_upload").upload(name, data, "text/csv").run()
    assert_no_exception(at)


def test_the_po_named_on_the_sheet_is_preselected(app_db):
    at = app_for(app_db, "receiver", page="pages/receiving.py").run()
    upload(at, "note.csv", _csv([["送货单号：DN-P1", "订单号：PO-A-0002"],
                                 ["编码", "名称", "数量"], ["OF-100", "机油滤清器", "5"]]))
    assert at.selectbox(key="rcv_po").value == "PO-A-0002"
    assert not at.error


def test_a_sheet_for_another_po_is_stopped_until_a_reason_is_given(app_db):
    db = app_db
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    upload(at, "note.csv", _csv([["送货单号：DN-X1", "订单号：PO-B-0001"],
                                 ["编码", "名称", "数量"], ["OF-100", "机油滤清器", "5"]]))
    at.selectbox(key="rcv_po").set_value("PO-A-0001").run()
    assert any("PO-B-0001" in e.value and "PO-A-0001" in e.value for e in at.error)
    assert button(at, "Start checking").disabled
    reason = next(w for w in at.text_input if w.key and w.key.startswith("rcv_override_"))
    reason.input("Driver brought it for PO-A-0001; supplier confirmed").run()
    button(at, "Start checking").click().run()
    assert_no_exception(at)
    grn = at.session_state["rcv_current"]
    assert receiving.get_receipt(db, grn).mismatch_reason.startswith("Driver brought it")


UNKNOWN_HEADER = ["货品代号", "货品说明", "发出", "备考"]


def test_a_taught_mapping_is_used_on_the_next_upload_from_that_supplier(app_db):
    db = app_db
    first = _csv([UNKNOWN_HEADER, ["OF-100", "机油滤清器", "3", ""], ["BP-200", "刹车片", "2", ""]])
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    at.selectbox(key="rcv_po").set_value("PO-A-0001").run()
    upload(at, "first.csv", first)
    assert any("header" in e.value.lower() for e in at.error)      # nothing recognised
    choices = {w.key.rsplit("_", 1)[1]: w for w in at.selectbox
               if w.key and w.key.startswith("teach_") and w.key.count("_") >= 3}
    choices["0"].set_value("sku")
    choices["1"].set_value("name")
    choices["2"].set_value("qty")
    choices["3"].set_value("remark")
    at.run()
    assert_no_exception(at)
    preview = next(d.value for d in at.dataframe if "SKU" in d.value.columns)
    assert list(preview["SKU"]) == ["OF-100", "BP-200"]               # live preview
    button(at, "Save mapping for").click().run()
    assert_no_exception(at)
    [saved] = mappings.list_mappings(db, supplier="SUP1")
    assert saved["columns"] == {"sku": 0, "name": 1, "qty": 2, "remark": 3}

    # Next week, another sheet in the same layout from the same supplier.
    second = _csv([UNKNOWN_HEADER, ["BP-200", "刹车片", "4", "短少1套"]])
    at = app_for(db, "receiver", page="pages/receiving.py").run()
    at.selectbox(key="rcv_po").set_value("PO-A-0001").run()
    upload(at, "second.csv", second)
    assert not at.error, [e.value for e in at.error]
    assert any("saved for this supplier" in i.value for i in at.info)
    assert any("damage or shortage" in w.value for w in at.warning)
    at.text_input(key=next(w.key for w in at.text_input
                           if w.key and w.key.startswith("rcv_note_"))).input("DN-W2").run()
    button(at, "Start checking").click().run()
    assert_no_exception(at)
    view = receiving.get_receipt(db, at.session_state["rcv_current"])
    assert [(ln.sku, ln.note_qty, ln.remark) for ln in view.lines] == [("BP-200", 4, "短少1套")]


def test_purchasing_sees_and_deletes_saved_mappings(app_db):
    db = app_db
    mappings.save_mapping(db, actor="receiver", supplier="SUP1", header_cells=UNKNOWN_HEADER,
                          header_row=1, columns={"sku": 0, "name": 1, "qty": 2})
    at = app_for(db, "purchasing", page="pages/sheet_mappings.py").run()
    assert_no_exception(at)
    assert "货品代号" in at.dataframe[0].value.to_string()
    at.selectbox(key="map_price_basis_SUP1").set_value("excl_tax").run()
    button(at, "Save price basis").click().run()
    assert mappings.supplier_profile(db, "SUP1").price_basis == "excl_tax"
    button(at, "Delete").click().run()
    assert_no_exception(at)
    assert mappings.list_mappings(db) == []
