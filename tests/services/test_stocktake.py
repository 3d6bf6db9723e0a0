"""The monthly stocktake end to end, on SQLite and PostgreSQL: the seed's six zones,
blind sheets, recount, finance spot check forcing a zone recount, reasons,
approvals and posting; the freeze; segregation of duties."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Item, Location, Lot, Movement, StockBalance
from services import catalog, reports
from services import stocktake as st
from services.errors import (
    Duplicate,
    InvalidState,
    PermissionDenied,
    StockFrozen,
    ValidationError,
)
from services.ledger import LedgerWriter
from services import clock
from tests.factories import STOCKTAKE_ZONES, build_stocktake_world, stock_lot, utc

ZONES = [zone for zone, _kind, _codes in STOCKTAKE_ZONES]
PERIOD = "2026-03"
COUNT_DAY = utc(2026, 3, 30, 12)
SHEET_KEYS = {"zone", "location", "sku", "name", "name_zh", "spec", "unit", "found"}


@pytest.fixture
def sworld(db):
    build_stocktake_world(db)
    clock.set_now(COUNT_DAY)
    return db


def balances(db) -> dict[tuple[str, str], Decimal]:
    with db.read() as session:
        rows = session.execute(
            select(Item.sku, Location.code, StockBalance.qty)
            .join(Item, Item.id == StockBalance.item_id)
            .join(Location, Location.id == StockBalance.location_id))
        return {(sku, code): qty for sku, code, qty in rows}


def frozen_codes(db) -> set[str]:
    with db.read() as session:
        return set(session.scalars(
            select(Location.code).where(Location.frozen_by_stocktake_id.is_not(None))))


def open_six(db) -> str:
    return st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=ZONES)


def count_zone(db, number, zone, truth, *, actor, round="initial", counted_by=None,
               only=None):
    rows = st.count_sheet(db, number, zone)
    counts = [{"sku": r["sku"], "location": r["location"],
               "qty": truth[(r["sku"], r["location"])]}
              for r in rows if only is None or (r["sku"], r["location"]) in only]
    return st.record_counts(db, actor=actor, stocktake=number, round=round, counts=counts,
                            counted_by=counted_by)


def spot_to_coverage(db, number, truth):
    """Finance counts the seeded sample, then shelf picks until 50% of book value."""
    sample = st.spot_check_sample(db, number)
    forced = []
    result = st.record_counts(db, actor="finance", stocktake=number, round="spot", counts=[
        {"sku": r["sku"], "location": r["location"], "qty": truth[(r["sku"], r["location"])]}
        for r in sample.from_sheet])
    forced += result["recount_zones"]
    picked = {(r["sku"], r["location"]) for r in sample.from_sheet}
    candidates = [key for key in sorted(truth) if key not in picked]
    while st.spot_check_sample(db, number).coverage < Decimal("0.5"):
        batch, candidates = candidates[:5], candidates[5:]
        result = st.record_counts(db, actor="finance", stocktake=number, round="spot",
                                  counts=[{"sku": s, "location": l, "qty": truth[(s, l)]}
                                          for s, l in batch])
        forced += result["recount_zones"]
    return forced


def test_seed_scenario_end_to_end(sworld):
    db = sworld
    catalog.create_item(db, actor="admin", sku="WB-600", name="Wiper blade", category="Body")
    stock_lot(db, "WB-600", "A-01-01", 5, "7.0000")
    before = balances(db)
    number = open_six(db)
    assert number.startswith("ST-2026-03-")
    view = st.get_stocktake(db, number)
    assert view.status == "open" and view.zones == sorted(ZONES)
    assert sum(p.lines for p in view.progress) == 60
    assert frozen_codes(db) == {c for _z, _k, codes in STOCKTAKE_ZONES for c in codes}

    # What is physically on the shelves.
    truth = {key: qty for key, qty in before.items() if key[1] in frozen_codes(db)}
    truth[("BP-200", "FG-01")] = Decimal(2)           # loss of 6 over two lots
    truth[("CL-300", "AX-02")] = Decimal(7)           # gain of 1
    sheet_truth = dict(truth)
    sheet_truth[("EN-500", "CT-01")] = Decimal(5)     # keeper2 miscounts (true 11)
    sheet_truth[("OF-100", "FG-02")] = Decimal(3)     # keeper miscounts (true 4)

    for zone in ZONES[:3]:
        count_zone(db, number, zone, sheet_truth, actor="keeper")
    for zone in ZONES[3:]:
        count_zone(db, number, zone, sheet_truth, actor="supervisor", counted_by="keeper2")
    # An item found on a shelf that is not on the sheet.
    st.record_counts(db, actor="keeper", stocktake=number, round="initial", allow_new=True,
                     counts=[{"sku": "WB-600", "location": "FG-02", "qty": 2}])
    truth[("WB-600", "FG-02")] = Decimal(2)
    assert any(r["found"] and r["sku"] == "WB-600" for r in st.count_sheet(db, number, ZONES[0]))

    # Recount by the supervisor's team; the same person may not recount their own line.
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="recount",
                         counts=[{"sku": "OF-100", "location": "FG-02", "qty": 4}])
    assert err.value.code == "recount_same_counter"
    st.record_counts(db, actor="supervisor", stocktake=number, round="recount", counts=[
        {"sku": "OF-100", "location": "FG-02", "qty": 4},
        {"sku": "BP-200", "location": "FG-01", "qty": 2},
        {"sku": "CL-300", "location": "AX-02", "qty": 7},
    ])
    diffs = st.recount_differences(db, number)
    assert list(zip(diffs["sku"], diffs["location"])) == [("OF-100", "FG-02")]
    assert diffs.iloc[0]["difference"] == Decimal(1)

    # Finance spot check: seeded sample, then shelf picks to 50% of book value,
    # including the miscounted engine in the counter-materials zone.
    sample = st.spot_check_sample(db, number)
    assert len(sample.from_sheet) == 18                  # 30% of 60 sheet lines
    assert {r["zone"] for r in sample.from_sheet} == set(ZONES)
    assert st.spot_check_sample(db, number).from_sheet == sample.from_sheet
    forced = spot_to_coverage(db, number, truth)
    if ("EN-500", "CT-01") not in {(r["sku"], r["location"])
                                   for r in st.spot_check_sample(db, number).from_sheet
                                   + st.spot_check_sample(db, number).shelf_picks}:
        forced += st.record_counts(db, actor="finance", stocktake=number, round="spot", counts=[
            {"sku": "EN-500", "location": "CT-01", "qty": 11}])["recount_zones"]
    assert forced == ["CT Counter materials"]
    rates = st.zone_error_rates(db, number)
    assert set(rates) == set(ZONES)
    assert rates["CT Counter materials"] > Decimal("0.01")
    assert all(rate == 0 for zone, rate in rates.items() if zone != "CT Counter materials")
    ct = next(p for p in st.get_stocktake(db, number).progress if p.zone == "CT Counter materials")
    assert ct.needs_recount == ct.lines == 10 and ct.forced_recounts == 1

    with pytest.raises(ValidationError) as err:
        st.submit(db, actor="supervisor", stocktake=number)
    assert err.value.code == "zone_recount_required"
    assert err.value.params["zone"] == "CT Counter materials"

    # Full recount of the zone (by someone other than its initial counter).
    count_zone(db, number, "CT Counter materials", truth, actor="supervisor", round="recount")
    assert st.zone_error_rates(db, number)["CT Counter materials"] == 0

    with pytest.raises(ValidationError) as err:
        st.submit(db, actor="supervisor", stocktake=number)
    assert err.value.code == "reasons_missing"
    assert err.value.params["count"] == 3

    report = st.variance_report(db, number)
    variances = report[report["variance_qty"] != 0].set_index(["sku", "location"])
    assert variances.loc[("BP-200", "FG-01"), "variance_qty"] == Decimal(-6)
    # FIFO at that location: 5 @ 15 from the January lot, 1 @ 17 from February's.
    assert variances.loc[("BP-200", "FG-01"), "variance_value"] == Decimal(-92)
    # Gains at the latest receipt cost of the item (CL-300's last lot cost 20).
    assert variances.loc[("CL-300", "AX-02"), "variance_value"] == Decimal(20)
    assert variances.loc[("WB-600", "FG-02"), "variance_value"] == Decimal(14)
    assert len(variances) == 3
    summary = st.variance_summary(report)
    assert summary["total"].net_value == Decimal(-58)
    assert summary["total"].absolute_value == Decimal(126)
    assert summary["total"].accuracy == Decimal(58) / Decimal(61)
    assert summary["zone"]["FG Finished goods"].loss_value == Decimal(-92)

    with pytest.raises(ValidationError) as err:
        st.set_reason(db, actor="supervisor", stocktake=number, sku="BP-200", location="FG-01",
                      reason="aliens")
    assert err.value.code == "invalid_variance_reason"
    with pytest.raises(ValidationError) as err:
        st.set_reason(db, actor="supervisor", stocktake=number, sku="OF-100", location="FG-01",
                      reason="other", note="x")
    assert err.value.code == "no_variance"
    with pytest.raises(PermissionDenied):
        st.set_reason(db, actor="keeper", stocktake=number, sku="BP-200", location="FG-01",
                      reason="theft_loss")
    st.set_reason(db, actor="supervisor", stocktake=number, sku="BP-200", location="FG-01",
                  reason="theft_loss", note="reported to security")
    st.set_reasons(db, actor="supervisor", stocktake=number, reasons=[
        {"sku": "CL-300", "location": "AX-02", "reason": "receiving_error", "note": ""},
        {"sku": "WB-600", "location": "FG-02", "reason": "unrecorded_return",
         "note": "workshop return"},
    ])

    with pytest.raises(PermissionDenied):
        st.submit(db, actor="keeper", stocktake=number)
    st.submit(db, actor="supervisor", stocktake=number)
    with pytest.raises(InvalidState):
        st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    with pytest.raises(PermissionDenied):
        st.review(db, actor="manager", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    with pytest.raises(InvalidState):
        st.post(db, actor="finance", stocktake=number)      # not approved yet
    st.approve(db, actor="manager", stocktake=number)
    still_frozen = frozen_codes(db)
    assert "FG-01" in still_frozen
    result = st.post(db, actor="finance2", stocktake=number)
    assert result.gain_doc_no.startswith("SG-2026-03-")
    assert result.loss_doc_no.startswith("SL-2026-03-")
    assert result.gain_value == Decimal(34) and result.loss_value == Decimal(-92)

    view = st.get_stocktake(db, number)
    assert view.status == "posted"
    assert [s.step for s in view.steps] == ["open", "submit", "review", "approve", "post"]
    assert [s.actor for s in view.steps] == ["supervisor", "supervisor", "finance", "manager",
                                             "finance2"]
    assert frozen_codes(db) == set()

    after = balances(db)
    for key, qty in truth.items():
        assert after[key] == qty, key
    assert after[("WB-600", "A-01-01")] == 5
    # Values reconcile with the ledger: the loss took the oldest lot first.
    with db.read() as session:
        moves = session.execute(
            select(Movement.doc_no, Movement.type, Movement.qty, Movement.value)
            .where(Movement.doc_no.in_([result.gain_doc_no, result.loss_doc_no]))
            .order_by(Movement.id)).all()
        gain_lot = session.scalar(select(Lot).where(Lot.lot_no == result.gain_doc_no,
                                                    Lot.qty_on_hand == 2))
    assert sum(m.value for m in moves if m.doc_no == result.loss_doc_no) == Decimal(-92)
    assert sum(m.value for m in moves if m.doc_no == result.gain_doc_no) == Decimal(34)
    assert gain_lot.unit_cost == Decimal(7)
    report = st.variance_report(db, number)
    assert sum(report["variance_value"]) == Decimal(-58)
    hist = st.history(db)
    assert hist.iloc[-1]["accuracy"] == Decimal(58) / Decimal(61)
    assert hist.iloc[-1]["loss_value"] == Decimal(-92)
    assert reports.check_consistency(db) == []


def test_freeze_blocks_movements_until_cancelled(sworld):
    db = sworld
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD,
                               zones=["FG Finished goods"])
    assert frozen_codes(db) == {"FG-01", "FG-02"}
    with pytest.raises(StockFrozen) as err:
        stock_lot(db, "OF-100", "FG-01", 1, "1.0000")
    assert err.value.params == {"location": "FG-01", "zone": "FG Finished goods"}

    def take_and_move(session, target):
        source = session.scalar(select(Lot).join(Location).where(Location.code == "FG-02"))
        writer = LedgerWriter(session, "transfer", "T-1", None)
        writer.move(source, Decimal(1), session.scalar(
            select(Location.id).where(Location.code == target)))
        writer.flush()

    with pytest.raises(StockFrozen):
        db.write(lambda s: take_and_move(s, "AX-01"))                # out of a frozen bin
    with db.read() as session:
        ax_lot_id = session.scalar(select(Lot.id).join(Location).where(Location.code == "AX-01"))

    def into_frozen(session):
        lot = session.get(Lot, ax_lot_id)
        writer = LedgerWriter(session, "transfer", "T-2", None)
        writer.move(lot, Decimal(1), session.scalar(
            select(Location.id).where(Location.code == "FG-01")))
        writer.flush()

    with pytest.raises(StockFrozen):
        db.write(into_frozen)                                         # into a frozen bin
    stock_lot(db, "OF-100", "AX-01", 1, "1.0000")                     # other zones move
    # One live stocktake per month; a zone cannot be frozen twice.
    with pytest.raises(Duplicate) as err:
        st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["AX Auxiliary"])
    assert err.value.code == "stocktake_exists"
    with pytest.raises(InvalidState) as err:
        st.open_stocktake(db, actor="supervisor", period="2026-04", zones=["FG Finished goods"])
    assert err.value.code == "zone_already_frozen"
    with pytest.raises(PermissionDenied):
        st.open_stocktake(db, actor="keeper", period="2026-04")
    with pytest.raises(ValidationError) as err:
        st.open_stocktake(db, actor="supervisor", period="2026-13")
    assert err.value.code == "invalid_period"

    with pytest.raises(PermissionDenied):
        st.cancel(db, actor="keeper", stocktake=number)
    st.cancel(db, actor="supervisor", stocktake=number, comment="wrong zones")
    assert frozen_codes(db) == set()
    db.write(lambda s: take_and_move(s, "AX-01"))
    # After cancelling, the month can be opened again (all zones by default).
    again = st.open_stocktake(db, actor="supervisor", period=PERIOD)
    assert again != number
    assert st.get_stocktake(db, again).zones == sorted(catalog.zones(db))
    assert st.get_stocktake(db, number).status == "cancelled"
    assert reports.check_consistency(db) == []


def test_blind_sheets_never_contain_book_quantities(sworld):
    db = sworld
    number = open_six(db)
    for zone in ZONES:
        rows = st.count_sheet(db, number, zone)
        assert rows, zone
        assert all(set(r) == SHEET_KEYS for r in rows)
        assert [r["location"] for r in rows] == sorted(r["location"] for r in rows)
    # The recount entry list shows only the recount round.
    count_zone(db, number, ZONES[0], {k: Decimal(1) for k in balances(db)}, actor="keeper")
    entries = st.count_entries(db, number, ZONES[0], "recount")
    assert all(e["qty"] is None and e["counted_by"] is None for e in entries)
    assert all("book" not in key for e in entries for key in e)
    mine = st.count_entries(db, number, ZONES[0], "initial")
    assert {e["qty"] for e in mine} == {Decimal(1)}
    assert {e["counted_by"] for e in mine} == {"keeper"}
    assert reports.check_consistency(db) == []


def test_count_input_is_validated_row_by_row(sworld):
    db = sworld
    number = open_six(db)
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=[
            {"sku": "OF-100", "location": "FG-01", "qty": "2"},
            {"sku": "NOPE", "location": "FG-01", "qty": "1", "row": 7},
            {"sku": "OF-100", "location": "A-01-01", "qty": "1"},
            {"sku": "OF-100", "location": "FG-01", "qty": "3"},
            {"sku": "OF-100", "location": "FG-02", "qty": 1.5},
        ])
    assert err.value.code == "not_a_number"          # input checks come first
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=[
            {"sku": "OF-100", "location": "FG-01", "qty": "2"},
            {"sku": "NOPE", "location": "FG-01", "qty": "1", "row": 7},
            {"sku": "OF-100", "location": "A-01-01", "qty": "1"},
            {"sku": "OF-100", "location": "FG-01", "qty": "3"},
        ])
    assert err.value.code == "count_rows_invalid"
    assert [(e["row"], e["code"]) for e in err.value.params["errors"]] == [
        (7, "count_unknown_sku"), (3, "location_not_in_stocktake"), (4, "duplicate_count")]
    assert all(e["qty"] is None for e in st.count_entries(db, number, ZONES[0], "initial"))
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=[
            {"sku": "OF-100", "location": "FG-01", "qty": "-1"}])
    assert err.value.code == "must_not_be_negative" and err.value.params["row"] == 1
    # A keeper may not type in someone else's count; a counter must be a counter.
    with pytest.raises(PermissionDenied):
        st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                         counted_by="keeper2",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="supervisor", stocktake=number, round="initial",
                         counted_by="finance",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    assert err.value.code == "not_a_counter"
    with pytest.raises(PermissionDenied):
        st.record_counts(db, actor="finance", stocktake=number, round="initial",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    with pytest.raises(PermissionDenied):
        st.record_counts(db, actor="keeper", stocktake=number, round="spot",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    # Spot checks come after the count; lines not on the sheet need allow_new.
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="finance", stocktake=number, round="spot",
                         counts=[{"sku": "OF-100", "location": "FG-01", "qty": 1}])
    assert err.value.code == "spot_before_count"
    catalog.create_item(db, actor="admin", sku="WB-600", name="Wiper blade")
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                         counts=[{"sku": "WB-600", "location": "FG-01", "qty": 1}])
    assert err.value.code == "not_on_sheet"
    assert reports.check_consistency(db) == []


def test_segregation_of_duties(sworld):
    db = sworld
    from tests.factories import add_users

    add_users(db, {"boss": ["manager", "keeper"], "auditor": ["finance", "keeper"]})
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["SM Samples"])
    truth = {k: v for k, v in balances(db).items() if k[1] in ("SM-01", "SM-02")}
    truth[("OF-100", "SM-01")] -= 1
    count_zone(db, number, "SM Samples", truth, actor="boss",
               only={("OF-100", "SM-01"), ("BP-200", "SM-01")})
    count_zone(db, number, "SM Samples", truth, actor="auditor",
               only={k for k in truth if k not in {("OF-100", "SM-01"), ("BP-200", "SM-01")}})
    spot_to_coverage(db, number, truth)
    st.set_reason(db, actor="finance", stocktake=number, sku="OF-100", location="SM-01",
                  reason="damage", note="crushed box")
    st.submit(db, actor="supervisor", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.review(db, actor="auditor", stocktake=number)
    assert err.value.code == "counter_cannot_approve"
    # Sent back with a comment, resubmitted, reviewed.
    with pytest.raises(ValidationError):
        st.send_back(db, actor="finance", stocktake=number, comment="  ")
    st.send_back(db, actor="finance", stocktake=number, comment="check OF-100 again")
    assert st.get_stocktake(db, number).status == "open"
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.approve(db, actor="boss", stocktake=number)
    assert err.value.code == "counter_cannot_approve"
    st.approve(db, actor="manager", stocktake=number)
    with pytest.raises(PermissionDenied):
        st.post(db, actor="auditor", stocktake=number)
    st.post(db, actor="finance", stocktake=number)
    steps = st.get_stocktake(db, number).steps
    assert [s.step for s in steps] == ["open", "submit", "send_back", "submit", "review",
                                       "approve", "post"]
    assert steps[2].comment == "check OF-100 again" and steps[2].actor == "finance"
    assert balances(db)[("OF-100", "SM-01")] == truth[("OF-100", "SM-01")]
    assert reports.check_consistency(db) == []


def test_count_sheet_upload_roundtrip(sworld):
    from openpyxl import Workbook
    import io

    db = sworld
    number = open_six(db)
    rows = st.count_sheet(db, number, "AX Auxiliary")
    wb = Workbook()
    ws = wb.active
    ws.append([f"{number} AX Auxiliary"])
    ws.append([])
    ws.append(["库位", "配件编码", "名称", "实盘数量"])
    for index, r in enumerate(rows):
        ws.append([r["location"], r["sku"], r["name"], index + 1 if index else 2.5])
    ws.append(["AX-01", "OF-100", "dup", "abc"])
    ws.append(["AX-02", "", "blank sku", 3])
    ws.append(["AX-02", "BP-200", "not yet counted", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    parsed = st.read_count_sheet(buffer.getvalue(), "ax.xlsx")
    assert len(parsed.lines) == len(rows)
    assert parsed.lines[0]["qty"] == Decimal("2.5") and parsed.lines[0]["row"] == 4
    assert [(e["row"], e["code"]) for e in parsed.errors] == [
        (4 + len(rows), "not_a_number"), (5 + len(rows), "required")]
    st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=parsed.lines)
    entries = st.count_entries(db, number, "AX Auxiliary", "initial")
    assert all(e["qty"] is not None for e in entries)
    with pytest.raises(ValidationError) as err:
        st.read_count_sheet(b"PK\x03\x04garbage", "x.xlsx")
    assert err.value.code == "file_unreadable"
    with pytest.raises(ValidationError) as err:
        st.read_count_sheet(b"a,b\n1,2\n", "x.csv")
    assert err.value.code == "count_sheet_no_header"
    with pytest.raises(ValidationError) as err:
        st.read_count_sheet(b"x" * (11 * 1024 * 1024), "x.csv")
    assert err.value.code == "file_too_large"
    assert reports.check_consistency(db) == []


def test_freeze_refuses_issues_and_transfers_through_the_services(sworld):
    from services import issuing

    db = sworld
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD,
                               zones=["FG Finished goods", "SM Samples"])
    before = balances(db)
    # OF-100's oldest lot (received 1 January) sits in frozen SM-02: the issue is
    # refused, not re-routed to a newer lot.
    with db.read() as session:
        oldest = session.execute(
            select(Location.code).join(Lot, Lot.location_id == Location.id)
            .join(Item, Item.id == Lot.item_id)
            .where(Item.sku == "OF-100", Lot.status == "available")
            .order_by(Lot.received_at, Lot.id).limit(1)).scalar_one()
    assert oldest == "SM-02"
    with pytest.raises(StockFrozen):
        issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                            requested_by="workshop")
    with pytest.raises(StockFrozen):
        issuing.transfer(db, actor="keeper", sku="BP-200", qty=1, from_location="AX-01",
                         to_location="FG-02")
    with pytest.raises(StockFrozen):
        issuing.transfer(db, actor="keeper", sku="BP-200", qty=1, from_location="FG-02",
                         to_location="AX-01")
    assert balances(db) == before
    st.cancel(db, actor="manager", stocktake=number)
    issuing.transfer(db, actor="keeper", sku="BP-200", qty=1, from_location="FG-02",
                     to_location="AX-01")
    assert balances(db)[("BP-200", "AX-01")] == before[("BP-200", "AX-01")] + 1
    assert reports.check_consistency(db) == []


def test_counts_in_boxes_and_pieces_are_recorded_in_the_stock_unit(sworld):
    """A counter counts boxes: "3 箱 + 5" on the tablet or on the uploaded sheet is
    recorded as 3 × 12 + 5 pieces; a unit the item has no size for is refused by row."""
    from openpyxl import Workbook
    import io

    db = sworld
    catalog.set_pack_unit(db, actor="admin", sku="OF-100", unit="箱", factor=12)
    number = open_six(db)
    rows = st.count_sheet(db, number, "AX Auxiliary")
    box_row = next(r for r in rows if r["sku"] == "OF-100")
    other = next(r for r in rows if r["sku"] != "OF-100")
    wb = Workbook()
    wb.active.append(["库位", "配件编码", "名称", "实盘数量"])
    wb.active.append([box_row["location"], "OF-100", "机油滤清器", "3 箱 + 5"])
    wb.active.append([other["location"], other["sku"], "", "2 箱"])        # no box size known
    buffer = io.BytesIO()
    wb.save(buffer)
    parsed = st.read_count_sheet(buffer.getvalue(), "ax.xlsx")
    assert parsed.errors == [] and [ln["qty"] for ln in parsed.lines] == ["3 箱 + 5", "2 箱"]
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                         counts=parsed.lines)
    assert (err.value.code, err.value.params["row"]) == ("unknown_unit", 3)
    assert all(e["qty"] is None for e in st.count_entries(db, number, "AX Auxiliary", "initial")
               if e["sku"] == "OF-100")                                  # nothing written
    st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                     counts=parsed.lines[:1])
    entry = next(e for e in st.count_entries(db, number, "AX Auxiliary", "initial")
                 if e["sku"] == "OF-100" and e["location"] == box_row["location"])
    assert entry["qty"] == Decimal(41)
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="initial", counts=[
            {"sku": "OF-100", "location": box_row["location"], "qty": "lots"}])
    assert err.value.code == "not_a_number"


def test_spot_counts_from_the_sheets_and_from_the_shelves_are_two_steps(sworld):
    """A count made in the from-the-sheets step must be a sampled line: a line outside
    the sample is refused (nothing written) instead of silently becoming a shelf pick;
    the same count in the shelf step is a shelf pick."""
    db = sworld
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=[ZONES[0]])
    truth = balances(db)
    count_zone(db, number, ZONES[0], truth, actor="keeper")
    sample = st.spot_check_sample(db, number)
    picked = {(r["sku"], r["location"]) for r in sample.from_sheet}
    sheet = {(r["sku"], r["location"]) for r in st.count_sheet(db, number, ZONES[0])}
    inside, outside = sorted(picked)[0], sorted(sheet - picked)[0]

    def spot(key, shelf_pick):
        return st.record_counts(db, actor="finance", stocktake=number, round="spot",
                                shelf_pick=shelf_pick,
                                counts=[{"sku": key[0], "location": key[1], "qty": truth[key]}])

    with pytest.raises(ValidationError) as err:
        spot(outside, False)
    assert err.value.code == "not_in_spot_sample"
    assert (err.value.params["sku"], err.value.params["location"]) == outside
    assert st.spot_check_sample(db, number).shelf_picks == []
    spot(inside, False)
    spot(outside, True)
    after = st.spot_check_sample(db, number)
    assert [(r["sku"], r["location"]) for r in after.shelf_picks] == [outside]
    assert [r["spot_qty"] for r in after.from_sheet if (r["sku"], r["location"]) == inside] \
        == [truth[inside]]
