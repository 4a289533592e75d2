"""Builders of synthetic FHIR R4 resources and Bundles for tests (synthetic data only).

Each builder returns a plain dict; keyword arguments override or add elements. Usable by every
test tier, e.g.

    bundle(patient(birth_date="2015-03-01"), condition(icd10("G24.3")), medication_request(rxnorm("5093", "haloperidol")))
"""

from __future__ import annotations

import importlib.util
import itertools
from functools import cache
from pathlib import Path
from typing import Any

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC = "http://loinc.org"
OUTCOME = "urn:dystonia-cds:trial-outcome"
PATIENT_ID = "pat-1"

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def concept(*codings: dict[str, Any], text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text is not None:
        out["text"] = text
    return out


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display is not None:
        out["display"] = display
    return out


def icd10(code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    return concept(coding(ICD10CM, code, display), text=text)


def snomed(code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    return concept(coding(SNOMED, code, display), text=text)


def rxnorm(code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    return concept(coding(RXNORM, code, display), text=text)


def text_only(text: str) -> dict[str, Any]:
    return {"text": text}


def outcome(code: str) -> dict[str, Any]:
    return concept(coding(OUTCOME, code, code.replace("-", " ")))


def subject(patient_id: str = PATIENT_ID) -> dict[str, Any]:
    return {"reference": f"Patient/{patient_id}"}


def patient(
    patient_id: str = PATIENT_ID,
    birth_date: str | None = "1980-05-17",
    gender: str | None = "female",
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Patient", "id": patient_id}
    if birth_date is not None:
        out["birthDate"] = birth_date
    if gender is not None:
        out["gender"] = gender
    return {**out, **extra}


def _status(system_suffix: str, code: str) -> dict[str, Any]:
    return concept(coding(f"http://terminology.hl7.org/CodeSystem/{system_suffix}", code))


def condition(
    code: dict[str, Any],
    *,
    clinical: str | None = "active",
    verification: str | None = "confirmed",
    body_sites: list[dict[str, Any]] | None = None,
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Condition",
        "id": _id("cond"),
        "code": code,
        "subject": subject(patient_id),
    }
    if clinical is not None:
        out["clinicalStatus"] = _status("condition-clinical", clinical)
    if verification is not None:
        out["verificationStatus"] = _status("condition-ver-status", verification)
    if body_sites:
        out["bodySite"] = body_sites
    return {**out, **extra}


def phenotype_extension(axis: str, value: str) -> dict[str, Any]:
    return {"url": f"urn:dystonia-cds:{axis}", "valueCode": value}


def medication_request(
    medication: dict[str, Any],
    *,
    status: str = "active",
    authored: str | None = "2026-01-10",
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": _id("mreq"),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": medication,
        "subject": subject(patient_id),
    }
    if authored is not None:
        out["authoredOn"] = authored
    return {**out, **extra}


def medication_statement(
    medication: dict[str, Any],
    *,
    status: str = "active",
    start: str | None = "2025-01-01",
    end: str | None = None,
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": _id("mstat"),
        "status": status,
        "medicationCodeableConcept": medication,
        "subject": subject(patient_id),
    }
    if start is not None or end is not None:
        out["effectivePeriod"] = {
            k: v for k, v in (("start", start), ("end", end)) if v is not None
        }
    return {**out, **extra}


def medication_administration(
    medication: dict[str, Any],
    *,
    when: str = "2026-11-20",
    status: str = "completed",
    units: float | None = None,
    route: str | None = None,
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": _id("madm"),
        "status": status,
        "medicationCodeableConcept": medication,
        "subject": subject(patient_id),
        "effectiveDateTime": when,
    }
    dosage: dict[str, Any] = {}
    if units is not None:
        dosage["dose"] = {
            "value": units,
            "unit": "U",
            "system": "http://unitsofmeasure.org",
            "code": "U",
        }
    if route is not None:
        dosage["route"] = text_only(route)
    if dosage:
        out["dosage"] = dosage
    return {**out, **extra}


def procedure(
    code: dict[str, Any],
    *,
    when: str = "2026-08-01",
    status: str = "completed",
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": _id("proc"),
        "status": status,
        "code": code,
        "subject": subject(patient_id),
        "performedDateTime": when,
    }
    return {**out, **extra}


def gene_observation(
    gene: str, value: str = "Present", *, patient_id: str = PATIENT_ID, **extra: Any
) -> dict[str, Any]:
    answers = {"Present": "LA9633-4", "Absent": "LA9634-2"}
    value_concept = (
        concept(coding(LOINC, answers[value], value)) if value in answers else text_only(value)
    )
    out: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id("obs"),
        "status": "final",
        "code": concept(coding(LOINC, "69548-6", "Genetic variant assessment")),
        "subject": subject(patient_id),
        "valueCodeableConcept": value_concept,
        "component": [
            {
                "code": concept(coding(LOINC, "48018-6", "Gene studied [ID]")),
                "valueCodeableConcept": concept(
                    coding("http://www.genenames.org/geneId", f"HGNC-{gene}", gene)
                ),
            }
        ],
    }
    return {**out, **extra}


def weight_observation(
    kg: float, *, when: str = "2026-11-01", unit: str = "kg", patient_id: str = PATIENT_ID
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": _id("obs"),
        "status": "final",
        "code": concept(coding(LOINC, "29463-7", "Body weight")),
        "subject": subject(patient_id),
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": kg,
            "unit": unit,
            "system": "http://unitsofmeasure.org",
            "code": unit,
        },
    }


def bundle(*resources: dict[str, Any], bundle_type: str = "collection") -> dict[str, Any]:
    """A Bundle of the resources; transaction Bundles get request entries like Synthea's."""
    entries = []
    for r in resources:
        entry: dict[str, Any] = {"fullUrl": f"urn:uuid:{r.get('id', _id('x'))}", "resource": r}
        if bundle_type == "transaction":
            entry["request"] = {"method": "POST", "url": r["resourceType"]}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": bundle_type, "entry": entries}


@cache
def synthea_dir() -> Path:
    """`SYNTHEA_DIR` of the root `tests/conftest.py`, loaded by path: with several conftest
    modules in the suite, `from conftest import ...` may find another one."""
    path = Path(__file__).resolve().parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("dystonia_cds_tests_root_conftest", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.SYNTHEA_DIR)


def dose_instruction(mg: float, per_day: int, *, route: str | None = None) -> dict[str, Any]:
    """One FHIR Dosage: `mg` milligrams `per_day` times a day (route as text, optional)."""
    out: dict[str, Any] = {
        "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [
            {
                "doseQuantity": {
                    "value": mg,
                    "unit": "mg",
                    "system": "http://unitsofmeasure.org",
                    "code": "mg",
                }
            }
        ],
    }
    if route is not None:
        out["route"] = text_only(route)
    return out


def allergy_intolerance(
    code: dict[str, Any],
    *,
    clinical: str = "active",
    verification: str = "confirmed",
    patient_id: str = PATIENT_ID,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "id": _id("allergy"),
        "clinicalStatus": _status("allergyintolerance-clinical", clinical),
        "verificationStatus": _status("allergyintolerance-verification", verification),
        "code": code,
        "patient": subject(patient_id),
    }
    return {**out, **extra}
