"""SMART App Launch (docs/smart.md): the app opened from inside the EHR on the chart's patient.

`install(app, ctx, renderer)` adds the `/smart` routes, the patient scope of SMART sessions, the
error page of a refused launch, and the template helpers the patient and sign-in pages use.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from dystonia_cds.context import AppContext
from dystonia_cds.store import smart as store
from dystonia_cds.web.auth import SESSION_COOKIE
from dystonia_cds.web.smart.clients import SmartError, clients_from
from dystonia_cds.web.smart.flow import Smart
from dystonia_cds.web.smart.framing import EhrFraming, origins_of
from dystonia_cds.web.smart.guard import PatientScope
from dystonia_cds.web.smart.routes import build_router
from dystonia_cds.web.smart.vault import Vault
from dystonia_cds.web.smart.writeback import TARGET, can_write
from dystonia_cds.web.templating import Renderer

log = logging.getLogger(__name__)


def install(app: FastAPI, ctx: AppContext, renderer: Renderer) -> None:
    clients = clients_from(ctx.settings.smart_clients)
    smart = Smart(ctx, clients, Vault(ctx.settings.secret_key))
    app.include_router(build_router(renderer, smart))
    app.add_middleware(PatientScope, ctx=ctx, renderer=renderer)
    if clients:  # the configured EHRs may show the app in their page
        app.add_middleware(EhrFraming, origins=origins_of(clients))
    renderer.env.globals["smart_ehrs"] = [(c.iss, c.label) for c in clients.values()]
    renderer.env.globals["ehr_link"] = lambda request, pid: ehr_link(ctx, request, pid)
    if clients:
        log.info("SMART App Launch configured for %d EHR(s)", len(clients))

    @app.exception_handler(SmartError)
    async def smart_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SmartError)  # noqa: S101 - registered for this class only
        context = {"heading": exc.heading, "message": exc.message}
        return renderer.page(request, "error.html", context, exc.status)


def ehr_link(ctx: AppContext, request: Request, patient_id: str) -> dict[str, Any] | None:
    """What the patient page shows of a patient read from an EHR, or None."""
    with ctx.sessions() as session:
        link = store.link_of(session, patient_id)
        if link is None:
            return None
        summary = link.summary or {}
        state = request.scope.get("state") or {}
        mine = state.get("smart_patient") == patient_id
        return {
            "ehr": link.iss.split("://", 1)[-1],
            "read_at": store.as_utc(link.read_at).strftime("%Y-%m-%d %H:%M UTC"),
            "read": summary.get("read", []),
            "skipped": summary.get("skipped", []),
            "unrecognized": summary.get("unrecognized", []),
            "can_refresh": mine,
            "sendable": _sendable(session, request, patient_id) if mine else [],
        }


def _sendable(session: Any, request: Request, patient_id: str) -> list[tuple[Any, ...]]:
    """(kind, label, rows recorded here, whether the session's scopes allow sending them)."""
    row = store.smart_session(session, request.cookies.get(SESSION_COOKIE, ""))
    if row is None:
        return []
    recorded = store.recorded_here(session, patient_id)
    return [
        (kind, label, recorded[kind], can_write(row.scope, TARGET[kind]))
        for kind, label in (("injection", "Injection visit"), ("assessment", "Rating scale"))
        if recorded[kind]
    ]
