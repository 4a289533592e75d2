"""MedicationRequest / MedicationStatement / MedicationAdministration / Medication -> drug facts.

Rules (docs/fhir-input.md):
- The drug: `medicationCodeableConcept` (RxNorm ingredient code, else names in the display
  text, so clinical-drug products map to their ingredients), or `medicationReference` to a
  contained (`#id`) or Bundle Medication (its code and ingredient items).
- Status: `entered-in-error` everywhere, and a Request `draft`/`cancelled`, a Statement
  `not-taken`/`intended`, an Administration `not-done` are ignored. `active` and `on-hold`
  (Administration: `in-progress`, `on-hold`) are current; everything else is history.
- Dates: Request authoredOn; Statement effective[x] (else dateAsserted); Administration effective[x].
- Trial outcome: a coding of `urn:dystonia-cds:trial-outcome` in statusReason, in the extension
  `urn:dystonia-cds:trial-outcome` (valueCode), or `trial-outcome: <code>` in a note.
"""

from __future__ import annotations

import re
from typing import Any

from dystonia_cds.domain.patient import TrialOutcome
from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.dosage import daily_dose_mg
from dystonia_cds.fhir.facts import DrugFact, Fact, MedicationDefFact, UnrecognizedFact
from dystonia_cds.fhir.matching import describe, match_concepts
from dystonia_cds.knowledge.vocabulary import Vocabulary

OUTCOME_SYSTEM = "urn:dystonia-cds:trial-outcome"
OUTCOMES = frozenset(o.value for o in TrialOutcome)
_OUTCOME_NOTE = re.compile(
    r"trial-outcome\s*[#:=]\s*(ineffective|partial-response|good-response|not-tolerated)", re.I
)
_OUTCOME_TEXT = {o.value.replace("-", " "): o.value for o in TrialOutcome}
DRUG_KINDS = ("ingredient", "botulinum-toxin")
DROPPED = {
    "MedicationRequest": frozenset({"entered-in-error", "draft", "cancelled"}),
    "MedicationStatement": frozenset({"entered-in-error", "not-taken", "intended"}),
    "MedicationAdministration": frozenset({"entered-in-error", "not-done"}),
}
CURRENT = {
    "MedicationRequest": frozenset({"active", "on-hold"}),
    "MedicationStatement": frozenset({"active", "on-hold"}),
    "MedicationAdministration": frozenset({"in-progress", "on-hold"}),
}
UNIT_WORDS = frozenset({"u", "unit", "units", "[iu]", "iu", "[u]"})
_ROUTES = (("intraven", "intravenous"), ("intramusc", "intramuscular"), ("subcut", "subcutaneous"),
           ("oral", "oral"), ("by mouth", "oral"), ("intrathecal", "intrathecal"))  # fmt: skip


def drug_use_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    rtype = str(r["resourceType"])
    status = a.get_str(r, r, "status", "status")
    if status in DROPPED[rtype]:
        return []
    facts: list[Fact] = []
    drugs, ref = _identity(r, vocab, pid, facts)
    if not drugs and ref is None:
        return facts  # nothing the profile uses: reported, not read further
    start, end = _dates(r, rtype)
    outcome = trial_outcome(r, pid, facts)
    route, units, daily = _dosage(r, rtype)
    base = {"start": start, "end": end, "active": status in CURRENT[rtype], "outcome": outcome,
            "administration": rtype == "MedicationAdministration", "route": route, "units": units, "daily_dose_mg": daily}  # fmt: skip
    src = a.where(r)
    if ref is not None:
        facts.append(DrugFact(pid, src, None, medication_ref=ref, **base))
    facts.extend(
        DrugFact(pid, src, cid, kind=kind, trial=vocab.is_trial(cid), **base) for kind, cid in drugs
    )
    return facts


def medication_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    """A Medication resource defines what references to it mean."""
    drugs, text = _medication_drugs(r, vocab, r, "")
    kind = drugs[0][0] if drugs else "ingredient"
    key = r.get("id")
    if not isinstance(key, str) or not key:
        return []
    ids = tuple(cid for _, cid in drugs)
    trials = tuple(cid for cid in ids if vocab.is_trial(cid))
    return [MedicationDefFact("", a.where(r), key, ids, kind, text[:120], trials)]


def _identity(
    r: dict[str, Any], vocab: Vocabulary, pid: str, facts: list[Fact]
) -> tuple[list[tuple[str, str]], str | None]:
    src = a.where(r)
    if "medicationCodeableConcept" in r:
        concept = a.get_dict(r, r, "medicationCodeableConcept", "medicationCodeableConcept")
        found = a.codings(r, concept, "medicationCodeableConcept")
        text = a.concept_text(r, concept, "medicationCodeableConcept", found)
        drugs = match_concepts(vocab, DRUG_KINDS, found, text)
        if not drugs:
            reason = f"{describe(found, text)} matches no drug the knowledge base uses"
            facts.append(UnrecognizedFact(pid, f"{src}.medicationCodeableConcept", reason))
        return drugs, None
    ref = a.reference(r, "medicationReference")
    if ref is None:
        facts.append(
            UnrecognizedFact(pid, f"{src}.medication[x]", "no medication code or reference")
        )
        return [], None
    if ref.startswith("#"):
        return _contained(r, vocab, ref[1:], pid, facts), None
    return [], ref


def _contained(
    r: dict[str, Any], vocab: Vocabulary, key: str, pid: str, facts: list[Fact]
) -> list[tuple[str, str]]:
    for i, res in enumerate(a.dicts(r, r, "contained", "contained")):
        if res.get("id") == key and res.get("resourceType") == "Medication":
            drugs, text = _medication_drugs(r, vocab, res, f"contained[{i}].")
            if not drugs:
                reason = (
                    f"contained Medication {text[:80]!r} matches no drug the knowledge base uses"
                )
                facts.append(UnrecognizedFact(pid, f"{a.where(r)}.contained[{i}]", reason))
            return drugs
    facts.append(
        UnrecognizedFact(
            pid, f"{a.where(r)}.medicationReference", f"#{key} is not a contained Medication"
        )
    )
    return []


def _medication_drugs(
    r: dict[str, Any], vocab: Vocabulary, med: dict[str, Any], prefix: str
) -> tuple[list[tuple[str, str]], str]:
    """Drugs of a Medication resource: its code, else its ingredient items."""
    concept = a.get_dict(r, med, "code", f"{prefix}code")
    found = a.codings(r, concept, f"{prefix}code")
    text = a.concept_text(r, concept, f"{prefix}code", found)
    drugs = match_concepts(vocab, DRUG_KINDS, found, text)
    for i, item in enumerate(a.dicts(r, med, "ingredient", f"{prefix}ingredient")):
        field = f"{prefix}ingredient[{i}].itemCodeableConcept"
        sub = a.get_dict(r, item, "itemCodeableConcept", field)
        sub_found = a.codings(r, sub, field)
        sub_text = a.concept_text(r, sub, field, sub_found)
        drugs.extend(
            d for d in match_concepts(vocab, DRUG_KINDS, sub_found, sub_text) if d not in drugs
        )
        text = f"{text} | {sub_text}" if sub_text else text
    return drugs, text


def _dates(r: dict[str, Any], rtype: str) -> tuple[Any, Any]:
    if rtype == "MedicationRequest":
        start = a.parse_date(r, r.get("authoredOn"), "authoredOn")
        return start, None
    start, end = a.effective(r, "effective")
    if rtype == "MedicationStatement" and "effectiveDateTime" in r:
        end = None  # a statement's single date says when it was taken, not that it stopped then
    if start is None and rtype == "MedicationStatement":
        start = a.parse_date(r, r.get("dateAsserted"), "dateAsserted")
    return start, end


def trial_outcome(r: dict[str, Any], pid: str, facts: list[Fact]) -> str | None:
    reasons = r.get("statusReason")
    concepts = reasons if isinstance(reasons, list) else [reasons] if reasons is not None else []
    for i, concept in enumerate(concepts):
        field = f"statusReason[{i}]" if isinstance(reasons, list) else "statusReason"
        if not isinstance(concept, dict):
            raise a.fail(r, field, f"must be an object, got {type(concept).__name__}")
        found = outcome_of(r, concept, field, pid, facts)
        if found:
            return found
    return _outcome_extension(r) or _outcome_note(r)


def outcome_of(
    r: dict[str, Any], concept: dict[str, Any], field: str, pid: str, facts: list[Fact]
) -> str | None:
    """A trial outcome from a CodeableConcept (project code, else its text)."""
    found = a.codings(r, concept, field)
    for system, code, _ in found:
        if system == OUTCOME_SYSTEM:
            if code in OUTCOMES:
                return code
            facts.append(
                UnrecognizedFact(pid, f"{a.where(r)}.{field}", f"unknown trial outcome {code!r}")
            )
    text = (a.get_str(r, concept, "text", f"{field}.text") or "").strip().lower().replace("-", " ")
    return _OUTCOME_TEXT.get(text)


def _outcome_extension(r: dict[str, Any]) -> str | None:
    for i, ext in enumerate(a.dicts(r, r, "extension", "extension")):
        if ext.get("url") == OUTCOME_SYSTEM:
            code = a.get_str(r, ext, "valueCode", f"extension[{i}].valueCode")
            if code in OUTCOMES:
                return code
    return None


def _outcome_note(r: dict[str, Any]) -> str | None:
    for text in a.note_texts(r):
        m = _OUTCOME_NOTE.search(text)
        if m:
            return m.group(1).lower()
    return None


def _dosage(r: dict[str, Any], rtype: str) -> tuple[str | None, float | None, float | None]:
    """Route, toxin units (administrations) and daily dose in mg (requests and statements)."""
    if rtype == "MedicationAdministration":
        dosage, field = a.get_dict(r, r, "dosage", "dosage"), "dosage"
    else:
        key = "dosageInstruction" if rtype == "MedicationRequest" else "dosage"
        items = list(a.dicts(r, r, key, key))
        dosage, field = (items[0], f"{key}[0]") if items else ({}, key)
    route = a.get_dict(r, dosage, "route", f"{field}.route")
    found = a.codings(r, route, f"{field}.route")
    route_text = a.concept_text(r, route, f"{field}.route", found).lower()
    units = None
    if rtype == "MedicationAdministration":
        dose = a.get_dict(r, dosage, "dose", "dosage.dose")
        unit = (
            a.get_str(r, dose, "code", "dosage.dose.code")
            or a.get_str(r, dose, "unit", "dosage.dose.unit")
            or ""
        )
        value = a.get_number(r, dose, "value", "dosage.dose.value")
        units = value if unit.strip().lower() in UNIT_WORDS else None
    daily = daily_dose_mg(r, dosage, field) if rtype != "MedicationAdministration" else None
    return route_of(route_text), units, daily


def route_of(text: str) -> str | None:
    for needle, route in _ROUTES:
        if needle in text:
            return route
    return text.strip(" |") or None
