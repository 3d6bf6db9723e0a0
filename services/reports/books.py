"""Consistency of the books: ledger, lots, balances and closed months agree."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from db import Database
from db.queries import consistency as cq
from db.queries import reports as q
from services import clock
from services.common import require_role

from services.reports.common import CONTROL_ROLES, ZERO, _local
from services.reports.periods import period_bounds


def check_consistency(db: Database) -> list[str]:
    """Ledger vs lots vs cached balances (帐、物、卡三者一致). Empty when they agree.

    Each problem is one line naming the item/location or lot and the figures.
    Closed months are checked too: no movement may have been written into a month
    after it was closed, and the last closed month's closing figures must equal the
    ledger's balances at its end."""
    problems: list[str] = []
    with db.read() as session:
        skus, codes = cq.names(session)
        for lot_id, on_hand, unit_cost, ledger_qty, ledger_value in cq.ledger_by_lot(session):
            if on_hand < 0:
                problems.append(f"lot {lot_id}: negative on hand {on_hand}")
            if on_hand != ledger_qty:
                problems.append(f"lot {lot_id}: on hand {on_hand} != ledger {ledger_qty}")
            if on_hand * unit_cost != ledger_value:
                problems.append(
                    f"lot {lot_id}: value {on_hand} x {unit_cost} != ledger value {ledger_value}")
        lots = cq.lots_by_item_location(session)
        ledger = cq.ledger_by_item_location(session)
        cards = cq.balances(session)
        for key in sorted(set(lots) | set(ledger) | set(cards)):
            lot_qty = lots.get(key, ZERO)
            ledger_qty, ledger_value = ledger.get(key, (ZERO, ZERO))
            card_qty, card_value = cards.get(key, (ZERO, ZERO))
            if not (lot_qty == ledger_qty == card_qty) or ledger_value != card_value:
                sku, code = skus.get(key[0], key[0]), codes.get(key[1], key[1])
                problems.append(
                    f"{sku} @ {code}: ledger {ledger_qty}/{ledger_value}, lots {lot_qty}, "
                    f"balance {card_qty}/{card_value}")
        mismatched = cq.movements_lot_mismatch(session)
        if mismatched:
            problems.append(f"{mismatched} movements disagree with their lot's item/location")
        problems.extend(_closed_period_problems(session, skus))
    return problems


def _closed_period_problems(session: Session, skus: dict[int, str]) -> list[str]:
    problems = []
    periods = q.closed_periods(session)
    for cp in periods:
        late = q.movements_written_after(session, cp.last_movement_id, period_bounds(cp.period)[1])
        if late:
            problems.append(f"period {cp.period}: {late} movements dated in it after it was closed")
    if periods:
        latest = periods[0]
        ledger = q.balances_by_item_before(session, period_bounds(latest.period)[1])
        snapshot = q.snapshot_closing(session, latest.period)
        for item_id in sorted(set(ledger) | set(snapshot)):
            book = ledger.get(item_id, (ZERO, ZERO))
            closed = snapshot.get(item_id, (ZERO, ZERO))
            if book != closed:
                problems.append(
                    f"{skus.get(item_id, item_id)}: closed {latest.period} at "
                    f"{closed[0]}/{closed[1]}, ledger {book[0]}/{book[1]}")
    return problems


def consistency_report(db: Database, *, actor) -> dict[str, Any]:
    """The books check for finance and admin: problems plus the three books' totals."""
    with db.read() as session:
        require_role(session, actor, *CONTROL_ROLES)
        lots = cq.lots_by_item_location(session)
        ledger = cq.ledger_by_item_location(session)
        cards = cq.balances(session)
    problems = check_consistency(db)
    return {
        "checked_at": _local(clock.now()), "problems": problems, "ok": not problems,
        "ledger_qty": sum((v[0] for v in ledger.values()), ZERO),
        "ledger_value": sum((v[1] for v in ledger.values()), ZERO),
        "lot_qty": sum(lots.values(), ZERO),
        "balance_qty": sum((v[0] for v in cards.values()), ZERO),
        "balance_value": sum((v[1] for v in cards.values()), ZERO),
        "positions": len(set(lots) | set(ledger) | set(cards)),
    }
