"""Alert acknowledgements and overrides from the web app; one helpful vote per user, option and
patient (older duplicate votes are removed, the latest kept, before the unique index is made).

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

VOTE = sa.text("kind = 'helpful'")
KEEP_LATEST_VOTE = """
DELETE FROM recommendation_feedback
WHERE kind = 'helpful' AND user_id IS NOT NULL AND id NOT IN (
    SELECT keep FROM (
        SELECT MAX(id) AS keep FROM recommendation_feedback
        WHERE kind = 'helpful' AND user_id IS NOT NULL
        GROUP BY patient_id, option_id, user_id
    ) AS latest
)
"""


def upgrade() -> None:
    op.create_table(
        "alert_acknowledgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("alert_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_code", sa.String(length=100), nullable=True),
        sa.Column("reason_display", sa.String(length=300), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_alert_acknowledgements_user_id_web_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acknowledgements")),
    )
    op.create_index(
        "ix_alert_acknowledgements_lookup",
        "alert_acknowledgements",
        ["patient_id", "alert_id", "digest"],
    )
    op.create_index(
        op.f("ix_alert_acknowledgements_alert_id"), "alert_acknowledgements", ["alert_id"]
    )
    op.create_index(
        op.f("ix_alert_acknowledgements_created_at"), "alert_acknowledgements", ["created_at"]
    )
    op.execute(KEEP_LATEST_VOTE)
    op.create_index(
        "uq_recommendation_feedback_vote",
        "recommendation_feedback",
        ["patient_id", "option_id", "user_id"],
        unique=True,
        sqlite_where=VOTE,
        postgresql_where=VOTE,
    )


def downgrade() -> None:
    op.drop_index("uq_recommendation_feedback_vote", table_name="recommendation_feedback")
    op.drop_table("alert_acknowledgements")
