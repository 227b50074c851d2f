"""Reply-by promises: why a message needs a reply, the user's overrides, SLA rules.

- ``messages`` gains ``reply_reason`` (the classifier's reason, shown on hover),
  ``reply_override`` (the user's per-message "needs a reply" / "no reply needed", which
  wins over every rule) and ``snoozed_until``.
- ``reply_rules``: the user's per-sender and per-domain always/never overrides.
- ``sla_rules``: reply-by promises by sender, domain or account (the default stays a
  setting); working hours are a setting too.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN: a batch copy would drop the search triggers of 0002.
    op.add_column("messages", sa.Column("reply_reason", sa.Text(), nullable=True))
    op.add_column("messages", sa.Column("reply_override", sa.Boolean(), nullable=True))
    op.add_column("messages", sa.Column("snoozed_until", sa.String(26), nullable=True))
    op.create_table(
        "reply_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("needs_reply", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_reply_rules_target"),
    )
    op.create_table(
        "sla_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_sla_rules_target"),
    )


def downgrade() -> None:
    op.drop_table("sla_rules")
    op.drop_table("reply_rules")
    for name in ("snoozed_until", "reply_override", "reply_reason"):
        op.execute(f"ALTER TABLE messages DROP COLUMN {name}")
