"""Full-text search: an FTS5 index over subject, sender and body, kept by triggers.

The index is a standalone FTS5 table whose rowid is the message id; triggers keep it
in step with ``messages`` so that no writer can forget it. Existing messages are
indexed during the upgrade.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SENDER = "trim(new.sender_name || ' ' || new.sender_address)"
_BODY = "coalesce(new.body_text, new.snippet)"


def upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE message_search USING fts5("
        "subject, sender, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN "
        "INSERT INTO message_search(rowid, subject, sender, body) "
        f"VALUES (new.id, new.subject, {_SENDER}, {_BODY}); END"
    )
    op.execute(
        "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
        "DELETE FROM message_search WHERE rowid = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER messages_search_update "
        "AFTER UPDATE OF subject, sender_name, sender_address, body_text, snippet ON messages "
        "BEGIN DELETE FROM message_search WHERE rowid = old.id; "
        "INSERT INTO message_search(rowid, subject, sender, body) "
        f"VALUES (new.id, new.subject, {_SENDER}, {_BODY}); END"
    )
    op.execute(
        "INSERT INTO message_search(rowid, subject, sender, body) "
        "SELECT id, subject, trim(sender_name || ' ' || sender_address), "
        "coalesce(body_text, snippet) FROM messages"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER messages_search_update")
    op.execute("DROP TRIGGER messages_search_delete")
    op.execute("DROP TRIGGER messages_search_insert")
    op.execute("DROP TABLE message_search")
