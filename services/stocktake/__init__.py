"""Monthly stocktake (盘点): open and freeze, blind count sheets, initial count,
recount, the finance spot check, variance reasons, approvals and posting.

Life cycle: ``open`` (counting, recount, spot check, reasons) -> ``submitted``
(supervisor) -> ``reviewed`` (finance) -> ``approved`` (general manager) ->
``posted`` (finance). Any approval step may send it back to ``open`` with a comment;
``cancelled`` unfreezes without posting.

Concurrency: every state change locks the stocktake row (``FOR UPDATE`` on
PostgreSQL; SQLite's write lock serialises anyway). A second ``post`` of the same
stocktake therefore waits for the first and then raises ``InvalidState`` with
``state="posted"``: it never posts twice.

Files by step: common (roles, limits, shared look-ups), views, opening (open, cancel,
lists), counting (sheets, counts, recounts), spot_check, variance (report, reasons,
history), approval (submit, review, approve, send back), posting."""
from services.stocktake.common import (  # noqa: F401
    OPEN_ROLES,
    COUNT_ROLES,
    SPOT_ROLES,
    REASON_ROLES,
    SUBMIT_ROLES,
    REVIEW_ROLES,
    APPROVE_ROLES,
    POST_ROLES,
    CANCEL_ROLES,
    SEND_BACK_ROLES,
    LIVE,
    PERIOD_RE,
    MAX_NOTE,
    SHEET_UPLOAD_ROWS,
    SHEET_HEADERS,
    LOT_STATUS_FOR_KIND,
    ZERO,
    ERROR_RATE_LIMIT,
    COVERAGE_TARGET,
    _load,
)
from services.stocktake.views import (  # noqa: F401
    Step,
    ZoneProgress,
    StocktakeView,
    SpotSample,
    CountSheetUpload,
    PostResult,
)
from services.stocktake.opening import (  # noqa: F401
    open_stocktake,
    cancel,
    list_stocktakes,
    get_stocktake,
)
from services.stocktake.counting import (  # noqa: F401
    count_sheet,
    ROUND_COLUMNS,
    count_entries,
    recount_differences,
    record_counts,
    order_recount,
    read_count_sheet,
)
from services.stocktake.spot_check import (  # noqa: F401
    spot_check_sample,
    zone_error_rates,
)
from services.stocktake.variance import (  # noqa: F401
    VARIANCE_REASONS,
    VARIANCE_COLUMNS,
    variance_report,
    variance_summary,
    history,
    set_reasons,
    set_reason,
)
from services.stocktake.approval import (  # noqa: F401
    submit,
    review,
    approve,
    send_back,
)
from services.stocktake.posting import (  # noqa: F401
    post,
)

__all__ = [
    "open_stocktake",
    "cancel",
    "list_stocktakes",
    "get_stocktake",
    "count_sheet",
    "count_entries",
    "recount_differences",
    "record_counts",
    "order_recount",
    "read_count_sheet",
    "spot_check_sample",
    "zone_error_rates",
    "variance_report",
    "variance_summary",
    "history",
    "set_reason",
    "set_reasons",
    "submit",
    "review",
    "approve",
    "send_back",
    "post",
]
