"""Message bodies: saving a fetched one, reading it back, choosing what to fetch next.

The sync stores email headers only (``body_text`` NULL, ``body_fetched_at`` NULL). A
body arrives later, when the message is opened or in the background after a sync, and
:func:`save_body` writes it with its snippet; the FTS5 triggers of migration 0002 then
index it, so search finds words of the body from that commit on.

The background budget is a window, not a quota per run: :func:`pick_for_background`
walks the account's messages that sit on the server (have a location), newest first,
adding up their sizes (fetched or not) until the budget is used, and returns the ones
in that window that still lack a body. So the newest ``budget`` bytes of mail are
searchable, repeated runs fetch only what is new, and the bytes kept locally for an
account stay near the budget instead of growing with every sync. Bodies fetched
because the user opened an older message are extra and do not count.

All functions take the caller's session: reads inside ``Store.reading()``, writes
inside ``Store.writing()``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NamedTuple

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from asyncdesk.core.accounts import AccountKind
from asyncdesk.store.schema import AccountRow, MessageRow

#: Characters of the one-line preview shown in lists (the ``snippet`` column's width).
SNIPPET_CHARS: Final = 160


def make_snippet(body_text: str) -> str:
    """The first :data:`SNIPPET_CHARS` characters of a body, whitespace collapsed."""
    return " ".join(body_text.split())[:SNIPPET_CHARS]


@dataclass(frozen=True, slots=True)
class StoredBody:
    """A message's body as stored, and what fetching it needs to know.

    ``text``/``html`` are ``None`` until fetched (for email); chat and demo messages
    carry their text from the sync and never have ``fetched_at``. ``fetched_at`` is a
    UTC instant. ``removed`` is true when the message was expunged on the server.
    """

    message_pk: int
    account: str
    kind: AccountKind
    remote_id: str
    text: str | None
    html: str | None
    fetched_at: datetime | None
    removed: bool


def stored_body(session: Session, message_pk: int) -> StoredBody | None:
    """The stored body of a message; ``None`` if there is no such message."""
    row = session.execute(
        select(
            MessageRow.id,
            AccountRow.name,
            AccountRow.kind,
            MessageRow.remote_id,
            MessageRow.body_text,
            MessageRow.body_html,
            MessageRow.body_fetched_at,
            MessageRow.removed_at,
        )
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.id == message_pk)
    ).first()
    if row is None:
        return None
    pk, account, kind, remote_id, body_text, body_html, fetched_at, removed_at = row
    return StoredBody(
        message_pk=int(pk),
        account=str(account),
        kind=AccountKind(kind),
        remote_id=str(remote_id),
        text=body_text,
        html=body_html,
        fetched_at=fetched_at,
        removed=removed_at is not None,
    )


def save_body(
    session: Session, message_pk: int, *, text: str, html: str | None, fetched_at: datetime
) -> bool:
    """Store a fetched body, its snippet and when it was fetched (a UTC instant).

    The search index follows by trigger. Returns ``False`` if the message is gone (its
    account was removed meanwhile), so the caller can skip it.
    """
    result = session.execute(
        update(MessageRow)
        .where(MessageRow.id == message_pk)
        .values(
            body_text=text,
            body_html=html,
            snippet=make_snippet(text),
            body_fetched_at=fetched_at,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def remote_ids(session: Session, message_pks: Sequence[int]) -> dict[int, str]:
    """The remote id of each message, to check that a fetched message is the same one."""
    if not message_pks:
        return {}
    rows = session.execute(
        text("SELECT id, remote_id FROM messages WHERE id IN (SELECT value FROM json_each(:pks))"),
        {"pks": json.dumps(list(message_pks))},
    )
    return {int(pk): str(remote_id) for pk, remote_id in rows}


class BodyCandidate(NamedTuple):
    """A message to fetch in the background: where it sits (IMAP folder and UID) and its
    size in bytes on the server (``None`` if the server never said)."""

    pk: int
    folder: str
    uid: int
    size: int | None


# Messages of the account that sit somewhere on the server and are not too big, newest
# first, with the running sum of their sizes (an unknown size counts as the cap); the
# ones without a body inside the budget, each at its first location.
_PICK = text(
    """
    WITH placed AS (
        SELECT m.id, m.size, m.received_at, m.body_fetched_at,
               coalesce(m.size, :cap) AS counted
        FROM messages AS m
        WHERE m.account_id = :account_id
          AND m.removed_at IS NULL
          AND coalesce(m.size, 0) <= :cap
          AND EXISTS (SELECT 1 FROM message_locations AS l WHERE l.message_pk = m.id)
    ),
    running AS (
        SELECT id, size, received_at, body_fetched_at,
               sum(counted) OVER (
                   ORDER BY received_at DESC, id DESC ROWS UNBOUNDED PRECEDING
               ) AS total
        FROM placed
    )
    SELECT r.id,
           (SELECT l.stream FROM message_locations AS l WHERE l.message_pk = r.id
            ORDER BY l.stream, l.position LIMIT 1) AS folder,
           (SELECT l.position FROM message_locations AS l WHERE l.message_pk = r.id
            ORDER BY l.stream, l.position LIMIT 1) AS uid,
           r.size
    FROM running AS r
    WHERE r.total <= :budget AND r.body_fetched_at IS NULL
    ORDER BY r.received_at DESC, r.id DESC
    """
)


def pick_for_background(
    session: Session, account_id: int, *, budget_bytes: int, max_message_bytes: int
) -> list[BodyCandidate]:
    """The messages whose bodies the background should fetch, newest first.

    See the module docstring: the newest messages on the server up to ``budget_bytes``
    in all (sum of ``size``), skipping any bigger than ``max_message_bytes``; of those,
    the ones not fetched yet.
    """
    if budget_bytes <= 0 or max_message_bytes <= 0:
        return []
    rows = session.execute(
        _PICK, {"account_id": account_id, "budget": budget_bytes, "cap": max_message_bytes}
    )
    return [
        BodyCandidate(int(pk), str(folder), int(uid), None if size is None else int(size))
        for pk, folder, uid, size in rows
    ]
