"""Reports, the home dashboard, month-end closing and the books' consistency check.

Everything here reads (``db.read()``) except ``close_month``, which writes the
month-end snapshot in one transaction. Reports are open to every signed-in user;
the consistency report and the audit trail are for finance and admin.

Book-keeping rules (PROCEDURES.md, 月结):
- Months are calendar months in ``WAREHOUSE_TZ``.
- The monthly in/out/closing summary (收发存汇总表) counts receipts as *in*; issues
  and returns to suppliers as *out*, and stock returned from an issue *reduces out*
  (so out is the net quantity that left); stocktake gains and losses as *adjust*.
  Internal moves (transfers, QC and reject moves) keep their lot's cost and net to
  zero per item. Values are the movements' stored FIFO lot values, so
  opening + in - out + adjust = closing holds exactly, in quantity and in value.
- Closing a month (finance) writes its figures once; they never change afterwards,
  and the ledger refuses any movement dated in a closed month.

Files by report: common (roles, frames, filters), periods (month bounds), stock (on
hand, stock card, labels, look-ups), monthly (summary,
period status, closing), health (expiry, ageing, slow
movers, reorder, suppliers), overview (dashboard, trend), books (consistency), trail
(audit trail)."""
from services.reports.common import (  # noqa: F401
    ZERO,
    CONTROL_ROLES,
    LOT_STATUSES,
    NET_OUT_TYPES,
    TREND_VIEWS,
)
from services.reports.periods import (  # noqa: F401
    period_bounds,
    period_dates,
    current_period,
)
from services.reports.stock import (  # noqa: F401
    STOCK_COLUMNS,
    CARD_COLUMNS,
    stock_on_hand,
    stock_on_hand_count,
    stock_on_hand_totals,
    stock_card,
    item_card,
    bin_label_svg,
    filter_options,
    find_items,
)
from services.reports.monthly import (  # noqa: F401
    CLOSE_ROLES,
    SUMMARY_COLUMNS,
    DETAIL_COLUMNS,
    CATEGORY_COLUMNS,
    monthly_summary,
    monthly_summary_by_category,
    summary_totals,
    period_status,
    closed_periods,
    recent_periods,
    close_month,
)
from services.reports.health import (  # noqa: F401
    EXPIRY_COLUMNS,
    AGEING_COLUMNS,
    SLOW_COLUMNS,
    REORDER_COLUMNS,
    SUPPLIER_COLUMNS,
    expiring,
    ageing,
    slow_moving,
    reorder,
    supplier_performance,
)
from services.reports.claims import (  # noqa: F401
    CLAIMS_BY_MONTH_COLUMNS,
    supplier_claims_by_month,
)
from services.reports.overview import (  # noqa: F401
    TREND_COLUMNS,
    dashboard,
    stock_value_by_category,
    movement_trend,
)
from services.reports.books import (  # noqa: F401
    check_consistency,
    consistency_report,
)
from services.reports.trail import (  # noqa: F401
    AUDIT_COLUMNS,
    audit_trail,
    audit_trail_count,
    audit_filters,
)
