"""Shared by every report: roles, constants, frame and filter helpers."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy.orm import Session

from db.queries import reports as q
from services import clock
from services.errors import NotFound, ValidationError
from services.ledger import OUTBOUND, RETURN


ZERO = Decimal(0)
CONTROL_ROLES = ("finance", "admin")
LOT_STATUSES = ("available", "quarantine", "hold")
NET_OUT_TYPES = tuple(sorted(OUTBOUND | {RETURN}))
TREND_VIEWS = ("week", "month", "year")


def _local(moment: datetime | None) -> datetime | None:
    return clock.to_local(moment) if moment is not None else None


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _filters(**kwargs) -> q.StockFilter:
    status = kwargs.get("status")
    if status and status not in LOT_STATUSES:
        raise ValidationError("invalid_choice", field="status", value=str(status))
    return q.StockFilter(**{k: v for k, v in kwargs.items() if v not in (None, "")})


def _item_or_404(session: Session, sku: str):
    item = q.item_by_sku(session, str(sku or "").strip().upper()) or q.item_by_sku(session, sku)
    if item is None:
        raise NotFound(what="item", key=str(sku))
    return item
