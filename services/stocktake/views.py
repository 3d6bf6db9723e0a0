"""What the stocktake pages show."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain import stocktake as rules


@dataclass(frozen=True)
class Step:
    step: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    comment: str


@dataclass(frozen=True)
class ZoneProgress:
    zone: str
    lines: int
    initial: int
    recounted: int
    counted: int
    needs_recount: int
    spot_checked: int
    spot_differs: int
    found: int
    forced_recounts: int


@dataclass(frozen=True)
class StocktakeView:
    number: str
    period: str
    status: str
    zones: list[str]
    opened_by: str
    opened_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    posted_by: str | None
    posted_at: datetime | None
    gain_doc_no: str
    loss_doc_no: str
    steps: list[Step]
    progress: list[ZoneProgress]
    warehouse: str = ""          # the one warehouse counted ('' when zones span several)


@dataclass(frozen=True)
class SpotSample:
    """The finance spot check: ``from_sheet`` is the seeded 30% sample (at least one
    line per zone); ``shelf_picks`` are lines finance picked on the shelves.
    ``coverage`` is the share of book value the two cover (goal: ``target``)."""

    seed: int
    sheet_lines: int
    from_sheet: list[dict]
    shelf_picks: list[dict]
    shelf_target: int
    coverage: Decimal
    target: Decimal = rules.COVERAGE_TARGET

    @property
    def complete(self) -> bool:
        return all(row["spot_qty"] is not None for row in self.from_sheet)


@dataclass(frozen=True)
class CountSheetUpload:
    """A filled-in count sheet: good rows and row-level errors."""

    lines: list[dict] = field(default_factory=list)    # {"row", "location", "sku", "qty"}
    errors: list[dict] = field(default_factory=list)   # {"row", "column", "code", "params"}


@dataclass(frozen=True)
class PostResult:
    gain_doc_no: str
    loss_doc_no: str
    gain_value: Decimal
    loss_value: Decimal
