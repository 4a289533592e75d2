"""Observation -> body weight, gene findings, CYP2D6 findings.

Rules (docs/fhir-input.md): status `entered-in-error`/`cancelled` ignored. Body weight: LOINC
29463-7 with a valueQuantity in kg, g or [lb_av]. Genetic: LOINC 69548-6 with a component
48018-6 "Gene studied" naming the gene, or a gene symbol in the code's display/text; the gene
counts as a finding when the value reads present/pathogenic (LOINC LA9633-4 "Present" only
together with that word, or the words themselves) and not when it reads absent/benign/uncertain.
CYP2D6 results give `cyp2d6-genotyped`, and `cyp2d6-poor-metabolizer` when the result says
"poor metabolizer".
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.facts import (
    Fact,
    FindingFact,
    GeneFact,
    IgnoredFact,
    UnrecognizedFact,
    WeightFact,
)
from dystonia_cds.fhir.matching import match_concepts
from dystonia_cds.knowledge.vocabulary import LOINC, Vocabulary

DROPPED = frozenset({"entered-in-error", "cancelled"})
BODY_WEIGHT = "29463-7"  # vocabulary: observations.toml body-weight
GENETIC = "69548-6"  # vocabulary: observations.toml genetic-variant-assessment
_TO_KG = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237, "lbs": 0.45359237}


def observation_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    if a.get_str(r, r, "status", "status") in DROPPED:
        return []
    code = a.get_dict(r, r, "code", "code")
    found = a.codings(r, code, "code")
    codes = {c for s, c, _ in found if s == LOINC}
    if BODY_WEIGHT in codes:
        return _weight(r, pid)
    if GENETIC not in codes and not _may_name_gene(r, vocab, code, found):
        return [IgnoredFact(pid, "Observation", "Observation")]
    text = a.concept_text(r, code, "code", found)
    genes = list(vocab.match_names("gene", text))
    if GENETIC in codes or genes:
        return _genetic(r, vocab, pid, genes)
    return [IgnoredFact(pid, "Observation", "Observation")]


def _may_name_gene(
    r: dict[str, Any], vocab: Vocabulary, code: dict[str, Any], found: list[tuple[str, str, str]]
) -> bool:
    text = a.get_str(r, code, "text", "code.text") or ""
    displays = " | ".join(d for _, _, d in found if d)
    return vocab.may_name("gene", f"{text} | {displays}")


def _weight(r: dict[str, Any], pid: str) -> list[Fact]:
    qty = a.get_dict(r, r, "valueQuantity", "valueQuantity")
    value = a.get_number(r, qty, "value", "valueQuantity.value")
    unit = a.get_str(r, qty, "code", "valueQuantity.code") or a.get_str(
        r, qty, "unit", "valueQuantity.unit"
    )
    when = a.effective(r, "effective")[0]
    factor = _TO_KG.get((unit or "").strip())
    if value is None or factor is None:
        return [
            UnrecognizedFact(
                pid,
                f"{a.where(r)}.valueQuantity",
                f"body weight without a value in kg, g or [lb_av] (unit {unit!r})",
            )
        ]
    kg = round(value * factor, 3)  # to the gram; a weight that rounds to nothing is impossible
    if not 0 < kg < 700:
        raise a.fail(r, "valueQuantity.value", f"impossible body weight {value} {unit}")
    return [WeightFact(pid, a.where(r), kg, when)]


def _genetic(r: dict[str, Any], vocab: Vocabulary, pid: str, genes: list[str]) -> list[Fact]:
    values: list[str] = [_concept_text(r, r, "valueCodeableConcept")]
    values.append(a.get_str(r, r, "valueString", "valueString") or "")
    for i, comp in enumerate(a.dicts(r, r, "component", "component")):
        field = f"component[{i}]"
        ccode = a.get_dict(r, comp, "code", f"{field}.code")
        cfound = a.codings(r, ccode, f"{field}.code")
        ckinds = {cid for _, cid in match_concepts(vocab, ("observation",), cfound, "")}
        ctext = _concept_text(r, comp, "valueCodeableConcept", field)
        if "gene-studied" in ckinds:
            genes.extend(g for g in vocab.match_names("gene", ctext) if g not in genes)
        else:
            values.append(ctext)
            values.append(a.get_str(r, comp, "valueString", f"{field}.valueString") or "")
    return _gene_findings(r, vocab, pid, genes, " | ".join(v for v in values if v))


def _concept_text(r: dict[str, Any], obj: dict[str, Any], key: str, prefix: str = "") -> str:
    field = f"{prefix}.{key}" if prefix else key
    concept = a.get_dict(r, obj, key, field)
    found = a.codings(r, concept, field)
    codes = " | ".join(c for _, c, _ in found if c)
    return (
        f"{a.concept_text(r, concept, field, found)} | {codes}"
        if codes
        else a.concept_text(r, concept, field, found)
    )


def _gene_findings(
    r: dict[str, Any], vocab: Vocabulary, pid: str, genes: list[str], value: str
) -> list[Fact]:
    src = a.where(r)
    if not genes:
        return [
            UnrecognizedFact(
                pid, f"{src}.component", "genetic result without a gene the knowledge base uses"
            )
        ]
    answers = match_concepts(vocab, ("answer",), [], value)
    answer_ids = [cid for _, cid in answers]
    present = "variant-present" in answer_ids and "variant-absent" not in answer_ids
    facts: list[Fact] = []
    for gene in genes:
        if gene == "CYP2D6":
            facts.append(FindingFact(pid, src, "cyp2d6-genotyped"))
            if "poor metabolizer" in value.lower() or "poor metaboliser" in value.lower():
                facts.append(FindingFact(pid, src, "cyp2d6-poor-metabolizer"))
        elif present:
            facts.append(GeneFact(pid, src, gene))
        elif not answer_ids:
            facts.append(
                UnrecognizedFact(
                    pid, f"{src}.value[x]", f"{gene} result not read as present or absent"
                )
            )
    return facts
