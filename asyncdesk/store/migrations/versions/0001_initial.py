"""Initial schema: accounts, messages, sync cursors, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("identities", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(26), nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("remote_id", sa.String(512), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("medium", sa.String(8), nullable=False),
        sa.Column("conversation", sa.String(512), nullable=False),
        sa.Column("thread", sa.String(512), nullable=True),
        sa.Column("message_id", sa.String(998), nullable=True),
        sa.Column("in_reply_to", sa.String(998), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("sender_address", sa.String(320), nullable=False),
        sa.Column("sender_name", sa.String(256), nullable=False),
        sa.Column("to_addresses", sa.JSON(), nullable=False),
        sa.Column("cc_addresses", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("snippet", sa.String(160), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("is_direct", sa.Boolean(), nullable=False),
        sa.Column("mentions_me", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.String(26), nullable=False),
        sa.Column("needs_reply", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.String(26), nullable=True),
        sa.Column("state", sa.String(10), nullable=True),
        sa.Column("replied_at", sa.String(26), nullable=True),
        sa.UniqueConstraint("account_id", "remote_id", name="uq_messages_identity"),
    )
    op.create_index("ix_messages_inbox", "messages", ["direction", "received_at", "id"])
    op.create_index(
        "ix_messages_conversation", "messages", ["account_id", "conversation", "received_at"]
    )
    op.create_index("ix_messages_message_id", "messages", ["message_id"])
    op.create_index("ix_messages_due", "messages", ["state", "due_at"])
    op.create_index(
        "ix_messages_open",
        "messages",
        ["account_id", "conversation"],
        sqlite_where=sa.text("state IN ('open', 'snoozed')"),
    )
    op.create_index(
        "ix_messages_replies",
        "messages",
        ["account_id", "conversation", "received_at"],
        sqlite_where=sa.text("direction = 'outbound'"),
    )
    op.create_table(
        "sync_state",
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("stream", sa.String(256), primary_key=True),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(26), nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("sync_state")
    op.drop_table("messages")
    op.drop_table("accounts")
