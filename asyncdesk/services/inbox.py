"""Reading the inbox: pages for the window, the full list for ``inbox --json``, search.

Thread contract: every function here does disk I/O; the UI calls them only from its
task runner, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from asyncdesk.core.clock import to_iso_z
from asyncdesk.core.labels import message_labels
from asyncdesk.store.database import Store
from asyncdesk.store.labels import ContactHistory, body_texts, contact_history
from asyncdesk.store.messages import (
    PageKey,
    StoredMessage,
    count_inbound,
    inbox_page,
    messages_by_id,
    page_key,
)

__all__ = [
    "PageKey",
    "StoredMessage",
    "by_id",
    "inbox_json_row",
    "iter_inbox",
    "iter_inbox_json",
    "labelled_rows",
    "page",
    "page_key",
]


def page(store: Store, limit: int, after: PageKey | None = None) -> list[StoredMessage]:
    """Up to ``limit`` inbound messages, newest first, after ``after``."""
    with store.reading() as session:
        return inbox_page(session, limit, after)


def find(
    store: Store, text: str, now: datetime, limit: int, horizon: datetime | None = None
) -> list[StoredMessage]:
    """What the search box finds for ``text`` (core.search_query's syntax), newest
    first, at most ``limit``; ``horizon`` is the next window's start (``is:soon``)."""
    from asyncdesk.core.search_query import parse
    from asyncdesk.store.messages import search_query

    with store.reading() as session:
        return search_query(session, parse(text), now=now, limit=limit, horizon=horizon)


def counts(
    store: Store, texts: Iterable[str], now: datetime, horizon: datetime | None = None
) -> dict[str, int]:
    """How many messages each filter-only search (``is:due``...) finds, by its text."""
    from asyncdesk.core.search_query import parse
    from asyncdesk.store.messages import count_filtered

    with store.reading() as session:
        return {
            text: count_filtered(session, parse(text), now=now, horizon=horizon) for text in texts
        }


def archive(store: Store, ids: Iterable[int], now: datetime) -> None:
    """Done with these messages: out of the inbox (search still finds them)."""
    from asyncdesk.store.messages import set_archived

    with store.writing() as session:
        set_archived(session, ids, now)


def unarchive(store: Store, ids: Iterable[int]) -> None:
    from asyncdesk.store.messages import set_archived

    with store.writing() as session:
        set_archived(session, ids, None)


def by_id(store: Store, ids: Iterable[int]) -> dict[int, StoredMessage]:
    """The messages with these ids, by id (ids that are no message are left out)."""
    with store.reading() as session:
        return {message.id: message for message in messages_by_id(session, ids)}


def count(store: Store) -> int:
    with store.reading() as session:
        return count_inbound(session)


def iter_inbox(store: Store, chunk: int = 2000) -> Iterator[StoredMessage]:
    """Every inbound message, newest first, read in chunks to keep memory flat."""
    after: PageKey | None = None
    while True:
        rows = page(store, chunk, after)
        yield from rows
        if len(rows) < chunk:
            return
        after = page_key(rows[-1])


def iter_inbox_json(store: Store, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every row of ``inbox --json``, newest first, with its labels, read in chunks.

    Who the user has exchanged messages with is read once for the whole listing (one
    scan of the messages table), then only for senders of later pages it did not know
    (messages that arrived while listing); each page's bodies in one statement.
    """
    history: ContactHistory | None = None
    after: PageKey | None = None
    while True:
        with store.reading() as session:
            if history is None:
                history = contact_history(session, None)
            rows = inbox_page(session, chunk, after)
            yield from labelled_rows(session, rows, history)
        if len(rows) < chunk:
            return
        after = page_key(rows[-1])


def labelled_rows(
    session: Session, messages: Sequence[StoredMessage], history: ContactHistory | None = None
) -> list[dict[str, Any]]:
    """The ``inbox --json`` rows of one page of messages, labels included: at most
    three statements for the page whatever its size (the senders' history, unless
    ``history`` already knows them all, and the bodies). ``history`` is updated."""
    if history is None:
        history = ContactHistory()
    missing = history.missing(message.sender_address for message in messages)
    if missing:
        history.merge(contact_history(session, missing))
    bodies = body_texts(session, (message.id for message in messages))
    return [
        inbox_json_row(
            message,
            message_labels(
                subject=message.subject,
                text=bodies.get(message.id, message.snippet),
                needs_reply=message.needs_reply,
                first_contact=history.is_first_contact(message.sender_address, message.received_at),
            ),
        )
        for message in messages
    ]


def inbox_json_row(message: StoredMessage, labels: Sequence[str] = ()) -> dict[str, Any]:
    """One row of ``inbox --json``; keys are a public contract (DESIGN.md).
    ``labels`` (sorted, from :mod:`asyncdesk.core.labels`) come from
    :func:`labelled_rows`, which reads what they need for a whole page."""
    return {
        "id": message.id,
        "account": message.account,
        "kind": message.kind.value,
        "conversation": message.conversation,
        "sender": message.sender_address,
        "subject": message.subject,
        "received_at": to_iso_z(message.received_at),
        "message_id": message.message_id,
        "needs_reply": message.needs_reply,
        "due_at": None if message.due_at is None else to_iso_z(message.due_at),
        "state": None if message.state is None else message.state.value,
        "labels": list(labels),
    }
