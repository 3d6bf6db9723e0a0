"""The audit trail and the immutability of posted documents, on SQLite and PostgreSQL.

Every write leaves an audit event naming who, when and what. Posted documents are
never edited or deleted through any service: the attempts raise InvalidState (or
are the documented no-op returning the same document) and change nothing;
corrections are new documents (returns, stocktake gains/losses)."""
from __future__ import annotations

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from services import catalog, clock, issuing, purchasing, receiving, reports, users
from services import stocktake as st
from services.errors import InvalidState, ServiceError
from tests.factories import (
    build_world,
    count_receipt,
    every_row,
    open_receipt,
    stock_lot,
    stocktake_to_approval,
    utc,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = utc(2026, 11, 10, 2)


@pytest.fixture
def w(db):
    clock.set_now(NOW)
    build_world(db)
    yield db
    clock.set_now(None)


def events(db) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_every_write_leaves_who_when_what(w):
    db = w
    expected: list[tuple[str, str, str]] = []     # (actor, action, entity key)
    step = [0]

    def did(actor, action, key, call):
        step[0] += 1
        clock.set_now(NOW + timedelta(minutes=step[0]))
        result = call()
        expected.append((actor, action, str(key if not callable(key) else key(result)),
                         NOW + timedelta(minutes=step[0])))
        return result

    did("admin", "user.create", "newbie", lambda: users.create_user(
        db, actor="admin", username="newbie", password="long-password-1", roles=["keeper"]))
    did("admin", "user.update", "newbie", lambda: users.update_user(
        db, actor="admin", username="newbie", display_name="New Keeper"))
    did("supervisor", "item.create", "WB-600", lambda: catalog.create_item(
        db, actor="supervisor", sku="WB-600", name="Wiper blade"))
    did("supervisor", "item.update", "WB-600", lambda: catalog.update_item(
        db, actor="supervisor", sku="WB-600", name="Wiper blade 600"))
    did("admin", "supplier.create", "SUP3", lambda: catalog.create_supplier(
        db, actor="admin", code="SUP3", name="Third"))
    did("admin", "location.create", "C-01-01", lambda: catalog.create_location(
        db, actor="admin", code="C-01-01", zone="C Parts"))
    po = did("purchasing", "po.create", lambda number: number,
             lambda: purchasing.create_purchase_order(
                 db, actor="purchasing", supplier="SUP1",
                 lines=[{"sku": "OF-100", "qty": 10, "unit_price": "2.5"},
                        {"sku": "EN-500", "qty": 2, "unit_price": "900"}]))
    did("manager", "po.approve", po, lambda: purchasing.approve_purchase_order(
        db, actor="manager", number=po))
    grn = did("receiver", "receipt.start", lambda number: number,
              lambda: receiving.start_receipt(
                  db, actor="receiver", po_number=po, delivery_note_no="DN-AUD",
                  lines=[{"sku": "OF-100", "qty": 10, "unit_price": "2.6"},
                         {"sku": "EN-500", "qty": 2}]))
    did("receiver", "receipt.count", grn, lambda: receiving.record_counts(
        db, actor="receiver", receipt=grn, counts=[
            {"line_no": 1, "counted_qty": 10, "damaged_qty": 1, "location": "A-01-01"},
            {"line_no": 2, "counted_qty": 2, "lot_no": "E1", "certificate": "C1",
             "location": "A-01-02"}]))
    did("purchasing", "receipt.approve", grn, lambda: receiving.approve_line(
        db, actor="purchasing", receipt=grn, line_no=1, flag="PRICE_MISMATCH"))
    view = did("receiver", "receipt.post", grn, lambda: receiving.post_receipt(
        db, actor="receiver", receipt=grn, checked_by="keeper"))
    did("qc", "receipt.qc_release", grn, lambda: receiving.qc_release(
        db, actor="qc", receipt=grn, line_no=2, passed_qty=2, failed_qty=0))
    did("keeper", "supplier_return.confirm", view.return_number,
        lambda: receiving.confirm_supplier_return(db, actor="keeper", number=view.return_number))
    issue = did("keeper", "issue.post", lambda v: v.number, lambda: issuing.issue_stock(
        db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}], requested_by="Bay 1"))
    did("keeper", "issue.return", lambda v: v.number, lambda: issuing.return_to_stock(
        db, actor="keeper", issue_number=issue.number, sku="OF-100", qty=1))
    did("supervisor", "transfer.post", lambda v: v.number, lambda: issuing.transfer(
        db, actor="supervisor", sku="OF-100", qty=2, from_location="A-01-01",
        to_location="A-01-02"))
    did("admin", "tool.create", "T-1", lambda: issuing.create_tool(
        db, actor="admin", code="T-1", name="Jack"))
    loan = did("keeper", "tool.lend", lambda n: n, lambda: issuing.lend_tool(
        db, actor="keeper", tool="T-1", borrower="Bay 2", due_date=clock.today()))
    did("keeper", "tool.return", loan, lambda: issuing.return_tool(db, actor="keeper", loan=loan))
    number = did("supervisor", "stocktake.open", lambda n: n, lambda: st.open_stocktake(
        db, actor="supervisor", period="2026-11", zones=["A Parts"]))
    did("keeper", "stocktake.count.initial", number, lambda: st.record_counts(
        db, actor="keeper", stocktake=number, round="initial", counts=[
            {"sku": "OF-100", "location": "A-01-01", "qty": 2},
            {"sku": "OF-100", "location": "A-01-02", "qty": 2},
            {"sku": "EN-500", "location": "A-01-02", "qty": 2}]))
    did("finance", "stocktake.count.spot", number, lambda: st.record_counts(
        db, actor="finance", stocktake=number, round="spot", counts=[
            {"sku": "OF-100", "location": "A-01-01", "qty": 2},
            {"sku": "OF-100", "location": "A-01-02", "qty": 2},
            {"sku": "EN-500", "location": "A-01-02", "qty": 2}]))
    did("supervisor", "stocktake.reason", number, lambda: st.set_reason(
        db, actor="supervisor", stocktake=number, sku="OF-100", location="A-01-01",
        reason="theft_loss"))
    did("supervisor", "stocktake.submit", number, lambda: st.submit(
        db, actor="supervisor", stocktake=number))
    did("finance2", "stocktake.review", number, lambda: st.review(
        db, actor="finance2", stocktake=number))
    did("manager", "stocktake.approve", number, lambda: st.approve(
        db, actor="manager", stocktake=number))
    did("finance", "stocktake.post", number, lambda: st.post(
        db, actor="finance", stocktake=number))
    did("finance", "period.close", "2026-10", lambda: reports.close_month(
        db, actor="finance", period="2026-10"))

    trail = {(e.actor, e.action, e.entity_key): e for e in events(db)}
    for actor, action, key, at in expected:
        event = trail.get((actor, action, key))
        assert event is not None, f"no audit event {action} by {actor} on {key}"
        assert event.at == at, (action, event.at, at)
    # What: documents carry their figures.
    post = trail[("receiver", "receipt.post", grn)]
    assert post.details["checked_by"] == "keeper"
    assert Decimal(post.details["accepted"]) == 11 and Decimal(post.details["rejected"]) == 1
    issued = trail[("keeper", "issue.post", issue.number)]
    assert [(line["sku"], Decimal(line["qty"])) for line in issued.details["lines"]] == \
        [("OF-100", 4)]
    # The trail is readable (and filterable) by finance and admin.
    frame = reports.audit_trail(db, actor="admin", action="receipt.post")
    assert list(frame["entity_key"]) == [grn]
    assert reports.check_consistency(db) == []


def _refused_without_change(db, attempts):
    """Each attempt raises InvalidState (or a documented no-op) and changes nothing."""
    before = every_row(db)
    for name, call in attempts:
        try:
            call()
        except InvalidState:
            pass
        except ServiceError as exc:     # pragma: no cover - a failure message
            pytest.fail(f"{name}: expected InvalidState, got {exc!r}")
        else:
            if not name.startswith("noop:"):
                pytest.fail(f"{name}: a posted document was changed")
        assert every_row(db) == before, f"{name} changed the database"


def test_posted_receipt_cannot_be_changed(w):
    db = w
    grn = open_receipt(db, [("OF-100", 5, "2.5"), ("BP-200", 5, "40")], note_prices=False)
    count_receipt(db, grn, damaged={2: 1})
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper")
    assert view.status == "posted"
    po = view.po_number
    _refused_without_change(db, [
        ("record_count", lambda: receiving.record_count(
            db, actor="receiver", receipt=grn, line_no=1, counted_qty=50)),
        ("record_counts", lambda: receiving.record_counts(
            db, actor="keeper", receipt=grn, counts=[{"line_no": 2, "counted_qty": 1}])),
        ("approve_line", lambda: receiving.approve_line(
            db, actor="purchasing", receipt=grn, line_no=1, flag="OVER_PO")),
        ("cancel_receipt", lambda: receiving.cancel_receipt(db, actor="supervisor", receipt=grn)),
        ("noop:post again", lambda: receiving.post_receipt(
            db, actor="keeper", receipt=grn, checked_by="supervisor")),
        ("approve PO again", lambda: purchasing.approve_purchase_order(
            db, actor="manager", number=po)),
        ("cancel received PO", lambda: purchasing.cancel_purchase_order(
            db, actor="manager", number=po)),
    ])
    again = receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by="supervisor")
    assert (again.received_by, again.checked_by, again.posted_at) == \
        (view.received_by, view.checked_by, view.posted_at)
    # The return to supplier, once confirmed, stays confirmed (confirming again is a no-op).
    receiving.confirm_supplier_return(db, actor="keeper", number=view.return_number)
    _refused_without_change(db, [("noop:confirm again", lambda:
                                  receiving.confirm_supplier_return(
                                      db, actor="supervisor", number=view.return_number))])


def test_posted_stocktake_cannot_be_changed(w):
    db = w
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    number = stocktake_to_approval(db, ["A Parts"], period="2026-11",
                                   counts={("OF-100", "A-01-01"): 9})
    st.post(db, actor="finance", stocktake=number)
    row = {"sku": "OF-100", "location": "A-01-01", "qty": 10}
    _refused_without_change(db, [
        ("count initial", lambda: st.record_counts(
            db, actor="keeper", stocktake=number, round="initial", counts=[row])),
        ("count recount", lambda: st.record_counts(
            db, actor="supervisor", stocktake=number, round="recount", counts=[row])),
        ("count spot", lambda: st.record_counts(
            db, actor="finance", stocktake=number, round="spot", counts=[row])),
        ("set_reason", lambda: st.set_reason(
            db, actor="supervisor", stocktake=number, sku="OF-100", location="A-01-01",
            reason="damage")),
        ("order_recount", lambda: st.order_recount(
            db, actor="supervisor", stocktake=number, zone="A Parts")),
        ("submit", lambda: st.submit(db, actor="supervisor", stocktake=number)),
        ("review", lambda: st.review(db, actor="finance", stocktake=number)),
        ("approve", lambda: st.approve(db, actor="manager", stocktake=number)),
        ("send_back", lambda: st.send_back(db, actor="manager", stocktake=number,
                                           comment="again")),
        ("cancel", lambda: st.cancel(db, actor="manager", stocktake=number)),
        ("post again", lambda: st.post(db, actor="finance", stocktake=number)),
    ])
    # A new month's stocktake is how a correction is made.
    stocktake_to_approval(db, ["A Parts"], period="2026-12", counts={("OF-100", "A-01-01"): 10})


def test_issues_are_corrected_by_new_documents_only(w):
    db = w
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    issue = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}],
                                requested_by="Bay", request_id="REQ-IMM-1")
    ret = issuing.return_to_stock(db, actor="keeper", issue_number=issue.number, sku="OF-100",
                                  qty=4)
    assert ret.number != issue.number and issuing.get_issue(db, issue.number) == issue
    before = every_row(db)
    again = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 4}],
                                requested_by="Bay", request_id="REQ-IMM-1")
    assert again.replayed and again.number == issue.number
    with pytest.raises(ServiceError):
        issuing.return_to_stock(db, actor="keeper", issue_number=issue.number, sku="OF-100",
                                qty=1)
    assert every_row(db) == before


def test_closed_month_takes_no_backdated_movement(w):
    db = w
    clock.set_now(utc(2026, 10, 5, 2))
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5")
    clock.set_now(NOW)
    reports.close_month(db, actor="finance", period="2026-10")
    clock.set_now(utc(2026, 10, 20, 2))          # a clock set back into the closed month
    before = every_row(db)
    with pytest.raises(InvalidState) as err:
        issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 1}],
                            requested_by="Bay")
    assert err.value.code == "period_closed"
    assert every_row(db) == before
    clock.set_now(NOW)
    with pytest.raises(InvalidState):
        reports.close_month(db, actor="finance", period="2026-10")


def test_no_service_updates_or_deletes_the_ledger_or_the_trail():
    """Static: the movement ledger and the audit trail are insert-only in services."""
    offenders = []
    for path in sorted((ROOT / "services").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("update", "delete") and node.args:
                target = ast.unparse(node.args[0])
                if target in ("Movement", "AuditEvent", "IssueAllocation", "StocktakeCount"):
                    offenders.append(f"{path.name}:{node.lineno} {node.func.id}({target})")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "delete" and node.args:
                target = ast.unparse(node.args[0]).lower()
                if any(word in target for word in ("movement", "audit", "lot", "issue")):
                    offenders.append(f"{path.name}:{node.lineno} session.delete({target})")
    assert offenders == []
