"""Matrix events, in the client-server API's JSON shapes, as messages, edits, deletions.

The events are written as a homeserver sends them (spec v1.9 examples, and what
Element sends: reply fallbacks, intentional mentions, threads, edits); the Synapse
tests (tests/integration) check the same rules end to end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asyncdesk.core.messages import Direction
from asyncdesk.sources.base import Edit
from asyncdesk.sources.matrix_events import ENCRYPTED_PLACEHOLDER, Room, map_events

ME = "@me:example.org"
ANN = "@ann:example.org"
ROOM = Room("!r:example.org", "Project X", members={ME: "Robin", ANN: "Ann"})
TS = 1_763_280_000_123  # 2025-11-16 08:00:00.123 UTC


def event(
    event_id: str, body: str = "hi", *, sender: str = ANN, ts: int = TS, **content: Any
) -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": event_id,
        "sender": sender,
        "origin_server_ts": ts,
        "content": {"msgtype": "m.text", "body": body, **content},
    }


def test_a_text_message_becomes_an_inbound_chat_message() -> None:
    (message,) = map_events([event("$1", "Can you review?")], ROOM, ME).messages
    assert message.remote_id == "$1"
    assert message.direction is Direction.INBOUND
    assert message.conversation == "!r:example.org"
    assert message.thread is None
    assert (message.sender.address, message.sender.name) == (ANN, "Ann")
    assert message.subject == "Project X"
    assert message.body_text == "Can you review?"
    assert message.received_at == datetime(2025, 11, 16, 8, 0, 0, 123000, tzinfo=UTC)
    assert not message.is_direct
    assert not message.mentions_me


def test_my_own_messages_from_any_device_are_outbound() -> None:
    (message,) = map_events([event("$1", sender=ME)], ROOM, ME).messages
    assert message.direction is Direction.OUTBOUND


def test_direct_rooms_make_direct_messages() -> None:
    dm = Room("!dm:example.org", "Ann", is_direct=True, members=ROOM.members)
    (message,) = map_events([event("$1")], dm, ME).messages
    assert message.is_direct


def test_mentions_intentional_and_by_name_but_not_at_room() -> None:
    events = [
        event("$a", "Robin: thoughts?", **{"m.mentions": {"user_ids": [ME]}}),
        event("$b", "ping robin about it"),  # no m.mentions: the display name
        event("$c", f"cc {ME}"),  # no m.mentions: the user id
        event("$d", "Robin said so", **{"m.mentions": {}}),  # m.mentions wins: not me
        event("$e", "@room release at 5", **{"m.mentions": {"room": True}}),
        event("$f", "robinson crusoe"),  # a longer word is not the name
    ]
    found = {m.remote_id: m.mentions_me for m in map_events(events, ROOM, ME).messages}
    assert found == {"$a": True, "$b": True, "$c": True, "$d": False, "$e": False, "$f": False}


def test_thread_messages_point_at_their_root() -> None:
    reply = event(
        "$t1",
        "in thread",
        **{
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": "$root",
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": "$root"},
            }
        },
    )
    (message,) = map_events([reply], ROOM, ME).messages
    assert message.thread == "$root"
    assert message.in_reply_to == "$root"


def test_a_reply_loses_the_quoted_fallback() -> None:
    body = "> <@ann:example.org> Can you review?\n> second line\n\nYes, tonight."
    rich = event("$r", body, **{"m.relates_to": {"m.in_reply_to": {"event_id": "$q"}}})
    (message,) = map_events([rich], ROOM, ME).messages
    assert message.body_text == "Yes, tonight."
    assert message.in_reply_to == "$q"
    assert message.thread is None


def test_edits_carry_the_new_text_and_their_sender() -> None:
    edit = event(
        "$e",
        " * Can you review today?",
        **{
            "m.new_content": {"msgtype": "m.text", "body": "Can you review today?"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$1"},
        },
    )
    mapped = map_events([event("$1", "Can you review?"), edit], ROOM, ME)
    assert [m.remote_id for m in mapped.messages] == ["$1"]
    assert mapped.edits == [Edit("$1", "Can you review today?", sender=ANN)]


def test_redactions_in_both_room_versions_and_already_redacted_events() -> None:
    events = [
        {
            "type": "m.room.redaction",
            "event_id": "$x",
            "sender": ANN,
            "redacts": "$1",
            "content": {},
        },
        {"type": "m.room.redaction", "event_id": "$y", "sender": ANN, "content": {"redacts": "$2"}},
        {**event("$3"), "content": {}, "unsigned": {"redacted_because": {"type": "x"}}},
    ]
    mapped = map_events(events, ROOM, ME)
    assert mapped.redactions == ["$1", "$2"]
    assert mapped.messages == []


def test_notices_are_from_bots_and_media_named() -> None:
    events = [
        event("$n", "Build 42 passed", msgtype="m.notice", sender="@ci:example.org"),
        event("$i", "diagram.png", msgtype="m.image", url="mxc://example.org/abc"),
        event("$m", "waves", msgtype="m.emote"),
    ]
    notice, image, emote = map_events(events, ROOM, ME).messages
    assert notice.headers == {"x-chat-bot": "@ci:example.org"}
    assert image.body_text == "[image] diagram.png"
    assert emote.body_text == "* waves"


def test_encrypted_events_are_shown_honestly() -> None:
    encrypted = {
        "type": "m.room.encrypted",
        "event_id": "$enc",
        "sender": ANN,
        "origin_server_ts": TS,
        "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn..."},
    }
    dm = Room("!dm:example.org", "Ann", is_direct=True)
    (message,) = map_events([encrypted], dm, ME).messages
    assert message.body_text == ENCRYPTED_PLACEHOLDER
    assert message.is_direct  # still a DM waiting for an answer
    assert message.headers == {"x-matrix-encrypted": "1"}


def test_odd_events_are_skipped_without_stopping_the_rest() -> None:
    events: list[Any] = [
        "not an event",
        {"type": "m.room.message", "event_id": "$a", "sender": ANN, "content": "text"},
        {"type": "m.room.message", "sender": ANN, "content": {"body": "no id"}},
        {"type": "m.reaction", "event_id": "$r", "sender": ANN, "content": {}},
        {
            "type": "m.room.member",
            "event_id": "$j",
            "sender": ANN,
            "state_key": ANN,
            "content": {"membership": "join"},
        },
        {**event("$ok", "fine"), "origin_server_ts": "garbage"},
        event("$last", "still read"),
    ]
    messages = map_events(events, ROOM, ME).messages
    assert [m.remote_id for m in messages] == ["$ok", "$last"]
    assert messages[0].received_at == datetime(1970, 1, 1, tzinfo=UTC)
