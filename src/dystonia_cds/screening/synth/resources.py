"""Write a `Plan` as FHIR R4 resources (plain dicts), in the shapes the FHIR input profile reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any

from dystonia_cds.screening.synth import codes
from dystonia_cds.screening.synth.plans import DrugCourse, Plan, Shot

Resource = dict[str, Any]

_SYNTHETIC = {"tag": [{"system": "urn:dystonia-cds:synthetic", "code": "synthetic"}]}
_STATUS = {s: codes.status(codes.CLINICAL, s) for s in ("active", "resolved", "inactive")}
_VERIFIED = {
    s: codes.status(codes.VERIFICATION, s) for s in ("confirmed", "refuted", "entered-in-error")
}
_PROBLEM_LIST = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item",
            }
        ]
    }
]
_LABORATORY = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                "code": "laboratory",
            }
        ]
    }
]
_REGIONS = {
    "eyes": {"text": "Eyelid structure"},
    "lower-face": {"text": "Jaw region structure"},
    "larynx": {"text": "Laryngeal structure"},
    "neck": {"text": "Neck structure"},
    "trunk": {"text": "Trunk structure"},
    "upper-limb": {"text": "Upper limb structure"},
    "lower-limb": {"text": "Lower limb structure"},
}


def plan_resources(plan: Plan) -> Iterator[tuple[str, Resource]]:
    """Every resource of one patient, Patient first, in a fixed order."""
    subject = {"reference": f"Patient/{plan.patient_id}"}
    yield "Patient", _patient(plan)
    for n, build in enumerate(_builders(plan), start=1):
        resource = build(plan, subject, n)
        yield resource["resourceType"], resource


Builder = Callable[[Plan, dict[str, str], int], Resource]


def _builders(plan: Plan) -> Iterator[Builder]:
    for form, status in plan.dystonia:
        yield partial(_dystonia, form=form, status=status)
    for condition in plan.conditions:
        yield partial(_condition, code=codes.CONDITIONS[condition], verified="confirmed")
    if plan.wilson_excluded:
        yield partial(_condition, code=codes.WILSON_EXCLUDED, verified="refuted")
    for course in plan.drugs:
        yield partial(_drug, course=course)
    for shot in plan.shots:
        yield partial(_shot, shot=shot)
    for procedure, day in plan.procedures:
        yield partial(_procedure, code=codes.PROCEDURES[procedure], day=day)
    for gene in plan.genes:
        yield partial(_gene, gene=gene)


def _rid(plan: Plan, n: int) -> str:
    return f"{plan.patient_id}-{n}"


def _envelope(plan: Plan, n: int, day: date) -> Resource:
    """Fields real exports carry that screening does not read (identifier, encounter, meta)."""
    rid = _rid(plan, n)
    return {
        "meta": {"lastUpdated": f"{day.isoformat()}T09:30:00Z", **_SYNTHETIC},
        "identifier": [{"system": "urn:dystonia-cds:synthetic:record", "value": rid}],
        "encounter": {"reference": f"Encounter/{rid}-enc"},
        "recorder": {
            "reference": "Practitioner/synthetic-neurologist",
            "display": "Synthetic Clinic",
        },
    }


def _patient(plan: Plan) -> Resource:
    return {
        "resourceType": "Patient",
        "id": plan.patient_id,
        "meta": _SYNTHETIC,
        "identifier": [{"system": "urn:dystonia-cds:synthetic:mrn", "value": plan.patient_id[:13]}],
        "name": [{"use": "official", "family": plan.family, "given": [plan.given]}],
        "telecom": [{"system": "phone", "value": "555-0100", "use": "home"}],
        "gender": plan.sex,
        "birthDate": plan.birth.isoformat(),
        "address": [{"line": ["1 Synthetic Way"], "city": "Exampleton", "country": "ZZ"}],
        "communication": [{"language": {"text": "English"}, "preferred": True}],
    }


def _dystonia(plan: Plan, subject: dict[str, str], n: int, form: str, status: str) -> Resource:
    clinical = "active" if status in ("active", "refuted", "entered-in-error") else status
    verified = status if status in ("refuted", "entered-in-error") else "confirmed"
    resource = _condition(plan, subject, n, codes.DYSTONIA[form], verified, clinical)
    if plan.regions:
        resource["bodySite"] = [_REGIONS[r] for r in plan.regions]
    if plan.onset:
        resource["onsetDateTime"] = plan.onset.isoformat()
    return resource


def _condition(
    plan: Plan,
    subject: dict[str, str],
    n: int,
    code: codes.Concept,
    verified: str,
    clinical: str = "active",
) -> Resource:
    return {
        "resourceType": "Condition",
        "id": _rid(plan, n),
        **_envelope(plan, n, plan.onset or plan.birth),
        "category": _PROBLEM_LIST,
        "clinicalStatus": _STATUS[clinical],
        "verificationStatus": _VERIFIED[verified],
        "code": code,
        "subject": subject,
    }


def _drug(plan: Plan, subject: dict[str, str], n: int, course: DrugCourse) -> Resource:
    medication = codes.DRUGS[course.ingredient]
    if course.kind == "request":
        return {
            "resourceType": "MedicationRequest",
            "id": _rid(plan, n),
            **_envelope(plan, n, course.start),
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": medication,
            "subject": subject,
            "authoredOn": course.start.isoformat(),
        }
    if course.kind == "administration":
        return _administration(plan, subject, n, medication, course.start)
    return _statement(plan, subject, n, medication, course)


def _statement(
    plan: Plan, subject: dict[str, str], n: int, medication: codes.Concept, course: DrugCourse
) -> Resource:
    period = {"start": course.start.isoformat()}
    if course.end:
        period["end"] = course.end.isoformat()
    resource: Resource = {
        "resourceType": "MedicationStatement",
        "id": _rid(plan, n),
        **_envelope(plan, n, course.start),
        "status": "active" if course.active else "stopped",
        "medicationCodeableConcept": medication,
        "subject": subject,
        "effectivePeriod": period,
    }
    if course.outcome:
        resource["statusReason"] = [codes.outcome(course.outcome)]
    return resource


def _administration(
    plan: Plan, subject: dict[str, str], n: int, medication: codes.Concept, day: date
) -> Resource:
    return {
        "resourceType": "MedicationAdministration",
        "id": _rid(plan, n),
        **_envelope(plan, n, day),
        "status": "completed",
        "medicationCodeableConcept": medication,
        "subject": subject,
        "effectiveDateTime": day.isoformat(),
    }


def _shot(plan: Plan, subject: dict[str, str], n: int, shot: Shot) -> Resource:
    if shot.as_procedure:
        return _procedure(plan, subject, n, codes.PROCEDURES["botulinum-toxin"], shot.day)
    resource = _administration(plan, subject, n, codes.DRUGS[shot.product], shot.day)
    resource["reasonCode"] = [{"text": shot.indication.replace("-", " ")}]
    resource["dosage"] = {"dose": {"value": shot.units, "unit": "U"}}
    return resource


def _procedure(
    plan: Plan, subject: dict[str, str], n: int, code: codes.Concept, day: date
) -> Resource:
    return {
        "resourceType": "Procedure",
        "id": _rid(plan, n),
        **_envelope(plan, n, day),
        "status": "completed",
        "code": code,
        "subject": subject,
        "performedDateTime": day.isoformat(),
    }


def _gene(plan: Plan, subject: dict[str, str], n: int, gene: str) -> Resource:
    return {
        "resourceType": "Observation",
        "id": _rid(plan, n),
        **_envelope(plan, n, plan.onset or plan.birth),
        "category": _LABORATORY,
        "status": "final",
        "code": codes.GENETIC_PANEL,
        "subject": subject,
        "valueCodeableConcept": {"text": "Pathogenic variant present"},
        "component": [{"code": codes.GENE_STUDIED, "valueCodeableConcept": {"text": gene}}],
    }
