"""Builders of synthetic `PatientRecord`s for tests (never real patient data).

    patient(age=9, forms=["genetic-torsion-dystonia"], regions=["trunk", "upper-limb", "lower-limb"])
    patient(age=45, forms=["cervical-dystonia"], injections=[injection(weeks_ago(12))])
    patient(age=30, forms=["acute-drug-induced-dystonia"], medications=[med("haloperidol", start=days_ago(1))])

Ids are the knowledge-base ids of the ids in dystonia_cds.domain.patient; strings are converted to the domain enums.
`ON` is the default evaluation date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from dystonia_cds.domain.patient import (
    Association,
    BodyRegion,
    Course,
    DiaryEntry,
    Distribution,
    DystoniaForm,
    Etiology,
    Injection,
    Medication,
    PatientRecord,
    Phenotype,
    ScaleResult,
    Sex,
    TreatmentTrial,
    TrialOutcome,
    Unrecognized,
    Variability,
)

ON = date(2026, 11, 25)


def born(age_years: int, *, on: date = ON) -> date:
    """A birth date on which the patient turns `age_years` exactly on `on` (the birthday)."""
    try:
        return on.replace(year=on.year - age_years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - age_years, day=28)


def days_ago(n: int, *, on: date = ON) -> date:
    return on - timedelta(days=n)


def weeks_ago(n: float, *, on: date = ON) -> date:
    return on - timedelta(days=round(n * 7))


def med(
    ingredient: str,
    *,
    start: date | None = None,
    end: date | None = None,
    active: bool = True,
    route: str | None = None,
    daily_dose_mg: float | None = None,
) -> Medication:
    return Medication(
        ingredient=ingredient,
        start=start,
        end=end,
        active=active,
        route=route,
        daily_dose_mg=daily_dose_mg,
    )


def stopped(ingredient: str, *, end: date | None, start: date | None = None) -> Medication:
    return Medication(ingredient=ingredient, start=start, end=end, active=False)


def trial(
    treatment: str,
    outcome: str | TrialOutcome | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    active: bool = False,
    daily_dose_mg: float | None = None,
) -> TreatmentTrial:
    return TreatmentTrial(
        treatment=treatment,
        start=start,
        end=end,
        active=active,
        outcome=TrialOutcome(outcome) if outcome else None,
        daily_dose_mg=daily_dose_mg,
    )


def injection(
    when: date,
    product: str | None = "onabotulinumtoxinA",
    *,
    units: float | None = 200,
    indication: str | None = "cervical-dystonia",
) -> Injection:
    return Injection(date=when, product=product, total_units=units, indication=indication)


def scale(name: str, when: date, total: float) -> ScaleResult:
    return ScaleResult(scale=name, date=when, total=total)


def phenotype(
    *,
    forms: Iterable[str | DystoniaForm] = (),
    regions: Iterable[str | BodyRegion] = (),
    distribution: str | Distribution | None = None,
    onset_age: float | None = None,
    onset_date: date | None = None,
    genes: Iterable[str] = (),
    etiology: str | Etiology | None = None,
    association: str | Association | None = None,
    course: str | Course | None = None,
    variability: Iterable[str | Variability] = (),
    acute_date: date | None = None,
) -> Phenotype:
    named = frozenset(DystoniaForm(f) for f in forms)
    if acute_date is None and DystoniaForm.ACUTE_DRUG_INDUCED in named:
        acute_date = onset_date  # as the FHIR mapping dates an acute reaction: by its onset
    return Phenotype(
        forms=named,
        regions=frozenset(BodyRegion(r) for r in regions),
        distribution=Distribution(distribution) if distribution else None,
        onset_age_years=onset_age,
        course=Course(course) if course else None,
        variability=frozenset(Variability(v) for v in variability),
        association=Association(association) if association else None,
        etiology=Etiology(etiology) if etiology else None,
        genes=frozenset(genes),
        onset_date=onset_date,
        acute_date=acute_date,
    )


def patient(
    patient_id: str = "synthetic-1",
    *,
    age: int | None = None,
    birth_date: date | None = None,
    on: date = ON,
    sex: str | Sex = Sex.UNKNOWN,
    weight_kg: float | None = None,
    medications: Iterable[Medication] = (),
    trials: Iterable[TreatmentTrial] = (),
    injections: Iterable[Injection] = (),
    conditions: Iterable[str] = (),
    findings: Iterable[str] = (),
    assessments: Iterable[ScaleResult] = (),
    unrecognized: Iterable[Unrecognized] = (),
    diary: Iterable[DiaryEntry] = (),
    **phenotype_fields: object,
) -> PatientRecord:
    """A synthetic record; `age` sets a birth date giving that age on `on`."""
    if birth_date is None and age is not None:
        birth_date = born(age, on=on)
    return PatientRecord(
        patient_id=patient_id,
        birth_date=birth_date,
        sex=Sex(sex),
        weight_kg=weight_kg,
        phenotype=phenotype(**phenotype_fields),  # type: ignore[arg-type]
        trials=tuple(trials),
        injections=tuple(injections),
        medications=tuple(medications),
        conditions=frozenset(conditions),
        findings=frozenset(findings),
        assessments=tuple(assessments),
        unrecognized=tuple(unrecognized),
        diary=tuple(sorted(diary, key=lambda e: e.date)),
    )
