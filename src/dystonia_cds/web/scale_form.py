"""Entry form: a rating-scale assessment (TWSTRS, BFMDRS, JRS) with the live total in the
browser and every item range checked again here before scoring (`care.score_assessment`).

The form opens on the scale that fits the patient's phenotype (`fitting_scale`: BFMDRS for
generalized, segmental or multifocal dystonia, TWSTRS for cervical, JRS for blepharospasm),
the others a click away; items are grouped under their subscale headings. A BFMDRS whose
disability section was not examined is stored as movement only (total = movement score).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds.care import score_assessment
from dystonia_cds.context import AppContext
from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.knowledge.care_catalog import (
    ScaleDefinition,
    ScaleItem,
    Subscale,
    load_care_catalog,
)
from dystonia_cds.store import care_values
from dystonia_cds.store.repository import CareRepository
from dystonia_cds.web import vocab
from dystonia_cds.web.accounts import SignedIn
from dystonia_cds.web.auth import CurrentUser, read_form
from dystonia_cds.web.forms import FormReader
from dystonia_cds.web.patient_data import audit, patient_name, require_patient, unit_of_work
from dystonia_cds.web.templating import Renderer


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.context
    return ctx


def today() -> date:
    return date.today()


# A part that may be left out when it was not examined (BFMDRS: movement is the score
# clinicians report; the disability section is often not done in clinic).
OPTIONAL_PARTS = {"bfmdrs": "disability"}
PART_LABELS = {
    "severity": "Severity",
    "disability": "Disability",
    "pain": "Pain",
    "movement": "Movement",
}
WIDESPREAD = frozenset({"generalized", "segmental", "multifocal", "hemidystonia"})


def scale_or_default(scale_id: str, default: str = "twstrs") -> ScaleDefinition:
    catalog = load_care_catalog()
    return catalog.scale(scale_id) or catalog.scale(default) or catalog.scales.scales[0]


def fitting_scale(forms: set[str], regions: set[str], distribution: str | None) -> str:
    """The scale that fits the phenotype: BFMDRS when more than one region is involved,
    TWSTRS for cervical dystonia, JRS for blepharospasm; TWSTRS when nothing decides."""
    if distribution in WIDESPREAD or len(regions) > 1:
        return "bfmdrs"
    if "cervical-dystonia" in forms or regions == {"neck"}:
        return "twstrs"
    if "blepharospasm" in forms or regions == {"eyes"}:
        return "jrs"
    if "genetic-torsion-dystonia" in forms:
        return "bfmdrs"
    return "twstrs"


def patient_and_scale(ctx: AppContext, user: SignedIn, patient_id: str) -> tuple[str, str]:
    """The patient's display name and the scale that fits their phenotype (audited read)."""
    with unit_of_work(ctx) as session:
        patient = require_patient(session, patient_id)
        audit(session, user, "web.patient.read", patient_id)
        forms = {d.form for d in patient.diagnoses}
        regions = {r for d in patient.diagnoses for r in d.regions or ()}
        distribution = patient.phenotype.distribution if patient.phenotype else None
        return patient.display_name or "(no name)", fitting_scale(forms, regions, distribution)


def item_groups(scale: ScaleDefinition) -> list[tuple[Subscale | None, list[ScaleItem]]]:
    """The items under their subscale headings, in the catalogue's order (one group of
    items without a subscale for a scale that has none)."""
    groups: list[tuple[Subscale | None, list[ScaleItem]]] = [
        (sub, [i for i in scale.items if i.subscale == sub.id]) for sub in scale.subscales
    ]
    loose = [i for i in scale.items if i.subscale is None]
    return [g for g in groups if g[1]] + ([(None, loose)] if loose else [])


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


def skipped_part(reader: FormReader, scale: ScaleDefinition) -> str | None:
    """The optional part the clinician marked "not examined" (None: every item is needed)."""
    part = OPTIONAL_PARTS.get(scale.id)
    return part if part and reader.raw(f"skip-{part}") == "on" else None


def parse_items(
    reader: FormReader, scale: ScaleDefinition, skipped: str | None = None
) -> dict[str, int]:
    items: dict[str, int] = {}
    for item in scale.items:
        if skipped is not None and item.subscale == skipped:
            continue
        value = reader.number(
            f"item-{item.key}", low=item.min, high=item.max, required=True, whole=True
        )
        if value is not None:
            items[item.key] = int(value)
    return items


def assessment_data(
    when: date, scale: ScaleDefinition, items: dict[str, int], skipped: str | None
) -> care_values.AssessmentData:
    """Score the items (an unexamined part is scored as its lowest values, then left out of
    the items, the subscales and the total). Raises InvalidInput for a bad item."""
    filled = dict(items)
    for item in scale.items:
        if item.subscale == skipped and skipped is not None:
            filled[item.key] = item.min
    score = score_assessment(scale.id, filled)
    scores: dict[str, Any] = {k: v for k, v in score.as_dict().items() if k != skipped}
    total = score.total
    if skipped is not None:
        total = sum(v for k, v in score.subscales.items() if k != skipped)
        scores["total"] = total  # the part left out is absent from the scores (not 0)
    return care_values.AssessmentData(
        date=when, scale=scale.id, items=items, total=float(total), scores=scores
    )


def build_router(renderer: Renderer) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def assessment_page(
        request: Request,
        patient: tuple[str, str],
        scale: ScaleDefinition,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int,
        fitting: str = "",
    ) -> Response:
        return renderer.form_page(
            request, "assessment_form.html", patient, values, errors, status,
            scale=scale, scale_json=scale_json(scale), scales=vocab.SCALE_LABELS,
            today=today().isoformat(), groups=item_groups(scale), part_labels=PART_LABELS,
            optional_part=OPTIONAL_PARTS.get(scale.id), fitting=fitting,
        )  # fmt: skip

    @router.get("/patients/{patient_id}/assessments/new")
    def assessment_form(
        request: Request,
        patient_id: str,
        user: CurrentUser,
        scale: str = "",
    ) -> Response:
        name, fitting = patient_and_scale(_ctx(request), user, patient_id)
        chosen = scale_or_default(scale, default=fitting)
        values = {"date": today().isoformat()}
        return assessment_page(request, (patient_id, name), chosen, values, {}, 200, fitting)

    @router.post("/patients/{patient_id}/assessments/new")
    async def assessment_submit(request: Request, patient_id: str, user: CurrentUser) -> Response:
        form = await read_form(request)

        def rest() -> Response:  # blocking: database work in the thread pool
            reader = FormReader(form)
            scale = scale_or_default(reader.raw("scale"))
            when = reader.day("date", required=True, not_after=today())
            skipped = skipped_part(reader, scale)
            items = parse_items(reader, scale, skipped)
            patient = (patient_id, patient_name(_ctx(request), user, patient_id))
            if reader.errors or when is None:
                return assessment_page(request, patient, scale, reader.values(), reader.errors, 422)
            try:
                data = assessment_data(when, scale, items, skipped)
            except InvalidInput as exc:
                key = (exc.location or "").removeprefix("items.")
                reader.fail(f"item-{key}", str(exc).split(": ", 1)[-1])
                return assessment_page(request, patient, scale, reader.values(), reader.errors, 422)
            with unit_of_work(_ctx(request)) as session:
                CareRepository(session).add_assessment(patient_id, data)
                audit(session, user, "web.assessment.create", patient_id, 201)
            return RedirectResponse(f"/patients/{patient_id}#charts-h", status_code=303)

        return await run_in_threadpool(rest)

    return router
