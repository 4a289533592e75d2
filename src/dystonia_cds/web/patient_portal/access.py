"""Who is asking on a `/my` page: a signed-in patient account and the one patient it may see.
Every `/my` route takes `CurrentPatient`; the patient id never comes from the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from dystonia_cds.context import AppContext
from dystonia_cds.store import patient_accounts
from dystonia_cds.web import auth
from dystonia_cds.web.accounts import SignedIn


@dataclass(frozen=True, slots=True)
class PatientSession:
    user: SignedIn
    patient_id: str


def ctx_of(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def current_patient(request: Request) -> PatientSession:
    """FastAPI dependency (plain def: runs in the thread pool): the patient account and its
    patient; a clinician is `Forbidden`, no session is `SignInRequired`."""
    user = auth.patient_signed_in(request)
    with ctx_of(request).sessions() as session:
        patient_id = patient_accounts.patient_of(session, user.user_id)
    if patient_id is None:  # access revoked while the page was open
        raise auth.Forbidden
    return PatientSession(user, patient_id)


CurrentPatient = Annotated[PatientSession, Depends(current_patient)]
