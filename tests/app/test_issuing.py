"""AppTest: a keeper issues a requisition on the tablet and sees the lots consumed."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services import clock, issuing, reports
from tests.app.helpers import app_for, assert_no_exception
from tests.factories import PASSWORD, build_world, stock_lot, utc

MY_PAGES = ["pages/issuing.py", "pages/issues_list.py", "pages/returns.py",
            "pages/transfers.py", "pages/tool_loans.py"]


@pytest.fixture
def app_db(sqlite_db):
    build_world(sqlite_db)
    stock_lot(sqlite_db, "OF-100", "A-01-02", 5, "12", lot_no="L3", received_at=utc(2026, 3, 3))
    stock_lot(sqlite_db, "OF-100", "A-01-01", 4, "10", lot_no="L1", received_at=utc(2026, 3, 1))
    stock_lot(sqlite_db, "OF-100", "A-01-01", 3, "11.5", lot_no="L2", received_at=utc(2026, 3, 2))
    stock_lot(sqlite_db, "BP-200", "A-01-02", 6, "30", lot_no="BP1", received_at=utc(2026, 2, 1))
    stock_lot(sqlite_db, "EN-500", "A-01-02", 1, "8000", lot_no="EN1", received_at=utc(2026, 2, 1))
    return sqlite_db


def add_line(at, sku, qty):
    at.text_input(key="iss_scan").input(sku).run()
    assert_no_exception(at)
    at.text_input(key="iss_qty").input(str(qty))
    at.button(key="iss_add").click().run()
    assert_no_exception(at)


def all_frames(at):
    return [df.value for df in at.dataframe]


def test_keeper_issues_multi_line_requisition_and_sees_lots(app_db):
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    assert_no_exception(at)
    at.text_input(key="iss_requested_by").input("Mechanic Li")
    at.text_input(key="iss_reference").input("JC-1001")
    add_line(at, "OF-100", 9)
    add_line(at, "BP-200", 2)
    # the preview lists the lots FIFO will take, oldest first, before confirming
    frames = all_frames(at)
    assert frames[0]["Lot no."].tolist() == ["L1", "L2", "L3"]
    assert frames[0]["Qty"].tolist() == ["4", "3", "2"]
    assert frames[1]["Lot no."].tolist() == ["BP1"]
    assert not at.button(key="iss_confirm").disabled
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert "ISS-" in at.success[0].value
    frames = all_frames(at)
    assert frames[0][["Location", "Lot no.", "Qty", "Unit cost"]].values.tolist() == [
        ["A-01-01", "L1", "4", "10.0000"], ["A-01-01", "L2", "3", "11.5000"],
        ["A-01-02", "L3", "2", "12.0000"]]
    assert any("158.50" in m.value for m in at.markdown)          # 98.50 + 60.00
    # the service agrees, and the books too
    frame, total = issuing.list_issues(app_db)
    assert total == 1 and frame["reference"].tolist() == ["JC-1001"]
    view = issuing.get_issue(app_db, frame["number"][0])
    assert view.total_cost == Decimal("158.5") and view.requested_by == "Mechanic Li"
    assert reports.check_consistency(app_db) == []
    # a low-stock warning appears right after: OF-100 now 3, below its reorder level 5
    assert any("OF-100" in w.value for w in at.warning)
    # the next requisition starts empty
    at.button(key="iss_new").click().run()
    assert_no_exception(at)
    assert at.session_state["iss_lines"] == []


def test_short_stock_blocks_confirm_and_names_the_sku(app_db):
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_requested_by").input("Li")
    add_line(at, "BP-200", 7)
    assert any("6" in w.value and "7" in w.value for w in at.warning)
    assert at.button(key="iss_confirm").disabled
    at.checkbox(key="iss_partial").check().run()
    assert not at.button(key="iss_confirm").disabled


def test_assembly_needs_approver_password_on_the_tablet(app_db):
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_requested_by").input("Li")
    add_line(at, "EN-500", 1)
    at.button(key="iss_confirm").click().run()
    assert "supervisor or manager" in at.error[0].value
    at.text_input(key="iss_approver").input("supervisor")
    at.text_input(key="iss_approver_pw").input("not-the-password")
    at.button(key="iss_confirm").click().run()
    assert "password" in at.error[0].value
    at.text_input(key="iss_approver_pw").input(PASSWORD)
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    assert not at.error
    view = issuing.get_issue(app_db, issuing.list_issues(app_db)[0]["number"][0])
    assert view.approved_by == "supervisor"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("username", ["keeper", "supervisor"])
def test_issuing_pages_open_with_data(app_db, username, lang):
    view = issuing.issue_stock(app_db, actor="supervisor", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 2}])
    stock_lot(app_db, "BT-400", "A-01-01", 2, "400")
    issuing.issue_stock(app_db, actor="keeper", requested_by="Li",
                        lines=[{"sku": "BT-400", "qty": 1}], old_part_tags={"BT-400": "OLD-1"})
    issuing.return_to_stock(app_db, actor="keeper", issue_number=view.number, sku="OF-100",
                            qty=1)
    issuing.transfer(app_db, actor="keeper", sku="BP-200", qty=1, from_location="A-01-02",
                     to_location="A-01-01")
    issuing.create_tool(app_db, actor="supervisor", code="TW-1", name="Torque wrench")
    issuing.lend_tool(app_db, actor="keeper", tool="TW-1", borrower="Li",
                      due_date=clock.today() + timedelta(days=1))
    for path in MY_PAGES:
        at = app_for(app_db, username, lang=lang, page=path).run()
        assert_no_exception(at)
        assert not at.error, (path, [e.value for e in at.error])
    at = app_for(app_db, username, lang=lang, page="pages/issues_list.py").run()
    assert view.number in at.dataframe[0].value.iloc[:, 0].tolist()


def test_return_and_old_part_hand_back_on_the_returns_page(app_db):
    view = issuing.issue_stock(app_db, actor="keeper", requested_by="Li",
                               lines=[{"sku": "OF-100", "qty": 5}])
    stock_lot(app_db, "BT-400", "A-01-01", 2, "400")
    issuing.issue_stock(app_db, actor="keeper", requested_by="Li",
                        lines=[{"sku": "BT-400", "qty": 1}], old_part_tags={"BT-400": "OLD-7"})
    at = app_for(app_db, "keeper", page="pages/returns.py").run()
    at.text_input(key="ret_issue").input(view.number).run()
    assert_no_exception(at)
    at.text_input[1].input("2")      # qty inside the return form
    at.button[0].click().run()       # the form's submit
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert issuing.returnable(app_db, view.number)[0]["returned"] == 2
    assert "RET-" in at.success[0].value
    # old parts tab: hand back OLD-7
    at.button[-1].click().run()
    assert_no_exception(at)
    assert issuing.list_old_parts(app_db).empty
    assert reports.check_consistency(app_db) == []


def test_typing_an_ean_at_issuing_finds_the_item(app_db):
    from services import catalog

    catalog.add_code(app_db, actor="supervisor", sku="BP-200", code="6901234567892",
                     kind="ean13")
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_requested_by").input("Mechanic Li")
    at.text_input(key="iss_scan").input("6901234567892").run()
    assert at.selectbox(key="iss_pick").value == "BP-200"
    assert any("Item BP-200" in c.value for c in at.caption)
    add_line(at, "6901234567892", 2)
    assert all_frames(at)[0]["Lot no."].tolist() == ["BP1"]
    at.button(key="iss_confirm").click().run()
    assert_no_exception(at)
    assert "ISS-" in at.success[0].value
    assert reports.stock_on_hand(app_db, sku="BP-200")["qty_on_hand"].sum() == Decimal(4)


def test_a_code_matching_nothing_says_so_and_offers_the_name_search(app_db):
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_scan").input("0000000000000").run()
    assert_no_exception(at)
    assert "matches no item" in at.warning[0].value
    assert [s for s in at.selectbox if s.key == "iss_pick"] == []
    at.text_input(key="iss_scan").input("filter").run()     # a name: the search is offered
    assert "matches no item" in at.info[0].value
    assert at.selectbox(key="iss_pick").options == ["OF-100 · Oil filter"]


def test_a_lot_label_at_issuing_picks_its_item_and_a_bin_label_is_refused(app_db):
    from domain.codes import lot_label_payload
    from db.models import Lot
    from sqlalchemy import select

    with app_db.read() as session:
        lot_id = session.scalar(select(Lot.id).where(Lot.lot_no == "BP1"))
    at = app_for(app_db, "keeper", page="pages/issuing.py").run()
    at.text_input(key="iss_scan").input(lot_label_payload(lot_id)).run()
    assert at.selectbox(key="iss_pick").value == "BP-200"
    at.text_input(key="iss_scan").input("A-01-02").run()
    assert "bin label" in at.warning[0].value


def test_transfer_by_scanning_a_lot_label_proposes_its_bin(app_db):
    from sqlalchemy import select

    from db.models import Lot
    from domain.codes import lot_label_payload

    with app_db.read() as session:
        lot_id = session.scalar(select(Lot.id).where(Lot.lot_no == "L3"))    # OF-100 in A-01-02
    at = app_for(app_db, "keeper", page="pages/transfers.py").run()
    at.text_input(key="trf_scan").input(lot_label_payload(lot_id)).run()
    assert_no_exception(at)
    assert at.selectbox(key="trf_pick").value == "OF-100"
    source, target = at.selectbox[1], at.selectbox[2]
    assert source.value == "A-01-02"
    target.select("B-01-01")
    at.text_input[1].input("2")
    at.button[0].click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    moved = reports.stock_on_hand(app_db, sku="OF-100", location="B-01-01")
    assert moved["qty_on_hand"].sum() == Decimal(2) and list(moved["lot_no"]) == ["L3"]
    assert reports.check_consistency(app_db) == []
