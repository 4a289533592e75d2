"""HTTP routes of the web app: sign-in, patients, entry forms, charts, feedback, handout,
admin pages. Server-rendered HTML (Jinja2, autoescaped), own CSS/JS under /static/."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.store.patient_account_models import PATIENT_ROLE
from dystonia_cds.web import (
    admin,
    auth,
    injection_form,
    medication_form,
    patient_page,
    patient_portal,
    patients,
    scale_form,
    smart,
    trial_form,
)
from dystonia_cds.web.audit_events import record_event, web_actor
from dystonia_cds.web.client_address import ClientAddress
from dystonia_cds.web.patient_portal.guard import PatientSessionGuard
from dystonia_cds.web.security import SecurityHeaders
from dystonia_cds.web.templating import STATIC, Renderer

log = logging.getLogger(__name__)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Add the web app's routes, static files, security headers and error pages."""
    renderer = Renderer()
    app.state.web_renderer = renderer
    app.add_middleware(PatientSessionGuard, ctx=ctx)  # patient sessions: only /my (issue 13)
    app.add_middleware(SecurityHeaders, hsts=ctx.settings.public_url.startswith("https://"))
    app.add_middleware(ClientAddress)  # the audit log's client address (web.client_address)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.build_router(renderer))
    app.include_router(patients.build_router(renderer))
    app.include_router(patient_page.build_router(renderer))
    app.include_router(trial_form.build_router(renderer))
    app.include_router(injection_form.build_router(renderer))
    app.include_router(scale_form.build_router(renderer))
    app.include_router(medication_form.build_router(renderer))
    app.include_router(admin.build_router(renderer))
    app.include_router(patient_portal.build_router(renderer))  # /invitation, /my, access
    smart.install(app, ctx, renderer)  # SMART App Launch: /smart/..., patient scope
    _install_handlers(app, renderer)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)  # HEAD: monitors
    async def home() -> Response:
        return RedirectResponse("/patients", status_code=303)


def _install_handlers(app: FastAPI, renderer: Renderer) -> None:
    def error_page(request: Request, status: int, heading: str, message: str) -> Response:
        return renderer.page(
            request, "error.html", {"heading": heading, "message": message}, status
        )

    @app.exception_handler(auth.SignInRequired)
    async def sign_in_required(request: Request, _exc: Exception) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method != "GET":
            target = "/patients"
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, _exc: Exception) -> Response:
        if getattr(getattr(request.state, "user", None), "role", "") == PATIENT_ROLE:
            return error_page(request, 403, "Not allowed", "Your own pages are at /my.")
        if request.url.path.startswith("/my"):
            return error_page(request, 403, "Not allowed", "These pages are for patients.")
        return error_page(request, 403, "Not allowed", "This page is for administrators only.")

    @app.exception_handler(auth.CsrfRejected)
    async def csrf_rejected(request: Request, _exc: Exception) -> Response:
        await run_in_threadpool(audit_csrf_refusal, request)
        return error_page(
            request,
            403,
            "Form refused",
            "The form did not carry a valid security token. Reload the page and try again.",
        )

    @app.exception_handler(patients.WebPatientNotFound)
    async def not_found(request: Request, _exc: Exception) -> Response:
        return error_page(request, 404, "Patient not found", "There is no patient with that id.")


def audit_csrf_refusal(request: Request) -> None:
    """A form refused for its CSRF token, audited with the signed-in user (if any), the route
    and the patient it named."""
    user = getattr(request.state, "user", None)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    record_event(
        request.app.state.context,
        actor=web_actor(getattr(user, "username", None)),
        action=f"web.csrf.refused {request.method} {route}",
        status=403,
        patient_id=request.path_params.get("patient_id"),
    )


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
