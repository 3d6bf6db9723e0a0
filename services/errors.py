"""Service errors. Each carries a ``code`` and ``params``; the UI translates
``error.<code>`` from its catalogue, so no message text is built here."""
from __future__ import annotations


class ServiceError(Exception):
    code = "service_error"

    def __init__(self, code: str | None = None, **params):
        self.code = code or self.code
        self.params = params
        super().__init__(f"{self.code}: {params}" if params else self.code)


class ValidationError(ServiceError):
    """Bad input. ``params`` names the field (and row, for sheets/imports)."""

    code = "invalid"


class PermissionDenied(ServiceError):
    code = "permission_denied"


class NotFound(ServiceError):
    code = "not_found"


class Duplicate(ServiceError):
    code = "duplicate"


class InsufficientStock(ServiceError):
    code = "insufficient_stock"


class StockFrozen(ServiceError):
    code = "stock_frozen"


class ApprovalRequired(ServiceError):
    code = "approval_required"


class InvalidState(ServiceError):
    """The document is not in a state that allows this action (e.g. already posted)."""

    code = "invalid_state"
