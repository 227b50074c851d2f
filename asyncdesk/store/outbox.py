"""The outbox: replies from the moment they are composed until they are filed in Sent.

Why a table and not a function call: sending is two network steps (SMTP, then an IMAP
APPEND) and the process may die anywhere between them. Every step is recorded in its
own committed transaction, in an order that makes the worst case visible instead of
doubled (states as on :class:`~asyncdesk.store.schema.OutboxRow`)::

    queued --claim--> sending --server said 250--> sent --copy in Sent--> filed
                         |  \\--refused (5xx)--> failed
                         |  \\--not delivered, try later (network, 4xx)--> queued
                         \\--crash, or the answer was lost--> unsure

- An item is claimed (``queued`` -> ``sending``, ``attempts`` + 1) and that is
  committed *before* the server hears of it. An item found in ``sending`` by the next
  flush was therefore interrupted while the server may have accepted it: SMTP offers
  no way to ask, so it becomes ``unsure`` and is never sent again by itself; the user
  may :func:`retry` it. (At most once, never lost.)
- A transition out of ``sending`` names the attempt it belongs to, so a flush that
  outlived its claim (another flush meanwhile called it ``unsure``) records what the
  server really said, and a stale answer never overwrites a newer attempt.

The outbound copy of a reply is stored as a message row when it is queued (see
:func:`record_outbound`), with the remote id the IMAP sync gives the copy it later
reads from Sent (``sent:`` + Message-ID): that sync's ``INSERT OR IGNORE`` then adds
nothing, and the answered message is ``replied`` at once.

Every function runs inside the caller's ``Store.writing()`` (or ``reading()``) block.
Instants are aware UTC datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.messages import Direction, Message, Triage
from asyncdesk.store.claims import one_line_error
from asyncdesk.store.columns import instant_from_db, instant_to_db
from asyncdesk.store.messages import forget_first_replies, insert_messages, mark_replies
from asyncdesk.store.schema import AccountRow, MessageRow, OutboxRow

#: The longest error text kept on an item (one line; the log has the rest).


class OutboxState(StrEnum):
    """Where an outbox item stands; the values are what the ``state`` column holds."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FILED = "filed"
    FAILED = "failed"
    UNSURE = "unsure"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One reply in the outbox. ``raw`` is the whole message as sent (CRLF line ends);
    ``message_id`` is normalised (no angle brackets); instants are UTC."""

    id: int
    account_id: int
    account: str
    reply_to_pk: int | None
    message_id: str
    state: OutboxState
    raw: bytes
    envelope_from: str
    recipients: tuple[str, ...]
    attempts: int
    error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """A stored message as much as answering it needs; ``received_at`` is UTC."""

    id: int
    account: Account
    direction: Direction
    conversation: str
    sender_address: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    headers: dict[str, str]
    received_at: datetime
    #: The source's id of the message, and its thread (chat replies need them).
    remote_id: str = ""
    thread: str | None = None


def _item(row: OutboxRow, account: str) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        account_id=row.account_id,
        account=account,
        reply_to_pk=row.reply_to_pk,
        message_id=row.message_id,
        state=OutboxState(row.state),
        raw=bytes(row.raw),
        envelope_from=row.envelope_from,
        recipients=tuple(row.recipients),
        attempts=row.attempts,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ----------------------------------------------------------------------------- reading


def find_reply_target(session: Session, message_pk: int) -> ReplyTarget | None:
    """The message with primary key ``message_pk`` and its account, or ``None``."""
    found = session.execute(
        select(MessageRow, AccountRow)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.id == message_pk)
    ).first()
    if found is None:
        return None
    message, account = found
    return ReplyTarget(
        id=message.id,
        account=Account(
            id=account.id,
            name=account.name,
            kind=AccountKind(account.kind),
            identities=tuple(account.identities),
            config=dict(account.config),
        ),
        direction=Direction(message.direction),
        conversation=message.conversation,
        sender_address=message.sender_address,
        sender_name=message.sender_name,
        to=tuple(message.to_addresses),
        cc=tuple(message.cc_addresses),
        subject=message.subject,
        message_id=message.message_id,
        in_reply_to=message.in_reply_to,
        references=tuple(message.references),
        headers=dict(message.headers),
        received_at=message.received_at,
        remote_id=message.remote_id,
        thread=message.thread,
    )


def get_item(session: Session, item_id: int) -> OutboxItem | None:
    found = session.execute(
        select(OutboxRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == OutboxRow.account_id)
        .where(OutboxRow.id == item_id)
    ).first()
    return None if found is None else _item(found[0], found[1])


def items(
    session: Session, states: Iterable[OutboxState], account_id: int | None = None
) -> list[OutboxItem]:
    """Items in any of ``states`` (of one account, or all), oldest first."""
    statement = (
        select(OutboxRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == OutboxRow.account_id)
        .where(OutboxRow.state.in_([state.value for state in states]))
        .order_by(OutboxRow.id)
    )
    if account_id is not None:
        statement = statement.where(OutboxRow.account_id == account_id)
    return [_item(row, name) for row, name in session.execute(statement)]


def pending(session: Session, account_id: int | None = None) -> list[OutboxItem]:
    """Everything not filed yet, oldest first: what a user should be able to see."""
    return items(
        session,
        (
            OutboxState.QUEUED,
            OutboxState.SENDING,
            OutboxState.SENT,
            OutboxState.UNSURE,
            OutboxState.FAILED,
        ),
        account_id,
    )


# ----------------------------------------------------------------------------- writing


def enqueue(
    session: Session,
    *,
    account_id: int,
    reply_to_pk: int | None,
    message_id: str,
    raw: bytes,
    envelope_from: str,
    recipients: Sequence[str],
    now: datetime,
) -> int:
    """Add a composed message in state ``queued``; returns its id."""
    row = OutboxRow(
        account_id=account_id,
        reply_to_pk=reply_to_pk,
        message_id=message_id,
        state=OutboxState.QUEUED.value,
        raw=raw,
        envelope_from=envelope_from,
        recipients=list(recipients),
        attempts=0,
        error=None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def _move(
    session: Session,
    item_id: int,
    sources: Sequence[OutboxState],
    target: OutboxState,
    now: datetime,
    *,
    attempt: int | None = None,
    error: str | None = None,
    keep_error: bool = False,
    bump: bool = False,
) -> bool:
    """``UPDATE`` one item from any of ``sources`` to ``target``; True if it moved.

    ``error`` replaces the item's error (``None`` clears it) unless ``keep_error``.
    """
    where = ["id = :id", "state IN (SELECT value FROM json_each(:sources))"]
    params: dict[str, Any] = {
        "id": item_id,
        "sources": json.dumps([state.value for state in sources]),
        "target": target.value,
        "error": None if error is None else one_line_error(error),
        "now": instant_to_db(now),
    }
    if attempt is not None:
        where.append("attempts = :attempt")
        params["attempt"] = attempt
    sets = ["state = :target", "updated_at = :now"]
    if not keep_error:
        sets.append("error = :error")
    if bump:
        sets.append("attempts = attempts + 1")
    result = session.execute(
        text(f"UPDATE outbox SET {', '.join(sets)} WHERE {' AND '.join(where)}"),
        params,
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim(session: Session, item_id: int, now: datetime) -> OutboxItem | None:
    """``queued`` -> ``sending`` with one more attempt; ``None`` if it was not queued.

    The caller commits this before talking to the server (see the module doc).
    The returned item's ``attempts`` names this attempt for the transitions below.
    """
    moved = _move(
        session,
        item_id,
        (OutboxState.QUEUED,),
        OutboxState.SENDING,
        now,
        keep_error=True,
        bump=True,
    )
    if not moved:
        return None
    return get_item(session, item_id)


_IN_FLIGHT = (OutboxState.SENDING, OutboxState.UNSURE)


def mark_sent(
    session: Session, item_id: int, attempt: int, now: datetime, note: str | None = None
) -> bool:
    """The server accepted attempt ``attempt`` (``note``: e.g. recipients it refused)."""
    return _move(session, item_id, _IN_FLIGHT, OutboxState.SENT, now, attempt=attempt, error=note)


def mark_failed(session: Session, item_id: int, attempt: int, error: str, now: datetime) -> bool:
    """The server refused attempt ``attempt`` for good; nothing was delivered."""
    return _move(
        session, item_id, _IN_FLIGHT, OutboxState.FAILED, now, attempt=attempt, error=error
    )


def requeue(session: Session, item_id: int, attempt: int, error: str, now: datetime) -> bool:
    """Attempt ``attempt`` certainly delivered nothing (no connection, a 4xx): queue it
    again, keeping why, so the next flush sends it."""
    return _move(
        session, item_id, _IN_FLIGHT, OutboxState.QUEUED, now, attempt=attempt, error=error
    )


def mark_unsure(session: Session, item_id: int, attempt: int, error: str, now: datetime) -> bool:
    """Attempt ``attempt`` lost its answer after handing the message over."""
    return _move(
        session,
        item_id,
        (OutboxState.SENDING,),
        OutboxState.UNSURE,
        now,
        attempt=attempt,
        error=error,
    )


def mark_filed(session: Session, item_id: int, now: datetime, note: str | None = None) -> bool:
    """The copy is in the Sent folder: the item is done. ``note`` becomes its error
    (e.g. the recipients the server refused); ``None`` clears it."""
    return _move(session, item_id, (OutboxState.SENT,), OutboxState.FILED, now, error=note)


def note_error(session: Session, item_id: int, error: str, now: datetime) -> None:
    """Keep why a step failed without changing the state (e.g. filing, retried later)."""
    session.execute(
        text("UPDATE outbox SET error = :error, updated_at = :now WHERE id = :id"),
        {"id": item_id, "error": one_line_error(error), "now": instant_to_db(now)},
    )


UNSURE_REASON = (
    "interrupted while handing it to the server: it may or may not have been sent; "
    "not sent again unless you retry it"
)


def interrupted_to_unsure(session: Session, now: datetime) -> list[int]:
    """Every item left in ``sending`` becomes ``unsure``; returns their ids.

    Only for a caller that knows no send is in flight (the flush holds the profile's
    outbox lock, which a dead process no longer holds).
    """
    ids = list(
        session.scalars(
            select(OutboxRow.id)
            .where(OutboxRow.state == OutboxState.SENDING.value)
            .order_by(OutboxRow.id)
        )
    )
    for item_id in ids:
        _move(
            session, item_id, (OutboxState.SENDING,), OutboxState.UNSURE, now, error=UNSURE_REASON
        )
    return ids


def retry(session: Session, item_id: int, now: datetime) -> OutboxItem | None:
    """The user's explicit "send it again" for an ``unsure`` or ``failed`` item:
    back to ``queued``. ``None`` if the item is not in one of those states."""
    moved = _move(
        session, item_id, (OutboxState.UNSURE, OutboxState.FAILED), OutboxState.QUEUED, now
    )
    return get_item(session, item_id) if moved else None


# ------------------------------------------------------------- the outbound message row

_MARK_ANSWERED = text(
    "UPDATE messages SET state = 'replied', replied_at = :now "
    "WHERE id = :id AND state IN ('open', 'snoozed')"
)
_OUTBOUND_ROW = text(
    "SELECT id, conversation, received_at FROM messages "
    "WHERE account_id = :account_id AND remote_id = :remote_id AND direction = 'outbound'"
)
_DELETE_MESSAGE = text("DELETE FROM messages WHERE id = :id")
# Only the commitments this very reply cleared (its instant is their replied_at).
_REOPEN = text(
    "UPDATE messages SET state = 'open', replied_at = NULL "
    "WHERE account_id = :account_id AND conversation = :conversation "
    "AND +direction = 'inbound' AND state = 'replied' AND replied_at = :at"
)


def record_outbound(
    session: Session, account_id: int, message: Message, *, answers: int | None, now: datetime
) -> bool:
    """Store the outbound copy of a reply and mark what it answers as replied.

    ``message.remote_id`` must be what the sync will give the copy in Sent, so the sync
    adds nothing. The message ``answers`` (a primary key) is replied at ``now`` whatever
    the clocks say; earlier open messages of the conversation are cleared as a synced
    reply would clear them. Returns whether the row was new.
    """
    inserted = insert_messages(
        session, account_id, [(message, Triage(needs_reply=False))], apply_replies=False
    )
    if answers is not None:
        session.execute(_MARK_ANSWERED, {"id": answers, "now": instant_to_db(now)})
    mark_replies(session, account_id, [message.conversation])
    return inserted > 0


def forget_outbound(session: Session, account_id: int, remote_id: str) -> bool:
    """Undo :func:`record_outbound` for a reply that was never delivered.

    The row goes, the commitments it cleared are open again, and any other reply in
    the conversation clears them as before. (A snoozed message it cleared comes back
    open.) Returns whether there was a row.
    """
    found = session.execute(
        _OUTBOUND_ROW, {"account_id": account_id, "remote_id": remote_id}
    ).first()
    if found is None:
        return False
    pk, conversation, received_at = found
    session.execute(_DELETE_MESSAGE, {"id": pk})
    forget_first_replies(session, account_id, conversation, instant_from_db(received_at))
    session.execute(
        _REOPEN, {"account_id": account_id, "conversation": conversation, "at": received_at}
    )
    mark_replies(session, account_id, [conversation])
    return True
