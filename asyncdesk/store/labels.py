"""What the ``labels`` of ``inbox --json`` read from the store, a page at a time.

Labels are computed when read (no column holds them), so these readers must not cost a
statement per row:

- :func:`contact_history`: for a set of addresses (or every one), the first instant
  each wrote to the user (an inbound message from it, in any account) and the first
  instant the user wrote to it (an outbound message with it in To or Cc). One
  statement; the messages table has no index by sender, so it is one scan however many
  addresses are asked for: read it once for a whole listing (``senders=None``), or
  once per page for the addresses a page holds.
- :func:`body_texts`: the stored text of the page's messages that have one, by id
  (one statement for the page).

Instants are UTC, as everywhere in the store.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from asyncdesk.store.columns import instant_from_db

__all__ = ["ContactHistory", "body_texts", "contact_history"]

#: A body is read up to this many characters (the detectors read no further).
MAX_BODY_CHARS: Final = 100_000


@dataclass(slots=True)
class ContactHistory:
    """When each address first wrote to the user, and the user to it (UTC instants).

    ``known`` is every address this history was read for, whether or not it has any
    message: an address in ``known`` that is in neither map has no message at all.
    """

    first_from: dict[str, datetime] = field(default_factory=dict)
    first_to: dict[str, datetime] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    complete: bool = False

    def missing(self, addresses: Iterable[str]) -> set[str]:
        """The addresses of ``addresses`` this history was not read for."""
        if self.complete:
            return set()
        return {address for address in addresses if address not in self.known}

    def merge(self, other: ContactHistory) -> None:
        for mine, theirs in ((self.first_from, other.first_from), (self.first_to, other.first_to)):
            for address, at in theirs.items():
                if address not in mine or at < mine[address]:
                    mine[address] = at
        self.known |= other.known
        self.complete = self.complete or other.complete

    def is_first_contact(self, address: str, received_at: datetime) -> bool:
        """Whether a message from ``address`` at ``received_at`` is the first exchange:
        no message from it before (another copy at the same instant, in a second
        account, is a first contact too), and no message from the user to it before."""
        first_from = self.first_from.get(address)
        if first_from is not None and first_from < received_at:
            return False
        first_to = self.first_to.get(address)
        return first_to is None or first_to >= received_at


# The addresses asked for are a JSON list (:senders), or every address (:all = 1).
_HISTORY: Final = text(
    """
    SELECT 'from', m.sender_address, min(m.received_at) FROM messages AS m
    WHERE m.direction = 'inbound'
      AND (:all OR m.sender_address IN (SELECT value FROM json_each(:senders)))
    GROUP BY m.sender_address
    UNION ALL
    SELECT 'to', r.value, min(o.received_at)
    FROM messages AS o JOIN json_each(o.to_addresses) AS r
    WHERE o.direction = 'outbound'
      AND (:all OR r.value IN (SELECT value FROM json_each(:senders)))
    GROUP BY r.value
    UNION ALL
    SELECT 'to', r.value, min(o.received_at)
    FROM messages AS o JOIN json_each(o.cc_addresses) AS r
    WHERE o.direction = 'outbound'
      AND (:all OR r.value IN (SELECT value FROM json_each(:senders)))
    GROUP BY r.value
    """
)


def contact_history(session: Session, senders: Collection[str] | None) -> ContactHistory:
    """The exchanges with ``senders`` (``None``: with every address), in one statement."""
    wanted = [] if senders is None else sorted(set(senders))
    history = ContactHistory(known=set(wanted), complete=senders is None)
    if senders is not None and not wanted:
        return history
    rows = session.execute(_HISTORY, {"all": senders is None, "senders": json.dumps(wanted)}).all()
    for kind, address, at in rows:
        if address is None or at is None:
            continue
        target = history.first_from if kind == "from" else history.first_to
        instant = instant_from_db(str(at))
        key = str(address)
        if key not in target or instant < target[key]:
            target[key] = instant
    return history


_BODIES: Final = text(
    """
    SELECT m.id, substr(m.body_text, 1, :chars)
    FROM json_each(:ids) AS hit CROSS JOIN messages AS m ON m.id = hit.value
    WHERE m.body_text IS NOT NULL AND m.body_text != ''
      AND (m.needs_reply OR instr(m.body_text, '://') OR instr(m.body_text, '[attachment: '))
    """
)


def body_texts(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The stored body text of these messages, by id (up to :data:`MAX_BODY_CHARS`
    characters each), for those whose body the labels read: a message that needs a
    reply (asking for a meeting), and one with a link (a video) or an attachment (a
    calendar invitation). The others, and messages whose body is not stored yet, are
    left out: their snippet stands in, which says as much for those labels."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(_BODIES, {"ids": json.dumps(wanted), "chars": MAX_BODY_CHARS})
    return {int(id_): str(body) for id_, body in rows}
