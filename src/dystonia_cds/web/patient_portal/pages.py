"""The patient's own pages under `/my`: home (urgent advice, next injection window, recent
check-ins), my treatment (the handout's options, what to expect and when), side effects (what
to report and how fast), and the "Was this page helpful? / Report an error" box of each page,
stored with the clinicians' feedback (web.feedback) under the option id `my-<page>`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.web.auth import read_form
from dystonia_cds.web.feedback import MAX_REPORT, add_feedback
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, unit_of_work
from dystonia_cds.web.patient_portal import texts
from dystonia_cds.web.patient_portal.access import CurrentPatient, PatientSession, ctx_of
from dystonia_cds.web.patient_portal.views import common, recent_entries, treatment_context
from dystonia_cds.web.templating import Renderer

PAGES = {
    "home": "/my",
    "treatment": "/my/treatment",
    "side-effects": "/my/side-effects",
    "check-in": "/my/check-in",
}


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def show(request: Request, who: PatientSession, page: str, template: str) -> Response:
        ctx = ctx_of(request)
        context = common(ctx, page)
        context.update(treatment_context(ctx, who, f"web.my.{page}.read"))
        if page == "home":
            context["entries"] = recent_entries(ctx, who.patient_id, date.today())
        context["thanks"] = request.query_params.get("fb") == "1"
        context["saved"] = request.query_params.get("saved") == "1"
        return renderer.page(request, template, context)

    @router.get("/my")
    def home(request: Request, who: CurrentPatient) -> Response:
        return show(request, who, "home", "my_home.html")

    @router.get("/my/treatment")
    def treatment(request: Request, who: CurrentPatient) -> Response:
        return show(request, who, "treatment", "my_treatment.html")

    @router.get("/my/side-effects")
    def side_effects(request: Request, who: CurrentPatient) -> Response:
        return show(request, who, "side-effects", "my_side_effects.html")

    @router.post("/my/feedback")
    async def feedback(request: Request, who: CurrentPatient) -> Response:
        reader = FormReader(await read_form(request))
        page = reader.raw("page")
        target = PAGES.get(page, "/my")
        helpful = {"yes": True, "no": False}.get(reader.raw("helpful"))
        text = reader.text("error_text", max_len=MAX_REPORT)
        if reader.errors:  # too long, or hidden characters: refused, nothing stored
            message = f"The report was not sent. {reader.errors['error_text']}"
            context = {"notice": texts.NOTICE, "heading": "Please check your report"}
            context.update(message=message, back=target)
            return renderer.page(request, "my_error.html", context, 400)
        if page not in PAGES or (helpful is None and text is None):
            return RedirectResponse(target, status_code=303)
        await run_in_threadpool(store_feedback, request, who, page, helpful, text)
        return RedirectResponse(f"{target}?fb=1#feedback-heading", status_code=303)

    return router


def store_feedback(
    request: Request, who: PatientSession, page: str, helpful: bool | None, text: str | None
) -> None:
    ctx = ctx_of(request)
    with unit_of_work(ctx) as session:
        add_feedback(
            session,
            patient_id=who.patient_id,
            option_id=f"my-{page}",
            user_id=who.user.user_id,
            helpful=helpful if text is None else None,
            text=text,
            knowledge_version=getattr(ctx.knowledge, "version", ""),
        )
        audit(session, who.user, "web.my.feedback.create", who.patient_id, 201)
