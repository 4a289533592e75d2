"""A stored patient as a FHIR R4 Bundle (type collection) in the project's input profile, so
that `read_bundle` reads back everything the profile knows (docs: DESIGN.md "FHIR input
profile"; the reader is `dystonia_cds.fhir`).

- Patient: birthDate, gender, name text (the display name).
- Dystonia diagnoses: Condition with the form's code where the vocabulary marks one safe to
  emit (ICD-10-CM), else text only; body regions as bodySite text; onsetDateTime or onsetAge;
  the phenotype axes as the project extensions `urn:dystonia-cds:<axis>` on the first one.
- Comorbidities: active Conditions; `wilson-disease-excluded`: a refuted Wilson disease
  Condition.
- Genes: Observation LOINC 69548-6 with a 48018-6 "Gene studied" component, value "Present";
  CYP2D6 findings the same way (value "poor metabolizer" when so).
- Body weight: Observation LOINC 29463-7 in kg.
- Drugs and drug trials: MedicationStatement (RxNorm code only where emit-safe, else text),
  the trial outcome in statusReason with `urn:dystonia-cds:trial-outcome`. A drug use that is
  also a trial (same drug and dates) is one resource, as the reader makes both from one.
- Procedure trials (DBS, intrathecal baclofen, rehabilitation): Procedure with the outcome.
- Injection visits: MedicationAdministration of the product with the session's units.
- Diary check-ins: QuestionnaireResponse to the project Questionnaire, which comes along
  (`dystonia_cds.fhir.questionnaire`; docs/diary.md).
Not in the profile, hence not exported: indication and per-muscle units of a visit, trial
doses and notes, assessments, titration plans (they stay in `GET .../history`).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import object_session

from dystonia_cds.fhir.questionnaire import diary_response, questionnaire
from dystonia_cds.knowledge.vocabulary import PROCEDURE_IDS, Vocabulary, load_vocabulary
from dystonia_cds.store.care_models import (
    Diagnosis,
    InjectionVisit,
    Patient,
    PhenotypeAxes,
    TreatmentTrialRow,
)
from dystonia_cds.store.diary import DiaryRepository

OUTCOME_SYSTEM = "urn:dystonia-cds:trial-outcome"
EXTENSION_PREFIX = "urn:dystonia-cds:"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
UCUM = "http://unitsofmeasure.org"
DEVICES = frozenset({"deep-brain-stimulation", "intrathecal-baclofen"})
# Names the vocabulary recognises where the id with spaces is not one of its names.
TEXT_FOR = {"task-specific-limb-dystonia": "task-specific dystonia"}
NAMESPACE = uuid.UUID("5a0c7c36-3c5d-4a55-9d0e-9f4f0b1d6c21")


def concept(vocab: Vocabulary, concept_id: str) -> dict[str, Any]:
    """A CodeableConcept: a verified code when there is one, and always a recognisable text."""
    result: dict[str, Any] = {"text": TEXT_FOR.get(concept_id, concept_id.replace("-", " "))}
    coding = vocab.emit_code(concept_id)
    if coding is not None:
        result["coding"] = [
            {"system": coding.system, "code": coding.code, "display": coding.display}
        ]
    return result


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


class _Builder:
    def __init__(self, patient: Patient, vocab: Vocabulary) -> None:
        self.patient = patient
        self.vocab = vocab
        self.subject = {"reference": f"Patient/{patient.id}"}
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> None:
        key = f"{resource['resourceType']}/{resource['id']}"
        full_url = f"urn:uuid:{uuid.uuid5(NAMESPACE, self.patient.id + key)}"
        self.entries.append({"fullUrl": full_url, "resource": resource})

    def resource(self, rtype: str, rid: str, **fields: Any) -> None:
        subject = {"subject": self.subject} if rtype != "Patient" else {}
        self.add({"resourceType": rtype, "id": rid, **subject, **fields})


def patient_bundle(patient: Patient, vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The Bundle of a fully loaded patient (`CareRepository.history`)."""
    b = _Builder(patient, vocab or load_vocabulary())
    _patient(b)
    for index, diagnosis in enumerate(patient.diagnoses):
        _diagnosis(b, diagnosis, patient.phenotype if index == 0 else None)
    _facts(b)
    if patient.weight_kg is not None:
        _weight(b, patient.weight_kg)
    routes = {_key(m.ingredient, m.start, m.end, m.active): m.route for m in patient.medications}
    trial_keys = _trials(b, patient.trials, routes)
    for med in patient.medications:
        if _key(med.ingredient, med.start, med.end, med.active) not in trial_keys:
            _drug_use(b, f"medication-{med.id}", med.ingredient, med.start, med.end, med.active,
                      route=med.route)  # fmt: skip
    for visit in patient.injection_visits:
        _injection(b, visit)
    _diary(b)
    return {"resourceType": "Bundle", "type": "collection", "entry": b.entries}


def _diary(b: _Builder) -> None:
    session = object_session(b.patient)
    entries = DiaryRepository(session).list(b.patient.id) if session is not None else []
    if entries:
        b.add(questionnaire())
    for entry in reversed(entries):  # oldest first, as the record holds them
        b.add(diary_response(entry, b.patient.id, f"diary-entry-{entry.id}"))


def _patient(b: _Builder) -> None:
    p = b.patient
    fields: dict[str, Any] = {"gender": p.sex}
    if p.birth_date is not None:
        fields["birthDate"] = p.birth_date.isoformat()
    if p.display_name:
        fields["name"] = [{"text": p.display_name}]
    b.resource("Patient", p.id, **fields)


def _axes(axes: PhenotypeAxes | None) -> list[dict[str, Any]]:
    if axes is None:
        return []
    values = [
        (name, getattr(axes, name))
        for name in ("distribution", "course", "association", "etiology")
    ]
    values += [("variability", v) for v in axes.variability]
    return [{"url": EXTENSION_PREFIX + name, "valueCode": v} for name, v in values if v]


def _diagnosis(b: _Builder, row: Diagnosis, axes: PhenotypeAxes | None) -> None:
    fields: dict[str, Any] = {
        "clinicalStatus": _status(CLINICAL, "active"),
        "verificationStatus": _status(VERIFICATION, "confirmed"),
        "code": concept(b.vocab, row.form),
    }
    if row.regions:
        fields["bodySite"] = [concept(b.vocab, r) for r in row.regions]
    if row.onset_date is not None:
        fields["onsetDateTime"] = row.onset_date.isoformat()
    elif row.onset_age_years is not None:
        fields["onsetAge"] = {
            "value": row.onset_age_years,
            "unit": "a",
            "system": UCUM,
            "code": "a",
        }
    extensions = _axes(axes)
    if extensions:
        fields["extension"] = extensions
    b.resource("Condition", f"diagnosis-{row.id}", **fields)


def _facts(b: _Builder) -> None:
    for fact in b.patient.facts:
        rid = f"{fact.kind}-{fact.id}"
        if fact.kind == "condition":
            b.resource("Condition", rid, clinicalStatus=_status(CLINICAL, "active"),
                       code=concept(b.vocab, fact.code))  # fmt: skip
        elif fact.code == "wilson-disease-excluded":
            b.resource("Condition", rid, verificationStatus=_status(VERIFICATION, "refuted"),
                       code=concept(b.vocab, "wilson-disease"))  # fmt: skip
        elif fact.kind == "gene":
            _genetic(b, rid, fact.code, "Present")
        elif fact.code == "cyp2d6-poor-metabolizer":
            _genetic(b, rid, "CYP2D6", "poor metabolizer")
        elif fact.code == "cyp2d6-genotyped":
            _genetic(b, rid, "CYP2D6", "genotyped")


def _genetic(b: _Builder, rid: str, gene: str, value: str) -> None:
    b.resource(
        "Observation",
        rid,
        status="final",
        code=concept(b.vocab, "genetic-variant-assessment"),
        component=[
            {"code": concept(b.vocab, "gene-studied"), "valueCodeableConcept": {"text": gene}}
        ],
        valueCodeableConcept={"text": value},
    )


def _weight(b: _Builder, kg: float) -> None:
    quantity = {"value": kg, "unit": "kg", "system": UCUM, "code": "kg"}
    b.resource("Observation", "body-weight", status="final",
               code=concept(b.vocab, "body-weight"), valueQuantity=quantity)  # fmt: skip


def _period(start: date | None, end: date | None) -> dict[str, str]:
    period = {"start": start.isoformat()} if start else {}
    return period | ({"end": end.isoformat()} if end else {})


def _outcome(outcome: str | None) -> dict[str, Any]:
    coding = {"system": OUTCOME_SYSTEM, "code": outcome}
    return {"coding": [coding], "text": outcome.replace("-", " ")} if outcome else {}


UseKey = tuple[str, date | None, date | None, bool]


def _key(drug: str, start: date | None, end: date | None, active: bool) -> UseKey:
    return (drug, start, end, active)


def _trials(
    b: _Builder, trials: list[TreatmentTrialRow], routes: dict[UseKey, str | None]
) -> set[UseKey]:
    """Export the trials; returns the drug-use keys they already stand for (a drug use that
    is also a trial is one resource, carrying the route of the drug use)."""
    keys = set()
    for t in trials:
        if t.treatment in PROCEDURE_IDS and t.treatment != "botulinum-toxin":
            _procedure(b, t)
            continue
        key = _key(t.treatment, t.start, t.end, t.active)
        _drug_use(b, f"trial-{t.id}", t.treatment, t.start, t.end, t.active,
                  outcome=t.outcome, route=routes.get(key))  # fmt: skip
        keys.add(key)
    return keys


def _drug_use(
    b: _Builder,
    rid: str,
    drug: str,
    start: date | None,
    end: date | None,
    active: bool,
    *,
    outcome: str | None = None,
    route: str | None = None,
) -> None:
    fields: dict[str, Any] = {
        "status": "active" if active else "completed",
        "medicationCodeableConcept": concept(b.vocab, drug),
    }
    if start or end:
        fields["effectivePeriod"] = _period(start, end)
    if outcome:
        fields["statusReason"] = [_outcome(outcome)]
    if route:
        fields["dosage"] = [{"route": {"text": route}}]
    b.resource("MedicationStatement", rid, **fields)


def _procedure(b: _Builder, t: TreatmentTrialRow) -> None:
    status = "in-progress" if t.active else ("stopped" if t.treatment in DEVICES else "completed")
    fields: dict[str, Any] = {"status": status, "code": concept(b.vocab, t.treatment)}
    if t.start or t.end:
        fields["performedPeriod"] = _period(t.start, t.end)
    if t.outcome:
        fields["outcome"] = _outcome(t.outcome)
    b.resource("Procedure", f"trial-{t.id}", **fields)


def _injection(b: _Builder, visit: InjectionVisit) -> None:
    fields: dict[str, Any] = {
        "status": "completed",
        "medicationCodeableConcept": concept(b.vocab, visit.product or "botulinum-toxin"),
        "effectiveDateTime": visit.date.isoformat(),
    }
    dosage: dict[str, Any] = {"route": {"text": "intramuscular"}}
    if visit.total_units is not None:
        dosage["dose"] = {"value": visit.total_units, "unit": "U", "system": UCUM, "code": "U"}
    fields["dosage"] = dosage
    if visit.indication:
        fields["reasonCode"] = [{"text": visit.indication.replace("-", " ")}]
    b.resource("MedicationAdministration", f"injection-{visit.id}", **fields)
