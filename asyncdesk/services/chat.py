"""A chat conversation as the window shows it: the lines of a room or a thread.

Opening a chat message shows where it was said: its thread (the root and every reply)
when it is in one or is a thread root with replies; otherwise the room's top-level
messages around it (the newest ``limit``). Deleted messages stay out; both directions
are in, oldest first, as a chat client shows them.

Sending is in :mod:`services.chat_reply`, split so the window never holds its database
worker on the network: ``send_only`` (network) then ``record_only`` (database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Direction
from asyncdesk.store import outbox
from asyncdesk.store.columns import instant_from_db
from asyncdesk.store.database import Store
from asyncdesk.store.outbox import ReplyTarget

# The demo's chat account is shown as chat too (answering it says it cannot send).
CHAT_KINDS = (AccountKind.MATRIX, AccountKind.SLACK, AccountKind.DEMO)


@dataclass(frozen=True, slots=True)
class ChatLine:
    id: int
    sender_address: str
    sender_name: str
    body: str
    received_at: datetime
    outbound: bool
    #: Replies in its thread (for a top-level line that is a thread root).
    replies: int = 0

    @property
    def sender(self) -> str:
        return self.sender_name or self.sender_address


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the chat view shows for one opened message."""

    target: ReplyTarget
    title: str
    account: str
    lines: list[ChatLine]
    #: The thread's root event id when the lines are a thread, else None.
    thread: str | None

    @property
    def in_thread(self) -> bool:
        return self.thread is not None


_LINES = (
    "SELECT m.id, m.sender_address, m.sender_name, coalesce(m.body_text, m.snippet),"
    " m.received_at, m.direction, ("
    "   SELECT count(*) FROM messages AS r WHERE r.account_id = m.account_id"
    "   AND r.conversation = m.conversation AND r.thread = m.remote_id"
    "   AND r.removed_at IS NULL)"
    " FROM messages AS m WHERE m.account_id = :account_id AND m.conversation = :conversation"
    " AND m.removed_at IS NULL AND {where}"
    " ORDER BY m.received_at DESC, m.id DESC LIMIT :limit"
)


def conversation(store: Store, message_pk: int, *, limit: int = 200) -> Conversation:
    """The room or thread of chat message ``message_pk`` (BadInput if it is none)."""
    with store.reading() as session:
        target = outbox.find_reply_target(session, message_pk)
        if target is None:
            raise BadInput(f"no message with id {message_pk}")
        medium = (
            session.connection()
            .exec_driver_sql("SELECT medium FROM messages WHERE id = ?", (message_pk,))
            .scalar()
        )
        if target.account.kind not in CHAT_KINDS or medium != "chat":
            raise BadInput(f"message {message_pk} is an email, not a chat message")
        thread = target.thread
        if thread is None:
            has_replies = (
                session.connection()
                .exec_driver_sql(
                    "SELECT 1 FROM messages WHERE account_id = ? AND conversation = ?"
                    " AND thread = ? LIMIT 1",
                    (target.account.id, target.conversation, target.remote_id),
                )
                .first()
            )
            thread = target.remote_id if has_replies else None
        if thread is None:
            where, extra = "m.thread IS NULL", {}
        else:
            where, extra = "(m.thread = :thread OR m.remote_id = :thread)", {"thread": thread}
        rows = session.execute(
            text(_LINES.format(where=where)),
            {
                "account_id": target.account.id,
                "conversation": target.conversation,
                "limit": limit,
                **extra,
            },
        ).all()
    lines = [
        ChatLine(
            id=int(pk),
            sender_address=str(address),
            sender_name=str(name or ""),
            body=str(body or ""),
            received_at=instant_from_db(str(at)),
            outbound=direction == Direction.OUTBOUND.value,
            replies=int(replies) if thread is None else 0,
        )
        for pk, address, name, body, at, direction, replies in reversed(rows)
    ]
    return Conversation(target, target.subject, target.account.name, lines, thread)
