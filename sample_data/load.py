"""Seed a demo database THROUGH the services (never raw INSERTs).

    python -m sample_data.load [--if-empty] [--url URL]
"""
from __future__ import annotations

import argparse
import sys
import time

from db import Database, open_database
from sample_data import catalogue as demo
from services import catalog, users

ADMIN = "admin"
SUPERVISOR = "liuyang"


def load_users(db: Database) -> None:
    for index, (username, display, roles, language) in enumerate(demo.USERS):
        users.create_user(
            db, actor=None if index == 0 else ADMIN, username=username,
            password=demo.DEMO_PASSWORD, roles=roles, display_name=display, language=language,
        )


def load_master_data(db: Database) -> None:
    for code, name, name_zh in demo.WAREHOUSES:
        catalog.create_warehouse(db, actor=ADMIN, code=code, name=name, name_zh=name_zh)
    # Everyone issues, returns and counts in the main warehouse unless they pick another.
    for username, _display, _roles, _language in demo.USERS:
        users.set_home_warehouse(db, actor=ADMIN, username=username,
                                 warehouse=demo.WAREHOUSES[0][0])
    for code, zone, kind, house in demo.locations():
        catalog.create_location(db, actor=ADMIN, code=code, zone=zone, kind=kind, warehouse=house)
    for code, name, address, contact in demo.SUPPLIERS:
        catalog.create_supplier(db, actor=ADMIN, code=code, name=name, address=address,
                                contact=contact)
    rows = []
    for item in demo.items():
        row = {k: v for k, v in item.items() if k not in ("price", "bin")}
        row["default_location"] = item["bin"]
        rows.append(row)
    # One all-or-nothing import, as a supervisor would do it from a spreadsheet.
    catalog.import_items(db, actor=SUPERVISOR, rows=rows)
    for sku, unit, factor, supplier in demo.PACK_UNITS:
        catalog.set_pack_unit(db, actor=SUPERVISOR, sku=sku, unit=unit, factor=factor,
                              supplier=supplier)


def stage(text: str) -> None:
    """One line of progress (make run shows it while the demo database fills)."""
    print(f"demo data: {text}", flush=True)


def load_demo(db: Database) -> None:
    started = time.monotonic()
    stage(f"1/3 users ({len(demo.USERS)})")
    load_users(db)
    stage(f"2/3 warehouses, bins, suppliers and {len(demo.items())} parts")
    load_master_data(db)
    try:
        from sample_data.activity import load_activity
    except ImportError:  # activity needs the transactional services
        return
    stage("3/3 three months of receipts, issues, returns and a stocktake")
    load_activity(db)
    stage(f"done in {time.monotonic() - started:.0f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--if-empty", action="store_true", help="only seed a database with no users")
    parser.add_argument("--url", help="database URL (default: WAREHOUSE_DB_URL or data/warehouse.db)")
    args = parser.parse_args(argv)
    db = open_database(args.url)
    if args.if_empty and users.user_count(db):
        print("demo data: database already has users; nothing loaded")
        return 0
    load_demo(db)
    print(f"demo data loaded: {len(demo.USERS)} users, {len(demo.items())} items "
          f"(password for every demo user: {demo.DEMO_PASSWORD})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
