"""The engine's input for a stored patient: `load_patient_record(session, patient_id)`.

Built from the stored diagnoses, phenotype axes, coded facts, drugs, trials, injection visits,
assessments and diary check-ins (oldest first). A stored value the domain does not know (e.g.
a form id from a newer version) is reported in `unrecognized`, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.orm import Session, object_session

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
from dystonia_cds.store.care_models import (
    InjectionVisit,
    MedicationUse,
    Patient,
    PhenotypeAxes,
    TreatmentTrialRow,
)
from dystonia_cds.store.diary import DiaryRepository
from dystonia_cds.store.repository import CareRepository

E = TypeVar("E", bound=StrEnum)


def load_patient_record(session: Session, patient_id: str) -> PatientRecord:
    """The stored patient as a `PatientRecord`; raises `PatientNotFound`."""
    return record_from_patient(CareRepository(session).history(patient_id, details=False))


class _Reader:
    """Converts stored ids to domain enums, collecting what it cannot convert."""

    def __init__(self) -> None:
        self.unrecognized: list[Unrecognized] = []

    def one(self, kind: type[E], value: str | None, where: str) -> E | None:
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            self.unrecognized.append(Unrecognized(where, f"unknown {kind.__name__} {value!r}"))
            return None

    def many(self, kind: type[E], values: Iterable[str], where: str) -> frozenset[E]:
        found = (self.one(kind, v, where) for v in values)
        return frozenset(v for v in found if v is not None)


def record_from_patient(patient: Patient) -> PatientRecord:
    """A fully loaded `Patient` row (see `CareRepository.history`) as a `PatientRecord`."""
    reader = _Reader()
    facts: dict[str, set[str]] = {"condition": set(), "finding": set(), "gene": set()}
    for fact in patient.facts:
        facts[fact.kind].add(fact.code)
    record = PatientRecord(
        patient_id=patient.id,
        birth_date=patient.birth_date,
        sex=reader.one(Sex, patient.sex, "patient.sex") or Sex.UNKNOWN,
        weight_kg=patient.weight_kg,
        phenotype=_phenotype(patient, reader, frozenset(facts["gene"])),
        trials=tuple(_trial(row, reader) for row in patient.trials),
        injections=tuple(_injection(row) for row in patient.injection_visits),
        medications=tuple(_medication(row) for row in patient.medications),
        conditions=frozenset(facts["condition"]),
        findings=frozenset(facts["finding"]),
        assessments=tuple(
            ScaleResult(scale=a.scale, date=a.date, total=a.total) for a in patient.assessments
        ),
        diary=_diary(patient),
    )
    if not reader.unrecognized:
        return record
    return replace(record, unrecognized=tuple(reader.unrecognized))


def _diary(patient: Patient) -> tuple[DiaryEntry, ...]:
    session = object_session(patient)
    return DiaryRepository(session).entries(patient.id) if session is not None else ()


def _phenotype(patient: Patient, reader: _Reader, genes: frozenset[str]) -> Phenotype:
    diagnoses = patient.diagnoses
    axes = patient.phenotype or PhenotypeAxes(variability=[])
    onset_ages = [d.onset_age_years for d in diagnoses if d.onset_age_years is not None]
    onset_dates = [d.onset_date for d in diagnoses if d.onset_date is not None]
    acute_dates = [
        d.onset_date
        for d in diagnoses
        if d.onset_date is not None and d.form == DystoniaForm.ACUTE_DRUG_INDUCED.value
    ]
    return Phenotype(
        forms=reader.many(DystoniaForm, (d.form for d in diagnoses), "diagnosis.form"),
        regions=reader.many(
            BodyRegion, (r for d in diagnoses for r in d.regions), "diagnosis.regions"
        ),
        distribution=reader.one(Distribution, axes.distribution, "phenotype.distribution"),
        onset_age_years=min(onset_ages, default=None),
        course=reader.one(Course, axes.course, "phenotype.course"),
        variability=reader.many(Variability, axes.variability, "phenotype.variability"),
        association=reader.one(Association, axes.association, "phenotype.association"),
        etiology=reader.one(Etiology, axes.etiology, "phenotype.etiology"),
        genes=genes,
        onset_date=min(onset_dates, default=None),
        acute_date=max(acute_dates, default=None),
    )


def _trial(row: TreatmentTrialRow, reader: _Reader) -> TreatmentTrial:
    return TreatmentTrial(
        treatment=row.treatment,
        start=row.start,
        end=row.end,
        active=row.active,
        outcome=reader.one(TrialOutcome, row.outcome, f"trial/{row.id}.outcome"),
        daily_dose_mg=row.daily_dose_mg,
        source=row.source or f"trial/{row.id}",
    )


def _injection(row: InjectionVisit) -> Injection:
    return Injection(
        date=row.date,
        product=row.product,
        total_units=row.total_units,
        indication=row.indication,
        source=row.source or f"injection-visit/{row.id}",
    )


def _medication(row: MedicationUse) -> Medication:
    return Medication(
        ingredient=row.ingredient,
        start=row.start,
        end=row.end,
        active=row.active,
        route=row.route,
        source=row.source or f"medication/{row.id}",
    )
