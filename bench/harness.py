"""Benchmark harness: the product's speed targets on a large warehouse.

    python -m bench.harness [--scale small|large] [--db sqlite|postgresql] [--url URL]
                            [--cases NAME,...] [--out bench/results.json] [--no-browser]

Works on a throw-away copy of the generated dataset (``python -m bench.generate``):
SQLite copies ``bench/data/bench-<scale>.db``; PostgreSQL clones the generated
database (``CREATE DATABASE ... TEMPLATE``). Every case runs through the public
services (or the real app for the AppTest and browser cases) after warm-up runs, is
repeated, and reports the median and p95 against its target. Where a case has a
floor — the raw work any implementation must do (openpyxl reading the same sheet,
``executemany`` of the same lot and movement rows in one transaction) — the floor is
measured in the same run and the ratio reported. Results go to a table on stdout
and to ``bench/results.json``: a list of records with ``name``, ``median_s``,
``p95_s``, ``target_s``, ``floor_s``, ``ratio_to_floor``, ``rows`` (plus ``metric``,
``target_ratio``, ``passed`` and case-specific figures).
"""
from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bench.generate import BENCH_USER, SCALES, bench_db_path
from db import Database, open_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results.json"
PG_DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "demo1234"
# Issues leave from one warehouse; the timed ones use the main warehouse's lots.
ISSUE_WAREHOUSE = "MAIN"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


# --- measurement -----------------------------------------------------------------
def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Result:
    name: str
    samples: list[float]
    target_s: float | None
    rows: int
    metric: str = "median"             # which figure the target applies to: median | p95
    floor: list[float] | None = None
    target_ratio: float | None = None
    extra: dict = field(default_factory=dict)
    skipped: str | None = None
    # The database the target is set for (the issue's targets are SQLite's unless
    # noted); on the other database the figure is reported for comparison only.
    target_db: str = "sqlite"
    run_db: str = "sqlite"

    @property
    def applies(self) -> bool:
        return self.target_db == self.run_db

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        return p95(self.samples) if self.samples else None

    @property
    def floor_s(self) -> float | None:
        return statistics.median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        if self.floor_s and self.median is not None:
            return self.median / self.floor_s
        return None

    @property
    def passed(self) -> bool | None:
        if self.skipped:
            return None
        ok = True
        if "passed" in self.extra:
            ok = bool(self.extra["passed"])
        if self.target_s is not None and self.samples:
            ok = ok and (self.p95 if self.metric == "p95" else self.median) <= self.target_s
        if self.target_ratio is not None and self.ratio is not None:
            ok = ok and self.ratio <= self.target_ratio
        return ok

    def record(self) -> dict:
        def r(value, places=6):       # seconds to the microsecond
            return None if value is None else round(value, places)

        return {
            "name": self.name, "median_s": r(self.median), "p95_s": r(self.p95),
            "target_s": self.target_s, "floor_s": r(self.floor_s),
            "ratio_to_floor": r(self.ratio, 2), "rows": self.rows, "metric": self.metric,
            "target_ratio": self.target_ratio, "repeats": len(self.samples),
            "passed": self.passed, "target_db": self.target_db, "target_applies": self.applies,
            **({"skipped": self.skipped} if self.skipped else {}),
            # a case's own check is part of ``passed`` above; never let it overwrite it
            **{key: value for key, value in self.extra.items() if key != "passed"},
            **({"checks_passed": self.extra["passed"]} if "passed" in self.extra else {}),
        }


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure(fn: Callable[[], object], *, warmup: int, repeats: int,
            setup: Callable[[], object] | None = None) -> list[float]:
    """Run ``fn`` warmup + repeats times (``setup`` before each, untimed)."""
    samples = []
    for index in range(warmup + repeats):
        if setup is not None:
            setup()
        elapsed, _ = timed(fn)
        if index >= warmup:
            samples.append(elapsed)
    return samples


# --- the dataset copy ----------------------------------------------------------------
@dataclass
class Plan:
    """How many repeats each case gets at a scale."""

    repeats: int
    issue_samples: int
    throughput_batch: int
    concurrent_per_worker: int
    hot_stock: int
    stocktake_posts: int
    variance_lines: int


PLANS = {
    "tiny": Plan(repeats=3, issue_samples=20, throughput_batch=50, concurrent_per_worker=10,
                 hot_stock=40, stocktake_posts=1, variance_lines=100),
    "small": Plan(repeats=5, issue_samples=40, throughput_batch=100, concurrent_per_worker=20,
                  hot_stock=100, stocktake_posts=1, variance_lines=400),
    "large": Plan(repeats=7, issue_samples=100, throughput_batch=200, concurrent_per_worker=60,
                  hot_stock=300, stocktake_posts=3, variance_lines=2000),
}


def prepare_sqlite(scale: str, workdir: Path, log, source: Path | None = None) -> str:
    source = source or bench_db_path(scale)
    if not source.exists():
        log(f"generating {source.name} ...")
        subprocess.run([sys.executable, "-m", "bench.generate", "--scale", scale], cwd=ROOT,
                       check=True)
    target = workdir / f"run-{scale}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}"


def _pg_admin(server_url: str):
    from sqlalchemy import create_engine

    return create_engine(server_url, isolation_level="AUTOCOMMIT")


def prepare_postgresql(scale: str, server_url: str, log) -> tuple[str, Callable[[], None]]:
    """Generate wh_bench_<scale> once (if missing), clone it for this run."""
    base, run = f"wh_bench_{scale}", f"wh_bench_{scale}_run"
    admin = _pg_admin(server_url)
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": base}).scalar()
    base_url = make_url(server_url).set(database=base).render_as_string(hide_password=False)
    if not exists:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{base}"'))
        log(f"generating {base} ...")
        subprocess.run([sys.executable, "-m", "bench.generate", "--scale", scale, "--url",
                        base_url], cwd=ROOT, check=True)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{run}" TEMPLATE "{base}"'))
    run_url = make_url(server_url).set(database=run).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)'))
        admin.dispose()

    return run_url, drop


# --- shared picks ---------------------------------------------------------------------
class Bench:
    def __init__(self, db: Database, url: str, scale: str, plan: Plan, log):
        self.db, self.url, self.scale, self.plan, self.log = db, url, scale, plan, log
        self._pool: list[tuple[str, list[Decimal]]] | None = None

    def issue_pool(self) -> list[tuple[str, list[Decimal]]]:
        """Plain FIFO items (no assembly sign-off, no old-part tag) with at least three
        available lots in storage: (sku, FIFO lot quantities). Each case takes its
        items off the list, so every timed issue consumes untouched lots."""
        if self._pool is None:
            from db.models import Item, Location, Lot, Warehouse

            with self.db.read() as session:
                rows = session.execute(
                    select(Item.sku, Lot.qty_on_hand)
                    .join(Lot, Lot.item_id == Item.id)
                    .join(Location, Location.id == Lot.location_id)
                    .join(Warehouse, Warehouse.id == Location.warehouse_id)
                    .where(Warehouse.code == ISSUE_WAREHOUSE, Item.issue_policy == "FIFO",
                           Item.is_assembly.is_(False),
                           Item.requires_old_part.is_(False), Item.active.is_(True),
                           Item.tracks_expiry.is_(False), Lot.status == "available",
                           Lot.qty_on_hand > 0, Location.kind == "storage",
                           Location.frozen_by_stocktake_id.is_(None))
                    .order_by(Item.id, Lot.received_at, Lot.id)).all()
            lots: dict[str, list[Decimal]] = {}
            for sku, qty in rows:
                lots.setdefault(sku, []).append(qty)
            hot = self.hot_sku()
            self._pool = [(sku, q) for sku, q in lots.items() if sku != hot]
            # Spread the picks over the catalogue.
            self._pool = self._pool[::2] + self._pool[1::2]
        return self._pool

    def take_items(self, count: int, min_lots: int = 1) -> list[tuple[str, list[Decimal]]]:
        pool = self.issue_pool()
        taken, rest = [], []
        for entry in pool:
            (taken if len(taken) < count and len(entry[1]) >= min_lots else rest).append(entry)
        if len(taken) < count:
            raise RuntimeError(f"only {len(taken)} issuable items left, {count} wanted")
        self._pool = rest
        return taken

    def hot_sku(self) -> str:
        """The item with the longest history (the stock card case)."""
        from db.models import Item, Movement

        if not hasattr(self, "_hot"):
            with self.db.read() as session:
                item_id = session.scalar(
                    select(Movement.item_id).where(Movement.item_id <= 5)
                    .group_by(Movement.item_id).order_by(func.count().desc()).limit(1))
                self._hot = session.scalar(select(Item.sku).where(Item.id == item_id))
        return self._hot


# --- cases ---------------------------------------------------------------------------
def delivery_rows(lines: int) -> list[list]:
    """A 10,000-line supplier sheet: the note number above a header, then the lines."""
    rows = [["送货单号：DN-BENCH-10K"],
            ["SKU", "Name", "Spec", "Qty", "Unit price", "Amount", "Lot no", "Expiry date",
             "PO number"]]
    for n in range(1, lines + 1):
        price = Decimal(n % 500 + 5) + Decimal("0.25")
        qty = n % 40 + 1
        rows.append([f"P{n % 20000 + 1:06d}", f"Part {n:06d}", f"spec {n % 97}", qty,
                     float(price), float(price * qty), f"L{n:07d}",
                     date(2030, 1, 1) + timedelta(days=n % 300), "PO-BENCH"])
    return rows


def _xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("送货单")
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xls_bytes(rows: list[list]) -> bytes | None:
    """Excel 97-2003, as many Chinese ERPs still export (xlwt writes it; a dev
    requirement: without it the .xls case is skipped)."""
    try:
        import xlwt
    except ImportError:
        return None
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("送货单")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, dated)
            else:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def case_delivery_sheet(b: Bench) -> list[Result]:
    """Read a 10,000-line supplier delivery sheet (.xlsx and .xls) through the whole
    reader (budget checks, header, every line parsed) vs the floor: calamine reading
    the same file bare into Python rows. openpyxl's read-only pass is reported too."""
    import openpyxl
    import python_calamine

    from services import receiving

    lines = 10_000
    rows = delivery_rows(lines)
    repeats = b.plan.repeats
    results = []
    for name, data in (("delivery_sheet_read_10k", _xlsx_bytes(rows)),
                       ("delivery_sheet_read_10k_xls", _xls_bytes(rows))):
        if data is None:
            results.append(Result(name, [], None, 0, skipped="xlwt is not installed"))
            continue
        suffix = ".xls" if name.endswith("xls") else ".xlsx"

        def floor(data=data):
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            got = book.get_sheet_by_index(0).to_python()
            book.close()
            return got

        found = {}

        def service(data=data, suffix=suffix):
            found["sheet"] = receiving.read_delivery_sheet(data, f"delivery-10k{suffix}")

        floor_samples = measure(floor, warmup=1, repeats=repeats)
        samples = measure(service, warmup=1, repeats=repeats)
        extra = {"file_kb": len(data) // 1024}
        if suffix == ".xlsx":
            def with_openpyxl(data=data):
                book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
                got = list(book.worksheets[0].iter_rows(values_only=True))
                book.close()
                return got

            extra["openpyxl_s"] = round(statistics.median(
                measure(with_openpyxl, warmup=0, repeats=max(1, repeats // 2))), 6)
        sheet = found["sheet"]
        extra["passed"] = len(sheet.lines) == lines and not [
            e for e in sheet.errors if getattr(e, "severity", "error") == "error"]
        results.append(Result(name, samples, 3.0, len(sheet.lines), floor=floor_samples,
                              target_ratio=1.5, extra=extra))
    return results


def phone_photo_12mp() -> bytes:
    """A corpus delivery note (8 lines, rotated, tilted, stamped) at 12 MP, as a phone
    camera saves it (4:3, JPEG quality 90)."""
    from PIL import Image

    source = ROOT / "tests" / "data" / "photos" / "zh_songhuodan_1.jpg"
    out = io.BytesIO()
    Image.open(source).resize((3000, 4000), Image.Resampling.LANCZOS).save(out, "JPEG", quality=90)
    return out.getvalue()


_PHOTO_CHILD = """
import sys, time
from services.photo.reader import read_delivery_photo
data = sys.stdin.buffer.read()
sheet = read_delivery_photo([data], ["IMG_0001.jpg"])
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(len(sheet.lines), int(peak) // 1024)
"""


def case_delivery_photo(b: Bench) -> Result:
    """Read a 12-MP phone photo of a paper delivery note (intake, flattening, OCR,
    table, sheet logic), the OCR engine already loaded; peak memory of a fresh process
    doing one read (engine included)."""
    from services.photo import ocr
    from services.photo.reader import read_delivery_photo

    data = phone_photo_12mp()
    load_s, _ = timed(ocr.engine)
    found = {}
    cpu = []

    def service():
        started = time.process_time()
        found["sheet"] = read_delivery_photo([data], ["IMG_0001.jpg"])
        cpu.append(time.process_time() - started)

    load_before = os.getloadavg()[0]
    samples = measure(service, warmup=1, repeats=max(3, b.plan.repeats))
    child = subprocess.run([sys.executable, "-c", _PHOTO_CHILD], input=data, cwd=ROOT,
                           capture_output=True, timeout=600)
    lines, peak_mb = (int(v) for v in child.stdout.split()) if child.returncode == 0 else (0, -1)
    ok = len(found["sheet"].lines) == 8 and lines == 8 and 0 < peak_mb <= 500
    return Result("delivery_photo_read_12mp", samples, 4.0, len(found["sheet"].lines),
                  extra={"passed": ok, "photo_kb": len(data) // 1024, "megapixels": 12,
                         "engine_load_s": round(load_s, 2),
                         "cpu_s_median": round(statistics.median(cpu[1:] or cpu), 2),
                         "peak_rss_mb_fresh_process": peak_mb,
                         "load_average_at_start": round(load_before, 2)})


def _approved_po(b: Bench, skus: list[str], number: str) -> str:
    from services import purchasing

    purchasing.create_purchase_order(
        b.db, actor="purchasing", supplier="SUP001", number=number,
        lines=[{"sku": s, "qty": 10, "unit_price": "12.5000"} for s in skus])
    purchasing.approve_purchase_order(b.db, actor="purchasing2", number=number)
    return number


def case_receive_500(b: Bench) -> Result:
    """start_receipt + record_counts + post_receipt of a 500-line delivery note
    against an approved PO (created in setup) vs executemany of the same 500 lots
    and 500 movements in one transaction."""
    from db.models import Item
    from services import receiving

    with b.db.read() as session:
        items = session.execute(
            select(Item.id, Item.sku, Item.default_location_id)
            .where(Item.active.is_(True)).order_by(Item.id)).all()
    lines = min(500, len(items))
    # Twice the usual repeats: a ratio of two medians on a shared machine needs them.
    repeats = 2 * b.plan.repeats + 1
    runs = 1 + repeats
    # Distinct items within a note; notes reuse items only on a small catalogue.
    batches = [[items[(i * lines + k) % len(items)] for k in range(lines)] for i in range(runs)]
    state = {"n": 0}

    def setup():
        n = state["n"]
        state["po"] = _approved_po(b, [row.sku for row in batches[n]], f"PO-BENCH-RCV-{n:03d}")
        state["batch"] = batches[n]
        state["n"] += 1

    def service():
        batch, po = state["batch"], state["po"]
        expiry = date.today() + timedelta(days=720)
        grn = receiving.start_receipt(
            b.db, actor="receiver", po_number=po, delivery_note_no=f"DN-{po}",
            lines=[{"sku": row.sku, "qty": 10, "unit_price": "12.5000", "lot_no": f"LB{i:04d}",
                    "expiry_date": expiry} for i, row in enumerate(batch)])
        receiving.record_counts(b.db, actor="receiver", receipt=grn, counts=[
            {"line_no": i, "counted_qty": 10, "certificate": "CERT-1"}
            for i in range(1, len(batch) + 1)])
        view = receiving.post_receipt(b.db, actor="receiver", receipt=grn, checked_by="keeper",
                                      checker_password=PASSWORD)
        assert view.status == "posted" and view.accepted_total == Decimal(10 * len(batch)), view
        return view

    samples = measure(service, warmup=1, repeats=repeats, setup=setup)
    floor_samples = [raw_insert_floor(b, batches[i % len(batches)]) for i in range(repeats + 1)][1:]
    return Result("receive_post_500", samples, 1.5, lines, floor=floor_samples, target_ratio=4.0)


def raw_insert_floor(b: Bench, batch) -> float:
    """executemany of 500 lot rows and their 500 receipt movements in one
    transaction on the raw DB-API connection (then removed, untimed)."""
    from bench.generate import Encoder
    from services import clock

    enc = Encoder(b.db.dialect)
    now = clock.now()
    fairy = b.db.engine.raw_connection()
    raw = fairy.driver_connection
    try:
        cur = raw.cursor()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM lot")
        first = cur.fetchone()[0] + 1000
        if not b.db.is_sqlite:
            raw.commit()
        at = enc.moment(now)
        lots = [(first + i, row.id, row.default_location_id, f"FLOOR{i:04d}", None, at,
                 enc.money4(125000), enc.qty(10), enc.qty(10), "available", None, 1,
                 "FLOOR-GRN") for i, row in enumerate(batch)]
        moves = [(at, "receipt", row.id, first + i, row.default_location_id, enc.qty(10),
                  enc.money4(125000), enc.value(10, 125000), "GRN", "FLOOR-GRN", 1, "")
                 for i, row in enumerate(batch)]
        mark = "?" if b.db.is_sqlite else "%s"
        lot_sql = ("INSERT INTO lot (id, item_id, location_id, lot_no, expiry_date, received_at, "
                   "unit_cost, qty_received, qty_on_hand, status, origin_lot_id, supplier_id, "
                   f"receipt_number) VALUES ({', '.join([mark] * 13)})")
        move_sql = ("INSERT INTO movement (at, type, item_id, lot_id, location_id, qty, unit_cost, "
                    f"value, doc_type, doc_no, actor_id, note) VALUES ({', '.join([mark] * 12)})")
        started = time.perf_counter()
        if b.db.is_sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.executemany(lot_sql, lots)
        cur.executemany(move_sql, moves)
        raw.commit() if not b.db.is_sqlite else cur.execute("COMMIT")
        elapsed = time.perf_counter() - started
        if b.db.is_sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute("DELETE FROM movement WHERE doc_no = 'FLOOR-GRN'")
        cur.execute(f"DELETE FROM lot WHERE id >= {first}")
        raw.commit() if not b.db.is_sqlite else cur.execute("COMMIT")
        return elapsed
    finally:
        fairy.close()


def _issue(db, sku: str, qty, reference: str = "bench"):
    from services import issuing

    return issuing.issue_stock(db, actor="keeper", lines=[{"sku": sku, "qty": qty}],
                               requested_by="Workshop bay 3", reference=reference,
                               warehouse=ISSUE_WAREHOUSE)


def case_issue_fifo(b: Bench) -> Result:
    """One FIFO issue whose quantity spans three lots (p95 target)."""
    picks = b.take_items(b.plan.issue_samples + 5, min_lots=3)
    queue = list(picks)
    spans = []

    def one():
        sku, lots = queue.pop(0)
        view = _issue(b.db, sku, lots[0] + lots[1] + 1)
        spans.append(len(view.lines[0].allocations))

    samples = measure(one, warmup=5, repeats=b.plan.issue_samples)
    ok = all(s == 3 for s in spans)
    return Result("issue_fifo_3_lots", samples, 0.025, len(samples), metric="p95",
                  extra={"passed": ok, "spans_ok": ok})


def case_issue_throughput(b: Bench) -> Result:
    """Sequential issues (one line, 1-3 units, distinct items): a batch of N must take
    at most N/100 s (>= 100 issues/s)."""
    batch = b.plan.throughput_batch
    picks = b.take_items(batch * (b.plan.repeats // 2 + 1) + 20)
    queue = list(picks)

    def warm():
        for _ in range(20):
            sku, _lots = queue.pop(0)
            _issue(b.db, sku, 1)

    def run():
        for n in range(batch):
            sku, lots = queue.pop(0)
            _issue(b.db, sku, min(1 + n % 3, sum(lots)))

    warm()
    samples = measure(run, warmup=0, repeats=b.plan.repeats // 2 + 1)
    rate = batch / statistics.median(samples)
    return Result("issue_sequential_throughput", samples, batch / 100, batch,
                  extra={"issues_per_s": round(rate, 1), "target_issues_per_s": 100})


# PostgreSQL concurrency ------------------------------------------------------------------
def _worker(url: str, skus: list[str], hot: bool, ready, start, results) -> None:
    from db import open_database
    from services import issuing
    from services.errors import InsufficientStock

    db = open_database(url, upgrade=False)
    if hot:
        issuing.preview_issue(db, lines=[{"sku": skus[0], "qty": 1}],
                              warehouse=ISSUE_WAREHOUSE)
    else:
        _issue(db, skus[0], 1, reference="warm-up")
    issued, failed, refused = 0, 0, 0
    ready.put(1)
    start.wait()
    began = time.perf_counter()
    try:
        if hot:
            while True:
                try:
                    _issue(db, skus[0], 1, reference="hot")
                    issued += 1
                except InsufficientStock:
                    refused += 1
                    break
        else:
            for sku in skus[1:]:
                _issue(db, sku, 1, reference="concurrent")
                issued += 1
    except Exception:  # noqa: BLE001 - reported to the parent
        failed += 1
        traceback.print_exc()
    results.put((issued, failed, refused, began, time.perf_counter()))
    db.dispose()


def _run_workers(url: str, jobs: list[list[str]], hot: bool) -> tuple[float, int, int]:
    ctx = multiprocessing.get_context("spawn")
    start, ready, results = ctx.Event(), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, skus, hot, ready, start, results))
             for skus in jobs]
    for p in procs:
        p.start()
    # Every worker has imported, connected and warmed up before the clock starts.
    for _ in procs:
        ready.get(timeout=300)
    time.sleep(0.5)
    start.set()
    outcomes = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    began = min(o[3] for o in outcomes)
    ended = max(o[4] for o in outcomes)
    return ended - began, sum(o[0] for o in outcomes), sum(o[1] for o in outcomes)


def case_concurrent_distinct(b: Bench) -> Result:
    workers, per = 8, b.plan.concurrent_per_worker
    samples, totals = [], []
    errors = 0
    for _ in range(2):
        picks = [sku for sku, _lots in b.take_items(workers * (per + 1))]
        jobs = [picks[w * (per + 1):(w + 1) * (per + 1)] for w in range(workers)]
        elapsed, issued, failed = _run_workers(b.url, jobs, hot=False)
        samples.append(elapsed)
        totals.append(issued)
        errors += failed
    rate = statistics.median(t / s for t, s in zip(totals, samples))
    n = workers * per
    return Result("pg_concurrent_distinct_8w", samples, n / 200, n, target_db="postgresql",
                  extra={"issues_per_s": round(rate, 1), "target_issues_per_s": 200,
                         "workers": workers, "errors": errors,
                         "passed": errors == 0 and all(t == n for t in totals)})


def _top_up(b: Bench, sku: str, qty: int) -> Decimal:
    """Receive stock for the hot-item case straight through the ledger writer (setup);
    returns the item's issuable quantity."""
    from db.models import Item
    from services import issuing
    from services.ledger import LedgerWriter

    def work(session):
        item = session.scalar(select(Item).where(Item.sku == sku))
        writer = LedgerWriter(session, "GRN", f"GRN-HOT-{time.time_ns() % 10**12}", None)
        writer.receive(item_id=item.id, location_id=item.default_location_id,
                       qty=Decimal(qty), unit_cost=Decimal("10.0000"), lot_no="HOT")
        writer.flush()

    b.db.write(work)
    return sum((r["issuable"] for r in issuing.stock_locations(b.db, sku)), Decimal(0))


def _negative_lots(b: Bench) -> int:
    from db.models import Lot

    with b.db.read() as session:
        return session.scalar(select(func.count(Lot.id)).where(Lot.qty_on_hand < 0)) or 0


def case_concurrent_hot(b: Bench) -> Result:
    """8 workers issue 1 unit at a time of the same item until it runs out: the
    successes must equal the stock exactly (zero oversell)."""
    from services import issuing

    workers = 8
    samples, oversold, issued_all = [], 0, []
    errors = 0
    for _ in range(2):
        sku, _lots = b.take_items(1)[0]
        # Drain what is there to a known figure, then top up to exactly hot_stock.
        available = sum((r["issuable"] for r in issuing.stock_locations(b.db, sku)), Decimal(0))
        if available:
            _issue(b.db, sku, available, reference="drain")
        stock = _top_up(b, sku, b.plan.hot_stock)
        elapsed, issued, failed = _run_workers(b.url, [[sku]] * workers, hot=True)
        left = sum((r["issuable"] for r in issuing.stock_locations(b.db, sku)), Decimal(0))
        oversold += max(0, issued - int(stock)) + (1 if left < 0 else 0)
        errors += failed
        samples.append(elapsed)
        issued_all.append(issued)
        if issued != int(stock) or left != 0:
            oversold += abs(issued - int(stock))
    rate = statistics.median(i / s for i, s in zip(issued_all, samples))
    negative = _negative_lots(b)
    return Result("pg_concurrent_hot_item_8w", samples, b.plan.hot_stock / 50, b.plan.hot_stock,
                  target_db="postgresql",
                  extra={"issues_per_s": round(rate, 1), "target_issues_per_s": 50,
                         "oversold": oversold, "negative_lots": negative, "errors": errors,
                         "passed": oversold == 0 and negative == 0 and errors == 0})


# Reports -----------------------------------------------------------------------------------
def case_stock_on_hand(b: Bench) -> list[Result]:
    """One page (100 rows) of stock on hand with a filter, and its totals line (what
    the Stock on hand page fetches), over 20,000 SKUs."""
    from services import reports

    options = reports.filter_options(b.db)
    category = options["categories"][1]
    out = []
    for name, filters, wanted_offset in (
            ("stock_on_hand_page_category", {"category": category}, 500),
            ("stock_on_hand_page_search", {"search": "brake"}, 0),
            ("stock_on_hand_page_zone", {"zone": next((z for z in options["zones"] if z.startswith("Zone 02")), options["zones"][0])}, 200)):
        got = {}
        total = reports.stock_on_hand_totals(b.db, **filters)["lots"]
        offset = max(0, min(wanted_offset, (total - 100) // 100 * 100))

        def page():
            got["totals"] = reports.stock_on_hand_totals(b.db, **filters)
            got["page"] = reports.stock_on_hand(b.db, limit=100, offset=offset, **filters)

        samples = measure(page, warmup=2, repeats=b.plan.repeats * 2)
        out.append(Result(name, samples, 0.100, len(got["page"]),
                          extra={"matching_lots": got["totals"]["lots"]}))
    return out


def case_stock_card(b: Bench) -> Result:
    from services import reports

    sku = b.hot_sku()
    got = {}
    samples = measure(lambda: got.update(card=reports.stock_card(b.db, sku)),
                      warmup=2, repeats=b.plan.repeats * 2)
    rows = len(got["card"])
    return Result("stock_card_1000_movements", samples, 0.050, rows,
                  extra={"sku": sku, "passed": rows >= (1000 if b.scale == "large" else 100)})


def case_monthly_summary(b: Bench) -> list[Result]:
    from services import clock, reports
    from domain import reports as calc

    current = clock.period_of(clock.now())
    previous = calc.previous_period(current)
    out = []
    for name, period in (("monthly_summary_open_month", current),
                         ("monthly_summary_closed_month", previous)):
        got = {}
        samples = measure(lambda: got.update(frame=reports.monthly_summary(b.db, period)),
                          warmup=1, repeats=b.plan.repeats)
        out.append(Result(name, samples, 1.0, len(got["frame"]), extra={"period": period}))
    return out


# Stocktake ----------------------------------------------------------------------------------
def _live_lines(b: Bench, number: str):
    from db.queries import stocktake as stq
    from services import stocktake

    with b.db.read() as session:
        st = stocktake._load(session, number)
        return stq.sheet_rows(session, st.id)


def case_stocktake(b: Bench) -> list[Result]:
    from services import clock, stocktake
    from domain import reports as calc

    period = clock.period_of(clock.now())
    opened: list[str] = []

    def open_once():
        opened.append(stocktake.open_stocktake(b.db, actor="supervisor", period=period))

    def cancel_last():
        if opened:
            stocktake.cancel(b.db, actor="supervisor", stocktake=opened[-1])

    samples = []
    for index in range(b.plan.repeats // 2 + 2):
        elapsed, _ = timed(open_once)
        lines = len(_live_lines(b, opened[-1]))
        cancel_last()
        if index >= 1:
            samples.append(elapsed)
    results = [Result("stocktake_open", samples, 3.0, lines,
                      extra={"passed": lines >= (40_000 if b.scale == "large" else 1)})]

    variance_samples, post_samples, variance_rows = [], [], 0
    posted_lines = 0
    for cycle in range(b.plan.stocktake_posts):
        number = stocktake.open_stocktake(b.db, actor="supervisor", period=period)
        rows = _live_lines(b, number)
        wanted = min(b.plan.variance_lines, len(rows) // 4)
        changed = {}
        for r in rows:
            if len(changed) >= wanted:
                break
            if r.book_qty >= 1:
                changed[r.id] = r.book_qty + (1 if len(changed) % 2 else -1)
        by_zone: dict[str, list[dict]] = {}
        for r in rows:
            by_zone.setdefault(r.zone, []).append(
                {"sku": r.sku, "location": r.location, "qty": changed.get(r.id, r.book_qty)})
        for zone, counts in by_zone.items():
            stocktake.record_counts(b.db, actor="keeper", stocktake=number, round="initial",
                                    counts=counts)
        for zone, counts in by_zone.items():
            stocktake.record_counts(b.db, actor="finance", stocktake=number, round="spot",
                                    counts=counts)
        stocktake.set_reasons(b.db, actor="supervisor", stocktake=number, reasons=[
            {"sku": r.sku, "location": r.location, "reason": "counting_error"}
            for r in rows if r.id in changed])
        stocktake.submit(b.db, actor="supervisor", stocktake=number)
        got = {}
        variance_samples += measure(
            lambda: got.update(frame=stocktake.variance_report(b.db, number)),
            warmup=1, repeats=max(2, b.plan.repeats // 2))
        variance_rows = len(got["frame"])
        stocktake.review(b.db, actor="finance", stocktake=number)
        stocktake.approve(b.db, actor="manager", stocktake=number)
        elapsed, _ = timed(lambda: stocktake.post(b.db, actor="finance", stocktake=number))
        post_samples.append(elapsed)
        posted_lines = len(changed)
        period = calc.next_period(period)
    results.append(Result("stocktake_variance_report", variance_samples, 2.0, variance_rows))
    results.append(Result("stocktake_post_variances", post_samples, 3.0, posted_lines))
    return results


# Printed documents ------------------------------------------------------------------------------
def case_documents(b: Bench) -> list[Result]:
    """PDFs through services.documents.render_pdf (Chinese): the GRN of a 500-line
    delivery, the blind count sheet (two copies) of the largest zone, the monthly
    summary of every item with stock this month."""
    from db.models import Item
    from domain import reports as calc
    from services import clock, documents, receiving, reports
    from services import stocktake

    def pdf(kind, number):
        return documents.render_pdf(b.db, kind=kind, number=number, language="zh")

    with b.db.read() as session:
        skus = list(session.scalars(select(Item.sku).where(Item.active.is_(True))
                                    .order_by(Item.id).limit(500)))
    po = _approved_po(b, skus, "PO-BENCH-PDF")
    grn = receiving.start_receipt(b.db, actor="receiver", po_number=po,
                                  delivery_note_no="DN-BENCH-PDF",
                                  lines=[{"sku": s, "qty": 10, "lot_no": f"LP{i:04d}",
                                          "expiry_date": date.today() + timedelta(days=720)}
                                         for i, s in enumerate(skus)])
    receiving.record_counts(b.db, actor="receiver", receipt=grn, counts=[
        {"line_no": i, "counted_qty": 10, "certificate": "CERT-1"}
        for i in range(1, len(skus) + 1)])
    receiving.post_receipt(b.db, actor="receiver", receipt=grn, checked_by="keeper",
                           checker_password=PASSWORD)
    repeats = max(2, b.plan.repeats // 2)
    out = [Result("pdf_grn_500_lines", measure(lambda: pdf("grn", grn), warmup=1,
                                               repeats=repeats), 5.0, len(skus))]

    taken = {s["period"] for s in stocktake.list_stocktakes(b.db)}
    period = clock.period_of(clock.now())
    while period in taken:                 # the stocktake case may have used this month
        period = calc.next_period(period)
    number = stocktake.open_stocktake(b.db, actor="supervisor", period=period)
    try:
        zone, lines = max(((p.zone, p.lines) for p in stocktake.get_stocktake(b.db, number).progress),
                          key=lambda pair: pair[1])
        samples = measure(lambda: pdf("count_sheet", f"{number}/{zone}"), warmup=0,
                          repeats=repeats)
        out.append(Result("pdf_count_sheet_largest_zone", samples, 30.0, lines,
                          extra={"zone": zone, "copies": 2}))
    finally:
        stocktake.cancel(b.db, actor="supervisor", stocktake=number)

    period = clock.period_of(clock.now())
    items = len(reports.monthly_summary(b.db, period))
    samples = measure(lambda: pdf("monthly_summary", period), warmup=0, repeats=repeats)
    out.append(Result("pdf_monthly_summary_all_items", samples, 60.0, items))
    return out


# The app --------------------------------------------------------------------------------------
def case_home_apptest(b: Bench) -> Result:
    """The home dashboard script run (AppTest), warm: signed in as the all-roles user."""
    from streamlit.testing.v1 import AppTest

    from services import users
    from ui.session import CurrentUser

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["WAREHOUSE_DB_URL"] = b.url
    user = users.get_user(b.db, BENCH_USER)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["user"] = CurrentUser(username=user.username, display_name="Bench",
                                           roles=frozenset(user.role_names), language="en")
    problems = []

    def run():
        at.run()
        if at.exception:
            problems.append([e.value for e in at.exception])

    samples = measure(run, warmup=2, repeats=b.plan.repeats)
    return Result("home_dashboard_apptest_warm", samples, 1.5, 1,
                  extra={"passed": not problems, **({"errors": problems[:1]} if problems else {})})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_rss_mb(pid: int, field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def case_server_memory(b: Bench) -> Result:
    """Peak RSS of `streamlit run app.py` on the bench database after a signed-in
    user with every role has opened every page in Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import NAV, open_page, track   # the browser tests' own navigation
    from ui.i18n import translate
    from ui.navigation import pages_for

    if not Path(CHROMIUM).exists():
        return Result("server_peak_rss", [], None, 0, skipped="chromium not installed")
    port = _free_port()
    env = {**os.environ, "WAREHOUSE_DB_URL": b.url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    visited, failures, page_times, page_peaks = 0, [], {}, {}
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read() == b"ok":
                        break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.3)
        titles = [translate(p.title_key, "en") for p in pages_for(
            {"receiver", "keeper", "qc", "supervisor", "purchasing", "finance", "manager", "admin"})]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            track(page)                     # script runs counted: a page is open when its run ends
            page.goto(url)
            _wait_idle(page)
            page.get_by_label("Username", exact=True).fill(BENCH_USER)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.locator(NAV).first.wait_for(timeout=60_000)     # top bar (or sidebar)
            _wait_idle(page)
            for title in titles:
                started = time.perf_counter()
                try:
                    open_page(page, title)
                    _wait_idle(page, timeout=180)
                    visited += 1
                    if page.locator('[data-testid="stException"]').count():
                        failures.append(f"{title}: exception on page")
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"{title}: {type(exc).__name__}")
                page_times[title] = round(time.perf_counter() - started, 2)
                page_peaks[title] = round(_peak_rss_mb(proc.pid), 1)   # which page raised it
            browser.close()
        peak = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return Result("server_peak_rss", [], None, visited, metric="peak_rss_mb",
                  extra={"peak_rss_mb": round(peak, 1), "target_mb": 500,
                         "pages": len(titles), "page_seconds": page_times,
                         "peak_mb_after_page": page_peaks,
                         "failures": failures,
                         "passed": peak <= 500 and not failures and visited == len(titles)})


def _wait_idle(page, timeout: float = 60) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    time.sleep(0.4)
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.2)
    raise TimeoutError("app still running")


def case_resolve_code(b: Bench) -> Result:
    """A scan resolved: one EAN per item, then the p95 of resolving an EAN, a SKU, a
    lot label, a bin and a code nothing carries (the slowest path: every lookup)."""
    from datetime import datetime, timezone

    from db.models import Item, ItemCode, Location, Lot
    from domain.codes import gtin_check_digit, lot_label_payload
    from services import catalog
    from services.errors import NotFound

    def ean(item_id: int) -> str:
        body = "699" + str(item_id).zfill(9)
        return body + str(gtin_check_digit(body))

    def add_codes(session):
        ids = session.scalars(select(Item.id).order_by(Item.id)).all()
        session.execute(ItemCode.__table__.insert(), [
            {"item_id": i, "code": ean(i), "code_key": ean(i), "kind": "ean13",
             "created_by": "bench", "created_at": datetime.now(timezone.utc)} for i in ids])
        return ids

    item_ids = b.db.write(add_codes)
    with b.db.read() as session:
        skus = session.scalars(select(Item.sku).order_by(Item.id).limit(200)).all()
        lot_ids = session.scalars(select(Lot.id).order_by(Lot.id.desc()).limit(200)).all()
        bins = session.scalars(select(Location.code).limit(50)).all()
    queries = ([ean(i) for i in item_ids[::max(1, len(item_ids) // 200)]] + list(skus)
               + [lot_label_payload(i) for i in lot_ids] + list(bins) + ["NO-SUCH-CODE"] * 50)

    def resolve(code):
        try:
            return catalog.resolve_code(b.db, code)
        except NotFound:
            return None

    samples = [timed(lambda c=code: resolve(c))[0] for code in queries]
    misses = sum(resolve(code) is None for code in queries[-50:])
    return Result("resolve_scanned_code", samples, 0.020, len(queries), metric="p95",
                  extra={"codes": len(item_ids), "passed": misses == 50})


def case_books_check(b: Bench) -> Result:
    """The books check after every case: ledger, lots and balances agree."""
    from services import reports

    elapsed, problems = timed(lambda: reports.check_consistency(b.db))
    return Result("books_check", [elapsed], None, len(problems), metric="info",
                  extra={"problems": problems[:5], "passed": not problems})


# --- driver --------------------------------------------------------------------------------------
CASES: dict[str, Callable[[Bench], Result | list[Result]]] = {
    "delivery_sheet": case_delivery_sheet,
    "delivery_photo": case_delivery_photo,
    "receive": case_receive_500,
    "issue": case_issue_fifo,
    "issue_throughput": case_issue_throughput,
    "concurrent_distinct": case_concurrent_distinct,
    "concurrent_hot": case_concurrent_hot,
    "stock_on_hand": case_stock_on_hand,
    "stock_card": case_stock_card,
    "monthly_summary": case_monthly_summary,
    "home": case_home_apptest,
    "memory": case_server_memory,
    "stocktake": case_stocktake,
    "resolve_code": case_resolve_code,
    "books_check": case_books_check,
    "documents": case_documents,
}
PG_ONLY = {"concurrent_distinct", "concurrent_hot"}


def machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["sqlite"] = sqlite3.sqlite_version
    return info


def _verdict(r: Result) -> str:
    if r.metric == "info":
        return "info" if r.passed else "FAIL"
    if not r.applies:
        return f"info ({'met' if r.passed else 'over'} the {r.target_db} target)"
    return "PASS" if r.passed else "FAIL"


def format_table(results: list[Result]) -> str:
    head = f"{'case':34} {'median':>9} {'p95':>9} {'target':>9} {'floor':>9} {'ratio':>7} {'rows':>7}  result"
    lines = [head, "-" * len(head)]

    def s(v):
        return "-" if v is None else f"{v * 1000:.1f}ms" if v < 1 else f"{v:.2f}s"

    for r in results:
        if r.skipped:
            lines.append(f"{r.name:34} skipped: {r.skipped}")
            continue
        if r.metric == "peak_rss_mb":
            lines.append(f"{r.name:34} {r.extra['peak_rss_mb']:>7.0f}MB {'':>9} {'500MB':>9} "
                         f"{'':>9} {'':>7} {r.rows:>7}  {_verdict(r)}")
            continue
        target = "-" if r.target_s is None else (("p95≤" if r.metric == "p95" else "≤") + s(r.target_s))
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        if r.target_ratio is not None:
            ratio += f"≤{r.target_ratio:g}"
        note = ""
        if "issues_per_s" in r.extra:
            note = f" ({r.extra['issues_per_s']}/s, target {r.extra['target_issues_per_s']}/s)"
        verdict = _verdict(r)
        lines.append(f"{r.name:34} {s(r.median):>9} {s(r.p95):>9} {target:>9} "
                     f"{s(r.floor_s):>9} {ratio:>7} {r.rows:>7}  {verdict}{note}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "large"),
                        choices=sorted(SCALES))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite"),
                        choices=("sqlite", "postgresql"))
    parser.add_argument("--url", default=os.environ.get("BENCH_PG_URL", PG_DEFAULT_SERVER),
                        help="PostgreSQL server URL (any database; the bench creates its own)")
    parser.add_argument("--cases", help="comma-separated subset of: " + ", ".join(CASES))
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--workdir", help="where the SQLite copy goes (default: a temp dir)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium case")
    parser.add_argument("--source", help="SQLite dataset to copy (default: "
                        "bench/data/bench-<scale>.db, generated when missing)")
    args = parser.parse_args(argv)

    def log(message):
        print(message, flush=True)

    names = args.cases.split(",") if args.cases else list(CASES)
    if args.db != "postgresql":
        names = [n for n in names if n not in PG_ONLY]
    if args.no_browser:
        names = [n for n in names if n != "memory"]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown cases: {unknown}")

    cleanup = None
    tmp = None
    if args.db == "sqlite":
        if args.workdir:
            workdir = Path(args.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
        else:
            (ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
            tmp = tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / "bench" / "data")
            workdir = Path(tmp.name)
        url = prepare_sqlite(args.scale, workdir, log,
                             Path(args.source) if args.source else None)
    else:
        url, cleanup = prepare_postgresql(args.scale, args.url, log)
    db = open_database(url, upgrade=False)
    bench = Bench(db, url, args.scale, PLANS[args.scale], log)
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for name in names:
            log(f"- {name} ...")
            t0 = time.perf_counter()
            try:
                out = CASES[name](bench)
            except Exception as exc:  # noqa: BLE001 - a broken case is a failed case
                traceback.print_exc()
                out = Result(name, [], None, 0, extra={"passed": False,
                                                       "error": f"{type(exc).__name__}: {exc}"})
            for r in out if isinstance(out, list) else [out]:
                r.run_db = args.db
                results.append(r)
                log("  " + format_table([r]).splitlines()[-1].strip())
            log(f"  ({time.perf_counter() - t0:.0f} s)")
    finally:
        db.dispose()
        if cleanup:
            cleanup()
        if tmp is not None:
            tmp.cleanup()
    records = [r.record() for r in results]
    meta = {"scale": args.scale, "db": args.db, "machine": machine(),
            "elapsed_s": round(time.perf_counter() - started, 1)}
    for record in records:
        record["scale"] = args.scale
        record["db"] = args.db
    Path(args.out).write_text(json.dumps(records, indent=2, default=str, ensure_ascii=False))
    meta_path = Path(__file__).resolve().parent / "data" / f"results-{args.scale}-{args.db}.meta.json"
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta, indent=2))
    print()
    print(f"scale={args.scale} db={args.db} machine={meta['machine'].get('cpu', '?')} "
          f"x{meta['machine']['cpus']}")
    print(format_table(results))
    judged = [r for r in results if r.applies]
    failed = [r.name for r in judged if r.passed is False]
    print(f"\n{len(judged) - len(failed)}/{len(judged)} {args.db} targets met"
          + (f"; failed: {', '.join(failed)}" if failed else "")
          + (f" ({len(results) - len(judged)} more cases shown for comparison)"
             if len(judged) < len(results) else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
