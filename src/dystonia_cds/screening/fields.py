"""Readings of typed line fields that need no memo: dates and periods, an administration's
dosage, a status code, whether a Condition counts, its onset, the Patient's facts, and the
few fields handed to the FHIR mapping's own functions as the dict they expect (`decode.py`
applies them; each names the mapping function it mirrors)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Raw

from dystonia_cds.fhir import conditions as cond
from dystonia_cds.fhir import fastpath as fp
from dystonia_cds.fhir import medications as med
from dystonia_cds.fhir.extract import SEXES
from dystonia_cds.fhir.facts import Fact, PatientFact, UnrecognizedFact
from dystonia_cds.screening.structs import (
    AdministrationDosage,
    Concept,
    ConditionLine,
    PatientLine,
    Period,
    ProcedureLine,
    _DrugLine,
    _Line,
)

CONCEPT = msgspec.json.Decoder(Concept | None)
ADMINISTRATION_DOSAGE = msgspec.json.Decoder(AdministrationDosage | None)


def concept_words(concept: Concept) -> tuple[list[tuple[str, str, str]], str]:
    """`access.codings` and `access.concept_text` of a typed CodeableConcept."""
    found = [(c.system or "", c.code or "", c.display or "") for c in concept.coding or ()]
    text = concept.text or ""
    displays = " | ".join(d for _, _, d in found if d)
    return found, (f"{text} | {displays}" if displays else text)


def as_resource(obj: _Line, rtype: str, **fields: Any) -> dict[str, Any]:
    """The few fields handed to the mapping's own functions, as the dict they expect."""
    return {"resourceType": rtype, "id": obj.id, **fields}


def procedure_resource(obj: ProcedureLine) -> dict[str, Any]:
    """What `procedures.procedure_outcome` and `procedures.toxin_product` read, as a resource."""
    return as_resource(obj, "Procedure", outcome=obj.outcome, statusReason=obj.statusReason,
                       note=obj.note, usedCode=obj.usedCode)  # fmt: skip


def administration_dosage(raw: Raw) -> tuple[str | None, float | None] | None:
    """Route and toxin units of an administration's dosage (`medications._dosage`)."""
    dosage = ADMINISTRATION_DOSAGE.decode(raw) if raw else None
    if dosage is None:
        return None
    route = (
        med.route_of(concept_words(dosage.route)[1].lower()) if dosage.route is not None else None
    )
    dose = dosage.dose
    if dose is None or dose.value is None:
        return route, None
    unit = dose.code or dose.unit or ""
    return route, float(dose.value) if unit.strip().lower() in med.UNIT_WORDS else None


def administration_dates(obj: _DrugLine) -> tuple[Any, Any]:
    """`medications._dates` of a MedicationAdministration."""
    when = obj.effectiveDateTime
    start = fp.fhir_date(None if when is UNSET else when)
    if start is None:
        return period_dates(obj.effectivePeriod)
    return start, start


def drug_dates(obj: _DrugLine, rtype: str) -> tuple[Any, Any]:
    """`medications._dates`."""
    if rtype == "MedicationRequest":
        return fp.fhir_date(obj.authoredOn), None
    when = obj.effectiveDateTime
    start = end = fp.fhir_date(None if when is UNSET else when)
    if start is None:
        start, end = period_dates(obj.effectivePeriod)
    if rtype == "MedicationStatement":
        if when is not UNSET:
            end = None
        if start is None:
            start = fp.fhir_date(obj.dateAsserted)
    return start, end


def period_dates(period: Period | None) -> tuple[Any, Any]:
    if period is None:
        return None, None
    start, end = fp.fhir_date(period.start), fp.fhir_date(period.end)
    if start and end and end < start:
        raise fp.Bail
    return start, end


def patient_facts(obj: PatientLine) -> list[Fact]:
    """`extract.patient_facts`."""
    pid, gender = str(obj.id), obj.gender
    src = f"Patient/{pid}"
    facts: list[Fact] = [
        PatientFact(pid, src, fp.fhir_date(obj.birthDate), gender if gender in SEXES else "unknown")
    ]
    if gender is not None and gender not in SEXES:
        facts.append(UnrecognizedFact(pid, f"{src}.gender", f"unknown gender {gender[:20]!r}"))
    return facts


def status_code(raw: Raw) -> str | None:
    """`access.status_code`: the first code of a status CodeableConcept."""
    concept = CONCEPT.decode(raw) if raw else None
    if concept is None or not concept.coding:
        return None
    return next((c.code for c in concept.coding if c.code), None)


def counts(obj: ConditionLine, clinical: str | None, facts: list[Fact], pid: str, src: str) -> bool:
    """`conditions._counts`."""
    if clinical in cond.INACTIVE:
        return False
    if clinical is None:
        abatements = (obj.abatementDateTime, obj.abatementAge, obj.abatementPeriod,
                      obj.abatementRange, obj.abatementString)  # fmt: skip
        return all(a is UNSET for a in abatements)
    if clinical not in cond.ACTIVE:
        reason = f"unknown code {clinical!r}; counted as active"
        facts.append(UnrecognizedFact(pid, f"{src}.clinicalStatus", reason))
    return True


def onset(obj: ConditionLine) -> tuple[float | None, Any]:
    """`conditions._onset`."""
    when = fp.fhir_date(obj.onsetDateTime)
    if when is None:
        when = period_dates(obj.onsetPeriod)[0]
    age = obj.onsetAge
    if age is None:
        return None, when
    if type(age) is not dict:
        raise fp.Bail
    rest = as_resource(obj, "Condition", onsetAge=age)
    return (cond.onset_age_years(rest, age, "onsetAge") if age else None), when
