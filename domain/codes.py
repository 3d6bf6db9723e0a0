"""Codes printed on parts and labels: GTIN check digits (EAN-13, UPC-A), the
normalised key a typed or scanned code is matched by, and the payload of our
own lot labels. Pure Python."""
from __future__ import annotations

import re

CODE_KINDS = ("ean13", "oe", "supplier", "other")
LOT_LABEL_PREFIX = "LOT:"
# Separators that printed part numbers carry inconsistently (04465-33450, 04465 33450).
_SEPARATORS = re.compile(r"[\s\-./_]+")


def gtin_check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (EAN-13: 12 digits, UPC-A: 11).

    Weights 3 and 1 alternate from the rightmost body digit."""
    if not body.isdigit():
        raise ValueError("digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    """True for an EAN-13 or UPC-A whose last digit is the right check digit."""
    return (code.isascii() and code.isdigit() and len(code) in (12, 13)
            and gtin_check_digit(code[:-1]) == int(code[-1]))


def as_ean13(code: str) -> str | None:
    """The 13-digit form of a valid EAN-13 or UPC-A (UPC-A is EAN-13 with a leading 0)."""
    code = code.strip()
    if not is_valid_gtin(code):
        return None
    return code if len(code) == 13 else "0" + code


def code_key(code: str) -> str:
    """What a code is matched by: upper case without separators; a UPC-A becomes
    its EAN-13 form so the 12 digits a scanner sends find the 13 we stored."""
    key = _SEPARATORS.sub("", code.strip().upper())
    return as_ean13(key) or key


def lot_label_payload(lot_id: int) -> str:
    """What a lot label's symbol carries: our lot id (supplier lot numbers repeat)."""
    return f"{LOT_LABEL_PREFIX}{int(lot_id)}"


def lot_id_from_payload(text: str) -> int | None:
    text = text.strip().upper()
    if not text.startswith(LOT_LABEL_PREFIX):
        return None
    digits = text[len(LOT_LABEL_PREFIX):]
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else None
