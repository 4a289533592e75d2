"""API tokens of the care REST API. A token is 32 random bytes (URL-safe text) shown once;
only its SHA-256 is stored, so a copy of the database hands out no working token.
(A fast hash is enough here: the token is high-entropy, not a password.)"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store.care_models import ApiToken

PREFIX = "dcds_"


NAME_MAX = 200  # the column's length


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, name: str) -> str:
    """Store a new token under `name` and return it (the only time it is visible)."""
    name = name.strip()
    if not name:
        raise InvalidInput("must not be empty", location="--name")
    if len(name) > NAME_MAX or "\x00" in name:
        raise InvalidInput(f"use at most {NAME_MAX} printable characters", location="--name")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=hash_token(token)))
    session.flush()
    return token


def token_owner(session: Session, token: str) -> str | None:
    """The name of a valid (not revoked) token, or None."""
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return row.name


def revoke_token(session: Session, name: str) -> int:
    """Revoke every token of that name; returns how many."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = datetime.now(UTC)
    session.flush()
    return len(rows)
