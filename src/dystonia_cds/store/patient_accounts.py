"""Patient accounts: invite (a one-time link for 7 days), accept (choose a username and
password; argon2 as for clinicians), find the patient behind an account, revoke access.

The caller owns the transaction. Tokens are kept only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store.account_models import WebSession, WebUser
from dystonia_cds.store.patient_account_models import (
    PATIENT_ROLE,
    PatientAccount,
    PatientInvitation,
)

INVITATION_DAYS = 7
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_HASHER = PasswordHasher()  # the same argon2 parameters as clinicians' (web.accounts)


@dataclass(frozen=True, slots=True)
class Invitation:
    token: str  # shown once: only its digest is stored
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, patient_id: str, created_by: str) -> Invitation:
    """A new one-time invitation for the patient (the patient row must exist)."""
    token = secrets.token_urlsafe(32)
    created = _now()
    expires = created + timedelta(days=INVITATION_DAYS)
    session.add(
        PatientInvitation(
            token_hash=_digest(token),
            patient_id=patient_id,
            created_by=created_by[:100],
            created_at=created,
            expires_at=expires,
        )
    )
    return Invitation(token, expires)


def open_invitation(session: Session, token: str) -> PatientInvitation | None:
    """The unused, unexpired invitation behind a token, else None."""
    row = session.scalars(
        select(PatientInvitation).where(PatientInvitation.token_hash == _digest(token))
    ).first()
    if row is None or row.used_at is not None or _utc(row.expires_at) <= _now():
        return None
    return row


def check_new_account(session: Session, username: str, password: str, confirm: str) -> None:
    """`InvalidInput` naming the field when the chosen username or password will not do."""
    if not _USERNAME.match(username):
        raise InvalidInput("use 2-64 letters, digits or . _ @ -", location="username")
    if session.scalars(select(WebUser.id).where(WebUser.username == username)).first():
        raise InvalidInput("this username is taken; choose another", location="username")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"use at least {MIN_PASSWORD} characters", location="password")
    if password != confirm:
        raise InvalidInput("the two passwords are not the same", location="password_confirm")


def accept(
    session: Session, invitation: PatientInvitation, username: str, password: str, confirm: str
) -> WebUser:
    """Create the patient's account from an open invitation and use the invitation up."""
    check_new_account(session, username, password, confirm)
    used = session.execute(
        update(PatientInvitation)
        .where(PatientInvitation.id == invitation.id, PatientInvitation.used_at.is_(None))
        .values(used_at=_now())
        .execution_options(synchronize_session=False)
    )
    if not getattr(used, "rowcount", 0):  # a concurrent acceptance won
        raise InvalidInput("this invitation was already used", location="invitation")
    user = WebUser(
        username=username,
        role=PATIENT_ROLE,
        password_hash=_HASHER.hash(password),
        active=True,
        created_at=_now(),
    )
    session.add(user)
    session.flush()
    session.add(
        PatientAccount(user_id=user.id, patient_id=invitation.patient_id, created_at=_now())
    )
    return user


def patient_of(session: Session, user_id: int) -> str | None:
    """The patient a (not revoked) patient account may see, else None."""
    return session.scalars(
        select(PatientAccount.patient_id).where(
            PatientAccount.user_id == user_id, PatientAccount.revoked_at.is_(None)
        )
    ).first()


def accounts_for(session: Session, patient_id: str) -> list[tuple[PatientAccount, str]]:
    """The patient's accounts with their usernames, active ones first."""
    rows = session.execute(
        select(PatientAccount, WebUser.username)
        .join(WebUser, WebUser.id == PatientAccount.user_id)
        .where(PatientAccount.patient_id == patient_id)
        .order_by(PatientAccount.revoked_at.is_not(None), PatientAccount.id)
    )
    return [(account, username) for account, username in rows]


def revoke(session: Session, patient_id: str) -> int:
    """End every account and open invitation of the patient: sessions end, sign-in refused.
    Answers the number of accounts revoked."""
    ids = list(
        session.scalars(
            select(PatientAccount.user_id).where(
                PatientAccount.patient_id == patient_id, PatientAccount.revoked_at.is_(None)
            )
        )
    )
    now = _now()
    session.execute(
        update(PatientInvitation)
        .where(PatientInvitation.patient_id == patient_id, PatientInvitation.used_at.is_(None))
        .values(used_at=now)
    )
    if ids:
        session.execute(
            update(PatientAccount).where(PatientAccount.user_id.in_(ids)).values(revoked_at=now)
        )
        session.execute(update(WebUser).where(WebUser.id.in_(ids)).values(active=False))
        session.execute(delete(WebSession).where(WebSession.user_id.in_(ids)))
    return len(ids)


def is_patient_session(session: Session, token_hash: str) -> bool:
    """Whether a web session (by its token digest) belongs to a patient account."""
    role = session.scalars(
        select(WebUser.role)
        .join(WebSession, WebSession.user_id == WebUser.id)
        .where(WebSession.token_hash == token_hash)
    ).first()
    return role == PATIENT_ROLE
