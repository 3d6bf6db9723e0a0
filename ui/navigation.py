"""Which pages exist, in which section, for which roles."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVERYONE: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageSpec:
    path: str            # relative to the project root
    title_key: str
    icon: str
    section_key: str
    roles: tuple[str, ...] = EVERYONE   # empty: every signed-in user
    default: bool = False

    def allowed(self, roles) -> bool:
        return not self.roles or bool(set(self.roles).intersection(roles))

    def exists(self) -> bool:
        return (ROOT / self.path).exists()


STOCK_ROLES = ("keeper", "supervisor", "manager")
PAGES: list[PageSpec] = [
    PageSpec("pages/home.py", "nav.home", ":material/dashboard:", "nav.section.overview",
             default=True),
    PageSpec("pages/purchase_orders.py", "nav.purchase_orders", ":material/request_quote:",
             "nav.section.inbound", ("purchasing", "manager", "supervisor", "receiver", "keeper")),
    PageSpec("pages/receiving.py", "nav.receiving", ":material/local_shipping:",
             "nav.section.inbound", ("receiver", "keeper", "purchasing", "supervisor")),
    PageSpec("pages/receipts.py", "nav.receipts", ":material/receipt_long:",
             "nav.section.inbound",
             ("receiver", "keeper", "purchasing", "supervisor", "finance", "manager", "qc")),
    PageSpec("pages/claims.py", "nav.claims", ":material/report:", "nav.section.inbound",
             ("purchasing", "supervisor", "manager", "finance")),
    PageSpec("pages/qc.py", "nav.qc", ":material/fact_check:", "nav.section.inbound",
             ("qc", "supervisor")),
    PageSpec("pages/issuing.py", "nav.issuing", ":material/outbox:", "nav.section.outbound",
             ("keeper", "supervisor")),
    PageSpec("pages/issues_list.py", "nav.issues_list", ":material/list_alt:",
             "nav.section.outbound", ("keeper", "supervisor", "manager", "finance")),
    PageSpec("pages/returns.py", "nav.returns", ":material/assignment_return:",
             "nav.section.outbound", ("keeper", "supervisor")),
    PageSpec("pages/transfers.py", "nav.transfers", ":material/swap_horiz:",
             "nav.section.outbound", ("keeper", "supervisor")),
    PageSpec("pages/tool_loans.py", "nav.tool_loans", ":material/construction:",
             "nav.section.outbound", ("keeper", "supervisor")),
    PageSpec("pages/stocktake.py", "nav.stocktake", ":material/inventory:",
             "nav.section.stocktake", ("supervisor", "keeper", "finance")),
    PageSpec("pages/variance_review.py", "nav.variance_review", ":material/rule:",
             "nav.section.stocktake", ("finance", "manager", "supervisor")),
    PageSpec("pages/report_stock.py", "nav.report_stock", ":material/inventory_2:",
             "nav.section.reports"),
    PageSpec("pages/report_stock_card.py", "nav.report_stock_card", ":material/badge:",
             "nav.section.reports"),
    PageSpec("pages/report_monthly.py", "nav.report_monthly", ":material/calendar_month:",
             "nav.section.reports"),
    PageSpec("pages/report_expiry.py", "nav.report_expiry", ":material/event_busy:",
             "nav.section.reports"),
    PageSpec("pages/report_reorder.py", "nav.report_reorder", ":material/production_quantity_limits:",
             "nav.section.reports"),
    PageSpec("pages/report_suppliers.py", "nav.report_suppliers", ":material/star_rate:",
             "nav.section.reports"),
    PageSpec("pages/consistency.py", "nav.consistency", ":material/balance:",
             "nav.section.control", ("finance", "admin")),
    PageSpec("pages/audit.py", "nav.audit", ":material/history:", "nav.section.control",
             ("finance", "admin")),
    PageSpec("pages/items.py", "nav.items", ":material/category:", "nav.section.master",
             ("admin", "supervisor")),
    PageSpec("pages/suppliers.py", "nav.suppliers", ":material/storefront:",
             "nav.section.master", ("admin", "supervisor")),
    PageSpec("pages/locations.py", "nav.locations", ":material/shelves:",
             "nav.section.master", ("admin", "supervisor")),
    PageSpec("pages/calendar.py", "nav.calendar", ":material/event:", "nav.section.master",
             ("admin",)),
    PageSpec("pages/users.py", "nav.users", ":material/group:", "nav.section.master",
             ("admin",)),
    PageSpec("pages/account.py", "nav.account", ":material/person:", "nav.section.account"),
]


def pages_for(roles) -> list[PageSpec]:
    return [p for p in PAGES if p.exists() and p.allowed(roles)]
