"""Online backup and restore.

SQLite: the online backup API (a consistent copy while the app keeps running).
PostgreSQL: ``pg_dump -Fc`` / ``pg_restore --clean``.

    python -m db.backup create [--url URL] [--dir backups]
    python -m db.backup restore FILE [--url URL]
"""
from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from db.database import default_url, private_directory, private_file


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def _pg_args(url: str) -> list[str]:
    parsed = make_url(url)
    args = ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
            "-U", parsed.username or "postgres", "-d", parsed.database]
    return args


def _pg_env(url: str) -> dict:
    import os

    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Page-by-page copy through SQLite's online backup API (consistent even while
    other connections write)."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def create_backup(url: str | None = None, directory: str | Path = "backups") -> Path:
    url = url or default_url()
    directory = Path(directory)
    private_directory(directory)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    if url.startswith("sqlite"):
        target = directory / f"warehouse-{stamp}.db"
        private_file(target)
        _sqlite_copy(_sqlite_path(url), target)
        return target
    target = directory / f"warehouse-{stamp}.pgdump"
    private_file(target)          # pg_dump writes into it and keeps its mode
    subprocess.run(["pg_dump", "-Fc", "-f", str(target), *_pg_args(url)],
                   check=True, env=_pg_env(url))
    return target


def restore_backup(file: str | Path, url: str | None = None) -> None:
    """Replace the database's contents with the backup (stop the app first)."""
    url = url or default_url()
    file = Path(file)
    if not file.exists():
        raise FileNotFoundError(file)
    if url.startswith("sqlite"):
        target = _sqlite_path(url)
        private_file(target)
        _sqlite_copy(file, target)
        for suffix in ("-wal", "-shm"):
            stale = Path(str(target) + suffix)
            if stale.exists() and stale.stat().st_size == 0:
                stale.unlink()
        return
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    *_pg_args(url), str(file)], check=True, env=_pg_env(url))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create")
    create.add_argument("--url")
    create.add_argument("--dir", default="backups")
    restore = sub.add_parser("restore")
    restore.add_argument("file")
    restore.add_argument("--url")
    args = parser.parse_args(argv)
    if args.command == "create":
        print(create_backup(args.url, args.dir))
    else:
        restore_backup(args.file, args.url)
        print(f"restored {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
