"""AppTest: count entry on the stocktake screen (blind) and the finance variance
review through to posting."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services import clock, reports
from services import stocktake as stk
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import build_stocktake_world
from tests.services.test_stocktake import COUNT_DAY, balances, count_zone, spot_to_coverage

STOCKTAKE_PAGE = "pages/stocktake.py"
VARIANCE_PAGE = "pages/variance_review.py"
ZONE = "AX Auxiliary"


@pytest.fixture
def app_db(sqlite_db):
    build_stocktake_world(sqlite_db)
    clock.set_now(COUNT_DAY)
    yield sqlite_db
    clock.set_now(None)


def button(at, label):
    matches = [b for b in at.button if b.label == label]
    assert matches, (label, [b.label for b in at.button])
    return matches[0]


def all_text(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(str(p) for p in parts)


def test_keeper_enters_counts_blind(app_db):
    db = app_db
    number = stk.open_stocktake(db, actor="supervisor", period="2026-03", zones=[ZONE])
    at = app_for(db, "keeper", page=STOCKTAKE_PAGE).run()
    assert_no_exception(at)
    assert at.selectbox(key="count_zone").value == ZONE
    at.text_input(key="count_location").input("ax-01")
    at.text_input(key="count_sku").input("OF-100")
    at.text_input(key="count_qty").input("6")
    button(at, "Save count").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    entries = {(e["sku"], e["location"]): e for e in stk.count_entries(db, number, ZONE, "initial")}
    assert entries[("OF-100", "AX-01")]["qty"] == Decimal(6)
    assert entries[("OF-100", "AX-01")]["counted_by"] == "keeper"
    # A bad quantity is refused with a translated message and nothing is written.
    at.text_input(key="count_location").input("AX-01")
    at.text_input(key="count_sku").input("BP-200")
    at.text_input(key="count_qty").input("-2")
    button(at, "Save count").click().run()
    assert "cannot be negative" in at.error[0].value
    # Neither the entry list nor the sheet shows a book quantity.
    text = all_text(at)
    assert "Book qty" not in text and "book_qty" not in text
    for frame in at.dataframe:
        assert not any("Book" in str(c) for c in frame.value.columns)
    # Chinese screen works too.
    at_zh = app_for(db, "keeper", lang="zh", page=STOCKTAKE_PAGE).run()
    assert_no_exception(at_zh)
    assert any(b.label == "保存盘点数" for b in at_zh.button)


def prepare_counted(db, truth_change):
    number = stk.open_stocktake(db, actor="supervisor", period="2026-03", zones=[ZONE])
    truth = {k: v for k, v in balances(db).items() if k[1] in ("AX-01", "AX-02")}
    for key, delta in truth_change.items():
        truth[key] += delta
    count_zone(db, number, ZONE, truth, actor="keeper")
    spot_to_coverage(db, number, truth)
    return number, truth


def test_finance_review_to_posting_through_the_ui(app_db):
    db = app_db
    number, truth = prepare_counted(db, {("OF-100", "AX-01"): Decimal(-2),
                                         ("BT-400", "AX-02"): Decimal(1)})
    # Supervisor explains the variances on the review screen, then submits.
    at = app_for(db, "supervisor", page=VARIANCE_PAGE).run()
    assert_no_exception(at)
    assert any("2 variance line(s) have no reason" in w.value for w in at.warning)
    for option, reason in zip(at.selectbox(key="reason_line").options,
                              ["theft_loss", "unrecorded_return"]):
        at.selectbox(key="reason_line").set_value(option)
        at.selectbox(key="reason_code").set_value(reason)
        at.text_input(key="reason_note").input("checked")
        button(at, "Save").click().run()
        assert_no_exception(at)
        assert not at.error, [e.value for e in at.error]
    report = stk.variance_report(db, number)
    assert set(report[report["variance_qty"] != 0]["reason"]) == {"theft_loss",
                                                                  "unrecorded_return"}
    at = app_for(db, "supervisor", page=STOCKTAKE_PAGE).run()
    button(at, "Submit to finance").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert stk.get_stocktake(db, number).status == "submitted"

    # Finance reviews: figures, charts and the Excel export are on the screen.
    at = app_for(db, "finance", page=VARIANCE_PAGE).run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lines with a variance"] == "2"
    assert len(at.get("vega_lite_chart")) >= 3
    assert any(b.label == "Download Excel" for b in at.get("download_button"))
    button(at, "Reviewed: send to the general manager").click().run()
    assert not at.error, [e.value for e in at.error]
    # The manager sends it back once with a comment, then it goes round again.
    at = app_for(db, "manager", page=VARIANCE_PAGE).run()
    at.text_input(key="variance_comment").input("Explain the battery")
    button(at, "Send back to counting").click().run()
    assert stk.get_stocktake(db, number).status == "open"
    stk.submit(db, actor="supervisor", stocktake=number)
    stk.review(db, actor="finance", stocktake=number)
    at = app_for(db, "manager", page=VARIANCE_PAGE).run()
    button(at, "Approve the adjustments").click().run()
    assert not at.error, [e.value for e in at.error]
    at = app_for(db, "finance2", page=VARIANCE_PAGE).run()
    button(at, "Post gain and loss documents").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    view = stk.get_stocktake(db, number)
    assert view.status == "posted" and view.posted_by == "finance2"
    assert [s.step for s in view.steps][-3:] == ["review", "approve", "post"]
    after = balances(db)
    for key, qty in truth.items():
        assert after[key] == qty
    at = app_for(db, "finance", page=VARIANCE_PAGE).run()
    assert any(view.loss_doc_no in s.value for s in at.success)
    assert reports.check_consistency(db) == []


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("username", ["supervisor", "keeper", "finance", "manager"])
def test_stocktake_screens_open_for_every_role(app_db, username, lang):
    db = app_db
    prepare_counted(db, {("OF-100", "AX-01"): Decimal(-1)})
    from services import users
    from tests.app.helpers import visible_pages

    roles = users.get_user(db, username).role_names
    for page in (STOCKTAKE_PAGE, VARIANCE_PAGE):
        if page not in visible_pages(roles):
            continue
        at = app_for(db, username, lang=lang, page=page).run()
        assert_no_exception(at)
        assert not at.error, (page, [e.value for e in at.error])


def test_cancelling_shows_the_stocktake_gone_at_once(app_db):
    db = app_db
    number = stk.open_stocktake(db, actor="supervisor", period="2026-11", zones=[ZONE])
    at = app_for(db, "supervisor", page=STOCKTAKE_PAGE).run()
    assert at.selectbox(key="stocktake_pick").value == number
    at.text_input(key="cancel_comment").input("wrong zone")
    button(at, "Cancel this stocktake and unfreeze").click().run()
    assert_no_exception(at)
    assert stk.get_stocktake(db, number).status == "cancelled"
    # the same run shows it: no longer offered, no open-stocktake forms left
    pick = at.selectbox(key="stocktake_pick") if any(
        s.key == "stocktake_pick" for s in at.selectbox) else None
    assert pick is None or all(number not in option for option in pick.options)
    assert not [b for b in at.button if b.label == "Cancel this stocktake and unfreeze"]


def test_continuous_counting_by_any_code_keeps_the_bin(app_db):
    """Scan the bin once, then item after item (an EAN, a lot label), type, save, next."""
    from sqlalchemy import select

    from db.models import Item, Location, Lot
    from domain.codes import lot_label_payload
    from services import catalog

    db = app_db
    catalog.add_code(db, actor="supervisor", sku="OF-100", code="6901234567892", kind="ean13")
    with db.read() as session:
        bp_lot = session.scalar(select(Lot.id).join(Item, Item.id == Lot.item_id)
                                .join(Location, Location.id == Lot.location_id)
                                .where(Item.sku == "BP-200", Location.code == "AX-02"))
    number = stk.open_stocktake(db, actor="supervisor", period="2026-03", zones=[ZONE])
    at = app_for(db, "keeper", page=STOCKTAKE_PAGE).run()
    at.text_input(key="count_location").input("AX-01").run()
    at.text_input(key="count_sku").input("6901234567892").run()
    assert any("Item OF-100" in c.value for c in at.caption)
    at.text_input(key="count_qty").input("6")
    button(at, "Save count").click().run()
    assert_no_exception(at)
    assert at.text_input(key="count_sku").value == ""          # ready for the next item
    assert at.text_input(key="count_location").value == "AX-01"
    at.text_input(key="count_location").input("").run()
    at.text_input(key="count_sku").input(lot_label_payload(bp_lot)).run()
    at.text_input(key="count_qty").input("2")
    button(at, "Save count").click().run()
    assert not at.error, [e.value for e in at.error]
    entries = {(e["sku"], e["location"]): e["qty"]
               for e in stk.count_entries(db, number, ZONE, "initial")}
    assert entries[("OF-100", "AX-01")] == Decimal(6)
    assert entries[("BP-200", "AX-02")] == Decimal(2)
    # a bin label in the item box is refused
    at.text_input(key="count_sku").input("AX-01").run()
    assert "bin label" in at.warning[0].value


def test_variance_note_stays_on_its_own_line(app_db):
    """A note typed for one line must not be saved on the next line picked."""
    db = app_db
    number, _truth = prepare_counted(db, {("OF-100", "AX-01"): Decimal(-2),
                                          ("BT-400", "AX-02"): Decimal(1)})
    at = app_for(db, "supervisor", page=VARIANCE_PAGE).run()
    first, second = at.selectbox(key="reason_line").options[:2]
    at.selectbox(key="reason_line").set_value(first).run()
    at.selectbox(key="reason_code").set_value("theft_loss")
    at.text_input(key="reason_note").input("shelf empty, bin label torn")
    button(at, "Save").click().run()
    assert_no_exception(at)
    at.selectbox(key="reason_line").set_value(second).run()
    assert at.text_input(key="reason_note").value == ""      # the field follows the line
    at.selectbox(key="reason_code").set_value("unrecorded_return")
    button(at, "Save").click().run()
    assert_no_exception(at)
    report = stk.variance_report(db, number)
    notes = dict(zip(report["sku"] + "@" + report["location"], report["note"]))
    noted = [k for k, v in notes.items() if v == "shelf empty, bin label torn"]
    assert len(noted) == 1, notes
    # going back to the first line shows its own saved note
    at.selectbox(key="reason_line").set_value(first).run()
    assert at.text_input(key="reason_note").value == "shelf empty, bin label torn"


def test_variance_page_shows_the_new_state_right_after_reviewed(app_db):
    db = app_db
    number, _truth = prepare_counted(db, {("OF-100", "AX-01"): Decimal(-2)})
    stk.set_reason(db, actor="supervisor", stocktake=number, sku="OF-100", location="AX-01",
                   reason="theft_loss", note="")
    stk.submit(db, actor="supervisor", stocktake=number)
    at = app_for(db, "finance", page=VARIANCE_PAGE).run()
    assert any("submitted" in c.value for c in at.caption)
    button(at, "Reviewed: send to the general manager").click().run()
    assert_no_exception(at)
    # same interaction: the status line and the buttons already show "reviewed"
    assert any("reviewed by finance" in c.value for c in at.caption), [c.value for c in at.caption]
    assert not [b for b in at.button if b.label == "Reviewed: send to the general manager"]
    assert any(s.value for s in at.success)


def test_missing_reason_counter_follows_the_save(app_db):
    db = app_db
    prepare_counted(db, {("OF-100", "AX-01"): Decimal(-2), ("BT-400", "AX-02"): Decimal(1)})
    at = app_for(db, "supervisor", page=VARIANCE_PAGE).run()
    assert any("2 variance line(s) have no reason" in w.value for w in at.warning)
    at.selectbox(key="reason_code").set_value("theft_loss")
    button(at, "Save").click().run()
    assert any("1 variance line(s) have no reason" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_spot_check_counters_follow_the_save(app_db):
    """Finance saves a spot count: "sample done" and coverage show it in the same run."""
    db = app_db
    number = stk.open_stocktake(db, actor="supervisor", period="2026-03", zones=[ZONE])
    truth = {k: v for k, v in balances(db).items() if k[1] in ("AX-01", "AX-02")}
    count_zone(db, number, ZONE, truth, actor="keeper")
    line = stk.spot_check_sample(db, number).from_sheet[0]
    at = app_for(db, "finance", page=STOCKTAKE_PAGE).run()
    done_label = "Sample lines counted"
    before = {m.label: m.value for m in at.metric}
    at.text_input(key="spot_location").input(line["location"])
    at.text_input(key="spot_sku").input(line["sku"])
    at.text_input(key="spot_qty").input(str(truth[(line["sku"], line["location"])]))
    button(at, "Save count").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    after = {m.label: m.value for m in at.metric}
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed, (before, after)          # counters redrawn with the new count
    assert any("Count saved" in s.value for s in at.success)


def test_the_second_counter_sees_the_lines_to_recount_blind(app_db):
    """After a zone recount is ordered, the count screen lists where to recount and what,
    in the user's language, with no book or first-count quantity; a recounted line
    drops off the list."""
    db = app_db
    number = stk.open_stocktake(db, actor="supervisor", period="2026-03", zones=[ZONE])
    truth = {k: v for k, v in balances(db).items() if k[1] in ("AX-01", "AX-02")}
    count_zone(db, number, ZONE, truth, actor="keeper")
    stk.order_recount(db, actor="supervisor", stocktake=number, zone=ZONE)
    waiting = [e for e in stk.count_entries(db, number, ZONE, "recount") if e["needs_recount"]]
    assert len(waiting) > 1
    first = waiting[0]
    stk.record_counts(db, actor="supervisor", stocktake=number, round="recount", counts=[
        {"sku": first["sku"], "location": first["location"], "qty": "1"}])
    at = app_for(db, "supervisor", lang="zh", page=STOCKTAKE_PAGE)
    at.session_state["count_round"] = "recount"     # the second counter's round, chosen
    at.run()
    assert_no_exception(at)
    title = "尚待复盘的行（不显示账面数和初盘数）"
    assert title in [h.value for h in at.subheader]
    frame = next(f.value for f in at.dataframe if list(f.value.columns) == [
        "库位", "配件编码", "名称", "单位"])
    listed = set(zip(frame["配件编码"], frame["库位"]))
    assert listed == {(e["sku"], e["location"]) for e in waiting[1:]}
    assert set(frame["名称"]) <= {e["name_zh"] for e in waiting}       # Chinese names
    assert "Brake pad set" not in set(frame["名称"]) and not {"pcs", "set"} & set(frame["单位"])


def test_a_stocktake_of_one_warehouse(app_db):
    """With two warehouses the supervisor picks one: its zones only are offered,
    counted and frozen; the other warehouse keeps working."""
    from services import catalog

    db = app_db
    catalog.create_warehouse(db, actor="admin", code="EAST", name="East depot", name_zh="东仓")
    catalog.create_location(db, actor="admin", code="E-01-01", zone="EAST Racks",
                            warehouse="EAST")
    at = app_for(db, "supervisor", page=STOCKTAKE_PAGE).run()
    assert_no_exception(at)
    picker = at.selectbox(key="stocktake_warehouse")
    assert picker.value == ""                       # every zone until one is picked
    assert "EAST Racks" in at.multiselect(key="stocktake_zones_").value
    picker.set_value("EAST").run()
    assert at.multiselect(key="stocktake_zones_EAST").value == ["EAST Racks"]
    button(at, "Open and freeze").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    (opened,) = stk.list_stocktakes(db)
    assert stk.get_stocktake(db, opened["number"]).zones == ["EAST Racks"]
    frozen = {loc["code"] for loc in catalog.list_locations(db) if loc["frozen"]}
    assert frozen == {"E-01-01"}
    assert opened["warehouse"] == "EAST"
    # MAIN counts its own month beside it
    at = app_for(db, "supervisor", page=STOCKTAKE_PAGE).run()
    at.selectbox(key="stocktake_warehouse").set_value("MAIN").run()
    button(at, "Open and freeze").click().run()
    assert not at.error, [e.value for e in at.error]
    assert {r["warehouse"] for r in stk.list_stocktakes(db)} == {"EAST", "MAIN"}
    zh = app_for(db, "supervisor", lang="zh", page=STOCKTAKE_PAGE).run()
    assert_no_exception(zh)
