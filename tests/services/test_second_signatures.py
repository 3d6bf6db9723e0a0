"""Second signatures are proved, not named: receipt co-sign, assembly approval and
scrap approval (报废须领导审核批准) each carry the second person's password, checked by
the service; the co-signer of a receipt took no part in recording its counts."""
from __future__ import annotations

import pytest

from services import issuing, receiving, reports
from services.errors import ApprovalRequired, PermissionDenied, ServiceError, ValidationError
from tests.factories import PASSWORD, count_receipt, every_row, open_receipt, stock_lot


def _counted_receipt(db, receiver="receiver"):
    grn = open_receipt(db, [("OF-100", 5, "2.50")], receiver=receiver)
    count_receipt(db, grn, receiver=receiver)
    return grn


def test_a_named_co_signer_without_a_password_posts_nothing(world):
    db = world.db
    grn = _counted_receipt(db)
    before = every_row(db)
    with pytest.raises(ValidationError) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper")
    assert err.value.code == "signature_proof_required"
    assert err.value.params["user"] == "keeper"
    assert every_row(db) == before
    with pytest.raises(PermissionDenied) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password="not-the-password")
    assert err.value.code == "cosigner_auth_failed"
    assert receiving.get_receipt(db, grn).status == "open"
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                                  checker_password=PASSWORD)
    assert view.status == "posted"
    assert reports.check_consistency(db) == []


def test_the_keeper_who_recorded_the_counts_cannot_co_sign(world):
    db = world.db
    grn = open_receipt(db, [("OF-100", 5, "2.50")], receiver="receiver")
    count_receipt(db, grn, receiver="keeper")          # the keeper counted the goods
    with pytest.raises(ServiceError) as err:
        receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper",
                               checker_password=PASSWORD)
    assert err.value.code == "cosigner_took_part"
    assert receiving.get_receipt(db, grn).status == "open"
    view = receiving.post_receipt(db, actor="receiver", receipt=grn, checked_by="keeper2",
                                  checker_password=PASSWORD)
    assert view.status == "posted" and view.checked_by == "keeper2"


def test_assembly_approval_needs_the_approvers_password(world):
    db = world.db
    stock_lot(db, "EN-500", "A-01-01", 2, "900.00")
    line = [{"sku": "EN-500", "qty": 1}]
    before = every_row(db)
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line,
                            approved_by="supervisor")
    assert err.value.code == "signature_proof_required"
    assert every_row(db) == before
    view = issuing.issue_stock(db, actor="keeper", requested_by="Li", lines=line,
                               approved_by="supervisor", approver_password=PASSWORD)
    assert view.approved_by == "supervisor"


# --- scrap: 报废须领导审核批准 --------------------------------------------------------------
def test_scrap_needs_a_supervisor_or_manager_approval_with_proof(world):
    db = world.db
    stock_lot(db, "BP-200", "HOLD-01", 3, "20.00", status="hold")
    scrap = dict(requested_by="QC", lines=[{"sku": "BP-200", "qty": 3}], purpose="scrap",
                 stock="bad")
    before = every_row(db)
    with pytest.raises(ApprovalRequired) as err:
        issuing.issue_stock(db, actor="keeper", **scrap)
    assert err.value.code == "scrap_approval_required"
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="keeper", approved_by="manager", **scrap)
    assert err.value.code == "signature_proof_required"
    with pytest.raises(PermissionDenied) as err:
        issuing.issue_stock(db, actor="keeper", approved_by="keeper2",
                            approver_password=PASSWORD, **scrap)
    assert err.value.code == "approver_not_allowed"
    with pytest.raises(ValidationError) as err:
        issuing.issue_stock(db, actor="supervisor", approved_by="supervisor",
                            approver_password=PASSWORD, **scrap)
    assert err.value.code == "approver_is_actor"
    assert every_row(db) == before
    view = issuing.issue_stock(db, actor="keeper", approved_by="manager",
                               approver_password=PASSWORD, **scrap)
    assert view.approved_by == "manager" and view.total_cost == 60
    assert reports.check_consistency(db) == []


def test_a_supplier_return_of_held_stock_needs_no_approval(world):
    db = world.db
    stock_lot(db, "BP-200", "HOLD-01", 1, "20.00", status="hold")
    view = issuing.issue_stock(db, actor="keeper", requested_by="Parts Co", purpose="supplier_return",
                               stock="bad", lines=[{"sku": "BP-200", "qty": 1}])
    assert view.total_cost == 20
