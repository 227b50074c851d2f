"""`account add matrix`, `sync --once`, `inbox --json`, `reply` and `account remove`
against a real Synapse, as a user (and a script) would run them.

The password is read once from stdin; the access token goes to the keyring the test
environment names (keyrings.alt's plaintext file under the per-test XDG_DATA_HOME),
never to the profile.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from servers.synapse import Synapse
from test_account_cli import cli, keyring_of, one_line

PASSWORD = "tr0ub4dor&3 but longer"


@pytest.fixture
def people(synapse: Synapse) -> dict[str, tuple[str, str]]:
    tag = uuid.uuid4().hex[:8]
    return {name: synapse.register(f"{name}-{tag}", PASSWORD) for name in ("me", "ann")}


def add_args(synapse: Synapse, user: str, name: str = "chat") -> list[str]:
    return [
        "account", "add", "matrix", name,
        "--homeserver", synapse.base_url, "--user", user, "--password-stdin",
    ]  # fmt: skip


def test_add_sync_reply_and_remove_a_matrix_account(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synapse: Synapse,
    people: dict[str, tuple[str, str]],
    tmp_path: Path,
) -> None:
    root = tmp_path / "profile"
    me, my_token = people["me"]
    ann, ann_token = people["ann"]
    code, out, err = cli(capsys, monkeypatch, root, *add_args(synapse, me), stdin=PASSWORD + "\n")
    assert (code, err) == (0, "")
    assert out.startswith(f"Added account chat ({me} on {synapse.base_url})")
    kept = json.loads(keyring_of(root).get("chat") or "{}")
    assert set(kept) == {"access_token", "device_id"}  # both in the keyring, no password
    token = kept["access_token"]
    assert token
    assert PASSWORD not in json.dumps(kept)
    code, out, _ = cli(capsys, monkeypatch, root, "account", "list", "--json")
    (listed,) = json.loads(out)
    assert (listed["kind"], listed["identities"]) == ("matrix", [me])

    room = synapse.create_room(ann_token, invite=[me], is_direct=True)
    synapse.join(my_token, room)
    synapse.set_direct(my_token, me, ann, room)
    asked = synapse.send_text(ann_token, room, "Could you send the slides?")
    code, out, err = cli(capsys, monkeypatch, root, "sync", "--once")
    assert (code, err) == (0, "")
    code, out, _ = cli(capsys, monkeypatch, root, "inbox", "--json", "--break-glass", "test")
    assert code == 0
    (shown,) = json.loads(out)
    assert shown["kind"] == "matrix"
    assert shown["needs_reply"] is True
    assert shown["conversation"] == room

    code, out, err = cli(
        capsys, monkeypatch, root, "reply", str(shown["id"]), "--body-stdin",
        stdin="Sending them tonight.\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("sent your reply")
    events = synapse.request(
        "GET", f"/_matrix/client/v3/rooms/{room}/messages", ann_token, query={"dir": "b"}
    )["chunk"]
    texts = [e["content"].get("body") for e in events if e.get("type") == "m.room.message"]
    assert texts[0] == "Sending them tonight."
    reply_event = events[0]
    assert reply_event["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}

    code, _, _ = cli(capsys, monkeypatch, root, "sync", "--once")
    assert code == 0
    code, out, _ = cli(capsys, monkeypatch, root, "deadlines", "--json")
    assert code == 0
    assert all(item["id"] != shown["id"] for item in json.loads(out))  # answered: gone

    for path in root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
            assert token.encode() not in path.read_bytes(), path
            assert kept["device_id"].encode() not in path.read_bytes(), path

    code, out, _ = cli(capsys, monkeypatch, root, "account", "remove", "chat")
    assert code == 0
    assert keyring_of(root).get("chat") is None


def test_a_wrong_password_adds_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synapse: Synapse,
    people: dict[str, tuple[str, str]],
    tmp_path: Path,
) -> None:
    root = tmp_path / "profile"
    code, out, err = cli(
        capsys, monkeypatch, root, *add_args(synapse, people["me"][0]), stdin="wrong\n"
    )
    assert (code, out) == (2, "")
    assert "refused the user name or password" in one_line(err)
    assert not root.exists()  # nothing was created, not even the profile


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--homeserver", "http://matrix.example.org", "--user", "@me:example.org"], "plain http"),
        (["--homeserver", "https://matrix.example.org", "--user", "me"], "like @me:example.org"),
        (["--homeserver", "matrix.example.org", "--user", "@me:x.org"], "takes a URL"),
    ],
)
def test_bad_matrix_settings_are_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    root = tmp_path / "profile"
    code, out, err = cli(
        capsys, monkeypatch, root, "account", "add", "matrix", "chat", *args, "--password-stdin",
        stdin="pw\n",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert message in one_line(err)
    assert not root.exists()


def test_signing_in_again_replaces_the_token_and_keeps_the_rooms(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    synapse: Synapse,
    people: dict[str, tuple[str, str]],
    tmp_path: Path,
) -> None:
    """The token was revoked (the user logged out everywhere): Settings ▸ Accounts signs
    in again (services.chat_accounts.renew_matrix_login); a wrong password or another
    user's changes nothing, and the next sync adds no duplicate."""
    from asyncdesk.core.errors import AsyncDeskError, BadInput
    from asyncdesk.services.chat_accounts import renew_matrix_login
    from asyncdesk.services.secrets import KeyringSecrets
    from asyncdesk.store.database import Store

    root = tmp_path / "profile"
    me, my_token = people["me"]
    ann, ann_token = people["ann"]
    assert cli(capsys, monkeypatch, root, *add_args(synapse, me), stdin=PASSWORD + "\n")[0] == 0
    room = synapse.create_room(ann_token, invite=[me], is_direct=True)
    synapse.join(my_token, room)
    synapse.send_text(ann_token, room, "Are you there?")
    assert cli(capsys, monkeypatch, root, "sync", "--once")[0] == 0
    old = json.loads(keyring_of(root).get("chat") or "{}")["access_token"]
    synapse.request("POST", "/_matrix/client/v3/logout/all", token=old)

    with Store.open(root) as store:
        with pytest.raises(AsyncDeskError, match="refused"):
            renew_matrix_login(store, KeyringSecrets, "chat", "wrong")
        assert json.loads(keyring_of(root).get("chat") or "{}")["access_token"] == old
        renew_matrix_login(store, KeyringSecrets, "chat", PASSWORD)
        kept = json.loads(keyring_of(root).get("chat") or "{}")
        assert kept["access_token"] not in ("", old)

        def as_ann(homeserver: str, user: str, password: str) -> object:
            from asyncdesk.sources.matrix import login

            return login(homeserver, ann, PASSWORD)

        with pytest.raises(BadInput, match="nothing changed"):
            renew_matrix_login(store, KeyringSecrets, "chat", PASSWORD, login=as_ann)
        assert json.loads(keyring_of(root).get("chat") or "{}") == kept

    synapse.send_text(ann_token, room, "Hello again")
    code, _, err = cli(capsys, monkeypatch, root, "sync", "--once")
    assert (code, err) == (0, "")
    code, out, _ = cli(capsys, monkeypatch, root, "inbox", "--json", "--break-glass", "test")
    shown = json.loads(out)
    assert len(shown) == 2  # the first message once, and the one after signing in again
    assert {item["conversation"] for item in shown} == {room}
