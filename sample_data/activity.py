"""Three months of demo warehouse life, played through the services with the clock
moved back: purchase orders and receipts (with QC), workshop issues, returns,
transfers, tool loans, a posted stocktake and closed months — and for today: a PO
waiting for the demo delivery sheets, an overdue PO, an open delivery note, stock in
quarantine, items below their reorder level and coolant near expiry."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from db import Database
from sample_data import catalogue as demo
from services import clock, issuing, purchasing, receiving, reports
from services import stocktake as st

PURCHASER, APPROVER = "zhoujing", "gm"
RECEIVER, KEEPER, KEEPER2 = "liwei", "wangfang", "chenjie"
SUPERVISOR, QC, FINANCE, FINANCE2 = "liuyang", "sunqc", "wuli", "zhengkai"
SUPPLIER_FOR_CATEGORY = {
    "Filters 滤清器": "SUP-MAN", "Brakes 制动": "SUP-BSH", "Ignition 点火": "SUP-BSH",
    "Body 车身附件": "SUP-BSH", "Electrical 电器": "SUP-CAM", "Fluids 油液": "SUP-LUB",
    "Assemblies 总成": "SUP-PWT", "Consumables 辅料": "SUP-LUB", "Belts 皮带": "SUP-BSH",
    "Suspension 悬挂": "SUP-TYT", "Samples 样品": "SUP-BSH",
}
# The PO the demo delivery sheets (sample_data/delivery_sheets) deliver against.
DEMO_PO = "PO-DEMO-01"
DEMO_PO_LINES = [("OF-COR", 20, "28.50"), ("BPF-LAV", 10, "260.00"), ("BAT-60AH", 5, "520.00"),
                 ("FL-COOL-4L", 12, "68.00"), ("ENG-1.6-ASSY", 1, "18500.00")]
WORKSHOP = ["Bay 1 / 一号工位", "Bay 2 / 二号工位", "Bay 3 / 三号工位", "Counter sale / 柜台"]


def local_moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.local_zone())


def month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def working_days(first: date, last: date):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


class DemoActivity:
    def __init__(self, db: Database, seed: int = 2026):
        self.db = db
        self.rng = random.Random(seed)
        self.items = {item["sku"]: item for item in demo.items()}
        self.today = clock.today()
        self.job_no = 1000

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        clock.set_now(local_moment(day, hour, minute))

    # --- receiving -------------------------------------------------------------------
    def order(self, supplier: str, lines, day: date, *, due_in=5, number=None) -> str:
        self.at(day, 9)
        po = purchasing.create_purchase_order(
            self.db, actor=PURCHASER, supplier=supplier, number=number,
            due_date=day + timedelta(days=due_in),
            # (sku, qty, price) or (sku, qty, price per pack, pack unit)
            lines=[{"sku": line[0], "qty": line[1], "unit_price": line[2],
                    "unit": line[3] if len(line) > 3 else ""} for line in lines])
        self.at(day, 10)
        purchasing.approve_purchase_order(self.db, actor=APPROVER, number=po)
        return po

    def receive(self, po: str, note_no: str, lines, day: date, *, expiry_days=400,
                post=True, qc=True) -> str:
        """Deliver ``lines`` [(sku, qty, price)] against ``po``, count all, post."""
        self.at(day, 9, 30)
        grn = receiving.start_receipt(
            self.db, actor=RECEIVER, po_number=po, delivery_note_no=note_no,
            lines=[{"sku": s, "qty": q, "unit_price": p} for s, q, p in lines])
        counts = []
        for line_no, (sku, qty, _) in enumerate(lines, start=1):
            item = self.items[sku]
            count = {"line_no": line_no, "counted_qty": qty, "location": item["bin"],
                     "lot_no": f"{sku[:3]}{day:%y%m%d}"}
            if item.get("tracks_expiry"):
                count["expiry_date"] = day + timedelta(days=expiry_days)
            if item.get("is_assembly"):
                count["certificate"] = f"QC-{day:%y%m%d}-{line_no}"
            counts.append(count)
        self.at(day, 10)
        receiving.record_counts(self.db, actor=RECEIVER, receipt=grn, counts=counts)
        if not post:
            return grn
        view = receiving.get_receipt(self.db, grn)
        for line in view.lines:
            if "NEAR_EXPIRY" in line.flags:
                receiving.approve_line(self.db, actor=SUPERVISOR, receipt=grn,
                                       line_no=line.line_no, flag="NEAR_EXPIRY",
                                       note="short-dated, agreed with purchasing")
        self.at(day, 10, 40)
        receiving.post_receipt(self.db, actor=RECEIVER, receipt=grn, checked_by=KEEPER,
                               checker_password=demo.DEMO_PASSWORD)
        if qc:
            self.at(day, 15)
            for line in receiving.get_receipt(self.db, grn).lines:
                if self.items[line.sku].get("full_inspection") and line.accepted_qty:
                    receiving.qc_release(self.db, actor=QC, receipt=grn, line_no=line.line_no,
                                         passed_qty=line.accepted_qty, failed_qty=0)
        return grn

    def buy(self, skus, day: date, tag: str, *, factor=1, expiry_days=400) -> None:
        by_supplier = defaultdict(list)
        for sku in skus:
            item = self.items[sku]
            qty = max(int(item["reorder_level"]) * 3 * factor, 2 if item.get("is_assembly") else 6)
            by_supplier[SUPPLIER_FOR_CATEGORY[item["category"]]].append((sku, qty, str(item["price"])))
        for n, (supplier, lines) in enumerate(sorted(by_supplier.items()), start=1):
            po = self.order(supplier, lines, day)
            self.receive(po, f"{supplier}-{tag}-{n:02d}", lines,
                         min(day + timedelta(days=2), self.today), expiry_days=expiry_days)

    # --- issuing ---------------------------------------------------------------------
    def workshop_day(self, day: date, popular: list[str]) -> None:
        for job in range(self.rng.randint(2, 4)):
            self.at(day, 11 + job, self.rng.randint(0, 59))
            lines, tags, assembly = [], {}, False
            for sku in self.rng.sample(popular, self.rng.randint(1, 3)):
                item = self.items[sku]
                lines.append({"sku": sku, "qty": self.rng.randint(1, 2)})
                if item.get("requires_old_part"):
                    tags[sku] = f"OLD-{day:%m%d}-{job}"
                assembly = assembly or item.get("is_assembly", False)
            self.job_no += 1
            try:
                issuing.issue_stock(
                    self.db, actor=self.rng.choice([KEEPER, KEEPER2]), lines=lines,
                    requested_by=self.rng.choice(WORKSHOP), purpose="workshop",
                    reference=f"JC-{self.job_no}", old_part_tags=tags or None,
                    approved_by=SUPERVISOR if assembly else None,
                    approver_password=demo.DEMO_PASSWORD if assembly else None)
            except Exception as exc:  # short stock on a busy day: the keeper moves on
                if type(exc).__name__ != "InsufficientStock":
                    raise

    # --- the whole story -------------------------------------------------------------
    def run(self) -> None:
        start = month_start(self.today, 3)
        everything = sorted(self.items)
        popular = [s for s in everything
                   if self.items[s]["category"] not in ("Assemblies 总成", "Samples 样品")]
        self.buy(everything, start + timedelta(days=1), "OPEN")
        # Coolant that will be close to its expiry date today.
        self.buy(["FL-COOL-4L", "FL-BRK-DOT3"], start + timedelta(days=3), "SHORT",
                 expiry_days=(self.today - start).days + 20)
        count_month = month_start(self.today, 2)
        count_day = month_start(count_month, -1) - timedelta(days=2)   # last two days
        post_day = month_start(count_month, -1)
        stocktake_no = None
        day = start + timedelta(days=4)
        while day < self.today:
            if day == count_day:
                stocktake_no = self.count_stocktake(count_month, day)
            elif day == post_day and stocktake_no:
                self.approve_and_post(stocktake_no, day)
            elif day.weekday() < 5 and not (count_day <= day < post_day):
                self.workshop_day(day, popular)        # deliveries stop during the count
                if day.day == 15 and day + timedelta(days=2) < self.today:
                    self.buy(self.rng.sample(popular, 25), day, f"R{day:%m}")
                if day.day == 20 and day.month == start.month:
                    self.side_activities(day)
            day += timedelta(days=1)
        self.close_months(month_start(self.today, 1))
        self.today_work()
        clock.set_now(None)

    def side_activities(self, day: date) -> None:
        self.at(day, 14)
        issuing.transfer(self.db, actor=KEEPER, sku="OF-COR", qty=4, from_location="A-01-01",
                         to_location="E-A-01", note="stock the east branch")
        issuing.transfer(self.db, actor=KEEPER, sku="SP-LAV", qty=8, from_location="A-04-01",
                         to_location="E-A-02")
        last, _ = issuing.list_issues(self.db, limit=1)
        if len(last):
            number = last.iloc[0]["number"]
            returnable = issuing.returnable(self.db, number)
            if returnable:
                line = returnable[0]
                self.at(day, 16)
                issuing.return_to_stock(self.db, actor=KEEPER, issue_number=number,
                                        sku=line["sku"], qty=1, note="not needed on the job")
        issuing.create_tool(self.db, actor=SUPERVISOR, code="T-TORQUE-01",
                            name="Torque wrench 40-200 Nm / 扭力扳手")
        issuing.create_tool(self.db, actor=SUPERVISOR, code="T-SCAN-01",
                            name="OBD scanner / 故障诊断仪")
        issuing.lend_tool(self.db, actor=KEEPER, tool="T-TORQUE-01", borrower="Bay 2 / 二号工位",
                          due_date=day + timedelta(days=3))

    def count_stocktake(self, month_first: date, count_day: date) -> str:
        """The month's last two days: open (freeze), blind initial count with a few
        differences, finance spot check to 50% of value, reasons, submit."""
        self.at(count_day, 8)
        number = st.open_stocktake(self.db, actor=SUPERVISOR, period=f"{month_first:%Y-%m}")
        truth = {}
        self.at(count_day, 10)
        for zone in st.get_stocktake(self.db, number).zones:
            rows = st.count_sheet(self.db, number, zone)
            book = self._book(rows)
            counts = []
            for row in rows:
                qty = book[(row["sku"], row["location"])]
                qty += {"OF-CIV": -1, "BLB-H7": -2, "CNS-RAG": 2}.get(row["sku"], 0)
                truth[(row["sku"], row["location"])] = max(qty, Decimal(0))
                counts.append({"sku": row["sku"], "location": row["location"],
                               "qty": truth[(row["sku"], row["location"])]})
            if counts:
                st.record_counts(self.db, actor=KEEPER, stocktake=number, round="initial",
                                 counts=counts)
        self.at(count_day + timedelta(days=1), 9)
        sample = st.spot_check_sample(self.db, number)
        st.record_counts(self.db, actor=FINANCE, stocktake=number, round="spot", counts=[
            {"sku": r["sku"], "location": r["location"], "qty": truth[(r["sku"], r["location"])]}
            for r in sample.from_sheet])
        picked = {(r["sku"], r["location"]) for r in sample.from_sheet}
        rest = [key for key in sorted(truth) if key not in picked]
        while st.spot_check_sample(self.db, number).coverage < Decimal("0.5") and rest:
            batch, rest = rest[:10], rest[10:]
            st.record_counts(self.db, actor=FINANCE, stocktake=number, round="spot",
                             counts=[{"sku": s, "location": loc, "qty": truth[(s, loc)]}
                                     for s, loc in batch])
        reasons = {"OF-CIV": "theft_loss", "BLB-H7": "receiving_error",
                   "CNS-RAG": "unrecorded_return"}
        report = st.variance_report(self.db, number)
        st.set_reasons(self.db, actor=SUPERVISOR, stocktake=number, reasons=[
            {"sku": r.sku, "location": r.location, "reason": reasons.get(r.sku, "other"),
             "note": "found during the month-end count / 月末盘点发现"}
            for r in report.itertuples() if r.variance_qty != 0])
        self.at(count_day + timedelta(days=1), 15)
        st.submit(self.db, actor=SUPERVISOR, stocktake=number)
        return number

    def approve_and_post(self, number: str, day: date) -> None:
        self.at(day, 9)
        st.review(self.db, actor=FINANCE, stocktake=number)
        self.at(day, 11)
        st.approve(self.db, actor=APPROVER, stocktake=number)
        self.at(day, 14)
        st.post(self.db, actor=FINANCE2, stocktake=number)

    def _book(self, rows) -> dict:
        """Book quantities of the sheet's lines (what a count that matches the books
        finds); read from the stock report, never from the blind sheet."""
        book = defaultdict(Decimal)
        for row in reports.stock_on_hand(self.db).itertuples():
            book[(row.sku, row.location)] += row.qty_on_hand
        return {(r["sku"], r["location"]): book[(r["sku"], r["location"])] for r in rows}

    def close_months(self, up_to_exclusive: date) -> None:
        self.at(self.today, 8)
        first = month_start(self.today, 3)
        while first < up_to_exclusive:
            reports.close_month(self.db, actor=FINANCE, period=f"{first:%Y-%m}")
            first = month_start(first, -1)

    def today_work(self) -> None:
        """What is waiting on the tablets this morning."""
        today = self.today
        self.order("SUP-TYT", DEMO_PO_LINES, today - timedelta(days=3), due_in=3, number=DEMO_PO)
        self.order("SUP-BSH", [("BPR-CIV", 8, "210.00"), ("DSC-F-CIV", 4, "320.00")],
                   today - timedelta(days=12), due_in=5)                      # overdue
        po = self.order("SUP-MAN", [("AF-SAG", 10, "45.00"), ("CF-SAG", 10, "38.00")],
                        today - timedelta(days=6), due_in=2)
        self.receive(po, "MAN-OPEN-01", [("AF-SAG", 10, "45.00"), ("CF-SAG", 10, "38.00")],
                     today - timedelta(days=3), post=False)                   # note still open
        # Ordered by the box (Great Wall's box: 6 bottles, 1188.00), kept by the bottle.
        self.order("SUP-LUB", [("FL-OIL-5W30", 5, "1188.00", "箱")], today - timedelta(days=1),
                   due_in=2)
        po = self.order("SUP-PWT", [("GBX-CVT-ASSY", 1, "16800.00")], today - timedelta(days=2))
        self.receive(po, "PWT-0415", [("GBX-CVT-ASSY", 1, "16800.00")],
                     today - timedelta(days=1), qc=False)                     # waiting for QC


def load_activity(db: Database) -> None:
    try:
        DemoActivity(db).run()
    finally:
        clock.set_now(None)
