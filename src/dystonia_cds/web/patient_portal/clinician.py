"""The clinician's side of patient access: invite the patient from the patient page (a
one-time link, shown once, valid 7 days), see the patient's accounts, revoke access (every
account of the patient and every open link end at once)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.store import patient_accounts
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.patient_data import audit, require_patient, unit_of_work
from dystonia_cds.web.patient_portal.access import ctx_of
from dystonia_cds.web.patient_portal.links import invitation_url
from dystonia_cds.web.templating import Renderer


def access_context(request: Request, user: SignedIn, patient_id: str) -> dict[str, Any]:
    with unit_of_work(ctx_of(request)) as session:
        patient = require_patient(session, patient_id)
        rows = patient_accounts.accounts_for(session, patient_id)
        audit(session, user, "web.patient-access.read", patient_id)
    return {
        "patient": patient,
        "accounts": [(name, a.created_at, a.revoked_at) for a, name in rows],
        "link": None,
        "expires_at": None,
    }


def invite(request: Request, user: SignedIn, patient_id: str) -> dict[str, Any]:
    with unit_of_work(ctx_of(request), write=True) as session:
        require_patient(session, patient_id)
        invitation = patient_accounts.invite(session, patient_id, f"web:{user.username}")
        audit(session, user, "web.invitation.create", patient_id, 201)
    context = access_context(request, user, patient_id)
    url = invitation_url(ctx_of(request).settings, request, invitation.token)
    context.update(link=url, expires_at=invitation.expires_at)
    return context


def revoke(request: Request, user: SignedIn, patient_id: str) -> None:
    with unit_of_work(ctx_of(request), write=True) as session:
        require_patient(session, patient_id)
        patient_accounts.revoke(session, patient_id)
        audit(session, user, "web.patient-access.revoke", patient_id)


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/patients/{patient_id}/access")
    def access_page(request: Request, patient_id: str, user: CurrentUser) -> Response:
        context = access_context(request, user, patient_id)
        context["revoked"] = request.query_params.get("revoked") == "1"
        return renderer.page(request, "patient_access.html", context)

    @router.post("/patients/{patient_id}/invitations")
    async def invite_patient(request: Request, patient_id: str, user: CurrentUser) -> Response:
        await read_form(request)
        context = await run_in_threadpool(invite, request, user, patient_id)
        context["revoked"] = False
        return renderer.page(request, "patient_access.html", context, 201)

    @router.post("/patients/{patient_id}/access/revoke")
    async def revoke_access(request: Request, patient_id: str, user: CurrentUser) -> Response:
        await read_form(request)
        await run_in_threadpool(revoke, request, user, patient_id)
        return RedirectResponse(f"/patients/{patient_id}/access?revoked=1", status_code=303)

    return router
