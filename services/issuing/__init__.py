"""Issuing (出库): issue slips by FIFO/FEFO, the assembly sign-off, the old-parts
register (领新交旧), returns of unused parts to stock, transfers between bins and
warehouses, and the tool-loan register.

Every write is one ``db.write`` transaction. Stock writers lock in a fixed order: the
request id (if any), then the items in ascending id (``db.lock_items``), then the
items' lots ``FOR UPDATE`` — never ``SKIP LOCKED``, so FIFO order always holds.

Files by step: common (roles, purposes, input cleaning, stock look-ups), views (what
pages show), slips (preview and issue), returns, old_parts, transfers, tools."""
from services.issuing.common import (  # noqa: F401
    ISSUE_ROLES,
    APPROVER_ROLES,
    TOOL_REGISTER_ROLES,
    PURPOSES,
    BAD_STOCK_PURPOSES,
    STOCK_SOURCES,
    ZERO,
    MAX_LINES,
    plain,
)
from services.issuing.views import (  # noqa: F401
    AllocationView,
    IssueLineView,
    LowStock,
    IssueView,
    PreviewLine,
    IssuePreview,
    ReturnView,
    TransferView,
)
from services.issuing.slips import (  # noqa: F401
    preview_issue,
    issue_stock,
    get_issue,
    list_issues,
    issue_slip_frame,
)
from services.issuing.returns import (  # noqa: F401
    returnable,
    return_to_stock,
    list_returns,
)
from services.issuing.old_parts import (  # noqa: F401
    list_old_parts,
    hand_back_old_part,
)
from services.issuing.transfers import (  # noqa: F401
    transfer,
    list_transfers,
    stock_locations,
)
from services.issuing.tools import (  # noqa: F401
    create_tool,
    list_tools,
    lend_tool,
    return_tool,
    list_tool_loans,
    overdue_tool_loans,
)

__all__ = [
    "PURPOSES",
    "preview_issue",
    "issue_stock",
    "get_issue",
    "list_issues",
    "issue_slip_frame",
    "returnable",
    "return_to_stock",
    "list_returns",
    "list_old_parts",
    "hand_back_old_part",
    "transfer",
    "list_transfers",
    "stock_locations",
    "create_tool",
    "list_tools",
    "lend_tool",
    "return_tool",
    "list_tool_loans",
    "overdue_tool_loans",
]
