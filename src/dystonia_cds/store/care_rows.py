"""Rows of the care tables built from plain values: what `CareRepository` adds when it stores
a phenotype, drugs, trials or injection visits, and a `PatientRecord`'s phenotype as rows."""

from __future__ import annotations

from collections.abc import Iterable

from dystonia_cds.domain.patient import Injection, Medication, PatientRecord, TreatmentTrial
from dystonia_cds.store.care_models import (
    Diagnosis,
    InjectionMuscle,
    InjectionVisit,
    MedicationUse,
    PatientFact,
    PhenotypeAxes,
    TreatmentTrialRow,
)
from dystonia_cds.store.care_values import DiagnosisData, InjectionVisitData, PhenotypeData


def phenotype_data(record: PatientRecord) -> PhenotypeData:
    """A record's phenotype as rows: the regions and onset ride on the first diagnosis."""
    ph = record.phenotype
    forms = sorted(f.value for f in ph.forms)
    diagnoses = tuple(
        DiagnosisData(
            form=form,
            regions=tuple(sorted(r.value for r in ph.regions)) if i == 0 else (),
            onset_date=ph.onset_date if i == 0 else None,
            onset_age_years=ph.onset_age_years if i == 0 else None,
        )
        for i, form in enumerate(forms)
    )
    return PhenotypeData(
        diagnoses=diagnoses,
        distribution=ph.distribution.value if ph.distribution else None,
        course=ph.course.value if ph.course else None,
        variability=tuple(sorted(v.value for v in ph.variability)),
        association=ph.association.value if ph.association else None,
        etiology=ph.etiology.value if ph.etiology else None,
        genes=tuple(sorted(ph.genes)),
        conditions=tuple(sorted(record.conditions)),
        findings=tuple(sorted(record.findings)),
    )


def phenotype_axes(data: PhenotypeData) -> PhenotypeAxes:
    return PhenotypeAxes(
        distribution=data.distribution,
        course=data.course,
        variability=list(data.variability),
        association=data.association,
        etiology=data.etiology,
    )


def diagnosis(data: DiagnosisData) -> Diagnosis:
    return Diagnosis(
        form=data.form,
        regions=list(data.regions),
        onset_date=data.onset_date,
        onset_age_years=data.onset_age_years,
        source=data.source,
    )


def facts(data: PhenotypeData) -> list[PatientFact]:
    kinds: Iterable[tuple[str, tuple[str, ...]]] = (
        ("condition", data.conditions),
        ("finding", data.findings),
        ("gene", data.genes),
    )
    return [
        PatientFact(kind=kind, code=code) for kind, codes in kinds for code in dict.fromkeys(codes)
    ]


def medication(medication: Medication) -> MedicationUse:
    return MedicationUse(
        ingredient=medication.ingredient,
        start=medication.start,
        end=medication.end,
        active=medication.active,
        route=medication.route,
        source=medication.source,
    )


def trial(trial: TreatmentTrial, note: str | None) -> TreatmentTrialRow:
    return TreatmentTrialRow(
        treatment=trial.treatment,
        start=trial.start,
        end=trial.end,
        active=trial.active,
        outcome=trial.outcome.value if trial.outcome else None,
        daily_dose_mg=trial.daily_dose_mg,
        note=note,
        source=trial.source,
    )


def visit(data: InjectionVisitData) -> InjectionVisit:
    return InjectionVisit(
        date=data.date,
        product=data.product,
        indication=data.indication,
        lot=data.lot,
        dilution=data.dilution,
        guidance=data.guidance,
        total_units=data.units,
        source=data.source,
        muscles=[
            InjectionMuscle(position=i, muscle=m.muscle, side=m.side, units=m.units)
            for i, m in enumerate(data.muscles)
        ],
    )


def injection_data(injection: Injection) -> InjectionVisitData:
    return InjectionVisitData(
        date=injection.date,
        product=injection.product,
        indication=injection.indication,
        total_units=injection.total_units,
        source=injection.source,
    )
