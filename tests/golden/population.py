"""A fixed, varied synthetic population for the engine snapshot (seeded, no hypothesis).

Every record is synthetic; the mix covers ages from neonates to the very old, unknown birth
dates, every dystonia form, regions and distributions, drug classes taken now or stopped,
trials with every outcome, botulinum toxin courses with rating scales, conditions, findings
and genes, so that every option, alert, caution and note path is exercised.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from builders import ON, injection, med, patient, scale, trial
from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    Course,
    Distribution,
    DystoniaForm,
    Etiology,
    Medication,
    PatientRecord,
    TreatmentTrial,
    TrialOutcome,
    Unrecognized,
    Variability,
)

DRUGS = (
    "diphenhydramine", "benztropine", "levodopa", "trihexyphenidyl", "clonazepam", "diazepam",
    "baclofen", "tetrabenazine", "deutetrabenazine", "valbenazine", "zonisamide", "reserpine",
    "haloperidol", "risperidone", "metoclopramide", "promethazine", "olanzapine", "oxycodone",
    "morphine", "tramadol", "phenelzine", "selegiline", "rasagiline", "acetaminophen",
)  # fmt: skip
TREATMENTS = (
    "levodopa", "trihexyphenidyl", "clonazepam", "baclofen", "tetrabenazine", "zonisamide",
    "deep-brain-stimulation", "intrathecal-baclofen", "rehabilitation-therapy", "botulinum-toxin",
    "benztropine", "diazepam",
)  # fmt: skip
CONDITIONS = (
    "narrow-angle-glaucoma", "depression", "suicidality", "hepatic-impairment", "renal-impairment",
    "myasthenia-gravis", "lambert-eaton-syndrome", "motor-neuron-disease", "dysphagia",
    "injection-site-infection", "prostatic-hypertrophy", "urinary-retention", "epilepsy",
    "long-qt-syndrome", "pregnancy", "botulinum-toxin-hypersensitivity", "cerebral-palsy",
    "parkinsonism", "wilson-disease", "melanoma",
)  # fmt: skip
FINDINGS = ("wilson-disease-excluded", "cyp2d6-poor-metabolizer", "cyp2d6-genotyped")
GENES = ("GCH1", "TOR1A", "KMT2B", "SGCE", "THAP1", "ATP1A3", "ATP7B")
PRODUCTS = (
    "onabotulinumtoxinA",
    "abobotulinumtoxinA",
    "incobotulinumtoxinA",
    "rimabotulinumtoxinB",
)
SCALES = ("twstrs", "bfmdrs")


def _some(rng: random.Random, items: tuple[str, ...] | list[str], most: int) -> list[str]:
    return rng.sample(list(items), rng.randint(0, most))


def _day(rng: random.Random, back: int, ahead: int = 0) -> date:
    return ON + timedelta(days=rng.randint(-back, ahead))


def _medications(rng: random.Random) -> list[Medication]:
    out = []
    for drug in _some(rng, DRUGS, 4):
        start = _day(rng, 900, 10) if rng.random() < 0.85 else None
        if rng.random() < 0.6:
            out.append(med(drug, start=start))
        else:
            end = _day(rng, 400) if rng.random() < 0.85 else None
            out.append(med(drug, start=start, end=end, active=False))
    return out


def _trials(rng: random.Random) -> list[TreatmentTrial]:
    out = []
    for t in _some(rng, TREATMENTS, 4):
        outcome = rng.choice([None, *TrialOutcome])
        start = _day(rng, 3000, 30) if rng.random() < 0.8 else None
        end = _day(rng, 300) if rng.random() < 0.6 else None
        out.append(
            trial(t, outcome, start=start, end=end, active=end is None and rng.random() < 0.5)
        )
    return out


def _botulinum(rng: random.Random) -> dict[str, object]:
    if rng.random() < 0.6:
        return {}
    last = _day(rng, 200, 5)
    dates = [
        last - timedelta(days=sum(rng.randint(70, 120) for _ in range(k)))
        for k in range(rng.randint(1, 4))
    ]
    injections = [injection(d, rng.choice(PRODUCTS)) for d in dates]
    name = rng.choice(SCALES)
    scores = [
        scale(name, _day(rng, 500), float(rng.randint(10, 60))) for _ in range(rng.randint(0, 6))
    ]
    return {"injections": injections, "assessments": scores}


def _phenotype(rng: random.Random, age: int | None) -> dict[str, object]:
    if rng.random() < 0.06:
        return {}  # no active dystonia
    onset = rng.choice([None, float(rng.randint(0, max(age or 80, 0))), rng.uniform(0, 30)])
    return {
        "forms": _some(rng, list(DystoniaForm), 2) or [rng.choice(list(DystoniaForm))],
        "regions": _some(rng, list(BodyRegion), 4),
        "distribution": rng.choice([None, None, *Distribution]),
        "onset_age": onset,
        "onset_date": _day(rng, 40) if rng.random() < 0.2 else None,
        "genes": _some(rng, GENES, 1) if rng.random() < 0.3 else [],
        "etiology": rng.choice([None, *Etiology]),
        "association": rng.choice([None, *Association]),
        "course": rng.choice([None, *Course]),
        "variability": _some(rng, list(Variability), 2),
    }


def synthetic_record(rng: random.Random, n: int) -> PatientRecord:
    age = rng.choice([None, rng.randint(0, 2), rng.randint(3, 17), rng.randint(17, 18),
                      rng.randint(18, 64), rng.randint(60, 66), rng.randint(65, 99)])  # fmt: skip
    birth = ON - timedelta(days=rng.randint(0, 40)) if age == 0 and rng.random() < 0.5 else None
    unrecognized = [Unrecognized("Condition/x", "unknown code")] if rng.random() < 0.1 else []
    return patient(
        f"snap-{n:03d}",
        age=age if birth is None else None,
        birth_date=birth,
        sex=rng.choice(["female", "male", "unknown"]),
        medications=_medications(rng),
        trials=_trials(rng),
        conditions=_some(rng, CONDITIONS, 3),
        findings=_some(rng, FINDINGS, 1),
        unrecognized=unrecognized,
        **_botulinum(rng),  # type: ignore[arg-type]
        **_phenotype(rng, age),  # type: ignore[arg-type]
    )


def snapshot_population(size: int = 300, seed: int = 20261126) -> list[PatientRecord]:
    rng = random.Random(seed)
    return [synthetic_record(rng, n) for n in range(size)]
