"""Merge the sign-in throttling (0006), alert acknowledgement (0007), SMART launch (0008) and
injection over-maximum reason (0009) branches into one head, so that later migrations have a
single parent.

Revision ID: 0010
Revises: 0006, 0007, 0008, 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

revision = "0010"
down_revision = ("0006", "0007", "0008", "0009")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
