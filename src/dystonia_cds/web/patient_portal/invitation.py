"""The invitation page `/invitation/<token>`: the patient chooses a username and a password
(inputs `username`, `password`, `password_confirm`); on success the account is created, the
link is used up, the patient is signed in (a new server-side session, as at /login) and lands
on `/my`. The 256-bit token in the link is the form's secret, and a browser's cross-site
post is refused by its `Origin`; every outcome is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.store import patient_accounts
from dystonia_cds.web import accounts, auth
from dystonia_cds.web.audit_events import record_event, web_actor
from dystonia_cds.web.patient_portal import texts
from dystonia_cds.web.patient_portal.access import ctx_of
from dystonia_cds.web.patient_portal.links import INVITATION_PATH, TOKEN, public_base
from dystonia_cds.web.templating import Renderer

MESSAGES = {
    "username": "Choose another username: 2 to 64 letters, digits or . _ @ - (it may be taken).",
    "password": "Choose a password of at least 8 characters.",
    "password_confirm": "The two passwords are not the same.",
    "invitation": "This link was used already. Ask your clinic for a new link.",
}


@dataclass(frozen=True, slots=True)
class Accepted:
    token: str | None = None  # the new session token
    patient_id: str = ""
    field: str = ""  # the field to fix when refused
    invalid_link: bool = False


def is_open(ctx: AppContext, token: str) -> bool:
    if not TOKEN.match(token):
        return False
    with ctx.sessions() as session:
        return patient_accounts.open_invitation(session, token) is not None


def accept(
    ctx: AppContext, token: str, form: tuple[str, str, str], old_session: str | None
) -> Accepted:
    """Create the account and its first session in one transaction (blocking: argon2); a
    session token the browser presented (say a clinician's) is revoked, as at sign-in."""
    username, password, confirm = form
    settings = ctx.settings
    with ctx.sessions.begin() as session:
        invitation = (
            patient_accounts.open_invitation(session, token) if TOKEN.match(token) else None
        )
        if invitation is None:
            return Accepted(invalid_link=True)
        try:
            user = patient_accounts.accept(session, invitation, username, password, confirm)
        except InvalidInput as exc:  # refused before anything was written
            return Accepted(field=exc.location or "username")
        started = accounts.start_session(
            session, user, settings.session_max_age_s, old_session, idle_s=settings.session_idle_s
        )
        return Accepted(token=started, patient_id=invitation.patient_id)


def same_origin(request: Request) -> bool:
    """A browser's cross-site form post is refused (no account can be created, and no one
    signed in, from another site): by the browser's `Sec-Fetch-Site`, else its `Origin`
    (this site's pages send no referrer, so a modern browser's `Origin` is "null")."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:  # not a browser form (scripts, tests); the link's token is the secret
        return True
    ours = {public_base(ctx_of(request).settings, request), str(request.base_url).rstrip("/")}
    return origin.rstrip("/") in ours or urlsplit(origin).netloc == request.headers.get("host")


def signed_in_response(request: Request, token: str) -> Response:
    settings = ctx_of(request).settings
    response = RedirectResponse("/my", status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
        path="/",
    )
    return response


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, token: str, status: int, **extra: Any) -> Response:
        context = {
            "notice": texts.NOTICE,
            "valid": True,
            "errors": {},
            "username": "",
            "action": f"{INVITATION_PATH}{token}",
        }
        context.update(extra)
        return renderer.page(request, "my_invitation.html", context, status)

    @router.get(INVITATION_PATH + "{token}")
    def invitation_form(request: Request, token: str) -> Response:
        if not is_open(ctx_of(request), token):
            return page(request, "", 404, valid=False)
        return page(request, token, 200)

    @router.post(INVITATION_PATH + "{token}")
    async def invitation_submit(request: Request, token: str) -> Response:
        if not same_origin(request):
            await run_in_threadpool(
                record_event,
                ctx_of(request),
                actor=web_actor(None),
                action="web.csrf.refused POST /invitation",
                status=403,
            )
            return page(request, "", 403, valid=False)
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password, confirm = str(form.get("password") or ""), str(form.get("password_confirm") or "")
        ctx = ctx_of(request)
        old = request.cookies.get(auth.SESSION_COOKIE)
        done = await run_in_threadpool(accept, ctx, token, (username, password, confirm), old)
        status = 303 if done.token else (404 if done.invalid_link else 400)
        await run_in_threadpool(
            record_event,
            ctx,
            actor=web_actor(username),
            action="web.invitation.accept",
            status=status,
            patient_id=done.patient_id or None,
        )
        if done.invalid_link:
            return page(request, "", 404, valid=False)
        if done.token is None:
            errors = {done.field: MESSAGES.get(done.field, MESSAGES["username"])}
            return page(request, token, 400, errors=errors, username=username)
        return signed_in_response(request, done.token)

    return router
