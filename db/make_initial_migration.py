"""Developer tool: regenerate the initial migration from the models.

Allowed only until the first release (no database in the field yet); after that,
add new revisions with ``alembic revision --autogenerate`` instead.
Run: ``.venv/bin/python -m db.make_initial_migration``.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from db.migrate import MIGRATIONS_DIR, alembic_config

INITIAL = MIGRATIONS_DIR / "versions" / "0001_initial.py"


def main() -> None:
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
        command.revision(
            alembic_config(engine), message="initial schema", autogenerate=True,
            rev_id="0001",
        )
    generated = next((MIGRATIONS_DIR / "versions").glob("0001_*.py"))
    generated.rename(INITIAL)
    print(f"wrote {INITIAL}")


if __name__ == "__main__":
    main()
