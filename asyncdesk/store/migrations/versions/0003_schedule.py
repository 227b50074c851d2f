"""Schedules: versioned typed schedule, imported calendar blocks, events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("valid_from", sa.String(26), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
    )
    op.create_index("ix_schedule_versions_valid_from", "schedule_versions", ["valid_from"])
    op.create_table(
        "imported_blocks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("start_at", sa.String(26), nullable=False),
        sa.Column("end_at", sa.String(26), nullable=False),
        sa.Column("imported_at", sa.String(26), nullable=False),
        sa.Column("removed_at", sa.String(26), nullable=True),
    )
    op.create_index("ix_imported_blocks_span", "imported_blocks", ["removed_at", "start_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", sa.String(26), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("imported_blocks")
    op.drop_table("schedule_versions")
