"""The patient diary: weekly check-ins between visits (issue "Patient companion").

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diary_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("benefit_percent", sa.Integer(), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity >= 0 AND severity <= 10", name=op.f("ck_diary_entries_severity_range")
        ),
        sa.CheckConstraint(
            "benefit_percent IS NULL OR (benefit_percent >= 0 AND benefit_percent <= 100)",
            name=op.f("ck_diary_entries_benefit_range"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_diary_entries_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_entries")),
    )
    op.create_index("ix_diary_entries_patient_date", "diary_entries", ["patient_id", "date"])


def downgrade() -> None:
    op.drop_index("ix_diary_entries_patient_date", table_name="diary_entries")
    op.drop_table("diary_entries")
