"""Entry form: a drug the patient takes or recently took (e.g. a dopamine-blocking drug behind
an acute dystonic reaction, an opioid next to a benzodiazepine, an MAO inhibitor); a drug
still taken is checked before saving (`trial_checks`: contraindications and cautions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import Medication
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.web import trial_checks, vocab
from dystonia_cds.web.auth import CsrfRejected, CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import patient_name
from dystonia_cds.web.security import tokens_match
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
        checks: tuple[Alert, ...] = (),
    ) -> Response:
        return renderer.form_page(
            request, "medication_form.html", patient, values, errors, status,
            groups=medication_groups(), routes=ROUTES, **trial_checks.page_extra(checks),
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
            proposal = trial_checks.medication_proposal(medication)
            checks = trial_checks.check_and_save(
                _ctx(request), user, patient_id, proposal, reader, date.today()
            )
            if reader.errors:  # checks to review first (issue 10): nothing saved
                return page(request, patient, reader.values(), reader.errors, 409, checks)
            return RedirectResponse(f"/patients/{patient_id}", status_code=303)

        return await run_in_threadpool(rest)

    @router.post("/patients/{patient_id}/medications/preview")
    async def medication_preview(request: Request, patient_id: str, user: CurrentUser) -> Response:
        if not tokens_match(user.csrf_token, request.headers.get("x-csrf-token")):
            raise CsrfRejected
        reader = FormReader(await request.form())
        medication = parse_medication(reader, date.today())
        checks: tuple[Alert, ...] = ()
        if not reader.errors:
            proposal = trial_checks.medication_proposal(medication)
            checks = await run_in_threadpool(
                trial_checks.preview, _ctx(request), user, patient_id, proposal, date.today()
            )
        return JSONResponse(trial_checks.preview_body(checks, reader.errors))

    return router
