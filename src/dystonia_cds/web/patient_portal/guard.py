"""Deny by default: a patient's web session reaches only its own pages. Every request that
carries a session cookie of a patient account, to a path outside the patient's pages (and
outside the clinician pages, which refuse patients themselves: `auth.signed_in`), answers 403:
the care API, CDS Hooks, FHIR, SMART, metrics, the OpenAPI schema; `/` leads to `/my`. (A pure ASGI middleware: one
indexed lookup, only for such requests.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from dystonia_cds.context import AppContext
from dystonia_cds.store import patient_accounts
from dystonia_cds.web.accounts import token_digest
from dystonia_cds.web.auth import SESSION_COOKIE

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# Paths a patient may reach, and the clinician pages that check the role themselves.
CHECKED_ELSEWHERE = ("/my", "/invitation/", "/login", "/logout", "/static/", "/patients", "/admin")


def needs_check(path: str) -> bool:
    return not any(path == p or path.startswith(p.rstrip("/") + "/") for p in CHECKED_ELSEWHERE)


class PatientSessionGuard:
    def __init__(self, app: ASGIApp, ctx: AppContext) -> None:
        self.app, self.ctx = app, ctx

    def _is_patient(self, token: str) -> bool:
        with self.ctx.sessions() as session:
            return patient_accounts.is_patient_session(session, token_digest(token))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and needs_check(scope.get("path", "")):
            token = Request(scope).cookies.get(SESSION_COOKIE) or ""
            patient = bool(token) and await run_in_threadpool(self._is_patient, token)
            if patient and scope.get("path") == "/":  # the home page: the patient's own
                await RedirectResponse("/my", status_code=303)(scope, receive, send)
                return
            if patient:
                refused = JSONResponse(
                    {"detail": "a patient account reaches only its own pages under /my"},
                    status_code=403,
                )
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
