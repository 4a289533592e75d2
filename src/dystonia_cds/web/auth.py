"""Sign-in, sign-out and the guards every web page uses.

- `signed_in(request)`: the account behind the session cookie, or `SignInRequired`.
- `admin_only(request)`: the same, or `Forbidden` (403) for a clinician.
- `verify_csrf(request, form)`: every state-changing form carries the session's token.
The sign-in form itself is protected by a double-submit cookie (no session exists yet).
A successful sign-in always issues a new session token and revokes any token presented
(no session fixation).
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from dystonia_cds.context import AppContext
from dystonia_cds.store.patient_account_models import PATIENT_ROLE
from dystonia_cds.web import accounts
from dystonia_cds.web.audit_events import record_event, web_actor
from dystonia_cds.web.client_address import current_client
from dystonia_cds.web.security import tokens_match
from dystonia_cds.web.templating import Renderer
from dystonia_cds.web.throttle import SignInThrottle, throttle_for

log = logging.getLogger(__name__)
SESSION_COOKIE = "dcds_session"
LOGIN_COOKIE = "dcds_login"


class SignInRequired(Exception):
    """No valid session: the handler redirects to the sign-in page."""


class Forbidden(Exception):
    """Signed in, but this account may not see the page (403)."""


class CsrfRejected(Exception):
    """A form arrived without the session's CSRF token (403)."""


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def signed_in(request: Request) -> accounts.SignedIn:
    """FastAPI dependency: the signed-in clinician or admin (also kept on
    `request.state.user`); a patient account is `Forbidden` here (it has only `/my`)."""
    user = any_signed_in(request)
    if user.role == PATIENT_ROLE:
        raise Forbidden
    return user


def patient_signed_in(request: Request) -> accounts.SignedIn:
    """FastAPI dependency of the `/my` pages: a signed-in patient account, else `Forbidden`."""
    user = any_signed_in(request)
    if user.role != PATIENT_ROLE:
        raise Forbidden
    return user


def any_signed_in(request: Request) -> accounts.SignedIn:
    """The account behind the session cookie, whatever its role, or `SignInRequired`."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    settings = _ctx(request).settings
    with _ctx(request).sessions.begin() as session:  # commits a slid idle deadline
        user = accounts.resolve_session(
            session, token, idle_s=settings.session_idle_s, max_age_s=settings.session_max_age_s
        )
    if user is None:
        raise SignInRequired
    request.state.user = user
    return user


def admin_only(request: Request) -> accounts.SignedIn:
    user = signed_in(request)
    if not user.is_admin:
        raise Forbidden
    return user


CurrentUser = Annotated[accounts.SignedIn, Depends(signed_in)]
CurrentAdmin = Annotated[accounts.SignedIn, Depends(admin_only)]


async def read_form(request: Request) -> FormData:
    """The submitted form, after checking its CSRF token against the session's. A body that
    cannot be parsed as a form is audited with the signed-in user and its 400, then refused."""
    try:
        form = await request.form()
    except HTTPException as exc:
        await run_in_threadpool(_audit_unparsable, request, exc.status_code)
        raise
    user: accounts.SignedIn | None = getattr(request.state, "user", None)
    given = form.get("csrf_token")
    if user is None or not tokens_match(user.csrf_token, given if isinstance(given, str) else None):
        raise CsrfRejected
    return form


def _audit_unparsable(request: Request, status: int) -> None:
    user: accounts.SignedIn | None = getattr(request.state, "user", None)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    record_event(
        _ctx(request),
        actor=web_actor(user.username if user else None),
        action=f"web.form.unparsable {request.method} {route}",
        status=status,
        patient_id=request.path_params.get("patient_id"),
    )


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/patients"


def _secure_cookies(request: Request) -> bool:
    return _ctx(request).settings.public_url.startswith("https://")


THROTTLED = (
    "Too many failed sign-ins for this username or from this address; "
    "wait {seconds} seconds and try again."
)


def _authenticate(
    ctx: AppContext, request: Request, username: str, password: str
) -> tuple[str, str] | None:
    """A new session token and the account's role when the password matches (any presented
    token is revoked)."""
    with ctx.sessions.begin() as session:
        user = accounts.authenticate(session, username, password)
        if user is None:
            return None
        old = request.cookies.get(SESSION_COOKIE)
        settings = ctx.settings
        token = accounts.start_session(
            session, user, settings.session_max_age_s, old, idle_s=settings.session_idle_s
        )
        return token, user.role


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    token: str | None = None  # a new session token when the password matched
    wait_s: float = 0.0  # > 0: throttled, nothing was checked
    role: str = ""  # the account's role when the password matched


def _sign_in(
    ctx: AppContext, throttle: SignInThrottle, request: Request, username: str, password: str
) -> SignInOutcome:
    """Throttle, check the password, count the outcome and audit it (blocking: argon2 and the
    database run in the thread pool, never on the event loop)."""
    client = current_client()
    actor = web_actor(username)
    wait = throttle.wait_s(username, client)
    if wait > 0:
        record_event(ctx, actor=actor, action="web.signin.throttled", status=429)
        return SignInOutcome(wait_s=wait)
    found = _authenticate(ctx, request, username, password)
    if found is None:
        throttle.failed(username, client)
        record_event(ctx, actor=actor, action="web.signin.failure", status=401)
        return SignInOutcome()
    throttle.succeeded(username)
    record_event(ctx, actor=actor, action="web.signin.success", status=303)
    return SignInOutcome(token=found[0], role=found[1])


def _throttle(request: Request, given: SignInThrottle | None) -> SignInThrottle:
    """The throttle given to the router (tests), else the app's: Redis when configured,
    else the database (shared by every worker)."""
    if given is not None:
        return given
    state = request.app.state
    if getattr(state, "sign_in_throttle", None) is None:
        ctx = _ctx(request)
        state.sign_in_throttle = throttle_for(ctx.sessions, ctx.settings.throttle_url)
    throttle: SignInThrottle = state.sign_in_throttle
    return throttle


def _end_session(ctx: AppContext, token: str) -> None:
    with ctx.sessions.begin() as session:
        accounts.end_session(session, token)


def build_router(renderer: Renderer, throttle: SignInThrottle | None = None) -> APIRouter:
    router = APIRouter()

    def login_page(request: Request, status: int, **extra: Any) -> Response:
        token = secrets.token_urlsafe(24)
        values = {"login_csrf": token, "error": "", "username": "", "next": ""}
        values.update(extra)
        response = renderer.page(request, "login.html", values, status)
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=_secure_cookies(request),
            path="/login",
        )
        return response

    @router.get("/login", include_in_schema=False)
    async def login_form(request: Request, next: str = "") -> Response:
        return login_page(request, 200, next=safe_next(next) if next else "")

    @router.post("/login", include_in_schema=False)
    async def login_submit(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        target = safe_next(str(form.get("next") or ""))
        if not tokens_match(request.cookies.get(LOGIN_COOKIE), str(form.get("csrf_token") or "")):
            await run_in_threadpool(
                record_event,
                _ctx(request),
                actor=web_actor(username),
                action="web.csrf.refused POST /login",
                status=403,
            )
            return login_page(
                request,
                403,
                error="The sign-in form expired; please try again.",
                username=username,
                next=target,
            )
        limiter = _throttle(request, throttle)
        outcome = await run_in_threadpool(
            _sign_in, _ctx(request), limiter, request, username, password
        )
        if outcome.wait_s > 0:
            log.warning("sign-in throttled")
            seconds = math.ceil(outcome.wait_s)
            page = login_page(
                request,
                429,
                error=THROTTLED.format(seconds=seconds),
                username=username,
                next=target,
            )
            page.headers["Retry-After"] = str(seconds)
            return page
        token = outcome.token
        if token is None:
            log.info("failed sign-in")
            return login_page(
                request,
                401,
                error="Unknown username or wrong password.",
                username=username,
                next=target,
            )
        ctx = _ctx(request)
        if outcome.role == PATIENT_ROLE:  # a patient account has only its own pages
            target = "/my"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=ctx.settings.session_max_age_s,
            httponly=True,
            samesite="lax",
            secure=_secure_cookies(request),
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @router.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await run_in_threadpool(any_signed_in, request)
        await read_form(request)
        await run_in_threadpool(
            _end_session, _ctx(request), request.cookies.get(SESSION_COOKIE, "")
        )
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
