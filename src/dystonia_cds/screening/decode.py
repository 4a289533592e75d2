"""Typed decoding of the hot resource types: msgspec Structs naming only the fields the FHIR
mapping reads (`structs.py`), and the mapping's rules applied to them directly.

A Bulk export line carries far more than the mapping reads (meta, identifier, encounter,
recorder, names, addresses ...). For MedicationRequest / MedicationStatement /
MedicationAdministration, Procedure, Condition and Patient lines, and Observations the mapping
does not read (vital signs, labs: one ignored fact), a tagged union of Structs keyed on
`resourceType` lets msgspec skip the rest without building it, and `typed_facts` produces the
facts the FHIR mapping would -- the same code paths as `dystonia_cds.fhir.fastpath`, reading
attributes instead of dict keys; the rarer parts (trial outcomes, dosage, body sites, phenotype
extensions, onset ages) are handed to the mapping's own functions.

`typed_facts` declines (None) whatever it does not take: another type, malformed JSON, a wrong
JSON type anywhere it reads, a medication reference, a missing subject, a body weight or a
genetic result, a non-ASCII line that is not valid UTF-8, any value the mapping would reject.
The caller then decodes the line with orjson and runs the generic path, so errors are reported
exactly as before. Equivalence with the orjson path is tested
(tests/unit/screening/test_typed_decode.py). One difference is by design: a number beyond the
double range (e.g. `1e400`) inside a field the mapping never reads is skipped here, where orjson
refuses the whole line.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from msgspec import UNSET

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir import conditions as cond
from dystonia_cds.fhir import fastpath as fp
from dystonia_cds.fhir import medications as med
from dystonia_cds.fhir import observations as obs
from dystonia_cds.fhir import procedures as proc
from dystonia_cds.fhir.access import _reference_key
from dystonia_cds.fhir.extract import _SEXES as SEXES
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
from dystonia_cds.fhir.matching import describe, match_concepts
from dystonia_cds.knowledge.vocabulary import LOINC, Vocabulary
from dystonia_cds.screening.structs import (
    PREFIXES,
    AdministrationDosage,
    Concept,
    ConditionLine,
    Line,
    MedicationAdministrationLine,
    ObservationLine,
    PatientLine,
    Period,
    ProcedureLine,
    _DrugLine,
    _Line,
)

__all__ = ["PREFIXES", "Line", "typed_facts"]

_DECLINED = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, ValueError)


@cache
def _decoder() -> msgspec.json.Decoder[Line]:
    return msgspec.json.Decoder(Line)


def typed_facts(line: bytes, vocab: Vocabulary) -> list[Fact] | None:
    """The facts of one line of a hot type (checked like any line), or None: use the generic way."""
    if not line.isascii():
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        obj = _decoder().decode(line)
    except _DECLINED:
        return None
    try:
        if isinstance(obj, PatientLine):
            return _patient_facts(obj) if obj.id else None
        pid = _patient(obj)
        if pid is None or obj.id is None:
            return None
        if type(obj) is ProcedureLine:
            return _procedure(obj, vocab, pid)
        if type(obj) is ConditionLine:
            return _condition(obj, vocab, pid)
        if type(obj) is ObservationLine:
            return _observation(obj, vocab, pid)
        return _drug_use(obj, vocab, pid)  # type: ignore[arg-type]
    except (fp._Bail, FhirInputError):
        return None


def _patient(obj: _Line) -> str | None:
    """The patient id, when the line passes the screening check (a subject reference)."""
    ref = obj.patient if obj.subject is UNSET else obj.subject
    if ref is None or ref.reference is None:
        return None  # the generic way reports it
    value = ref.reference
    return (_reference_key(value) if value else None) or ""


def _concept(concept: Concept) -> tuple[list[tuple[str, str, str]], str]:
    """`access.codings` and `access.concept_text` of a typed CodeableConcept."""
    found = [(c.system or "", c.code or "", c.display or "") for c in concept.coding or ()]
    text = concept.text or ""
    displays = " | ".join(d for _, _, d in found if d)
    return found, (f"{text} | {displays}" if displays else text)


def _rest(obj: _Line, rtype: str, **fields: Any) -> dict[str, Any]:
    """The few fields handed to the mapping's own functions, as the dict they expect."""
    return {"resourceType": rtype, "id": obj.id, **fields}


def _drug_use(obj: _DrugLine, vocab: Vocabulary, pid: str) -> list[Fact] | None:
    """`fastpath._drug_use` on a typed line."""
    rtype = str(obj.__struct_config__.tag)
    if obj.status in med.DROPPED[rtype]:
        return []
    concept = obj.medicationCodeableConcept
    if concept is None or concept is UNSET:
        return None
    src = f"{rtype}/{obj.id}"
    found, text = _concept(concept)
    drugs = match_concepts(vocab, med.DRUG_KINDS, found, text)
    if not drugs:
        reason = f"{describe(found, text)} matches no drug the knowledge base uses"
        return [UnrecognizedFact(pid, f"{src}.medicationCodeableConcept", reason)]
    start, end = _drug_dates(obj, rtype)
    facts: list[Fact] = []
    outcome = None
    if obj.statusReason is not None or obj.extension is not None or obj.note is not None:
        rest = _rest(obj, rtype, statusReason=obj.statusReason, extension=obj.extension)
        outcome = med._outcome({**rest, "note": obj.note}, pid, facts)
    route = units = daily = None
    if type(obj) is MedicationAdministrationLine:
        route, units = _administered(obj.dosage)
    elif obj.dosage is not None or obj.dosageInstruction is not None:
        rest = _rest(obj, rtype, dosage=obj.dosage, dosageInstruction=obj.dosageInstruction)
        route, units, daily = fp._dosage(rest, rtype)
    active, administration = (
        obj.status in med.CURRENT[rtype],
        type(obj) is MedicationAdministrationLine,
    )
    facts.extend(
        DrugFact(pid, src, cid, None, kind, start, end, active, administration, route, outcome,
                 units, vocab.is_trial(cid), daily)
        for kind, cid in drugs
    )  # fmt: skip
    return facts


def _administered(dosage: AdministrationDosage | None) -> tuple[str | None, float | None]:
    """Route and toxin units of an administration (`medications._dosage`)."""
    if dosage is None:
        return None, None
    route = med._route(_concept(dosage.route)[1].lower()) if dosage.route is not None else None
    dose = dosage.dose
    if dose is None or dose.value is None:
        return route, None
    unit = dose.code or dose.unit or ""
    return route, float(dose.value) if unit.strip().lower() in med._UNITS else None


def _drug_dates(obj: _DrugLine, rtype: str) -> tuple[Any, Any]:
    """`medications._dates`."""
    if rtype == "MedicationRequest":
        return fp._date(obj.authoredOn), None
    when = obj.effectiveDateTime
    start = end = fp._date(None if when is UNSET else when)
    if start is None:
        start, end = _period(obj.effectivePeriod)
    if rtype == "MedicationStatement":
        if when is not UNSET:
            end = None
        if start is None:
            start = fp._date(obj.dateAsserted)
    return start, end


def _period(period: Period | None) -> tuple[Any, Any]:
    if period is None:
        return None, None
    start, end = fp._date(period.start), fp._date(period.end)
    if start and end and end < start:
        raise fp._Bail
    return start, end


def _procedure(obj: ProcedureLine, vocab: Vocabulary, pid: str) -> list[Fact]:
    """`fastpath._procedure` on a typed line."""
    status = obj.status
    if status in proc.DROPPED:
        return []
    found, text = _concept(obj.code) if obj.code is not None else ([], "")
    treatments = [cid for _, cid in match_concepts(vocab, ("procedure",), found, text)]
    if not treatments:
        return [IgnoredFact(pid, "Procedure", "Procedure")]
    start, end = fp._date(obj.performedDateTime), None
    if start is None:
        start, end = _period(obj.performedPeriod)
    facts: list[Fact] = []
    rest = _rest(obj, "Procedure", outcome=obj.outcome, statusReason=obj.statusReason,
                 note=obj.note, usedCode=obj.usedCode)  # fmt: skip
    outcome = None
    if obj.outcome is not None or obj.statusReason is not None or obj.note is not None:
        outcome = proc._outcome(rest, pid, facts)
    product = None
    if "botulinum-toxin" in treatments:
        plain = obj.usedCode is None and obj.note is None
        product = fp._product_of_text(vocab, text) if plain else proc._product(rest, vocab, text)
    src = f"Procedure/{obj.id}"
    for t in treatments:
        active = status in proc.CURRENT or (status == "completed" and t in proc.DEVICES)
        facts.append(ProcedureFact(pid, src, t, start, end, active, outcome, product))
    return facts


def _patient_facts(obj: PatientLine) -> list[Fact]:
    """`extract.patient_facts`."""
    pid, gender = str(obj.id), obj.gender
    src = f"Patient/{pid}"
    facts: list[Fact] = [
        PatientFact(pid, src, fp._date(obj.birthDate), gender if gender in SEXES else "unknown")
    ]
    if gender is not None and gender not in SEXES:
        facts.append(UnrecognizedFact(pid, f"{src}.gender", f"unknown gender {gender[:20]!r}"))
    return facts


def _status(concept: Concept | None) -> str | None:
    """`access.status_code`: the first code of a status CodeableConcept."""
    if concept is None or not concept.coding:
        return None
    return next((c.code for c in concept.coding if c.code), None)


def _condition(obj: ConditionLine, vocab: Vocabulary, pid: str) -> list[Fact]:
    """`conditions.condition_facts` on a typed line; body sites, extensions and an onset age
    go to the mapping's own functions."""
    src = f"Condition/{obj.id}"
    verification = _status(obj.verificationStatus)
    if verification == "entered-in-error":
        return []
    found, text = _concept(obj.code) if obj.code is not None else ([], "")
    hits = match_concepts(vocab, ("form", "condition"), found, text)
    if verification == "refuted":
        if ("condition", "wilson-disease") in hits:
            return [FindingFact(pid, src, "wilson-disease-excluded")]
        return []
    facts: list[Fact] = []
    if not _counts(obj, facts, pid, src):
        return facts
    if not hits:
        reason = f"{describe(found, text)} matches no dystonia form or comorbidity"
        return [*facts, UnrecognizedFact(pid, f"{src}.code", reason)]
    forms = [cid for kind, cid in hits if kind == "form"]
    if forms:
        rest = _rest(obj, "Condition", onsetAge=obj.onsetAge, bodySite=obj.bodySite,
                     extension=obj.extension)  # fmt: skip
        age, when = _onset(obj, rest)
        regions = cond._regions(rest, vocab, pid, facts) if obj.bodySite is not None else ()
        facts.extend(FormFact(pid, src, f, regions, age, when, text) for f in forms)
        if obj.extension is not None:
            facts.extend(cond._axes(rest, pid, src))
    facts.extend(ComorbidityFact(pid, src, cid) for kind, cid in hits if kind == "condition")
    return facts


def _counts(obj: ConditionLine, facts: list[Fact], pid: str, src: str) -> bool:
    """`conditions._counts`."""
    clinical = _status(obj.clinicalStatus)
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


def _onset(obj: ConditionLine, rest: dict[str, Any]) -> tuple[float | None, Any]:
    """`conditions._onset`."""
    when = fp._date(obj.onsetDateTime)
    if when is None:
        when = _period(obj.onsetPeriod)[0]
    age = obj.onsetAge
    if age is None:
        return None, when
    if type(age) is not dict:
        raise fp._Bail
    return (cond._age_years(rest, age, "onsetAge") if age else None), when


def _observation(obj: ObservationLine, vocab: Vocabulary, pid: str) -> list[Fact] | None:
    """`observations.observation_facts` for an Observation it does not read; None otherwise."""
    if obj.status in obs.DROPPED:
        return []
    concept = obj.code if obj.code is not None else Concept()
    found = [(c.system or "", c.code or "", c.display or "") for c in concept.coding or ()]
    codes = {c for system, c, _ in found if system == LOINC}
    if obs.BODY_WEIGHT in codes or obs.GENETIC in codes:
        return None  # read by the generic way
    displays = " | ".join(d for _, _, d in found if d)
    if vocab.may_name("gene", f"{concept.text or ''} | {displays}"):
        return None
    return [IgnoredFact(pid, "Observation", "Observation")]
