"""Entry form: a treatment trial (drug or procedure) with dates, outcome and dose; an
ongoing drug is checked before saving (`trial_checks`: dose limits, drugs in use)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import TreatmentTrial, TrialOutcome
from dystonia_cds.domain.recommendation import Alert
from dystonia_cds.web import trial_checks, vocab
from dystonia_cds.web.auth import CsrfRejected, CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import patient_name
from dystonia_cds.web.security import tokens_match
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
        checks: tuple[Alert, ...] = (),
    ) -> Response:
        return renderer.form_page(
            request, "trial_form.html", patient, values, errors, status,
            groups=vocab.TREATMENT_GROUPS, outcomes=vocab.OUTCOMES,
            **trial_checks.page_extra(checks),
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
            ctx = _ctx(request)
            proposal = trial_checks.trial_proposal(trial, note)
            checks = trial_checks.check_and_save(ctx, user, patient_id, proposal, reader, today())
            if reader.errors:  # checks to review first (issue 10): nothing saved
                return trial_page(request, patient, reader.values(), reader.errors, 409, checks)
            return RedirectResponse(f"/patients/{patient_id}", status_code=303)

        return await run_in_threadpool(rest)

    @router.post("/patients/{patient_id}/trials/preview")
    async def trial_preview(request: Request, patient_id: str, user: CurrentUser) -> Response:
        if not tokens_match(user.csrf_token, request.headers.get("x-csrf-token")):
            raise CsrfRejected
        reader = FormReader(await request.form())
        trial, _ = parse_trial(reader, today())
        checks: tuple[Alert, ...] = ()
        if not reader.errors:
            ctx = _ctx(request)
            proposal = trial_checks.trial_proposal(trial)
            checks = await run_in_threadpool(
                trial_checks.preview, ctx, user, patient_id, proposal, today()
            )
        return JSONResponse(trial_checks.preview_body(checks, reader.errors))

    return router
