"""SMART App Launch: launches in flight, linked EHR users and patients, EHR tokens of web sessions.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "smart_launches",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("iss", sa.String(length=2048), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("verifier", sa.Text(), nullable=False),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_smart_launches")),
    )
    op.create_index(op.f("ix_smart_launches_expires_at"), "smart_launches", ["expires_at"])
    op.create_table(
        "smart_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("iss", sa.String(length=2048), nullable=False),
        sa.Column("fhir_user", sa.String(length=2048), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_smart_users_user_id_web_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_users")),
        sa.UniqueConstraint("iss", "fhir_user", name=op.f("uq_smart_users_iss")),
    )
    op.create_index(op.f("ix_smart_users_user_id"), "smart_users", ["user_id"])
    op.create_table(
        "smart_patients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("iss", sa.String(length=2048), nullable=False),
        sa.Column("ehr_patient_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_smart_patients_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_patients")),
        sa.UniqueConstraint("iss", "ehr_patient_id", name=op.f("uq_smart_patients_iss")),
    )
    op.create_index(op.f("ix_smart_patients_patient_id"), "smart_patients", ["patient_id"])
    op.create_table(
        "smart_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("iss", sa.String(length=2048), nullable=False),
        sa.Column("ehr_patient_id", sa.String(length=64), nullable=True),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("token_endpoint", sa.String(length=2048), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_hash"],
            ["web_sessions.token_hash"],
            name=op.f("fk_smart_sessions_token_hash_web_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_smart_sessions_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_smart_sessions")),
    )
    op.create_index(op.f("ix_smart_sessions_patient_id"), "smart_sessions", ["patient_id"])


def downgrade() -> None:
    op.drop_table("smart_sessions")
    op.drop_table("smart_patients")
    op.drop_table("smart_users")
    op.drop_table("smart_launches")
