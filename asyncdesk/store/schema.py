"""The tables. Changing anything here needs a new Alembic revision in ``migrations/``.

Identity of a message is ``(account_id, remote_id)`` (a unique constraint, so a sync
that replays a batch cannot duplicate). Email also keeps its normalised Message-ID for
reply matching. Full-text search lives in the FTS5 table ``message_search``, created
by migration 0002 and kept in step by triggers, so no code path can forget it; saved
answers have theirs, ``answer_search`` (migration 0009), kept the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from asyncdesk.store.columns import UTCInstant


class Base(DeclarativeBase):
    pass


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The user's own addresses / chat ids in this account, as a JSON list.
    identities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Connection settings only, never secrets (those are in the keyring).
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("account_id", "remote_id", name="uq_messages_identity"),
        Index("ix_messages_inbox", "direction", "received_at", "id"),
        Index("ix_messages_conversation", "account_id", "conversation", "received_at"),
        Index("ix_messages_message_id", "message_id"),
        Index("ix_messages_due", "state", "due_at"),
        # For reply detection (store.messages._APPLY_REPLIES): open commitments and
        # outbound messages by conversation, without visiting the rest of a busy room.
        Index(
            "ix_messages_open",
            "account_id",
            "conversation",
            sqlite_where=text("state IN ('open', 'snoozed')"),
        ),
        Index(
            "ix_messages_replies",
            "account_id",
            "conversation",
            "received_at",
            sqlite_where=text("direction = 'outbound'"),
        ),
        # Inbound messages a newly stored reply may answer (store.messages), and a
        # week's stats read from the index alone (store.stats); see migration 0006.
        Index(
            "ix_messages_first_reply",
            "account_id",
            "conversation",
            "first_reply_at",
            sqlite_where=text("direction = 'inbound'"),
        ),
        Index(
            "ix_messages_stats",
            "received_at",
            "account_id",
            "needs_reply",
            "due_at",
            "state",
            "first_reply_at",
            sqlite_where=text("direction = 'inbound'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(512))
    direction: Mapped[str] = mapped_column(String(8))
    medium: Mapped[str] = mapped_column(String(8))
    conversation: Mapped[str] = mapped_column(String(512))
    thread: Mapped[str | None] = mapped_column(String(512))
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    sender_address: Mapped[str] = mapped_column(String(320))
    sender_name: Mapped[str] = mapped_column(String(256), default="")
    to_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    cc_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    snippet: Mapped[str] = mapped_column(String(160), default="")
    body_text: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    is_direct: Mapped[bool] = mapped_column(Boolean, default=False)
    mentions_me: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCInstant())
    needs_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    # open / replied / snoozed / dismissed; NULL when no reply is needed.
    state: Mapped[str | None] = mapped_column(String(10))
    replied_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    # The server's Seen and Flagged flags, kept in step by sync.
    seen: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Expunged on the server: hidden from the inbox, still counted in its week's stats.
    removed_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    size: Mapped[int | None] = mapped_column(Integer)
    # Fetched on open or in the background; ``body_html`` is as sent (sanitised on show).
    body_html: Mapped[str | None] = mapped_column(Text)
    body_fetched_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    # Why the classifier decided needs-reply (or not), in words for the user.
    reply_reason: Mapped[str | None] = mapped_column(Text)
    # The user's own call for this message; wins over every rule. NULL: none.
    reply_override: Mapped[bool | None] = mapped_column(Boolean)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCInstant())
    # Inbound only: when the first reply of the conversation after it went out (any
    # reply, needed or not, kept in step by store.messages); the weekly stats' fact.
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    # The user is done with it (E): out of the inbox, still found by search.
    archived_at: Mapped[datetime | None] = mapped_column(UTCInstant())


class MessageLocationRow(Base):
    """Where a message sits in a stream (its UID in an IMAP folder).

    Servers report flag changes and expunges by position; this finds the row. A message
    may sit in several places; it counts as removed when it sits nowhere any more.
    """

    __tablename__ = "message_locations"
    __table_args__ = (Index("ix_message_locations_message", "message_pk"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(256), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))


class ChatInvitationRow(Base):
    """A chat room the user is invited to, until joined, declined or withdrawn."""

    __tablename__ = "chat_invitations"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    inviter: Mapped[str] = mapped_column(String(320))
    invited_at: Mapped[datetime] = mapped_column(UTCInstant())


class OutboxRow(Base):
    """A reply from the moment it is composed until it is filed in the Sent folder.

    States (``store.outbox.OutboxState``; transitions in ``store.outbox``):
    ``queued`` (not handed to the server yet: safe to send), ``sending`` (claimed and
    committed before the server hears of it; found so by a later flush, it becomes
    ``unsure``), ``unsure`` (the server may or may not have accepted it: never sent
    again by itself, only when the user retries it), ``sent`` (accepted, not yet
    filed), ``filed`` (in Sent: done), ``failed`` (refused for good, nothing delivered).
    ``error`` is one line saying why the last step failed (or which recipients were
    refused); ``attempts`` counts claims, and names the current one.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    reply_to_pk: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    state: Mapped[str] = mapped_column(String(10))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    envelope_from: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())
    updated_at: Mapped[datetime] = mapped_column(UTCInstant())


class ReplyRuleRow(Base):
    """The user's override of needs-reply for a sender address or a whole domain."""

    __tablename__ = "reply_rules"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_reply_rules_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # sender / domain
    value: Mapped[str] = mapped_column(String(320))
    needs_reply: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())


class SlaRuleRow(Base):
    """A reply-by promise for a sender, a domain or an account, in minutes; the most
    specific one applies (sender > domain > account > the default setting)."""

    __tablename__ = "sla_rules"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_sla_rules_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # sender / domain / account
    value: Mapped[str] = mapped_column(String(320))
    minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())


class SyncStateRow(Base):
    """Where each stream of an account (a folder, a room list) stopped syncing.

    Written in the same transaction as the batch it follows, so the two never disagree.
    """

    __tablename__ = "sync_state"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(256), primary_key=True)
    cursor: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCInstant())


class SettingRow(Base):
    """A user setting that differs from its declared default (see core.settings)."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ScheduleVersionRow(Base):
    """One version of the typed schedule (core.schedule_document), valid from an instant.

    Every change writes a new version instead of updating, so the mode at any past
    instant, and with it window and deep-work minutes for the weekly stats, can be
    derived exactly even after the schedule changed.
    """

    __tablename__ = "schedule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(UTCInstant(), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class ImportedBlockRow(Base):
    """A deep-work block imported from a calendar file; ``removed_at`` keeps history."""

    __tablename__ = "imported_blocks"
    __table_args__ = (Index("ix_imported_blocks_span", "removed_at", "start_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    uid: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UTCInstant())
    end_at: Mapped[datetime] = mapped_column(UTCInstant())
    imported_at: Mapped[datetime] = mapped_column(UTCInstant())
    removed_at: Mapped[datetime | None] = mapped_column(UTCInstant())


class EventRow(Base):
    """Things that happened and that the stats count: break-glass (with its reason),
    notifications sent or deferred. Window and deep-work transitions are derived from
    the schedule versions instead, so they are exact even while the app was not running.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCInstant())
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AnswerRow(Base):
    """A saved answer (the knowledge base; rules in ``core.answers``).

    ``tags`` is a JSON list (normalised, lower-case): a handful per answer, always read
    with it, and searched through the FTS5 index, so a table of its own would only add
    a join and a second thing for the search triggers to follow. ``links`` (recordings
    found in the body, each ``{"url", "context", "kind"}``) is derived from the body and
    written with it. The source message is referenced while it exists (``SET NULL``
    when its account is removed); its account, remote id, sender, subject and time are
    copied so the answer still says where it came from. ``answer_search`` (migration
    0009) indexes title, body and tags by trigger.
    """

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_created", "created_at", "id"),
        # Deleting a message (an account removed) looks up the answers that cite it.
        Index("ix_answers_source", "source_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    source_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL")
    )
    source_account: Mapped[str | None] = mapped_column(String(64))
    source_remote_id: Mapped[str | None] = mapped_column(String(512))
    source_sender: Mapped[str | None] = mapped_column(String(320))
    source_subject: Mapped[str | None] = mapped_column(Text)
    source_received_at: Mapped[datetime | None] = mapped_column(UTCInstant())
    # Which text of the message was saved: "body" (fetched) or "snippet".
    source_text: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCInstant())
    updated_at: Mapped[datetime] = mapped_column(UTCInstant())


class AutoReplyRow(Base):
    """An auto-reply of the published availability (``store.auto_replies``).

    One per conversation per closed period: ``window_key`` is the start of the window
    that ends the period. The row is the claim, committed before SMTP hears of the
    message: ``queued`` (claimed; left so, the process died before the server answered:
    never sent again), ``sent``, ``failed`` (``error`` says why, one line). Auto-replies
    are not message rows, so they never answer a conversation nor count in the stats.
    """

    __tablename__ = "auto_replies"
    __table_args__ = (
        UniqueConstraint("account_id", "conversation", "window_key", name="uq_auto_replies_once"),
        Index("ix_auto_replies_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    conversation: Mapped[str] = mapped_column(String(512))
    window_key: Mapped[datetime] = mapped_column(UTCInstant())
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(998))
    state: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())
    sent_at: Mapped[datetime | None] = mapped_column(UTCInstant())


class CheckinRow(Base):
    """A check-in (``store.checkins``): a question asked of ``recipients`` (email
    addresses, or chat user / room ids) through one account on ``days`` (``fri``,
    ``mon-fri``: ``core.schedule.parse_days``) at ``minute`` after local midnight in
    the schedule's zone."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    days: Mapped[str] = mapped_column(String(32))
    minute: Mapped[int] = mapped_column(Integer)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())


class CheckinRunRow(Base):
    """One asking of a check-in, at its ``due_at`` (UTC). The unique
    ``(checkin_id, due_at)`` is the claim: the row is inserted and committed before
    anything is sent, so a second process or a restart never asks twice. ``state``:
    ``queued`` (claimed), ``sent`` (every message handed over), ``partial``, ``failed``."""

    __tablename__ = "checkin_runs"
    __table_args__ = (UniqueConstraint("checkin_id", "due_at", name="uq_checkin_runs_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCInstant())
    state: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCInstant())
    sent_at: Mapped[datetime | None] = mapped_column(UTCInstant())


class CheckinSendRow(Base):
    """What a run sent to one recipient, to match the answers: email keeps the
    message's ``message_id`` (the reply's In-Reply-To / References name it); chat the
    ``conversation`` (room / channel) and the event's ``remote_id``. ``state``:
    ``queued`` / ``sent`` / ``failed`` (``error``: why, one line); an email's delivery
    is the outbox's (``outbox.message_id``)."""

    __tablename__ = "checkin_sends"
    __table_args__ = (
        UniqueConstraint("run_id", "recipient", name="uq_checkin_sends_recipient"),
        Index("ix_checkin_sends_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("checkin_runs.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str | None] = mapped_column(String(998))
    conversation: Mapped[str | None] = mapped_column(String(512))
    remote_id: Mapped[str | None] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCInstant())


#: The FTS5 tables (and their shadow tables) made by hand-written SQL in migrations.
_FTS_TABLES = ("message_search", "answer_search")


def managed_by_models(name: str | None, type_: str, _parent: object) -> bool:
    """Alembic ``include_name`` hook: the FTS5 tables and their shadow tables are made by
    hand-written SQL in migrations 0002 and 0009, not from the models, so autogenerate
    ignores them."""
    return not (type_ == "table" and name is not None and name.startswith(_FTS_TABLES))
