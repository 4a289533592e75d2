"""Merge the patient accounts (0011) and diary (0012) branches of the patient companion into one
head.

Revision ID: 0013
Revises: 0011, 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

revision = "0013"
down_revision = ("0011", "0012")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
