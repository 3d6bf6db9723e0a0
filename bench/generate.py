"""Benchmark dataset: a busy auto-parts warehouse after two years of history.

    python -m bench.generate --scale small|large [--url URL]

Rows are bulk-inserted (SQLite executemany of already-encoded values; PostgreSQL
COPY), bypassing the services for speed, but they obey every ledger invariant:
each lot's movements sum to its qty on hand, values are qty x lot cost, balances
match, and issues consume each item-location's lots in FIFO order. The books check
(services.reports.check_consistency) passes on the result.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from db import Database, open_database
from db.models import Base
from db.types import MONEY_SCALE, QTY_SCALE

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD_NOTE = "bench users share the demo password"


@dataclass(frozen=True)
class Scale:
    items: int
    bins: int
    lots: int
    movements: int
    purchase_orders: int
    months: int = 24


SCALES = {
    "tiny": Scale(items=200, bins=20, lots=1_200, movements=12_000, purchase_orders=30),
    "small": Scale(items=1_000, bins=40, lots=6_000, movements=100_000, purchase_orders=150),
    "large": Scale(items=20_000, bins=400, lots=120_000, movements=2_000_000,
                   purchase_orders=3_000),
}
CATEGORIES = ["Filters 滤清器", "Brakes 制动", "Ignition 点火", "Electrical 电器", "Fluids 油液",
              "Belts 皮带", "Suspension 悬挂", "Body 车身附件", "Assemblies 总成"]
BRANDS = ["OEM", "Bosch", "MANN", "NGK", "Gates", "KYB", "Camel", "Philips", "Sachs"]
USERS = [("admin", "admin"), ("keeper", "keeper"), ("keeper2", "keeper"),
         ("supervisor", "supervisor"), ("purchasing", "purchasing"),
         ("purchasing2", "purchasing"), ("finance", "finance"), ("manager", "manager"),
         ("receiver", "receiver"), ("qc", "qc")]
# One user holding every role: the browser benchmark signs in as it to see every page.
ALL_ROLES = ("receiver", "keeper", "qc", "supervisor", "purchasing", "finance", "manager", "admin")
BENCH_USER = "bench"
# The item with a long history (stock card case): many lots, over a thousand movements.
HOT_ITEM_LOTS = 70


def bench_db_path(scale: str) -> Path:
    return BENCH_DIR / "data" / f"bench-{scale}.db"


class Encoder:
    """Python values -> what the bulk path stores (SQLite: scaled ints, text times)."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"

    def qty(self, units: int) -> object:          # whole units
        return units * 10**QTY_SCALE if self.sqlite else Decimal(units)

    def money4(self, ten_thousandths: int) -> object:   # price with 4 decimals
        if self.sqlite:
            return ten_thousandths * 10**(MONEY_SCALE - 4)
        return Decimal(ten_thousandths).scaleb(-4)

    def value(self, units: int, ten_thousandths: int) -> object:
        if self.sqlite:
            return units * ten_thousandths * 10**(MONEY_SCALE - 4)
        return Decimal(units * ten_thousandths).scaleb(-4)

    def moment(self, at: datetime) -> object:
        return at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else at

    def day(self, value: date | None) -> object:
        if value is None:
            return None
        return value.isoformat() if self.sqlite else value

    def flag(self, value: bool) -> object:
        return int(value) if self.sqlite else value


class Loader:
    def __init__(self, db: Database, log=print):
        self.db, self.log = db, log
        self.enc = Encoder(db.dialect)

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Bulk insert; secondary indexes are dropped first and rebuilt after (one
        sorted build is far faster than two million random B-tree inserts)."""
        if not rows:
            return
        began = time.perf_counter()
        indexes = list(Base.metadata.tables[table].indexes)
        with self.db.engine.begin() as conn:
            for index in indexes:
                index.drop(conn)
        raw = self.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.db.is_sqlite:
                cursor.execute("PRAGMA cache_size=-400000")
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows)
            else:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        loaded = time.perf_counter()
        with self.db.engine.begin() as conn:
            for index in indexes:
                index.create(conn)
        if len(rows) >= 10_000:
            self.log(f"  {table}: {len(rows):,} rows in {loaded - began:.1f} s, "
                     f"{len(indexes)} indexes in {time.perf_counter() - loaded:.1f} s")


def _password_hash() -> str:
    from services.users import _hasher

    return _hasher.hash("demo1234")


def generate(db: Database, scale: Scale, seed: int = 7, log=print) -> dict:
    rng = random.Random(seed)
    load = Loader(db, log)
    enc = load.enc
    now = datetime.now(timezone.utc).replace(microsecond=0)
    start = now - timedelta(days=30 * scale.months)
    counts: dict[str, int] = {}

    # --- users, warehouses, locations, suppliers, items -------------------
    pw = _password_hash()
    bench_id = len(USERS) + 1
    load.insert("app_user", ["id", "username", "display_name", "password_hash", "language",
                             "active", "created_at"],
                [(i + 1, u, u.title(), pw, "en", enc.flag(True), enc.moment(start))
                 for i, (u, _) in enumerate(USERS)]
                + [(bench_id, BENCH_USER, "Bench", pw, "en", enc.flag(True), enc.moment(start))])
    load.insert("user_role", ["user_id", "role"],
                [(i + 1, r) for i, (_, r) in enumerate(USERS)]
                + [(bench_id, r) for r in ALL_ROLES])
    load.insert("warehouse", ["id", "code", "name", "name_zh", "active"],
                [(1, "MAIN", "Main warehouse", "总仓", enc.flag(True)),
                 (2, "EAST", "East branch", "东区分仓", enc.flag(True))])
    bins = []
    per_zone = max(scale.bins // 8, 1)
    for index in range(scale.bins):
        house = 1 if index < scale.bins * 3 // 4 else 2
        zone_no = index // per_zone
        bins.append((index + 1, house, f"{'AE'[house - 1]}{zone_no:02d}-{index:04d}",
                     f"Zone {zone_no:02d}", "storage", enc.flag(True), None))
    special = [("QUAR-1", "Quarantine", "quarantine", 1), ("HOLD-1", "Hold", "hold", 1),
               ("QUAR-2", "Quarantine East", "quarantine", 2), ("HOLD-2", "Hold East", "hold", 2)]
    for offset, (code, zone, kind, house) in enumerate(special, start=scale.bins + 1):
        bins.append((offset, house, code, zone, kind, enc.flag(True), None))
    load.insert("location", ["id", "warehouse_id", "code", "zone", "kind", "active",
                             "frozen_by_stocktake_id"], bins)
    suppliers = 40
    load.insert("supplier", ["id", "code", "name", "address", "contact", "active"],
                [(i, f"SUP{i:03d}", f"Supplier {i:03d} 供应商", "", "", enc.flag(True))
                 for i in range(1, suppliers + 1)])
    items, item_rows = [], []
    for i in range(1, scale.items + 1):
        category = CATEGORIES[i % len(CATEGORIES)]
        price = rng.randint(5_0000, 2_000_0000)          # 5.00 .. 2000.00, 4 decimals
        expiry = category.startswith("Fluids")
        home_bin = rng.randint(1, scale.bins)
        items.append((i, price, expiry, home_bin))
        item_rows.append((
            i, f"P{i:06d}", f"Part {i:06d} {category.split()[0]}", f"配件{i:06d}", f"spec {i % 97}",
            BRANDS[i % len(BRANDS)], "pcs", category, enc.flag(i % 5 != 0), enc.flag(expiry),
            180 if expiry else 0, enc.flag(category.startswith("Assemblies")),
            enc.flag(category.startswith("Assemblies")), enc.flag(i % 50 == 0),
            enc.flag(False), enc.qty(rng.randint(0, 20)), "FEFO" if expiry else "FIFO",
            home_bin, enc.flag(True)))
    load.insert("item", ["id", "sku", "name", "name_zh", "spec", "brand", "unit", "category",
                         "genuine", "tracks_expiry", "min_shelf_life_days", "full_inspection",
                         "is_assembly", "requires_old_part", "hazardous", "reorder_level",
                         "issue_policy", "default_location_id", "active"], item_rows)
    counts["items"] = len(items)

    # --- lots and the FIFO history ------------------------------------------
    issues_per_lot = (scale.movements - scale.lots) / scale.lots
    lot_rows, move_rows = [], []
    balances: dict[tuple[int, int], list[int]] = {}
    lot_id = 0
    span = (now - start).total_seconds()
    lots_left = scale.lots
    for index, (item_id, price, expiry, home_bin) in enumerate(items):
        n_lots = lots_left // (len(items) - index)
        if index % 3 == 0 and n_lots > 1:
            n_lots += rng.choice((-1, 1))
        if index == 0:
            n_lots = min(HOT_ITEM_LOTS, scale.lots // 10)
        n_lots = max(1, min(n_lots, lots_left - (len(items) - index - 1)))
        if index == len(items) - 1:
            n_lots = lots_left
        lots_left -= n_lots
        # Most items sit in two bins (a pick face and a reserve), one in three in a
        # third: over 40,000 item-locations with stock for the stocktake case.
        bins_of_item = [home_bin]
        while len(bins_of_item) < (3 if index % 3 == 0 else 2) and scale.bins > 2:
            extra = rng.randint(1, scale.bins)
            if extra not in bins_of_item:
                bins_of_item.append(extra)
        times = sorted(start + timedelta(seconds=rng.random() * span * 0.97) for _ in range(n_lots))
        per_location: dict[int, list[list]] = {}
        for n, received_at in enumerate(times):
            lot_id += 1
            location = bins_of_item[n % len(bins_of_item)]
            qty = rng.randint(20, 60)
            cost = max(1, price + rng.randint(-price // 20, price // 20))
            expiry_date = (received_at + timedelta(days=rng.randint(200, 900))).date() if expiry else None
            per_location.setdefault(location, []).append(
                [lot_id, received_at, qty, cost, expiry_date, qty])   # last: remaining
            move_rows.append(("receipt", item_id, lot_id, location, qty, cost, received_at,
                              "GRN", f"GRN-H{lot_id:07d}"))
        for location, lots in per_location.items():
            _fifo_issues(rng, lots, issues_per_lot, now, item_id, location, move_rows)
            for lot in lots:
                lot_rows.append((lot[0], item_id, location, f"L{lot[0]:07d}",
                                 enc.day(lot[4]), enc.moment(lot[1]), enc.money4(lot[3]),
                                 enc.qty(lot[2]), enc.qty(lot[5]), "available",
                                 None, 1 + item_id % suppliers, f"GRN-H{lot[0]:07d}"))
                balance = balances.setdefault((item_id, location), [0, 0])
                balance[0] += lot[5]
                balance[1] += lot[5] * lot[3]
    log(f"  generated {len(lot_rows):,} lots and {len(move_rows):,} movements")
    load.insert("lot", ["id", "item_id", "location_id", "lot_no", "expiry_date", "received_at",
                        "unit_cost", "qty_received", "qty_on_hand", "status", "origin_lot_id",
                        "supplier_id", "receipt_number"], lot_rows)
    move_rows.sort(key=lambda r: r[6])
    load.insert("movement", ["id", "at", "type", "item_id", "lot_id", "location_id", "qty",
                             "unit_cost", "value", "doc_type", "doc_no", "actor_id", "note"],
                [(n, enc.moment(at), kind, item, lot, loc, enc.qty(qty), enc.money4(cost),
                  enc.value(qty, cost), doc_type, doc_no, 2, "")
                 for n, (kind, item, lot, loc, qty, cost, at, doc_type, doc_no)
                 in enumerate(move_rows, start=1)])
    load.insert("stock_balance", ["item_id", "location_id", "qty", "value"],
                [(item, loc, enc.qty(q), enc.value(1, v)) for (item, loc), (q, v) in balances.items()])
    counts.update(lots=len(lot_rows), movements=len(move_rows), balances=len(balances))

    # --- purchase orders -----------------------------------------------------
    po_rows, line_rows, line_id = [], [], 0
    for po in range(1, scale.purchase_orders + 1):
        created = start + timedelta(seconds=span * po / scale.purchase_orders)
        recent = created > now - timedelta(days=45)
        status = rng.choice(["approved", "partially_received"]) if recent else "received"
        po_rows.append((po, f"PO-H{po:06d}", 1 + po % suppliers, status,
                        enc.day((created + timedelta(days=7)).date()), "", "purchasing",
                        enc.moment(created), "purchasing2", enc.moment(created)))
        for line_no in range(1, rng.randint(2, 8) + 1):
            line_id += 1
            item_id, price, _, _ = items[rng.randrange(len(items))]
            ordered = rng.randint(10, 100)
            received = ordered if status == "received" else (ordered // 2 if status == "partially_received" else 0)
            line_rows.append((line_id, po, line_no, item_id, enc.qty(ordered), enc.qty(received),
                              enc.money4(price)))
    load.insert("purchase_order", ["id", "number", "supplier_id", "status", "due_date", "note",
                                   "created_by", "created_at", "approved_by", "approved_at"], po_rows)
    load.insert("purchase_order_line", ["id", "order_id", "line_no", "item_id", "qty_ordered",
                                        "qty_received", "unit_price"], line_rows)
    counts.update(purchase_orders=len(po_rows), po_lines=len(line_rows))
    _reset_sequences(db)
    return counts


def _fifo_issues(rng, lots, issues_per_lot, now, item_id, location, out) -> None:
    """Issue events over time, each taking from the oldest lot that has stock and
    had arrived by then (FIFO), possibly spanning two lots."""
    # Some events find no stock yet; 1.15 was measured to land on the target count.
    n_events = int(len(lots) * issues_per_lot * 1.15)
    first = lots[0][1]
    span = (now - first).total_seconds()
    times = sorted(first + timedelta(seconds=rng.random() * span) for _ in range(n_events))
    head = 0
    issue_no = 0
    for at in times:
        while head < len(lots) and lots[head][5] == 0:
            head += 1
        if head == len(lots) or lots[head][1] > at:
            continue
        want = rng.randint(1, 3)
        issue_no += 1
        doc_no = f"ISS-H{item_id:06d}{location:04d}{issue_no:05d}"
        cursor = head
        while want and cursor < len(lots) and lots[cursor][1] <= at:
            lot = lots[cursor]
            take = min(want, lot[5])
            lot[5] -= take
            want -= take
            out.append(("issue", item_id, lot[0], location, -take, lot[3], at, "ISS", doc_no))
            if lot[5]:
                break
            cursor += 1


def _reset_sequences(db: Database) -> None:
    """PostgreSQL identity sequences continue after the bulk-loaded ids."""
    if db.is_sqlite:
        return
    with db.engine.begin() as conn:
        for table in ("app_user", "warehouse", "location", "supplier", "item", "lot", "movement",
                      "purchase_order", "purchase_order_line"):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"))


def close_history(db: Database, log=print) -> int:
    """Close every complete past month as finance would (month-end snapshots)."""
    from services import clock, reports

    close = getattr(reports, "close_month", None)
    if close is None:
        return 0
    with db.read() as session:
        first = session.execute(text("SELECT MIN(at) FROM movement")).scalar()
    if first is None:
        return 0
    if isinstance(first, str):
        first = datetime.fromisoformat(first).replace(tzinfo=timezone.utc)
    period = clock.period_of(first)
    current = clock.period_of(clock.now())
    closed = 0
    while period < current:
        close(db, actor="finance", period=period)
        closed += 1
        year, month = map(int, period.split("-"))
        period = f"{year + month // 12}-{month % 12 + 1:02d}"
    log(f"  closed {closed} months")
    return closed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=sorted(SCALES))
    parser.add_argument("--url", help="database URL (default: bench/data/bench-<scale>.db)")
    args = parser.parse_args(argv)
    url = args.url
    if url is None:
        path = bench_db_path(args.scale)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    started = time.perf_counter()
    db = open_database(url)
    counts = generate(db, SCALES[args.scale])
    close_history(db)
    if db.is_sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"bench data ({args.scale}) in {elapsed:.1f} s: " +
          ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
