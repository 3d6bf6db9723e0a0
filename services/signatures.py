"""Proof of a second person: every second-person step (receipt co-sign, assembly
and scrap approval) names that person AND carries their password, checked here,
so a name typed on someone else's tablet signs nothing. The check goes through
``users.authenticate``, so guessing a co-signer's password is throttled like a
login."""
from __future__ import annotations

from db import Database
from services.common import clean_text
from services.errors import PermissionDenied, ValidationError


def proved_signer(db: Database, username, password, *, field: str, password_field: str,
                  wrong_code: str = "signature_wrong_password", wrong=PermissionDenied,
                  client_address: str | None = None) -> str:
    """``username`` (cleaned, lower case) once ``password`` is proved to be theirs.

    A name without a password is refused with ``signature_proof_required``; a wrong
    password (or an inactive, unknown or throttled name) with ``wrong_code``.
    Call it before the transaction: the password hash is slow on purpose."""
    from services.users import authenticate

    username = clean_text(username, field, max_len=40, required=True).lower()
    if password is None or password == "":
        raise ValidationError("signature_proof_required", field=password_field, user=username)
    if authenticate(db, username, password, client_address=client_address) is None:
        raise wrong(wrong_code, field=field, user=username)
    return username
