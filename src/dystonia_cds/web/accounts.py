"""Web accounts and server-side sessions: argon2 password hashes, hashed session tokens,
expiry, rotation on sign-in (a new token every time; whatever came before is dropped).

A session ends at the first of two deadlines: `idle_s` after the last request (kept in
`expires_at`, slid forward as the clinician works, at most one write a minute) and `max_age_s`
after sign-in, however active the session was (counted from `created_at`)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store.account_models import ROLES, WebSession, WebUser

_HASHER = PasswordHasher()
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
MIN_PASSWORD = 8
# Verified against when a username is unknown, so that timing does not reveal accounts.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-0")
# An active session's idle deadline moves forward only when it would gain this much: one write a
# minute at most, not one per page.
SLIDE_STEP = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The account behind a valid session, and that session's CSRF token."""

    user_id: int
    username: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def now() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_account(username: str, role: str, password: str) -> None:
    if not _USERNAME.match(username):
        raise InvalidInput("use 2-64 letters, digits or . _ @ -", location="username")
    if role not in ROLES:
        raise InvalidInput(f"must be one of {', '.join(ROLES)}, got {role!r}", location="role")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"must have at least {MIN_PASSWORD} characters", location="password")


def find_user(session: Session, username: str) -> WebUser | None:
    return session.scalars(select(WebUser).where(WebUser.username == username)).first()


def create_user(session: Session, username: str, role: str, password: str) -> WebUser:
    """Add an account (caller commits); refuses a taken username or a weak password."""
    validate_account(username, role, password)
    if find_user(session, username) is not None:
        raise InvalidInput(f"{username!r} already exists", location="username")
    user = WebUser(
        username=username,
        role=role,
        password_hash=_HASHER.hash(password),
        active=True,
        created_at=now(),
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: WebUser, password: str) -> None:
    validate_account(user.username, user.role, password)
    user.password_hash = _HASHER.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def authenticate(session: Session, username: str, password: str) -> WebUser | None:
    """The active account whose password matches, else None (same work either way)."""
    user = find_user(session, username)
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def start_session(
    session: Session,
    user: WebUser,
    max_age_s: int,
    old_token: str | None,
    *,
    idle_s: int | None = None,
) -> str:
    """A brand-new session token for `user`; an old token presented is revoked (rotation).
    It expires after `idle_s` without use (when given), and after `max_age_s` in any case."""
    if old_token:
        end_session(session, old_token)
    session.execute(delete(WebSession).where(WebSession.expires_at < now()))
    token = secrets.token_urlsafe(32)
    created = now()
    session.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=created,
            expires_at=created + timedelta(seconds=min(max_age_s, idle_s or max_age_s)),
        )
    )
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def resolve_session(
    session: Session, token: str, *, idle_s: int | None = None, max_age_s: int | None = None
) -> SignedIn | None:
    """The signed-in account for a session token, or None if unknown or expired.

    With `idle_s`, a valid session's idle deadline moves to `idle_s` from now (never past
    `created_at + max_age_s`); the caller commits."""
    row = session.execute(
        select(WebSession, WebUser)
        .join(WebUser, WebUser.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    web_session, user = row
    expires = as_utc(web_session.expires_at)
    current = now()
    if expires <= current or not user.active:
        return None
    if idle_s is not None:
        deadline = current + timedelta(seconds=idle_s)
        if max_age_s is not None:
            deadline = min(deadline, as_utc(web_session.created_at) + timedelta(seconds=max_age_s))
        if deadline - expires >= SLIDE_STEP:
            web_session.expires_at = deadline
    return SignedIn(user.id, user.username, user.role, web_session.csrf_token)


def as_utc(moment: datetime) -> datetime:
    """SQLite drops the zone of stored datetimes; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def change_account(session: Session, user_id: int, *, role: str, active: bool) -> None:
    """Set an account's role and whether it may sign in; ends its sessions when changed."""
    user = session.get(WebUser, user_id)
    if user is None:
        raise InvalidInput(f"no account with id {user_id}", location="user")
    if user.role == "patient":
        raise InvalidInput(
            "a patient account is managed on its patient's 'Patient access' page", location="user"
        )
    if role not in ROLES:
        raise InvalidInput(f"must be one of {', '.join(ROLES)}, got {role!r}", location="role")
    if (user.role, user.active) != (role, active):
        user.role, user.active = role, active
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def list_users(session: Session) -> list[WebUser]:
    """Clinician and admin accounts (patient accounts live on their patient's access page)."""
    query = select(WebUser).where(WebUser.role != "patient").order_by(WebUser.username)
    return list(session.scalars(query))
