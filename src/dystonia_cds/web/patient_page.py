"""The patient page (alerts, ranked options with feedback, phenotype, timeline, next
injection window, charts), the feedback endpoint and the patient handout (page and PDF)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.care.weight_doses import doses_by_option, kg
from dystonia_cds.context import AppContext
from dystonia_cds.domain.patient import age_in_years
from dystonia_cds.knowledge import load_knowledge
from dystonia_cds.web import acknowledgements, handout, vocab
from dystonia_cds.web.alert_board import attention_context
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.diary_view import diary_context
from dystonia_cds.web.feedback import MAX_REPORT, add_feedback
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.life_status import life_status
from dystonia_cds.web.patient_data import (
    PatientView,
    WebPatientNotFound,
    audit,
    injection_window,
    read_patient_view,
    require_patient,
    unit_of_work,
)
from dystonia_cds.web.patient_views import charts_for, phenotype_lines, timeline
from dystonia_cds.web.pdf_pool import render_in_process
from dystonia_cds.web.templating import Renderer

OPTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def evaluation_date(at: str) -> date:
    """`?at=YYYY-MM-DD` lets a clinician look at another date; default today."""
    if at:
        try:
            return datetime.strptime(at, "%Y-%m-%d").date()
        except ValueError:
            pass
    return date.today()


def window_context(view: PatientView) -> dict[str, Any]:
    injections = view.record.injections
    last = max((i.date for i in injections), default=None)
    window = injection_window(last)
    status = ""
    if window:
        if view.today < window[0]:
            status = "too-soon"
        elif view.today <= window[1]:
            status = "due"
        else:
            status = "overdue"
    return {"last_injection": last, "window": window, "window_status": status}


def page_context(view: PatientView) -> dict[str, Any]:
    patient, record, rec = view.patient, view.record, view.recommendation
    return {
        "patient": patient,
        "record": record,
        "rec": rec,
        "age": age_in_years(record.birth_date, view.today) if record.birth_date else None,
        "phenotype": phenotype_lines(record),
        "timeline": timeline(patient),
        "charts": charts_for(patient),
        "doses": doses_by_option(rec, load_knowledge()),
        "weight": kg(record.weight_kg) if record.weight_kg else None,
        "deceased": life_status(record, view.today).note,
        "today": view.today,
        "label": vocab.label,
        **window_context(view),
        **diary_context(record),
    }


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(acknowledgements.build_router(renderer))

    @router.get("/patients/{patient_id}")
    def patient_page(  # plain def: database reads and the engine run in the thread pool
        request: Request,
        patient_id: str,
        user: CurrentUser,
        at: str = "",
        fb: str = "",
    ) -> Response:
        view = read_patient_view(_ctx(request), user, patient_id, evaluation_date(at))
        context = page_context(view)
        context["thanks"] = fb if OPTION_ID.match(fb) else ""
        alerts = view.recommendation.alerts
        context.update(attention_context(_ctx(request), user, patient_id, alerts))
        return renderer.page(request, "patient.html", context)

    @router.post("/patients/{patient_id}/feedback")
    async def feedback(request: Request, patient_id: str, user: CurrentUser) -> Response:
        reader = FormReader(await read_form(request))
        option_id = reader.raw("option_id")
        if not OPTION_ID.match(option_id):
            raise WebPatientNotFound(patient_id)
        helpful_raw = reader.raw("helpful")
        text = reader.text("error_text", max_len=MAX_REPORT)
        helpful = {"yes": True, "no": False}.get(helpful_raw)
        ctx = _ctx(request)
        if helpful is None and text is None:
            return RedirectResponse(f"/patients/{patient_id}#option-{option_id}", status_code=303)

        def store() -> None:
            with unit_of_work(ctx) as session:
                require_patient(session, patient_id)
                add_feedback(
                    session,
                    patient_id=patient_id,
                    option_id=option_id,
                    user_id=user.user_id,
                    helpful=helpful if text is None else None,
                    text=text,
                    knowledge_version=getattr(ctx.knowledge, "version", ""),
                )
                audit(session, user, "web.feedback.create", patient_id, 201)

        await run_in_threadpool(store)
        return RedirectResponse(
            f"/patients/{patient_id}?fb={option_id}#option-{option_id}", status_code=303
        )

    @router.get("/patients/{patient_id}/handout")
    def handout_page(request: Request, patient_id: str, user: CurrentUser) -> Response:
        view = read_patient_view(
            _ctx(request), user, patient_id, date.today(), action="web.handout.read"
        )
        items = handout.handout_items(view.recommendation, request.query_params.getlist("o"))
        context = {
            "patient": view.patient,
            "items": items,
            "choices": handout.discussable(view.recommendation),
            "chosen": {i.option_id for i in items},
            "pdf_query": urlencode([("o", i.option_id) for i in items]),
            "general": handout.GENERAL,
            "handout": handout.for_view(view, items, _ctx(request)),
            "today": view.today,
        }
        return renderer.page(request, "handout.html", context)

    @router.get("/patients/{patient_id}/handout.pdf")
    def handout_pdf(request: Request, patient_id: str, user: CurrentUser) -> Response:
        """Plain def: the PDF is rendered in the thread pool, never on the event loop."""
        view = read_patient_view(
            _ctx(request), user, patient_id, date.today(), action="web.handout.pdf"
        )
        items = handout.handout_items(view.recommendation, request.query_params.getlist("o"))
        document = handout.for_view(view, items, _ctx(request))
        data = render_in_process(handout.handout_pdf, document)  # web.pdf_pool: not the GIL
        return Response(
            data,
            media_type="application/pdf",
            headers={"content-disposition": 'inline; filename="dystonia-handout.pdf"'},
        )

    return router
