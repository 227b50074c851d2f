"""Messages: writing synced batches, paging the inbox, full-text search.

A batch and the cursor that follows it are written in one transaction (the caller's
``writing()`` block), and rows are inserted with ``OR IGNORE`` on the message identity,
so replaying a batch after a crash neither loses nor duplicates anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, column, func, select, table, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.messages import Direction, Message, ReplyState, Triage
from asyncdesk.store.schema import AccountRow, MessageRow, SyncStateRow


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as the inbox shows it; ``received_at``/``due_at`` are UTC instants."""

    id: int
    account: str
    kind: AccountKind
    medium: str
    direction: Direction
    conversation: str
    thread: str | None
    sender_address: str
    sender_name: str
    subject: str
    snippet: str
    received_at: datetime
    message_id: str | None
    needs_reply: bool
    due_at: datetime | None
    state: ReplyState | None

    @property
    def sender(self) -> str:
        return self.sender_name or self.sender_address


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where an inbox page ended; the next page starts strictly after it (newest first)."""

    received_at: datetime
    id: int


_MESSAGES = cast(Table, MessageRow.__table__)

_COLUMNS = (
    MessageRow.id,
    AccountRow.name,
    AccountRow.kind,
    MessageRow.medium,
    MessageRow.direction,
    MessageRow.conversation,
    MessageRow.thread,
    MessageRow.sender_address,
    MessageRow.sender_name,
    MessageRow.subject,
    MessageRow.snippet,
    MessageRow.received_at,
    MessageRow.message_id,
    MessageRow.needs_reply,
    MessageRow.due_at,
    MessageRow.state,
)


def _stored(row: tuple[Any, ...]) -> StoredMessage:
    (
        id_,
        account,
        kind,
        medium,
        direction,
        conversation,
        thread,
        address,
        name,
        subject,
        snippet,
        received_at,
        message_id,
        needs_reply,
        due_at,
        state,
    ) = row
    return StoredMessage(
        id=int(id_),
        account=str(account),
        kind=AccountKind(kind),
        medium=str(medium),
        direction=Direction(direction),
        conversation=str(conversation),
        thread=None if thread is None else str(thread),
        sender_address=str(address),
        sender_name=str(name),
        subject=str(subject),
        snippet=str(snippet),
        received_at=received_at,
        message_id=None if message_id is None else str(message_id),
        needs_reply=bool(needs_reply),
        due_at=due_at,
        state=None if state is None else ReplyState(state),
    )


def _row_values(account_id: int, message: Message, triage: Triage) -> dict[str, object]:
    needs = triage.needs_reply and message.direction is Direction.INBOUND
    return {
        "account_id": account_id,
        "remote_id": message.remote_id,
        "direction": message.direction.value,
        "medium": message.medium.value,
        "conversation": message.conversation,
        "thread": message.thread,
        "message_id": message.message_id,
        "in_reply_to": message.in_reply_to,
        "references": list(message.references),
        "sender_address": message.sender.address,
        "sender_name": message.sender.name,
        "to_addresses": list(message.to),
        "cc_addresses": list(message.cc),
        "subject": message.subject,
        "snippet": message.snippet,
        "body_text": message.body_text or None,
        "headers": message.headers,
        "is_direct": message.is_direct,
        "mentions_me": message.mentions_me,
        "received_at": message.received_at,
        "needs_reply": needs,
        "due_at": triage.due_at if needs else None,
        "state": ReplyState.OPEN.value if needs else None,
        "replied_at": None,
        "size": message.size,
    }


# An outbound message clears every earlier inbound message of its conversation: in a
# chat room, top-level replies clear top-level messages (thread roots included), and a
# reply inside a thread clears that thread and its root. The partial indexes
# ix_messages_open and ix_messages_replies keep this cheap in busy chat rooms (only open
# messages and outbound ones are visited); the unary ``+`` keeps SQLite from driving
# the update by the direction index instead, which would scan the whole inbox.
_APPLY_REPLIES = text(
    """
    UPDATE messages AS m
    SET state = 'replied',
        replied_at = (
            SELECT min(o.received_at) FROM messages AS o
            WHERE o.account_id = m.account_id AND o.conversation = m.conversation
              AND o.direction = 'outbound' AND o.received_at > m.received_at
              AND ((o.thread IS NULL AND m.thread IS NULL)
                   OR (o.thread IS NOT NULL AND (o.thread = m.thread OR o.thread = m.remote_id)))
        )
    WHERE m.account_id = :account_id
      AND m.conversation IN (SELECT value FROM json_each(:conversations))
      AND +m.direction = 'inbound'
      AND m.state IN ('open', 'snoozed')
      AND EXISTS (
            SELECT 1 FROM messages AS o
            WHERE o.account_id = m.account_id AND o.conversation = m.conversation
              AND o.direction = 'outbound' AND o.received_at > m.received_at
              AND ((o.thread IS NULL AND m.thread IS NULL)
                   OR (o.thread IS NOT NULL AND (o.thread = m.thread OR o.thread = m.remote_id)))
      )
    """
)


def add_batch(
    session: Session,
    account_id: int,
    batch: Sequence[tuple[Message, Triage]],
    *,
    stream: str,
    cursor: str,
    now: datetime,
) -> int:
    """Insert a synced batch, mark what it answers as replied, save its cursor.

    Returns how many messages were new. Must run inside ``Store.writing()`` so the batch
    and the cursor commit together.
    """
    inserted = 0
    if batch:
        rows = [_row_values(account_id, message, triage) for message, triage in batch]
        # Core-level executemany: the fast path, and it reports how many rows were new.
        result = session.connection().execute(insert(_MESSAGES).prefix_with("OR IGNORE"), rows)
        inserted = max(0, result.rowcount)
        conversations = sorted({message.conversation for message, _ in batch})
        session.execute(
            _APPLY_REPLIES,
            {"account_id": account_id, "conversations": json.dumps(conversations)},
        )
    upsert = insert(SyncStateRow).values(
        account_id=account_id, stream=stream, cursor=cursor, updated_at=now
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["account_id", "stream"],
            set_={"cursor": cursor, "updated_at": upsert.excluded.updated_at},
        )
    )
    return inserted


def get_cursor(session: Session, account_id: int, stream: str) -> str | None:
    return session.scalars(
        select(SyncStateRow.cursor).where(
            SyncStateRow.account_id == account_id, SyncStateRow.stream == stream
        )
    ).first()


def count_inbound(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.direction == Direction.INBOUND.value, MessageRow.removed_at.is_(None))
        )
        or 0
    )


def count_messages(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def inbox_page(session: Session, limit: int, after: PageKey | None = None) -> list[StoredMessage]:
    """Up to ``limit`` inbound messages, newest first, strictly after ``after``; messages
    removed on the server are left out."""
    statement = (
        select(*_COLUMNS)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.direction == Direction.INBOUND.value, MessageRow.removed_at.is_(None))
        .order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(
            (MessageRow.received_at < after.received_at)
            | ((MessageRow.received_at == after.received_at) & (MessageRow.id < after.id))
        )
    return [_stored(tuple(row)) for row in session.execute(statement)]


def page_key(message: StoredMessage) -> PageKey:
    return PageKey(message.received_at, message.id)


# The FTS5 table made by migration 0002 (not an ORM model: Alembic must not manage it).
_SEARCH = table("message_search", column("rowid"), column("message_search"))

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, the last as
    a prefix (search as you type). ``None`` when there is nothing to search for."""
    words = _WORD.findall(user_text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search(session: Session, user_text: str, limit: int = 200) -> list[StoredMessage]:
    """Messages (both directions) whose subject, sender or body match, newest first."""
    query = fts_query(user_text)
    if query is None:
        return []
    ids = select(_SEARCH.c.rowid).where(_SEARCH.c.message_search.op("MATCH")(query))
    statement = (
        select(*_COLUMNS)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.id.in_(ids))
        .order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
        .limit(limit)
    )
    return [_stored(tuple(row)) for row in session.execute(statement)]


def count_received_since(session: Session, since: datetime, until: datetime) -> int:
    """Inbound messages received in ``[since, until)``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(MessageRow)
            .where(
                MessageRow.direction == Direction.INBOUND.value,
                MessageRow.removed_at.is_(None),
                MessageRow.received_at >= since,
                MessageRow.received_at < until,
            )
        )
        or 0
    )


def count_open_due_before(session: Session, before: datetime) -> int:
    """Open reply-by commitments whose deadline is before ``before``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(MessageRow)
            .where(MessageRow.state == ReplyState.OPEN.value, MessageRow.due_at < before)
        )
        or 0
    )
