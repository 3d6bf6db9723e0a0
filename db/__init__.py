"""Database layer: models, engine/session factory, migrations, SQL read queries.

No business rules live here.
"""
from db.database import Database, open_database  # noqa: F401
