"""Messages: writing synced batches, paging the inbox, full-text search.

A batch and the cursor that follows it are written in one transaction (the caller's
``writing()`` block), and rows are inserted with ``OR IGNORE`` on the message identity,
so replaying a batch after a crash neither loses nor duplicates anything.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import column, func, literal, select, table, text, tuple_
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.mail_identity import fingerprint, variant_id
from asyncdesk.core.messages import Direction, Medium, Message, ReplyState, Triage, make_snippet
from asyncdesk.core.search_query import Field, Flag, SearchQuery, TextTerm
from asyncdesk.store.columns import UTCInstant, instant_to_db
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
    #: Why it needs a reply or not, in words (None for messages stored before reasons).
    reason: str | None = None
    seen: bool = False
    snoozed_until: datetime | None = None
    #: When the first reply went out (for "replied late"); None while unanswered.
    replied_at: datetime | None = None
    #: The user's own call on this message (True/False), None when the rules decide.
    override: bool | None = None

    @property
    def sender(self) -> str:
        return self.sender_name or self.sender_address


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where an inbox page ended; the next page starts strictly after it (newest first)."""

    received_at: datetime
    id: int


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
    MessageRow.reply_reason,
    MessageRow.seen,
    MessageRow.snoozed_until,
    MessageRow.replied_at,
    MessageRow.reply_override,
)


_intern: Final = sys.intern


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
        reason,
        seen,
        snoozed_until,
        replied_at,
        override,
    ) = row
    # Values that repeat from row to row (the account, the medium, a correspondent, the
    # classifier's reasons) are interned: one string each however many rows hold it.
    # A window scrolled to the end of a 100,000-message inbox holds every row.
    return StoredMessage(
        id=int(id_),
        account=_intern(str(account)),
        kind=AccountKind(kind),
        medium=_intern(str(medium)),
        direction=Direction(direction),
        conversation=str(conversation),
        thread=None if thread is None else str(thread),
        sender_address=_intern(str(address)),
        sender_name=_intern(str(name)),
        subject=str(subject),
        snippet=str(snippet),
        received_at=received_at,
        message_id=None if message_id is None else str(message_id),
        needs_reply=bool(needs_reply),
        due_at=due_at,
        state=None if state is None else ReplyState(state),
        reason=None if reason is None else _intern(str(reason)),
        seen=bool(seen),
        snoozed_until=snoozed_until,
        replied_at=replied_at,
        override=None if override is None else bool(override),
    )


# The hot path of every sync: one statement per batch, its rows as one JSON array
# unpacked by SQLite (json_each). Through SQLAlchemy's per-parameter processing this
# cost as much as SQLite's own work; and a plain executemany gives up Python's GIL
# once per row, which stalls a second thread (the prefetching source) at every row.
_INSERT_COLUMNS: Final = (
    "account_id",
    "remote_id",
    "direction",
    "medium",
    "conversation",
    "thread",
    "message_id",
    "in_reply_to",
    '"references"',
    "sender_address",
    "sender_name",
    "to_addresses",
    "cc_addresses",
    "subject",
    "snippet",
    "body_text",
    "headers",
    "is_direct",
    "mentions_me",
    "received_at",
    "needs_reply",
    "due_at",
    "state",
    "size",
    "seen",
    "flagged",
    "reply_reason",
)
# JSON columns are taken with ``->`` (their JSON text), the others with ``->>``.
_JSON_COLUMNS: Final = frozenset({'"references"', "to_addresses", "cc_addresses", "headers"})
_INSERT: Final = (
    f"INSERT OR IGNORE INTO messages ({', '.join(_INSERT_COLUMNS)}) SELECT "
    + ", ".join(
        f"value {'->' if name in _JSON_COLUMNS else '->>'} {index}"
        for index, name in enumerate(_INSERT_COLUMNS)
    )
    + " FROM json_each(?)"
)
_dumps = json.dumps


def _row(
    account_id: int, message: Message, triage: Triage, seen: bool, flagged: bool
) -> list[object]:
    needs = triage.needs_reply and message.direction is Direction.INBOUND
    due = triage.due_at if needs else None
    return [
        account_id,
        message.remote_id,
        message.direction.value,
        message.medium.value,
        message.conversation,
        message.thread,
        message.message_id,
        message.in_reply_to,
        message.references,
        message.sender.address,
        message.sender.name,
        message.to,
        message.cc,
        message.subject,
        message.snippet,
        message.body_text or None,
        message.headers,
        message.is_direct,
        message.mentions_me,
        instant_to_db(message.received_at),
        needs,
        None if due is None else instant_to_db(due),
        ReplyState.OPEN.value if needs else None,
        message.size,
        seen,
        flagged,
        triage.reason or None,
    ]


def insert_messages(
    session: Session,
    account_id: int,
    batch: Sequence[tuple[Message, Triage]],
    *,
    flags: Sequence[tuple[bool, bool]] | None = None,
    apply_replies: bool = True,
) -> int:
    """Insert messages (``OR IGNORE`` on their identity) and, unless told not to, mark
    what they answer as replied. ``flags`` are ``(seen, flagged)`` of each new row,
    parallel to ``batch``. Returns how many rows were new."""
    if not batch:
        return 0
    if flags is None:
        rows = [_row(account_id, m, t, False, False) for m, t in batch]
    else:
        rows = [
            _row(account_id, m, t, seen, flagged)
            for (m, t), (seen, flagged) in zip(batch, flags, strict=True)
        ]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_INSERT, (_dumps(rows),))
        inserted = max(0, int(cursor.rowcount))
    finally:
        cursor.close()
    record_first_replies(session, account_id, [message for message, _ in batch])
    if apply_replies:
        mark_replies(session, account_id, {message.conversation for message, _ in batch})
    return inserted


_STORED_FINGERPRINTS: Final = (
    "SELECT remote_id, sender_address, subject, size FROM messages "
    "WHERE account_id = ? AND remote_id IN (SELECT value FROM json_each(?))"
)


def tell_apart(session: Session, account_id: int, messages: Sequence[Message]) -> list[Message]:
    """``messages`` with each different mail message that reuses a stored (or an
    earlier one's) identity moved to its variant identity; copies keep theirs, so
    the insert skips them. See :mod:`asyncdesk.core.mail_identity`. Chat messages,
    whose ids their servers keep unique, pass through."""
    mail = [m.remote_id for m in messages if m.medium is Medium.EMAIL]
    if not mail:
        return list(messages)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_STORED_FINGERPRINTS, (account_id, _dumps(mail)))
        known = {
            remote_id: fingerprint(remote_id, sender, subject, size)
            for remote_id, sender, subject, size in cursor.fetchall()
        }
    finally:
        cursor.close()
    told: list[Message] = []
    for message in messages:
        if message.medium is Medium.EMAIL:
            mine = fingerprint(
                message.remote_id, message.sender.address, message.subject, message.size
            )
            holder = known.setdefault(message.remote_id, mine)
            if not holder.same_message(mine):
                message = replace(message, remote_id=variant_id(message.remote_id, mine))
        told.append(message)
    return told


def mark_replies(session: Session, account_id: int, conversations: Iterable[str]) -> None:
    """Mark every open message of these conversations that an outbound one answers."""
    session.execute(
        _APPLY_REPLIES,
        {"account_id": account_id, "conversations": json.dumps(sorted(conversations))},
    )


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


# The reply rule of _APPLY_REPLIES, for one inbound message ``m``: the first outbound
# message after it, walking ix_messages_replies from its instant on.
_FIRST_REPLY_OF_M: Final = """
    SELECT min(o.received_at) FROM messages AS o
    WHERE o.account_id = m.account_id AND o.conversation = m.conversation
      AND o.direction = 'outbound' AND o.received_at > m.received_at
      AND ((o.thread IS NULL AND m.thread IS NULL)
           OR (o.thread IS NOT NULL AND (o.thread = m.thread OR o.thread = m.remote_id)))
"""
# Inbound messages just stored whose conversation already holds their reply (the
# Sent folder synced first, chat history paged newest first).
_FIRST_REPLY_OF_NEW: Final = f"""
    UPDATE messages AS m SET first_reply_at = ({_FIRST_REPLY_OF_M})
    WHERE m.account_id = ? AND m.remote_id IN (SELECT value FROM json_each(?))
      AND +m.direction = 'inbound' AND m.first_reply_at IS NULL
      AND ({_FIRST_REPLY_OF_M}) IS NOT NULL
"""
# Inbound messages an outbound one just stored answers first: those without a reply
# yet, and (outbound synced out of order) those whose first reply came later. Each
# outbound ``n`` ([conversation, thread, instant]) picks them through
# ix_messages_first_reply, so a chat room's answered history is never visited. The
# plan is spelled out (CROSS JOIN: the batch drives; INDEXED BY), and the unary ``+``
# above keeps the identity index in charge: left to itself, SQLite would walk every
# inbound message by the direction index, a thousand times slower on a first sync.
_N_MATCHES = """
    i.account_id = ? AND i.conversation = n.value ->> 0 AND i.direction = 'inbound'
      AND i.received_at < n.value ->> 2
      AND ((n.value ->> 1 IS NULL AND i.thread IS NULL)
           OR (n.value ->> 1 IS NOT NULL
               AND (n.value ->> 1 = i.thread OR n.value ->> 1 = i.remote_id)))
"""
_ANSWERED_BY_NEW: Final = f"""
    UPDATE messages AS m SET first_reply_at = ({_FIRST_REPLY_OF_M})
    WHERE m.id IN (
        SELECT i.id FROM json_each(?) AS n
          CROSS JOIN messages AS i INDEXED BY ix_messages_first_reply
          ON {_N_MATCHES} AND i.first_reply_at IS NULL
        UNION
        SELECT i.id FROM json_each(?) AS n
          CROSS JOIN messages AS i INDEXED BY ix_messages_first_reply
          ON {_N_MATCHES} AND i.first_reply_at > n.value ->> 2
    )
"""
# After an outbound message is deleted: those it answered first look again.
_FIRST_REPLY_AGAIN: Final = text(
    f"""
    UPDATE messages AS m SET first_reply_at = ({_FIRST_REPLY_OF_M})
    WHERE m.account_id = :account_id AND m.conversation = :conversation
      AND m.direction = 'inbound' AND m.first_reply_at = :at
    """
)


def record_first_replies(session: Session, account_id: int, batch: Sequence[Message]) -> None:
    """Keep ``first_reply_at`` (the stats' fact) in step with messages just stored:
    every inbound message, needing a reply or not, knows its conversation's first
    outbound message after it."""
    inbound = [m.remote_id for m in batch if m.direction is Direction.INBOUND]
    outbound = [
        [m.conversation, m.thread, instant_to_db(m.received_at)]
        for m in batch
        if m.direction is Direction.OUTBOUND
    ]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if inbound:
            cursor.execute(_FIRST_REPLY_OF_NEW, (account_id, _dumps(inbound)))
        if outbound:
            text_ = _dumps(outbound)
            cursor.execute(_ANSWERED_BY_NEW, (text_, account_id, text_, account_id))
    finally:
        cursor.close()


def forget_first_replies(
    session: Session, account_id: int, conversation: str, at: datetime
) -> None:
    """An outbound message at ``at`` is gone: what it answered first looks again."""
    session.execute(
        _FIRST_REPLY_AGAIN,
        {"account_id": account_id, "conversation": conversation, "at": instant_to_db(at)},
    )


_EDIT: Final = text(
    "UPDATE messages SET body_text = :body, snippet = :snippet "
    "WHERE account_id = :account_id AND remote_id = :remote_id "
    "AND (:sender IS NULL OR sender_address = :sender) AND removed_at IS NULL"
)
# A deleted message keeps its row (its week's stats) but not its words, leaves the
# inbox, and its promise goes: the sender took the question back.
_REDACT: Final = text(
    "UPDATE messages SET body_text = NULL, body_html = NULL, snippet = :snippet, "
    "removed_at = coalesce(removed_at, :now), "
    "state = CASE WHEN state IN ('open', 'snoozed') THEN 'dismissed' ELSE state END, "
    "reply_reason = CASE WHEN state IN ('open', 'snoozed') THEN :reason "
    "ELSE reply_reason END "
    "WHERE account_id = :account_id AND remote_id = :remote_id"
)
REDACTED_SNIPPET: Final = "(deleted by its sender)"


def edit_messages(
    session: Session, account_id: int, edits: Sequence[tuple[str, str, str | None]]
) -> int:
    """New text for stored messages, ``(remote_id, body_text, sender)`` in order (the
    last edit of a message wins). Unknown messages, deleted ones and edits by someone
    other than the sender (when ``sender`` is given) are skipped. Returns rows changed."""
    changed = 0
    for remote_id, body, sender in edits:
        result = session.execute(
            _EDIT,
            {
                "account_id": account_id,
                "remote_id": remote_id,
                "body": body,
                "snippet": make_snippet(body),
                "sender": sender,
            },
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def redact_messages(
    session: Session, account_id: int, remote_ids: Sequence[str], now: datetime
) -> int:
    """Messages their sender deleted (see ``_REDACT``). Returns rows changed."""
    changed = 0
    for remote_id in remote_ids:
        result = session.execute(
            _REDACT,
            {
                "account_id": account_id,
                "remote_id": remote_id,
                "snippet": REDACTED_SNIPPET,
                "now": instant_to_db(now),
                "reason": "Deleted by its sender",
            },
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def add_batch(
    session: Session,
    account_id: int,
    batch: Sequence[tuple[Message, Triage]],
    *,
    stream: str,
    cursor: str,
    now: datetime,
    flags: Sequence[tuple[bool, bool]] | None = None,
) -> int:
    """Insert a synced batch, mark what it answers as replied, save its cursor.

    Returns how many messages were new. Must run inside ``Store.writing()`` so the batch
    and the cursor commit together.
    """
    inserted = insert_messages(session, account_id, batch, flags=flags)
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
            .where(
                MessageRow.direction == Direction.INBOUND.value,
                MessageRow.removed_at.is_(None),
                MessageRow.archived_at.is_(None),
            )
        )
        or 0
    )


def count_messages(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def inbox_page(session: Session, limit: int, after: PageKey | None = None) -> list[StoredMessage]:
    """Up to ``limit`` inbound messages, newest first, strictly after ``after``; messages
    removed on the server, or archived, are left out."""
    statement = (
        select(*_COLUMNS)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(
            MessageRow.direction == Direction.INBOUND.value,
            MessageRow.removed_at.is_(None),
            MessageRow.archived_at.is_(None),
        )
        .order_by(MessageRow.received_at.desc(), MessageRow.id.desc())
        .limit(limit)
    )
    if after is not None:
        # A row value: SQLite reads it as a range of ix_messages_inbox, so a page deep in
        # the inbox costs what the first one does (the OR form re-read every newer row).
        statement = statement.where(
            tuple_(MessageRow.received_at, MessageRow.id)
            < tuple_(literal(after.received_at, UTCInstant()), literal(after.id))
        )
    return [_stored(tuple(row)) for row in session.execute(statement)]


def set_archived(session: Session, ids: Iterable[int], at: datetime | None) -> int:
    """Archive these messages at ``at`` (None: back to the inbox). Returns rows changed."""
    wanted = sorted(set(ids))
    changed = 0
    for start in range(0, len(wanted), 500):
        result = session.execute(
            text(
                "UPDATE messages SET archived_at = :at "
                "WHERE id IN (SELECT value FROM json_each(:ids))"
            ),
            {
                "at": None if at is None else instant_to_db(at),
                "ids": json.dumps(wanted[start : start + 500]),
            },
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def messages_by_id(session: Session, ids: Iterable[int]) -> list[StoredMessage]:
    """The messages with these ids (either direction, removed ones too), in no order."""
    wanted = sorted(set(ids))
    found: list[StoredMessage] = []
    for start in range(0, len(wanted), 500):  # well under SQLite's variable limit
        statement = (
            select(*_COLUMNS)
            .join(AccountRow, AccountRow.id == MessageRow.account_id)
            .where(MessageRow.id.in_(wanted[start : start + 500]))
        )
        found.extend(_stored(tuple(row)) for row in session.execute(statement))
    return found


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


# ------------------------------------------------------------- search with filters
# A SearchQuery (asyncdesk.core.search_query) becomes at most two statements, and a
# query without text never touches the FTS5 table:
# - text terms are first counted in the index, up to _FEW_MATCHES rowids; if there are
#   no more, those messages are read by rowid and sorted (cheap for a rare word);
# - otherwise (a common word, or filters only) the messages are walked newest first by
#   index until ``limit`` of them pass, each checked against the filters and against
#   the full-text matches (which SQLite then holds as a list it probes). Inbound
#   messages are walked by ix_messages_stats, which also holds the account, the
#   needs-reply flag, the deadline and the state, so is:due, is:overdue and account:
#   read only the rows of messages that pass them; outbound ones by ix_messages_inbox;
#   the two walks are merged (UNION ALL), so neither is ever sorted whole.
# Where the filters need a row (is:unread, in:, and removed messages) the walk reads
# one row per message it passes; its cost is how far back the ``limit``-th match is.

#: A text search with at most this many matches sorts them; above it, the walk.
_FEW_MATCHES: Final = 2000
#: The FTS5 table has no prefix index, so a prefix expands to every word it starts;
#: one or two letters start thousands (10-20 ms at 100,000 messages), so those are
#: matched as whole words until a third letter is typed.
_MIN_PREFIX: Final = 3
_FTS_COLUMNS: Final = {Field.SENDER: "sender", Field.SUBJECT: "subject"}
_LETTERS: Final = re.compile(r"[^\W_]+")

# _COLUMNS in SQL, in the same order (their types turn the instants into datetimes).
_SEARCH_COLUMNS: Final = (
    "m.id, a.name, a.kind, m.medium, m.direction, m.conversation, m.thread, "
    "m.sender_address, m.sender_name, m.subject, m.snippet, m.received_at, m.message_id, "
    "m.needs_reply, m.due_at, m.state, m.reply_reason, m.seen, m.snoozed_until, "
    "m.replied_at, m.reply_override"
)
_SEARCH_FROM: Final = (
    f"SELECT {_SEARCH_COLUMNS} FROM messages AS m {{index}} "
    "JOIN accounts AS a ON a.id = m.account_id"
)
_NEWEST_FIRST: Final = "ORDER BY m.received_at DESC, m.id DESC LIMIT :limit"
# Inbound only: the index that answers the is: filters without reading rows.
_WALK_INBOUND: Final = (
    _SEARCH_FROM.format(index="INDEXED BY ix_messages_stats")
    + " WHERE m.direction = 'inbound' AND m.removed_at IS NULL{where} "
    + _NEWEST_FIRST
)
_WALK_BOTH: Final = (
    _SEARCH_FROM.format(index="INDEXED BY ix_messages_stats")
    + " WHERE m.direction = 'inbound' AND m.removed_at IS NULL{where} UNION ALL "
    + _SEARCH_FROM.format(index="INDEXED BY ix_messages_inbox")
    + " WHERE m.direction = 'outbound' AND m.removed_at IS NULL{where} "
    + "ORDER BY 12 DESC, 1 DESC LIMIT :limit"  # received_at, id
)
# The few matches drive (CROSS JOIN keeps SQLite from walking an index instead).
_BY_ROWID: Final = (
    f"SELECT {_SEARCH_COLUMNS} FROM json_each(:ids) AS hit "
    "CROSS JOIN messages AS m ON m.id = hit.value "
    "JOIN accounts AS a ON a.id = m.account_id "
    "WHERE m.removed_at IS NULL{where} " + _NEWEST_FIRST
)
_FTS_HITS: Final = "SELECT rowid FROM message_search WHERE message_search MATCH :match"
_FLAG_FILTERS: Final = {
    Flag.DUE: "m.needs_reply AND m.state IN ('open', 'snoozed')",
    # store.promises._OPEN_AT at the present instant (a reply recorded after "now"
    # exists only when "now" is in the past), written so the index answers it.
    Flag.OVERDUE: (
        "m.needs_reply AND m.received_at <= :now AND m.due_at < :now "
        "AND (m.state = 'open' OR (m.state = 'snoozed' "
        "AND (m.snoozed_until IS NULL OR m.snoozed_until <= :now)))"
    ),
    Flag.UNREAD: "NOT m.seen",
    Flag.FYI: "NOT m.needs_reply",
    Flag.SOON: (
        "m.needs_reply AND m.received_at <= :now AND m.due_at >= :now "
        "AND m.due_at < :horizon AND (m.state = 'open' OR (m.state = 'snoozed' "
        "AND (m.snoozed_until IS NULL OR m.snoozed_until <= :now)))"
    ),
}


def fts_match(terms: Sequence[TextTerm]) -> str | None:
    """An FTS5 query for these terms, all of which must match; ``None`` for no terms.

    Each term is one FTS5 string (its double quotes doubled; NULs and lone surrogates,
    which SQLite cannot take, made separators), so nothing a user types is FTS5
    syntax: ``AND``, ``NEAR(``, ``*``, ``-`` and ``"`` are text. The tokenizer splits a
    string into words that must stand next to each other. A ``sender:``/``subject:``
    term is limited to that column; a prefix term gets ``*`` once its last word has
    :data:`_MIN_PREFIX` letters.
    """
    strings = []
    for term in terms:
        text_ = _sql_text(term.text)
        string = '"' + text_.replace('"', '""') + '"'
        words = _LETTERS.findall(text_)
        if term.prefix and words and len(words[-1]) >= _MIN_PREFIX:
            string += "*"
        column_ = _FTS_COLUMNS.get(term.field)
        strings.append(string if column_ is None else f"{column_} : {string}")
    return " AND ".join(strings) if strings else None


def _sql_text(value: str) -> str:
    """``value`` without what SQLite cannot take: NUL ends its strings, and a lone
    surrogate has no UTF-8 (``core.search_query.parse`` never leaves either)."""
    return value.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def _query_filters(
    query: SearchQuery, now: datetime, horizon: datetime | None = None
) -> tuple[str, dict[str, Any]]:
    """The query's filters as `` AND ...`` SQL over ``m``, and their parameters."""
    clauses = [_FLAG_FILTERS[flag] for flag in sorted(query.flags)]
    params: dict[str, Any] = {}
    if query.flags & {Flag.OVERDUE, Flag.SOON}:
        params["now"] = instant_to_db(now)
    if Flag.SOON in query.flags:
        params["horizon"] = instant_to_db(horizon or now + timedelta(hours=24))
    for index, medium in enumerate(sorted(query.media)):
        clauses.append(f"m.medium = :medium{index}")
        params[f"medium{index}"] = medium.value
    for index, name in enumerate(sorted(query.accounts)):
        clauses.append(
            f"m.account_id IN (SELECT id FROM accounts WHERE name = :account{index} COLLATE NOCASE)"
        )
        params[f"account{index}"] = _sql_text(name)
    return "".join(f" AND {clause}" for clause in clauses), params


def search_query(
    session: Session,
    query: SearchQuery,
    *,
    now: datetime,
    limit: int = 100,
    horizon: datetime | None = None,
) -> list[StoredMessage]:
    """Messages (both directions; inbound only with an ``is:`` filter) that match every
    part of ``query``, newest first, at most ``limit``; messages removed on the server
    are left out. ``now`` (a UTC instant) is what ``is:overdue`` compares with, and
    ``horizon`` (the next window's start) what ``is:soon`` does. An empty query finds
    nothing."""
    if query.is_empty or limit <= 0:
        return []
    where, params = _query_filters(query, now, horizon)
    params["limit"] = limit
    match = fts_match(query.terms)
    if match is not None:
        hits = session.execute(
            text(_FTS_HITS + " LIMIT :few"), {"match": match, "few": _FEW_MATCHES + 1}
        ).all()
        if len(hits) <= _FEW_MATCHES:
            if not hits:
                return []
            if query.inbound_only:
                where = " AND m.direction = 'inbound'" + where
            params["ids"] = _dumps([row[0] for row in hits])
            return _search_rows(session, _BY_ROWID.format(where=where), params)
        where += f" AND m.id IN ({_FTS_HITS})"
        params["match"] = match
    walk = _WALK_INBOUND if query.inbound_only else _WALK_BOTH
    return _search_rows(session, walk.format(where=where), params)


def count_filtered(
    session: Session, query: SearchQuery, *, now: datetime, horizon: datetime | None = None
) -> int:
    """How many inbound messages a query of filters only (``is:due``, ``in:chat``, no
    words) finds, as :func:`search_query` would list them: the sidebar's counts."""
    if query.terms:
        raise ValueError("count_filtered counts filters, not words")
    where, params = _query_filters(query, now, horizon)
    source = "messages AS m"
    if query.flags & {Flag.DUE, Flag.OVERDUE, Flag.SOON}:
        # Only open promises: read them by their state (ix_messages_due), not every
        # inbound message (15 ms instead of 140 at 100,000 messages).
        source += " INDEXED BY ix_messages_due"
        where = " AND m.state IN ('open', 'snoozed')" + where
    sql = f"SELECT count(*) FROM {source} WHERE m.direction = 'inbound' AND " + (
        "m.removed_at IS NULL" + where
    )
    return int(session.execute(text(sql), params).scalar() or 0)


def _search_rows(session: Session, sql: str, params: dict[str, Any]) -> list[StoredMessage]:
    statement = text(sql).columns(*_COLUMNS)
    return [_stored(tuple(row)) for row in session.execute(statement, params)]


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
