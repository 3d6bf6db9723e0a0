"""All ORM models. Each capability owns one module; import them all here so that
Alembic and ``Base.metadata`` see every table."""
from db.models.base import Base, utcnow  # noqa: F401
from db.models.core import *  # noqa: F401,F403
from db.models.issuing import *  # noqa
from db.models.reports import *  # noqa
from db.models.stocktake import *  # noqa
from db.models.purchasing import *  # noqa
from db.models.claims import *  # noqa
