"""The auto-replies of the published availability: claims, outcomes, and the facts the
rules need (was a message already stored, does its conversation hold an earlier one).

The claim is the row itself: :func:`claim` inserts it (``INSERT OR IGNORE`` on the
unique ``(account_id, conversation, window_key)``) and the caller commits that before
the message goes to SMTP. So two processes, or a process and its restart after a crash,
can never both send for one conversation in one closed period: at most once. A row left
``queued`` was claimed by a process that died (or is still sending); after
:data:`STALE_AFTER` it is marked ``failed`` as interrupted, and never sent again.

Every function runs inside the caller's ``Store.writing()`` (or ``reading()``) block.
Instants are aware UTC datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.store.claims import INTERRUPTED, STALE_AFTER, one_line_error
from asyncdesk.store.schema import AccountRow, AutoReplyRow


class AutoReplyState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AutoReplyRecord:
    """One auto-reply. ``window_key`` is the start of the window that ends the closed
    period it was sent in; instants are UTC."""

    id: int
    account: str
    conversation: str
    window_key: datetime
    recipient: str
    message_id: str
    state: AutoReplyState
    error: str | None
    created_at: datetime
    sent_at: datetime | None


_STORED: Final = text(
    "SELECT remote_id FROM messages WHERE account_id = :account_id "
    "AND remote_id IN (SELECT value FROM json_each(:ids))"
)


def stored_remote_ids(session: Session, account_id: int, remote_ids: Sequence[str]) -> set[str]:
    """Which of ``remote_ids`` the account already has a message row for."""
    if not remote_ids:
        return set()
    rows = session.execute(_STORED, {"account_id": account_id, "ids": json.dumps(remote_ids)})
    return {str(remote_id) for (remote_id,) in rows}


# Another message of the conversation stored before this one (earlier, or as early and
# stored first), or any outbound one: then the sender is not writing for the first time
# in it, or the user already answered.
_NOT_FIRST: Final = text(
    """
    SELECT 1 FROM messages AS o, messages AS m
    WHERE m.account_id = :account_id AND m.remote_id = :remote_id
      AND o.account_id = m.account_id AND o.conversation = m.conversation AND o.id != m.id
      AND (o.direction = 'outbound' OR o.received_at < m.received_at
           OR (o.received_at = m.received_at AND o.id < m.id))
    LIMIT 1
    """
)


def is_first_in_conversation(session: Session, account_id: int, remote_id: str) -> bool:
    """Whether the stored message ``remote_id`` opens its conversation: no earlier
    message of it is stored (inbound or outbound), and no outbound one at all."""
    found = session.execute(_NOT_FIRST, {"account_id": account_id, "remote_id": remote_id})
    return found.first() is None


def claim(
    session: Session,
    *,
    account_id: int,
    conversation: str,
    window_key: datetime,
    recipient: str,
    message_id: str,
    now: datetime,
) -> int | None:
    """Insert the ``queued`` row; its id, or ``None`` when the conversation already has
    one for this closed period (sent, failed or claimed by another process)."""
    statement = (
        insert(AutoReplyRow)
        .values(
            account_id=account_id,
            conversation=conversation,
            window_key=window_key,
            recipient=recipient[:320],
            message_id=message_id,
            state=AutoReplyState.QUEUED.value,
            error=None,
            created_at=now,
            sent_at=None,
        )
        .on_conflict_do_nothing(index_elements=["account_id", "conversation", "window_key"])
        .returning(AutoReplyRow.id)
    )
    return session.execute(statement).scalar_one_or_none()


def mark_sent(session: Session, row_id: int, now: datetime, note: str | None = None) -> None:
    """The server accepted it (``note``: e.g. recipients it refused)."""
    session.execute(
        update(AutoReplyRow)
        .where(AutoReplyRow.id == row_id)
        .values(
            state=AutoReplyState.SENT.value,
            sent_at=now,
            error=None if note is None else one_line_error(note),
        )
    )


def mark_failed(session: Session, row_id: int, error: str) -> None:
    """Not sent (or not known to be): why, in one line. Never tried again."""
    session.execute(
        update(AutoReplyRow)
        .where(AutoReplyRow.id == row_id)
        .values(state=AutoReplyState.FAILED.value, error=one_line_error(error))
    )


def fail_interrupted(session: Session, now: datetime) -> list[int]:
    """Rows claimed more than :data:`STALE_AFTER` before ``now`` and still ``queued``
    become ``failed`` (interrupted); returns their ids."""
    ids = list(
        session.scalars(
            select(AutoReplyRow.id).where(
                AutoReplyRow.state == AutoReplyState.QUEUED.value,
                AutoReplyRow.created_at < now - STALE_AFTER,
            )
        )
    )
    for row_id in ids:
        mark_failed(session, row_id, INTERRUPTED)
    return ids


def recent(session: Session, limit: int) -> list[AutoReplyRecord]:
    """The newest ``limit`` auto-replies (any state), newest first."""
    rows = session.execute(
        select(AutoReplyRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == AutoReplyRow.account_id)
        .order_by(AutoReplyRow.created_at.desc(), AutoReplyRow.id.desc())
        .limit(max(0, limit))
    )
    return [
        AutoReplyRecord(
            id=row.id,
            account=name,
            conversation=row.conversation,
            window_key=row.window_key,
            recipient=row.recipient,
            message_id=row.message_id,
            state=AutoReplyState(row.state),
            error=row.error,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )
        for row, name in rows
    ]
