"""Checking what a sheet says against the PO it is received on (pure rules)."""
from __future__ import annotations

import re
from collections.abc import Sequence

from services.sheets.vocabulary import norm

# Legal-form words dropped before names are compared ("华达汽配有限公司" ~ "华达汽配").
_LEGAL = re.compile(r"(股份)?有限(责任)?公司|公司|co\.?,?\s*ltd\.?|limited|ltd\.?|inc\.?|"
                    r"gmbh|llc|corp(oration)?\.?|company", re.I)


def _name_key(name: str) -> str:
    return norm(_LEGAL.sub("", name or ""))


def same_supplier(sheet_name: str, supplier_name: str, supplier_code: str = "") -> bool:
    """The name printed on the sheet is the PO's supplier (one contains the other
    once legal forms and punctuation are dropped, or it is the supplier's code)."""
    printed, ours = _name_key(sheet_name), _name_key(supplier_name)
    if not printed:
        return True
    if supplier_code and norm(supplier_code) == printed:
        return True
    return bool(ours) and (printed in ours or ours in printed)


def sheet_mismatch(*, sheet_pos: Sequence[str], sheet_supplier: str, po_number: str,
                   supplier_name: str, supplier_code: str = "") -> dict | None:
    """What stops a sheet being received against this PO: the PO(s) it names are
    others, or it comes from another supplier. None when it fits."""
    named = [p for p in dict.fromkeys(p.strip() for p in sheet_pos) if p]
    if named and po_number not in named:
        return {"kind": "po", "sheet_value": ", ".join(named), "po_value": po_number}
    if not same_supplier(sheet_supplier, supplier_name, supplier_code):
        return {"kind": "supplier", "sheet_value": sheet_supplier,
                "po_value": f"{supplier_name} ({supplier_code})" if supplier_code else supplier_name}
    return None


def note_key(note_no: str, po_number: str, sheet_pos: Sequence[str]) -> str:
    """The delivery note's registered number. A note spanning several POs is
    received once per PO (one receipt each), so its number is kept per PO."""
    if len({p for p in sheet_pos if p}) < 2:
        return note_no
    suffix = f"/{po_number}"
    return note_no[:60 - len(suffix)] + suffix
