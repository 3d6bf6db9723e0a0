"""Ledger invariants under random sequences of real documents, on SQLite and PostgreSQL.

A Hypothesis state machine drives receipts (PO, count, co-signed posting; short,
over-counted and damaged deliveries), issues (FIFO/FEFO, partial, multi-line, scrap
from held stock), returns to stock, transfers (to bins and to hold), QC releases,
returns to supplier and stocktakes (open, count, recount, spot check, reasons,
submit, review, approve, post or cancel) through the services only. An independent
model predicts every outcome — which lots an issue takes and how much, when stock
is short or frozen — and after every step:

- ``services.reports.check_consistency`` is empty (ledger == lots == balances);
- no lot is negative; each item's stock equals the model's;
- value is conserved: the sum of movement values equals Σ lot qty × unit cost;
- the frozen locations are exactly the zones of the live stocktake.

CI budget by default; ``make soak`` (FUZZ_EXAMPLES=500) runs the same machine long.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as hs
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from db import Database
from db.database import create_db_engine
from db.models import Item, Location, Lot, Movement, Warehouse
from services import clock, issuing, receiving, reports
from services import stocktake as st
from services.errors import InsufficientStock, InvalidState, StockFrozen
from tests.conftest import _truncate_all
from tests.factories import PASSWORD, build_world, make_approved_po, utc

D = Decimal
ZERO = D(0)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
STEPS = int(os.environ.get("FUZZ_STEPS", "0"))
BUDGET = {  # backend: (examples, steps per example) for CI
    "sqlite": (EXAMPLES or 20, STEPS or 14),
    "postgresql": (max(EXAMPLES // 3, 1) if EXAMPLES else 6, STEPS or 12),
}
# Shrinking a long stateful failure can take minutes: CI prints the failing steps
# and the seed; FUZZ_SHRINK=1 (on in ``make soak``) shrinks to a minimal sequence.
SHRINK = os.environ.get("FUZZ_SHRINK") == "1"
START = utc(2026, 3, 2, 1)

STORAGE = ("A-01-01", "A-01-02", "B-01-01", "W2-01-01")
ZONE_OF = {"A-01-01": "A Parts", "A-01-02": "A Parts", "B-01-01": "B Fluids",
           "QUAR-01": "Q Quarantine", "HOLD-01": "D Defective", "W2-01-01": "W2 Parts"}
ZONES = sorted(set(ZONE_OF.values()))
POLICY = {"OF-100": "FIFO", "BP-200": "FIFO", "CL-300": "FEFO", "EN-500": "FIFO"}
PRICES = ("1.25", "2.5", "3.3333", "7", "19.99")
stock_skus = hs.sampled_from(("OF-100", "BP-200", "CL-300"))
TOTALS: dict[str, int] = defaultdict(int)     # documents and outcomes over a run


@dataclass
class LotRow:
    id: int
    sku: str
    location: str
    kind: str
    zone: str
    status: str
    qty: Decimal
    unit_cost: Decimal
    received_at: datetime
    expiry: date | None
    frozen: bool
    warehouse: str = "MAIN"


def lot_rows(db: Database) -> list[LotRow]:
    with db.read() as s:
        rows = s.execute(
            select(Lot, Item.sku, Location, Warehouse.code).join(Item, Item.id == Lot.item_id)
            .join(Location, Location.id == Lot.location_id)
            .join(Warehouse, Warehouse.id == Location.warehouse_id).order_by(Lot.id)).all()
        return [LotRow(lot.id, sku, loc.code, loc.kind, loc.zone, lot.status, lot.qty_on_hand,
                       lot.unit_cost, lot.received_at, lot.expiry_date,
                       loc.frozen_by_stocktake_id is not None, house)
                for lot, sku, loc, house in rows]


# --- the oracle: an independent statement of the issue rules -----------------------------
def issuable(lot: LotRow, source: str, today: date) -> bool:
    if lot.qty <= 0 or lot.status == "quarantine" or lot.kind == "quarantine":
        return False
    expired = lot.expiry is not None and lot.expiry < today
    if source == "good":
        return lot.status == "available" and lot.kind == "storage" and not expired
    if source == "bad":
        return lot.status == "hold" or lot.kind == "hold" or expired
    return lot.status == "available"                        # any_available


def in_issue_order(lots: list[LotRow], policy: str) -> list[LotRow]:
    if policy == "FEFO":
        return sorted(lots, key=lambda l: (l.expiry is None, l.expiry or date.max,
                                           l.received_at, l.id))
    return sorted(lots, key=lambda l: (l.received_at, l.id))


def plan(lots: list[LotRow], sku: str, qty: Decimal, source: str, today: date,
         location: str | None = None, warehouse: str | None = None
         ) -> tuple[Decimal, list[tuple[LotRow, Decimal]]]:
    """(available, [(lot, qty taken)]) — takes what there is when short; an issue
    takes from one warehouse only."""
    usable = [l for l in lots if l.sku == sku and issuable(l, source, today)
              and (location is None or l.location == location)
              and (warehouse is None or l.warehouse == warehouse)]
    ordered = in_issue_order(usable, POLICY[sku])
    left, taken = qty, []
    for lot in ordered:
        if left <= 0:
            break
        take = min(lot.qty, left)
        taken.append((lot, take))
        left -= take
    return sum((l.qty for l in usable), ZERO), taken


class LedgerMachine(RuleBasedStateMachine):
    """Subclassed per backend with ``fresh_database`` set."""

    fresh_database = None     # () -> (Database, cleanup)

    def __init__(self):
        super().__init__()
        clock.set_now(START)
        self.db, self._cleanup = type(self).fresh_database()
        build_world(self.db)
        self.step = 0
        self.expected: dict[str, Decimal] = defaultdict(lambda: ZERO)   # sku -> qty in stock
        self.issues: list[dict] = []        # {"number", "sku", "allocs": [[lot_id, qty, back]]}
        self.quarantine: list[tuple[str, int]] = []   # (GRN, line no.) with stock in QC
        self.returns: list[str] = []        # open return-to-supplier documents
        self.live: str | None = None        # the live stocktake
        self.live_status = ""
        self.frozen_zones: set[str] = set()
        self.hold_losses = False            # a stocktake loss was posted on held stock
        self.periods = iter(f"{y}-{m:02d}" for y in range(2000, 2100) for m in range(1, 13))
        self.counts = TOTALS                # what ran, for the soak log
        TOTALS["examples"] += 1

    def teardown(self):
        clock.set_now(None)
        self._cleanup()

    def _tick(self):
        self.step += 1
        TOTALS["steps"] += 1
        clock.set_now(START + timedelta(hours=self.step))

    def _frozen(self, location: str) -> bool:
        return ZONE_OF[location] in self.frozen_zones

    # --- receiving ------------------------------------------------------------------------
    @initialize(first=hs.lists(hs.tuples(stock_skus, hs.integers(3, 12),
                                         hs.sampled_from(PRICES), hs.just(0), hs.just(0),
                                         hs.sampled_from((120, 200, 400))),
                               min_size=2, max_size=3, unique_by=lambda t: t[0]),
                second=hs.lists(hs.tuples(stock_skus, hs.integers(3, 12),
                                          hs.sampled_from(PRICES), hs.just(0), hs.just(0),
                                          hs.sampled_from((120, 200, 400))),
                                min_size=1, max_size=3, unique_by=lambda t: t[0]),
                bins=hs.tuples(hs.sampled_from(STORAGE), hs.sampled_from(STORAGE)))
    def opening_receipts(self, first, second, bins):
        """Two deliveries at different prices so issues have lots to choose between."""
        self.receive(first, bins[0], "keeper")
        self.receive(second, bins[1], "supervisor")

    @rule(lines=hs.lists(hs.tuples(hs.sampled_from(("OF-100", "BP-200", "CL-300", "EN-500")),
                                   hs.integers(1, 6), hs.sampled_from(PRICES),
                                   hs.integers(-2, 1), hs.integers(0, 1),
                                   hs.sampled_from((120, 200, 400))),
                         min_size=1, max_size=3, unique_by=lambda t: t[0]),
          location=hs.sampled_from(STORAGE), cosigner=hs.sampled_from(("keeper", "supervisor")))
    def receive(self, lines, location, cosigner):
        """PO -> delivery note -> counts (short, over, damaged) -> co-signed posting."""
        self._tick()
        po = make_approved_po(self.db, [(sku, qty, price) for sku, qty, price, *_ in lines])
        grn = receiving.start_receipt(
            self.db, actor="receiver", po_number=po, delivery_note_no=f"DN-{uuid.uuid4().hex[:8]}",
            lines=[{"sku": sku, "qty": qty} for sku, qty, *_ in lines])
        counts, accepted, targets = [], {}, set()
        for line_no, (sku, qty, _price, delta, damaged, days) in enumerate(lines, start=1):
            counted = max(qty + delta, 0)
            damaged = min(damaged, counted)
            counts.append({"line_no": line_no, "counted_qty": counted, "damaged_qty": damaged,
                           "lot_no": f"L{self.step}-{line_no}", "location": location,
                           "expiry_date": clock.today() + timedelta(days=days)
                           if sku == "CL-300" else None,
                           "certificate": "CERT" if sku == "EN-500" else None})
            # The PO asked for qty: anything good beyond it is rejected (OVER_PO).
            accepted[line_no] = (sku, min(counted - damaged, qty))
            if accepted[line_no][1] > 0:
                targets.add("QUAR-01" if sku == "EN-500" else location)
        receiving.record_counts(self.db, actor="receiver", receipt=grn, counts=counts)
        if any(self._frozen(t) for t in targets):
            with pytest.raises(StockFrozen):
                receiving.post_receipt(self.db, actor="receiver", receipt=grn,
                                       checked_by=cosigner, checker_password=PASSWORD)
            receiving.cancel_receipt(self.db, actor="receiver", receipt=grn)
            assert receiving.get_receipt(self.db, grn).status == "cancelled"
            self.counts["receive_frozen"] += 1
            return
        view = receiving.post_receipt(self.db, actor="receiver", receipt=grn, checked_by=cosigner,
                                      checker_password=PASSWORD)
        assert view.status == "posted" and view.checked_by == cosigner
        # Posting again changes nothing.
        again = receiving.post_receipt(self.db, actor="receiver", receipt=grn, checked_by=cosigner,
                                       checker_password=PASSWORD)
        assert again.posted_at == view.posted_at
        for ln in view.lines:
            sku, qty = accepted[ln.line_no]
            assert ln.accepted_qty == qty, (ln.line_no, ln.flags)
            self.expected[sku] += qty
            if sku == "EN-500" and qty > 0:
                assert ln.lot_status == "quarantine"
                self.quarantine.append((grn, ln.line_no))
        if view.return_number:
            self.returns.append(view.return_number)
        self.counts["receive"] += 1

    # --- issuing ---------------------------------------------------------------------------
    @rule(lines=hs.lists(hs.tuples(stock_skus, hs.integers(1, 8)), min_size=1, max_size=3),
          partial=hs.booleans(), house=hs.sampled_from(("MAIN", "WH2")))
    def issue(self, lines, partial, house):
        """A requisition (a SKU may repeat) against the oracle's FIFO/FEFO plan."""
        self._tick()
        lots, today = lot_rows(self.db), clock.today()
        wanted: dict[str, Decimal] = {}
        for sku, qty in lines:
            wanted[sku] = wanted.get(sku, ZERO) + qty
        plans = {sku: plan(lots, sku, qty, "good", today, warehouse=house)
                 for sku, qty in wanted.items()}
        short = any(avail < wanted[sku] for sku, (avail, _t) in plans.items())
        taken = {sku: t for sku, (_a, t) in plans.items() if t}
        call = lambda: issuing.issue_stock(  # noqa: E731
            self.db, actor="keeper", lines=[{"sku": s, "qty": q} for s, q in lines],
            requested_by="Bay 1", allow_partial=partial, warehouse=house)
        if (short and not partial) or not taken:
            with pytest.raises(InsufficientStock):
                call()
            self.counts["issue_short"] += 1
            return
        if any(lot.frozen for t in taken.values() for lot, _q in t):
            with pytest.raises(StockFrozen):        # never re-routed to a newer lot
                call()
            self.counts["issue_frozen"] += 1
            return
        view = call()
        assert view.partial == short
        for line in view.lines:
            got = [(a.lot_id, a.qty) for a in line.allocations]
            assert got == [(lot.id, q) for lot, q in taken[line.sku]], f"not {POLICY[line.sku]}"
            assert line.total_cost == sum((q * lot.unit_cost for lot, q in taken[line.sku]), ZERO)
            self.expected[line.sku] -= line.qty
            self.issues.append({"number": view.number, "sku": line.sku,
                                "allocs": [[a.lot_id, a.qty, ZERO] for a in line.allocations]})
        self.counts["issue_partial" if short else "issue"] += 1

    @rule(sku=hs.sampled_from(("OF-100", "BP-200", "CL-300", "EN-500")), qty=hs.integers(1, 5),
          house=hs.sampled_from(("MAIN", "WH2")))
    def scrap_held_stock(self, sku, qty, house):
        """Scrap draws on the separate book of held/expired stock only."""
        self._tick()
        lots, today = lot_rows(self.db), clock.today()
        available, taken = plan(lots, sku, D(qty), "bad", today, warehouse=house)
        call = lambda: issuing.issue_stock(  # noqa: E731
            self.db, actor="supervisor", lines=[{"sku": sku, "qty": qty}], requested_by="Scrap",
            purpose="scrap", stock="bad", approved_by="manager", approver_password=PASSWORD,
            warehouse=house)
        if available < qty:
            with pytest.raises(InsufficientStock):
                call()
            return
        if any(lot.frozen for lot, _q in taken):
            with pytest.raises(StockFrozen):
                call()
            return
        view = call()
        assert [(a.lot_id, a.qty) for a in view.lines[0].allocations] == \
            [(lot.id, q) for lot, q in taken]
        self.expected[sku] -= qty
        self.counts["scrap"] += 1

    @precondition(lambda self: any(i["allocs"] for i in self.issues))
    @rule(pick=hs.integers(0, 10_000), share=hs.integers(1, 3))
    def return_to_stock(self, pick, share):
        """Unused parts back into the lots they came from, newest allocation first."""
        self._tick()
        entry = self.issues[pick % len(self.issues)]
        room = sum((qty - back for _l, qty, back in entry["allocs"]), ZERO)
        if room <= 0:
            return
        qty = max(D(1), (room * share / 3).quantize(D(1)))
        qty = min(qty, room)
        expected, left = [], qty
        for alloc in reversed(entry["allocs"]):
            space = alloc[1] - alloc[2]
            if left > 0 and space > 0:
                expected.append((alloc, min(space, left)))
                left -= min(space, left)
        where = {l.id: l for l in lot_rows(self.db)}
        call = lambda: issuing.return_to_stock(  # noqa: E731
            self.db, actor="keeper", issue_number=entry["number"], sku=entry["sku"], qty=qty)
        if any(where[alloc[0]].frozen for alloc, _q in expected):
            with pytest.raises(StockFrozen):
                call()
            return
        view = call()
        assert [(l.lot_id, l.qty) for l in view.lots] == [(a[0], q) for a, q in expected]
        for alloc, back in expected:
            alloc[2] += back
        self.expected[entry["sku"]] += qty
        self.counts["return"] += 1

    @rule(sku=stock_skus, source=hs.sampled_from(STORAGE),
          dest=hs.sampled_from(STORAGE + ("HOLD-01",)), qty=hs.integers(1, 6))
    def transfer(self, sku, source, dest, qty):
        """Between bins (FIFO within the source bin) or into the hold area."""
        target = dest
        if source == target:
            return
        self._tick()
        lots, today = lot_rows(self.db), clock.today()
        kind = "any" if target == "HOLD-01" else "good"
        available, taken = plan(lots, sku, D(qty), kind, today, location=source)
        call = lambda: issuing.transfer(  # noqa: E731
            self.db, actor="supervisor", sku=sku, qty=qty, from_location=source,
            to_location=target)
        if available < qty:
            with pytest.raises(InsufficientStock):
                call()
            return
        if self._frozen(source) or self._frozen(target):
            with pytest.raises(StockFrozen):
                call()
            return
        status = "hold" if target == "HOLD-01" else "available"

        def at_target(rows):
            return sum((l.qty for l in rows if l.location == target and l.sku == sku
                        and l.status == status), ZERO)

        view = call()
        assert [(l.lot_id, l.qty) for l in view.lots] == [(lot.id, q) for lot, q in taken]
        assert at_target(lot_rows(self.db)) == at_target(lots) + qty
        self.counts["transfer"] += 1

    # --- QC and returns to supplier -------------------------------------------------------
    @precondition(lambda self: bool(self.quarantine))
    @rule(pick=hs.integers(0, 10_000), passed=hs.integers(0, 3), failed=hs.integers(0, 2))
    def qc_release(self, pick, passed, failed):
        self._tick()
        grn, line_no = self.quarantine[pick % len(self.quarantine)]
        line = next(l for l in receiving.get_receipt(self.db, grn).lines if l.line_no == line_no)
        held = line.quarantine_qty
        passed, failed = min(passed, held), min(failed, max(held - passed, 0))
        if passed + failed == 0:
            return
        call = lambda: receiving.qc_release(  # noqa: E731
            self.db, actor="qc", receipt=grn, line_no=line_no, passed_qty=passed,
            failed_qty=failed)
        touched = ["QUAR-01"] + ([line.location] if passed else []) + (["HOLD-01"] if failed
                                                                        else [])
        if any(self._frozen(code) for code in touched):
            with pytest.raises(StockFrozen):
                call()
            return
        result = call()
        after = next(l for l in receiving.get_receipt(self.db, grn).lines if l.line_no == line_no)
        assert after.quarantine_qty == held - passed - failed
        if result["return_number"]:
            self.returns.append(result["return_number"])
        if after.quarantine_qty == 0:
            self.quarantine.remove((grn, line_no))
        self.counts["qc"] += 1

    @precondition(lambda self: bool(self.returns))
    @rule(pick=hs.integers(0, 10_000))
    def confirm_supplier_return(self, pick):
        self._tick()
        number = self.returns[pick % len(self.returns)]
        doc = receiving.get_supplier_return(self.db, number)
        in_stock = sum((l["qty"] for l in doc.lines if l["in_stock"]), ZERO)
        call = lambda: receiving.confirm_supplier_return(  # noqa: E731
            self.db, actor="keeper", number=number)
        if in_stock and self._frozen("HOLD-01"):
            with pytest.raises(StockFrozen):
                call()
            return
        try:
            call()
        except InvalidState as exc:
            # A stocktake loss took held stock meanwhile: refused, nothing written.
            assert exc.code == "return_stock_moved" and self.hold_losses
            self.returns.remove(number)
            return
        for line in doc.lines:
            if line["in_stock"]:
                self.expected[line["sku"]] -= line["qty"]
        call()                                   # confirming twice changes nothing
        self.returns.remove(number)
        self.counts["rts"] += 1

    # --- stocktake ------------------------------------------------------------------------
    @precondition(lambda self: self.live is None)
    @rule(zones=hs.lists(hs.sampled_from(ZONES), min_size=1, max_size=3, unique=True))
    def open_stocktake(self, zones):
        self._tick()
        self.live = st.open_stocktake(self.db, actor="supervisor", period=next(self.periods),
                                      zones=zones)
        self.live_status = "open"
        self.frozen_zones = set(zones)
        self.counts["st_open"] += 1

    @precondition(lambda self: self.live is not None and self.live_status == "open")
    @rule(deltas=hs.lists(hs.integers(-3, 2), min_size=1, max_size=12),
          recount=hs.booleans(), post_now=hs.booleans())
    def count_and_approve(self, deltas, recount, post_now):
        """Blind initial count (keeper), optional recount (supervisor), full spot
        check (finance2), reasons, submit, review, approve."""
        self._tick()
        report = st.variance_report(self.db, self.live)
        truth = {}
        for index, row in enumerate(report.itertuples()):
            truth[(row.sku, row.location)] = max(row.book_qty + deltas[index % len(deltas)], ZERO)
        rows = [{"sku": s, "location": l, "qty": q} for (s, l), q in sorted(truth.items())]
        if rows:
            initial = [dict(r, qty=r["qty"] + 1) for r in rows] if recount else rows
            st.record_counts(self.db, actor="keeper", stocktake=self.live, round="initial",
                             counts=initial)
            if recount:
                st.record_counts(self.db, actor="supervisor", stocktake=self.live,
                                 round="recount", counts=rows)
            st.record_counts(self.db, actor="finance2", stocktake=self.live, round="spot",
                             counts=rows)
            book = {(r.sku, r.location): r.book_qty for r in report.itertuples()}
            reasons = [{"sku": s, "location": l, "reason": "counting_error"}
                       for (s, l), q in truth.items() if q != book[(s, l)]]
            if reasons:
                st.set_reasons(self.db, actor="supervisor", stocktake=self.live, reasons=reasons)
        st.submit(self.db, actor="supervisor", stocktake=self.live)
        st.review(self.db, actor="finance2", stocktake=self.live)
        st.approve(self.db, actor="manager", stocktake=self.live)
        self.live_status = "approved"
        self.counts["st_approve"] += 1
        if post_now:
            self.post_stocktake()

    @precondition(lambda self: self.live_status == "approved")
    @rule()
    def post_stocktake(self):
        self._tick()
        report = st.variance_report(self.db, self.live)
        result = st.post(self.db, actor="finance", stocktake=self.live)
        with pytest.raises(InvalidState):         # never posts twice
            st.post(self.db, actor="finance", stocktake=self.live)
        net_value = ZERO
        for row in report.itertuples():
            self.expected[row.sku] += row.variance_qty
            net_value += row.variance_value
            if row.location == "HOLD-01" and row.variance_qty < 0:
                self.hold_losses = True
        assert result.gain_value + result.loss_value == net_value     # losses are negative
        self.live, self.live_status, self.frozen_zones = None, "", set()
        self.counts["st_post"] += 1

    # Available every other step only, so that more stocktakes get as far as posting.
    @precondition(lambda self: self.live is not None and self.step % 2 == 0)
    @rule()
    def cancel_stocktake(self):
        self._tick()
        st.cancel(self.db, actor="manager", stocktake=self.live)
        assert st.get_stocktake(self.db, self.live).status == "cancelled"
        self.live, self.live_status, self.frozen_zones = None, "", set()
        self.counts["st_cancel"] += 1

    # --- invariants -----------------------------------------------------------------------
    @invariant()
    def books_agree(self):
        assert reports.check_consistency(self.db) == []

    @invariant()
    def stock_matches_model_and_value_is_conserved(self):
        lots = lot_rows(self.db)
        assert all(l.qty >= 0 for l in lots)
        by_sku = defaultdict(lambda: ZERO)
        for l in lots:
            by_sku[l.sku] += l.qty
        for sku in set(by_sku) | set(self.expected):
            assert by_sku[sku] == self.expected[sku], sku
        with self.db.read() as s:
            ledger_value = sum(s.scalars(select(Movement.value)), ZERO)
            frozen = set(s.scalars(select(Location.code)
                                   .where(Location.frozen_by_stocktake_id.is_not(None))))
        assert ledger_value == sum((l.qty * l.unit_cost for l in lots), ZERO)
        assert frozen == {c for c, z in ZONE_OF.items() if z in self.frozen_zones}


def _run(factory, backend):
    examples, steps = BUDGET[backend]
    TOTALS.clear()
    machine = type(f"LedgerMachine_{backend}", (LedgerMachine,),
                   {"fresh_database": staticmethod(factory)})
    # The CI budget replays the same sequences every run (a small random budget could
    # miss successful issues by chance); a soak budget draws new ones each time.
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        derandomize=not (EXAMPLES or STEPS),
        suppress_health_check=list(HealthCheck), database=None, print_blob=True,
        phases=[p for p in Phase if SHRINK or p not in (Phase.shrink, Phase.explain)]))
    print(f"\nfuzzed {backend}: " + ", ".join(f"{k}={v}" for k, v in sorted(TOTALS.items())))
    # The run exercised the interesting paths, not only refusals.
    assert TOTALS["receive"] and TOTALS["issue"] and TOTALS["st_open"]


def test_ledger_invariants_sqlite(tmp_path, sqlite_template):
    def fresh():
        path = tmp_path / f"{uuid.uuid4().hex}.db"
        shutil.copy(sqlite_template, path)
        database = Database(create_db_engine(f"sqlite:///{path}"))

        def cleanup():
            database.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return database, cleanup

    _run(fresh, "sqlite")


def test_ledger_invariants_postgresql(request):
    database = request.getfixturevalue("pg_database")

    def fresh():
        _truncate_all(database)
        return database, lambda: None

    _run(fresh, "postgresql")

