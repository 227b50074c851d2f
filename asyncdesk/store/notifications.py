"""What the notifier reads and writes: newly synced messages, and its decisions.

New messages are found by row id, not by ``received_at``: a message's INTERNALDATE is the
server's clock (and may be old: mail that waited in a queue), while ids grow with every
insert, so "rows after the last one looked at" is exactly "what the last sync brought".

Decisions are events (the ``events`` table, as break-glass is): ``notification_sent``
and ``notification_deferred``, with the decision's kind, the mode, and counts. The
weekly stats read them back with :func:`notification_totals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from asyncdesk.core.messages import Direction
from asyncdesk.core.notify_policy import Arrival
from asyncdesk.store.schedule import events_between
from asyncdesk.store.schema import AccountRow, MessageRow

NOTIFICATION_SENT = "notification_sent"
NOTIFICATION_DEFERRED = "notification_deferred"


def newest_message_id(session: Session, account: str) -> int:
    """The highest message row id of ``account`` (0 when it has none)."""
    newest = session.scalar(
        select(func.max(MessageRow.id))
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(AccountRow.name == account)
    )
    return int(newest or 0)


def arrivals_after(session: Session, account: str, after_id: int) -> tuple[list[Arrival], int]:
    """Inbound messages of ``account`` stored after row ``after_id`` (oldest first), and
    the highest row id seen, outbound rows included (the next call starts there)."""
    rows = session.execute(
        select(
            MessageRow.id,
            MessageRow.direction,
            MessageRow.sender_address,
            MessageRow.sender_name,
            MessageRow.subject,
        )
        .join(AccountRow, AccountRow.id == MessageRow.account_id)
        .where(AccountRow.name == account, MessageRow.id > after_id)
        .order_by(MessageRow.id)
    ).all()
    arrivals = [
        Arrival(str(address), str(name), str(subject))
        for _, direction, address, name, subject in rows
        if direction == Direction.INBOUND.value
    ]
    newest = max((int(row[0]) for row in rows), default=after_id)
    return arrivals, newest


@dataclass(frozen=True, slots=True)
class NotificationTotals:
    """Over a span: notifications shown, and would-be notifications held back (one per
    message held back, the unit DESIGN.md's ``notifications_deferred`` counts)."""

    sent: int
    deferred: int


def notification_totals(session: Session, start: datetime, end: datetime) -> NotificationTotals:
    """Totals of the decisions recorded in ``[start, end)``."""
    sent = events_between(session, NOTIFICATION_SENT, start, end)
    deferred = events_between(session, NOTIFICATION_DEFERRED, start, end)
    return NotificationTotals(
        sent=len(sent),
        deferred=sum(int(data.get("messages", 1)) for _, data in deferred),
    )
