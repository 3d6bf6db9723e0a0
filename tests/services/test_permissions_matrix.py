"""Every write service called as every role, on SQLite and PostgreSQL: the roles of
DESIGN.md's "Who may do what" get past the permission check, every other role gets
PermissionDenied and nothing is written. ``admin`` manages users and master data but
is not a shortcut through the other rows. Then segregation of duties, password
storage, login throttling and the static UI safety settings."""
from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Base, User
from services import attachments, calendar, catalog, claims, clock, issuing, purchasing
from services import receiving, reports, users
from services import stocktake as st
from services.errors import PermissionDenied, ServiceError, ValidationError
from tests.factories import (
    PASSWORD,
    add_users,
    build_world,
    count_receipt,
    every_row,
    make_approved_po,
    open_receipt,
    receive_goods,
    stocktake_to_approval,
    stock_lot,
    unique,
    utc,
)
from tests.photos import png_bytes

ROOT = Path(__file__).resolve().parents[2]
NOW = utc(2026, 11, 10, 2)
ROLES = ("receiver", "keeper", "qc", "supervisor", "purchasing", "finance", "manager", "admin")
EVERYONE = frozenset(ROLES)


@pytest.fixture
def pinned(db):
    """The database with the clock pinned (after the db fixture has reset it)."""
    clock.set_now(NOW)
    yield db
    clock.set_now(None)


@pytest.fixture
def world(pinned):
    return build_world(pinned)


# --- set-ups: each returns what the call needs; called once per caller ----------------
def _nothing(db):
    return {}


def _po_draft(db):
    # Created by purchasing2 so that purchasing (and the manager) may approve it.
    return {"po": purchasing.create_purchase_order(
        db, actor="purchasing2", supplier="SUP1",
        lines=[{"sku": "OF-100", "qty": 5, "unit_price": "2.5"}])}


def _po_approved(db):
    return {"po": make_approved_po(db, created_by="purchasing2")}


def _receipt_open(db):
    return {"grn": open_receipt(db, [("OF-100", 4, "2.5")])}


def _receipt_counted(db):
    grn = open_receipt(db, [("OF-100", 4, "2.5")])
    count_receipt(db, grn)
    return {"grn": grn}


def _receipt_price_mismatch(db):
    po = make_approved_po(db, [("OF-100", 4, "2.5")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po,
                                  delivery_note_no=unique("DN-"),
                                  lines=[{"sku": "OF-100", "qty": 4, "unit_price": "3.5"}])
    return {"grn": grn}


def _receipt_near_expiry(db):
    po = make_approved_po(db, [("CL-300", 4, "9")])
    grn = receiving.start_receipt(
        db, actor="receiver", po_number=po, delivery_note_no=unique("DN-"),
        lines=[{"sku": "CL-300", "qty": 4, "lot_no": "L1",
                "expiry_date": clock.today() + timedelta(days=30)}])
    return {"grn": grn}


def _receipt_over_po(db):
    po = make_approved_po(db, [("OF-100", 4, "2.5")])
    grn = receiving.start_receipt(db, actor="receiver", po_number=po,
                                  delivery_note_no=unique("DN-"),
                                  lines=[{"sku": "OF-100", "qty": 6}])
    return {"grn": grn}


def _quarantined(db):
    return {"grn": receive_goods(db, [("EN-500", 2, "900")])}


def _supplier_return(db):
    grn = receive_goods(db, [("OF-100", 5, "2.5")], damaged={1: 1})
    return {"rts": receiving.get_receipt(db, grn).return_number}


def _claim(status: str = "open"):
    """A claim (from a refused delivery) moved on to ``status``."""
    def setup(db):
        po = make_approved_po(db, created_by="purchasing2")
        receiving.refuse_delivery(db, actor="receiver", po_number=po,
                                  delivery_note_no=unique("DN-"), reason="crushed")
        number = claims.list_claims(db).iloc[0]["number"]
        if status == "credited":
            claims.update_claim(db, actor="purchasing2", number=number, status="credited",
                                credit_amount="1")
        return {"claim": number, "po": po}
    return setup


def _stock(db):
    stock_lot(db, "OF-100", "A-01-01", 20, "2.5", lot_no=unique("L"))
    return {}


def _issued(db):
    _stock(db)
    view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": "OF-100", "qty": 3}],
                               requested_by="Bay 1")
    return {"issue": view.number}


def _old_part(db):
    stock_lot(db, "BT-400", "A-01-01", 3, "80", lot_no=unique("L"))
    tag = unique("OLD-")
    issuing.issue_stock(db, actor="keeper", lines=[{"sku": "BT-400", "qty": 1}],
                        requested_by="Bay 2", old_part_tags={"BT-400": tag})
    return {"tag": tag}


def _tool(db):
    code = unique("TOOL-")
    issuing.create_tool(db, actor="supervisor", code=code, name="Torque wrench")
    return {"tool": code}


def _tool_lent(db):
    ctx = _tool(db)
    ctx["loan"] = issuing.lend_tool(db, actor="keeper", tool=ctx["tool"], borrower="Bay 3",
                                    due_date=clock.today() + timedelta(days=3))
    return ctx


_PERIODS = iter(f"{year}-{month:02d}" for year in range(2030, 2100) for month in range(1, 13))


def _zone(db):
    """A zone of its own (one bin holding OF-100) so stocktakes never overlap."""
    zone = unique("Z")
    code = f"{zone}-01"
    catalog.create_location(db, actor="admin", code=code, zone=zone)
    stock_lot(db, "OF-100", code, 10, "2.5", lot_no=unique("L"))
    return zone, code


def _stocktake(until: str, *, variance: bool = True):
    def setup(db):
        zone, code = _zone(db)
        counts = {("OF-100", code): 8} if variance else {}
        number = stocktake_to_approval(db, [zone], period=next(_PERIODS), counts=counts,
                                       until=until)
        return {"st": number, "zone": zone, "code": code}
    return setup


def _stocktake_zone(db):
    zone, code = _zone(db)
    return {"zone": zone, "code": code, "period": next(_PERIODS)}


def _stocktake_counted_no_reason(db):
    zone, code = _zone(db)
    number = stocktake_to_approval(db, [zone], period=next(_PERIODS), until="open")
    st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                     counts=[{"sku": "OF-100", "location": code, "qty": 9}])
    return {"st": number, "zone": zone, "code": code}


def _xlsx_items(db):
    from openpyxl import Workbook
    import io

    wb = Workbook()
    wb.active.append(["sku", "name"])
    wb.active.append([unique("IMP-"), "Imported part"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return {"data": buffer.getvalue()}


def _csv_po(db):
    return {"data": "supplier,sku,qty,unit_price\nSUP1,OF-100,3,2.5\n".encode()}


# --- the matrix ----------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    allowed: frozenset
    call: Callable[[Any, str, dict], Any]
    setup: Callable[[Any], dict] = _nothing
    # The user acting for a role where the plain role user would break another rule
    # (e.g. the PO's creator may not approve it).
    users: tuple = ()


def roles(*names):
    return frozenset(names)


MASTER = roles("admin", "supervisor")
STOCK = roles("keeper", "supervisor")
RECEIVE = roles("receiver", "keeper")
CONTROL = roles("finance", "admin")

CASES = [
    # users (admin)
    Case("users.create_user", roles("admin"), lambda db, a, c: users.create_user(
        db, actor=a, username=unique("new"), password="long-password-1", roles=["keeper"])),
    Case("users.update_user", roles("admin"), lambda db, a, c: users.update_user(
        db, actor=a, username="keeper2", display_name="Keeper Two")),
    Case("users.deactivate_user", roles("admin"), lambda db, a, c: users.deactivate_user(
        db, actor=a, username="receiver2")),
    Case("users.list_users", roles("admin"), lambda db, a, c: users.list_users(db, actor=a)),
    # master data (admin, supervisor)
    Case("catalog.create_item", MASTER, lambda db, a, c: catalog.create_item(
        db, actor=a, sku=unique("NEW-"), name="New part")),
    Case("catalog.update_item", MASTER, lambda db, a, c: catalog.update_item(
        db, actor=a, sku="OF-100", name="Oil filter (new)")),
    Case("catalog.set_item_active", MASTER, lambda db, a, c: catalog.set_item_active(
        db, actor=a, sku="BP-200", active=True)),
    Case("catalog.deactivate_item", MASTER, lambda db, a, c: catalog.deactivate_item(
        db, actor=a, sku="BP-200")),
    Case("catalog.import_items", MASTER, lambda db, a, c: catalog.import_items(
        db, actor=a, rows=[{"sku": unique("IMP-"), "name": "Imported"}])),
    Case("catalog.import_items_file", MASTER, lambda db, a, c: catalog.import_items_file(
        db, actor=a, data=c["data"], filename="items.xlsx"), _xlsx_items),
    Case("catalog.create_supplier", MASTER, lambda db, a, c: catalog.create_supplier(
        db, actor=a, code=unique("S"), name="New supplier")),
    Case("catalog.update_supplier", MASTER, lambda db, a, c: catalog.update_supplier(
        db, actor=a, code="SUP2", contact="Mr Li")),
    Case("catalog.create_warehouse", MASTER, lambda db, a, c: catalog.create_warehouse(
        db, actor=a, code=unique("W"), name="Third warehouse")),
    Case("catalog.create_location", MASTER, lambda db, a, c: catalog.create_location(
        db, actor=a, code=unique("C-"), zone="C Parts")),
    Case("catalog.update_location", MASTER, lambda db, a, c: catalog.update_location(
        db, actor=a, code="A-01-02", zone="A Parts")),
    Case("issuing.create_tool", MASTER, lambda db, a, c: issuing.create_tool(
        db, actor=a, code=unique("T-"), name="Jack")),
    # purchasing
    Case("purchasing.create_purchase_order", roles("purchasing"),
         lambda db, a, c: purchasing.create_purchase_order(
             db, actor=a, supplier="SUP1", lines=[{"sku": "OF-100", "qty": 1, "unit_price": 2}])),
    Case("purchasing.import_purchase_orders", roles("purchasing"),
         lambda db, a, c: purchasing.import_purchase_orders(
             db, actor=a, data=c["data"], filename="po.csv"), _csv_po),
    Case("purchasing.approve_purchase_order", roles("purchasing", "manager"),
         lambda db, a, c: purchasing.approve_purchase_order(db, actor=a, number=c["po"]),
         _po_draft),
    Case("purchasing.cancel_purchase_order", roles("purchasing", "manager"),
         lambda db, a, c: purchasing.cancel_purchase_order(db, actor=a, number=c["po"]),
         _po_approved),
    Case("purchasing.close_purchase_order", roles("purchasing", "manager"),
         lambda db, a, c: purchasing.close_purchase_order(db, actor=a, number=c["po"]),
         _po_approved),
    # receiving
    Case("receiving.start_receipt", RECEIVE, lambda db, a, c: receiving.start_receipt(
        db, actor=a, po_number=c["po"], delivery_note_no=unique("DN-"),
        lines=[{"sku": "OF-100", "qty": 2}]), _po_approved),
    Case("receiving.record_count", RECEIVE, lambda db, a, c: receiving.record_count(
        db, actor=a, receipt=c["grn"], line_no=1, counted_qty=4, location="A-01-01"),
        _receipt_open),
    Case("receiving.record_counts", RECEIVE, lambda db, a, c: receiving.record_counts(
        db, actor=a, receipt=c["grn"], counts=[{"line_no": 1, "counted_qty": 4}]),
        _receipt_open),
    Case("receiving.approve_line PRICE_MISMATCH", roles("purchasing"),
         lambda db, a, c: receiving.approve_line(db, actor=a, receipt=c["grn"], line_no=1,
                                                 flag="PRICE_MISMATCH"),
         _receipt_price_mismatch),
    Case("receiving.approve_line OVER_PO", roles("purchasing"),
         lambda db, a, c: receiving.approve_line(db, actor=a, receipt=c["grn"], line_no=1,
                                                 flag="OVER_PO"),
         _receipt_over_po),
    Case("receiving.approve_line NEAR_EXPIRY", roles("purchasing", "supervisor"),
         lambda db, a, c: receiving.approve_line(db, actor=a, receipt=c["grn"], line_no=1,
                                                 flag="NEAR_EXPIRY"),
         _receipt_near_expiry),
    Case("receiving.cancel_receipt", roles("receiver", "keeper", "supervisor"),
         lambda db, a, c: receiving.cancel_receipt(db, actor=a, receipt=c["grn"]),
         _receipt_open),
    # The actor signs as receiver; the supervisor co-signs (a keeper or supervisor).
    Case("receiving.post_receipt", RECEIVE, lambda db, a, c: receiving.post_receipt(
        db, actor=a, receipt=c["grn"], checked_by="supervisor"), _receipt_counted),
    Case("receiving.qc_release", roles("qc"), lambda db, a, c: receiving.qc_release(
        db, actor=a, receipt=c["grn"], line_no=1, passed_qty=1, failed_qty=0,
        location="A-01-02"), _quarantined),
    Case("receiving.confirm_supplier_return", STOCK,
         lambda db, a, c: receiving.confirm_supplier_return(db, actor=a, number=c["rts"]),
         _supplier_return),
    # issuing
    Case("issuing.issue_stock", STOCK, lambda db, a, c: issuing.issue_stock(
        db, actor=a, lines=[{"sku": "OF-100", "qty": 2}], requested_by="Bay 1"), _stock),
    Case("issuing.return_to_stock", STOCK, lambda db, a, c: issuing.return_to_stock(
        db, actor=a, issue_number=c["issue"], sku="OF-100", qty=1), _issued),
    Case("issuing.transfer", STOCK, lambda db, a, c: issuing.transfer(
        db, actor=a, sku="OF-100", qty=2, from_location="A-01-01", to_location="A-01-02"),
        _stock),
    Case("issuing.hand_back_old_part", STOCK, lambda db, a, c: issuing.hand_back_old_part(
        db, actor=a, tag=c["tag"], handed_to="Owner"), _old_part),
    Case("issuing.lend_tool", STOCK, lambda db, a, c: issuing.lend_tool(
        db, actor=a, tool=c["tool"], borrower="Bay 3",
        due_date=clock.today() + timedelta(days=2)), _tool),
    Case("issuing.return_tool", STOCK, lambda db, a, c: issuing.return_tool(
        db, actor=a, loan=c["loan"]), _tool_lent),
    # stocktake
    Case("stocktake.open_stocktake", roles("supervisor"), lambda db, a, c: st.open_stocktake(
        db, actor=a, period=c["period"], zones=[c["zone"]]), _stocktake_zone),
    Case("stocktake.record_counts initial", STOCK, lambda db, a, c: st.record_counts(
        db, actor=a, stocktake=c["st"], round="initial",
        counts=[{"sku": "OF-100", "location": c["code"], "qty": 10}]), _stocktake("open")),
    Case("stocktake.record_counts recount", STOCK, lambda db, a, c: st.record_counts(
        db, actor=a, stocktake=c["st"], round="recount",
        counts=[{"sku": "OF-100", "location": c["code"], "qty": 8}]),
        _stocktake("counted"), users=(("keeper", "keeper2"),)),
    Case("stocktake.record_counts spot", roles("finance"), lambda db, a, c: st.record_counts(
        db, actor=a, stocktake=c["st"], round="spot",
        counts=[{"sku": "OF-100", "location": c["code"], "qty": 8}]), _stocktake("counted")),
    Case("stocktake.set_reason", roles("supervisor", "finance"), lambda db, a, c: st.set_reason(
        db, actor=a, stocktake=c["st"], sku="OF-100", location=c["code"], reason="damage"),
        _stocktake_counted_no_reason),
    Case("stocktake.set_reasons", roles("supervisor", "finance"),
         lambda db, a, c: st.set_reasons(db, actor=a, stocktake=c["st"], reasons=[
             {"sku": "OF-100", "location": c["code"], "reason": "counting_error"}]),
         _stocktake_counted_no_reason),
    Case("stocktake.order_recount", roles("supervisor", "finance"),
         lambda db, a, c: st.order_recount(db, actor=a, stocktake=c["st"], zone=c["zone"]),
         _stocktake("open")),
    Case("stocktake.submit", roles("supervisor"), lambda db, a, c: st.submit(
        db, actor=a, stocktake=c["st"]), _stocktake("counted")),
    Case("stocktake.review", roles("finance"), lambda db, a, c: st.review(
        db, actor=a, stocktake=c["st"]), _stocktake("submitted")),
    Case("stocktake.approve", roles("manager"), lambda db, a, c: st.approve(
        db, actor=a, stocktake=c["st"]), _stocktake("reviewed")),
    Case("stocktake.post", roles("finance"), lambda db, a, c: st.post(
        db, actor=a, stocktake=c["st"]), _stocktake("approved")),
    Case("stocktake.send_back submitted", roles("finance"), lambda db, a, c: st.send_back(
        db, actor=a, stocktake=c["st"], comment="check bin"), _stocktake("submitted")),
    Case("stocktake.send_back reviewed", roles("manager"), lambda db, a, c: st.send_back(
        db, actor=a, stocktake=c["st"], comment="check bin"), _stocktake("reviewed")),
    Case("stocktake.send_back approved", roles("finance", "manager"),
         lambda db, a, c: st.send_back(db, actor=a, stocktake=c["st"], comment="check bin"),
         _stocktake("approved")),
    Case("stocktake.cancel", roles("supervisor", "manager"), lambda db, a, c: st.cancel(
        db, actor=a, stocktake=c["st"]), _stocktake("open")),
    # month end, books check and audit trail
    Case("reports.close_month", roles("finance"), lambda db, a, c: reports.close_month(
        db, actor=a, period="2026-10")),
    Case("reports.consistency_report", CONTROL,
         lambda db, a, c: reports.consistency_report(db, actor=a)),
    Case("reports.audit_trail", CONTROL, lambda db, a, c: reports.audit_trail(db, actor=a)),
    Case("reports.audit_trail_count", CONTROL,
         lambda db, a, c: reports.audit_trail_count(db, actor=a)),
    Case("reports.audit_filters", CONTROL, lambda db, a, c: reports.audit_filters(db, actor=a)),
    # evidence and claims
    Case("receiving.refuse_delivery", roles("receiver", "keeper", "supervisor"),
         lambda db, a, c: receiving.refuse_delivery(
             db, actor=a, po_number=c["po"], delivery_note_no=unique("DN-"), reason="wet"),
         _po_approved),
    Case("attachments.add_photo", roles("receiver", "keeper", "supervisor", "qc"),
         lambda db, a, c: attachments.add_photo(
             db, actor=a, document=c["grn"], line_no=1, data=png_bytes(), filename="p.png"),
         _receipt_open),
    Case("claims.update_claim with_supplier", roles("purchasing"),
         lambda db, a, c: claims.update_claim(db, actor=a, number=c["claim"],
                                              status="with_supplier"), _claim()),
    Case("claims.update_claim credited", roles("purchasing"),
         lambda db, a, c: claims.update_claim(db, actor=a, number=c["claim"],
                                              status="credited", credit_amount="5"), _claim()),
    Case("claims.update_claim written_off", roles("purchasing", "supervisor"),
         lambda db, a, c: claims.update_claim(
             db, actor=a, number=c["claim"], status="written_off", note="gone",
             approved_by="manager", approver_password=PASSWORD), _claim()),
    Case("claims.update_claim closed", roles("purchasing", "manager"),
         lambda db, a, c: claims.update_claim(db, actor=a, number=c["claim"],
                                              status="closed"), _claim("credited")),
    Case("calendar.set_day", roles("admin"), lambda db, a, c: calendar.set_day(
        db, actor=a, day="2026-12-25", kind="holiday", name="Test")),
    # one's own settings: everyone
    Case("users.set_language", EVERYONE, lambda db, a, c: users.set_language(
        db, actor=a, language="zh")),
]


def _row_counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_role_matrix(pinned, case):
    db = pinned
    build_world(db)
    context = case.setup(db)
    before = every_row(db)
    for role in sorted(EVERYONE - case.allowed):
        with pytest.raises(PermissionDenied):
            case.call(db, role, context)
    assert every_row(db) == before, "a refused call wrote something"

    substitutes = dict(case.users)
    for role in sorted(case.allowed):
        context = case.setup(db)
        actor = substitutes.get(role, role)
        audit_before = _row_counts(db)["audit_event"]
        try:
            case.call(db, actor, context)
        except PermissionDenied as exc:                       # pragma: no cover - failure
            pytest.fail(f"{role} may {case.name} but was refused: {exc}")
        if case.name.startswith(("users.list", "reports.audit", "reports.consistency",
                                 "users.set_language")):
            continue
        with db.read() as session:
            last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert _row_counts(db)["audit_event"] > audit_before, f"{case.name} left no audit event"
        assert last.actor == actor
    assert reports.check_consistency(db) == []


def test_matrix_covers_every_write_service():
    """A new service taking an ``actor`` must be added to the matrix."""
    import importlib
    import inspect

    covered = {c.name.split(" ")[0] for c in CASES}
    # Own-account actions that check the password instead of a role.
    covered |= {"users.change_own_password"}
    missing = []
    for module in ("users", "catalog", "purchasing", "receiving", "issuing", "stocktake",
                   "reports"):
        mod = importlib.import_module(f"services.{module}")
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ == mod.__name__ and not name.startswith("_") \
                    and "actor" in inspect.signature(fn).parameters:
                if f"{module}.{name}" not in covered:
                    missing.append(f"{module}.{name}")
    assert missing == []


def test_unknown_and_deactivated_users_are_refused(world):
    db = world.db
    stock_lot(db, "OF-100", "A-01-01", 5, "2.5")
    users.deactivate_user(db, actor="admin", username="keeper2")
    for actor in ("keeper2", "nobody", "", None):
        with pytest.raises(PermissionDenied):
            issuing.issue_stock(db, actor=actor, lines=[{"sku": "OF-100", "qty": 1}],
                                requested_by="Bay 1")
    # A deactivated admin cannot administer either.
    add_users(db, {"admin2": ["admin"]})
    users.deactivate_user(db, actor="admin", username="admin2")
    with pytest.raises(PermissionDenied):
        catalog.create_item(db, actor="admin2", sku="X-1", name="X")


def test_role_changes_by_admin_are_audited(world):
    """An admin may give roles (that is user management) but it is recorded."""
    db = world.db
    users.update_user(db, actor="admin", username="receiver2", roles=["keeper"])
    trail = reports.audit_trail(db, actor="finance", action="user.update")
    assert list(trail["actor"]) == ["admin"] and "keeper" in trail.iloc[0]["details"]


# --- segregation of duties -----------------------------------------------------------
def test_receiver_and_cosigner_are_two_people(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 4, "2.5")], receiver="keeper")
    count_receipt(db, grn, receiver="keeper")
    with pytest.raises(ValidationError) as err:
        receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by="keeper")
    assert err.value.code == "cosigner_same_user"
    for checker in ("receiver2", "purchasing", "admin", "qc"):     # not keeper/supervisor
        with pytest.raises(PermissionDenied) as err:
            receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by=checker)
        assert err.value.code == "cosigner_role"
    with pytest.raises(PermissionDenied):
        receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by="supervisor",
                               checker_password="wrong-password")
    assert receiving.get_receipt(db, grn).status == "open"
    view = receiving.post_receipt(db, actor="keeper", receipt=grn, checked_by="keeper2",
                                  checker_password=PASSWORD)
    assert (view.received_by, view.checked_by) == ("keeper", "keeper2")


def test_po_creator_never_approves_own_po(world):
    db = world.db
    add_users(db, {"buyer_boss": ["purchasing", "manager"]})
    for creator in ("purchasing", "buyer_boss"):
        po = purchasing.create_purchase_order(
            db, actor=creator, supplier="SUP1",
            lines=[{"sku": "OF-100", "qty": 1, "unit_price": 1}])
        with pytest.raises(PermissionDenied) as err:
            purchasing.approve_purchase_order(db, actor=creator, number=po)
        assert err.value.code == "own_po_approval"
        assert purchasing.get_purchase_order(db, po).status == "draft"
        purchasing.approve_purchase_order(db, actor="manager" if creator != "manager"
                                          else "purchasing2", number=po)


def _count_zone(db, actor):
    zone, code = _zone(db)
    number = st.open_stocktake(db, actor="supervisor", period=next(_PERIODS), zones=[zone])
    st.record_counts(db, actor=actor, stocktake=number, round="initial",
                     counts=[{"sku": "OF-100", "location": code, "qty": 10}])
    st.record_counts(db, actor="finance2", stocktake=number, round="spot",
                     counts=[{"sku": "OF-100", "location": code, "qty": 10}])
    return number


def test_counter_never_reviews_approves_or_posts(world):
    db = world.db
    add_users(db, {"keeper_fin": ["keeper", "finance"], "keeper_mgr": ["keeper", "manager"]})
    # A counter who is also finance may not review ...
    number = _count_zone(db, "keeper_fin")
    st.submit(db, actor="supervisor", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.review(db, actor="keeper_fin", stocktake=number)
    assert err.value.code == "counter_cannot_approve"
    # ... a counter who is also the manager may not approve ...
    number = _count_zone(db, "keeper_mgr")
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.approve(db, actor="keeper_mgr", stocktake=number)
    assert err.value.code == "counter_cannot_approve"
    assert st.get_stocktake(db, number).status == "reviewed"
    # ... and a counter who is finance may not post.
    number = _count_zone(db, "keeper_fin")
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    st.approve(db, actor="manager", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.post(db, actor="keeper_fin", stocktake=number)
    assert err.value.code == "counter_cannot_approve"
    st.post(db, actor="finance", stocktake=number)


def test_submitter_reviewer_and_approver_differ_and_approver_does_not_post(world):
    db = world.db
    add_users(db, {"sup_mgr": ["supervisor", "manager"], "fin_mgr": ["finance", "manager"]})
    number = _count_zone(db, "keeper")
    st.submit(db, actor="sup_mgr", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.approve(db, actor="sup_mgr", stocktake=number)
    assert err.value.code == "approver_not_submitter"

    number = _count_zone(db, "keeper")
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="fin_mgr", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.approve(db, actor="fin_mgr", stocktake=number)
    assert err.value.code == "approver_not_submitter"

    number = _count_zone(db, "keeper")
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    st.approve(db, actor="fin_mgr", stocktake=number)
    with pytest.raises(PermissionDenied) as err:
        st.post(db, actor="fin_mgr", stocktake=number)
    assert err.value.code == "approver_cannot_post"
    assert st.get_stocktake(db, number).status == "approved"


def test_recount_by_another_counter_and_spot_check_by_finance_only(world):
    db = world.db
    zone, code = _zone(db)
    number = st.open_stocktake(db, actor="supervisor", period=next(_PERIODS), zones=[zone])
    st.record_counts(db, actor="keeper", stocktake=number, round="initial",
                     counts=[{"sku": "OF-100", "location": code, "qty": 9}])
    with pytest.raises(ValidationError) as err:
        st.record_counts(db, actor="keeper", stocktake=number, round="recount",
                         counts=[{"sku": "OF-100", "location": code, "qty": 9}])
    assert err.value.code == "recount_same_counter"
    # A supervisor typing in keeper's sheet still names keeper as the counter.
    with pytest.raises(ValidationError):
        st.record_counts(db, actor="supervisor", stocktake=number, round="recount",
                         counted_by="keeper",
                         counts=[{"sku": "OF-100", "location": code, "qty": 9}])
    # A keeper may not type in someone else's count.
    with pytest.raises(PermissionDenied) as err:
        st.record_counts(db, actor="keeper2", stocktake=number, round="recount",
                         counted_by="keeper", counts=[{"sku": "OF-100", "location": code,
                                                        "qty": 9}])
    assert err.value.code == "count_for_other_user"


def test_assembly_issue_approved_by_someone_else_with_the_right_role(world):
    db = world.db
    stock_lot(db, "EN-500", "A-01-01", 2, "900")
    line = [{"sku": "EN-500", "qty": 1}]
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="supervisor", lines=line, requested_by="Bay",
                            approved_by="supervisor")
    assert err.value.code == "approver_is_actor"
    for approver in ("keeper2", "finance", "admin"):
        with pytest.raises(PermissionDenied) as err:
            issuing.issue_stock(db, actor="keeper", lines=line, requested_by="Bay",
                                approved_by=approver)
        assert err.value.code == "approver_not_allowed"
    with pytest.raises(ValidationError):
        issuing.issue_stock(db, actor="keeper", lines=line, requested_by="Bay",
                            approved_by="manager", approver_password="not-it")
    view = issuing.issue_stock(db, actor="keeper", lines=line, requested_by="Bay",
                               approved_by="manager", approver_password=PASSWORD)
    assert view.approved_by == "manager"


# --- passwords and logins ---------------------------------------------------------------
def test_passwords_are_stored_as_argon2_hashes_only(pinned):
    db = pinned
    secret = "Correct-Horse-42"
    users.create_user(db, actor=None, username="Boss", password=secret, roles=["admin"])
    users.create_user(db, actor="boss", username="k1", password=secret + "x", roles=["keeper"])
    users.update_user(db, actor="boss", username="k1", password="Another-secret-9")
    with db.read() as session:
        hashes = dict(session.execute(select(User.username, User.password_hash)).all())
    assert set(hashes) == {"boss", "k1"}
    for value in hashes.values():
        assert value.startswith("$argon2id$")
    assert hashes["boss"] != hashes["k1"]
    # The secret appears nowhere in the database, hashed columns or audit details alike.
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    assert secret not in str(value) and "Another-secret-9" not in str(value)
    assert users.authenticate(db, "BOSS", secret).username == "boss"
    assert users.authenticate(db, "k1", "Another-secret-9") is not None
    assert users.authenticate(db, "k1", secret + "x") is None


def test_login_throttled_after_repeated_failures(world):
    db = world.db
    for _ in range(users.FREE_ATTEMPTS):
        assert users.authenticate(db, "keeper", "guess") is None
    assert users.login_wait(db, "keeper") > 0
    # While throttled even the right password is refused, and unknown names too.
    assert users.authenticate(db, "keeper", PASSWORD) is None
    for _ in range(users.FREE_ATTEMPTS):
        users.authenticate(db, "ghost", "guess")
    assert users.login_wait(db, "ghost") > 0
    clock.set_now(NOW + timedelta(seconds=users.MAX_WAIT_SECONDS + 1))
    assert users.login_wait(db, "keeper") == 0
    assert users.authenticate(db, "keeper", PASSWORD).username == "keeper"
    trail = reports.audit_trail(db, actor="admin", action="user.login_failed")
    assert {"keeper", "ghost"} <= set(trail["actor"])


# --- static UI safety -----------------------------------------------------------------------
def test_streamlit_keeps_xsrf_protection_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True


def _ui_files() -> list[Path]:
    return sorted([ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])


def test_no_page_or_ui_file_renders_raw_html_from_data():
    assert len(_ui_files()) > 10
    offenders = []
    for path in _ui_files():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        constants = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "unsafe_allow_html":
                offenders.append(f"{path.name}:{node.value.lineno} unsafe_allow_html")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = ast.unparse(node.func.value)
                if node.func.attr == "html" and owner in ("st", "streamlit"):
                    # Only fixed text (a string literal or a module constant) may be st.html.
                    arg = node.args[0] if node.args else None
                    fixed = isinstance(arg, ast.Constant) or (
                        isinstance(arg, ast.Name) and arg.id in constants)
                    if not fixed:
                        offenders.append(f"{path.name}:{node.lineno} st.html with data")
                if node.func.attr == "html" and "components" in owner:
                    offenders.append(f"{path.name}:{node.lineno} components.html")
        if re.search(r"streamlit\.components", source):
            offenders.append(f"{path.name}: streamlit.components")
    assert offenders == []


def test_send_back_refuses_other_roles_whatever_the_state(world):
    """Nobody outside finance/manager learns a stocktake's state from send_back."""
    db = world.db
    number = _count_zone(db, "keeper")                     # still open
    for role in ("keeper", "receiver", "admin", "supervisor"):
        with pytest.raises(PermissionDenied):
            st.send_back(db, actor=role, stocktake=number, comment="x")
    with pytest.raises(ServiceError) as err:               # allowed role, wrong state
        st.send_back(db, actor="finance", stocktake=number, comment="x")
    assert not isinstance(err.value, PermissionDenied) and err.value.code == "invalid_state"
