"""Saved answers: writing one, listing them newest first, full-text search.

The FTS5 table ``answer_search`` (migration 0009) follows ``answers`` by trigger. A
search quotes every word the user typed with the helper message search uses
(:func:`asyncdesk.store.messages.fts_match`), so nothing typed is FTS5 syntax.
All functions take the caller's session: reads inside ``Store.reading()``, writes
inside ``Store.writing()``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from asyncdesk.core.answers import Answer, AnswerSource, RecordingLink
from asyncdesk.core.messages import make_snippet
from asyncdesk.core.search_query import TextTerm
from asyncdesk.store.columns import instant_from_db
from asyncdesk.store.messages import fts_match
from asyncdesk.store.schema import AccountRow, AnswerRow, MessageRow


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """The stored message an answer is made from: ``body`` is its fetched text (None
    until fetched; chat and demo messages always carry theirs), ``snippet`` the preview."""

    id: int
    account: str
    remote_id: str
    medium: str
    sender: str
    subject: str
    received_at: datetime
    body: str | None
    snippet: str


_SOURCE_COLUMNS: Final = (
    MessageRow.id,
    AccountRow.name,
    MessageRow.remote_id,
    MessageRow.medium,
    MessageRow.sender_name,
    MessageRow.sender_address,
    MessageRow.subject,
    MessageRow.received_at,
    MessageRow.body_text,
    MessageRow.snippet,
)


def source_message(session: Session, message_pk: int) -> SourceMessage | None:
    row = session.execute(
        select(*_SOURCE_COLUMNS)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.id == message_pk)
    ).first()
    return None if row is None else _source(row)


def _source(row: Sequence[Any]) -> SourceMessage:
    pk, account, remote_id, medium, name, address, subject, received, body, snippet = row
    return SourceMessage(
        id=int(pk),
        account=str(account),
        remote_id=str(remote_id),
        medium=str(medium),
        sender=str(name or address),
        subject=str(subject or ""),
        received_at=received,
        body=body,
        snippet=str(snippet or ""),
    )


#: A thread saved as an answer holds at most this many messages (the newest, up to
#: the one chosen): a busy chat room is not a thread.
MAX_THREAD_MESSAGES: Final = 50


def thread_messages(session: Session, message_pk: int) -> list[SourceMessage]:
    """The thread of the stored message ``message_pk``, oldest first, ending with it:
    an email's conversation (both directions), a chat message's thread when it is in
    one, else its room up to it; at most :data:`MAX_THREAD_MESSAGES`, none removed."""
    anchor = session.execute(
        select(
            MessageRow.account_id,
            MessageRow.medium,
            MessageRow.conversation,
            MessageRow.thread,
            MessageRow.remote_id,
            MessageRow.received_at,
        ).where(MessageRow.id == message_pk)
    ).first()
    if anchor is None:
        return []
    account_id, medium, conversation, thread, remote_id, received_at = anchor
    statement = (
        select(*_SOURCE_COLUMNS)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(
            MessageRow.account_id == account_id,
            MessageRow.conversation == conversation,
            MessageRow.removed_at.is_(None),
        )
    )
    if medium != "email":
        root = thread or remote_id
        in_thread = thread is not None or session.scalar(
            select(MessageRow.id)
            .where(MessageRow.account_id == account_id, MessageRow.thread == remote_id)
            .limit(1)
        )
        if in_thread:  # the whole thread, root and replies
            statement = statement.where(
                (MessageRow.thread == root) | (MessageRow.remote_id == root)
            )
        else:  # the room up to the message chosen
            statement = statement.where(MessageRow.received_at <= received_at)
    rows = session.execute(
        statement.order_by(MessageRow.received_at.desc(), MessageRow.id.desc()).limit(
            MAX_THREAD_MESSAGES
        )
    ).all()
    return [_source(row) for row in reversed(rows)]


def add_answer(
    session: Session,
    *,
    title: str,
    body: str,
    tags: Sequence[str],
    links: Sequence[RecordingLink],
    source: AnswerSource | None,
    now: datetime,
) -> int:
    """Store a checked answer (``core.answers``); returns its id. ``now`` is UTC."""
    row = AnswerRow(
        title=title,
        body=body,
        tags=list(tags),
        links=[link.as_json() for link in links],
        created_at=now,
        updated_at=now,
    )
    if source is not None:
        row.source_message_id = source.message_id
        row.source_account = source.account
        row.source_remote_id = source.remote_id
        row.source_sender = source.sender
        row.source_subject = source.subject
        row.source_received_at = source.received_at
        row.source_text = source.text
    session.add(row)
    session.flush()
    return int(row.id)


def count_answers(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM answers")).scalar_one())


_COLUMNS: Final = (
    "a.id, a.title, a.body, a.tags, a.links, a.created_at, a.updated_at, "
    "a.source_message_id, a.source_account, a.source_remote_id, a.source_sender, "
    "a.source_subject, a.source_received_at, a.source_text"
)


def _answer(row: Sequence[Any], snippet: str | None = None) -> Answer:
    (
        id_,
        title,
        body,
        tags,
        links,
        created,
        updated,
        message_id,
        account,
        remote_id,
        sender,
        subject,
        received,
        source_text,
    ) = row[:14]
    source = None
    if account is not None:
        source = AnswerSource(
            message_id=None if message_id is None else int(message_id),
            account=str(account),
            remote_id=str(remote_id or ""),
            sender=str(sender or ""),
            subject=str(subject or ""),
            received_at=instant_from_db(str(received)),
            text=str(source_text or "body"),
        )
    return Answer(
        id=int(id_),
        title=str(title),
        tags=tuple(json.loads(tags)),
        body=str(body),
        created_at=instant_from_db(str(created)),
        updated_at=instant_from_db(str(updated)),
        source=source,
        links=tuple(
            RecordingLink(str(item["url"]), str(item["context"]), str(item.get("kind", "")))
            for item in json.loads(links)
        ),
        snippet=snippet if snippet else make_snippet(str(body)),
    )


def iter_answers(session: Session) -> Iterator[Answer]:
    """Every answer, newest first (by creation, then id)."""
    rows = session.execute(
        text(f"SELECT {_COLUMNS} FROM answers AS a ORDER BY a.created_at DESC, a.id DESC")
    )
    for row in rows:
        yield _answer(tuple(row))


def get_answer(session: Session, answer_id: int) -> Answer | None:
    row = session.execute(
        text(f"SELECT {_COLUMNS} FROM answers AS a WHERE a.id = :id"), {"id": answer_id}
    ).first()
    return None if row is None else _answer(tuple(row))


#: Weights of title, body and tags in the ranking (bm25: lower is better).
_RANK: Final = "bm25(answer_search, 10.0, 1.0, 5.0)"
_SEARCH: Final = (
    f"SELECT {_COLUMNS}, snippet(answer_search, 1, '', '', '…', 24) "
    "FROM answer_search JOIN answers AS a ON a.id = answer_search.rowid "
    f"WHERE answer_search MATCH :match ORDER BY {_RANK}, a.created_at DESC, a.id DESC "
    "LIMIT :limit"
)


def search_answers(
    session: Session, words: Sequence[str], *, prefix: bool = False, limit: int = 200
) -> list[Answer]:
    """Answers whose title, body or tags hold every one of ``words`` (each a word or a
    phrase, as typed; accents and case ignored), best match first (a word in the title
    counts most, then tags, then body; ties newest first). With ``prefix`` the last
    word may start a longer one (search as you type). Each answer's ``snippet`` is the
    part of its body around what was found."""
    terms = [TextTerm(word) for word in words]
    if prefix and terms:
        terms[-1] = TextTerm(terms[-1].text, prefix=True)
    match = fts_match(terms)
    if match is None:
        return []
    rows = session.execute(text(_SEARCH), {"match": match, "limit": limit})
    return [_answer(tuple(row), " ".join(str(row[14] or "").split())) for row in rows]
