"""Item codes: adding (check digits, duplicates refused naming both items,
permissions), importing with items, and resolving codes, lot labels and bins on
SQLite and PostgreSQL."""

import pytest

from domain.codes import lot_label_payload
from services import catalog, issuing
from services.errors import Duplicate, NotFound, PermissionDenied, ValidationError
from tests.factories import stock_lot

BRAKE_EAN = "6901234567892"


def test_codes_resolve_to_their_item(world):
    db = world.db
    catalog.add_code(db, actor="supervisor", sku="BP-200", code=BRAKE_EAN, kind="ean13")
    catalog.add_code(db, actor="supervisor", sku="BP-200", code="04465-33450", kind="oe")
    catalog.add_code(db, actor="supervisor", sku="OF-100", code="x9-77", kind="other")
    assert catalog.resolve_code(db, BRAKE_EAN) == catalog.Resolved(
        "item", sku="BP-200", matched="code")
    # an OE number typed without its dash, a free code in lower case, the SKU itself
    assert catalog.resolve_code(db, "0446533450").sku == "BP-200"
    assert catalog.resolve_code(db, " X9-77 ").sku == "OF-100"
    assert catalog.resolve_code(db, "bp-200").matched == "sku"
    codes = catalog.list_codes(db, "BP-200")
    assert [(c["code"], c["kind"]) for c in codes] == [(BRAKE_EAN, "ean13"), ("04465-33450", "oe")]


def test_upc_a_is_stored_as_ean13_and_found_by_either_form(world):
    catalog.add_code(world.db, actor="supervisor", sku="OF-100", code="036000291452",
                     kind="ean13")
    assert catalog.list_codes(world.db, "OF-100")[0]["code"] == "0036000291452"
    assert catalog.resolve_code(world.db, "036000291452").sku == "OF-100"
    assert catalog.resolve_code(world.db, "0036000291452").sku == "OF-100"


def test_bad_check_digit_is_refused(world):
    with pytest.raises(ValidationError) as err:
        catalog.add_code(world.db, actor="supervisor", sku="BP-200", code="6901234567893",
                         kind="ean13")
    assert err.value.code == "bad_ean"
    assert catalog.list_codes(world.db, "BP-200") == []


def test_a_code_on_two_items_is_refused_naming_both(world):
    db = world.db
    catalog.add_code(db, actor="supervisor", sku="BP-200", code=BRAKE_EAN, kind="ean13")
    catalog.add_code(db, actor="supervisor", sku="BP-200", code=BRAKE_EAN, kind="ean13")  # again: no-op
    with pytest.raises(Duplicate) as err:
        catalog.add_code(db, actor="supervisor", sku="OF-100", code=BRAKE_EAN, kind="ean13")
    assert err.value.code == "code_other_item"
    assert err.value.params["other_sku"] == "BP-200" and err.value.params["sku"] == "OF-100"
    # another item's SKU is taken too, and a new item may not take an existing code
    with pytest.raises(Duplicate) as err:
        catalog.add_code(db, actor="supervisor", sku="OF-100", code="BP-200")
    assert err.value.params["other_sku"] == "BP-200"
    catalog.add_code(db, actor="supervisor", sku="OF-100", code="FILTER1")
    with pytest.raises(Duplicate) as err:
        catalog.create_item(db, actor="supervisor", sku="FILTER1", name="x")
    assert err.value.params["other_sku"] == "OF-100"
    # nor may a code take a bin's code or our lot labels' form
    with pytest.raises(Duplicate) as err:
        catalog.add_code(db, actor="supervisor", sku="OF-100", code="a-01-01")
    assert err.value.code == "code_is_bin"
    with pytest.raises(ValidationError) as err:
        catalog.add_code(db, actor="supervisor", sku="OF-100", code="LOT:12")
    assert err.value.code == "code_reserved"
    assert len(catalog.list_codes(db, "BP-200")) == 1 and len(catalog.list_codes(db, "OF-100")) == 1


def test_receivers_may_only_learn_supplier_part_numbers(world):
    db = world.db
    supplier = "SUP1"
    with pytest.raises(PermissionDenied):
        catalog.add_code(db, actor="receiver", sku="BP-200", code=BRAKE_EAN, kind="ean13")
    with pytest.raises(PermissionDenied):
        catalog.add_code(db, actor="finance", sku="BP-200", code="S-1", kind="supplier",
                         supplier=supplier)
    catalog.add_code(db, actor="receiver", sku="BP-200", code="S-1", kind="supplier",
                     supplier=supplier)
    assert catalog.list_codes(db, "BP-200") == [
        {"code": "S-1", "kind": "supplier", "supplier": supplier}]
    with pytest.raises(PermissionDenied):
        catalog.remove_code(db, actor="receiver", sku="BP-200", code="S-1")
    catalog.remove_code(db, actor="supervisor", sku="BP-200", code="s-1")
    assert catalog.list_codes(db, "BP-200") == []


def test_items_import_with_their_codes_all_or_nothing(world):
    db = world.db
    rows = [
        {"sku": "NEW-1", "name": "Pad", "ean": "6901234567892", "oe": "A-1; A-2"},
        {"sku": "NEW-2", "name": "Disc", "codes": "A-2"},      # same code as row 2: refused
    ]
    with pytest.raises(Duplicate) as err:
        catalog.import_items(db, actor="supervisor", rows=rows)
    assert err.value.params == {"value": "A-2", "other_sku": "NEW-1", "sku": "NEW-2", "row": 3}
    with pytest.raises(NotFound):
        catalog.get_item(db, "NEW-1")
    rows[1]["codes"] = "B-9"
    assert catalog.import_items(db, actor="supervisor", rows=rows) == 2
    assert catalog.resolve_code(db, "a1").sku == "NEW-1"
    assert catalog.resolve_code(db, "B-9").sku == "NEW-2"
    bad = [{"sku": "NEW-3", "name": "x", "ean": "123"}]
    with pytest.raises(ValidationError) as err:
        catalog.import_items(db, actor="supervisor", rows=bad)
    assert err.value.params["errors"][0]["code"] == "bad_ean"


def test_lot_labels_and_bins_resolve(world):
    db = world.db
    lot_id = stock_lot(db, "BP-200", "A-01-01", 5, "10.00", lot_no="L-77")
    stock_lot(db, "OF-100", "A-01-01", 5, "3.00", lot_no="SAME")
    stock_lot(db, "CL-300", "B-01-01", 5, "3.00", lot_no="SAME")
    assert catalog.resolve_code(db, lot_label_payload(lot_id)) == catalog.Resolved(
        "lot", sku="BP-200", lot_no="L-77", location="A-01-01", lot_id=lot_id,
        matched="lot_label")
    # a supplier lot number held by one lot only; one held by two lots is not a lot
    assert catalog.resolve_code(db, "l-77").lot_id == lot_id
    with pytest.raises(NotFound):
        catalog.resolve_code(db, "SAME")
    assert catalog.resolve_code(db, "a-01-02") == catalog.Resolved(
        "bin", location="A-01-02", matched="bin")
    # moved whole to another bin: the label follows the stock
    issuing.transfer(db, actor="keeper", sku="BP-200", qty=5, from_location="A-01-01",
                     to_location="A-01-02")
    moved = catalog.resolve_code(db, lot_label_payload(lot_id))
    assert (moved.kind, moved.sku, moved.lot_no, moved.location) == (
        "lot", "BP-200", "L-77", "A-01-02")
    with pytest.raises(NotFound):
        catalog.resolve_code(db, "LOT:999999")


def test_nothing_matches(world):
    with pytest.raises(NotFound) as err:
        catalog.resolve_code(world.db, "NO-SUCH-THING")
    assert err.value.code == "code_unknown"
    with pytest.raises(NotFound):
        catalog.resolve_code(world.db, "   ")


def test_item_file_with_chinese_code_headers(world):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["编码", "名称", "条码", "原厂号", "其他编码"])
    sheet.append(["BP-900", "刹车片 后轮", 6901234567892, "04466-12345;04466 99999", "X1"])
    data = io.BytesIO()
    book.save(data)
    assert catalog.import_items_file(world.db, actor="supervisor", data=data.getvalue(),
                                     filename="items.xlsx") == 1
    assert {c["code"] for c in catalog.list_codes(world.db, "BP-900")} == {
        "6901234567892", "04466-12345", "04466 99999", "X1"}
    assert catalog.resolve_code(world.db, "0446699999").sku == "BP-900"
