"""Alembic environment: runs against the engine handed over by db.migrate."""
from alembic import context

from db.models import Base

config = context.config
engine = config.attributes.get("engine")


def run_migrations() -> None:
    with engine.connect() as connection:
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
