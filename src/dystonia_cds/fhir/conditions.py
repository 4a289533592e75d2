"""Condition -> dystonia forms, body regions, onset, phenotype axes, comorbidities, findings.

Rules (docs/fhir-input.md):
- verificationStatus `entered-in-error`: ignored. `refuted`: does not count; a refuted Wilson
  disease Condition yields the finding `wilson-disease-excluded`.
- clinicalStatus `active`, `recurrence`, `relapse` count; `inactive`, `remission`, `resolved` do
  not. Without clinicalStatus a Condition counts unless it has an abatement[x].
- Phenotype axes from the project extensions `urn:dystonia-cds:<axis>` (distribution, course,
  variability, association, etiology) with a valueCode.
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.domain.patient import Association, Course, Distribution, Etiology, Variability
from dystonia_cds.fhir import access as a
from dystonia_cds.fhir.facts import (
    ComorbidityFact,
    Fact,
    FindingFact,
    FormFact,
    PhenotypeFact,
    UnrecognizedFact,
)
from dystonia_cds.fhir.matching import describe, how_matched, match_concepts
from dystonia_cds.knowledge.vocabulary import Vocabulary

ACTIVE = frozenset({"active", "recurrence", "relapse"})
INACTIVE = frozenset({"inactive", "remission", "resolved"})
ABATEMENT = (
    "abatementDateTime",
    "abatementAge",
    "abatementPeriod",
    "abatementRange",
    "abatementString",
)
EXTENSION_PREFIX = "urn:dystonia-cds:"
AXES: dict[str, frozenset[str]] = {
    "distribution": frozenset(v.value for v in Distribution),
    "course": frozenset(v.value for v in Course),
    "variability": frozenset(v.value for v in Variability),
    "association": frozenset(v.value for v in Association),
    "etiology": frozenset(v.value for v in Etiology),
}
_AGE_UNITS = {
    "a": 1.0, "yr": 1.0, "year": 1.0, "years": 1.0, "y": 1.0,
    "mo": 1 / 12, "month": 1 / 12, "months": 1 / 12,
    "wk": 7 / 365.25, "week": 7 / 365.25, "weeks": 7 / 365.25,
    "d": 1 / 365.25, "day": 1 / 365.25, "days": 1 / 365.25,
}  # fmt: skip


def condition_facts(r: dict[str, Any], vocab: Vocabulary, pid: str) -> list[Fact]:
    src = a.where(r)
    verification = a.status_code(r, "verificationStatus")
    if verification == "entered-in-error":
        return []
    code = a.get_dict(r, r, "code", "code")
    found = a.codings(r, code, "code")
    text = a.concept_text(r, code, "code", found)
    hits = match_concepts(vocab, ("form", "condition"), found, text)
    if verification == "refuted":
        if ("condition", "wilson-disease") in hits:
            return [FindingFact(pid, src, "wilson-disease-excluded")]
        return []
    facts: list[Fact] = []
    if not _counts(r, facts, pid, src):
        return facts
    if not hits:
        return [
            *facts,
            UnrecognizedFact(
                pid,
                f"{src}.code",
                f"{describe(found, text)} matches no dystonia form or comorbidity",
            ),
        ]
    forms = [cid for kind, cid in hits if kind == "form"]
    if forms:
        onset = _onset(r)
        regions = body_regions(r, vocab, pid, facts)
        recorded = a.parse_date(r, r.get("recordedDate"), "recordedDate")
        facts.extend(
            FormFact(
                pid, src, f, regions, onset[0], onset[1], text, recorded,
                how_matched(vocab, "form", f, found, text),
            )
            for f in forms
        )  # fmt: skip
        facts.extend(phenotype_axes(r, pid, src))
    facts.extend(
        ComorbidityFact(pid, src, cid, how_matched(vocab, kind, cid, found, text))
        for kind, cid in hits
        if kind == "condition"
    )
    return facts


def _counts(r: dict[str, Any], facts: list[Fact], pid: str, src: str) -> bool:
    clinical = a.status_code(r, "clinicalStatus")
    if clinical in INACTIVE:
        return False
    if clinical is None:
        return not any(key in r for key in ABATEMENT)
    if clinical not in ACTIVE:
        facts.append(
            UnrecognizedFact(
                pid, f"{src}.clinicalStatus", f"unknown code {clinical!r}; counted as active"
            )
        )
    return True


def _onset(r: dict[str, Any]) -> tuple[float | None, Any]:
    when = a.parse_date(r, r.get("onsetDateTime"), "onsetDateTime")
    if when is None:
        when = a.period(r, "onsetPeriod")[0]
    age = a.get_dict(r, r, "onsetAge", "onsetAge")
    return (onset_age_years(r, age, "onsetAge") if age else None), when


def onset_age_years(r: dict[str, Any], age: dict[str, Any], field: str) -> float:
    value = a.get_number(r, age, "value", f"{field}.value")
    unit = a.get_str(r, age, "code", f"{field}.code") or a.get_str(r, age, "unit", f"{field}.unit")
    if value is None or value < 0 or value > 150:
        raise a.fail(r, f"{field}.value", "must be an age between 0 and 150")
    factor = _AGE_UNITS.get((unit or "a").strip().lower())
    if factor is None:
        raise a.fail(r, f"{field}.code", f"unknown age unit {unit!r} (use a, mo, wk or d)")
    return round(value * factor, 3)


def body_regions(
    r: dict[str, Any], vocab: Vocabulary, pid: str, facts: list[Fact]
) -> tuple[str, ...]:
    regions: list[str] = []
    for i, site in enumerate(a.dicts(r, r, "bodySite", "bodySite")):
        field = f"bodySite[{i}]"
        found = a.codings(r, site, field)
        text = a.concept_text(r, site, field, found)
        hits = [cid for _, cid in match_concepts(vocab, ("region",), found, text)]
        if not hits:
            facts.append(
                UnrecognizedFact(
                    pid, f"{a.where(r)}.{field}", f"{describe(found, text)} matches no body region"
                )
            )
        regions.extend(h for h in hits if h not in regions)
    return tuple(regions)


def phenotype_axes(r: dict[str, Any], pid: str, src: str) -> list[Fact]:
    out: list[Fact] = []
    for i, ext in enumerate(a.dicts(r, r, "extension", "extension")):
        url = a.get_str(r, ext, "url", f"extension[{i}].url") or ""
        if not url.startswith(EXTENSION_PREFIX):
            continue
        axis = url[len(EXTENSION_PREFIX) :]
        value = _ext_value(r, ext, i)
        if axis in AXES and value in AXES[axis]:
            out.append(PhenotypeFact(pid, src, axis, value))
        else:
            out.append(
                UnrecognizedFact(
                    pid,
                    f"{src}.extension[{i}]",
                    f"{url} = {value!r} is not a known phenotype axis value",
                )
            )
    return out


def _ext_value(r: dict[str, Any], ext: dict[str, Any], i: int) -> str | None:
    code = a.get_str(r, ext, "valueCode", f"extension[{i}].valueCode")
    if code is None:
        coding = a.get_dict(r, ext, "valueCoding", f"extension[{i}].valueCoding")
        code = a.get_str(r, coding, "code", f"extension[{i}].valueCoding.code")
    return code
