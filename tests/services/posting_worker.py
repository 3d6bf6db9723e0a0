"""A posting loop run in its own process by tests/services/test_faults.py: killed
at random moments (crash safety) or run several at once (SQLite busy contention).

    python -m tests.services.posting_worker DB_URL SEED COUNT

Each iteration posts one document through the services — a receipt with a
co-signer, an issue, a transfer or a return to stock — and prints ``OK <kind>
<number>``, ``SKIP <kind> <code>`` when stock is short, or ``ERR <type>: <message>``
and exits 1 on anything else (e.g. "database is locked")."""
from __future__ import annotations

import random
import sys

from db import Database
from db.database import create_db_engine
from services import issuing
from services.errors import InsufficientStock, ServiceError, ValidationError
from tests.factories import receive_goods

SKUS = ("OF-100", "BP-200")
BINS = ("A-01-01", "A-01-02")


def one_document(db: Database, rng: random.Random, issued: list[str]) -> str:
    kind = rng.choice(("receive", "issue", "issue", "transfer", "return"))
    sku = rng.choice(SKUS)
    if kind == "receive":
        grn = receive_goods(db, [(sku, rng.randint(2, 6), rng.choice(("2.5", "3.75")))],
                            location=rng.choice(BINS))
        return f"OK receive {grn}"
    if kind == "issue":
        view = issuing.issue_stock(db, actor="keeper", lines=[{"sku": sku, "qty": rng.randint(1, 3)}],
                                   requested_by="Bay", allow_partial=True)
        issued.append(view.number)
        return f"OK issue {view.number}"
    if kind == "transfer":
        source, target = rng.sample(BINS, 2)
        view = issuing.transfer(db, actor="supervisor", sku=sku, qty=1, from_location=source,
                                to_location=target)
        return f"OK transfer {view.number}"
    if not issued:
        return "SKIP return nothing-issued"
    number = rng.choice(issued)
    line = next((r for r in issuing.returnable(db, number) if r["returnable"] > 0), None)
    if line is None:
        return "SKIP return nothing-left"
    view = issuing.return_to_stock(db, actor="keeper", issue_number=number, sku=line["sku"],
                                   qty=1)
    return f"OK return {view.number}"


def main(argv: list[str]) -> int:
    url, seed, count = argv[0], int(argv[1]), int(argv[2])
    db = Database(create_db_engine(url))
    rng = random.Random(seed)
    issued: list[str] = []
    print("READY", flush=True)
    for _ in range(count):
        try:
            print(one_document(db, rng, issued), flush=True)
        except (InsufficientStock, ValidationError) as exc:
            # Short stock (or nothing left to move) is a normal answer, not a failure.
            print(f"SKIP refused {exc.code}", flush=True)
        except ServiceError as exc:
            print(f"ERR {type(exc).__name__}: {exc}", flush=True)
            return 1
        except Exception as exc:  # noqa: BLE001 - reported to the parent test
            print(f"ERR {type(exc).__name__}: {exc}", flush=True)
            return 1
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
