"""The patient companion's web side (issue 13): invitations and the patient's own `/my` pages,
and the clinician's invite and revoke actions. `build_router(renderer)` adds them all."""

from __future__ import annotations

from fastapi import APIRouter

from dystonia_cds.web.patient_portal import check_in, clinician, invitation, pages, reminders
from dystonia_cds.web.templating import Renderer


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for part in (invitation, pages, check_in, reminders, clinician):
        router.include_router(part.build_router(renderer))
    return router
