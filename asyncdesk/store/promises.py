"""Reply-by promises in the store: the user's rules, and the commitments they produce.

A commitment is an inbound message that needs a reply. Whether it is *open at* an
instant ``T`` is decided by one SQL predicate (:data:`_OPEN_AT`) shared by every
reader (``deadlines``, ``status``, the notification counts), so they always agree:
received by ``T``, not removed from the server, and either open, or replied only after
``T``, or snoozed until ``T`` or earlier (a snooze that ran out is open again without
anyone having to wake up and flip it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from asyncdesk.core.messages import Direction, Medium, Message, ReplyState, Sender
from asyncdesk.store.columns import instant_from_db, instant_to_db
from asyncdesk.store.schema import AccountRow, MessageRow, ReplyRuleRow, SlaRuleRow

_OPEN_AT = (
    "m.needs_reply AND m.direction = 'inbound' AND m.removed_at IS NULL "
    "AND m.received_at <= :at AND ("
    "m.state = 'open' OR (m.state = 'replied' AND m.replied_at > :at) "
    "OR (m.state = 'snoozed' AND (m.snoozed_until IS NULL OR m.snoozed_until <= :at)))"
)


@dataclass(frozen=True, slots=True)
class Commitment:
    """An open reply-by commitment, as ``deadlines`` lists it; instants are UTC."""

    id: int
    account: str
    message_id: str | None
    sender: str
    sender_address: str
    subject: str
    received_at: datetime
    due_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    value: str
    minutes: int


# ------------------------------------------------------------------------ commitments


def open_commitments(
    session: Session, at: datetime, *, due_before: datetime | None = None
) -> list[Commitment]:
    """Commitments open at ``at``, soonest due first (then oldest)."""
    where = _OPEN_AT
    params: dict[str, Any] = {"at": instant_to_db(at)}
    if due_before is not None:
        where += " AND m.due_at < :due_before"
        params["due_before"] = instant_to_db(due_before)
    rows = session.execute(
        text(
            "SELECT m.id, a.name, m.message_id, m.sender_name, m.sender_address, m.subject, "
            "m.received_at, m.due_at, m.reply_reason "
            "FROM messages AS m JOIN accounts AS a ON a.id = m.account_id "
            f"WHERE {where} AND m.due_at IS NOT NULL "
            "ORDER BY m.due_at, m.received_at, m.id"
        ),
        params,
    )
    return [
        Commitment(
            id=int(pk),
            account=str(account),
            message_id=message_id,
            sender=str(name or address),
            sender_address=str(address),
            subject=str(subject),
            received_at=instant_from_db(received),
            due_at=instant_from_db(due),
            reason=reason,
        )
        for pk, account, message_id, name, address, subject, received, due, reason in rows
    ]


def count_open(session: Session, at: datetime, *, due_before: datetime | None = None) -> int:
    """How many commitments are open at ``at`` (and due before ``due_before``)."""
    where = _OPEN_AT
    params: dict[str, Any] = {"at": instant_to_db(at)}
    if due_before is not None:
        where += " AND m.due_at < :due_before"
        params["due_before"] = instant_to_db(due_before)
    found = session.execute(text(f"SELECT count(*) FROM messages AS m WHERE {where}"), params)
    return int(found.scalar_one())


@dataclass(frozen=True, slots=True)
class Target:
    """What ``deadlines dismiss|snooze`` and the overrides need to know of a message."""

    id: int
    account: str
    inbound: bool
    needs_reply: bool
    state: ReplyState | None
    subject: str


def target(session: Session, message_pk: int) -> Target | None:
    row = session.execute(
        text(
            "SELECT m.id, a.name, m.direction, m.needs_reply, m.state, m.subject "
            "FROM messages AS m JOIN accounts AS a ON a.id = m.account_id WHERE m.id = :id"
        ),
        {"id": message_pk},
    ).first()
    if row is None:
        return None
    pk, account, direction, needs, state, subject = row
    return Target(
        id=int(pk),
        account=str(account),
        inbound=direction == "inbound",
        needs_reply=bool(needs),
        state=None if state is None else ReplyState(state),
        subject=str(subject),
    )


def set_state(
    session: Session, message_pk: int, state: ReplyState, *, snoozed_until: datetime | None = None
) -> None:
    session.execute(
        text("UPDATE messages SET state = :state, snoozed_until = :until WHERE id = :id"),
        {
            "id": message_pk,
            "state": state.value,
            "until": None if snoozed_until is None else instant_to_db(snoozed_until),
        },
    )


def deadline_inputs(session: Session) -> list[tuple[int, datetime, str, str]]:
    """``(pk, received_at, sender address, account name)`` of every commitment not yet
    answered or dismissed (open or snoozed): what a rule change recomputes."""
    rows = session.execute(
        text(
            "SELECT m.id, m.received_at, m.sender_address, a.name "
            "FROM messages AS m JOIN accounts AS a ON a.id = m.account_id "
            "WHERE m.needs_reply AND m.state IN ('open', 'snoozed')"
        )
    )
    return [
        (int(pk), instant_from_db(received), str(sender), str(account))
        for pk, received, sender, account in rows
    ]


def set_due(session: Session, dues: Sequence[tuple[int, datetime]]) -> int:
    """Write new deadlines; returns how many changed."""
    changed = 0
    for pk, due in dues:
        result = session.execute(
            text("UPDATE messages SET due_at = :due WHERE id = :id AND due_at IS NOT :due"),
            {"id": pk, "due": instant_to_db(due)},
        )
        changed += max(0, result.rowcount)  # type: ignore[attr-defined]
    return changed


# ---------------------------------------------------------------------- reclassifying


@dataclass(frozen=True, slots=True)
class Classified:
    """An inbound message as the classifier needs it again after a rule changed."""

    id: int
    account: str
    state: ReplyState | None
    override: bool | None
    received_at: datetime
    sender_address: str


def inbound_matching(
    session: Session, *, sender: str | None = None, domain: str | None = None
) -> list[Classified]:
    """Inbound messages from ``sender`` or from ``domain`` (and its subdomains)."""
    if sender is not None:
        where, params = "m.sender_address = :sender", {"sender": sender}
    elif domain is not None:
        where = (
            "(m.sender_address LIKE :exact ESCAPE '\\' OR m.sender_address LIKE :sub ESCAPE '\\')"
        )
        escaped = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params = {"exact": f"%@{escaped}", "sub": f"%@%.{escaped}"}
    else:
        raise ValueError("inbound_matching needs a sender or a domain")
    rows = session.execute(
        text(
            "SELECT m.id, a.name, m.state, m.reply_override, m.received_at, m.sender_address "
            "FROM messages AS m JOIN accounts AS a ON a.id = m.account_id "
            f"WHERE m.direction = 'inbound' AND {where}"
        ),
        params,
    ).all()
    return _classified(rows)


def _classified(rows: Sequence[Any]) -> list[Classified]:
    return [
        Classified(
            id=int(pk),
            account=str(account),
            state=None if state is None else ReplyState(state),
            override=None if override is None else bool(override),
            received_at=instant_from_db(received),
            sender_address=str(address),
        )
        for pk, account, state, override, received, address in rows
    ]


def set_needs_reply(
    session: Session,
    message_pk: int,
    *,
    needs_reply: bool,
    reason: str,
    state: ReplyState | None,
    due_at: datetime | None,
    override: bool | None = None,
    keep_override: bool = True,
) -> None:
    """Rewrite a message's needs-reply decision (after a rule or an override)."""
    assignments = (
        "needs_reply = :needs, reply_reason = :reason, state = :state, due_at = :due, "
        "snoozed_until = CASE WHEN :state = 'snoozed' THEN snoozed_until END"
    )
    if not keep_override:
        assignments += ", reply_override = :override"
    session.execute(
        text(f"UPDATE messages SET {assignments} WHERE id = :id"),
        {
            "id": message_pk,
            "needs": needs_reply,
            "reason": reason,
            "state": None if state is None else state.value,
            "due": None if due_at is None else instant_to_db(due_at),
            "override": override,
        },
    )


def first_reply_after(session: Session, message_pk: int) -> datetime | None:
    """When the first outbound message of the conversation after this one was sent."""
    found = session.execute(
        text(
            "SELECT min(o.received_at) FROM messages AS m JOIN messages AS o "
            "ON o.account_id = m.account_id AND o.conversation = m.conversation "
            "AND o.direction = 'outbound' AND o.received_at > m.received_at "
            "AND ((o.thread IS NULL AND m.thread IS NULL) OR (o.thread IS NOT NULL "
            "AND (o.thread = m.thread OR o.thread = m.remote_id))) WHERE m.id = :id"
        ),
        {"id": message_pk},
    ).scalar()
    return None if found is None else instant_from_db(str(found))


def set_replied_at(session: Session, message_pk: int, at: datetime) -> None:
    session.execute(
        text("UPDATE messages SET replied_at = :at WHERE id = :id"),
        {"id": message_pk, "at": instant_to_db(at)},
    )


def set_override(session: Session, message_pk: int, needs_reply: bool | None) -> None:
    session.execute(
        text("UPDATE messages SET reply_override = :override WHERE id = :id"),
        {"id": message_pk, "override": needs_reply},
    )


def classified(session: Session, message_pk: int) -> Classified:
    rows = session.execute(
        text(
            "SELECT m.id, a.name, m.state, m.reply_override, m.received_at, m.sender_address "
            "FROM messages AS m JOIN accounts AS a ON a.id = m.account_id WHERE m.id = :id"
        ),
        {"id": message_pk},
    ).all()
    return _classified(rows)[0]


def message_for_rules(session: Session, message_pk: int) -> tuple[Message, tuple[str, ...]]:
    """The stored message as the classifier sees it, and its account's identities."""
    row = session.execute(
        select(MessageRow, AccountRow.identities)
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(MessageRow.id == message_pk)
    ).one()
    stored, identities = row
    message = Message(
        remote_id=stored.remote_id,
        direction=Direction(stored.direction),
        medium=Medium(stored.medium),
        conversation=stored.conversation,
        sender=Sender(stored.sender_address, stored.sender_name),
        subject=stored.subject,
        received_at=stored.received_at,
        to=tuple(stored.to_addresses),
        cc=tuple(stored.cc_addresses),
        thread=stored.thread,
        message_id=stored.message_id,
        in_reply_to=stored.in_reply_to,
        references=tuple(stored.references),
        headers=dict(stored.headers),
        is_direct=stored.is_direct,
        mentions_me=stored.mentions_me,
    )
    return message, tuple(identities)


# -------------------------------------------------------------------------- the rules


def reply_rules(session: Session) -> tuple[dict[str, bool], dict[str, bool]]:
    """``(senders, domains)``: the user's always (True) / never (False) rules."""
    senders: dict[str, bool] = {}
    domains: dict[str, bool] = {}
    for kind, value, needs in session.execute(
        select(ReplyRuleRow.kind, ReplyRuleRow.value, ReplyRuleRow.needs_reply)
    ):
        (senders if kind == "sender" else domains)[str(value)] = bool(needs)
    return senders, domains


def set_reply_rule(
    session: Session, kind: str, value: str, needs_reply: bool, now: datetime
) -> None:
    statement = insert(ReplyRuleRow).values(
        kind=kind, value=value, needs_reply=needs_reply, created_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["kind", "value"],
            set_={"needs_reply": needs_reply, "created_at": statement.excluded.created_at},
        )
    )


def remove_reply_rule(session: Session, kind: str, value: str) -> bool:
    result = session.execute(
        delete(ReplyRuleRow).where(ReplyRuleRow.kind == kind, ReplyRuleRow.value == value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def sla_rules(session: Session) -> list[Rule]:
    rows = session.execute(
        select(SlaRuleRow.kind, SlaRuleRow.value, SlaRuleRow.minutes).order_by(
            SlaRuleRow.kind, SlaRuleRow.value
        )
    )
    return [Rule(str(kind), str(value), int(minutes)) for kind, value, minutes in rows]


def set_sla_rule(session: Session, kind: str, value: str, minutes: int, now: datetime) -> None:
    statement = insert(SlaRuleRow).values(kind=kind, value=value, minutes=minutes, created_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["kind", "value"],
            set_={"minutes": minutes, "created_at": statement.excluded.created_at},
        )
    )


def remove_sla_rule(session: Session, kind: str, value: str) -> bool:
    result = session.execute(
        delete(SlaRuleRow).where(SlaRuleRow.kind == kind, SlaRuleRow.value == value)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def count_rules(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SlaRuleRow)) or 0)
