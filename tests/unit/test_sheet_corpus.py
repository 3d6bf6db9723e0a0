"""Per-field recall and precision of the delivery-sheet reader over the corpus in
tests/data/sheets/corpus (made by tests/data/sheets/make_corpus.py: every file beside
a JSON of what was really delivered).

A read line is paired with an expected one in sheet order (by code, else name); a
field counts as found when it equals the expected value, as wrong when it holds
another value (a miss AND a false value), as invented when the sheet shows nothing
there. Lines read that were never delivered (a backorder table read as goods) count
every field they carry as false. Run this file with ``-s`` to see the table.
"""
from __future__ import annotations

import difflib
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.errors import ValidationError
from services.sheets import read_delivery_sheet
from ui.i18n import error_text

CORPUS = Path(__file__).resolve().parents[1] / "data" / "sheets" / "corpus"
LINE_FIELDS = ("sku", "name", "spec", "qty", "unit", "unit_price", "lot_no", "expiry_date",
               "po_number", "remark")
META_FIELDS = ("note_no", "po_number", "delivery_date", "supplier_name")
RECALL_FLOOR, PRECISION_FLOOR = 0.95, 0.99


def files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix != ".json")


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def same(field: str, got: str, want: str) -> bool:
    if field in ("qty", "unit_price") and got and want:
        return Decimal(got) == Decimal(want)
    return got.upper() == want.upper() if field == "sku" else got == want


class Score:
    def __init__(self):
        self.found, self.missed, self.false = Counter(), Counter(), Counter()

    def field(self, field: str, got: str, want: str) -> None:
        if want and same(field, got, want):
            self.found[field] += 1
            return
        if want:
            self.missed[field] += 1
        if got:
            self.false[field] += 1

    def recall(self, field=None) -> float:
        found = self.found[field] if field else sum(self.found.values())
        missed = self.missed[field] if field else sum(self.missed.values())
        return found / (found + missed) if found + missed else 1.0

    def precision(self, field=None) -> float:
        found = self.found[field] if field else sum(self.found.values())
        false = self.false[field] if field else sum(self.false.values())
        return found / (found + false) if found + false else 1.0


def _key(line: dict) -> str:
    return (line.get("sku") or line.get("name") or "").upper()


def score_file(path: Path, score: Score, problems: list[str]) -> None:
    expected = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    fields = [f for f in LINE_FIELDS if f in expected["fields"]]
    sheet = read_delivery_sheet(path.read_bytes(), path.name)
    got_lines = [{f: shown(getattr(line, f)) for f in LINE_FIELDS} for line in sheet.lines]
    want_lines = expected["lines"]
    matcher = difflib.SequenceMatcher(a=[_key(x) for x in want_lines],
                                      b=[_key(x) for x in got_lines], autojunk=False)
    paired_want, paired_got = set(), set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i, j = block.a + k, block.b + k
            paired_want.add(i)
            paired_got.add(j)
            for f in fields:
                got, want = got_lines[j][f], shown(want_lines[i].get(f, ""))
                score.field(f, got, want)
                if not (want and same(f, got, want)) and (want or got):
                    problems.append(f"{path.name} line {i + 1} {f}: read {got!r}, "
                                    f"expected {want!r}")
    for i, want in enumerate(want_lines):
        if i not in paired_want:
            problems.append(f"{path.name}: line {i + 1} ({_key(want)}) not read")
            for f in fields:
                score.field(f, "", shown(want.get(f, "")))
    for j, got in enumerate(got_lines):
        if j not in paired_got:
            problems.append(f"{path.name}: read a line never delivered ({_key(got)})")
            for f in fields:
                score.field(f, got[f], "")
    for f in META_FIELDS:
        got, want = shown(getattr(sheet, f)), expected["meta"].get(f, "")
        score.field(f"sheet.{f}", got, want)
        if got != want:
            problems.append(f"{path.name} sheet {f}: read {got!r}, expected {want!r}")


def corpus_score() -> tuple[Score, list[str]]:
    score, problems = Score(), []
    for path in files():
        try:
            score_file(path, score, problems)
        except Exception as exc:  # noqa: BLE001 - a refused file scores zero, reported
            problems.append(f"{path.name}: refused {exc}")
            expected = json.loads(path.with_name(path.name + ".json").read_text("utf-8"))
            for line in expected["lines"]:
                for f in expected["fields"]:
                    score.field(f, "", shown(line.get(f, "")))
    return score, problems


def report(score: Score) -> str:
    names = sorted(set(score.found) | set(score.missed) | set(score.false))
    rows = [f"{'field':<20}{'recall':>8}{'precision':>11}{'found':>7}{'missed':>8}{'false':>7}"]
    for f in names + [None]:
        rows.append(f"{f or 'ALL':<20}{score.recall(f):>8.1%}{score.precision(f):>11.1%}"
                    f"{score.found[f] if f else sum(score.found.values()):>7}"
                    f"{score.missed[f] if f else sum(score.missed.values()):>8}"
                    f"{score.false[f] if f else sum(score.false.values()):>7}")
    return "\n".join(rows)


def test_corpus_is_big_and_varied():
    paths = files()
    assert len(paths) >= 25
    kinds = {p.suffix for p in paths}
    assert {".xlsx", ".xls", ".xlsb", ".ods", ".csv", ".txt"} <= kinds
    for path in paths:
        assert path.with_name(path.name + ".json").exists(), path.name


def test_per_field_recall_and_precision():
    score, problems = corpus_score()
    print("\n" + report(score))
    for line in problems:
        print("  ", line)
    assert score.recall() >= RECALL_FLOOR, report(score)
    assert score.precision() >= PRECISION_FLOOR, report(score)
    for f in set(score.found) | set(score.missed):
        assert score.recall(f) >= RECALL_FLOOR - 0.05, (f, report(score))


@pytest.mark.parametrize("name", ["backorder_after.xlsx", "backorder_en.csv"])
def test_backorder_tables_are_never_delivered_goods(name):
    sheet = read_delivery_sheet((CORPUS / name).read_bytes(), name)
    assert {ln.sku for ln in sheet.lines}.isdisjoint({"BT-400", "TB-880", "BP-200"}
                                                     - ({"BP-200"} if name.endswith("xlsx")
                                                        else set()))


def test_shipped_quantity_is_the_delivered_one_and_the_difference_is_shown():
    sheet = read_delivery_sheet((CORPUS / "shipped_vs_ordered.xlsx").read_bytes(), "x.xlsx")
    short = next(ln for ln in sheet.lines if ln.sku == "BP-200")
    assert (short.qty, short.ordered_qty, short.qty_difference) == (8, 10, -2)
    assert "qty_differs" in short.hints
    assert all("qty_differs" not in ln.hints for ln in sheet.lines if ln is not short)


def test_tax_columns_compare_like_with_like():
    """金额 is before tax here: no amount warning from qty × 含税单价."""
    sheet = read_delivery_sheet((CORPUS / "tax_columns.xlsx").read_bytes(), "x.xlsx")
    assert [e for e in sheet.errors if e.message == "amount_mismatch"] == []
    line = sheet.lines[0]
    assert line.unit_price == line.price_incl_tax and line.price_excl_tax < line.unit_price
    assert line.tax_rate == Decimal("0.13")


def test_damage_remarks_raise_a_hint():
    sheet = read_delivery_sheet((CORPUS / "remarks_gbk.csv").read_bytes(), "x.csv")
    hinted = {ln.sku for ln in sheet.lines if "remark_damage" in ln.hints}
    assert hinted == {"BP-200", "CL-300"}


@pytest.mark.parametrize("name", ["returns_negative.xlsx", "returns_section.xlsx"])
def test_returned_goods_are_never_received(name):
    """A returned line (negative quantity, or below a 退货明细 title) is no delivery."""
    sheet = read_delivery_sheet((CORPUS / name).read_bytes(), name)
    assert {ln.sku for ln in sheet.lines}.isdisjoint({"BP-200", "BT-400", "TB-880"})
    assert all(ln.qty > 0 for ln in sheet.lines)
    # a negative line says once what it is, in words the receiver can act on
    returns = [e for e in sheet.errors if e.message == "return_line"]
    assert len(returns) == len({e.row for e in sheet.errors})
    if returns:
        assert "return to the supplier" in error_text(ValidationError(
            "return_line", **{k: v for k, v in returns[0].params.items() if k != "row"}), "en")


def test_a_gift_is_goods_and_a_discount_row_is_not():
    sheet = read_delivery_sheet((CORPUS / "gift_discount.xlsx").read_bytes(), "x.xlsx")
    gift = next(ln for ln in sheet.lines if ln.sku == "ZP-001")
    assert (gift.qty, gift.unit_price) == (2, 0)
    assert len(sheet.lines) == 3 and sheet.errors == []


def test_shelf_life_is_never_read_as_an_expiry():
    """生产日期 + 保质期(36个月): the expiry is not printed, so none is made up."""
    sheet = read_delivery_sheet((CORPUS / "month_and_shelf_life.xlsx").read_bytes(), "x.xlsx")
    assert all(ln.expiry_date is None for ln in sheet.lines)
    assert sheet.delivery_date is None          # '2026年12月' names no day


if __name__ == "__main__":
    result, issues = corpus_score()
    print(report(result))
    print("\n".join(issues))
