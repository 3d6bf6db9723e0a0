"""What a receiver teaches the reader, kept per supplier: the column mapping of one
sheet layout (found again by its header words) and which printed price compares
with the PO. ``supplier_profile`` hands it to ``read_delivery_sheet(supplier=...)``,
which applies it automatically and says so on the sheet."""
from __future__ import annotations

from sqlalchemy import delete, select

from db import Database
from db.models import SheetMapping, Supplier
from services import clock
from services.common import audit, get_or_404, require_role
from services.errors import ValidationError
from services.sheets.reader import PRICE_BASES, ColumnMapping, SupplierProfile, header_signature
from services.sheets.vocabulary import LINE_FIELDS

TEACH_ROLES = ("receiver", "keeper", "purchasing", "supervisor", "admin")
MANAGE_ROLES = ("purchasing", "admin")
ITEM_FIELDS = ("sku", "name", "name_spec", "barcode")
MAX_COLUMNS = 200

__all__ = ["supplier_profile", "save_mapping", "list_mappings", "delete_mapping",
           "set_price_basis", "TEACH_ROLES", "MANAGE_ROLES"]


def supplier_profile(db: Database, supplier: str | None) -> SupplierProfile | None:
    """The reader's view of a supplier (by code): saved mappings and price basis."""
    if not supplier:
        return None
    with db.read() as session:
        row = session.scalar(select(Supplier).where(Supplier.code == supplier))
        if row is None:
            return None
        saved = session.scalars(select(SheetMapping).where(SheetMapping.supplier_id == row.id))
        mappings = {m.signature: ColumnMapping(m.header_row, {f: int(c) for f, c in m.columns.items()})
                    for m in saved}
        return SupplierProfile(code=row.code, name=row.name, price_basis=row.price_basis,
                               mappings=mappings)


def clean_columns(columns: dict[str, int], width: int) -> dict[str, int]:
    """field -> column, every field known, none twice, quantity and an item column."""
    cleaned: dict[str, int] = {}
    seen: dict[int, str] = {}
    for f, c in columns.items():
        if f == "ignore":
            continue
        if f not in LINE_FIELDS:
            raise ValidationError("invalid_choice", field="mapping", value=f)
        if not isinstance(c, int) or not 0 <= c < min(width or MAX_COLUMNS, MAX_COLUMNS):
            raise ValidationError("invalid_choice", field="mapping", value=str(c))
        if c in seen:
            raise ValidationError("mapping_field_twice", field=f)
        seen[c] = f
        cleaned[f] = c
    if "qty" not in cleaned or not set(cleaned) & set(ITEM_FIELDS):
        raise ValidationError("mapping_needs_item_and_qty", field="mapping")
    return cleaned


def save_mapping(db: Database, *, actor: str, supplier: str, header_cells: list[str],
                 header_row: int, columns: dict[str, int]) -> int:
    """Keep (or replace) the supplier's mapping for the layout with these header words."""
    cleaned = clean_columns(columns, len(header_cells))
    signature = header_signature(header_cells)
    text = " | ".join(c for c in header_cells if c)[:2000]

    def work(session):
        require_role(session, actor, *TEACH_ROLES)
        row = get_or_404(session, Supplier, "supplier", code=supplier)
        mapping = session.scalar(select(SheetMapping).where(
            SheetMapping.supplier_id == row.id, SheetMapping.signature == signature))
        if mapping is None:
            mapping = SheetMapping(supplier_id=row.id, signature=signature)
            session.add(mapping)
        mapping.header_row, mapping.header_text, mapping.columns = header_row, text, cleaned
        mapping.updated_by, mapping.updated_at = actor, clock.now()
        session.flush()
        audit(session, actor, "sheet_mapping_saved", "supplier", supplier,
              signature=signature, columns=cleaned)
        return mapping.id

    return db.write(work)


def list_mappings(db: Database, *, supplier: str | None = None) -> list[dict]:
    with db.read() as session:
        query = (select(SheetMapping, Supplier.code, Supplier.name)
                 .join(Supplier, Supplier.id == SheetMapping.supplier_id)
                 .order_by(Supplier.code, SheetMapping.updated_at.desc()))
        if supplier:
            query = query.where(Supplier.code == supplier)
        return [{"id": m.id, "supplier": code, "supplier_name": name, "signature": m.signature,
                 "header_row": m.header_row, "headers": m.header_text, "columns": dict(m.columns),
                 "updated_by": m.updated_by, "updated_at": m.updated_at}
                for m, code, name in session.execute(query)]


def delete_mapping(db: Database, *, actor: str, mapping_id: int) -> None:
    def work(session):
        require_role(session, actor, *MANAGE_ROLES)
        mapping = get_or_404(session, SheetMapping, "sheet_mapping", id=mapping_id)
        session.execute(delete(SheetMapping).where(SheetMapping.id == mapping.id))
        audit(session, actor, "sheet_mapping_deleted", "sheet_mapping", mapping_id)

    db.write(work)


def update_mapping(db: Database, *, actor: str, mapping_id: int, columns: dict[str, int]) -> None:
    """Purchasing or admin corrects a saved mapping."""
    def work(session):
        require_role(session, actor, *MANAGE_ROLES)
        mapping = get_or_404(session, SheetMapping, "sheet_mapping", id=mapping_id)
        mapping.columns = clean_columns(columns, MAX_COLUMNS)
        mapping.updated_by, mapping.updated_at = actor, clock.now()
        audit(session, actor, "sheet_mapping_saved", "sheet_mapping", mapping_id,
              columns=mapping.columns)

    db.write(work)


def set_price_basis(db: Database, *, actor: str, supplier: str, basis: str) -> None:
    """Which of the supplier's printed prices (with or without tax) compares with the PO."""
    if basis not in PRICE_BASES:
        raise ValidationError("price_basis_unknown", field="price_basis", value=basis)

    def work(session):
        require_role(session, actor, *MANAGE_ROLES)
        row = get_or_404(session, Supplier, "supplier", code=supplier)
        row.price_basis = basis
        audit(session, actor, "price_basis_set", "supplier", supplier, basis=basis)

    db.write(work)
