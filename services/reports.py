"""Reports and the books' consistency check (read-only)."""
from __future__ import annotations

from decimal import Decimal

from db import Database
from db.queries import consistency as q

ZERO = Decimal(0)


def check_consistency(db: Database) -> list[str]:
    """Ledger vs lots vs cached balances (帐、物、卡三者一致). Empty when they agree.

    Each problem is one line naming the item/location or lot and the figures."""
    problems: list[str] = []
    with db.read() as session:
        skus, codes = q.names(session)
        for lot_id, on_hand, unit_cost, ledger_qty, ledger_value in q.ledger_by_lot(session):
            if on_hand < 0:
                problems.append(f"lot {lot_id}: negative on hand {on_hand}")
            if on_hand != ledger_qty:
                problems.append(f"lot {lot_id}: on hand {on_hand} != ledger {ledger_qty}")
            if on_hand * unit_cost != ledger_value:
                problems.append(
                    f"lot {lot_id}: value {on_hand} x {unit_cost} != ledger value {ledger_value}")
        lots = q.lots_by_item_location(session)
        ledger = q.ledger_by_item_location(session)
        cards = q.balances(session)
        for key in sorted(set(lots) | set(ledger) | set(cards)):
            lot_qty = lots.get(key, ZERO)
            ledger_qty, ledger_value = ledger.get(key, (ZERO, ZERO))
            card_qty, card_value = cards.get(key, (ZERO, ZERO))
            if not (lot_qty == ledger_qty == card_qty) or ledger_value != card_value:
                sku, code = skus.get(key[0], key[0]), codes.get(key[1], key[1])
                problems.append(
                    f"{sku} @ {code}: ledger {ledger_qty}/{ledger_value}, lots {lot_qty}, "
                    f"balance {card_qty}/{card_value}")
        mismatched = q.movements_lot_mismatch(session)
        if mismatched:
            problems.append(f"{mismatched} movements disagree with their lot's item/location")
    return problems
