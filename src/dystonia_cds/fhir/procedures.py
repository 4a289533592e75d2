"""Procedure and AllergyIntolerance -> treatment facts and a botulinum-toxin hypersensitivity.

Procedure rules (docs/fhir-input.md): recognised by name in Procedure.code (no SNOMED CT
procedure code could be verified); `not-done`, `entered-in-error` and `preparation` are ignored;
`in-progress`/`on-hold` are current, and a `completed` deep-brain-stimulation or
intrathecal-baclofen procedure stands for a device in place (current). Dates from performed[x];
the outcome from outcome / statusReason (project code or text) or a `trial-outcome:` note; a
botulinum-toxin product from names in code, usedCode or notes.
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.facts import ComorbidityFact, Fact, IgnoredFact, ProcedureFact
from dystonia_cds.fhir.matching import match_concepts
from dystonia_cds.fhir.medications import outcome_of
from dystonia_cds.knowledge.vocabulary import Vocabulary

DROPPED = frozenset({"not-done", "entered-in-error", "preparation"})
CURRENT = frozenset({"in-progress", "on-hold"})
DEVICES = frozenset({"deep-brain-stimulation", "intrathecal-baclofen"})
_NOT_COUNTING = frozenset({"refuted", "entered-in-error", "inactive", "resolved"})


def procedure_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    status = a.get_str(r, r, "status", "status")
    if status in DROPPED:
        return []
    code = a.get_dict(r, r, "code", "code")
    found = a.codings(r, code, "code")
    text = a.concept_text(r, code, "code", found)
    treatments = [cid for _, cid in match_concepts(vocab, ("procedure",), found, text)]
    if not treatments:
        return [IgnoredFact(pid, "Procedure", "Procedure")]
    start = a.parse_date(r, r.get("performedDateTime"), "performedDateTime")
    end = None  # a performedDateTime is when it was done, not when the treatment ended
    if start is None:
        start, end = a.period(r, "performedPeriod")
    facts: list[Fact] = []
    outcome = procedure_outcome(r, pid, facts)
    product = toxin_product(r, vocab, text) if "botulinum-toxin" in treatments else None
    for t in treatments:
        active = status in CURRENT or (status == "completed" and t in DEVICES)
        facts.append(ProcedureFact(pid, a.where(r), t, start, end, active, outcome, product))
    return facts


def procedure_outcome(r: dict[str, Any], pid: str, facts: list[Fact]) -> str | None:
    for key in ("outcome", "statusReason"):
        concept = a.get_dict(r, r, key, key)
        found = outcome_of(r, concept, key, pid, facts) if concept else None
        if found:
            return found
    for text in a.note_texts(r):
        low = text.lower()
        for code in ("ineffective", "partial-response", "good-response", "not-tolerated"):
            if f"trial-outcome: {code}" in low or f"trial-outcome#{code}" in low:
                return code
    return None


def toxin_product(r: dict[str, Any], vocab: Vocabulary, text: str) -> str | None:
    texts = [text, *a.note_texts(r)]
    for i, used in enumerate(a.dicts(r, r, "usedCode", "usedCode")):
        found = a.codings(r, used, f"usedCode[{i}]")
        texts.append(a.concept_text(r, used, f"usedCode[{i}]", found))
    products = [
        p for p in vocab.match_names("botulinum-toxin", " | ".join(texts)) if p != "botulinum-toxin"
    ]
    return products[0] if len(products) == 1 else None


def allergy_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    """An allergy to a botulinum toxin -> comorbidity botulinum-toxin-hypersensitivity."""
    code = a.get_dict(r, r, "code", "code")
    found = a.codings(r, code, "code")
    text = a.concept_text(r, code, "code", found)
    if not match_concepts(vocab, ("botulinum-toxin",), found, text):
        return [IgnoredFact(pid, "AllergyIntolerance", "AllergyIntolerance")]
    statuses = {a.status_code(r, "verificationStatus"), a.status_code(r, "clinicalStatus")}
    if statuses & _NOT_COUNTING:
        return []
    return [ComorbidityFact(pid, a.where(r), "botulinum-toxin-hypersensitivity")]
