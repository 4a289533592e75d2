"""An injection visit over the labelled maximum keeps the clinician's written reason.

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("injection_visits") as batch:
        batch.add_column(sa.Column("over_max_reason", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("injection_visits") as batch:
        batch.drop_column("over_max_reason")
