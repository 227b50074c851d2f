"""Archived messages: done with, out of the inbox (search still finds them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch copy would drop the search triggers of 0002.
    op.add_column("messages", sa.Column("archived_at", sa.String(26), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE messages DROP COLUMN archived_at")
