"""`GET /api/patients/{id}/diary` (DESIGN.md "Patient companion"): the patient's weekly
check-ins for the clinician, newest first, as `[{"id", "date", "severity", "benefit_percent",
"side_effects", "note"}]`.

The API takes clinician API tokens only: a request that comes with a web session cookie
(a signed-in patient's browser) and no token is answered 403, never the diary.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from dystonia_cds.api.calls import CurrentCall
from dystonia_cds.api.errors import CareRoute
from dystonia_cds.store.diary import DiaryRepository, StoredDiaryEntry

# The web app's session cookie (`web.auth.SESSION_COOKIE`; not imported: the API stays apart
# from the web package). A test checks that the two agree.
SESSION_COOKIE = "dcds_session"


class SessionNotAccepted(Exception):
    """A browser session (e.g. a patient's) called the token-only API."""


class DiaryEntryPublic(BaseModel):
    id: int
    date: str
    severity: int
    benefit_percent: int | None
    side_effects: list[str]
    note: str


def refuse_sessions(request: Request) -> None:
    """403 for a session cookie without a bearer token (checked before the token)."""
    has_token = request.headers.get("authorization", "").lower().startswith("bearer ")
    if not has_token and request.cookies.get(SESSION_COOKIE):
        raise HTTPException(403, "the API takes clinician API tokens, not a web session")


router = APIRouter(
    prefix="/api/patients",
    tags=["diary"],
    route_class=CareRoute,
    dependencies=[Depends(refuse_sessions)],
)


def entry_public(entry: StoredDiaryEntry) -> DiaryEntryPublic:
    return DiaryEntryPublic(
        id=entry.id,
        date=entry.date.isoformat(),
        severity=entry.severity,
        benefit_percent=entry.benefit_percent,
        side_effects=list(entry.side_effects),
        note=entry.note,
    )


@router.get("/{patient_id}/diary", response_model=list[DiaryEntryPublic])
def get_diary(patient_id: str, call: CurrentCall) -> list[DiaryEntryPublic]:
    """The patient's weekly check-ins (patient-reported), newest first."""
    with call.unit_of_work() as repo:
        return [entry_public(e) for e in DiaryRepository(repo.session).list(patient_id)]
