"""A web session opened through SMART reaches only the patient it was launched for: under
`/patients` it may open that patient's pages; the patient list leads to that patient; any other
patient answers 403. (A pure ASGI middleware: one indexed lookup, only for `/patients` requests
that carry a session cookie.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dystonia_cds.context import AppContext
from dystonia_cds.store import smart as store
from dystonia_cds.web.auth import SESSION_COOKIE
from dystonia_cds.web.templating import Renderer

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
NO_PATIENT = ""  # a SMART session whose patient is not picked yet


class PatientScope:
    def __init__(self, app: ASGIApp, ctx: AppContext, renderer: Renderer) -> None:
        self.app, self.ctx, self.renderer = app, ctx, renderer

    def _scoped_patient(self, token: str) -> str | None:
        with self.ctx.sessions() as session:
            row = store.smart_session(session, token)
            if row is None:
                return None
            return row.patient_id or NO_PATIENT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith("/patients"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = request.cookies.get(SESSION_COOKIE)
        patient_id = await run_in_threadpool(self._scoped_patient, token) if token else None
        if patient_id is not None:
            scope.setdefault("state", {})["smart_patient"] = patient_id
            refused = self._refusal(request, path, patient_id)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request, path: str, patient_id: str) -> Response | None:
        own = f"/patients/{patient_id}"
        if patient_id and (path == own or path.startswith(own + "/")):
            return None
        if path.rstrip("/") == "/patients" or not patient_id:
            return RedirectResponse(own if patient_id else "/smart/pick", status_code=303)
        context = {
            "heading": "Not this patient",
            "message": "This session was opened from the EHR for one patient; "
            "open the app from the EHR to see another.",
        }
        return self.renderer.page(request, "error.html", context, 403)
