"""Cleaning ``start_receipt``'s inputs before its transaction opens: the PO and
note numbers, the sheet's PO numbers, supplier and date, the lines of this PO,
the source file's and photos' checksums, and the photos cleaned (re-encoded without
EXIF/GPS, thumbnailed) as every photo the product keeps."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from services import clock, delivery_sheet
from services.images import CleanPhoto, clean_photo
from services.common import clean_text
from services.errors import ValidationError
from services.receiving.common import _clean_date, _clean_lines
from services.sheets import checks


@dataclass(frozen=True)
class _StartInputs:
    """``start_receipt``'s arguments, cleaned before the transaction opens."""
    po_number: str
    note_no: str
    filename: str
    reason: str
    sheet_pos: list[str]
    printed_supplier: str
    delivered: Any
    lines: list[dict]
    sha: str | None
    evidence: dict[str, tuple[CleanPhoto, str]]     # raw sha256 -> cleaned photo, name
    source_photo: CleanPhoto | None                 # the source file, when it is a photo
    note_key: str
    arrived: datetime
    claim: str | None


def _clean_start_inputs(*, po_number, delivery_note_no, lines, source_file, filename,
                        arrived_at, claim, photos, sheet, sheet_po_numbers, sheet_supplier,
                        delivery_date, override_reason) -> _StartInputs:
    """Validate and normalise the inputs; the sheet fills in what was not passed."""
    po_number = clean_text(po_number, "po_number", max_len=40, required=True)
    note_no = clean_text(delivery_note_no, "delivery_note_no", max_len=60, required=True)
    filename = clean_text(filename, "file", max_len=200)
    reason = clean_text(override_reason, "override_reason", max_len=200)
    sheet_pos = list(sheet_po_numbers if sheet_po_numbers is not None
                     else (sheet.po_numbers if sheet is not None else []))
    printed_supplier = sheet_supplier if sheet_supplier is not None else (
        sheet.supplier_name if sheet is not None else "")
    delivered = _clean_date(delivery_date if delivery_date is not None else (
        sheet.delivery_date if sheet is not None else None), "delivery_date", 0)
    cleaned = _lines_of_po(_clean_lines(lines), po_number, sheet_pos)
    sha = _file_sha(source_file)
    evidence = _evidence_photos(photos, skip=sha)
    source_photo = _cleaned_source(source_file)
    if len(set(sheet_pos)) > 1 and sha:
        sha = hashlib.sha256(f"{sha}/{po_number}".encode()).hexdigest()
    note_key = checks.note_key(note_no, po_number, sheet_pos)
    arrived = arrived_at or clock.now()
    claim = clean_text(claim, "claim", max_len=40).upper() or None
    return _StartInputs(
        po_number=po_number, note_no=note_no, filename=filename, reason=reason,
        sheet_pos=sheet_pos, printed_supplier=printed_supplier, delivered=delivered,
        lines=cleaned, sha=sha, evidence=evidence, source_photo=source_photo,
        note_key=note_key, arrived=arrived, claim=claim)


def _evidence_photos(photos: Iterable[tuple[bytes, str]], skip: str | None
                     ) -> dict[str, tuple[CleanPhoto, str]]:
    """Photos by the sha256 of what was sent (a page sent twice is kept once), each
    a real image in the upload limits, cleaned."""
    from services.photo.evidence import is_photo

    kept: dict[str, tuple[CleanPhoto, str]] = {}
    for page, (data, name) in enumerate(photos, start=1):
        name = clean_text(name, "photo", max_len=200) or f"page-{page}.jpg"
        if not isinstance(data, (bytes, bytearray)) or not is_photo(bytes(data[:16])):
            raise ValidationError("note_photo_unreadable", field="photo", filename=name)
        photo_sha = _file_sha(bytes(data))
        if photo_sha != skip and photo_sha not in kept:
            kept[photo_sha] = (clean_photo(bytes(data)), name)
    return kept


def _cleaned_source(source_file: bytes | None) -> CleanPhoto | None:
    """A note started from a photo keeps the photo cleaned like any other (its
    checksum, which recognises the same note sent again, is of what was sent)."""
    from services.photo.evidence import is_photo

    if source_file is None or not is_photo(bytes(source_file[:16])):
        return None
    return clean_photo(bytes(source_file))


def _file_sha(source_file: bytes | None) -> str | None:
    if source_file is None:
        return None
    if len(source_file) > delivery_sheet.MAX_FILE_BYTES:
        raise ValidationError("file_too_large", field="file",
                              limit_mb=delivery_sheet.MAX_FILE_BYTES // (1024 * 1024))
    return hashlib.sha256(source_file).hexdigest()


def _lines_of_po(cleaned: list[dict], po_number: str, sheet_pos: list[str]) -> list[dict]:
    """On a sheet spanning several POs, this PO's receipt takes its own lines and the
    lines naming no PO; the others go to their own POs' receipts."""
    others = set(sheet_pos) - {po_number}
    if not others or po_number not in sheet_pos:
        return cleaned
    mine = [line for line in cleaned if line["po_number"] not in others]
    if not mine:
        raise ValidationError("required", field="lines")
    return mine
