"""Answering a chat message (Matrix or Slack) through its own account.

Unlike email there is no outbox: the message is sent at once, and the stored copy is
recorded under the id the server gave it, which is the id the next sync gives the
same message, so nothing is added twice. A crash between sending and recording loses
nothing either: the sync brings the sent message back as the user's own, and it
clears the deadline as a reply from any other device would. A send that fails is
one line for the user and changes nothing.

Where the answer goes: into the message's thread when it is in one; otherwise as a
reply to it in the room or channel (Matrix: ``m.in_reply_to``; Slack: top level).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Direction, Medium, Message, Sender
from asyncdesk.services.chat_accounts import open_source
from asyncdesk.services.secrets import Secrets
from asyncdesk.store import outbox
from asyncdesk.store.database import Store
from asyncdesk.store.outbox import ReplyTarget

log = logging.getLogger(__name__)

CHAT_KINDS = (AccountKind.MATRIX, AccountKind.SLACK)


@dataclass(frozen=True, slots=True)
class ChatReplyOutcome:
    """A chat reply that went out: where, and the id the server gave it."""

    account: str
    where: str
    remote_id: str
    in_thread: bool

    @property
    def ok(self) -> bool:
        return True

    def describe(self) -> str:
        place = f"in the thread of {self.where}" if self.in_thread else f"to {self.where}"
        return f"sent your reply {place} ({self.account})"


def reply_in_chat(
    store: Store, clock: Clock, secrets: Secrets, target: ReplyTarget, body: str
) -> ChatReplyOutcome:
    """Send ``body`` as the answer to ``target`` and record it (see the module doc)."""
    remote_id = send_only(target, secrets, body)
    record_only(store, clock, target, body, remote_id)
    log.info("sent a chat reply to message %d (%s)", target.id, target.account.name)
    return ChatReplyOutcome(
        target.account.name, target.subject, remote_id, target.thread is not None
    )


def send_only(target: ReplyTarget, secrets: Secrets, body: str) -> str:
    """The network half: send, return the id the server gave the message."""
    if not body.strip():
        raise BadInput("the reply is empty: nothing sent")
    account = target.account
    if account.kind not in CHAT_KINDS:
        raise ValueError("a chat reply needs a Matrix or Slack message")
    text = body.rstrip("\n")
    source = open_source(account, secrets)
    try:
        if account.kind is AccountKind.MATRIX:
            from asyncdesk.sources.matrix import MatrixSource

            assert isinstance(source, MatrixSource)
            return source.send_reply(
                target.conversation, text, reply_to=target.remote_id, thread=target.thread
            )
        from asyncdesk.sources.slack import SlackSource, split_remote_id

        assert isinstance(source, SlackSource)
        thread_ts = split_remote_id(target.thread)[1] if target.thread else None
        return source.send_reply(target.conversation, text, thread_ts=thread_ts)
    finally:
        source.close()


def record_only(store: Store, clock: Clock, target: ReplyTarget, body: str, remote_id: str) -> None:
    """The database half: the copy under the server's id, answering ``target``."""
    account = target.account
    assert account.id is not None
    now = clock.now()
    me = account.identities[0] if account.identities else account.name
    copy = Message(
        remote_id=remote_id,
        direction=Direction.OUTBOUND,
        medium=Medium.CHAT,
        conversation=target.conversation,
        thread=target.thread,
        sender=Sender(me),
        subject=target.subject,
        received_at=now,
        body_text=body.rstrip("\n"),
        in_reply_to=target.remote_id or None,
    )
    with store.writing() as session:
        outbox.record_outbound(session, account.id, copy, answers=target.id, now=now)
