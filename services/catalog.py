"""Master data: items, suppliers, warehouses and locations."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

from sqlalchemy import func, or_, select

from db import Database
from db.models import ISSUE_POLICIES, LOCATION_KINDS, Item, Location, Supplier, Warehouse
from services.common import audit, clean_code, clean_text, get_or_404, require_role, to_decimal
from services.errors import Duplicate, NotFound, ValidationError
from services import codes as _codes
from services.codes import Resolved, add_code, list_codes, remove_code, resolve_code  # noqa: F401

# --- units and pack units (services/units.py) ------------------------------------------
# An item's pack units, e.g. "箱=12; BOSCH:箱=10" in the item import's pack-units column.
from services.units import (  # noqa: F401
    PACK_UNITS_FIELD,
    PACK_UNITS_HEADERS,
    import_pack_units,
    pack_unit_cells as _pack_unit_cells,
    pack_units,
    remove_pack_unit,
    set_pack_unit,
)

MASTER_DATA_ROLES = ("admin", "supervisor")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "对", "√", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "", "none"}

# field -> (kind, max length or places). Shared by forms, the API and the importer.
ITEM_FIELDS: dict[str, tuple[str, int]] = {
    "sku": ("code", 40),
    "name": ("text_required", 200),
    "name_zh": ("text", 200),
    "spec": ("text", 200),
    "brand": ("text", 80),
    "unit": ("text_required", 20),
    "category": ("text", 80),
    "genuine": ("bool", 0),
    "tracks_expiry": ("bool", 0),
    "min_shelf_life_days": ("days", 0),
    "full_inspection": ("bool", 0),
    "is_assembly": ("bool", 0),
    "requires_old_part": ("bool", 0),
    "hazardous": ("bool", 0),
    "reorder_level": ("qty", 3),
    "issue_policy": ("policy", 0),
}
ITEM_DEFAULTS = {
    "name_zh": "", "spec": "", "brand": "", "unit": "pcs", "category": "", "genuine": True,
    "tracks_expiry": False, "min_shelf_life_days": 0, "full_inspection": False,
    "is_assembly": False, "requires_old_part": False, "hazardous": False,
    "reorder_level": Decimal(0), "issue_policy": "FIFO",
}


def _clean_code(value: Any, field: str, *, max_len: int, row: int | None = None) -> str:
    return clean_code(value, field, max_len=max_len, row=row)


def _to_bool(value: Any, field: str, row: int | None) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    where = {"field": field} if row is None else {"field": field, "row": row}
    raise ValidationError("not_yes_no", value=str(value), **where)


def _clean_field(field: str, value: Any, row: int | None = None) -> Any:
    kind, size = ITEM_FIELDS[field]
    if kind == "code":
        code = _clean_code(value, field, max_len=size, row=row)
        if any(ch.isspace() for ch in code):
            raise ValidationError("no_spaces", field=field, **({} if row is None else {"row": row}))
        return code
    if kind in ("text", "text_required"):
        return clean_text(value, field, max_len=size, required=kind == "text_required", row=row)
    if kind == "bool":
        return _to_bool(value, field, row)
    if kind == "days":
        days = to_decimal(value if value not in (None, "") else 0, field, places=0, row=row,
                          maximum=Decimal(3650))
        return int(days)
    if kind == "qty":
        return to_decimal(value if value not in (None, "") else 0, field, places=size, row=row)
    if kind == "policy":
        policy = str(value or "FIFO").strip().upper()
        if policy not in ISSUE_POLICIES:
            raise ValidationError("invalid_choice", field=field, value=str(value),
                                  **({} if row is None else {"row": row}))
        return policy
    raise AssertionError(kind)


def clean_item(values: Mapping[str, Any], row: int | None = None, *, partial=False) -> dict:
    """Validate item fields; unknown fields are refused. ``partial`` for edits."""
    unknown = set(values) - set(ITEM_FIELDS) - {"default_location"}
    if unknown:
        raise ValidationError("unknown_field", field=", ".join(sorted(unknown)))
    source = dict(values) if partial else {**ITEM_DEFAULTS, **values}
    cleaned = {f: _clean_field(f, v, row) for f, v in source.items() if f in ITEM_FIELDS}
    if "default_location" in values:
        cleaned["default_location"] = values["default_location"] or None
    return cleaned


def _location_id(session, code: str | None) -> int | None:
    if not code:
        return None
    return get_or_404(session, Location, "location", code=code).id


# --- items -----------------------------------------------------------------
def create_item(db: Database, *, actor, sku, name, unit="pcs", spec="", brand="",
                category="", genuine=True, tracks_expiry=False, min_shelf_life_days=0,
                full_inspection=False, is_assembly=False, requires_old_part=False,
                reorder_level=0, issue_policy="FIFO", name_zh="", hazardous=False,
                default_location=None) -> None:
    fields = clean_item({
        "sku": sku, "name": name, "unit": unit, "spec": spec, "brand": brand,
        "category": category, "genuine": genuine, "tracks_expiry": tracks_expiry,
        "min_shelf_life_days": min_shelf_life_days, "full_inspection": full_inspection,
        "is_assembly": is_assembly, "requires_old_part": requires_old_part,
        "reorder_level": reorder_level, "issue_policy": issue_policy, "name_zh": name_zh,
        "hazardous": hazardous, "default_location": default_location,
    })
    db.write(lambda session: _insert_items(session, actor, [fields]))


def _insert_items(session, actor, rows: list[dict], rows_numbers: list[int] | None = None):
    require_role(session, actor, *MASTER_DATA_ROLES)
    skus = [r["sku"] for r in rows]
    existing = set(session.scalars(select(Item.sku).where(Item.sku.in_(skus))))
    seen: set[str] = set()
    for index, row in enumerate(rows):
        where = {} if rows_numbers is None else {"row": rows_numbers[index]}
        if row["sku"] in existing or row["sku"] in seen:
            raise Duplicate(field="sku", value=row["sku"], **where)
        seen.add(row["sku"])
    _codes.refuse_skus_taken_by_codes(session, skus, rows_numbers)
    for index, row in enumerate(rows):
        row = dict(row)
        location_id = _location_id(session, row.pop("default_location", None))
        item_codes = row.pop("codes", ())
        item = Item(**row, default_location_id=location_id)
        session.add(item)
        if item_codes:      # codes imported with the item
            session.flush()
            _codes.insert_codes(session, actor, item, item_codes,
                                row=None if rows_numbers is None else rows_numbers[index])
    audit(session, actor, "item.create", "item", skus[0] if len(skus) == 1 else f"{len(skus)} items",
          skus=skus if len(skus) <= 50 else skus[:50] + ["…"])


def update_item(db: Database, *, actor, sku, **changes) -> None:
    """Edit fields of an item (the SKU itself is its identity and never changes)."""
    changes.pop("sku", None)
    cleaned = clean_item(changes, partial=True)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        item = get_or_404(session, Item, "item", sku=sku)
        if "default_location" in cleaned:
            item.default_location_id = _location_id(session, cleaned.pop("default_location"))
        before = {f: getattr(item, f) for f in cleaned}
        for field, value in cleaned.items():
            setattr(item, field, value)
        audit(session, actor, "item.update", "item", sku,
              changes={f: [before[f], v] for f, v in cleaned.items() if before[f] != v})

    db.write(work)


def set_item_active(db: Database, *, actor, sku, active: bool) -> None:
    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        get_or_404(session, Item, "item", sku=sku).active = bool(active)
        audit(session, actor, "item.activate" if active else "item.deactivate", "item", sku)

    db.write(work)


def deactivate_item(db: Database, *, actor, sku) -> None:
    set_item_active(db, actor=actor, sku=sku, active=False)


def import_items(db: Database, *, actor, rows: Iterable[Mapping[str, Any]],
                 first_row: int = 2) -> int:
    """Create many items at once: all or nothing. Errors name the sheet row.

    Returns the number created. Raises ValidationError with ``errors`` (a list of
    {row, field, code, params}) when any row is bad."""
    cleaned, numbers, errors, packs = [], [], [], []
    for offset, raw in enumerate(rows):
        row_no = first_row + offset
        if raw is None:  # a blank line in the sheet
            continue
        values = {k: v for k, v in raw.items() if k in ITEM_FIELDS or k == "default_location"}
        try:
            cleaned.append({**clean_item(values, row=row_no),
                            "codes": _codes.codes_from_import_row(raw, row_no)})
            numbers.append(row_no)
            packs.extend(_pack_unit_cells(cleaned[-1]["sku"], raw.get(PACK_UNITS_FIELD), row_no))
        except ValidationError as exc:
            errors.append({"row": row_no, "code": exc.code, "params": exc.params})
    if errors:
        raise ValidationError("import_rows_invalid", count=len(errors), errors=errors)
    if not cleaned:
        raise ValidationError("import_empty", field="file")

    def work(session):
        _insert_items(session, actor, cleaned, numbers)
        if packs:
            session.flush()
            import_pack_units(session, actor, packs)

    db.write(work)
    return len(cleaned)


# Header words accepted in an item import file (lower-cased), English and Chinese.
ITEM_HEADER_ALIASES = {
    **{f: f for f in ITEM_FIELDS},
    **{f.replace("_", " "): f for f in ITEM_FIELDS},
    "编码": "sku", "配件编码": "sku", "物料编码": "sku", "code": "sku",
    "name (en)": "name", "英文名称": "name", "名称": "name_zh", "品名": "name_zh",
    "中文名称": "name_zh", "配件名称": "name_zh", "chinese name": "name_zh",
    "规格": "spec", "型号": "spec", "规格型号": "spec", "品牌": "brand", "单位": "unit",
    "类别": "category", "分类": "category", "原厂件": "genuine", "管理效期": "tracks_expiry",
    "最短剩余效期": "min_shelf_life_days", "全检": "full_inspection", "总成件": "is_assembly",
    "领新交旧": "requires_old_part", "危险品": "hazardous", "储备定额": "reorder_level",
    "出库规则": "issue_policy",
    **PACK_UNITS_HEADERS,
    **_codes.CODE_HEADER_ALIASES,
}


def import_items_file(db: Database, *, actor, data: bytes, filename: str) -> int:
    """Import items from an uploaded .xlsx/.csv (English or Chinese headers).

    A file with only Chinese names uses them as the English name too."""
    from services.uploads import read_table, rows_as_dicts

    with db.read() as session:   # refuse before spending any effort on the file
        require_role(session, actor, *MASTER_DATA_ROLES)
    records, first_row = rows_as_dicts(read_table(data, filename), ITEM_HEADER_ALIASES)
    for record in records:
        if record is not None and not record.get("name") and record.get("name_zh"):
            record["name"] = record["name_zh"]
    return import_items(db, actor=actor, rows=records, first_row=first_row)


def get_item(db: Database, sku: str) -> dict:
    with db.read() as session:
        item = get_or_404(session, Item, "item", sku=sku)
        return _item_dict(item)


def _item_dict(item: Item) -> dict:
    data = {f: getattr(item, f) for f in ITEM_FIELDS}
    data["active"] = item.active
    data["default_location"] = item.default_location.code if item.default_location else ""
    return data


def list_items(db: Database, *, search: str | None = None, category: str | None = None,
               active_only: bool = False, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """One page of items and the total count; search matches SKU, name (en/zh),
    spec and brand."""
    with db.read() as session:
        query = select(Item)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(
                Item.sku.ilike(pattern), Item.name.ilike(pattern), Item.name_zh.like(pattern),
                Item.spec.ilike(pattern), Item.brand.ilike(pattern),
            ))
        if category:
            query = query.where(Item.category == category)
        if active_only:
            query = query.where(Item.active.is_(True))
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        items = session.scalars(query.order_by(Item.sku).limit(limit).offset(offset))
        return [_item_dict(i) for i in items], total


def categories(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(
            select(Item.category).where(Item.category != "").distinct().order_by(Item.category)
        ))


# --- suppliers -------------------------------------------------------------
def create_supplier(db: Database, *, actor, code, name, address="", contact="") -> None:
    code = _clean_code(code, "code", max_len=30)
    name = clean_text(name, "name", max_len=120, required=True)
    address = clean_text(address, "address", max_len=200)
    contact = clean_text(contact, "contact", max_len=120)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        if session.scalar(select(Supplier.id).where(Supplier.code == code)):
            raise Duplicate(field="code", value=code)
        session.add(Supplier(code=code, name=name, address=address, contact=contact))
        audit(session, actor, "supplier.create", "supplier", code, name=name)

    db.write(work)


def update_supplier(db: Database, *, actor, code, name=None, address=None, contact=None,
                    active=None) -> None:
    changes = {}
    if name is not None:
        changes["name"] = clean_text(name, "name", max_len=120, required=True)
    if address is not None:
        changes["address"] = clean_text(address, "address", max_len=200)
    if contact is not None:
        changes["contact"] = clean_text(contact, "contact", max_len=120)
    if active is not None:
        changes["active"] = bool(active)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        supplier = get_or_404(session, Supplier, "supplier", code=code)
        for field, value in changes.items():
            setattr(supplier, field, value)
        audit(session, actor, "supplier.update", "supplier", code, **changes)

    db.write(work)


def list_suppliers(db: Database, *, search: str | None = None, active_only=False) -> list[dict]:
    with db.read() as session:
        query = select(Supplier).order_by(Supplier.code)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(or_(Supplier.code.ilike(pattern), Supplier.name.ilike(pattern)))
        if active_only:
            query = query.where(Supplier.active.is_(True))
        return [
            {"code": s.code, "name": s.name, "address": s.address, "contact": s.contact,
             "active": s.active}
            for s in session.scalars(query)
        ]


# --- warehouses and locations ---------------------------------------------
def create_warehouse(db: Database, *, actor, code, name, name_zh="") -> None:
    code = _clean_code(code, "code", max_len=20)
    name = clean_text(name, "name", max_len=100, required=True)
    name_zh = clean_text(name_zh, "name_zh", max_len=100)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        if session.scalar(select(Warehouse.id).where(Warehouse.code == code)):
            raise Duplicate(field="code", value=code)
        session.add(Warehouse(code=code, name=name, name_zh=name_zh))
        audit(session, actor, "warehouse.create", "warehouse", code, name=name)

    db.write(work)


def list_warehouses(db: Database) -> list[dict]:
    with db.read() as session:
        return [{"code": w.code, "name": w.name, "name_zh": w.name_zh, "active": w.active}
                for w in session.scalars(select(Warehouse).order_by(Warehouse.code))]


def create_location(db: Database, *, actor, code, zone, kind="storage", warehouse=None) -> None:
    """A bin or area. ``warehouse`` (code) defaults to the first warehouse, which is
    created as MAIN when none exists yet."""
    code = _clean_code(code, "code", max_len=40)
    zone = clean_text(zone, "zone", max_len=60, required=True)
    if kind not in LOCATION_KINDS:
        raise ValidationError("invalid_choice", field="kind", value=str(kind))

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        if session.scalar(select(Location.id).where(Location.code == code)):
            raise Duplicate(field="code", value=code)
        house = _warehouse_for(session, warehouse)
        session.add(Location(code=code, zone=zone, kind=kind, warehouse_id=house.id))
        audit(session, actor, "location.create", "location", code, zone=zone, kind=kind,
              warehouse=house.code)

    db.write(work)


def _warehouse_for(session, code: str | None) -> Warehouse:
    if code:
        house = session.scalar(select(Warehouse).where(Warehouse.code == code.upper()))
        if house is None:
            raise NotFound(what="warehouse", key=code)
        return house
    house = session.scalar(select(Warehouse).order_by(Warehouse.id).limit(1))
    if house is None:
        house = Warehouse(code="MAIN", name="Main warehouse", name_zh="总仓")
        session.add(house)
        session.flush()
    return house


def update_location(db: Database, *, actor, code, zone=None, kind=None, active=None) -> None:
    if kind is not None and kind not in LOCATION_KINDS:
        raise ValidationError("invalid_choice", field="kind", value=str(kind))
    if zone is not None:
        zone = clean_text(zone, "zone", max_len=60, required=True)

    def work(session):
        require_role(session, actor, *MASTER_DATA_ROLES)
        location = get_or_404(session, Location, "location", code=code)
        changes = {k: v for k, v in {"zone": zone, "kind": kind, "active": active}.items()
                   if v is not None}
        if changes.get("active") is False and _location_has_stock(session, location.id):
            raise ValidationError("location_has_stock", field="active", location=code)
        for field, value in changes.items():
            setattr(location, field, value)
        audit(session, actor, "location.update", "location", code, **changes)

    db.write(work)


def _location_has_stock(session, location_id: int) -> bool:
    from db.models import StockBalance

    return bool(session.scalar(
        select(func.count()).select_from(StockBalance)
        .where(StockBalance.location_id == location_id, StockBalance.qty != 0)
    ))


def list_locations(db: Database, *, warehouse=None, zone=None, kind=None,
                   active_only=False, search=None) -> list[dict]:
    with db.read() as session:
        query = select(Location, Warehouse.code).join(Warehouse).order_by(Location.code)
        if warehouse:
            query = query.where(Warehouse.code == warehouse)
        if zone:
            query = query.where(Location.zone == zone)
        if kind:
            query = query.where(Location.kind == kind)
        if active_only:
            query = query.where(Location.active.is_(True))
        if search:
            query = query.where(Location.code.ilike(f"%{search.strip()}%"))
        return [
            {"code": loc.code, "zone": loc.zone, "kind": loc.kind, "warehouse": house,
             "active": loc.active, "frozen": loc.frozen_by_stocktake_id is not None}
            for loc, house in session.execute(query)
        ]


def zones(db: Database, *, warehouse=None) -> list[str]:
    """Zone names, of one warehouse (code) when given."""
    with db.read() as session:
        query = select(Location.zone).distinct().order_by(Location.zone)
        if warehouse:
            query = query.join(Warehouse, Warehouse.id == Location.warehouse_id) \
                .where(Warehouse.code == warehouse)
        return list(session.scalars(query))

