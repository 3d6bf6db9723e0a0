"""A corpus of hostile files fed to EVERY upload entry point — item import, PO import,
supplier delivery sheet, stocktake count sheet: zip bombs (huge member, thousands of
members), XML entity bombs (in the sheet, after a long comment, external entities),
huge sheets (rows, columns, a far-away cell, a giant cell), binaries renamed
.xlsx/.csv, old .xls, encrypted or truncated zips, bad encodings, NUL bytes, and
formula/injection text. Each is refused with a translated, file-level message (or
read with row-level messages), peak memory stays bounded (measured in a forked
child), nothing is written; and every Excel export of injected text escapes it
while numbers stay numbers.

The small files live in tests/data/hostile/ (``corpus.py`` rewrites them); the
large ones are built at test time.
"""
from __future__ import annotations

import csv
import io
import multiprocessing
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services import catalog, export, purchasing, receiving, reports
from services import stocktake as st
from services.uploads import read_table
from services.errors import ServiceError, ValidationError
from ui.i18n import error_text, translate
from tests.factories import PASSWORD, build_world, every_row, make_approved_po

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
sys.path.insert(0, str(HOSTILE))
import corpus  # noqa: E402

# Files that parse (with row-level problems at most); all others must be refused.
READABLE = {"dimension_understated.xlsx", "dimension_huge.xlsx", "columns_16k.xlsx"}
PEAK_LIMIT_MB = 120          # 10 MB upload limit; the worst case measured is ~70 MB
SECONDS_LIMIT = 20

ENTRY_POINTS = {
    "catalog.import_items_file": lambda db, data, name: catalog.import_items_file(
        db, actor="admin", data=data, filename=name),
    "purchasing.import_purchase_orders": lambda db, data, name:
        purchasing.import_purchase_orders(db, actor="purchasing", data=data, filename=name),
    "receiving.read_delivery_sheet": lambda db, data, name: receiving.read_delivery_sheet(
        data, name),
    "stocktake.read_count_sheet": lambda db, data, name: st.read_count_sheet(data, name),
}


def has(key: str) -> bool:
    return translate(key, "en") != key


def _committed() -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(HOSTILE.iterdir())
             if p.is_file() and p.suffix != ".py"}
    assert set(files) == set(corpus.small_files()), "tests/data/hostile: run corpus.py"
    return files


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    return {**_committed(), **corpus.large_files()}


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _measured_child(pipe, entry: str, data: bytes, name: str, url: str) -> None:
    from db import Database
    from db.database import create_db_engine

    db = Database(create_db_engine(url))      # this process's own connection
    base = _peak_kb()
    started = time.perf_counter()
    try:
        ENTRY_POINTS[entry](db, data, name)
        outcome = ("ok", "", {})
    except ServiceError as exc:
        outcome = ("refused", exc.code, {k: str(v) for k, v in exc.params.items()
                                         if k in ("field", "reason", "row")})
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        outcome = ("crash", type(exc).__name__, {"message": str(exc)[:200]})
    pipe.send((outcome, (_peak_kb() - base) / 1024, time.perf_counter() - started))


def run_measured(entry: str, data: bytes, name: str, url: str):
    """(outcome, peak memory growth in MB, seconds) of one call in a forked child,
    so the high-water mark is this call's own."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_measured_child, args=(child, entry, data, name, url))
    process.start()
    result = parent.recv() if parent.poll(120) else (("crash", "timeout", {}), 0, 120)
    process.join(10)
    return result


def test_every_hostile_file_at_every_entry_point_is_refused_cheaply(sqlite_db, hostile_files):
    """SQLite for the two importers (a forked child must not share a PostgreSQL
    connection); the PostgreSQL run of 'nothing written' is the next test."""
    db = sqlite_db
    build_world(db)
    url = db.engine.url.render_as_string(hide_password=False)
    db.dispose()
    before = every_row(db)
    report, problems = [], []
    for name, data in hostile_files.items():
        for entry in ENTRY_POINTS:
            (status, code, params), peak_mb, seconds = run_measured(entry, data, name, url)
            report.append((name, entry, status, code, round(peak_mb, 1), round(seconds, 2)))
            if status == "crash":
                problems.append(f"{name} at {entry}: crashed {code} {params}")
            elif name not in READABLE and status != "refused":
                problems.append(f"{name} at {entry}: accepted")
            elif status == "refused":
                if not has(f"error.{code}"):
                    problems.append(f"{name} at {entry}: untranslated code {code}")
                if name not in READABLE and params.get("field") != "file":
                    problems.append(f"{name} at {entry}: not a file-level refusal {params}")
            if peak_mb > PEAK_LIMIT_MB or seconds > SECONDS_LIMIT:
                problems.append(f"{name} at {entry}: {peak_mb:.0f} MB, {seconds:.1f} s")
    print(f"\n{len(hostile_files)} files x {len(ENTRY_POINTS)} entry points; peak "
          f"{max(r[4] for r in report)} MB")
    for row in report:
        print("  ", *row)
    assert problems == []
    assert every_row(db) == before, "a refused upload wrote something"


@pytest.mark.parametrize("entry", ["catalog.import_items_file",
                                   "purchasing.import_purchase_orders"])
def test_refused_imports_write_nothing(world, hostile_files, entry):
    db = world.db
    before = every_row(db)
    for name, data in hostile_files.items():
        if name in READABLE or name.startswith(("rows_", "columns_", "giant", "zip")):
            continue            # the big ones are covered above; keep this one quick
        with pytest.raises(ValidationError) as err:
            ENTRY_POINTS[entry](db, data, name)
        assert err.value.params.get("field") == "file", (name, err.value)
        assert has(f"error.{err.value.code}") and error_text(err.value, "en")
    assert every_row(db) == before


def test_a_sheet_declaring_a_wrong_size_is_read_whole(world):
    """openpyxl's read-only mode trusts <dimension>: a file claiming A1 only must
    still import every row (it used to import the header cell and nothing else)."""
    db = world.db
    rows = [["sku", "name"]] + [[f"DIM-{n}", f"Part {n}"] for n in range(5)]
    data = corpus.rewrite(corpus.xlsx(rows), lambda n, c: __import__("re").sub(
        rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1" />', c)
        if n == "xl/worksheets/sheet1.xml" else c)
    assert catalog.import_items_file(db, actor="admin", data=data, filename="dim.xlsx") == 5
    assert catalog.get_item(db, "DIM-4")["name"] == "Part 4"


def test_csv_cell_over_the_size_limit_is_refused_not_truncated():
    """A giant cell far below the header used to end the delivery sheet there,
    silently dropping every later row."""
    good = "".join(f"P{n},Part,1\n" for n in range(40))
    data = ("sku,name,qty\n" + good + "P99," + "A" * 200_000 + ",1\n" + good).encode()
    for reader in (lambda: receiving.read_delivery_sheet(data, "x.csv"),
                   lambda: st.read_count_sheet(data, "x.csv"),
                   lambda: read_table(data, "x.csv")):      # the item import's reader
        with pytest.raises(ValidationError) as err:
            reader()
        assert err.value.code == "file_unreadable"


# --- formula and injection text ------------------------------------------------------
def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _files(rows):
    """The same rows as CSV and as xlsx (openpyxl stores '=…' text as a formula
    without a cached value, as a hostile Excel file would)."""
    return {"inject.csv": _csv(rows), "inject.xlsx": corpus.xlsx(rows)}


def _assert_row_errors(err, rows_expected: set[int]):
    errors = err.value.params.get("errors") or [err.value.params]
    assert {e.get("row") for e in errors} >= rows_expected, errors
    for e in errors:
        assert has(f"error.{e.get('code', err.value.code)}"), e


def test_injected_codes_are_refused_row_by_row_and_nothing_is_written(world):
    db = world.db
    before = every_row(db)
    rows = [["sku", "name"]] + [[text, "Part"] for text in corpus.INJECTIONS]
    for name, data in _files(rows).items():
        with pytest.raises(ValidationError) as err:
            catalog.import_items_file(db, actor="admin", data=data, filename=name)
        assert err.value.code == "import_rows_invalid"
        _assert_row_errors(err, set(range(2, 2 + len(corpus.INJECTIONS))))
    rows = [["supplier", "po_number", "sku", "qty", "unit_price"]] + [
        ["SUP1", text[:40], "OF-100", 1, 2] for text in corpus.INJECTIONS] + [
        ["SUP1", "", text, 1, 2] for text in corpus.INJECTIONS]
    for name, data in _files(rows).items():
        with pytest.raises(ValidationError) as err:
            purchasing.import_purchase_orders(db, actor="purchasing", data=data, filename=name)
        # Every bad PO number is named; a PO's lines stop at its first bad SKU.
        _assert_row_errors(err, set(range(2, 2 + len(corpus.INJECTIONS))))
        named = {e["row"] for e in err.value.params["errors"]}
        assert named & set(range(2 + len(corpus.INJECTIONS), 2 + 2 * len(corpus.INJECTIONS)))
    for text in corpus.INJECTIONS:
        for call in (lambda: catalog.create_item(db, actor="admin", sku=text, name="x"),
                     lambda: catalog.create_supplier(db, actor="admin", code=text, name="x"),
                     lambda: catalog.create_location(db, actor="admin", code=text, zone="Z")):
            with pytest.raises(ValidationError):
                call()
    assert every_row(db) == before


def _assert_export_escaped(data: bytes, texts: set[str], numbers: dict[str, float]):
    """No cell of the workbook is a formula; every injected text is there, shown as
    text; the numbers are numeric cells."""
    wb = load_workbook(io.BytesIO(data))                  # formulas, not cached values
    seen, found_numbers = set(), {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                elif isinstance(cell.value, (int, float)):
                    found_numbers.setdefault(cell.column, []).append(cell.value)
    for text in texts:
        shown = "'" + text if text.startswith(export.FORMULA_STARTS) else text
        assert shown in seen, text
    flat = [v for values in found_numbers.values() for v in values]
    for label, value in numbers.items():
        assert any(abs(v - value) < 1e-9 for v in flat), (label, value)


def test_injected_text_kept_as_text_and_every_export_escapes_it(world):
    """Names, specs, lot numbers and a delivery note's lines may hold such text (it
    is only text), but no export ever hands it to Excel as a formula."""
    db = world.db
    texts = [t.strip() for t in corpus.INJECTIONS]
    # Item names/specs through the CSV import (kept verbatim, trimmed).
    rows = [["sku", "name", "spec"]] + [[f"INJ-{n}", text, text] for n, text in
                                        enumerate(corpus.INJECTIONS)]
    assert catalog.import_items_file(db, actor="admin", data=_csv(rows),
                                     filename="items.csv") == len(texts)
    items, _total = catalog.list_items(db, search="INJ-")
    assert {i["name"] for i in items} == set(texts)
    import pandas as pd

    frame = pd.DataFrame(items)
    _assert_export_escaped(export.workbook_bytes([export.dataframe_sheet(frame, "Items")]),
                           set(texts), {})

    # A delivery sheet with injected names and lot numbers, received against a PO.
    po = make_approved_po(db, [("OF-100", 5, "2.5")])
    sheet_rows = [["sku", "name", "qty", "unit_price", "lot_no"], ["OF-100", texts[0], 5, 2.5,
                                                                  texts[3]]]
    sheet_rows += [[f"X{n}", text, 1, 1, text[:60]] for n, text in enumerate(texts)]
    sheet = receiving.read_delivery_sheet(_csv(sheet_rows), "note.csv")
    assert sheet.row_errors == [] and len(sheet.lines) == 1 + len(texts)
    assert {line.name for line in sheet.lines} >= set(texts)
    grn = receiving.start_receipt(db, actor="receiver", po_number=po, delivery_note_no="DN-INJ",
                                  lines=sheet.lines)
    receiving.record_count(db, actor="receiver", receipt=grn, line_no=1, counted_qty=5,
                           location="A-01-01")
    for line in receiving.get_receipt(db, grn).lines[1:]:
        receiving.record_count(db, actor="receiver", receipt=grn, line_no=line.line_no,
                               counted_qty=1)
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                                  checker_password=PASSWORD)
    assert "NOT_ON_PO" in view.lines[1].flags
    grn_rows = [[ln.line_no, ln.sku, ln.name, ln.note_qty, ln.accepted_qty, ln.unit_price,
                 ln.lot_no] for ln in view.lines]
    document = export.workbook_bytes([export.Sheet(
        title="GRN", headers=["#", "sku", "name", "qty", "accepted", "price", "lot"],
        rows=grn_rows, heading=f"GRN {texts[0]}", subtitle=texts[1],
        signoff=["Received", "Checked"], signoff_values=[texts[2], "keeper"])])
    _assert_export_escaped(document, set(texts), {"qty": 5.0, "price": 2.5})

    # Reports over that stock (stock on hand lists the lot number).
    soh = reports.stock_on_hand(db, sku="OF-100")
    assert list(soh["lot_no"]) == [texts[3]]
    workbook = export.report_workbook([(soh, "Stock")], {}, heading=texts[0],
                                      signoff=["Prepared"], signoff_values=[texts[1]])
    _assert_export_escaped(workbook, {texts[3]}, {"qty": 5.0, "value": 12.5})
    # Numbers stay numbers: the quantities and values are numeric cells.
    ws = load_workbook(io.BytesIO(workbook)).worksheets[0]
    numeric = [c for row in ws.iter_rows() for c in row if c.data_type == "n"
               and c.value is not None]
    assert any(c.value == 5 for c in numeric) and any(c.value == 12.5 for c in numeric)
    assert reports.check_consistency(db) == []


def test_count_sheet_injection_never_reaches_the_counts(world):
    db = world.db
    rows = [["location", "sku", "counted qty"]] + [["A-01-01", text, 1]
                                                   for text in corpus.INJECTIONS]
    rows += [["A-01-01", "OF-100", "=1+1"], ["A-01-01", "BP-200", "-1"]]
    for name, data in _files(rows).items():
        upload = st.read_count_sheet(data, name)
        # A negative qty is a row error; a formula qty is an error (CSV text) or, in
        # xlsx without a cached value, no count at all — never a number.
        bad_rows = {e["row"] for e in upload.errors}
        assert len(rows) in bad_rows, upload.errors
        assert len(rows) - 1 in bad_rows or name.endswith(".xlsx")
        assert all(line["row"] not in (len(rows) - 1, len(rows)) for line in upload.lines)
        for line in upload.lines:
            assert isinstance(line["qty"], Decimal) and line["qty"] >= 0
    from tests.factories import stock_lot

    stock_lot(db, "OF-100", "A-01-01", 3, "2.5")
    number = st.open_stocktake(db, actor="supervisor", period="2030-01", zones=["A Parts"])
    before = every_row(db)
    upload = st.read_count_sheet(_csv(rows), "count.csv")
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                         counts=upload.lines)
    codes = {e["code"] for e in err.value.params.get("errors", [err.value.params])}
    assert codes <= {"count_unknown_sku", "not_on_sheet"}
    assert every_row(db) == before
