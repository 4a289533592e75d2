"""HTTP routes of SMART App Launch.

- `GET /smart/launch?iss=&launch=`: EHR launch (the `iss` must be allow-listed).
- `GET /smart/standalone?iss=`: standalone launch from the sign-in page.
- `GET /smart/callback?code=&state=`: the redirect URI (`{public URL}/smart/callback`).
- `POST /smart/refresh`: read the session's patient again from the EHR.
- `GET|POST /smart/pick`: a patient picker, only when the EHR named no patient.
- `GET|POST /smart/send/{injection|assessment}/{id}`: show, then send, a record to the EHR
  (only with write scopes); the EHR's answer is shown.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from dystonia_cds.store.base import MAX_ROW_ID
from dystonia_cds.web import auth
from dystonia_cds.web.smart import ehr, ehr_session, flow
from dystonia_cds.web.smart.clients import SmartError, allowed_client, launch_param
from dystonia_cds.web.templating import Renderer

log = logging.getLogger(__name__)
STATE_COOKIE = "dcds_smart_state"
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _secure(smart: flow.Smart) -> bool:
    return smart.ctx.settings.public_url.startswith("https://")


def _to_ehr(smart: flow.Smart, url: str, state: str) -> Response:
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=_secure(smart),
        path="/smart",
    )
    return response


def _landed(smart: flow.Smart, landed: flow.Landed) -> Response:
    response = RedirectResponse(landed.location, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        landed.web_token,
        max_age=smart.ctx.settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=_secure(smart),
        path="/",
    )
    response.delete_cookie(STATE_COOKIE, path="/smart")
    return response


def build_router(renderer: Renderer, smart: flow.Smart) -> APIRouter:
    router = APIRouter(prefix="/smart", include_in_schema=False)

    @router.get("/launch")
    async def ehr_launch(request: Request, iss: str = "", launch: str = "") -> Response:
        client = allowed_client(smart.clients, launch_param(iss, "iss"))
        launch = launch_param(launch, "launch")
        url, state = await flow.begin(smart, client, launch=launch, aud=iss.strip())
        log.info("SMART EHR launch started")
        return _to_ehr(smart, url, state)

    @router.get("/standalone")
    async def standalone_launch(request: Request, iss: str = "") -> Response:
        client = allowed_client(smart.clients, launch_param(iss, "iss"))
        url, state = await flow.begin(smart, client, launch=None)
        log.info("SMART standalone launch started")
        return _to_ehr(smart, url, state)

    @router.get("/callback")
    async def callback(
        request: Request, state: str = "", code: str = "", error: str = ""
    ) -> Response:
        launch = flow.take_launch(smart, state, request.cookies.get(STATE_COOKIE))
        if error:
            raise SmartError(
                401, "The EHR did not authorize this app", f"The EHR answered: {error[:100]}."
            )
        client = allowed_client(smart.clients, launch.iss)
        old = request.cookies.get(auth.SESSION_COOKIE)
        landed = await flow.finish(smart, launch, client, code, old)
        log.info("SMART launch finished")
        return _landed(smart, landed)

    @router.post("/refresh")
    async def refresh(request: Request) -> Response:
        user = auth.signed_in(request)
        await auth.read_form(request)
        token = request.cookies.get(auth.SESSION_COOKIE)
        patient_id = await ehr_session.refresh_patient(smart, token, user.username)
        return RedirectResponse(f"/patients/{patient_id}?ehr=refreshed", status_code=303)

    @router.get("/pick")
    async def pick(request: Request, name: str = "") -> Response:
        auth.signed_in(request)
        row = ehr_session.live_session(smart, request.cookies.get(auth.SESSION_COOKIE))
        if row.patient_id:
            return RedirectResponse(f"/patients/{row.patient_id}", status_code=303)
        async with smart.http() as http:
            access = await ehr_session.access_token(smart, row, http)
            patients = await ehr.search_patients(http, row.iss, access, name[:100])
        context = {"patients": patients, "name": name[:100], "ehr": row.iss}
        return renderer.page(request, "smart_pick.html", context)

    @router.post("/pick")
    async def picked(request: Request) -> Response:
        user = auth.signed_in(request)
        form = await auth.read_form(request)
        pid = ehr.patient_id_of(form.get("patient"))
        token = request.cookies.get(auth.SESSION_COOKIE)
        patient_id = await ehr_session.pick_patient(smart, token, user.username, pid)
        return RedirectResponse(f"/patients/{patient_id}", status_code=303)

    add_send_routes(router, renderer, smart)
    return router


def add_send_routes(router: APIRouter, renderer: Renderer, smart: flow.Smart) -> None:
    """Write-back: show what would be sent, send it on the clinician's click, show the answer."""

    @router.get("/send/{kind}/{row_id}")
    async def send_preview(request: Request, kind: str, row_id: RowId) -> Response:
        auth.signed_in(request)
        item = ehr_session.outgoing(smart, request.cookies.get(auth.SESSION_COOKIE), kind, row_id)
        return renderer.page(request, "smart_send.html", _send_context(item, None))

    @router.post("/send/{kind}/{row_id}")
    async def send(request: Request, kind: str, row_id: RowId) -> Response:
        user = auth.signed_in(request)
        await auth.read_form(request)
        token = request.cookies.get(auth.SESSION_COOKIE)
        item = ehr_session.outgoing(smart, token, kind, row_id)
        answer = await ehr_session.send_outgoing(smart, token, user.username, item)
        status = 200 if answer.accepted else 502
        return renderer.page(request, "smart_send.html", _send_context(item, answer), status)


def _send_context(item: ehr_session.Outgoing, answer: Any) -> dict[str, Any]:
    shown = orjson.dumps(item.resource, option=orjson.OPT_INDENT_2).decode()
    return {"item": item, "shown": shown, "answer": answer}
