"""One API call: who makes it (the token's name), from where, on which patient, and its
unit of work — one transaction that also writes the call's audit entry, so that a write and
its audit entry are committed together (before the answer is sent) or not at all.

Tokens are checked against their stored SHA-256; valid ones are remembered for a short time
(`TOKEN_CACHE_S`) so that a call costs one transaction, not two.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import AuthenticationError
from dystonia_cds.store.audit import record_call
from dystonia_cds.store.database import write_transaction
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.store.tokens import hash_token, token_owner

TOKEN_CACHE_S = 30.0
ANONYMOUS = "anonymous"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_bearer = HTTPBearer(auto_error=False, description="An API token: `dystonia-cds token create`")


@dataclass(slots=True)
class Call:
    ctx: AppContext
    actor: str
    action: str
    client: str | None
    patient_id: str | None = None
    audited: bool = field(default=False)
    writes: bool = False  # POST, PUT, PATCH, DELETE: a write transaction (see store.database)

    @contextmanager
    def unit_of_work(self, status: int = 200) -> Iterator[CareRepository]:
        """A transaction for the call's work; its audit entry is added before the commit."""
        sessions = self.ctx.sessions
        with write_transaction(sessions) if self.writes else sessions.begin() as session:
            repo = CareRepository(session)
            yield repo
            record_call(
                session,
                actor=self.actor,
                action=self.action,
                patient_id=self.patient_id,
                client=self.client,
                status=status,
            )
        self.audited = True

    def record_listed(self, repo: CareRepository, patient_ids: list[str]) -> None:
        """One audit entry per patient a list showed (in the call's transaction), so that each
        patient's trail names the lists it appeared in."""
        for patient_id in patient_ids:
            record_call(
                repo.session,
                actor=self.actor,
                action=self.action,
                patient_id=patient_id,
                client=self.client,
                status=200,
            )

    def record(self, status: int = 200) -> None:
        """Audit a call that touches no patient data (its own short transaction)."""
        with self.unit_of_work(status):
            pass


class TokenCache:
    """Token hash -> (owner, checked at); only valid tokens are kept."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, float]] = {}

    def cached(self, token: str) -> str | None:
        """The owner of a token checked less than `TOKEN_CACHE_S` ago (no I/O), or None."""
        hit = self._seen.get(hash_token(token))
        if hit is not None and time.monotonic() - hit[1] < TOKEN_CACHE_S:
            return hit[0]
        return None

    def owner(self, ctx: AppContext, token: str) -> str | None:
        """The owner of a valid token, checked against the database (blocking)."""
        key = hash_token(token)
        with ctx.sessions() as session:
            owner = token_owner(session, token)
        if owner is None:
            self._seen.pop(key, None)
        else:
            self._seen[key] = (owner, time.monotonic())
        return owner


def _action(request: Request) -> str:
    route = request.scope.get("route")
    return f"{request.method} {getattr(route, 'path', request.url.path)}"


def _context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


async def current_call(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Call:
    """The dependency of every `/api` route: a valid bearer token or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("an `Authorization: Bearer <token>` header is required")
    ctx = _context(request)
    cache: TokenCache = request.app.state.api_tokens
    owner = cache.cached(credentials.credentials) or await run_in_threadpool(
        cache.owner, ctx, credentials.credentials
    )
    if owner is None:
        raise AuthenticationError("the API token is not valid")
    request.state.api_actor = f"token:{owner}"
    call = Call(
        ctx=ctx,
        actor=request.state.api_actor,
        action=_action(request),
        client=request.client.host if request.client else None,
        patient_id=request.path_params.get("patient_id"),
        writes=request.method not in SAFE_METHODS,
    )
    request.state.api_call = call
    return call


CurrentCall = Annotated[Call, Depends(current_call)]


def audit_failed_call(request: Request, status: int) -> None:
    """Audit a call that ended in an error (its own unit of work wrote nothing)."""
    call: Call | None = getattr(request.state, "api_call", None)
    if call is not None and call.audited:
        return
    ctx = _context(request)
    actor = getattr(request.state, "api_actor", None) or _actor_of_header(request, ctx)
    with ctx.sessions.begin() as session:
        record_call(
            session,
            actor=actor,
            action=_action(request),
            patient_id=request.path_params.get("patient_id"),
            client=request.client.host if request.client else None,
            status=status,
        )


def _actor_of_header(request: Request, ctx: AppContext) -> str:
    """The actor of a call that failed before its token was checked (FastAPI parses the body
    first): the owner of a valid bearer token, else `anonymous` (blocking)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return ANONYMOUS
    cache: TokenCache = request.app.state.api_tokens
    owner = cache.cached(token.strip()) or cache.owner(ctx, token.strip())
    return f"token:{owner}" if owner else ANONYMOUS
