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
exactly as before. Codes, status concepts, body sites and an administration's dosage arrive as
raw bytes and are read once per distinct value (a `Reader` memoises each reading on the bytes:
the same few concepts fill millions of lines); every raw field is read before any early return,
so a wrong type anywhere still declines the whole line. Equivalence with the orjson path is tested
(tests/unit/screening/test_typed_decode.py). One difference is by design: a number beyond the
double range (e.g. `1e400`) inside a field the mapping never reads is skipped here, where orjson
refuses the whole line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, Raw

from dystonia_cds.domain.errors import FhirInputError
from dystonia_cds.fhir import conditions as cond
from dystonia_cds.fhir import fastpath as fp
from dystonia_cds.fhir import medications as med
from dystonia_cds.fhir import observations as obs
from dystonia_cds.fhir import procedures as proc
from dystonia_cds.fhir.access import cached_reference_key
from dystonia_cds.fhir.facts import (
    ComorbidityFact,
    DrugFact,
    Fact,
    FindingFact,
    FormFact,
    IgnoredFact,
    ProcedureFact,
    UnrecognizedFact,
)
from dystonia_cds.fhir.matching import describe, how_matched, match_concepts
from dystonia_cds.knowledge.vocabulary import LOINC, Vocabulary
from dystonia_cds.screening.fields import (
    CONCEPT,
    administration_dates,
    administration_dosage,
    as_resource,
    concept_words,
    counts,
    drug_dates,
    onset,
    patient_facts,
    period_dates,
    procedure_resource,
    status_code,
)
from dystonia_cds.screening.structs import (
    PREFIXES,
    Concept,
    ConditionLine,
    Line,
    MedicationAdministrationLine,
    MedicationRequestLine,
    MedicationStatementLine,
    ObservationLine,
    PatientLine,
    ProcedureLine,
    _DrugLine,
)

__all__ = ["PREFIXES", "Line", "Reader", "typed_facts"]

_DECLINED = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, ValueError)
MEMO_LIMIT = 1 << 14  # distinct raw values kept per reading; the memo is emptied when full
_R = TypeVar("_R")


class _Marker:
    """A memo entry that is not a reading."""


_INVALID = _Marker()  # the raw value does not decode to the type the mapping expects
_UNREADABLE = _Marker()  # it decodes, but the mapping would refuse it where it reads it
_MISSING = _Marker()
_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()
DrugConcept = tuple[tuple[tuple[str, str, bool], ...], str]  # (kind, id, trial), else why not
CodeReading = tuple[list[tuple[str, str]], str, str]  # hits, text, reason / product
ConditionReading = tuple[list[tuple[str, str]], str, str, dict[tuple[str, str], str]]
Sites = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]  # regions, (field, reason) notes


_LINE: msgspec.json.Decoder[Line] = msgspec.json.Decoder(Line)
READERS_LIMIT = 8  # vocabularies with a reader kept (one in a screening process)
_readers: dict[int, tuple[Vocabulary, Reader]] = {}


def typed_facts(line: bytes, vocab: Vocabulary) -> list[Fact] | None:
    """The facts of one line of a hot type (checked like any line), or None: use the generic way."""
    found = _readers.get(id(vocab))
    if found is None:  # the vocabulary is kept with its reader, so its id is not reused
        if len(_readers) >= READERS_LIMIT:
            _readers.clear()
        found = _readers[id(vocab)] = (vocab, Reader(vocab))
    return found[1].facts(line)


class Reader:
    """Typed lines -> facts for one vocabulary, with each repeated sub-object read once."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.drugs: dict[bytes, Any] = {}
        self.procedures: dict[bytes, Any] = {}
        self.conditions: dict[bytes, Any] = {}
        self.statuses: dict[bytes, Any] = {}
        self.sites: dict[bytes, Any] = {}
        self.observations: dict[bytes, Any] = {}
        self.dosages: dict[bytes, Any] = {}
        self.pids: dict[str, str] = {}
        self.handlers: dict[type, Callable[[Any, str], list[Fact] | None]] = {
            MedicationRequestLine: self._drug_use,
            MedicationStatementLine: self._drug_use,
            MedicationAdministrationLine: self._drug_use,
            ProcedureLine: self._procedure,
            ConditionLine: self._condition,
            ObservationLine: self._observation,
        }

    def facts(self, line: bytes) -> list[Fact] | None:
        """`typed_facts` of one line."""
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return None
        try:
            obj = _LINE.decode(line)
        except _DECLINED:
            return None
        try:
            if isinstance(obj, PatientLine):  # a deceased patient: the mapping's own way
                alive = obj.deceasedBoolean is None and obj.deceasedDateTime is None
                return patient_facts(obj) if obj.id and alive else None
            ref = obj.patient if obj.subject is UNSET else obj.subject
            if ref is None or ref.reference is None or obj.id is None:
                return None  # no subject reference: the generic way reports it
            pid = self.pids.get(ref.reference)
            if pid is None:
                pid = self._patient(ref.reference)
            return self.handlers[type(obj)](obj, pid)
        except (fp.Bail, FhirInputError):
            return None

    def _patient(self, reference: str) -> str:
        """The patient id of a subject reference (memoised: a patient's lines come together)."""
        if len(self.pids) >= MEMO_LIMIT:
            self.pids.clear()
        pid = self.pids[reference] = (cached_reference_key(reference) if reference else None) or ""
        return pid

    def _read(self, memo: dict[bytes, Any], raw: Raw, read: Callable[[Any], _R]) -> _R:
        """The memoised reading of a raw value; a value that does not decode declines the line."""
        key = bytes(raw)
        found = memo.get(key, _MISSING)
        if found.__class__ is not _Marker:
            return found  # type: ignore[no-any-return]
        if found is _MISSING:
            try:
                found = read(raw)
            except _DECLINED:
                found = _INVALID
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = found
        if found is _INVALID:
            raise fp.Bail
        return found  # type: ignore[no-any-return]

    def _drug_concept(self, raw: Raw) -> DrugConcept | None:
        concept = CONCEPT.decode(raw) if raw else None
        if concept is None:
            return None
        found, text = concept_words(concept)
        drugs = match_concepts(self.vocab, med.DRUG_KINDS, found, text)
        if not drugs:
            return (), f"{describe(found, text)} matches no drug the knowledge base uses"
        return tuple((kind, cid, self.vocab.is_trial(cid)) for kind, cid in drugs), ""

    def _drug_use(self, obj: _DrugLine, pid: str) -> list[Fact] | None:
        """`fastpath._drug_use` on a typed line."""
        rtype, administered, dropped, current = _DRUG_TYPES[type(obj)]
        concept = self._read(self.drugs, obj.medicationCodeableConcept, self._drug_concept)
        dosage = (
            self._read(self.dosages, obj.dosage, administration_dosage) if administered else None
        )
        status = obj.status
        if status in dropped:
            return []
        if concept is None:
            return None
        drugs, reason = concept
        src = f"{rtype}/{obj.id}"
        if not drugs:
            return [UnrecognizedFact(pid, f"{src}.medicationCodeableConcept", reason)]
        if administered:
            start, end = administration_dates(obj)
        else:
            start, end = drug_dates(obj, rtype)
        facts: list[Fact] = []
        outcome = None
        if obj.statusReason is not None or obj.extension is not None or obj.note is not None:
            rest = as_resource(obj, rtype, statusReason=obj.statusReason, extension=obj.extension)
            outcome = med.trial_outcome({**rest, "note": obj.note}, pid, facts)
        route = units = daily = None
        if administered:
            route, units = dosage if dosage is not None else (None, None)
        elif obj.dosage is not None or obj.dosageInstruction is not None:
            rest = as_resource(
                obj, rtype, dosage=obj.dosage, dosageInstruction=obj.dosageInstruction
            )
            route, units, daily = fp.dosage_of(rest, rtype)
        active = status in current
        for kind, cid, trial in drugs:
            facts.append(
                DrugFact(pid, src, cid, None, kind, start, end, active, administered, route,
                         outcome, units, trial, daily)
            )  # fmt: skip
        return facts

    def _procedure_code(self, raw: Raw) -> CodeReading:
        concept = CONCEPT.decode(raw) if raw else None
        found, text = concept_words(concept) if concept is not None else ([], "")
        hits = match_concepts(self.vocab, ("procedure",), found, text)
        product = fp.product_of_text(self.vocab, text) if ("procedure", BONT) in hits else None
        return hits, text, product or ""

    def _procedure(self, obj: ProcedureLine, pid: str) -> list[Fact]:
        """`fastpath._procedure` on a typed line."""
        hits, text, product_of_text = self._read(self.procedures, obj.code, self._procedure_code)
        status = obj.status
        if status in proc.DROPPED:
            return []
        if not hits:
            return [IgnoredFact(pid, "Procedure", "Procedure")]
        start, end = fp.fhir_date(obj.performedDateTime), None
        if start is None:
            start, end = period_dates(obj.performedPeriod)
        facts: list[Fact] = []
        outcome = product = None
        if obj.outcome is not None or obj.statusReason is not None or obj.note is not None:
            outcome = proc.procedure_outcome(procedure_resource(obj), pid, facts)
        if ("procedure", BONT) in hits:
            plain = obj.usedCode is None and obj.note is None
            product = (
                (product_of_text or None)
                if plain
                else proc.toxin_product(procedure_resource(obj), self.vocab, text)
            )
        src = f"Procedure/{obj.id}"
        for _, t in hits:
            active = status in proc.CURRENT or (status == "completed" and t in proc.DEVICES)
            facts.append(ProcedureFact(pid, src, t, start, end, active, outcome, product))
        return facts

    def _condition_code(self, raw: Raw) -> ConditionReading:
        """Hits, text, the reason for none, and which code or text made each hit (`via`)."""
        concept = CONCEPT.decode(raw) if raw else None
        found, text = concept_words(concept) if concept is not None else ([], "")
        hits = match_concepts(self.vocab, ("form", "condition"), found, text)
        via = {hit: how_matched(self.vocab, hit[0], hit[1], found, text) for hit in hits}
        return hits, text, f"{describe(found, text)} matches no dystonia form or comorbidity", via

    def _body_sites(self, raw: Raw) -> Sites | _Marker:
        """`conditions.body_regions` of a bodySite value, its notes' fields without the `Type/id`."""
        value = _ANY.decode(raw) if raw else None
        if value is None:
            return (), ()
        facts: list[Fact] = []
        r = {"resourceType": "Condition", "id": "", "bodySite": value}
        try:
            regions = cond.body_regions(r, self.vocab, "", facts)
        except (fp.Bail, FhirInputError):
            return _UNREADABLE
        notes = tuple((f.source[len("Condition/") :], f.reason) for f in facts)  # type: ignore[union-attr]
        return regions, notes

    def _condition(self, obj: ConditionLine, pid: str) -> list[Fact]:
        """`conditions.condition_facts` on a typed line; extensions and an onset age go to the
        mapping's own functions."""
        verification = self._read(self.statuses, obj.verificationStatus, status_code)
        clinical = self._read(self.statuses, obj.clinicalStatus, status_code)
        hits, text, reason, via = self._read(self.conditions, obj.code, self._condition_code)
        sites = self._read(self.sites, obj.bodySite, self._body_sites)
        src = f"Condition/{obj.id}"
        if verification == "entered-in-error":
            return []
        if verification == "refuted":
            if ("condition", "wilson-disease") in hits:
                return [FindingFact(pid, src, "wilson-disease-excluded")]
            return []
        facts: list[Fact] = []
        if not counts(obj, clinical, facts, pid, src):
            return facts
        if not hits:
            return [*facts, UnrecognizedFact(pid, f"{src}.code", reason)]
        forms = [cid for kind, cid in hits if kind == "form"]
        if forms:
            age, when = onset(obj)
            if isinstance(sites, _Marker):
                raise fp.Bail
            regions, notes = sites
            facts.extend(UnrecognizedFact(pid, src + field, why) for field, why in notes)
            recorded = fp.fhir_date(obj.recordedDate)
            facts.extend(
                FormFact(pid, src, f, regions, age, when, text, recorded, via[("form", f)])
                for f in forms
            )
            if obj.extension is not None:
                facts.extend(
                    cond.phenotype_axes(
                        as_resource(obj, "Condition", extension=obj.extension), pid, src
                    )
                )
        facts.extend(
            ComorbidityFact(pid, src, cid, via[(kind, cid)])
            for kind, cid in hits
            if kind == "condition"
        )
        return facts

    def _observation_code(self, raw: Raw) -> bool:
        """True when the generic way reads the Observation (a weight or a genetic result)."""
        concept = CONCEPT.decode(raw) if raw else None
        concept = concept if concept is not None else Concept()
        found = [(c.system or "", c.code or "", c.display or "") for c in concept.coding or ()]
        codes = {c for system, c, _ in found if system == LOINC}
        if obs.BODY_WEIGHT in codes or obs.GENETIC in codes:
            return True
        displays = " | ".join(d for _, _, d in found if d)
        return self.vocab.may_name("gene", f"{concept.text or ''} | {displays}")

    def _observation(self, obj: ObservationLine, pid: str) -> list[Fact] | None:
        """`observations.observation_facts` for an Observation it does not read; None otherwise."""
        read_elsewhere = self._read(self.observations, obj.code, self._observation_code)
        if obj.status in obs.DROPPED:
            return []
        if read_elsewhere:
            return None
        return [IgnoredFact(pid, "Observation", "Observation")]


BONT = "botulinum-toxin"
_DRUG_TYPES: dict[
    type, tuple[str, bool, frozenset[str], frozenset[str]]
] = {  # type -> resourceType, is an administration, dropped and current statuses
    line: (rtype, line is MedicationAdministrationLine, med.DROPPED[rtype], med.CURRENT[rtype])
    for line, rtype in (
        (MedicationRequestLine, "MedicationRequest"),
        (MedicationStatementLine, "MedicationStatement"),
        (MedicationAdministrationLine, "MedicationAdministration"),
    )
}
