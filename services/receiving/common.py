"""Receiving rules shared by every step: roles, limits, input cleaning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from collections.abc import Mapping
from typing import Any, Iterable

from sqlalchemy import select

from db.models import Receipt
from services import delivery_sheet
from services.common import PRICE_PLACES, QTY_PLACES, clean_text, to_decimal
from services.delivery_sheet import SheetLine, clean_date
from services.errors import InvalidState, NotFound, ValidationError


RECEIVE_ROLES = ("receiver", "keeper")
COSIGN_ROLES = ("keeper", "supervisor")
QC_ROLES = ("qc",)
RETURN_ROLES = ("keeper", "supervisor")
CANCEL_ROLES = ("receiver", "keeper", "supervisor")
MAX_LINES = 5000
MAX_LINE_QTY = delivery_sheet.MAX_LINE_QTY
MAX_PRICE = delivery_sheet.MAX_PRICE
ZERO = Decimal(0)


def _where(row: int) -> dict:
    return {"row": row}


def _clean_date(value: Any, field_name: str, row: int) -> date | None:
    return clean_date(value, field_name, row, expiry=field_name == "expiry_date")


def _optional_money(value: Any, field_name: str, row: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, field_name, places=PRICE_PLACES, row=row, maximum=MAX_PRICE)


def _clean_line(raw: Any, index: int) -> dict:
    if isinstance(raw, SheetLine):
        get = raw.get
        row = raw.row
    elif isinstance(raw, Mapping):
        get = raw.get
        row = index
    else:
        raise ValidationError("invalid", field="lines", row=index)
    qty = get("qty")
    if isinstance(qty, float):
        raise ValidationError("not_a_number", field="qty", row=row, value=str(qty))
    cleaned = {
        "row": row,
        "sku": clean_text(get("sku"), "sku", max_len=60, row=row).upper(),
        "name": clean_text(get("name"), "name", max_len=200, row=row),
        "spec": clean_text(get("spec"), "spec", max_len=200, row=row),
        "qty": to_decimal(qty, "qty", places=QTY_PLACES, positive=True, row=row,
                          maximum=MAX_LINE_QTY),
        "unit_price": _optional_money(get("unit_price"), "unit_price", row),
        "amount": _optional_money(get("amount"), "amount", row) if get("amount") is not None
        and not isinstance(get("amount"), float) else None,
        "lot_no": clean_text(get("lot_no"), "lot_no", max_len=60, row=row),
        "expiry_date": _clean_date(get("expiry_date"), "expiry_date", row),
        "po_number": clean_text(get("po_number"), "po_number", max_len=40, row=row),
        # the sheet's unit ("箱", "PCE"); none: the item's stock unit
        "unit": clean_text(get("unit"), "unit", max_len=20, row=row),
        "remark": clean_text(get("remark"), "remark", max_len=200, row=row),
    }
    if not cleaned["sku"] and not cleaned["name"]:
        raise ValidationError("item_missing", field="sku", row=row)
    return cleaned


def _clean_lines(lines: Iterable[Any]) -> list[dict]:
    cleaned, errors = [], []
    for index, raw in enumerate(lines or [], start=1):
        try:
            cleaned.append(_clean_line(raw, index))
        except ValidationError as exc:
            errors.append({"row": exc.params.get("row", index), "code": exc.code,
                           "params": exc.params})
    if errors:
        first = errors[0]
        raise ValidationError(first["code"], **first["params"], errors=errors,
                              count=len(errors))
    if not cleaned:
        raise ValidationError("required", field="lines")
    if len(cleaned) > MAX_LINES:
        raise ValidationError("too_many_lines", field="lines", max=MAX_LINES)
    return cleaned


def _locked_receipt(session, number: str) -> Receipt:
    receipt = session.scalar(select(Receipt).where(Receipt.number == number)
                             .with_for_update().execution_options(populate_existing=True))
    if receipt is None:
        raise NotFound(what="receipt", key=number)
    return receipt


def _open_receipt(session, number: str) -> Receipt:
    receipt = _locked_receipt(session, number)
    if receipt.status != "open":
        raise InvalidState(state=receipt.status, number=number)
    return receipt


@dataclass(frozen=True)
class _PostedLot:
    location_id: int
    status: str
    qty_on_hand: Decimal


@dataclass
class _Posted:
    """What posting wrote, for the view it returns."""

    lots: dict[int, _PostedLot]
    codes: dict[int, str]
    returns: tuple
    discrepancies: list[dict]
    received: dict[int, Decimal]      # PO line id -> its received qty now
