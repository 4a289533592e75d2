"""`CareRepository`: stores and reads the care record of patients through one session.

The caller owns the transaction (`with sessions.begin() as session:`): one unit of work per
request, so that a failure writes nothing. Reads of a whole history use `selectinload`, one
query per table, never one per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from dystonia_cds.domain.errors import InvalidInput, PatientNotFound
from dystonia_cds.domain.patient import Medication, PatientRecord, TreatmentTrial
from dystonia_cds.store import care_rows
from dystonia_cds.store.care_models import (
    Assessment,
    AssessmentItem,
    Diagnosis,
    InjectionVisit,
    MedicationUse,
    Patient,
    TitrationPlan,
    TreatmentTrialRow,
)
from dystonia_cds.store.care_rows import phenotype_data
from dystonia_cds.store.care_values import (
    AssessmentData,
    DiagnosisData,
    InjectionVisitData,
    PhenotypeData,
)

PATIENT_FIELDS = frozenset({"birth_date", "sex", "display_name", "weight_kg"})
TRIAL_FIELDS = frozenset(
    {"treatment", "start", "end", "active", "outcome", "daily_dose_mg", "note"}
)
__all__ = ["CareRepository", "phenotype_data"]  # phenotype_data lives in store.care_rows
HISTORY = (
    selectinload(Patient.phenotype),
    selectinload(Patient.diagnoses),
    selectinload(Patient.facts),
    selectinload(Patient.medications),
    selectinload(Patient.trials),
    selectinload(Patient.injection_visits).selectinload(InjectionVisit.muscles),
    selectinload(Patient.assessments).selectinload(Assessment.items),
    selectinload(Patient.titration_plans),
)
# What `PatientRecord` needs: no per-muscle or per-item rows, no titration plans.
RECORD = (
    selectinload(Patient.phenotype),
    selectinload(Patient.diagnoses),
    selectinload(Patient.facts),
    selectinload(Patient.medications),
    selectinload(Patient.trials),
    selectinload(Patient.injection_visits),
    selectinload(Patient.assessments),
)


class CareRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # patients -----------------------------------------------------------------------------
    def add_patient(
        self,
        *,
        birth_date: date | None,
        sex: str,
        display_name: str | None = None,
        weight_kg: float | None = None,
    ) -> str:
        patient = Patient(
            birth_date=birth_date, sex=sex, display_name=display_name, weight_kg=weight_kg
        )
        self.session.add(patient)
        self.session.flush()
        return patient.id

    def get_patient(self, patient_id: str) -> Patient:
        patient = self.session.get(Patient, patient_id)
        if patient is None:
            raise PatientNotFound(f"no patient with id {patient_id!r}")
        return patient

    def lock_patient(self, patient_id: str) -> Patient:
        """The patient row, read afresh and locked until the transaction ends (`SELECT ... FOR
        UPDATE` on PostgreSQL; on SQLite a write transaction holds the database's write lock
        from its start): concurrent writers of one patient's record run one after the other."""
        query = (
            select(Patient)
            .where(Patient.id == patient_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        patient = self.session.scalars(query).one_or_none()
        if patient is None:
            raise PatientNotFound(f"no patient with id {patient_id!r}")
        return patient

    def update_patient(self, patient_id: str, changes: Mapping[str, Any]) -> Patient:
        patient = self.lock_patient(patient_id)
        for name, value in changes.items():
            if name not in PATIENT_FIELDS:
                raise InvalidInput("is not a field that can be changed", location=name)
            setattr(patient, name, value)
        self.session.flush()
        return patient

    def list_patients(
        self, search: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[Patient], int]:
        """Patients whose name contains `search` (any case) or whose id starts with it."""
        query = select(Patient)
        if search:
            needle = search.lower().replace("%", r"\%").replace("_", r"\_")
            query = query.where(
                or_(
                    func.lower(Patient.display_name).like(f"%{needle}%", escape="\\"),
                    Patient.id.like(f"{needle}%", escape="\\"),
                )
            )
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = self.session.scalars(
            query.order_by(Patient.display_name, Patient.id).limit(limit).offset(offset)
        )
        return list(rows), total

    def history(self, patient_id: str, *, details: bool = True, fresh: bool = False) -> Patient:
        """The patient with every part of the record loaded (one query per table);
        `details=False` leaves out what the engine does not read (muscles, items, plans);
        `fresh=True` reloads what the session already holds (after a lock)."""
        options = HISTORY if details else RECORD
        query = select(Patient).where(Patient.id == patient_id).options(*options)
        if fresh:
            query = query.execution_options(populate_existing=True)
        patient = self.session.scalars(query).one_or_none()
        if patient is None:
            raise PatientNotFound(f"no patient with id {patient_id!r}")
        return patient

    # phenotype ----------------------------------------------------------------------------
    def replace_phenotype(self, patient_id: str, data: PhenotypeData) -> None:
        """Replace the whole dystonia picture atomically: the patient row is locked first, so
        the rows deleted are the ones committed last and two replaces never merge."""
        self.lock_patient(patient_id)
        patient = self.history(patient_id, fresh=True)
        # the old rows go first: the unit of work inserts before it deletes, and an unchanged
        # fact (the same gene again) would collide with its own old row on the unique key
        patient.facts.clear()
        self.session.flush()
        patient.phenotype = care_rows.phenotype_axes(data)
        patient.diagnoses = [care_rows.diagnosis(d) for d in data.diagnoses]
        patient.facts = care_rows.facts(data)
        self.session.flush()

    def add_diagnosis(self, patient_id: str, data: DiagnosisData) -> int:
        self.get_patient(patient_id)
        row = care_rows.diagnosis(data)
        row.patient_id = patient_id
        self.session.add(row)
        self.session.flush()
        return row.id

    def delete_diagnosis(self, patient_id: str, diagnosis_id: int) -> None:
        self.lock_patient(patient_id)  # not interleaved with a replace that deletes it too
        row = self.session.get(Diagnosis, diagnosis_id)
        if row is None or row.patient_id != patient_id:
            raise InvalidInput(f"no diagnosis {diagnosis_id} for this patient", location="id")
        self.session.delete(row)
        self.session.flush()

    # drugs and trials ---------------------------------------------------------------------
    def add_medication(self, patient_id: str, medication: Medication) -> int:
        self.get_patient(patient_id)
        row = MedicationUse(
            patient_id=patient_id,
            ingredient=medication.ingredient,
            start=medication.start,
            end=medication.end,
            active=medication.active,
            route=medication.route,
            source=medication.source,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def add_trial(self, patient_id: str, trial: TreatmentTrial, *, note: str | None = None) -> int:
        self.get_patient(patient_id)
        row = care_rows.trial(trial, note)
        row.patient_id = patient_id
        self.session.add(row)
        self.session.flush()
        return row.id

    def update_trial(
        self, patient_id: str, trial_id: int, changes: Mapping[str, Any]
    ) -> TreatmentTrialRow:
        self.lock_patient(patient_id)  # two PATCHes of start and end cannot cross (end < start)
        row = self.session.get(TreatmentTrialRow, trial_id, populate_existing=True)
        if row is None or row.patient_id != patient_id:
            raise InvalidInput(f"no trial {trial_id} for this patient", location="trial_id")
        for name, value in changes.items():
            if name not in TRIAL_FIELDS:
                raise InvalidInput("is not a field that can be changed", location=name)
            setattr(row, name, value)
        if row.start and row.end and row.end < row.start:
            raise InvalidInput(f"{row.end} is before the trial's start {row.start}", location="end")
        self.session.flush()
        return row

    # injections, assessments, titration ---------------------------------------------------
    def add_injection_visit(self, patient_id: str, data: InjectionVisitData) -> int:
        self.get_patient(patient_id)
        visit = care_rows.visit(data)
        visit.patient_id = patient_id
        self.session.add(visit)
        self.session.flush()
        return visit.id

    def injection_visits(self, patient_id: str, *, muscles: bool = True) -> list[InjectionVisit]:
        """Every visit of the patient, oldest first, with its muscles unless `muscles=False`
        (then do not touch `.muscles`: it would load them one visit at a time)."""
        self.get_patient(patient_id)
        query = select(InjectionVisit).where(InjectionVisit.patient_id == patient_id)
        if muscles:
            query = query.options(selectinload(InjectionVisit.muscles))
        return list(self.session.scalars(query.order_by(InjectionVisit.date, InjectionVisit.id)))

    def add_assessment(self, patient_id: str, data: AssessmentData) -> int:
        self.get_patient(patient_id)
        row = Assessment(
            patient_id=patient_id,
            date=data.date,
            scale=data.scale,
            total=data.total,
            scores=dict(data.scores),
            items=[AssessmentItem(key=k, score=v) for k, v in data.items.items()],
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def assessments(
        self, patient_id: str, scale: str | None = None, *, items: bool = True
    ) -> list[Assessment]:
        """Assessments of the patient (optionally of one scale), oldest first, with their
        items unless `items=False` (then do not touch `.items`)."""
        self.get_patient(patient_id)
        query = select(Assessment).where(Assessment.patient_id == patient_id)
        if scale is not None:
            query = query.where(Assessment.scale == scale)
        if items:
            query = query.options(selectinload(Assessment.items))
        return list(self.session.scalars(query.order_by(Assessment.date, Assessment.id)))

    def add_titration_plan(
        self,
        patient_id: str,
        *,
        drug: str,
        start: date,
        schedule: dict[str, Any],
        note: str | None = None,
    ) -> int:
        self.get_patient(patient_id)
        row = TitrationPlan(
            patient_id=patient_id, drug=drug, start=start, schedule=schedule, note=note
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    # whole records ------------------------------------------------------------------------
    def import_record(self, record: PatientRecord, *, display_name: str | None = None) -> str:
        """Store a record read from outside (a FHIR Bundle) as a new patient; returns its id."""
        patient = Patient(
            birth_date=record.birth_date,
            sex=record.sex.value,
            display_name=display_name,
            weight_kg=record.weight_kg,
        )
        phenotype = phenotype_data(record)
        patient.phenotype = care_rows.phenotype_axes(phenotype)
        patient.diagnoses = [care_rows.diagnosis(d) for d in phenotype.diagnoses]
        patient.facts = care_rows.facts(phenotype)
        patient.medications = [care_rows.medication(m) for m in record.medications]
        patient.trials = [care_rows.trial(t, None) for t in record.trials]
        patient.injection_visits = [
            care_rows.visit(care_rows.injection_data(i)) for i in record.injections
        ]
        self.session.add(patient)
        self.session.flush()
        return patient.id
