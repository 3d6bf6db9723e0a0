"""Item codes and scanning: every code an item carries (EAN-13/UPC-A, OE numbers,
supplier part numbers, free codes) and resolving whatever was typed or scanned to
an item, one of our lots (lot label) or a bin (bin label).

Re-exported by services.catalog: ``catalog.add_code`` and ``catalog.resolve_code``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Database
from db.models import Item, ItemCode, Location, Lot, Receipt, ReceiptLine, Supplier
from domain.codes import CODE_KINDS, as_ean13, code_key, lot_id_from_payload
from services.common import audit, clean_code, get_or_404, require_role
from services.errors import Duplicate, NotFound, PermissionDenied, ValidationError

MASTER_DATA_ROLES = ("admin", "supervisor")
# Receivers learn a supplier's part number at receiving (the line matched to a PO line).
LEARNING_ROLES = ("receiver", "keeper")
MAX_CODE_LEN = 60
# Import columns holding codes (header word -> kind); several codes per cell are
# separated by ";", "," or "，".
CODE_COLUMNS = {"ean": "ean13", "oe": "oe", "codes": "other"}
CODE_HEADER_ALIASES = {
    "ean": "ean", "ean13": "ean", "ean-13": "ean", "upc": "ean", "barcode": "ean",
    "条码": "ean", "条形码": "ean", "商品条码": "ean",
    "oe": "oe", "oe no": "oe", "oe number": "oe", "oe号": "oe", "原厂号": "oe",
    "原厂编号": "oe", "codes": "codes", "other codes": "codes", "其他编码": "codes",
}


@dataclass(frozen=True)
class Resolved:
    """What a scanned or typed code is: an item, one of our lots, or a bin."""

    kind: str                   # item | lot | bin
    sku: str | None = None
    lot_no: str | None = None
    location: str | None = None
    lot_id: int | None = None
    matched: str = ""           # sku | code | lot_label | lot_no | bin


# --- adding and removing codes ----------------------------------------------
def _at(row: int | None) -> dict:
    return {} if row is None else {"row": row}


def clean_item_code(code: Any, kind: str, *, row: int | None = None) -> tuple[str, str]:
    """(code as shown, matching key); an EAN-13/UPC-A must carry a right check digit."""
    if kind not in CODE_KINDS:
        raise ValidationError("invalid_choice", field="code_kind", value=str(kind), **_at(row))
    text = clean_code(code, "code", max_len=MAX_CODE_LEN, row=row)
    if kind == "ean13":
        ean = as_ean13(text)
        if ean is None:
            raise ValidationError("bad_ean", value=text, **_at(row))
        text = ean
    if lot_id_from_payload(text) is not None:     # our lot labels' own prefix
        raise ValidationError("code_reserved", value=text, **_at(row))
    key = code_key(text)
    if not key:
        raise ValidationError("required", field="code", **_at(row))
    return text, key


def add_code(db: Database, *, actor, sku, code, kind="other", supplier=None) -> None:
    """Give an item one more code. A code already on another item (or another
    item's SKU) is refused naming both items; the same code again is a no-op."""
    kind = str(kind or "other").strip().lower()
    text, key = clean_item_code(code, kind)

    def work(session):
        user = require_role(session, actor, *MASTER_DATA_ROLES, *LEARNING_ROLES)
        if not user.role_names.intersection(MASTER_DATA_ROLES) and not (
                kind == "supplier" and supplier):
            # receivers only learn supplier part numbers; the rest is master data
            raise PermissionDenied(user=user.username, roles=", ".join(MASTER_DATA_ROLES))
        item = get_or_404(session, Item, "item", sku=str(sku).strip().upper())
        insert_codes(session, actor, item, [(text, key, kind)], supplier=supplier)

    db.write(work)


def insert_codes(session: Session, actor, item: Item, codes: Iterable[tuple[str, str, str]],
                 *, supplier=None, row: int | None = None) -> int:
    """Write cleaned (code, key, kind) rows for ``item`` in the caller's transaction;
    returns how many were new."""
    supplier_id = None
    if supplier:
        supplier_id = get_or_404(session, Supplier, "supplier",
                                 code=str(supplier).strip().upper()).id
    added = 0
    for text, key, kind in codes:
        owner = _owner_of_code(session, text, key)
        if owner is not None and owner != item.sku:
            raise Duplicate("code_other_item", value=text, other_sku=owner, sku=item.sku,
                            **_at(row))
        if owner == item.sku:
            continue
        if session.scalar(select(Location.id).where(Location.code == text.upper())):
            raise Duplicate("code_is_bin", value=text, sku=item.sku, **_at(row))
        session.add(ItemCode(item_id=item.id, code=text, code_key=key, kind=kind,
                             supplier_id=supplier_id, created_by=actor or ""))
        session.flush()     # a second row of this import may carry the same code
        audit(session, actor, "item.code_add", "item", item.sku, code=text, kind=kind,
              supplier=str(supplier or ""))
        added += 1
    return added


def _owner_of_code(session: Session, text: str, key: str) -> str | None:
    """The SKU a code already points to: an item code, or an item's own SKU."""
    owner = session.scalar(select(Item.sku).join(ItemCode, ItemCode.item_id == Item.id)
                           .where(ItemCode.code_key == key))
    if owner is None:
        owner = session.scalar(select(Item.sku).where(Item.sku.in_({text.upper(), key})))
    return owner


def refuse_skus_taken_by_codes(session: Session, skus: list[str],
                               rows: list[int] | None = None) -> None:
    """A new SKU may not equal another item's code (it would map to two items)."""
    keys = {code_key(s): i for i, s in enumerate(skus)}
    taken = session.execute(select(ItemCode.code_key, Item.sku)
                            .join(Item, Item.id == ItemCode.item_id)
                            .where(ItemCode.code_key.in_(list(keys)))).first()
    if taken is not None:
        index = keys[taken[0]]
        raise Duplicate("code_other_item", value=skus[index], other_sku=taken[1],
                        sku=skus[index], **_at(None if rows is None else rows[index]))


def remove_code(db: Database, *, actor, sku, code) -> None:
    key = code_key(str(code or ""))

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        item = get_or_404(session, Item, "item", sku=str(sku).strip().upper())
        row = session.scalar(select(ItemCode).where(ItemCode.item_id == item.id,
                                                    ItemCode.code_key == key))
        if row is None:
            raise NotFound(what="code", key=str(code))
        session.delete(row)
        audit(session, actor, "item.code_remove", "item", item.sku, code=row.code)

    db.write(work)


def list_codes(db: Database, sku) -> list[dict]:
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=str(sku).strip().upper())
        rows = session.scalars(select(ItemCode).where(ItemCode.item_id == item.id)
                               .order_by(ItemCode.kind, ItemCode.code))
        return [{"code": r.code, "kind": r.kind,
                 "supplier": r.supplier.code if r.supplier else ""} for r in rows]


def codes_from_import_row(raw: dict, row: int) -> list[tuple[str, str, str]]:
    """The cleaned codes in an item-import row's code columns (may be empty)."""
    found = []
    for column, kind in CODE_COLUMNS.items():
        cell = raw.get(column)
        if cell is None:
            continue
        for part in str(cell).replace("，", ";").replace(",", ";").split(";"):
            if part.strip():
                found.append((*clean_item_code(_digits_from_number(part.strip()), kind, row=row),
                              kind))
    return found


def _digits_from_number(text: str) -> str:
    # a spreadsheet keeps an EAN typed as a number as "6901234567892.0"
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


# --- resolving ----------------------------------------------------------------
def resolve_code(db: Database, code) -> Resolved:
    """What a typed or scanned code is: an item (its SKU or any of its codes), one of
    our lots (the lot label, or a supplier lot number held by one lot only), or a
    bin (its code). NotFound when nothing matches."""
    text = str(code or "").strip()
    if not text or len(text) > 200:
        raise NotFound("code_unknown", value=text[:60])
    with db.read() as session:
        found = (_as_item(session, text) or _as_lot_label(session, text)
                 or _as_bin(session, text) or _as_lot_no(session, text))
    if found is None:
        raise NotFound("code_unknown", value=text[:60])
    return found


def _as_item(session: Session, text: str) -> Resolved | None:
    sku = session.scalar(select(Item.sku).where(Item.sku == text.upper()))
    if sku is not None:
        return Resolved("item", sku=sku, matched="sku")
    sku = session.scalar(select(Item.sku).join(ItemCode, ItemCode.item_id == Item.id)
                         .where(ItemCode.code_key == code_key(text)))
    return Resolved("item", sku=sku, matched="code") if sku is not None else None


def item_ids_by_code(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """Which item each of these codes (as printed, e.g. on a delivery sheet) belongs to;
    codes no item carries are left out. One query."""
    by_key: dict[str, list[str]] = {}
    for code in codes:
        if code:
            by_key.setdefault(code_key(code), []).append(code)
    if not by_key:
        return {}
    rows = session.execute(select(ItemCode.code_key, ItemCode.item_id)
                           .where(ItemCode.code_key.in_(list(by_key))))
    return {code: item_id for key, item_id in rows for code in by_key[key]}


def _as_lot_label(session: Session, text: str) -> Resolved | None:
    lot_id = lot_id_from_payload(text)
    if lot_id is None:
        return None
    lot = session.get(Lot, lot_id)
    if lot is None:
        return None
    if lot.qty_on_hand == 0:    # moved away whole by a transfer: follow it to its stock
        lot = session.scalar(select(Lot).where(Lot.origin_lot_id == lot.id, Lot.qty_on_hand > 0)
                             .order_by(Lot.id)) or lot
    return Resolved("lot", sku=lot.item.sku, lot_no=lot.lot_no, location=lot.location.code,
                    lot_id=lot.id, matched="lot_label")


def _as_bin(session: Session, text: str) -> Resolved | None:
    location = session.scalar(select(Location.code).where(Location.code == text.upper()))
    return Resolved("bin", location=location, matched="bin") if location else None


def _as_lot_no(session: Session, text: str) -> Resolved | None:
    """A supplier's lot number typed in: only when one lot with stock carries it."""
    lots = session.scalars(select(Lot).where(Lot.lot_no.in_({text, text.upper()}),
                                             Lot.qty_on_hand > 0).limit(2)).all()
    if len(lots) != 1:
        return None
    lot = lots[0]
    return Resolved("lot", sku=lot.item.sku, lot_no=lot.lot_no, location=lot.location.code,
                    lot_id=lot.id, matched="lot_no")


# --- learning a supplier's part numbers at receiving -------------------------------
def learnable_codes(db: Database, receipt) -> list[dict]:
    """Lines of a receipt whose sheet code is not yet known but which were matched to
    a PO line: {line_no, code, sku, supplier}. The receiver may save each code as
    that supplier's part number for the item."""
    with db.read() as session:
        rows = session.execute(
            select(ReceiptLine.line_no, ReceiptLine.sheet_code, Item.sku, Supplier.code)
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
            .join(Item, Item.id == ReceiptLine.item_id)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .where(Receipt.number == str(receipt), ReceiptLine.sheet_code != "",
                   ReceiptLine.po_line_id.is_not(None))
            .order_by(ReceiptLine.line_no)).all()
        known = set(session.scalars(select(ItemCode.code_key).where(
            ItemCode.code_key.in_([code_key(r.sheet_code) for r in rows]))))
        return [{"line_no": r.line_no, "code": r.sheet_code, "sku": r.sku, "supplier": r.code}
                for r in rows if code_key(r.sheet_code) not in known]


def learn_code(db: Database, *, actor, receipt, line_no) -> str:
    """Save a receipt line's sheet code as its supplier's part number for the item the
    line was matched to (the line must be matched to a PO line). Returns the code."""
    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES, *LEARNING_ROLES)
        line = session.execute(
            select(ReceiptLine, Supplier.code)
            .join(Receipt, Receipt.id == ReceiptLine.receipt_id)
            .join(Supplier, Supplier.id == Receipt.supplier_id)
            .where(Receipt.number == str(receipt), ReceiptLine.line_no == int(line_no))).first()
        if line is None:
            raise NotFound(what="receipt_line", key=f"{receipt}/{line_no}")
        receipt_line, supplier = line
        if not receipt_line.sheet_code or receipt_line.po_line_id is None:
            raise ValidationError("code_not_learnable", line=int(line_no))
        text, key = clean_item_code(receipt_line.sheet_code, "supplier")
        item = session.get(Item, receipt_line.item_id)
        insert_codes(session, actor, item, [(text, key, "supplier")], supplier=supplier)
        return text

    return db.write(work)
