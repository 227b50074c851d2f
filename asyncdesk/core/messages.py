"""Protocol-neutral messages, as every source hands them to the rest of the app.

Values are normalised at the edge (himalaya's envelope): Message-IDs without angle
brackets, addresses lower-cased, instants in UTC, so that the same message compares
equal whichever backend produced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from asyncdesk.core.clock import utc


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Medium(StrEnum):
    """How a message travelled; decides threading and needs-reply rules."""

    EMAIL = "email"
    CHAT = "chat"


class ReplyState(StrEnum):
    """Where a reply-by commitment stands; ``None`` on messages that need no reply."""

    OPEN = "open"
    REPLIED = "replied"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"


_MSGID = re.compile(r"<([^<>\s]+)>")


def normalize_message_id(raw: str | None) -> str | None:
    """``"<a@b>"`` → ``"a@b"``; the first id if several; ``None`` if there is none."""
    if raw is None:
        return None
    match = _MSGID.search(raw)
    value = match.group(1) if match else raw.strip().strip("<>").strip()
    return value or None


def message_id_list(raw: str | None) -> tuple[str, ...]:
    """Every Message-ID in a References-style header, in order, without brackets."""
    if not raw:
        return ()
    found = _MSGID.findall(raw)
    if found:
        return tuple(found)
    return tuple(part.strip("<>") for part in raw.split() if part.strip("<>"))


def normalize_address(raw: str) -> str:
    return raw.strip().lower()


@dataclass(frozen=True, slots=True)
class Sender:
    address: str
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", normalize_address(self.address))

    @property
    def display(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


@dataclass(frozen=True, slots=True)
class Message:
    """One email or chat message as a source reports it.

    ``remote_id`` is unique within its account and stable across syncs; together with
    the account it is the message's identity. ``conversation`` is the email thread root
    or the chat room; ``thread`` is the chat thread's root id when the message is in a
    thread (a thread root itself has ``thread=None`` and belongs to its room and, by its
    ``remote_id``, to its thread). ``received_at`` is a UTC instant.
    """

    remote_id: str
    direction: Direction
    medium: Medium
    conversation: str
    sender: Sender
    subject: str
    received_at: datetime
    body_text: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    thread: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    is_direct: bool = False
    mentions_me: bool = False
    #: Size on the server in bytes, when the protocol reports one (IMAP RFC822.SIZE).
    size: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "received_at", utc(self.received_at))
        object.__setattr__(self, "to", tuple(normalize_address(a) for a in self.to))
        object.__setattr__(self, "cc", tuple(normalize_address(a) for a in self.cc))
        object.__setattr__(
            self, "headers", {key.lower(): value for key, value in self.headers.items()}
        )

    @property
    def snippet(self) -> str:
        """The first words of the body on one line, for list views."""
        return " ".join(self.body_text.split())[:160]


@dataclass(frozen=True, slots=True)
class Triage:
    """What the app decided about an inbound message when it arrived."""

    needs_reply: bool
    due_at: datetime | None = None
