"""Screening measures: numerator = eligible patients with the engine alert of the same id.

Each measure's eligible population (denominator) is defined here from the patient record and
the knowledge base's thresholds, always within the screened population: patients with active
dystonia (the engine raises none of these alerts without it), alive. The numerator is the
engine's own alert, so screening, the CLI and the CDS service agree; the one exception is
`botulinum-toxin-too-soon`, a quality measure over past injection intervals (DESIGN.md "screen").
Definitions: docs/measures.md.
"""

from __future__ import annotations

import itertools
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
MIN_SESSION_GAP_DAYS = (
    84  # DESIGN.md "screen": consecutive sessions under 84 days apart [R11][R14][R17]
)


@dataclass(frozen=True, slots=True)
class Measure:
    """`gap` (when given) decides the numerator instead of the engine alert of the same id;
    `care_gap` is False for a measure that counts unsafe or over-frequent care, not missing care."""

    id: str
    title: str
    eligible: Eligible
    gap: Eligible | None = None
    care_gap: bool = True


def patient_age(record: PatientRecord, on: date) -> int | None:
    """Completed years at `on`; None without a birth date or with one after `on` (the engine
    also reads such an age as unknown)."""
    birth = record.birth_date
    return age_in_years(birth, on) if birth is not None and birth <= on else None


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
    age = patient_age(record, on)
    return age is not None and age < kb.threshold("child_age_below") and _chronic_dystonia(record)


def _active_dystonia(record: PatientRecord) -> bool:
    return bool(record.phenotype.forms)


def _sessions(record: PatientRecord, on: date) -> list[date]:
    """Botulinum-toxin sessions on or before `on`, one per day, in date order."""
    return sorted({i.date for i in record.injections if i.date <= on})


def _recent_intervals(record: PatientRecord, on: date) -> list[int]:
    """Days between consecutive sessions whose later session falls in the 12 months before
    `on` (after the same day one year earlier, up to `on`)."""
    days = _sessions(record, on)
    start = _year_before(on)
    return [(b - a).days for a, b in itertools.pairwise(days) if b > start]


def _year_before(on: date) -> date:
    if (on.month, on.day) == (2, 29):
        return on.replace(year=on.year - 1, day=28)
    return on.replace(year=on.year - 1)


def _reinjected(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    return _active_dystonia(record) and bool(_recent_intervals(record, on))


def _reinjected_too_soon(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    return any(days < MIN_SESSION_GAP_DAYS for days in _recent_intervals(record, on))


def _bont_ongoing(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    """At least one injection and no botulinum-toxin course ended on or after the last one."""
    past = [i.date for i in record.injections if i.date <= on]
    if not past or not _active_dystonia(record):
        return False
    last = max(past)
    return not any(
        t.treatment == BONT_TRIAL and not t.active and t.end is not None and t.end >= last
        for t in record.trials
    )


def _older_adult(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    age = patient_age(record, on)
    return age is not None and age >= kb.threshold("older_adult_from") and _active_dystonia(record)


def _is_vmat2(ingredient: str, kb: KnowledgeBase) -> bool:
    return ingredient == "tetrabenazine" or "vmat2-inhibitor" in kb.drug_classes(ingredient)


def _on_tetrabenazine(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    if not _active_dystonia(record):
        return False
    drugs = any(m.active and _is_vmat2(m.ingredient, kb) for m in record.medications)
    return drugs or any(t.active and _is_vmat2(t.treatment, kb) for t in record.trials)


def _generalized(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    spread = (Distribution.GENERALIZED, Distribution.SEGMENTAL)
    return _chronic_dystonia(record) and record.phenotype.distribution in spread


def _young_onset(record: PatientRecord, kb: KnowledgeBase, on: date) -> bool:
    """Onset before 50 (the current age bounds an unknown onset, as in the engine)."""
    onset = _onset_age(record)
    bound = onset if onset is not None else patient_age(record, on)
    if bound is None or not _chronic_dystonia(record) or "wilson-disease" in record.conditions:
        return False
    return bound < kb.threshold("wilson_onset_below")


MEASURES: tuple[Measure, ...] = (
    Measure("levodopa-trial-missing", "Levodopa trial missing (children and adolescents)", _child_with_dystonia),
    Measure("botulinum-toxin-too-soon", "Botulinum toxin re-injected under 12 weeks (84 days) apart", _reinjected, _reinjected_too_soon, care_gap=False),
    Measure("botulinum-toxin-overdue", "Botulinum toxin overdue (over 16 weeks, treatment ongoing)", _bont_ongoing),
    Measure("anticholinergic-older-adult", "Anticholinergic in an older adult", _older_adult, care_gap=False),
    Measure("tetrabenazine-depression", "Tetrabenazine with depression or suicidality", _on_tetrabenazine, care_gap=False),
    Measure("dbs-evaluation", "DBS evaluation (refractory generalized or segmental dystonia)", _generalized),
    Measure("wilson-disease-screen", "Wilson disease not excluded (onset under 50)", _young_onset),
)  # fmt: skip
MEASURE_IDS = tuple(m.id for m in MEASURES)


def select_measures(spec: str | None) -> tuple[Measure, ...]:
    """The measures named in a comma-separated list (all when None); unknown ids are an error."""
    if not spec:
        return MEASURES
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    if not wanted:
        raise InvalidInput(
            f"names no measure; known: {', '.join(MEASURE_IDS)}", location="--measures"
        )
    unknown = [w for w in wanted if w not in MEASURE_IDS]
    if unknown:
        raise InvalidInput(
            f"unknown measure id(s) {', '.join(unknown)}; known: {', '.join(MEASURE_IDS)}",
            location="--measures",
        )
    return tuple(m for m in MEASURES if m.id in wanted)
