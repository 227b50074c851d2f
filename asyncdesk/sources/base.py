"""The one small interface every protocol implements.

A source turns its protocol into :class:`~asyncdesk.core.messages.Message` values and
its library's errors into :class:`SourceError` (STYLE.md habit 4): nothing past this
layer sees an IMAP tuple or a Slack payload.

Sync contract: ``sync(stream, cursor)`` resumes from a cursor the engine saved earlier
(``None`` the first time) and yields batches. The engine writes each batch together
with its ``cursor`` in one transaction, so if the process dies after any batch, the
next sync resumes from the last committed cursor, and identity (account, remote id)
absorbs any replay. Cursors are opaque text owned by the source.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from asyncdesk.core.accounts import Account
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Message


class SourceError(AsyncDeskError):
    """A source could not do its job (network, auth, protocol); the message says which."""


class CertificateRejected(SourceError):
    """The server's certificate is not trusted (or is not the pinned one)."""


class AuthFailed(SourceError):
    """The server refused the user name or password (or token)."""


class ConnectionFailed(SourceError):
    """No usable connection: refused, timed out, unknown host, dropped, protocol error."""


@dataclass(frozen=True, slots=True)
class Flags:
    """The server's flags of the message at ``position`` of a stream."""

    position: int
    seen: bool
    flagged: bool


@dataclass(frozen=True, slots=True)
class Edit:
    """The sender changed the text of the message ``remote_id`` (a chat edit).

    ``sender``, when given, must be the message's sender for the edit to apply (chat
    clients ignore anyone else's edits)."""

    remote_id: str
    body_text: str
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    """Someone invited the user to a chat room, which the user may join or decline."""

    room_id: str
    name: str
    inviter: str


@dataclass(frozen=True, slots=True)
class SyncBatch:
    """Messages that belong to ``stream``, and the cursor to resume after them.

    ``done``/``total`` report progress within the stream (``total`` is ``None`` when the
    source cannot know it).

    Sources whose streams have positions (IMAP UIDs) also say where things are, all
    applied in the same transaction as the messages, in this order:

    - ``reset``: every position known for the stream is void (UIDVALIDITY changed); its
      messages count as removed until a later batch places them again.
    - ``positions``: parallel to ``messages``, where each one sits.
    - ``flags``: flags by position (new messages and changed old ones).
    - ``vanished``: positions that are gone (expunged).
    - ``present``: when not ``None``, every position now in the stream; any other known
      position has vanished.

    Chat sources also report changes to messages already stored, applied after the
    batch's own messages (so an edit may follow its original in the same batch):

    - ``edits``: new text for a message (the newest edit wins).
    - ``redactions``: messages their sender deleted: their text goes, they leave the
      inbox, and they need no reply any more (still counted in their week's stats).

    And the rooms the user is invited to: ``invitations`` are new (or still pending;
    with ``invitations_complete`` they are all there are, and any other is gone), and
    ``uninvited`` rooms are pending no more (joined, declined or withdrawn).
    """

    stream: str
    messages: Sequence[Message]
    cursor: str
    done: int = 0
    total: int | None = None
    positions: Sequence[int] = ()
    flags: Sequence[Flags] = ()
    vanished: Sequence[int] = ()
    present: Sequence[int] | None = None
    reset: bool = False
    edits: Sequence[Edit] = ()
    redactions: Sequence[str] = ()
    invitations: Sequence[Invitation] = ()
    invitations_complete: bool = False
    uninvited: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.positions and len(self.positions) != len(self.messages):
            raise ValueError("positions must be parallel to messages")


class Source(Protocol):
    account: Account

    def streams(self) -> Sequence[str]:
        """Names of the independent streams to sync (folders, room lists, ...)."""
        ...

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        """Yield what is new in ``stream`` since ``cursor``; may yield nothing."""
        ...

    def close(self) -> None:
        """Release connections; safe to call twice."""
        ...
