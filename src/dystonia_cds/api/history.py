"""A patient's whole care record as JSON (`GET /api/patients/{id}/history`): the patient,
the phenotype, drugs, trials, injection visits with their muscles, assessments with their
items and scores, titration plans. Built from one `CareRepository.history` load."""

from __future__ import annotations

from datetime import date
from typing import Any

from dystonia_cds.api.patients import patient_public, phenotype_public
from dystonia_cds.store.care_models import (
    Assessment,
    InjectionVisit,
    MedicationUse,
    Patient,
    TitrationPlan,
    TreatmentTrialRow,
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _visit(row: InjectionVisit) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "date": row.date.isoformat(),
        "product": row.product,
        "indication": row.indication,
        "lot": row.lot,
        "dilution": row.dilution,
        "guidance": row.guidance,
        "total_units": row.total_units,
        "muscles": [{"muscle": m.muscle, "side": m.side, "units": m.units} for m in row.muscles],
    }


def _assessment(row: Assessment) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "date": row.date.isoformat(),
        "scale": row.scale,
        "scores": {"total": row.total, **row.scores},
        "items": {i.key: i.score for i in row.items},
    }


def _trial(row: TreatmentTrialRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "treatment": row.treatment,
        "start": _day(row.start),
        "end": _day(row.end),
        "active": row.active,
        "outcome": row.outcome,
        "daily_dose_mg": row.daily_dose_mg,
        "note": row.note,
    }


def _medication(row: MedicationUse) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "ingredient": row.ingredient,
        "start": _day(row.start),
        "end": _day(row.end),
        "active": row.active,
        "route": row.route,
    }


def _plan(row: TitrationPlan) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "drug": row.drug,
        "start": row.start.isoformat(),
        "schedule": row.schedule,
        "note": row.note,
    }


def history_dict(patient: Patient) -> dict[str, Any]:
    return {
        "patient": patient_public(patient).model_dump(mode="json"),
        "phenotype": phenotype_public(patient).model_dump(mode="json"),
        "medications": [_medication(m) for m in patient.medications],
        "trials": [_trial(t) for t in patient.trials],
        "injections": [_visit(v) for v in patient.injection_visits],
        "assessments": [_assessment(a) for a in patient.assessments],
        "titration_plans": [_plan(p) for p in patient.titration_plans],
    }
