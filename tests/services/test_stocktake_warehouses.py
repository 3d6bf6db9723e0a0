"""One live stocktake per month and warehouse: each warehouse counts its own month,
a count whose zones span warehouses takes the month for all of them, and two
supervisors opening overlapping counts at once leave exactly one of them open, with
every location frozen by that one."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from db.models import Location, Stocktake
from services import catalog, clock
from services import stocktake as st
from services.errors import Duplicate, ServiceError
from tests.factories import build_stocktake_world
from tests.services.test_stocktake import COUNT_DAY, PERIOD


@pytest.fixture
def two_houses(db):
    build_stocktake_world(db)
    clock.set_now(COUNT_DAY)
    catalog.create_warehouse(db, actor="admin", code="EAST", name="East depot", name_zh="东仓")
    catalog.create_location(db, actor="admin", code="E-01", zone="EAST Racks", warehouse="EAST")
    catalog.create_location(db, actor="admin", code="E-02", zone="EAST Racks", warehouse="EAST")
    yield db
    clock.set_now(None)


def frozen_by(db) -> dict[str, int | None]:
    with db.read() as session:
        return dict(session.execute(select(Location.code, Location.frozen_by_stocktake_id)).all())


def test_each_warehouse_counts_its_own_month(two_houses):
    db = two_houses
    main = st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="MAIN")
    east = st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="EAST")
    assert st.get_stocktake(db, main).warehouse == "MAIN"
    assert st.get_stocktake(db, east).zones == ["EAST Racks"]
    assert {r["number"]: r["warehouse"] for r in st.list_stocktakes(db)} == {
        main: "MAIN", east: "EAST"}
    with pytest.raises(Duplicate) as again:
        st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="EAST")
    assert again.value.code == "stocktake_exists" and again.value.params["number"] == east
    with pytest.raises(Duplicate):                       # every zone: both are taken
        st.open_stocktake(db, actor="supervisor", period=PERIOD)
    st.cancel(db, actor="supervisor", stocktake=east, comment="wrong day")
    reopened = st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="EAST")
    with db.read() as session:
        ids = dict(session.execute(select(Stocktake.number, Stocktake.id)).all())
    assert frozen_by(db)["E-01"] == ids[reopened]


def test_a_count_over_both_warehouses_takes_the_month(two_houses):
    db = two_houses
    whole = st.open_stocktake(db, actor="supervisor", period=PERIOD)
    assert st.get_stocktake(db, whole).warehouse == ""
    with pytest.raises(Duplicate):
        st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="EAST")
    st.cancel(db, actor="supervisor", stocktake=whole)
    assert st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="EAST")


def test_zones_picked_in_one_warehouse_are_that_warehouse_s_count(two_houses):
    db = two_houses
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD, zones=["EAST Racks"])
    assert st.get_stocktake(db, number).warehouse == "EAST"
    assert st.open_stocktake(db, actor="supervisor", period=PERIOD, warehouse="MAIN")


@pytest.mark.parametrize("round_", range(3))
def test_overlapping_counts_opened_at_once_leave_one(two_houses, round_):
    """Every zone and EAST at the same moment: they overlap in EAST's racks."""
    db = two_houses
    if db.is_sqlite:
        pytest.skip("concurrent opening is a PostgreSQL scenario (SQLite writes one at a time)")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def open_(name, **scope):
        barrier.wait()
        try:
            outcomes[name] = st.open_stocktake(db, actor="supervisor", period=PERIOD, **scope)
        except ServiceError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=open_, args=("whole",)),
               threading.Thread(target=open_, args=("east",), kwargs={"warehouse": "EAST"})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    opened = [v for v in outcomes.values() if isinstance(v, str)]
    refused = [v for v in outcomes.values() if isinstance(v, ServiceError)]
    assert len(opened) == 1 and len(refused) == 1, outcomes
    assert refused[0].code in ("stocktake_exists", "zone_already_frozen")
    with db.read() as session:
        winner = session.scalar(select(Stocktake.id).where(Stocktake.number == opened[0]))
        live = session.scalars(select(Stocktake.number)).all()
    assert live == opened                      # the loser left nothing behind
    marks = frozen_by(db)
    assert marks["E-01"] == marks["E-02"] == winner
    assert set(marks.values()) <= {winner, None}
