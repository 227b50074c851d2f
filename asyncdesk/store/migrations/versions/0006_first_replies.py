"""Each inbound message keeps the instant of its first reply, for the weekly stats.

The stats used to find every message's first reply with a correlated subquery per
message at export time (1.3 s for a year at 100,000 messages). The reply detection
that runs at sync time now records it once, in ``messages.first_reply_at``, for every
inbound message (``replied_at`` is kept only for messages that need a reply, and is
the user's promise, not the stats fact). Two indexes, both on inbound rows only:
``ix_messages_first_reply`` finds the messages a newly stored reply may answer, and
``ix_messages_stats`` covers a week's stats, so they are read without the wide rows.

Existing profiles are filled in here, by the same rule.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch copy would drop the search triggers of 0002.
    op.add_column("messages", sa.Column("first_reply_at", sa.String(26), nullable=True))
    op.execute(
        "UPDATE messages AS m SET first_reply_at = ("
        "  SELECT min(o.received_at) FROM messages AS o"
        "  WHERE o.account_id = m.account_id AND o.conversation = m.conversation"
        "    AND o.direction = 'outbound' AND o.received_at > m.received_at"
        "    AND ((o.thread IS NULL AND m.thread IS NULL)"
        "         OR (o.thread IS NOT NULL AND (o.thread = m.thread OR o.thread = m.remote_id)))"
        ") WHERE m.direction = 'inbound'"
    )
    op.create_index(
        "ix_messages_first_reply",
        "messages",
        ["account_id", "conversation", "first_reply_at"],
        sqlite_where=sa.text("direction = 'inbound'"),
    )
    op.create_index(
        "ix_messages_stats",
        "messages",
        ["received_at", "account_id", "needs_reply", "due_at", "state", "first_reply_at"],
        sqlite_where=sa.text("direction = 'inbound'"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_stats", "messages")
    op.drop_index("ix_messages_first_reply", "messages")
    op.execute("ALTER TABLE messages DROP COLUMN first_reply_at")
