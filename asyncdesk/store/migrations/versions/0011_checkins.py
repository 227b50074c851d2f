"""Check-ins: a recurring question asked of a list of people, and what each run sent.

``checkins`` holds the question, its recipients, the sending account and when it is
asked (weekdays and a local time of the schedule's zone). ``checkin_runs`` has one row
per check-in per due instant: the unique ``(checkin_id, due_at)`` is the claim,
inserted and committed before anything is sent, so a crash or a second process never
asks twice. ``checkin_sends`` keeps, per recipient, what the run sent (the email's
Message-ID; the chat room and event id), which is how answers are matched. Older
profiles simply get the empty tables.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("days", sa.String(32), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(26), nullable=False),
    )
    op.create_table(
        "checkin_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "checkin_id",
            sa.Integer(),
            sa.ForeignKey("checkins.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("due_at", sa.String(26), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.Column("sent_at", sa.String(26), nullable=True),
        sa.UniqueConstraint("checkin_id", "due_at", name="uq_checkin_runs_once"),
    )
    op.create_table(
        "checkin_sends",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("checkin_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=True),
        sa.Column("conversation", sa.String(512), nullable=True),
        sa.Column("remote_id", sa.String(512), nullable=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.String(26), nullable=True),
        sa.UniqueConstraint("run_id", "recipient", name="uq_checkin_sends_recipient"),
    )
    op.create_index("ix_checkin_sends_message_id", "checkin_sends", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_checkin_sends_message_id", table_name="checkin_sends")
    op.drop_table("checkin_sends")
    op.drop_table("checkin_runs")
    op.drop_table("checkins")
