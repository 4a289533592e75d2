"""Stage 1 of the FHIR mapping: one resource -> a few compact facts (pure, picklable).

`extract_facts` reads one FHIR R4 resource (a plain dict decoded with orjson) and returns the
facts the engine needs, each tagged with the patient id the resource belongs to. Resource types
the profile does not read give one `IgnoredFact` (counted later, never listed one by one).
Malformed input raises `FhirInputError` naming the resource and the field; unknown but
well-formed content gives `UnrecognizedFact`s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import Sex
from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.conditions import condition_facts
from dystonia_cds.fhir.facts import Fact, IgnoredFact, PatientFact, UnrecognizedFact
from dystonia_cds.fhir.fastpath import fast_facts
from dystonia_cds.fhir.medications import drug_use_facts, medication_facts
from dystonia_cds.fhir.observations import observation_facts
from dystonia_cds.fhir.procedures import allergy_facts, procedure_facts
from dystonia_cds.fhir.questionnaire import questionnaire_facts, questionnaire_response_facts
from dystonia_cds.knowledge.vocabulary import Vocabulary

SEXES = frozenset(s.value for s in Sex)


def patient_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    if not pid:
        raise a.fail(r, "id", "a Patient needs an id")
    birth = a.parse_date(r, r.get("birthDate"), "birthDate")
    gender = a.get_str(r, r, "gender", "gender")
    died = a.parse_date(r, r.get("deceasedDateTime"), "deceasedDateTime")
    flag = r.get("deceasedBoolean")
    if flag is not None and not isinstance(flag, bool):
        raise a.fail(r, "deceasedBoolean", "must be true or false")
    deceased = flag is True or died is not None
    facts: list[Fact] = [
        PatientFact(
            pid, a.where(r), birth, gender if gender in SEXES else "unknown", deceased, died
        )
    ]
    if gender is not None and gender not in SEXES:
        facts.append(
            UnrecognizedFact(pid, f"{a.where(r)}.gender", f"unknown gender {gender[:20]!r}")
        )
    return facts


Handler = Callable[[dict[str, Any], Vocabulary, str], list[Fact]]
HANDLERS: dict[str, Handler] = {
    "Patient": patient_facts,
    "Condition": condition_facts,
    "MedicationRequest": drug_use_facts,
    "MedicationStatement": drug_use_facts,
    "MedicationAdministration": drug_use_facts,
    "Medication": medication_facts,
    "Procedure": procedure_facts,
    "Observation": observation_facts,
    "AllergyIntolerance": allergy_facts,
    "Questionnaire": questionnaire_facts,
    "QuestionnaireResponse": questionnaire_response_facts,
}
READ_TYPES = frozenset(HANDLERS)


def _loose_patient(resource: dict[str, Any]) -> str:
    """Patient id of a resource the profile does not read; never fails on odd shapes."""
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict):
            return a.reference_key(ref.get("reference")) or ""
    return ""


def extract_facts(resource: dict[str, Any], vocab: Vocabulary) -> list[Fact]:
    """The facts in one FHIR resource (each carries the patient id it belongs to).

    Common shapes of the hot types take `fastpath.fast_facts` (the same facts, tested);
    everything else, and every error message, comes from `generic_facts`."""
    if type(resource) is dict:
        facts = fast_facts(resource, vocab)
        if facts is not None:
            return facts
    return generic_facts(resource, vocab)


def generic_facts(resource: dict[str, Any], vocab: Vocabulary) -> list[Fact]:
    """The facts of one resource through the validating handlers (the reference behaviour)."""
    if not isinstance(resource, dict):
        raise FhirInputError(f"a resource must be a JSON object, got {type(resource).__name__}")
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise FhirInputError("resourceType is missing or not a string", location=a.where(resource))
    handler = HANDLERS.get(rtype)
    if handler is None:
        return [IgnoredFact(_loose_patient(resource), rtype, rtype)]  # source: the type alone
    rid = resource.get("id")
    if rid is not None and not isinstance(rid, str):
        raise FhirInputError(
            f"id must be a string, got {type(rid).__name__}", location=f"{rtype}.id"
        )
    return handler(resource, vocab, a.patient_of(resource))
