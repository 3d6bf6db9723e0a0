"""The first reader's module name, kept for its importers: everything lives in
``services.sheets`` now."""
from services.sheets import *  # noqa: F401,F403
from services.sheets import __all__  # noqa: F401
