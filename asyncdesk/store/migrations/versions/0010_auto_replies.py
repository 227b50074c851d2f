"""Published availability: the auto-replies sent (or claimed) while the inbox is closed.

``auto_replies`` holds one row per conversation per closed period: the unique
``(account_id, conversation, window_key)`` is the claim that makes sending at most once
(``window_key`` is the start of the next window, in UTC). The row is inserted and
committed before the message is handed to SMTP (state ``queued``), then becomes ``sent``
or ``failed``. Auto-replies are not message rows: they never answer a conversation and
never count in the stats. Older profiles simply get the empty table.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auto_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("conversation", sa.String(512), nullable=False),
        sa.Column("window_key", sa.String(26), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.Column("sent_at", sa.String(26), nullable=True),
        sa.UniqueConstraint(
            "account_id", "conversation", "window_key", name="uq_auto_replies_once"
        ),
    )
    op.create_index("ix_auto_replies_created", "auto_replies", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_auto_replies_created", table_name="auto_replies")
    op.drop_table("auto_replies")
