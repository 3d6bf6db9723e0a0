"""Two finance users posting the same stocktake at once post it once (PostgreSQL:
the stocktake row is locked FOR UPDATE; the second sees it posted)."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import Movement
from services import reports
from services import stocktake as st
from services.errors import InvalidState
from tests.services.test_stocktake import PERIOD, balances, count_zone, spot_to_coverage


@pytest.fixture
def pg_world(db):
    if db.is_sqlite:
        pytest.skip("concurrent posting is a PostgreSQL scenario")
    from services import clock
    from tests.factories import build_stocktake_world
    from tests.services.test_stocktake import COUNT_DAY

    build_stocktake_world(db)
    clock.set_now(COUNT_DAY)
    return db


def test_two_users_posting_at_once_post_once(pg_world):
    db = pg_world
    number = st.open_stocktake(db, actor="supervisor", period=PERIOD,
                               zones=["FG Finished goods", "AX Auxiliary"])
    truth = {k: v for k, v in balances(db).items() if k[1][:2] in ("FG", "AX")}
    truth[("OF-100", "FG-01")] -= 3
    truth[("BP-200", "AX-01")] += 2
    for zone in ("FG Finished goods", "AX Auxiliary"):
        count_zone(db, number, zone, truth, actor="keeper")
    spot_to_coverage(db, number, truth)
    st.set_reason(db, actor="supervisor", stocktake=number, sku="OF-100", location="FG-01",
                  reason="theft_loss")
    st.set_reason(db, actor="supervisor", stocktake=number, sku="BP-200", location="AX-01",
                  reason="receiving_error")
    st.submit(db, actor="supervisor", stocktake=number)
    st.review(db, actor="finance", stocktake=number)
    st.approve(db, actor="manager", stocktake=number)

    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def post(user):
        barrier.wait()
        try:
            outcomes[user] = st.post(db, actor=user, stocktake=number)
        except InvalidState as exc:
            outcomes[user] = exc

    threads = [threading.Thread(target=post, args=(u,)) for u in ("finance", "finance2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    posted = [o for o in outcomes.values() if isinstance(o, st.PostResult)]
    refused = [o for o in outcomes.values() if isinstance(o, InvalidState)]
    assert len(posted) == 1 and len(refused) == 1, outcomes
    assert refused[0].params["state"] == "posted"
    with db.read() as session:
        docs = session.execute(
            select(Movement.doc_no, func.count()).where(Movement.type.in_(
                ("stocktake_gain", "stocktake_loss"))).group_by(Movement.doc_no)).all()
    assert sorted(d for d, _n in docs) == sorted([posted[0].gain_doc_no, posted[0].loss_doc_no])
    after = balances(db)
    assert after[("OF-100", "FG-01")] == truth[("OF-100", "FG-01")]
    assert after[("BP-200", "AX-01")] == truth[("BP-200", "AX-01")]
    assert posted[0].loss_value == Decimal(-30)        # 3 @ 10 from the oldest lot
    assert reports.check_consistency(db) == []
