"""Protocol-neutral messages, as every source hands them to the rest of the app.

Values are normalised at the edge (himalaya's envelope): Message-IDs without angle
brackets, addresses lower-cased, instants in UTC, so that the same message compares
equal whichever backend produced it.
"""

from __future__ import annotations

import re
from collections.abc import Container
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


def address_domain(address: str) -> str | None:
    """The domain a sender belongs to, lower-cased; None if the address has none.

    ``ada@mail.example.org`` → ``mail.example.org``; a Matrix id ``@ada:example.org`` →
    ``example.org`` (its homeserver); a Slack user id such as ``U024BE7LH`` → None.
    """
    cleaned = normalize_address(address)
    if cleaned.startswith("@"):
        domain = cleaned.partition(":")[2]
    else:
        local, at, domain = cleaned.rpartition("@")
        if not (at and local):
            return None
    return domain.strip(".") or None


def normalize_domain(raw: str) -> str:
    """A domain as the user may type it (``@Example.com``, ``*.example.com``) → ``example.com``."""
    cleaned = raw.strip().lower()
    cleaned = cleaned.removeprefix("*.").lstrip("@")
    return cleaned.strip(".")


def most_specific_domain(domain: str | None, candidates: Container[str]) -> str | None:
    """The longest of ``candidates`` that is ``domain`` or one of its parent domains.

    ``example.com`` covers ``mail.example.com`` but not ``badexample.com``. Candidates are
    looked up as given (a set or a mapping's keys): normalise them with
    :func:`normalize_domain` first.
    """
    if not domain:
        return None
    labels = domain.split(".")
    for index in range(len(labels)):
        suffix = ".".join(labels[index:])
        if suffix in candidates:
            return suffix
    return None


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
        return make_snippet(self.body_text)


def make_snippet(body_text: str) -> str:
    """The first words of a body on one line (160 characters), for list views."""
    return " ".join(body_text.split())[:160]


@dataclass(frozen=True, slots=True)
class Triage:
    """What the app decided about an inbound message when it arrived.

    ``reason`` says in one short sentence why it needs a reply or not (a tooltip, e.g.
    "You are only in Cc"); ``due_at`` is the UTC instant the reply is due, if one is.
    """

    needs_reply: bool
    due_at: datetime | None = None
    reason: str = ""
