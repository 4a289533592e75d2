"""Scales and the injection vocabulary (what the API accepts), injection visits with their
checks against the stored earlier visits, and rating-scale assessments with their scores.
The rules are the care core's (`dystonia_cds.care`); this module stores and answers."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from dystonia_cds.api.calls import CurrentCall
from dystonia_cds.api.errors import CareRoute, JsonResponse
from dystonia_cds.api.schemas import (
    AssessmentCreate,
    AssessmentCreated,
    CheckPublic,
    InjectionCreated,
    InjectionVisitCreate,
    TitrationPlanCreate,
    TitrationPlanCreated,
)
from dystonia_cds.care import injections as care_injections
from dystonia_cds.care.botulinum import check_injection
from dystonia_cds.care.response import DatedScore
from dystonia_cds.care.scales import ScaleScore, score_assessment
from dystonia_cds.care.titration import parse_titration, titration_definitions
from dystonia_cds.care.vocabulary import injection_vocabulary, scale_definitions
from dystonia_cds.domain.patient import age_in_years
from dystonia_cds.store.care_models import Assessment, Patient
from dystonia_cds.store.care_values import AssessmentData, InjectionVisitData, MuscleDose
from dystonia_cds.store.repository import CareRepository

router = APIRouter(prefix="/api", tags=["care"], route_class=CareRoute)


@router.get("/scales", response_class=JsonResponse)
def get_scales(call: CurrentCall) -> JsonResponse:
    """The rating scales: item keys, ranges and subscales the assessment endpoint accepts."""
    call.record()
    return JsonResponse(scale_definitions())


@router.get("/injection-vocabulary", response_class=JsonResponse)
def get_injection_vocabulary(call: CurrentCall) -> JsonResponse:
    """Products, indications, sides and muscles the injection endpoint accepts."""
    call.record()
    return JsonResponse(injection_vocabulary())


def _care_visit(body: InjectionVisitCreate) -> care_injections.InjectionVisit:
    return care_injections.InjectionVisit(
        date=body.date,
        product=body.product,
        indication=body.indication,
        muscles=tuple(
            care_injections.MuscleDose(muscle=m.muscle, side=m.side, units=m.units)
            for m in body.muscles
        ),
        lot=body.lot,
        dilution=body.dilution,
        guidance=body.guidance,
    )


def _stored_visit(visit: care_injections.InjectionVisit) -> InjectionVisitData:
    return InjectionVisitData(
        date=visit.date,
        product=visit.product,
        indication=visit.indication,
        muscles=tuple(MuscleDose(m.muscle, m.side, m.units) for m in visit.muscles),
        lot=visit.lot,
        dilution=visit.dilution,
        guidance=visit.guidance,
    )


def dated_score(row: Assessment) -> DatedScore:
    """A stored assessment as the care core's scored value, from its stored scores (no
    re-scoring; item scores are not carried: the visit checks read scores only)."""
    score = ScaleScore(
        scale=row.scale,
        items={},
        subscales={k: float(v) for k, v in row.scores.items()},
        total=row.total,
    )
    return DatedScore(date=row.date, score=score)


def record_visit(
    repo: CareRepository, patient_id: str, body: InjectionVisitCreate, *, on: date
) -> tuple[int, list[dict[str, str]]]:
    """Check the visit against the stored visits and assessments, then store it (the patient
    is locked first: two visits recorded at once are each checked against the other)."""
    patient = repo.lock_patient(patient_id)
    visit = _care_visit(body)
    previous = repo.injection_visits(patient_id, muscles=False)
    scored = [dated_score(a) for a in repo.assessments(patient_id, items=False)]
    checks = check_injection(
        visit,
        previous,
        on=on,
        assessments=scored,
        conditions=[fact.code for fact in patient.facts if fact.kind == "condition"],
        age_years=age_in_years(patient.birth_date, visit.date) if patient.birth_date else None,
    )
    visit_id = repo.add_injection_visit(patient_id, _stored_visit(visit))
    return visit_id, [c.as_dict() for c in checks]


@router.post("/patients/{patient_id}/injections", status_code=201, response_model=InjectionCreated)
def add_injection_visit(
    patient_id: str, body: InjectionVisitCreate, call: CurrentCall
) -> InjectionCreated:
    """Record a botulinum-toxin session; the answer carries the checks of this visit
    (interval, labelled maxima, product switch, possible secondary non-response)."""
    with call.unit_of_work(201) as repo:
        visit_id, checks = record_visit(repo, patient_id, body, on=date.today())
    return InjectionCreated(id=str(visit_id), checks=[CheckPublic(**c) for c in checks])


def score_and_store(
    repo: CareRepository, patient_id: str, body: AssessmentCreate
) -> tuple[int, dict[str, Any]]:
    score = score_assessment(body.scale, body.items)
    data = AssessmentData(
        date=body.date,
        scale=score.scale,
        items=dict(score.items),
        total=score.total,
        scores=dict(score.subscales),
    )
    return repo.add_assessment(patient_id, data), score.as_dict()


@router.post(
    "/patients/{patient_id}/assessments", status_code=201, response_model=AssessmentCreated
)
def add_assessment(patient_id: str, body: AssessmentCreate, call: CurrentCall) -> AssessmentCreated:
    """Score and store an assessment; an item out of range is a 422 naming `items.<key>`."""
    with call.unit_of_work(201) as repo:
        repo.get_patient(patient_id)  # 404 before 422 for an unknown patient
        assessment_id, scores = score_and_store(repo, patient_id, body)
    return AssessmentCreated(id=str(assessment_id), scores=scores)


@router.get("/titrations", response_class=JsonResponse)
def get_titrations(call: CurrentCall) -> JsonResponse:
    """The drugs with a titration schedule and the options each one reads."""
    call.record()
    return JsonResponse(titration_definitions())


def _with_patient_defaults(body: TitrationPlanCreate, patient: Patient) -> dict[str, Any]:
    data = body.model_dump(exclude={"note"})
    (definition,) = [d for d in titration_definitions() if d["id"] == body.drug] or [
        {"options": []}
    ]
    if (
        "age_years" in definition["options"]
        and data.get("age_years") is None
        and patient.birth_date
    ):
        data["age_years"] = age_in_years(patient.birth_date, body.start)
    if "weight_kg" in definition["options"] and data.get("weight_kg") is None:
        data["weight_kg"] = patient.weight_kg
    return data


@router.post(
    "/patients/{patient_id}/titration-plans",
    status_code=201,
    response_model=TitrationPlanCreated,
)
def add_titration_plan(
    patient_id: str, body: TitrationPlanCreate, call: CurrentCall
) -> TitrationPlanCreated:
    """Generate a dated titration schedule (care core) and keep it with the patient; a dose
    above a maximum is refused (422 naming the option)."""
    with call.unit_of_work(201) as repo:
        patient = repo.get_patient(patient_id)
        schedule = parse_titration(_with_patient_defaults(body, patient)).as_dict()
        plan_id = repo.add_titration_plan(
            patient_id, drug=body.drug, start=body.start, schedule=schedule, note=body.note
        )
    return TitrationPlanCreated(id=str(plan_id), schedule=schedule)
