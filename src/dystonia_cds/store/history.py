"""A patient's whole care record as JSON-ready data (`GET /api/patients/{id}/history`, the
web app's timeline, the benchmark): the patient, the phenotype, drugs, trials, injection
visits with their muscles, assessments with their items and scores, titration plans.

This is the read path that must stay fast at years of data (bench/care_store.py), so it
selects plain rows with SQLAlchemy Core, one statement per table (the per-visit muscles and
per-assessment items come in one statement each, joined on the patient), and builds the
dicts directly: no ORM objects, no N+1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from dystonia_cds.domain.errors import PatientNotFound
from dystonia_cds.store.care_models import (
    Assessment,
    AssessmentItem,
    Diagnosis,
    InjectionMuscle,
    InjectionVisit,
    MedicationUse,
    Patient,
    PatientFact,
    PhenotypeAxes,
    TitrationPlan,
    TreatmentTrialRow,
)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _rows(session: Session, *columns: Any, where: Any, order: Sequence[Any]) -> list[Row[Any]]:
    return list(session.execute(select(*columns).where(where).order_by(*order)).all())


_AXES = ("distribution", "course", "association", "etiology")


def _patient(session: Session, patient_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The patient's own fields and the phenotype axes (one statement)."""
    p, ax = Patient, PhenotypeAxes
    row = session.execute(
        select(
            p.id,
            p.birth_date,
            p.sex,
            p.display_name,
            p.weight_kg,
            ax.distribution,
            ax.course,
            ax.variability,
            ax.association,
            ax.etiology,
        )
        .outerjoin(ax, ax.patient_id == p.id)
        .where(p.id == patient_id)
    ).one_or_none()
    if row is None:
        raise PatientNotFound(f"no patient with id {patient_id!r}")
    patient = {
        "id": row.id,
        "birth_date": _day(row.birth_date),
        "sex": row.sex,
        "display_name": row.display_name,
        "weight_kg": row.weight_kg,
    }
    axes = {name: getattr(row, name) for name in _AXES}
    axes["variability"] = list(row.variability or [])
    return patient, axes


def _diagnoses_and_facts(session: Session, patient_id: str) -> dict[str, Any]:
    d, f = Diagnosis, PatientFact
    diagnoses = _rows(
        session,
        d.id,
        d.form,
        d.regions,
        d.onset_date,
        d.onset_age_years,
        where=d.patient_id == patient_id,
        order=[d.id],
    )
    facts: dict[str, list[str]] = {"condition": [], "finding": [], "gene": []}
    for fact in _rows(session, f.kind, f.code, where=f.patient_id == patient_id, order=[f.id]):
        facts[fact.kind].append(fact.code)
    return {
        "diagnoses": [
            {
                "id": str(r.id),
                "form": r.form,
                "regions": list(r.regions),
                "onset_date": _day(r.onset_date),
                "onset_age_years": r.onset_age_years,
            }
            for r in diagnoses
        ],
        "genes": facts["gene"],
        "conditions": facts["condition"],
        "findings": facts["finding"],
    }


def _phenotype(axes: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    return {
        "diagnoses": rest["diagnoses"],
        **axes,
        "genes": rest["genes"],
        "conditions": rest["conditions"],
        "findings": rest["findings"],
    }


def phenotype(session: Session, patient_id: str) -> dict[str, Any]:
    """Diagnoses, the phenotype axes, genes, comorbidities and findings."""
    _, axes = _patient(session, patient_id)
    return _phenotype(axes, _diagnoses_and_facts(session, patient_id))


def _medications(session: Session, patient_id: str) -> list[dict[str, Any]]:
    m = MedicationUse
    rows = _rows(
        session,
        m.id,
        m.ingredient,
        m.start,
        m.end,
        m.active,
        m.route,
        where=m.patient_id == patient_id,
        order=[m.id],
    )
    return [
        {
            "id": str(r.id),
            "ingredient": r.ingredient,
            "start": _day(r.start),
            "end": _day(r.end),
            "active": r.active,
            "route": r.route,
        }
        for r in rows
    ]


def _trials(session: Session, patient_id: str) -> list[dict[str, Any]]:
    t = TreatmentTrialRow
    rows = _rows(
        session,
        t.id,
        t.treatment,
        t.start,
        t.end,
        t.active,
        t.outcome,
        t.daily_dose_mg,
        t.note,
        where=t.patient_id == patient_id,
        order=[t.id],
    )
    return [
        {
            "id": str(r.id),
            "treatment": r.treatment,
            "start": _day(r.start),
            "end": _day(r.end),
            "active": r.active,
            "outcome": r.outcome,
            "daily_dose_mg": r.daily_dose_mg,
            "note": r.note,
        }
        for r in rows
    ]


def _injections(session: Session, patient_id: str) -> list[dict[str, Any]]:
    v, m = InjectionVisit, InjectionMuscle
    visits = _rows(
        session,
        v.id,
        v.date,
        v.product,
        v.indication,
        v.lot,
        v.dilution,
        v.guidance,
        v.total_units,
        where=v.patient_id == patient_id,
        order=[v.date, v.id],
    )
    muscles: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(m.visit_id, m.muscle, m.side, m.units)
        .join(v, v.id == m.visit_id)
        .where(v.patient_id == patient_id)
        .order_by(m.id)
    )
    for visit_id, muscle, side, units in rows:
        muscles[visit_id].append({"muscle": muscle, "side": side, "units": units})
    return [
        {
            "id": str(r.id),
            "date": r.date.isoformat(),
            "product": r.product,
            "indication": r.indication,
            "lot": r.lot,
            "dilution": r.dilution,
            "guidance": r.guidance,
            "total_units": r.total_units,
            "muscles": muscles[r.id],
        }
        for r in visits
    ]


def _assessments(session: Session, patient_id: str) -> list[dict[str, Any]]:
    a, i = Assessment, AssessmentItem
    assessments = _rows(
        session,
        a.id,
        a.date,
        a.scale,
        a.total,
        a.scores,
        where=a.patient_id == patient_id,
        order=[a.date, a.id],
    )
    items: dict[int, dict[str, float]] = defaultdict(dict)
    rows = session.execute(
        select(i.assessment_id, i.key, i.score)
        .join(a, a.id == i.assessment_id)
        .where(a.patient_id == patient_id)
        .order_by(i.id)
    )
    for assessment_id, key, score in rows:
        items[assessment_id][key] = score
    return [
        {
            "id": str(r.id),
            "date": r.date.isoformat(),
            "scale": r.scale,
            "scores": {"total": r.total, **r.scores},
            "items": items[r.id],
        }
        for r in assessments
    ]


def _plans(session: Session, patient_id: str) -> list[dict[str, Any]]:
    t = TitrationPlan
    rows = _rows(
        session,
        t.id,
        t.drug,
        t.start,
        t.schedule,
        t.note,
        where=t.patient_id == patient_id,
        order=[t.id],
    )
    return [
        {
            "id": str(r.id),
            "drug": r.drug,
            "start": r.start.isoformat(),
            "schedule": r.schedule,
            "note": r.note,
        }
        for r in rows
    ]


def patient_history(session: Session, patient_id: str) -> dict[str, Any]:
    """The whole record of one patient as JSON-ready data; raises `PatientNotFound`."""
    patient, axes = _patient(session, patient_id)
    return {
        "patient": patient,
        "phenotype": _phenotype(axes, _diagnoses_and_facts(session, patient_id)),
        "medications": _medications(session, patient_id),
        "trials": _trials(session, patient_id),
        "injections": _injections(session, patient_id),
        "assessments": _assessments(session, patient_id),
        "titration_plans": _plans(session, patient_id),
    }
