"""Synthetic demo patients for `serve --demo` (SYNTHETIC data, no real person).

Each patient shows a case the system handles: a loss of benefit over botulinum-toxin cycles,
a child without a levodopa trial, a recent injection (too soon), an acute drug-induced
reaction, refractory generalized dystonia after several failed drugs, tardive dystonia with
depression, a drug stopped as not tolerated. Dates are relative to `today`, so the demo
stays meaningful whenever it is started. Seeding is idempotent: a patient whose display name
is already present is not added again. Visits and scores go through the care core, so the
demo holds only what the API would accept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dystonia_cds.care.injections import InjectionVisit as CareVisit
from dystonia_cds.care.injections import MuscleDose as CareDose
from dystonia_cds.care.injections import validate_visit
from dystonia_cds.care.scales import scale_definition, score_assessment
from dystonia_cds.domain.patient import Medication, TreatmentTrial, TrialOutcome
from dystonia_cds.store.care_models import Patient
from dystonia_cds.store.care_values import (
    AssessmentData,
    DiagnosisData,
    InjectionVisitData,
    MuscleDose,
    PhenotypeData,
)
from dystonia_cds.store.repository import CareRepository

log = logging.getLogger(__name__)

NECK = (
    ("sternocleidomastoid", "left", 40.0),
    ("splenius-capitis", "right", 60.0),
    ("trapezius", "right", 40.0),
    ("levator-scapulae", "right", 30.0),
)
EYELIDS = (
    ("orbicularis-oculi-pretarsal-upper", "bilateral", 10.0),
    ("orbicularis-oculi-pretarsal-lower", "bilateral", 5.0),
    ("orbicularis-oculi-preseptal", "bilateral", 10.0),
)


def years_ago(today: date, years: int, days: int = 0) -> date:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=days)


def items_at(scale_id: str, fraction: float) -> dict[str, int]:
    """Every item of a scale at about `fraction` of its range (a synthetic assessment)."""
    return {
        item.key: item.min + round((item.max - item.min) * fraction)
        for item in scale_definition(scale_id).items
    }


def add_visit(
    repo: CareRepository,
    patient_id: str,
    on: date,
    *,
    product: str,
    indication: str,
    muscles: Sequence[tuple[str, str, float]],
    today: date,
) -> None:
    doses = tuple(CareDose(m, s, u) for m, s, u in muscles)
    visit = validate_visit(CareVisit(on, product, indication, doses, lot="DEMO-1"), on=today)
    repo.add_injection_visit(
        patient_id,
        InjectionVisitData(
            date=visit.date,
            product=visit.product,
            indication=visit.indication,
            muscles=tuple(MuscleDose(d.muscle, d.side, d.units) for d in visit.muscles),
            lot=visit.lot,
            guidance="emg",
        ),
    )


def add_assessment(
    repo: CareRepository, patient_id: str, on: date, scale: str, level: float
) -> None:
    score = score_assessment(scale, items_at(scale, level))
    repo.add_assessment(
        patient_id,
        AssessmentData(on, score.scale, dict(score.items), score.total, dict(score.subscales)),
    )


def _cervical_non_response(repo: CareRepository, pid: str, today: date) -> None:
    """Four onabotulinumtoxinA cycles: a clear benefit at first, little in the last two."""
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(DiagnosisData("cervical-dystonia", ("neck",), onset_age_years=47.0),),
            distribution="focal",
            association="isolated",
            etiology="idiopathic",
            findings=("wilson-disease-excluded",),
        ),
    )
    first = today - timedelta(days=91 * 3 + 92)
    levels = ((0.8, 0.3), (0.75, 0.72), (0.78, 0.76))
    for cycle in range(4):
        day = first + timedelta(days=91 * cycle)
        if cycle < 3:
            add_assessment(repo, pid, day - timedelta(days=1), "twstrs", levels[cycle][0])
            add_assessment(repo, pid, day + timedelta(days=28), "twstrs", levels[cycle][1])
        add_visit(
            repo,
            pid,
            day,
            product="onabotulinumtoxinA",
            indication="cervical-dystonia",
            muscles=NECK,
            today=today,
        )


def _child_without_levodopa(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(
                DiagnosisData(
                    "genetic-torsion-dystonia",
                    ("trunk", "lower-limb", "upper-limb"),
                    onset_age_years=7.0,
                ),
            ),
            distribution="generalized",
            association="isolated",
        ),
    )
    repo.add_trial(
        pid,
        TreatmentTrial(
            "trihexyphenidyl",
            start=today - timedelta(days=200),
            active=True,
            outcome=TrialOutcome.PARTIAL_RESPONSE,
        ),
    )
    add_assessment(repo, pid, today - timedelta(days=30), "bfmdrs", 0.3)


def _blepharospasm_recent(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(DiagnosisData("blepharospasm", ("eyes",), onset_age_years=68.0),),
            distribution="focal",
            conditions=("narrow-angle-glaucoma",),
        ),
    )
    for weeks_ago in (32, 19, 6):
        add_visit(
            repo,
            pid,
            today - timedelta(weeks=weeks_ago),
            product="incobotulinumtoxinA",
            indication="blepharospasm",
            muscles=EYELIDS,
            today=today,
        )
    add_assessment(repo, pid, today - timedelta(weeks=2), "jrs", 0.5)


def _acute_reaction(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(
                DiagnosisData(
                    "acute-drug-induced-dystonia", ("neck",), onset_date=today - timedelta(days=1)
                ),
            ),
            etiology="acquired",
        ),
    )
    repo.add_medication(pid, Medication("haloperidol", start=today - timedelta(days=3)))


def _refractory_generalized(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(
                DiagnosisData(
                    "genetic-torsion-dystonia",
                    ("trunk", "neck", "lower-limb"),
                    onset_age_years=11.0,
                ),
            ),
            distribution="generalized",
            association="isolated",
            etiology="inherited",
            genes=("TOR1A",),
            findings=("wilson-disease-excluded",),
        ),
    )
    history = (
        ("levodopa", 9, TrialOutcome.INEFFECTIVE),
        ("trihexyphenidyl", 7, TrialOutcome.INEFFECTIVE),
        ("baclofen", 5, TrialOutcome.INEFFECTIVE),
        ("clonazepam", 3, TrialOutcome.NOT_TOLERATED),
    )
    for drug, years, outcome in history:
        start = years_ago(today, years)
        repo.add_trial(
            pid, TreatmentTrial(drug, start=start, end=start + timedelta(days=180), outcome=outcome)
        )
    add_assessment(repo, pid, today - timedelta(days=20), "bfmdrs", 0.55)


def _tardive_depression(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(DiagnosisData("tardive-dystonia", ("neck", "trunk"), onset_age_years=45.0),),
            distribution="segmental",
            etiology="acquired",
            conditions=("depression",),
        ),
    )
    repo.add_medication(
        pid,
        Medication("risperidone", start=years_ago(today, 6), end=years_ago(today, 1), active=False),
    )


def _not_tolerated(repo: CareRepository, pid: str, today: date) -> None:
    repo.replace_phenotype(
        pid,
        PhenotypeData(
            diagnoses=(
                DiagnosisData(
                    "idiopathic-nonfamilial-dystonia", ("neck", "upper-limb"), onset_age_years=30.0
                ),
            ),
            distribution="segmental",
            findings=("wilson-disease-excluded",),
        ),
    )
    start = years_ago(today, 1)
    repo.add_trial(
        pid,
        TreatmentTrial(
            "trihexyphenidyl",
            start=start,
            end=start + timedelta(days=40),
            outcome=TrialOutcome.NOT_TOLERATED,
            daily_dose_mg=6.0,
        ),
        note="confusion and dry mouth at 6 mg/day",
    )


Seeder = Callable[[CareRepository, str, date], None]
DEMO_PATIENTS: tuple[tuple[str, str, int, Seeder], ...] = (
    ("Demo: cervical dystonia, fading toxin response", "female", 58, _cervical_non_response),
    ("Demo: child with generalized dystonia", "male", 9, _child_without_levodopa),
    ("Demo: blepharospasm, injected 6 weeks ago", "female", 76, _blepharospasm_recent),
    ("Demo: acute reaction to haloperidol", "male", 19, _acute_reaction),
    ("Demo: refractory generalized DYT-TOR1A", "female", 24, _refractory_generalized),
    ("Demo: tardive dystonia with depression", "male", 51, _tardive_depression),
    ("Demo: trihexyphenidyl not tolerated", "female", 42, _not_tolerated),
)


def _present(session: Session) -> set[str]:
    names = [name for name, *_ in DEMO_PATIENTS]
    query = select(Patient.display_name).where(Patient.display_name.in_(names))
    return {n for n in session.scalars(query) if n}


def seed_demo(sessions: sessionmaker[Session], *, today: date | None = None) -> int:
    """Add the demo patients that are missing (one transaction); returns how many were added."""
    today = today or date.today()  # demo seeding is an entry point: the clock is read here
    with sessions.begin() as session:
        present = _present(session)
        repo = CareRepository(session)
        added = 0
        for name, sex, age, seed in DEMO_PATIENTS:
            if name in present:
                continue
            pid = repo.add_patient(
                birth_date=years_ago(today, age, days=40),
                sex=sex,
                display_name=name,
                weight_kg=30.0 if age < 12 else 70.0,
            )
            seed(repo, pid, today)
            added += 1
    return added
