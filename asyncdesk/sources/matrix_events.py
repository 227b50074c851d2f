"""Matrix room events as AsyncDesk messages, edits and deletions.

Pure: raw event dicts (the client-server API's JSON, as matrix-nio keeps it in each
event's ``source``) and what is known about their room in, values out; no network. So
the rules are tested without a homeserver, and the source (:mod:`.matrix`) only
fetches.

The rules, each from the Matrix spec (v1.9+):

- A conversation is a room. A message inside a thread (``m.relates_to`` with
  ``rel_type: m.thread``) has ``thread`` = the root's event id (the root's
  ``remote_id``); the root itself and every other message are top-level. So a reply in
  the room answers the room's earlier top-level messages, a reply in a thread answers
  that thread and its root (store.messages).
- Direct: the room is listed in the user's ``m.direct`` account data.
- Mentions: ``m.mentions.user_ids`` names the user (intentional mentions); for events
  without ``m.mentions`` (older clients) the body naming the user's id or display name.
  ``@room`` (``m.mentions.room``) is a broadcast, not a personal mention.
- Edits (``rel_type: m.replace``) carry the new text in ``m.new_content``; only the
  original sender's edits count, as clients show them. Deletions are
  ``m.room.redaction`` events (``redacts`` in the content from room v11, at the top
  level before); an event that arrives already redacted is skipped.
- ``m.notice`` is what bots send: such a message carries the ``x-chat-bot`` header.
- Encrypted events (``m.room.encrypted``) cannot be read here (no end-to-end
  decryption): they are shown honestly, as a placeholder saying so, and still count
  (a DM in an encrypted room still needs a reply).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from asyncdesk.core.classify import CHAT_BOT_HEADER
from asyncdesk.core.messages import Direction, Medium, Message, Sender
from asyncdesk.sources.base import Edit

ENCRYPTED_PLACEHOLDER = (
    "🔒 End-to-end encrypted message: AsyncDesk cannot decrypt it. "
    "Read it in a Matrix client that has your keys."
)
ENCRYPTED_HEADER = "x-matrix-encrypted"
_MEDIA = {
    "m.image": "image",
    "m.file": "file",
    "m.video": "video",
    "m.audio": "audio",
    "m.location": "location",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Room:
    """What the mapping needs to know about a room."""

    room_id: str
    name: str
    is_direct: bool = False
    #: Display names by user id, for senders and mentions.
    members: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Mapped:
    """What a run of events comes to, in the order they came."""

    messages: list[Message] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    redactions: list[str] = field(default_factory=list)

    def extend(self, other: Mapped) -> None:
        self.messages.extend(other.messages)
        self.edits.extend(other.edits)
        self.redactions.extend(other.redactions)


def instant(origin_server_ts: Any) -> datetime:
    """Milliseconds since the epoch (the server's clock) as a UTC instant."""
    try:
        millis = int(origin_server_ts)
    except (TypeError, ValueError):
        millis = 0
    return _EPOCH + timedelta(milliseconds=millis)


def map_events(events: Iterable[Mapping[str, Any]], room: Room, me: str) -> Mapped:
    """The messages, edits and deletions among ``events`` of ``room`` for user ``me``.

    Events of other kinds (state, reactions, calls) are skipped; malformed ones too,
    never stopping the rest."""
    mapped = Mapped()
    my_name = room.members.get(me, "")
    for event in events:
        if not isinstance(event, Mapping):
            continue
        kind = event.get("type")
        content = event.get("content")
        if not isinstance(content, Mapping):
            continue
        event_id = event.get("event_id")
        sender = event.get("sender")
        if not isinstance(event_id, str) or not isinstance(sender, str):
            continue
        if kind == "m.room.redaction":
            target = content.get("redacts", event.get("redacts"))
            if isinstance(target, str):
                mapped.redactions.append(target)
            continue
        unsigned = event.get("unsigned")
        if isinstance(unsigned, Mapping) and "redacted_because" in unsigned:
            continue
        if kind == "m.room.encrypted":
            mapped.messages.append(
                _message(event, room, me, body=ENCRYPTED_PLACEHOLDER, relates=content)
            )
            continue
        if kind != "m.room.message":
            continue
        relates = content.get("m.relates_to")
        relates = relates if isinstance(relates, Mapping) else {}
        if relates.get("rel_type") == "m.replace":
            new = content.get("m.new_content")
            original = relates.get("event_id")
            if isinstance(new, Mapping) and isinstance(original, str):
                mapped.edits.append(Edit(original, _text(new), sender=sender))
            continue
        mentions = _mentions_me(content, me, my_name)
        mapped.messages.append(
            _message(event, room, me, body=_text(content), relates=content, mentions=mentions)
        )
    return mapped


def _message(
    event: Mapping[str, Any],
    room: Room,
    me: str,
    *,
    body: str,
    relates: Mapping[str, Any],
    mentions: bool = False,
) -> Message:
    sender = str(event["sender"])
    content = event.get("content") or {}
    relation = relates.get("m.relates_to")
    relation = relation if isinstance(relation, Mapping) else {}
    thread = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
    reply = relation.get("m.in_reply_to")
    in_reply_to = reply.get("event_id") if isinstance(reply, Mapping) else None
    headers: dict[str, str] = {}
    if event.get("type") == "m.room.encrypted":
        headers[ENCRYPTED_HEADER] = "1"
    elif content.get("msgtype") == "m.notice" and sender != me:
        headers[CHAT_BOT_HEADER] = room.members.get(sender) or sender
    return Message(
        remote_id=str(event["event_id"]),
        direction=Direction.OUTBOUND if sender == me else Direction.INBOUND,
        medium=Medium.CHAT,
        conversation=room.room_id,
        thread=thread if isinstance(thread, str) else None,
        sender=Sender(sender, room.members.get(sender, "")),
        subject=room.name or room.room_id,
        received_at=instant(event.get("origin_server_ts")),
        body_text=body,
        in_reply_to=in_reply_to if isinstance(in_reply_to, str) else None,
        headers=headers,
        is_direct=room.is_direct,
        mentions_me=mentions,
    )


def _text(content: Mapping[str, Any]) -> str:
    """The message's text; media as ``[image] name`` (the body is their file name)."""
    body = content.get("body")
    text = body if isinstance(body, str) else ""
    media = _MEDIA.get(str(content.get("msgtype")))
    if media is not None:
        return f"[{media}] {text}".rstrip()
    if content.get("msgtype") == "m.emote":
        return f"* {text}"
    return _strip_reply_fallback(text)


def _strip_reply_fallback(text: str) -> str:
    """Drop the quoted ``> <@who> ...`` lines older clients put before a reply's text."""
    if not text.startswith("> <"):
        return text
    lines = text.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    rest = "\n".join(lines[index:]).lstrip("\n")
    return rest or text


def _mentions_me(content: Mapping[str, Any], me: str, my_name: str) -> bool:
    mentions = content.get("m.mentions")
    if isinstance(mentions, Mapping):
        users = mentions.get("user_ids")
        return isinstance(users, list) and me in users
    body = content.get("body")
    if not isinstance(body, str):
        return False
    if me in body:
        return True
    if len(my_name) >= 2:
        return re.search(rf"(?<!\w){re.escape(my_name)}(?!\w)", body, re.IGNORECASE) is not None
    return False
