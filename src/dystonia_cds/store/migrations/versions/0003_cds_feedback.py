"""CDS Hooks card feedback: topic keys, issued-card counts and the feedback received.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_topic",
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cds_topic")),
    )
    op.create_table(
        "cds_issued",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_issued")),
    )
    op.create_index(op.f("ix_cds_issued_topic"), "cds_issued", ["topic"], unique=False)
    op.create_table(
        "cds_feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=100), nullable=False),
        sa.Column("card_uuid", sa.String(length=64), nullable=False),
        sa.Column("topic_key", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("accepted_suggestions", sa.Text(), nullable=False),
        sa.Column("override_system", sa.String(length=200), nullable=True),
        sa.Column("override_code", sa.String(length=100), nullable=True),
        sa.Column("override_display", sa.String(length=300), nullable=True),
        sa.Column("user_comment", sa.Text(), nullable=True),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_feedback")),
    )
    op.create_index(op.f("ix_cds_feedback_card_uuid"), "cds_feedback", ["card_uuid"], unique=False)
    op.create_index(op.f("ix_cds_feedback_topic"), "cds_feedback", ["topic"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_cds_feedback_topic"), table_name="cds_feedback")
    op.drop_index(op.f("ix_cds_feedback_card_uuid"), table_name="cds_feedback")
    op.drop_table("cds_feedback")
    op.drop_index(op.f("ix_cds_issued_topic"), table_name="cds_issued")
    op.drop_table("cds_issued")
    op.drop_table("cds_topic")
