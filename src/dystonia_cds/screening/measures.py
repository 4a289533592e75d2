"""Care-gap measures: numerator = eligible patients with the engine alert of the same id.

Each measure's eligible population (denominator) is defined here from the patient record and
the knowledge base's thresholds; the numerator is never recomputed here: it is the engine's
own alert, so screening, the CLI and the CDS service agree. Definitions: docs/measures.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from dystonia_cds.domain.errors import InvalidInput
from dystonia_cds.domain.patient import (
    Distribution,
    DystoniaForm,
    PatientRecord,
    age_in_years,
)
from dystonia_cds.knowledge import KnowledgeBase

Eligible = Callable[[PatientRecord, KnowledgeBase, date], bool]
BONT_TRIAL = "botulinum-toxin"


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    title: str
    eligible: Eligible


def _age(record: PatientRecord, on: date) -> int | None:
    return age_in_years(record.birth_date, on) if record.birth_date else None


def _chronic_dystonia(record: PatientRecord) -> bool:
    """Active dystonia other than an acute drug-induced reaction alone."""
    return bool(record.phenotype.forms - {DystoniaForm.ACUTE_DRUG_INDUCED})


def _onset_age(record: PatientRecord) -> float | None:
    phenotype = record.phenotype
    if phenotype.onset_age_years is not None:
        return phenotype.onset_age_years
    if phenotype.onset_date and record.birth_date:
        return (phenotype.onset_date - record.birth_date).days / 365.25
    return None


def _child_with_dystonia(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    age = _age(record, on)
    return age is not None and age < kb.threshold("child_age_below") and _chronic_dystonia(record)


def _injected(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    return any(i.date <= on for i in record.injections)


def _injected_twice(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    return sum(i.date <= on for i in record.injections) >= 2


def _bont_ongoing(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    """At least one injection and no botulinum-toxin course stopped after the last one."""
    past = [i.date for i in record.injections if i.date <= on]
    if not past:
        return False
    last = max(past)
    return not any(_is_stopped_bont(t, kb, last) for t in record.trials)


def _is_stopped_bont(trial: object, kb: KnowledgeBase, last: date) -> bool:
    treatment = getattr(trial, "treatment", "")
    is_bont = treatment == BONT_TRIAL or "botulinum-toxin" in kb.drug_classes(treatment)
    end = getattr(trial, "end", None)
    return is_bont and not getattr(trial, "active", False) and end is not None and end >= last


def _older_adult(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    age = _age(record, on)
    return age is not None and age >= kb.threshold("older_adult_from")


def _on_tetrabenazine(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    drugs = [m for m in record.medications if m.active and m.ingredient == "tetrabenazine"]
    trials = [t for t in record.trials if t.active and t.treatment == "tetrabenazine"]
    return bool(drugs or trials)


def _generalized(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    age = _age(record, on)
    old_enough = age is None or age >= kb.threshold("dbs_age_below")
    return record.phenotype.distribution == Distribution.GENERALIZED and old_enough


def _young_onset(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    onset = _onset_age(record)
    if onset is None or not _chronic_dystonia(record) or "wilson-disease" in record.conditions:
        return False
    return onset < kb.threshold("wilson_onset_below")


MEASURES: tuple[Measure, ...] = (
    Measure("levodopa-trial-missing", "Levodopa trial missing (children and adolescents)", _child_with_dystonia),
    Measure("botulinum-toxin-too-soon", "Botulinum toxin re-injected under 12 weeks", _injected_twice),
    Measure("botulinum-toxin-overdue", "Botulinum toxin overdue (over 16 weeks, treatment ongoing)", _bont_ongoing),
    Measure("anticholinergic-older-adult", "Anticholinergic in an older adult", _older_adult),
    Measure("tetrabenazine-depression", "Tetrabenazine with depression or suicidality", _on_tetrabenazine),
    Measure("dbs-evaluation", "DBS evaluation candidate (refractory generalized dystonia)", _generalized),
    Measure("wilson-disease-screen", "Wilson disease not excluded (onset under 50)", _young_onset),
)  # fmt: skip
MEASURE_IDS = tuple(m.id for m in MEASURES)


def select_measures(spec: str | None) -> tuple[Measure, ...]:
    """The measures named in a comma-separated list (all when None); unknown ids are an error."""
    if not spec:
        return MEASURES
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in MEASURE_IDS]
    if unknown:
        raise InvalidInput(
            f"unknown measure id(s) {', '.join(unknown)}; known: {', '.join(MEASURE_IDS)}",
            location="--measures",
        )
    return tuple(m for m in MEASURES if m.id in wanted)
