"""The clinical mix of a dystonia clinic, with a seeded share of every care gap.

Weights: cervical dystonia and blepharospasm most common; oromandibular, laryngeal and
writer's cramp; adult segmental/generalized; paediatric generalized (TOR1A, KMT2B),
dopa-responsive (GCH1) and myoclonus-dystonia (SGCE); acute drug-induced reactions;
tardive dystonia on tetrabenazine; a few records without active dystonia.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from dystonia_cds.screening.synth.injections import add_injection_history
from dystonia_cds.screening.synth.names import draw_name
from dystonia_cds.screening.synth.plans import DrugCourse, Plan, days_before, years_before

Scenario = Callable[[random.Random, Plan, date], None]

OLDER_ADULT_ANTICHOLINERGIC = 0.3
REFRACTORY_WITHOUT_DBS = 0.5
LEVODOPA_MISSING = 0.5
WILSON_NOT_EXCLUDED = 0.5
TETRABENAZINE_DEPRESSION = 0.3


def draw_plan(rng: random.Random, patient_id: str, anchor: date) -> Plan:
    """One synthetic patient with a scenario drawn by clinic frequency."""
    scenario, ages = rng.choices(_SCENARIOS, weights=_WEIGHTS)[0]
    age = rng.uniform(*ages)
    sex = "female" if rng.random() < 0.6 else "male"
    given, family = draw_name(rng, sex)
    plan = Plan(patient_id, sex, years_before(anchor, age), given, family)
    scenario(rng, plan, anchor)
    _add_workup(rng, plan, anchor)
    return plan


def _age(plan: Plan, anchor: date) -> float:
    return (anchor - plan.birth).days / 365.25


def _set_onset(rng: random.Random, plan: Plan, anchor: date, earliest: float) -> None:
    age = _age(plan, anchor)
    onset_age = rng.uniform(min(earliest, age - 0.5), max(age - 0.5, earliest))
    plan.onset = years_before(anchor, max(age - onset_age, 0.3))


def _trial(plan: Plan, ingredient: str, start: date, outcome: str, weeks: int = 16) -> None:
    end = start.fromordinal(start.toordinal() + weeks * 7)
    plan.drugs.append(DrugCourse(ingredient, "statement", start, end, False, outcome))


def _current(plan: Plan, ingredient: str, start: date) -> None:
    plan.drugs.append(DrugCourse(ingredient, "request", start))


def _maybe_older_anticholinergic(rng: random.Random, plan: Plan, anchor: date) -> None:
    if _age(plan, anchor) >= 65 and rng.random() < OLDER_ADULT_ANTICHOLINERGIC:
        _current(plan, rng.choice(("trihexyphenidyl", "benztropine")), days_before(anchor, 200))
        if rng.random() < 0.2:
            plan.conditions.append("prostatic-hypertrophy" if plan.sex == "male" else "dysphagia")


def _focal(form: str, region: str, indication: str) -> Scenario:
    def build(rng: random.Random, plan: Plan, anchor: date) -> None:
        plan.dystonia.append((form, "active"))
        plan.regions.append(region)
        _set_onset(rng, plan, anchor, 25.0)
        if indication:
            add_injection_history(rng, plan, anchor, indication)
        if rng.random() < 0.15:
            plan.conditions.append(rng.choice(("myasthenia-gravis", "dysphagia", "depression")))
        _maybe_older_anticholinergic(rng, plan, anchor)

    return build


def _generalized_child(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("genetic", "active"))
    plan.regions.extend(("trunk", "lower-limb", "upper-limb"))
    _set_onset(rng, plan, anchor, 4.0)
    plan.genes.append(rng.choice(("TOR1A", "TOR1A", "KMT2B", "THAP1")))
    onset = plan.onset or anchor
    if rng.random() >= LEVODOPA_MISSING:
        _trial(plan, "levodopa", days_before(onset, -60), "ineffective", 8)
    _refractory_course(rng, plan, anchor, onset)


def _refractory_course(rng: random.Random, plan: Plan, anchor: date, onset: date) -> None:
    """Oral trials; refractory patients either had DBS or were never evaluated (the gap)."""
    _trial(plan, "trihexyphenidyl", days_before(onset, -120), "ineffective", 26)
    if rng.random() < 0.6:
        _trial(
            plan, "baclofen", days_before(onset, -330), rng.choice(("ineffective", "not-tolerated"))
        )
        if rng.random() >= REFRACTORY_WITHOUT_DBS:
            plan.procedures.append(
                ("deep-brain-stimulation", days_before(anchor, rng.randint(60, 900)))
            )
    else:
        _current(plan, "trihexyphenidyl", days_before(anchor, rng.randint(30, 400)))


def _generalized_adult(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("idiopathic", "active"))
    plan.regions.extend(("neck", "trunk", "upper-limb"))
    _set_onset(rng, plan, anchor, 21.0)
    _refractory_course(rng, plan, anchor, plan.onset or anchor)
    _maybe_older_anticholinergic(rng, plan, anchor)


def _dopa_responsive(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("dopa-responsive", "active"))
    plan.regions.append("lower-limb")
    _set_onset(rng, plan, anchor, 3.0)
    plan.genes.append("GCH1")
    if rng.random() < 0.8:
        plan.drugs.append(
            DrugCourse(
                "levodopa", "statement", days_before(anchor, 500), None, True, "good-response"
            )
        )
    elif rng.random() < 0.5:
        plan.conditions.append("cerebral-palsy")  # DRD mislabelled as CP


def _myoclonus(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("myoclonus", "active"))
    plan.regions.extend(("neck", "upper-limb"))
    _set_onset(rng, plan, anchor, 5.0)
    plan.genes.append("SGCE")
    _current(plan, rng.choice(("zonisamide", "clonazepam")), days_before(anchor, 300))


def _paediatric_other(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("unspecified", "active"))
    plan.regions.append("lower-limb")
    _set_onset(rng, plan, anchor, 2.0)
    plan.conditions.append("cerebral-palsy")
    if rng.random() < 0.4:
        plan.conditions.append("epilepsy")
    _current(plan, "baclofen", days_before(anchor, 400))


def _acute(rng: random.Random, plan: Plan, anchor: date) -> None:
    culprit = rng.choice(("haloperidol", "metoclopramide", "prochlorperazine", "risperidone"))
    recent = days_before(anchor, rng.randint(0, 3))
    plan.dystonia.append(("acute", "active"))
    plan.regions.append(rng.choice(("neck", "eyes", "lower-face")))
    plan.onset = recent
    plan.drugs.append(DrugCourse(culprit, "request", days_before(recent, rng.randint(1, 3))))
    if rng.random() < 0.5:
        plan.drugs.append(
            DrugCourse(rng.choice(("diphenhydramine", "benztropine")), "administration", recent)
        )


def _tardive(rng: random.Random, plan: Plan, anchor: date) -> None:
    plan.dystonia.append(("tardive", "active"))
    plan.regions.extend(("neck", "lower-face"))
    _set_onset(rng, plan, anchor, 30.0)
    plan.drugs.append(
        DrugCourse(
            "risperidone", "statement", years_before(anchor, 4), years_before(anchor, 1), False
        )
    )
    if rng.random() < 0.7:
        _current(plan, "tetrabenazine", days_before(anchor, rng.randint(30, 700)))
        if rng.random() < TETRABENAZINE_DEPRESSION:
            plan.conditions.append(rng.choice(("depression", "depression", "suicidality")))
    _maybe_older_anticholinergic(rng, plan, anchor)


def _inactive(rng: random.Random, plan: Plan, anchor: date) -> None:
    status = rng.choice(("resolved", "entered-in-error", "refuted"))
    plan.dystonia.append((rng.choice(("acute", "unspecified", "cervical")), status))
    plan.onset = years_before(anchor, rng.uniform(1, 6))
    if rng.random() < 0.3:
        plan.conditions.append("depression")


def _add_workup(rng: random.Random, plan: Plan, anchor: date) -> None:
    """Young-onset dystonia should have Wilson disease excluded; half of them have."""
    if not plan.onset or not any(s == "active" for _, s in plan.dystonia):
        return
    onset_age = (plan.onset - plan.birth).days / 365.25
    if onset_age < 50 and rng.random() >= WILSON_NOT_EXCLUDED:
        plan.wilson_excluded = True


_SCENARIOS: list[tuple[Scenario, tuple[float, float]]] = [
    (_focal("cervical", "neck", "cervical-dystonia"), (30, 82)),
    (_focal("blepharospasm", "eyes", "blepharospasm"), (45, 88)),
    (_focal("oromandibular", "lower-face", "oromandibular-dystonia"), (35, 80)),
    (_focal("laryngeal", "larynx", "laryngeal-dystonia"), (30, 70)),
    (_focal("writers-cramp", "upper-limb", ""), (25, 70)),
    (_generalized_adult, (22, 78)),
    (_generalized_child, (5, 19)),
    (_dopa_responsive, (4, 25)),
    (_myoclonus, (6, 35)),
    (_acute, (8, 60)),
    (_tardive, (35, 85)),
    (_paediatric_other, (3, 17)),
    (_inactive, (10, 80)),
]
_WEIGHTS = [30, 18, 5, 3, 5, 6, 8, 3, 2, 6, 5, 4, 5]
