"""Codes at receiving: a sheet line carrying a code the item has (EAN, OE, the
supplier's part number) matches its PO line; an unknown supplier code on a line
matched by name can be saved to the item for that supplier, and the next sheet from
that supplier then matches by it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services import catalog, codes, receiving, reports
from services.errors import PermissionDenied, ValidationError
from tests.factories import make_approved_po


def start(db, po, lines, note):
    return receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no=note,
                                   lines=lines)


def test_a_known_code_on_the_sheet_matches_the_po_line(world):
    db = world.db
    catalog.add_code(db, actor="supervisor", sku="BP-200", code="6901234567892", kind="ean13")
    po = make_approved_po(db, [("BP-200", 4, "180")])
    grn = start(db, po, [{"sku": "6901234567892", "qty": 4}], "DN-EAN")
    ln = receiving.get_receipt(db, grn).lines[0]
    assert ln.sku == "BP-200" and "NOT_ON_PO" not in ln.flags
    assert codes.learnable_codes(db, grn) == []          # already known: nothing to learn


def test_receiver_saves_a_supplier_code_and_the_next_sheet_matches_by_it(world):
    db = world.db
    po = make_approved_po(db, [("BP-200", 4, "180"), ("OF-100", 10, "25")])
    # the supplier prints its own code; the name matches the PO's brake pads
    grn = start(db, po, [{"sku": "PC-88812", "name": "刹车片", "qty": 4},
                         {"sku": "OF-100", "qty": 10},
                         {"sku": "ZZ-1", "name": "unknown thing", "qty": 1}], "DN-1")
    view = receiving.get_receipt(db, grn)
    assert [ln.sku for ln in view.lines] == ["BP-200", "OF-100", "ZZ-1"]
    assert "NOT_ON_PO" not in view.lines[0].flags and "NOT_ON_PO" in view.lines[2].flags
    assert codes.learnable_codes(db, grn) == [
        {"line_no": 1, "code": "PC-88812", "sku": "BP-200", "supplier": "SUP1"}]
    with pytest.raises(ValidationError):
        codes.learn_code(db, actor="receiver", receipt=grn, line_no=3)   # not matched
    with pytest.raises(PermissionDenied):
        codes.learn_code(db, actor="finance", receipt=grn, line_no=1)
    assert codes.learn_code(db, actor="receiver", receipt=grn, line_no=1) == "PC-88812"
    assert catalog.list_codes(db, "BP-200") == [
        {"code": "PC-88812", "kind": "supplier", "supplier": "SUP1"}]
    assert codes.learnable_codes(db, grn) == []
    # the next delivery: the code alone, no name, still lands on the brake pads' PO line
    po2 = make_approved_po(db, [("BP-200", 2, "180")])
    grn2 = start(db, po2, [{"sku": "pc-88812", "qty": 2}], "DN-2")
    ln = receiving.get_receipt(db, grn2).lines[0]
    assert ln.sku == "BP-200" and "NOT_ON_PO" not in ln.flags
    receiving.record_count(db, actor="receiver", receipt=grn2, line_no=1, counted_qty=2,
                           location="A-01-01")
    receiving.post_receipt(db, actor="receiver", receipt=grn2, checked_by="keeper",
                           checker_password="password123")
    assert reports.stock_on_hand(db, sku="BP-200")["qty_on_hand"].sum() == Decimal(2)
    assert reports.check_consistency(db) == []
