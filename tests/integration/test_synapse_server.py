"""The Synapse fixture behaves like the homeserver the app will meet.

Talks to it over raw HTTP (the fixture's own helpers and ``request()``), no AsyncDesk
code, so a failure here is about the fixture or the machine, not the app.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from servers.synapse import MatrixHttpError, Synapse


def _user(synapse: Synapse, name: str) -> tuple[str, str]:
    """A fresh user (the server is shared by the session): ``(user_id, token)``."""
    return synapse.register(f"{name}{secrets.token_hex(4)}", secrets.token_urlsafe(12))


def _sync(synapse: Synapse, token: str) -> dict[str, Any]:
    """A full initial ``/sync``, with room timelines long enough for a whole test."""
    room_filter = {"room": {"timeline": {"limit": 100}}}
    answer: dict[str, Any] = synapse.request(
        "GET",
        "/_matrix/client/v3/sync",
        token,
        query={"filter": json.dumps(room_filter), "timeout": "0"},
    )
    return answer


def test_dm_thread_edit_and_redaction_reach_the_other_user(synapse: Synapse) -> None:
    alice, alice_token = _user(synapse, "alice")
    bob, bob_token = _user(synapse, "bob")
    assert alice.endswith(":" + synapse.server_name)

    room = synapse.create_room(alice_token, invite=[bob], is_direct=True, name="Alice & Bob")
    synapse.set_direct(alice_token, alice, bob, room)
    invite = _sync(synapse, bob_token)["rooms"]["invite"][room]["invite_state"]["events"]
    own_invite = [e for e in invite if e["type"] == "m.room.member" and e["state_key"] == bob]
    assert own_invite[0]["content"]["is_direct"] is True

    synapse.join(bob_token, room)
    root = synapse.send_text(alice_token, room, "Lunch at noon?", mentions=[bob])
    reply = synapse.send_text(alice_token, room, "Or one o'clock.", thread_root=root)
    edit = synapse.edit(alice_token, room, root, "Lunch at half past twelve?")
    oops = synapse.send_text(alice_token, room, "wrong room, sorry")
    redaction = synapse.redact(alice_token, room, oops)

    timeline = _sync(synapse, bob_token)["rooms"]["join"][room]["timeline"]["events"]
    by_id = {event["event_id"]: event for event in timeline}
    assert by_id[root]["content"]["body"] == "Lunch at noon?"
    assert by_id[root]["content"]["m.mentions"] == {"user_ids": [bob]}
    assert by_id[root]["sender"] == alice
    relation = by_id[reply]["content"]["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"]) == ("m.thread", root)
    assert by_id[edit]["content"]["m.new_content"]["body"] == "Lunch at half past twelve?"
    assert by_id[edit]["content"]["m.relates_to"] == {"rel_type": "m.replace", "event_id": root}
    assert by_id[oops]["content"] == {}  # redacted: the text is gone for everyone
    assert by_id[redaction]["redacts"] == oops

    direct = _sync(synapse, alice_token)["account_data"]["events"]
    assert {"type": "m.direct", "content": {bob: [room]}} in direct


def test_rate_limits_do_not_get_in_the_way(synapse: Synapse) -> None:
    """Default limits allow a burst of 10 messages, then ~0.2 a second (429s)."""
    _, token = _user(synapse, "chatty")
    room = synapse.create_room(token)
    for i in range(50):
        synapse.send_text(token, room, f"message {i}")


def test_errors_carry_the_matrix_error_code(synapse: Synapse) -> None:
    _, token = _user(synapse, "carol")
    with pytest.raises(MatrixHttpError) as raised:
        synapse.join(token, "!nowhere:" + synapse.server_name)
    assert raised.value.status in (403, 404)
    assert raised.value.body["errcode"].startswith("M_")
