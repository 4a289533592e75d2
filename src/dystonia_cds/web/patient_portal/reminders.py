"""`/my/reminders.ics`: the signed-in patient's calendar file (web.diary_calendar): a weekly
check-in and, after an injection, the next injection window. Only the patient's own record."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from dystonia_cds.store.care_models import InjectionVisit
from dystonia_cds.web.diary_calendar import reminders_ics
from dystonia_cds.web.patient_data import audit, unit_of_work
from dystonia_cds.web.patient_portal.access import CurrentPatient, ctx_of
from dystonia_cds.web.patient_portal.links import public_base
from dystonia_cds.web.templating import Renderer


def last_injection(request: Request, who: CurrentPatient) -> date | None:
    with unit_of_work(ctx_of(request)) as session:
        last = session.scalar(
            select(func.max(InjectionVisit.date)).where(InjectionVisit.patient_id == who.patient_id)
        )
        audit(session, who.user, "web.my.reminders.read", who.patient_id)
    return last


def build_router(_renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/my/reminders.ics")
    def reminders(request: Request, who: CurrentPatient) -> Response:
        url = f"{public_base(ctx_of(request).settings, request)}/my/check-in"
        body = reminders_ics(
            who.patient_id, last_injection(request, who), date.today(), check_in_url=url
        )
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="dystonia-reminders.ics"'},
        )

    return router
