"""Alembic environment: runs against the engine handed over by db.migrate."""
from alembic import context

from db.models import Base

config = context.config
engine = config.attributes.get("engine")


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """SQLite's own procedure for altering a table (which batch migrations follow:
    copy, drop, rename) runs with foreign keys off; with them on, dropping a table
    that other rows reference fails. Set outside any transaction, where it applies."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def run_migrations() -> None:
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, False)
        try:
            _migrate(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, True)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        user_module_prefix="db.types.",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


run_migrations()
