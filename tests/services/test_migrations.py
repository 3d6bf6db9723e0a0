"""The migrations build exactly the schema the models describe, from empty."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from db.models import Base


def test_migrations_upgrade_from_empty_and_match_models(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        assert diff == []
        assert "alembic_version" in inspect(conn).get_table_names()
        tables = set(inspect(conn).get_table_names())
    assert set(Base.metadata.tables) <= tables
