"""Patient invitations over the API (DESIGN.md "Patient companion"): a clinician's token asks
for a one-time link that lets the patient set up an account (7 days)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from dystonia_cds.api.calls import CurrentCall
from dystonia_cds.api.errors import CareRoute
from dystonia_cds.store import patient_accounts
from dystonia_cds.web.patient_portal.links import invitation_url

router = APIRouter(prefix="/api/patients", tags=["patients"], route_class=CareRoute)


class InvitationPublic(BaseModel):
    url: str
    expires_at: datetime


@router.post("/{patient_id}/invitations", status_code=201, response_model=InvitationPublic)
def create_invitation(patient_id: str, call: CurrentCall, request: Request) -> InvitationPublic:
    """A one-time link for the patient to choose a username and password; it expires after
    7 days and works once."""
    with call.unit_of_work(201) as repo:
        repo.get_patient(patient_id)  # PatientNotFound: 404
        invitation = patient_accounts.invite(repo.session, patient_id, call.actor)
    url = invitation_url(call.ctx.settings, request, invitation.token)
    return InvitationPublic(url=url, expires_at=invitation.expires_at)
