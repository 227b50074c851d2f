"""Mail state: server flags, expunges, bodies, where each message sits, and an outbox.

- ``messages`` gains ``seen``/``flagged`` (the server's flags), ``removed_at`` (expunged
  on the server: hidden from the inbox, still counted in the stats of its week),
  ``size`` and the fetched body (``body_html``, ``body_fetched_at``).
- ``message_locations`` maps a stream position (an IMAP UID in a folder) to its message,
  so flag changes and expunges, which servers report by UID, find their row.
- ``outbox`` holds replies from composing until they are filed in Sent, so a send cut
  short by a crash is neither lost nor sent twice.

Email cursors saved before this revision knew no positions: they are dropped, so the
next sync walks each folder once more and records them (identity absorbs the replay).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch copy would drop the search triggers of 0002.
    op.add_column("messages", sa.Column("seen", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column(
        "messages", sa.Column("flagged", sa.Boolean(), nullable=False, server_default="0")
    )
    op.add_column("messages", sa.Column("removed_at", sa.String(26), nullable=True))
    op.add_column("messages", sa.Column("size", sa.Integer(), nullable=True))
    op.add_column("messages", sa.Column("body_html", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("body_fetched_at", sa.String(26), nullable=True))
    op.create_table(
        "message_locations",
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("stream", sa.String(256), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column(
            "message_pk",
            sa.Integer(),
            sa.ForeignKey("messages.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index("ix_message_locations_message", "message_locations", ["message_pk"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "reply_to_pk",
            sa.Integer(),
            sa.ForeignKey("messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("message_id", sa.String(998), nullable=False, unique=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("envelope_from", sa.String(320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.Column("updated_at", sa.String(26), nullable=False),
    )
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.execute(
        "DELETE FROM sync_state WHERE account_id IN (SELECT id FROM accounts WHERE kind = 'email')"
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("message_locations")
    for name in ("body_fetched_at", "body_html", "size", "removed_at", "flagged", "seen"):
        op.execute(f"ALTER TABLE messages DROP COLUMN {name}")
