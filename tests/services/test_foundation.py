"""Users, catalog and ledger writer through the services, on both databases."""
import pytest

from services import catalog, reports, users
from services.errors import Duplicate, PermissionDenied, ValidationError
from tests.factories import PASSWORD, stock_lot


def test_bootstrap_admin_then_actor_required(db):
    users.create_user(db, actor=None, username="Boss", password="longenough1", roles=["admin"])
    assert users.authenticate(db, "boss", "longenough1").username == "boss"
    with pytest.raises(ValidationError):
        users.create_user(db, actor=None, username="x", password="longenough1", roles=["keeper"])


def test_keeper_cannot_create_users_or_items(world):
    db = world.db
    with pytest.raises(PermissionDenied):
        users.create_user(db, actor="keeper", username="new", password="longenough1",
                          roles=["keeper"])
    with pytest.raises(PermissionDenied):
        catalog.create_item(db, actor="keeper", sku="X-1", name="X")


def test_duplicate_sku_and_bad_fields(world):
    db = world.db
    with pytest.raises(Duplicate) as err:
        catalog.create_item(db, actor="admin", sku="of-100", name="Again")
    assert err.value.params["field"] == "sku"
    with pytest.raises(ValidationError) as err:
        catalog.create_item(db, actor="admin", sku="N-1", name="", unit="pcs")
    assert err.value.params["field"] == "name"
    with pytest.raises(ValidationError) as err:
        catalog.create_item(db, actor="admin", sku="N-1", name="n", reorder_level=-1)
    assert err.value.params["field"] == "reorder_level"
    with pytest.raises(ValidationError):
        users.create_user(db, actor="admin", username="u1", password="longenough1",
                          roles=["wizard"])


def test_import_items_all_or_nothing(world):
    db = world.db
    rows = [
        {"sku": "IMP-1", "name": "Imported one", "reorder_level": "3"},
        {"sku": "IMP-2", "name": "", "reorder_level": "1"},
        {"sku": "IMP-3", "name": "Bad level", "reorder_level": "-2"},
    ]
    with pytest.raises(ValidationError) as err:
        catalog.import_items(db, actor="admin", rows=rows)
    assert [e["row"] for e in err.value.params["errors"]] == [3, 4]
    assert catalog.list_items(db, search="IMP-")[1] == 0
    assert catalog.import_items(db, actor="admin", rows=rows[:1]) == 1


def test_wrong_password_is_throttled(world):
    db = world.db
    for _ in range(3):
        assert users.authenticate(db, "keeper", "wrong-password") is None
    assert users.login_wait(db, "keeper") > 0
    # Even the right password is refused while throttled.
    assert users.authenticate(db, "keeper", PASSWORD) is None


def test_ledger_writer_keeps_books_consistent(world):
    db = world.db
    stock_lot(db, "OF-100", "A-01-01", 10, "2.5000")
    stock_lot(db, "OF-100", "A-01-02", "3.5", "3.1234")
    assert reports.check_consistency(db) == []
    stock = {l["code"]: l for l in catalog.list_locations(db)}
    assert stock["A-01-01"]["kind"] == "storage"
