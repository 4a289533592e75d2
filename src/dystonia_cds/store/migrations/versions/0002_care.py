"""Care tracking: patients, diagnoses and phenotype axes, coded facts, drugs, treatment
trials, injection visits with per-muscle rows, assessments with item scores, titration plans,
API tokens (hashed) and the audit log. Matches `store/care_models.py`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_patient_at", "audit_log", ["patient_id", "at"], unique=False)

    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sex IN ('female', 'male', 'other', 'unknown')", name=op.f("ck_patients_sex")
        ),
        sa.CheckConstraint(
            "weight_kg IS NULL OR weight_kg > 0", name=op.f("ck_patients_weight_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_index(op.f("ix_patients_display_name"), "patients", ["display_name"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("scale", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assessments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(
        "ix_assessments_patient_date", "assessments", ["patient_id", "date"], unique=False
    )

    op.create_table(
        "diagnoses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("form", sa.String(length=64), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("onset_age_years", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_diagnoses_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnoses")),
    )
    op.create_index(op.f("ix_diagnoses_patient_id"), "diagnoses", ["patient_id"], unique=False)

    op.create_table(
        "injection_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=True),
        sa.Column("indication", sa.String(length=64), nullable=True),
        sa.Column("lot", sa.String(length=64), nullable=True),
        sa.Column("dilution", sa.String(length=64), nullable=True),
        sa.Column("guidance", sa.String(length=32), nullable=True),
        sa.Column("total_units", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_injection_visits_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_visits")),
    )
    op.create_index(
        "ix_injection_visits_patient_date", "injection_visits", ["patient_id", "date"], unique=False
    )

    op.create_table(
        "medications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("ingredient", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_medications_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medications")),
    )
    op.create_index(op.f("ix_medications_patient_id"), "medications", ["patient_id"], unique=False)

    op.create_table(
        "patient_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('condition', 'finding', 'gene')", name=op.f("ck_patient_facts_kind")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_facts_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_facts")),
        sa.UniqueConstraint("patient_id", "kind", "code", name=op.f("uq_patient_facts_patient_id")),
    )
    op.create_index(
        op.f("ix_patient_facts_patient_id"), "patient_facts", ["patient_id"], unique=False
    )

    op.create_table(
        "phenotypes",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("distribution", sa.String(length=64), nullable=True),
        sa.Column("course", sa.String(length=64), nullable=True),
        sa.Column("variability", sa.JSON(), nullable=False),
        sa.Column("association", sa.String(length=64), nullable=True),
        sa.Column("etiology", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_phenotypes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_phenotypes")),
    )
    op.create_table(
        "titration_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("drug", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_titration_plans_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_titration_plans")),
    )
    op.create_index(
        op.f("ix_titration_plans_patient_id"), "titration_plans", ["patient_id"], unique=False
    )

    op.create_table(
        "treatment_trials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("treatment", sa.String(length=64), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("daily_dose_mg", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "daily_dose_mg IS NULL OR daily_dose_mg >= 0",
            name=op.f("ck_treatment_trials_dose_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_treatment_trials_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_trials")),
    )
    op.create_index(
        op.f("ix_treatment_trials_patient_id"), "treatment_trials", ["patient_id"], unique=False
    )

    op.create_table(
        "assessment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_items_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_items")),
        sa.UniqueConstraint("assessment_id", "key", name=op.f("uq_assessment_items_assessment_id")),
    )
    op.create_index(
        op.f("ix_assessment_items_assessment_id"),
        "assessment_items",
        ["assessment_id"],
        unique=False,
    )

    op.create_table(
        "injection_muscles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("muscle", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.CheckConstraint("units > 0", name=op.f("ck_injection_muscles_units_positive")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["injection_visits.id"],
            name=op.f("fk_injection_muscles_visit_id_injection_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_muscles")),
    )
    op.create_index(
        op.f("ix_injection_muscles_visit_id"), "injection_muscles", ["visit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_injection_muscles_visit_id"), table_name="injection_muscles")

    op.drop_table("injection_muscles")
    op.drop_index(op.f("ix_assessment_items_assessment_id"), table_name="assessment_items")

    op.drop_table("assessment_items")
    op.drop_index(op.f("ix_treatment_trials_patient_id"), table_name="treatment_trials")

    op.drop_table("treatment_trials")
    op.drop_index(op.f("ix_titration_plans_patient_id"), table_name="titration_plans")

    op.drop_table("titration_plans")
    op.drop_table("phenotypes")
    op.drop_index(op.f("ix_patient_facts_patient_id"), table_name="patient_facts")

    op.drop_table("patient_facts")
    op.drop_index(op.f("ix_medications_patient_id"), table_name="medications")

    op.drop_table("medications")
    op.drop_index("ix_injection_visits_patient_date", table_name="injection_visits")

    op.drop_table("injection_visits")
    op.drop_index(op.f("ix_diagnoses_patient_id"), table_name="diagnoses")

    op.drop_table("diagnoses")
    op.drop_index("ix_assessments_patient_date", table_name="assessments")

    op.drop_table("assessments")
    op.drop_index(op.f("ix_patients_display_name"), table_name="patients")

    op.drop_table("patients")
    op.drop_index("ix_audit_log_patient_at", table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_table("api_tokens")
