"""Reading the inbox: pages for the window, the full list for ``inbox --json``, search.

Thread contract: every function here does disk I/O; the UI calls them only from its
task runner, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from asyncdesk.core.clock import to_iso_z
from asyncdesk.store.database import Store
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


def inbox_json_row(message: StoredMessage) -> dict[str, Any]:
    """One row of ``inbox --json``; keys are a public contract (DESIGN.md)."""
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
        "labels": [],
    }
