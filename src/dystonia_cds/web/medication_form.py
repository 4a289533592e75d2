"""Entry form: a drug the patient takes or recently took (e.g. a dopamine-blocking drug behind
an acute dystonic reaction, an opioid next to a benzodiazepine, an MAO inhibitor)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import Medication
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import vocab
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, patient_name, unit_of_work
from dystonia_cds.web.templating import Renderer

ROUTES = {
    "oral": "oral",
    "intravenous": "intravenous",
    "intramuscular": "intramuscular",
    "other": "other",
}


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def medication_groups() -> dict[str, tuple[str, ...]]:
    return {"Dystonia drugs": vocab.TREATMENT_GROUPS["Dystonia drugs"], **vocab.MEDICATION_GROUPS}


def parse_medication(reader: FormReader, on: date) -> Medication:
    allowed = {m for group in medication_groups().values() for m in group}
    ingredient = reader.choice("ingredient", allowed, required=True)
    start = reader.day("start", not_after=on)
    end = reader.day("end", not_after=on)
    active = reader.flag("active")
    if start and end and end < start:
        reader.fail("end", "The end date cannot be before the start date.")
    if active and end:
        reader.fail("end", "A drug still taken has no end date; clear one of the two.")
    route = reader.choice("route", ROUTES)
    return Medication(
        ingredient=ingredient or "", start=start, end=end, active=active, route=route, source="web"
    )


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        patient: tuple[str, str],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Response:
        return renderer.form_page(
            request, "medication_form.html", patient, values, errors, status,
            groups=medication_groups(), routes=ROUTES,
        )  # fmt: skip

    @router.get("/patients/{patient_id}/medications/new")
    def medication_form(request: Request, patient_id: str, user: CurrentUser) -> Response:
        patient = (patient_id, patient_name(_ctx(request), user, patient_id))
        return page(request, patient, {"active": "on"}, {}, 200)

    @router.post("/patients/{patient_id}/medications/new")
    async def medication_submit(request: Request, patient_id: str, user: CurrentUser) -> Response:
        form = await read_form(request)

        def rest() -> Response:  # blocking: database work in the thread pool
            reader = FormReader(form)
            medication = parse_medication(reader, date.today())
            patient = (patient_id, patient_name(_ctx(request), user, patient_id))
            if reader.errors:
                return page(request, patient, reader.values(), reader.errors, 422)
            with unit_of_work(_ctx(request)) as session:
                CareRepository(session).add_medication(patient_id, medication)
                audit(session, user, "web.medication.create", patient_id, 201)
            return RedirectResponse(f"/patients/{patient_id}", status_code=303)

        return await run_in_threadpool(rest)

    return router
