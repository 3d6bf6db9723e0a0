"""Each user's home warehouse: set by the user (or an admin), read by the screens."""
import pytest

from services import users
from services.errors import NotFound, PermissionDenied


def test_users_set_their_own_home_warehouse_and_an_admin_sets_anyones(world):
    db = world.db
    assert users.home_warehouse(db, "keeper") is None
    users.set_home_warehouse(db, actor="keeper", warehouse="wh2")
    assert users.home_warehouse(db, "keeper") == "WH2"
    with pytest.raises(PermissionDenied):
        users.set_home_warehouse(db, actor="keeper", username="keeper2", warehouse="WH2")
    users.set_home_warehouse(db, actor="admin", username="keeper2", warehouse="MAIN")
    assert users.home_warehouse(db, "keeper2") == "MAIN"
    with pytest.raises(NotFound):
        users.set_home_warehouse(db, actor="keeper", warehouse="NOWHERE")
    users.set_home_warehouse(db, actor="keeper", warehouse=None)
    assert users.home_warehouse(db, "keeper") is None
