"""Saved answers (the knowledge base) and their full-text index.

``answers`` holds each answer with its tags and recording links as JSON lists (see
``schema.AnswerRow`` for why), and where it came from. ``answer_search`` is a
standalone FTS5 table over title, body and tags whose rowid is the answer id, kept in
step by triggers as ``message_search`` is (0002), so no writer can forget it. Nothing
existing changes: older profiles simply get the empty table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The tags as words for the index: "a b c".
_TAGS = "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags))"


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column(
            "source_message_id",
            sa.Integer(),
            sa.ForeignKey("messages.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("source_account", sa.String(64), nullable=True),
        sa.Column("source_remote_id", sa.String(512), nullable=True),
        sa.Column("source_sender", sa.String(320), nullable=True),
        sa.Column("source_subject", sa.Text(), nullable=True),
        sa.Column("source_received_at", sa.String(26), nullable=True),
        sa.Column("source_text", sa.String(8), nullable=True),
        sa.Column("created_at", sa.String(26), nullable=False),
        sa.Column("updated_at", sa.String(26), nullable=False),
    )
    op.create_index("ix_answers_created", "answers", ["created_at", "id"])
    op.create_index("ix_answers_source", "answers", ["source_message_id"])
    op.execute(
        "CREATE VIRTUAL TABLE answer_search USING fts5("
        "title, body, tags, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER answers_search_insert AFTER INSERT ON answers BEGIN "
        "INSERT INTO answer_search(rowid, title, body, tags) "
        f"VALUES (new.id, new.title, new.body, {_TAGS}); END"
    )
    op.execute(
        "CREATE TRIGGER answers_search_delete AFTER DELETE ON answers BEGIN "
        "DELETE FROM answer_search WHERE rowid = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER answers_search_update AFTER UPDATE OF title, body, tags ON answers "
        "BEGIN DELETE FROM answer_search WHERE rowid = old.id; "
        "INSERT INTO answer_search(rowid, title, body, tags) "
        f"VALUES (new.id, new.title, new.body, {_TAGS}); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER answers_search_update")
    op.execute("DROP TRIGGER answers_search_delete")
    op.execute("DROP TRIGGER answers_search_insert")
    op.execute("DROP TABLE answer_search")
    op.drop_index("ix_answers_source", table_name="answers")
    op.drop_index("ix_answers_created", table_name="answers")
    op.drop_table("answers")
