"""Care-tracking tables: patients, their dystonia (diagnoses and phenotype axes), drugs,
treatment trials, botulinum-toxin injection visits with one row per muscle, rating-scale
assessments with one row per item, titration plans, API tokens (hashed) and the audit log.

The schema is owned by the migration `0002_care.py`; keep the two in step (`alembic check`).
Ids in string columns are the knowledge base's ids (see the ids in dystonia_cds.domain.patient); the store does not
interpret them, the API validates them against the care catalog and the knowledge base.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dystonia_cds.store.base import Base

ID = String(36)
CODE = String(64)


class Provenance(TypeDecorator[str]):
    """Where a row came from ("MedicationStatement/<id>", "web" ...), at most 200 characters:
    a longer one (a FHIR id past the 64 characters FHIR allows) is clipped, marked with "...",
    rather than failing the whole import where the database enforces the length."""

    impl = String(200)
    cache_ok = True
    LIMIT = 200

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is not None and len(value) > self.LIMIT:
            return value[: self.LIMIT - 3] + "..."
        return value


def new_patient_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


def _patient_fk() -> Mapped[str]:
    return mapped_column(ID, ForeignKey("patients.id", ondelete="CASCADE"), index=True)


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        CheckConstraint("sex IN ('female', 'male', 'other', 'unknown')", name="sex"),
        CheckConstraint("weight_kg IS NULL OR weight_kg > 0", name="weight_positive"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_patient_id)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    display_name: Mapped[str | None] = mapped_column(String(200), index=True)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now
    )

    phenotype: Mapped[PhenotypeAxes | None] = relationship(
        back_populates="patient", cascade="all, delete-orphan", uselist=False
    )
    diagnoses: Mapped[list[Diagnosis]] = relationship(
        cascade="all, delete-orphan", order_by="Diagnosis.id"
    )
    facts: Mapped[list[PatientFact]] = relationship(
        cascade="all, delete-orphan", order_by="PatientFact.id"
    )
    medications: Mapped[list[MedicationUse]] = relationship(
        cascade="all, delete-orphan", order_by="MedicationUse.id"
    )
    trials: Mapped[list[TreatmentTrialRow]] = relationship(
        cascade="all, delete-orphan", order_by="TreatmentTrialRow.id"
    )
    injection_visits: Mapped[list[InjectionVisit]] = relationship(
        cascade="all, delete-orphan", order_by="[InjectionVisit.date, InjectionVisit.id]"
    )
    assessments: Mapped[list[Assessment]] = relationship(
        cascade="all, delete-orphan", order_by="[Assessment.date, Assessment.id]"
    )
    titration_plans: Mapped[list[TitrationPlan]] = relationship(
        cascade="all, delete-orphan", order_by="TitrationPlan.id"
    )


class PhenotypeAxes(Base):
    """The 2013 consensus axes that are not per diagnosis (one row per patient)."""

    __tablename__ = "phenotypes"

    patient_id: Mapped[str] = mapped_column(
        ID, ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    distribution: Mapped[str | None] = mapped_column(CODE)
    course: Mapped[str | None] = mapped_column(CODE)
    variability: Mapped[list[str]] = mapped_column(JSON, default=list)
    association: Mapped[str | None] = mapped_column(CODE)
    etiology: Mapped[str | None] = mapped_column(CODE)

    patient: Mapped[Patient] = relationship(back_populates="phenotype")


class Diagnosis(Base):
    """One dystonia diagnosis (a `DystoniaForm`) with its body regions and onset."""

    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = _patient_fk()
    form: Mapped[str] = mapped_column(CODE)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    onset_date: Mapped[date | None] = mapped_column(Date)
    onset_age_years: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Provenance(), default="")


class PatientFact(Base):
    """A coded fact by kind: `condition` (comorbidity id), `finding` (work-up id), `gene`."""

    __tablename__ = "patient_facts"
    __table_args__ = (
        UniqueConstraint("patient_id", "kind", "code"),
        CheckConstraint("kind IN ('condition', 'finding', 'gene')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = _patient_fk()
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(CODE)


class MedicationUse(Base):
    """A drug the patient takes or recently took (ingredient id)."""

    __tablename__ = "medications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = _patient_fk()
    ingredient: Mapped[str] = mapped_column(CODE)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    route: Mapped[str | None] = mapped_column(CODE)
    source: Mapped[str] = mapped_column(Provenance(), default="")


class TreatmentTrialRow(Base):
    """One course of a treatment (ingredient or procedure id) and how it went."""

    __tablename__ = "treatment_trials"
    __table_args__ = (
        CheckConstraint("daily_dose_mg IS NULL OR daily_dose_mg >= 0", name="dose_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = _patient_fk()
    treatment: Mapped[str] = mapped_column(CODE)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(32))
    daily_dose_mg: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(Provenance(), default="")


class InjectionVisit(Base):
    """One botulinum-toxin session; units per muscle in `InjectionMuscle` rows."""

    __tablename__ = "injection_visits"
    __table_args__ = (Index("ix_injection_visits_patient_date", "patient_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ID, ForeignKey("patients.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    product: Mapped[str | None] = mapped_column(CODE)
    indication: Mapped[str | None] = mapped_column(CODE)
    lot: Mapped[str | None] = mapped_column(String(64))
    dilution: Mapped[str | None] = mapped_column(String(64))
    guidance: Mapped[str | None] = mapped_column(String(32))
    # why a total over the labelled maximum was given (required then; migration 0009)
    over_max_reason: Mapped[str | None] = mapped_column(String(1000))
    total_units: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Provenance(), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    muscles: Mapped[list[InjectionMuscle]] = relationship(
        cascade="all, delete-orphan", order_by="InjectionMuscle.position"
    )


class InjectionMuscle(Base):
    __tablename__ = "injection_muscles"
    __table_args__ = (CheckConstraint("units > 0", name="units_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        ForeignKey("injection_visits.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    muscle: Mapped[str] = mapped_column(CODE)
    side: Mapped[str] = mapped_column(String(16))
    units: Mapped[float] = mapped_column(Float)


class Assessment(Base):
    """A rating-scale assessment; item scores in `AssessmentItem` rows, computed scores here."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_patient_date", "patient_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ID, ForeignKey("patients.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    scale: Mapped[str] = mapped_column(String(16))
    total: Mapped[float] = mapped_column(Float)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    items: Mapped[list[AssessmentItem]] = relationship(
        cascade="all, delete-orphan", order_by="AssessmentItem.id"
    )


class AssessmentItem(Base):
    __tablename__ = "assessment_items"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(CODE)
    score: Mapped[float] = mapped_column(Float)


class TitrationPlan(Base):
    """A dated dose schedule generated by the care logic, kept as the clinician saw it."""

    __tablename__ = "titration_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[str] = _patient_fk()
    drug: Mapped[str] = mapped_column(CODE)
    start: Mapped[date] = mapped_column(Date)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ApiToken(Base):
    """An API token for the care REST API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Who read or wrote which patient, when, from where, and how it ended."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[str | None] = mapped_column(ID)  # no FK: unknown ids are audited too
    client: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[int | None] = mapped_column(Integer)
