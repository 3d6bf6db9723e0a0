"""The benchmark harness runs end to end on a tiny dataset and writes sane results.

Targets live in the benchmark (``make bench``), not here: this only proves the
generator and every SQLite case work and that results.json has the agreed shape."""
from __future__ import annotations

import json

import pytest

from bench import generate, harness
from db import open_database
from services import reports

SQLITE_CASES = {
    "delivery_sheet_read_10k", "delivery_sheet_read_10k_xls", "delivery_photo_read_12mp",
    "receive_post_500", "issue_fifo_3_lots",
    "issue_sequential_throughput", "stock_on_hand_page_category", "stock_on_hand_page_search",
    "stock_on_hand_page_zone", "stock_card_1000_movements", "monthly_summary_open_month",
    "monthly_summary_closed_month", "home_dashboard_apptest_warm", "stocktake_open",
    "stocktake_variance_report", "stocktake_post_variances", "resolve_scanned_code",
    "books_check",
    "pdf_grn_500_lines", "pdf_count_sheet_largest_zone", "pdf_monthly_summary_all_items",
}
FIELDS = {"name", "median_s", "p95_s", "target_s", "floor_s", "ratio_to_floor", "rows"}


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench-tiny.db"
    db = open_database(f"sqlite:///{path}")
    counts = generate.generate(db, generate.SCALES["tiny"])
    generate.close_history(db, log=lambda *_: None)
    assert reports.check_consistency(db) == []
    db.dispose()
    return path, counts


def test_generator_obeys_the_ledger(tiny_dataset):
    _path, counts = tiny_dataset
    assert counts["items"] == 200 and counts["lots"] == 1_200
    assert counts["movements"] > 10_000


def test_harness_writes_every_case(tiny_dataset, tmp_path):
    path, _counts = tiny_dataset
    out = tmp_path / "results.json"
    harness.main(["--scale", "tiny", "--db", "sqlite", "--source", str(path), "--no-browser",
                  "--workdir", str(tmp_path / "work"), "--out", str(out)])
    records = json.loads(out.read_text())
    by_name = {r["name"]: r for r in records}
    assert set(by_name) == SQLITE_CASES
    for record in records:
        assert FIELDS <= set(record), record
        assert "error" not in record, record
        assert record["median_s"] is not None and record["median_s"] > 0
        assert record["p95_s"] >= record["median_s"]
        assert isinstance(record["rows"], int)
    for name in ("delivery_sheet_read_10k", "delivery_sheet_read_10k_xls", "receive_post_500"):
        record = by_name[name]
        assert record["floor_s"] > 0
        assert record["ratio_to_floor"] == pytest.approx(
            record["median_s"] / record["floor_s"], rel=0.01)
    assert by_name["books_check"]["rows"] == 0       # no consistency problems
    assert by_name["issue_fifo_3_lots"]["spans_ok"]       # each timed issue took 3 lots


def test_targets_are_judged_on_the_database_they_are_set_for():
    """The issue's targets are SQLite's unless noted: on PostgreSQL those figures are
    shown for comparison, and only the PostgreSQL cases decide the run."""
    slow = harness.Result("receive_post_500", [0.2, 0.21], 1.5, 500, floor=[0.03],
                          target_ratio=4.0, run_db="postgresql")
    pg = harness.Result("pg_concurrent_distinct_8w", [3.0], 2.4, 480, target_db="postgresql",
                        run_db="postgresql")
    assert slow.passed is False and not slow.applies
    assert pg.passed is False and pg.applies
    table = harness.format_table([slow, pg])
    assert "info (over the sqlite target)" in table.splitlines()[2]
    assert table.splitlines()[3].rstrip().endswith("FAIL")
    assert slow.record()["target_applies"] is False and slow.record()["ratio_to_floor"] > 4
