"""Labels that scan: every symbol on generated label sheets (A4 and thermal) is
rendered at print resolution, decoded with zxing-cpp, and resolves back to its bin,
lot or item."""
import subprocess
from collections import Counter
from datetime import date

import pytest
import zxingcpp
from PIL import Image

from domain.codes import lot_label_payload
from services import catalog, labels
from services.errors import NotFound, ValidationError
from tests.factories import LOCATIONS, stock_lot


def decoded(pdf: bytes, tmp_path, dpi: int = 300) -> list[list[str]]:
    """The texts zxing-cpp reads on each page of the PDF, rendered like a printer."""
    source = tmp_path / "labels.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    return [[r.text for r in zxingcpp.read_barcodes(Image.open(p))] for p in pages]


@pytest.fixture
def stocked(world):
    db = world.db
    catalog.update_item(db, actor="supervisor", sku="BP-200", spec="前轮 陶瓷",
                        default_location="A-01-01")
    lots = [stock_lot(db, "BP-200", "A-01-01", 6, "30", lot_no="L2611A"),
            stock_lot(db, "CL-300", "B-01-01", 4, "12", lot_no="C-2611",
                      expiry_date=date(2028, 1, 31)),
            stock_lot(db, "OF-100", "A-01-02", 9, "8", lot_no="")]
    return world, lots


def test_a4_sheet_of_every_kind_decodes_to_what_it_carries(stocked, tmp_path):
    world, lots = stocked
    db = world.db
    sheet = (labels.bin_labels(db) + labels.lot_labels(db, lot_ids=lots)
             + labels.shelf_cards(db, ["BP-200", "OF-100", "CL-300"]))
    expected = ([code for code, *_ in LOCATIONS]
                + [lot_label_payload(i) for i in lots] + ["BP-200", "OF-100", "CL-300"])
    assert Counter(label.payload for label in sheet) == Counter(expected)
    pages = decoded(labels.render(sheet, layout="a4"), tmp_path)
    assert len(pages) == 1
    assert Counter(pages[0]) == Counter(expected)
    # and each symbol resolves to its bin, lot or item
    for text in pages[0]:
        hit = catalog.resolve_code(db, text)
        if text.startswith("LOT:"):
            assert hit.kind == "lot" and hit.lot_id == int(text[4:])
        elif text in ("BP-200", "OF-100", "CL-300"):
            assert (hit.kind, hit.sku) == ("item", text)
        else:
            assert (hit.kind, hit.location) == ("bin", text)


def test_thermal_labels_one_per_page_each_decodes(stocked, tmp_path):
    world, lots = stocked
    sheet = labels.lot_labels(world.db, lot_ids=lots) + labels.bin_labels(
        world.db, ["A-01-01"]) + labels.shelf_cards(world.db, ["BP-200"])
    pages = decoded(labels.render(sheet, layout="thermal"), tmp_path)
    assert pages == [[label.payload] for label in sheet]


def test_many_labels_fill_several_a4_sheets_in_order(world, tmp_path):
    db = world.db
    for n in range(30):
        catalog.create_location(db, actor="admin", code=f"R-{n:02d}", zone="R Racks")
    sheet = labels.bin_labels(db, zone="R Racks")
    pages = decoded(labels.render(sheet, layout="a4"), tmp_path, dpi=200)
    assert [len(p) for p in pages] == [24, 6]
    assert sorted(pages[0] + pages[1]) == [f"R-{n:02d}" for n in range(30)]


def test_lot_label_text_and_receipt_selection(stocked):
    world, lots = stocked
    label = labels.lot_labels(world.db, lot_ids=[lots[1]], language="zh")[0]
    assert label.title == "CL-300"
    assert label.lines[0] == "冷却液"
    assert "批号 C-2611" in label.lines and "有效期 2028-01-31" in label.lines
    card = labels.shelf_cards(world.db, ["BP-200"], language="en")[0]
    assert card.lines == ("Brake pad set", "Spec 前轮 陶瓷", "Unit set · Reorder 4",
                          "Bin A-01-01")
    with pytest.raises(NotFound):
        labels.lot_labels(world.db, receipt="GRN-NOPE")


def test_bad_requests_are_refused(world):
    with pytest.raises(ValidationError):
        labels.render([], layout="a4")
    with pytest.raises(ValidationError):
        labels.render(labels.bin_labels(world.db), layout="roll")
    with pytest.raises(NotFound):
        labels.bin_labels(world.db, ["NOPE"])
    too_long = labels.Label("X" * 60, "code128", "x")
    with pytest.raises(ValidationError) as err:
        labels.render([too_long], layout="thermal")
    assert err.value.code == "label_code_too_long"


def test_chinese_bin_codes_go_in_a_qr(world, tmp_path):
    catalog.create_location(world.db, actor="admin", code="成品-01", zone="FG")
    sheet = labels.bin_labels(world.db, ["成品-01"])
    assert sheet[0].symbology == "qr"
    assert decoded(labels.render(sheet, layout="thermal"), tmp_path) == [["成品-01"]]


def test_lot_labels_printed_at_receiving_scan_back_to_their_lots(world, tmp_path):
    from services import receiving
    from tests.factories import make_approved_po

    db = world.db
    po = make_approved_po(db, [("BP-200", 4, "180"), ("CL-300", 6, "30")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-L",
                                  lines=[{"sku": "BP-200", "qty": 4, "lot_no": "BP-L1"},
                                         {"sku": "CL-300", "qty": 6, "lot_no": "CL-L1",
                                          "expiry_date": "2029-05-31"}])
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=4,
                           location="A-01-01")
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=2, counted_qty=6,
                           location="B-01-01")
    receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password="password123")
    sheet = labels.lot_labels(db, receipt=grn)
    for layout in labels.LAYOUTS:
        (tmp_path / layout).mkdir()
        pages = decoded(labels.render(sheet, layout=layout), tmp_path / layout)
        texts = [text for page in pages for text in page]
        found = {(hit.sku, hit.lot_no, hit.location)
                 for hit in (catalog.resolve_code(db, text) for text in texts)}
        assert len(texts) == 2
        assert found == {("BP-200", "BP-L1", "A-01-01"), ("CL-300", "CL-L1", "B-01-01")}
