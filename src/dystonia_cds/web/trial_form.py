"""Entry form: a treatment trial (drug or procedure) with dates, outcome and dose."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import TreatmentTrial, TrialOutcome
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import vocab
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, patient_name, unit_of_work
from dystonia_cds.web.templating import Renderer


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def today() -> date:
    return date.today()


def parse_trial(reader: FormReader, on: date) -> tuple[TreatmentTrial, str | None]:
    treatment = reader.choice("treatment", vocab.all_treatments(), required=True)
    start = reader.day("start", not_after=on)
    end = reader.day("end", not_after=on)
    active = reader.flag("active")
    if start and end and end < start:
        reader.fail("end", "The end date cannot be before the start date.")
    if active and end:
        reader.fail("end", "An ongoing trial has no end date; clear one of the two.")
    outcome = reader.choice("outcome", vocab.OUTCOMES)
    dose = reader.number("daily_dose_mg", low=0, high=100000)
    note = reader.text("note", max_len=1000)
    trial = TreatmentTrial(
        treatment=treatment or "",
        start=start,
        end=end,
        active=active,
        outcome=TrialOutcome(outcome) if outcome else None,
        daily_dose_mg=dose,
        source="web",
    )
    return trial, note


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def trial_page(
        request: Request,
        patient: tuple[str, str],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Response:
        return renderer.form_page(
            request, "trial_form.html", patient, values, errors, status,
            groups=vocab.TREATMENT_GROUPS, outcomes=vocab.OUTCOMES,
        )  # fmt: skip

    @router.get("/patients/{patient_id}/trials/new")
    def trial_form(request: Request, patient_id: str, user: CurrentUser) -> Response:
        patient = (patient_id, patient_name(_ctx(request), user, patient_id))
        return trial_page(request, patient, {}, {}, 200)

    @router.post("/patients/{patient_id}/trials/new")
    async def trial_submit(request: Request, patient_id: str, user: CurrentUser) -> Response:
        form = await read_form(request)

        def rest() -> Response:  # blocking: database work in the thread pool
            reader = FormReader(form)
            trial, note = parse_trial(reader, today())
            patient = (patient_id, patient_name(_ctx(request), user, patient_id))
            if reader.errors:
                return trial_page(request, patient, reader.values(), reader.errors, 422)
            with unit_of_work(_ctx(request)) as session:
                CareRepository(session).add_trial(patient_id, trial, note=note)
                audit(session, user, "web.trial.create", patient_id, 201)
            return RedirectResponse(f"/patients/{patient_id}", status_code=303)

        return await run_in_threadpool(rest)

    return router
