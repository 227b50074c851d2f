"""Chat rooms the user is invited to, for the window to offer joining or declining.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_invitations",
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("room_id", sa.String(512), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("inviter", sa.String(320), nullable=False),
        sa.Column("invited_at", sa.String(26), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chat_invitations")
