"""A fast path for the common shapes of the hot resource types: the same facts, less work.

`fast_facts(resource, vocab)` returns exactly the facts the generic handlers return, or None
when the resource has a shape it does not take (then `extract_facts` runs the generic
handlers, which also produce the error messages). It reads the fields in the generic order,
type-checks them inline instead of through the validating accessors, memoises parsed dates,
builds facts positionally, and skips whole steps whose fields are absent (no outcome fields,
no dosage). Anything unusual -- a wrong JSON type, a medication reference, a malformed value
-- bails out to the generic path, so errors are never raised here.

The equivalence with the generic path is a test (tests/unit/fhir/test_fhir_fastpath.py: the
builder examples garbled by hypothesis, a generated Bulk export, the Synthea Bundles).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.domain.patient import Sex
from dystonia_cds.fhir import access as a
from dystonia_cds.fhir import conditions as cond
from dystonia_cds.fhir import medications as med
from dystonia_cds.fhir import observations as obs
from dystonia_cds.fhir import procedures as proc
from dystonia_cds.fhir.dosage import daily_dose_mg
from dystonia_cds.fhir.facts import (
    ComorbidityFact,
    DrugFact,
    Fact,
    FindingFact,
    FormFact,
    IgnoredFact,
    PatientFact,
    ProcedureFact,
    UnrecognizedFact,
)
from dystonia_cds.fhir.matching import describe, how_matched, match_concepts
from dystonia_cds.knowledge.vocabulary import LOINC, Vocabulary

_DATE_CACHE = 1 << 16
CONDITION_KINDS = ("form", "condition")
PROCEDURE_KINDS = ("procedure",)
_OBSERVATIONS_READ = frozenset({obs.BODY_WEIGHT, obs.GENETIC})
_SEXES = frozenset(s.value for s in Sex)


class Bail(Exception):
    """The resource has a shape the fast path does not take: use the generic path."""


_dates: dict[str, date] = {}
_vocabularies: dict[int, Vocabulary] = {}  # those memoised on, kept so their ids are not reused
MAX_VOCABULARIES = 8


def _remember(vocab: Vocabulary) -> None:
    """Keep a vocabulary the memos below key on (by id); past a few, start them afresh."""
    if id(vocab) not in _vocabularies:
        if len(_vocabularies) >= MAX_VOCABULARIES:
            _matches.clear()
            _gene_hints.clear()
            _vocabularies.clear()
        _vocabularies[id(vocab)] = vocab


def fhir_date(value: Any) -> date | None:
    """`access.parse_date` for a valid value (memoised: dates repeat a lot); bails otherwise."""
    if value is None:
        return None
    if type(value) is not str:
        raise Bail
    found = _dates.get(value)
    if found is None:
        found = a.parse_date({}, value, "")  # FhirInputError -> the generic path
        if found is None:  # pragma: no cover - parse_date returns a date for any string
            raise Bail
        if len(_dates) >= _DATE_CACHE:
            _dates.clear()
        _dates[value] = found
    return found


def _period(value: Any) -> tuple[date | None, date | None]:
    if value is None:
        return None, None
    if type(value) is not dict:
        raise Bail
    start, end = fhir_date(value.get("start")), fhir_date(value.get("end"))
    if start and end and end < start:
        raise Bail
    return start, end


def _str(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    raise Bail


def _dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise Bail
    return value


def _absent(r: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """None of `keys` holds a value (absent and null read alike in the generic path)."""
    return all(r.get(k) is None for k in keys)


def _concept(
    r: dict[str, Any], concept: dict[str, Any], field: str
) -> tuple[list[tuple[str, str, str]], str]:
    found = a.codings(r, concept, field)
    return found, a.concept_text(r, concept, field, found)


Matched = tuple[tuple[tuple[str, str], ...], str]  # (kind, concept id) pairs; how it reads
_matches: dict[tuple[int, tuple[str, ...], tuple[tuple[str, str, str], ...], str], Matched] = {}


def _match(
    vocab: Vocabulary, kinds: tuple[str, ...], found: list[tuple[str, str, str]], text: str
) -> Matched:
    """`match_concepts` and `describe` of a concept, memoised on its codings and text (the same
    few concepts fill most records)."""
    key = (id(vocab), kinds, tuple(found), text)
    hit = _matches.get(key)
    if hit is None:
        hit = (tuple(match_concepts(vocab, kinds, found, text)), describe(found, text))
        if len(_matches) >= _DATE_CACHE:
            _matches.clear()
        _remember(vocab)
        _matches[key] = hit
    return hit


# ---- MedicationRequest / MedicationStatement / MedicationAdministration ----------------------


def _drug_dates(r: dict[str, Any], rtype: str) -> tuple[date | None, date | None]:
    """`medications._dates`."""
    if rtype == "MedicationRequest":
        return fhir_date(r.get("authoredOn")), None
    start = end = fhir_date(r.get("effectiveDateTime"))
    if start is None:
        start, end = _period(r.get("effectivePeriod"))
    if rtype == "MedicationStatement":
        if "effectiveDateTime" in r:
            end = None
        if start is None:
            start = fhir_date(r.get("dateAsserted"))
    return start, end


def _first_dosage(r: dict[str, Any], rtype: str) -> tuple[dict[str, Any], str]:
    if rtype == "MedicationAdministration":
        return _dict(r.get("dosage")), "dosage"
    key = "dosageInstruction" if rtype == "MedicationRequest" else "dosage"
    items = r.get(key)
    if items is None:
        return {}, key
    if type(items) is not list or any(type(i) is not dict for i in items):
        raise Bail
    return (items[0], f"{key}[0]") if items else ({}, key)


def _units(dosage: dict[str, Any]) -> float | None:
    """Toxin units of an administration (`medications._dosage`)."""
    dose = _dict(dosage.get("dose"))
    unit = _str(dose.get("code")) or _str(dose.get("unit")) or ""
    value = dose.get("value")
    if value is not None and (type(value) is bool or not isinstance(value, int | float)):
        raise Bail
    return float(value) if value is not None and unit.strip().lower() in med.UNIT_WORDS else None


def dosage_of(r: dict[str, Any], rtype: str) -> tuple[str | None, float | None, float | None]:
    """`medications._dosage`: route, toxin units, daily dose in mg."""
    dosage, field = _first_dosage(r, rtype)
    if not dosage:
        return None, None, None
    route = None if dosage.get("route") is None else _route(r, _dict(dosage["route"]), field)
    if rtype == "MedicationAdministration":
        return route, _units(dosage), None
    return route, None, daily_dose_mg(r, dosage, field)


def _route(r: dict[str, Any], route: dict[str, Any], field: str) -> str | None:
    """The route of a dosage that names one (`medications.route_of` of its text)."""
    where = f"{field}.route"
    return med.route_of(a.concept_text(r, route, where, a.codings(r, route, where)).lower())


def _drug_use(r: dict[str, Any], vocab: Vocabulary, rid: str, pid: str) -> list[Fact]:
    """`medications.drug_use_facts` for a `medicationCodeableConcept`."""
    rtype: str = r["resourceType"]
    status = _str(r.get("status"))
    if status in med.DROPPED[rtype]:
        return []
    concept = r.get("medicationCodeableConcept")
    if type(concept) is not dict:
        raise Bail  # a reference, or an odd shape
    src = f"{rtype}/{rid}"
    found, text = _concept(r, concept, "medicationCodeableConcept")
    drugs, described = _match(vocab, med.DRUG_KINDS, found, text)
    if not drugs:
        reason = f"{described} matches no drug the knowledge base uses"
        return [UnrecognizedFact(pid, f"{src}.medicationCodeableConcept", reason)]
    start, end = _drug_dates(r, rtype)
    facts: list[Fact] = []
    outcome = None
    if not (r.get("statusReason") is None and r.get("extension") is None and r.get("note") is None):
        outcome = med.trial_outcome(r, pid, facts)
    route, units, daily = dosage_of(r, rtype)
    active, administration = status in med.CURRENT[rtype], rtype == "MedicationAdministration"
    facts.extend(
        DrugFact(pid, src, cid, None, kind, start, end, active, administration, route, outcome,
                 units, vocab.is_trial(cid), daily)
        for kind, cid in drugs
    )  # fmt: skip
    return facts


# ---- Procedure -------------------------------------------------------------------------------


def _procedure(r: dict[str, Any], vocab: Vocabulary, rid: str, pid: str) -> list[Fact]:
    """`procedures.procedure_facts`."""
    status = _str(r.get("status"))
    if status in proc.DROPPED:
        return []
    found, text = _concept(r, _dict(r.get("code")), "code")
    treatments = [cid for _, cid in _match(vocab, PROCEDURE_KINDS, found, text)[0]]
    if not treatments:
        return [IgnoredFact(pid, "Procedure", "Procedure")]
    start, end = fhir_date(r.get("performedDateTime")), None
    if start is None:
        start, end = _period(r.get("performedPeriod"))
    facts: list[Fact] = []
    outcome = None
    if not (r.get("outcome") is None and r.get("statusReason") is None and r.get("note") is None):
        outcome = proc.procedure_outcome(r, pid, facts)
    product = None
    if "botulinum-toxin" in treatments:
        plain = r.get("usedCode") is None and r.get("note") is None
        product = product_of_text(vocab, text) if plain else proc.toxin_product(r, vocab, text)
    src = f"Procedure/{rid}"
    for t in treatments:
        active = status in proc.CURRENT or (status == "completed" and t in proc.DEVICES)
        facts.append(ProcedureFact(pid, src, t, start, end, active, outcome, product))
    return facts


def product_of_text(vocab: Vocabulary, text: str) -> str | None:
    """`procedures.toxin_product` when the code's text is the only text."""
    products = [p for p in vocab.match_names("botulinum-toxin", text) if p != "botulinum-toxin"]
    return products[0] if len(products) == 1 else None


# ---- Condition, Observation, Patient ----------------------------------------------------------


def _status_code(r: dict[str, Any], key: str) -> str | None:
    """`access.status_code`."""
    concept = _dict(r.get(key))
    for _, code, _ in a.codings(r, concept, key):
        if code:
            return code
    return None


def _condition(r: dict[str, Any], vocab: Vocabulary, rid: str, pid: str) -> list[Fact]:
    """`conditions.condition_facts`."""
    verification = _status_code(r, "verificationStatus")
    if verification == "entered-in-error":
        return []
    src = f"Condition/{rid}"
    found, text = _concept(r, _dict(r.get("code")), "code")
    hits, described = _match(vocab, CONDITION_KINDS, found, text)
    if verification == "refuted":
        if ("condition", "wilson-disease") in hits:
            return [FindingFact(pid, src, "wilson-disease-excluded")]
        return []
    facts: list[Fact] = []
    if not _counts(r, facts, pid, src):
        return facts
    if not hits:
        reason = f"{described} matches no dystonia form or comorbidity"
        return [*facts, UnrecognizedFact(pid, f"{src}.code", reason)]
    forms = [cid for kind, cid in hits if kind == "form"]
    if forms:
        onset = _onset(r)
        regions = () if r.get("bodySite") is None else cond.body_regions(r, vocab, pid, facts)
        recorded = fhir_date(r.get("recordedDate"))
        facts.extend(
            FormFact(
                pid, src, f, regions, onset[0], onset[1], text, recorded,
                how_matched(vocab, "form", f, found, text),
            )
            for f in forms
        )  # fmt: skip
        if r.get("extension") is not None:
            facts.extend(cond.phenotype_axes(r, pid, src))
    facts.extend(
        ComorbidityFact(pid, src, cid, how_matched(vocab, kind, cid, found, text))
        for kind, cid in hits
        if kind == "condition"
    )
    return facts


def _counts(r: dict[str, Any], facts: list[Fact], pid: str, src: str) -> bool:
    """`conditions._counts`."""
    clinical = _status_code(r, "clinicalStatus")
    if clinical in cond.INACTIVE:
        return False
    if clinical is None:
        return not any(key in r for key in cond.ABATEMENT)
    if clinical not in cond.ACTIVE:
        reason = f"unknown code {clinical!r}; counted as active"
        facts.append(UnrecognizedFact(pid, f"{src}.clinicalStatus", reason))
    return True


def _onset(r: dict[str, Any]) -> tuple[float | None, date | None]:
    """`conditions._onset`."""
    when = fhir_date(r.get("onsetDateTime"))
    if when is None:
        when = _period(r.get("onsetPeriod"))[0]
    age = _dict(r.get("onsetAge"))
    return (cond.onset_age_years(r, age, "onsetAge") if age else None), when


def _observation(r: dict[str, Any], vocab: Vocabulary, rid: str, pid: str) -> list[Fact]:
    """`observations.observation_facts` for the Observations it ignores (vital signs, labs);
    body weights and possible genetic results take the generic path."""
    if _str(r.get("status")) in obs.DROPPED:
        return []
    code = _dict(r.get("code"))
    found = a.codings(r, code, "code")
    if any(s == LOINC and c in _OBSERVATIONS_READ for s, c, _ in found):
        raise Bail
    text = _str(code.get("text")) or ""
    displays = " | ".join(d for _, _, d in found if d)
    if _may_name_gene(vocab, f"{text} | {displays}"):
        raise Bail
    return [IgnoredFact(pid, "Observation", "Observation")]


_gene_hints: dict[tuple[int, str], bool] = {}


def _may_name_gene(vocab: Vocabulary, text: str) -> bool:
    """`vocab.may_name("gene", text)`, memoised (observation texts repeat a lot)."""
    key = (id(vocab), text)
    found = _gene_hints.get(key)
    if found is None:
        found = vocab.may_name("gene", text)
        if len(_gene_hints) >= _DATE_CACHE:
            _gene_hints.clear()
        _remember(vocab)
        _gene_hints[key] = found
    return found


def _patient(r: dict[str, Any], vocab: Vocabulary, rid: str, pid: str) -> list[Fact]:
    """`extract.patient_facts` for a known or absent gender (else the generic path)."""
    if not rid:
        raise Bail
    birth = fhir_date(r.get("birthDate"))
    gender = r.get("gender")
    if gender is None:
        gender = "unknown"
    elif type(gender) is not str or gender not in _SEXES:
        raise Bail
    if "deceasedBoolean" in r or "deceasedDateTime" in r:
        raise Bail  # rare: the checked path reads and validates them
    return [PatientFact(rid, f"Patient/{rid}", birth, gender)]


Handler = Callable[[dict[str, Any], Vocabulary, str, str], list[Fact]]
_HANDLERS: dict[str, Handler] = {
    "MedicationRequest": _drug_use,
    "MedicationStatement": _drug_use,
    "MedicationAdministration": _drug_use,
    "Procedure": _procedure,
    "Condition": _condition,
    "Observation": _observation,
    "Patient": _patient,
}


def fast_facts(resource: dict[str, Any], vocab: Vocabulary) -> list[Fact] | None:
    """The facts of a resource of a common shape, or None (then use the generic handlers)."""
    rtype = resource.get("resourceType")
    if type(rtype) is not str:
        return None
    handler = _HANDLERS.get(rtype)
    rid = resource.get("id")
    if handler is None or type(rid) is not str:
        return None
    try:  # the patient first, as the generic path reads it before anything else
        return handler(resource, vocab, rid, a.patient_of(resource))
    except (Bail, FhirInputError):
        return None
