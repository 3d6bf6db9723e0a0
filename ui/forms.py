"""Form fragments shared by master-data pages."""
from __future__ import annotations

from decimal import Decimal

import streamlit as st

from ui.i18n import t

BOOL_FIELDS = ("genuine", "tracks_expiry", "full_inspection", "is_assembly",
               "requires_old_part", "hazardous")


def item_fields(defaults: dict, *, key: str, locations: list[str], new: bool) -> dict:
    """Inputs for every item field inside an open st.form; returns the values."""
    values: dict = {}
    left, right = st.columns(2)
    if new:
        values["sku"] = left.text_input(t("field.sku"), key=f"{key}_sku", max_chars=40)
    values["name"] = right.text_input(t("field.name"), defaults.get("name", ""), key=f"{key}_name")
    values["name_zh"] = left.text_input(t("field.name_zh"), defaults.get("name_zh", ""), key=f"{key}_name_zh")
    values["spec"] = right.text_input(t("field.spec"), defaults.get("spec", ""), key=f"{key}_spec")
    values["brand"] = left.text_input(t("field.brand"), defaults.get("brand", ""), key=f"{key}_brand")
    values["unit"] = right.text_input(t("field.unit"), defaults.get("unit", "pcs"), key=f"{key}_unit")
    values["category"] = left.text_input(t("field.category"), defaults.get("category", ""), key=f"{key}_category")
    values["reorder_level"] = right.text_input(
        t("field.reorder_level"), str(defaults.get("reorder_level", Decimal(0)).normalize()
                                      if isinstance(defaults.get("reorder_level"), Decimal)
                                      else defaults.get("reorder_level", "0")),
        key=f"{key}_reorder")
    values["min_shelf_life_days"] = left.number_input(
        t("field.min_shelf_life_days"), 0, 3650, int(defaults.get("min_shelf_life_days", 0)),
        key=f"{key}_shelf")
    policies = ["FIFO", "FEFO"]
    values["issue_policy"] = right.selectbox(
        t("field.issue_policy"), policies, policies.index(defaults.get("issue_policy", "FIFO")),
        key=f"{key}_policy")
    options = [""] + locations
    current = defaults.get("default_location", "") or ""
    values["default_location"] = left.selectbox(
        t("field.default_location"), options, options.index(current) if current in options else 0,
        key=f"{key}_loc")
    cols = st.columns(3)
    for i, field in enumerate(BOOL_FIELDS):
        values[field] = cols[i % 3].checkbox(
            t(f"field.{field}"), bool(defaults.get(field, field == "genuine")), key=f"{key}_{field}")
    return values
