"""Merge the care (0002), CDS Hooks feedback (0003) and accounts (0004) branches into one head,
so that later migrations have a single parent.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
