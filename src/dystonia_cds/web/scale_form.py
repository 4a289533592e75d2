"""Entry form: a rating-scale assessment (TWSTRS, BFMDRS, JRS) with the live total in the
browser and every item range checked again here before scoring (`care.score_assessment`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from dystonia_cds.care import score_assessment
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.knowledge.care_catalog import ScaleDefinition, load_care_catalog
from dystonia_cds.store import care_values
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


def scale_or_default(scale_id: str) -> ScaleDefinition:
    catalog = load_care_catalog()
    return catalog.scale(scale_id) or catalog.scale("twstrs") or catalog.scales.scales[0]


def scale_json(scale: ScaleDefinition) -> str:
    data = {
        "id": scale.id,
        "items": [
            {"key": i.key, "weight": i.weight, "subscale": i.subscale, "min": i.min, "max": i.max}
            for i in scale.items
        ],
        "products": [
            {"factors": list(p.factors), "weight": p.weight, "subscale": p.subscale}
            for p in scale.products
        ],
        "subscales": [s.id for s in scale.subscales],
    }
    return orjson.dumps(data).decode()


def parse_items(reader: FormReader, scale: ScaleDefinition) -> dict[str, int]:
    items: dict[str, int] = {}
    for item in scale.items:
        value = reader.number(
            f"item-{item.key}", low=item.min, high=item.max, required=True, whole=True
        )
        if value is not None:
            items[item.key] = int(value)
    return items


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def assessment_page(
        request: Request,
        patient: tuple[str, str],
        scale: ScaleDefinition,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
    ) -> Response:
        return renderer.form_page(
            request, "assessment_form.html", patient, values, errors, status,
            scale=scale, scale_json=scale_json(scale), scales=vocab.SCALE_LABELS,
            today=today().isoformat(),
        )  # fmt: skip

    @router.get("/patients/{patient_id}/assessments/new")
    async def assessment_form(
        request: Request,
        patient_id: str,
        user: CurrentUser,
        scale: str = "twstrs",
    ) -> Response:
        patient = (patient_id, patient_name(_ctx(request), user, patient_id))
        return assessment_page(
            request,
            patient,
            scale_or_default(scale),
            {"date": today().isoformat()},
            {},
            200,
        )

    @router.post("/patients/{patient_id}/assessments/new")
    async def assessment_submit(request: Request, patient_id: str, user: CurrentUser) -> Response:
        reader = FormReader(await read_form(request))
        scale = scale_or_default(reader.raw("scale"))
        when = reader.day("date", required=True, not_after=today())
        items = parse_items(reader, scale)
        patient = (patient_id, patient_name(_ctx(request), user, patient_id))
        if reader.errors or when is None:
            return assessment_page(request, patient, scale, reader.values(), reader.errors, 422)
        try:
            score = score_assessment(scale.id, items)
        except InvalidInput as exc:
            key = (exc.location or "").removeprefix("items.")
            reader.fail(f"item-{key}", str(exc).split(": ", 1)[-1])
            return assessment_page(request, patient, scale, reader.values(), reader.errors, 422)
        data = care_values.AssessmentData(
            date=when,
            scale=scale.id,
            items=dict(score.items),
            total=score.total,
            scores=score.as_dict(),
        )
        with unit_of_work(_ctx(request)) as session:
            CareRepository(session).add_assessment(patient_id, data)
            audit(session, user, "web.assessment.create", patient_id, 201)
        return RedirectResponse(f"/patients/{patient_id}#charts-h", status_code=303)

    return router
