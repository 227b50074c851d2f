"""Check-ins: their definitions, the runs (claims) and what each run sent, and the
answers gathered from the stored messages.

The claim is the run row itself: :func:`claim_run` inserts it (``INSERT OR IGNORE`` on
the unique ``(checkin_id, due_at)``) and the caller commits that before anything is
sent, as :mod:`asyncdesk.store.auto_replies` does. So two processes, or a process and
its restart after a crash, never both ask one run. A chat send left ``queued`` after
:data:`STALE_AFTER` belonged to a process that died: it becomes ``failed`` and is never
sent again. An email send is an outbox item (enqueued in the claim's transaction), so
its delivery is the outbox's: at most once, and a crash before SMTP still sends it.

Answers are not stored twice: they are the inbound messages that answer a run's
message (email: ``In-Reply-To`` / ``References`` name its Message-ID; chat: written in
that direct conversation, by that person, after the run and before the next one).

Every function runs inside the caller's ``Store.writing()`` (or ``reading()``) block.
Instants are aware UTC datetimes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.store.claims import INTERRUPTED, STALE_AFTER, one_line_error
from asyncdesk.store.columns import instant_from_db, instant_to_db
from asyncdesk.store.schema import AccountRow, CheckinRow, CheckinRunRow, CheckinSendRow

#: Why an answer needs no reply, shown where the inbox explains its decision.
ANSWER_REASON: Final = "an answer to your check-in: you asked for it; no reply needed"
#: How far back answers are looked for when classifying the newly synced ones.
ANSWER_HORIZON: Final = timedelta(days=30)


class RunState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    PARTIAL = "partial"
    FAILED = "failed"


class SendState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    id: int
    name: str
    account_id: int
    account: str
    account_kind: str
    days: str
    minute: int
    recipients: tuple[str, ...]
    question: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SendRecord:
    id: int
    recipient: str
    message_id: str | None
    conversation: str | None
    remote_id: str | None
    state: SendState
    error: str | None
    sent_at: datetime | None
    #: For email: the outbox's state of the message (``queued``, ``filed``...), if any.
    delivery: str | None = None


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    checkin_id: int
    due_at: datetime
    state: RunState
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    sends: tuple[SendRecord, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Answer:
    """One stored message answering a run: whose (the recipient it was sent to),
    who wrote it, when, its text."""

    recipient: str
    message_pk: int
    sender: str
    sender_name: str
    received_at: datetime
    text: str


# -- definitions --------------------------------------------------------------------------


def _record(row: CheckinRow, account: AccountRow) -> CheckinRecord:
    return CheckinRecord(
        id=row.id,
        name=row.name,
        account_id=row.account_id,
        account=account.name,
        account_kind=account.kind,
        days=row.days,
        minute=row.minute,
        recipients=tuple(row.recipients),
        question=row.question,
        created_at=row.created_at,
    )


def add(
    session: Session,
    *,
    name: str,
    account_id: int,
    days: str,
    minute: int,
    recipients: tuple[str, ...],
    question: str,
    now: datetime,
) -> int:
    row = CheckinRow(
        name=name,
        account_id=account_id,
        days=days,
        minute=minute,
        recipients=list(recipients),
        question=question,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def all_checkins(session: Session) -> list[CheckinRecord]:
    """Every check-in, by name."""
    rows = session.execute(
        select(CheckinRow, AccountRow)
        .join(AccountRow, AccountRow.id == CheckinRow.account_id)
        .order_by(CheckinRow.name)
    )
    return [_record(row, account) for row, account in rows]


def find(session: Session, name: str) -> CheckinRecord | None:
    """The check-in named ``name`` (case-insensitively), if any."""
    wanted = name.strip().casefold()
    return next((c for c in all_checkins(session) if c.name.casefold() == wanted), None)


def remove(session: Session, checkin_id: int) -> None:
    """The check-in and its runs (the messages sent and answers stay in the inbox)."""
    run_ids = select(CheckinRunRow.id).where(CheckinRunRow.checkin_id == checkin_id)
    session.execute(delete(CheckinSendRow).where(CheckinSendRow.run_id.in_(run_ids)))
    session.execute(delete(CheckinRunRow).where(CheckinRunRow.checkin_id == checkin_id))
    session.execute(delete(CheckinRow).where(CheckinRow.id == checkin_id))


# -- runs -----------------------------------------------------------------------------------


def claim_run(session: Session, checkin_id: int, due_at: datetime, now: datetime) -> int | None:
    """Insert the ``queued`` run; its id, or ``None`` when this run was already
    claimed (sent, failed, or being sent by another process)."""
    statement = (
        insert(CheckinRunRow)
        .values(
            checkin_id=checkin_id,
            due_at=due_at,
            state=RunState.QUEUED.value,
            error=None,
            created_at=now,
            sent_at=None,
        )
        .on_conflict_do_nothing(index_elements=["checkin_id", "due_at"])
        .returning(CheckinRunRow.id)
    )
    return session.execute(statement).scalar_one_or_none()


def add_send(
    session: Session,
    run_id: int,
    recipient: str,
    *,
    message_id: str | None = None,
    conversation: str | None = None,
    state: SendState = SendState.QUEUED,
    error: str | None = None,
) -> int:
    row = CheckinSendRow(
        run_id=run_id,
        recipient=recipient[:320],
        message_id=message_id,
        conversation=conversation,
        remote_id=None,
        state=state.value,
        error=None if error is None else one_line_error(error),
        sent_at=None,
    )
    session.add(row)
    session.flush()
    return row.id


def mark_send(
    session: Session,
    send_id: int,
    state: SendState,
    *,
    now: datetime,
    error: str | None = None,
    conversation: str | None = None,
    remote_id: str | None = None,
) -> None:
    values: dict[str, Any] = {
        "state": state.value,
        "error": None if error is None else one_line_error(error),
    }
    if state is SendState.SENT:
        values["sent_at"] = now
    if conversation is not None:
        values["conversation"] = conversation
    if remote_id is not None:
        values["remote_id"] = remote_id
    session.execute(update(CheckinSendRow).where(CheckinSendRow.id == send_id).values(**values))


def finish_run(session: Session, run_id: int, now: datetime) -> RunState:
    """The run's state from its sends: ``sent`` (all), ``failed`` (none), ``partial``."""
    states = list(
        session.scalars(select(CheckinSendRow.state).where(CheckinSendRow.run_id == run_id))
    )
    failed = states.count(SendState.FAILED.value)
    if failed == 0:
        state = RunState.SENT
    elif failed == len(states):
        state = RunState.FAILED
    else:
        state = RunState.PARTIAL
    errors = list(
        session.scalars(
            select(CheckinSendRow.error).where(
                CheckinSendRow.run_id == run_id, CheckinSendRow.error.is_not(None)
            )
        )
    )
    session.execute(
        update(CheckinRunRow)
        .where(CheckinRunRow.id == run_id)
        .values(
            state=state.value,
            sent_at=now if state is not RunState.FAILED else None,
            error=one_line_error(str(errors[0])) if errors else None,
        )
    )
    return state


def fail_run(session: Session, run_id: int, error: str) -> None:
    """Nothing of the run could be sent (no account, no keyring...): why, one line."""
    session.execute(
        update(CheckinRunRow)
        .where(CheckinRunRow.id == run_id)
        .values(state=RunState.FAILED.value, error=one_line_error(error))
    )


def fail_interrupted(session: Session, now: datetime) -> list[int]:
    """Chat sends claimed more than :data:`STALE_AFTER` ago and still ``queued``
    become ``failed`` (interrupted), and their runs are finished; returns the runs."""
    rows = session.execute(
        select(CheckinSendRow.id, CheckinSendRow.run_id)
        .join(CheckinRunRow, CheckinRunRow.id == CheckinSendRow.run_id)
        .where(
            CheckinSendRow.state == SendState.QUEUED.value,
            CheckinSendRow.message_id.is_(None),
            CheckinRunRow.created_at < now - STALE_AFTER,
        )
    ).all()
    for send_id, _run in rows:
        mark_send(session, send_id, SendState.FAILED, now=now, error=INTERRUPTED)
    runs = sorted({run for _send, run in rows})
    for run_id in runs:
        finish_run(session, run_id, now)
    return runs


_SENDS: Final = text(
    "SELECT s.id, s.recipient, s.message_id, s.conversation, s.remote_id, s.state, "
    "coalesce(s.error, o.error), "
    "s.sent_at, o.state FROM checkin_sends AS s "
    "LEFT JOIN outbox AS o ON o.message_id = s.message_id "
    "WHERE s.run_id = :run ORDER BY s.id"
)


def _sends(session: Session, run_id: int) -> tuple[SendRecord, ...]:
    return tuple(
        SendRecord(
            id=int(pk),
            recipient=str(recipient),
            message_id=message_id,
            conversation=conversation,
            remote_id=remote_id,
            state=SendState(state),
            error=error,
            sent_at=None if sent_at is None else instant_from_db(str(sent_at)),
            delivery=delivery,
        )
        for pk, recipient, message_id, conversation, remote_id, state, error, sent_at, delivery in (
            session.execute(_SENDS, {"run": run_id})
        )
    )


def _run(row: CheckinRunRow, sends: tuple[SendRecord, ...]) -> RunRecord:
    return RunRecord(
        id=row.id,
        checkin_id=row.checkin_id,
        due_at=row.due_at,
        state=RunState(row.state),
        error=row.error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        sends=sends,
    )


def runs(session: Session, checkin_id: int, limit: int = 1) -> list[RunRecord]:
    """The newest ``limit`` runs of a check-in, newest first, with what each sent."""
    rows = session.scalars(
        select(CheckinRunRow)
        .where(CheckinRunRow.checkin_id == checkin_id)
        .order_by(CheckinRunRow.due_at.desc())
        .limit(max(0, limit))
    )
    return [_run(row, _sends(session, row.id)) for row in rows]


def next_run_after(session: Session, checkin_id: int, due_at: datetime) -> datetime | None:
    """When the run after ``due_at`` was claimed (it closes this run's chat answers)."""
    found = session.scalar(
        select(CheckinRunRow.created_at)
        .where(CheckinRunRow.checkin_id == checkin_id, CheckinRunRow.due_at > due_at)
        .order_by(CheckinRunRow.due_at)
        .limit(1)
    )
    return found


# -- answers ------------------------------------------------------------------------------

# Inbound email of the account in the thread a run's message started (its Message-ID is
# the thread's root, so the conversation index finds the replies without visiting the
# rest of the inbox; the unary + keeps SQLite off the inbox index) that names it in
# In-Reply-To or References.
_EMAIL_ANSWERS: Final = text(
    """
    SELECT s.recipient, m.id, m.sender_address, m.sender_name, m.received_at,
           coalesce(m.body_text, m.snippet, '')
    FROM checkin_sends AS s JOIN messages AS m
      ON m.account_id = :account AND m.conversation = s.message_id
     AND +m.direction = 'inbound'
     AND (m.in_reply_to = s.message_id
          OR EXISTS (SELECT 1 FROM json_each(m."references") AS r WHERE r.value = s.message_id))
    WHERE s.run_id = :run AND s.message_id IS NOT NULL
    ORDER BY m.received_at, m.id
    """
)

# Chat: in the conversation the run wrote to, after it, before the next run; from that
# person in a direct conversation (anyone, when the run asked a room).
_CHAT_ANSWERS: Final = text(
    """
    SELECT s.recipient, m.id, m.sender_address, m.sender_name, m.received_at,
           coalesce(m.body_text, m.snippet, '')
    FROM checkin_sends AS s JOIN messages AS m
      ON m.account_id = :account AND m.conversation = s.conversation
     AND +m.direction = 'inbound'
     AND m.received_at > s.sent_at AND (:until IS NULL OR m.received_at < :until)
     AND (s.recipient NOT LIKE '@%' AND s.recipient NOT GLOB 'U*' AND s.recipient NOT GLOB 'W*'
          OR lower(m.sender_address) = lower(s.recipient))
    WHERE s.run_id = :run AND s.message_id IS NULL AND s.state = 'sent'
    ORDER BY m.received_at, m.id
    """
)


def answers(session: Session, checkin: CheckinRecord, run: RunRecord) -> list[Answer]:
    """Every stored message answering ``run``, oldest first."""
    until = next_run_after(session, checkin.id, run.due_at)
    params: dict[str, Any] = {
        "run": run.id,
        "account": checkin.account_id,
        "until": None if until is None else instant_to_db(until),
    }
    rows = [*session.execute(_EMAIL_ANSWERS, params), *session.execute(_CHAT_ANSWERS, params)]
    found = [
        Answer(
            recipient=str(recipient),
            message_pk=int(pk),
            sender=str(sender),
            sender_name=str(name or ""),
            received_at=instant_from_db(str(received)),
            text=str(body),
        )
        for recipient, pk, sender, name, received, body in rows
    ]
    unique = {answer.message_pk: answer for answer in found}
    return sorted(unique.values(), key=lambda a: (a.received_at, a.message_pk))


def mark_answers_no_reply(session: Session, checkin: CheckinRecord, run: RunRecord) -> int:
    """The run's answers that the user has not classified themselves need no reply
    (the user asked for them): the decision an override makes, with its reason, so no
    later rule change brings a deadline back. Returns how many changed."""
    ids = [a.message_pk for a in answers(session, checkin, run)]
    if not ids:
        return 0
    changed = 0
    for pk in ids:
        result = session.execute(
            text(
                "UPDATE messages SET needs_reply = 0, state = NULL, due_at = NULL, "
                "snoozed_until = NULL, reply_reason = :reason, reply_override = 0 "
                "WHERE id = :id AND reply_override IS NULL"
            ),
            {"id": pk, "reason": ANSWER_REASON},
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    return changed


def recent_runs(session: Session, now: datetime) -> list[tuple[CheckinRecord, RunRecord]]:
    """Every run claimed within :data:`ANSWER_HORIZON` of ``now``, with its check-in."""
    by_id = {c.id: c for c in all_checkins(session)}
    rows = session.scalars(
        select(CheckinRunRow)
        .where(CheckinRunRow.created_at >= now - ANSWER_HORIZON)
        .order_by(CheckinRunRow.due_at)
    )
    return [
        (by_id[row.checkin_id], _run(row, _sends(session, row.id)))
        for row in rows
        if row.checkin_id in by_id
    ]


_DIRECT: Final = text(
    "SELECT conversation FROM messages WHERE account_id = :account AND is_direct = 1 "
    "AND lower(sender_address) = lower(:who) ORDER BY received_at DESC LIMIT 1"
)


def direct_conversation(session: Session, account_id: int, who: str) -> str | None:
    """The direct conversation (room or channel) ``who`` last wrote to the user in."""
    found = session.execute(_DIRECT, {"account": account_id, "who": who}).scalar()
    return None if found is None else str(found)


def run_by_id(session: Session, run_id: int) -> RunRecord | None:
    row = session.get(CheckinRunRow, run_id)
    return None if row is None else _run(row, _sends(session, row.id))


_CHAT_SENT: Final = text(
    "SELECT s.remote_id FROM checkin_sends AS s JOIN checkin_runs AS r ON r.id = s.run_id "
    "JOIN checkins AS c ON c.id = r.checkin_id WHERE c.account_id = :account "
    "AND s.remote_id IN (SELECT value FROM json_each(:ids))"
)


def checkin_remote_ids(session: Session, account_id: int, remote_ids: list[str]) -> set[str]:
    """Which of ``remote_ids`` are chat messages a check-in of the account posted."""
    if not remote_ids:
        return set()
    found = session.execute(_CHAT_SENT, {"account": account_id, "ids": json.dumps(remote_ids)})
    return {str(remote_id) for (remote_id,) in found}


def any_chat_sends(session: Session) -> bool:
    """Whether any check-in ever posted a chat message (most profiles: no)."""
    return (
        session.execute(
            text("SELECT 1 FROM checkin_sends WHERE remote_id IS NOT NULL LIMIT 1")
        ).first()
        is not None
    )
