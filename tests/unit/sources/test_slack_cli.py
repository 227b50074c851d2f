"""`account add slack`, `sync --once`, `inbox --json` and `reply` against a REPLAY of
Slack's Web API (no real Slack server can run here): the replay of
test_slack_source.py answers in Slack's documented shapes and records what the real
slack-sdk sent. The token goes to the test keyring, never to the profile."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_slack_source import ADA, DM_ADA, GENERAL, ME, TOKEN, ReplaySlack, _no_proxy, slack

from asyncdesk.cli import main
from asyncdesk.core import settings as declared
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.services.profile import read_setting
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store

__all__ = ["_no_proxy", "slack"]  # fixtures used here


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main([*args, "--profile", str(root)])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ts(minutes_ago: int) -> str:
    """A Slack ts that many minutes before the real now (the CLI's clock)."""
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return f"{int(at.timestamp())}.000100"


def test_add_sync_and_reply_in_a_slack_workspace(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    slack: ReplaySlack,
    tmp_path: Path,
) -> None:
    """REPLAY: auth.test, users.conversations, conversations.history, chat.postMessage."""
    root = tmp_path / "profile"
    add = ["account", "add", "slack", "work", "--token-stdin", "--api-url", slack.url]
    code, out, err = cli(capsys, monkeypatch, root, *add, stdin=TOKEN + "\n")
    assert (code, err) == (0, "")
    assert out.startswith("Added account work (Slack workspace")
    (auth,) = slack.calls_to("auth.test")
    assert auth.authorization == f"Bearer {TOKEN}"
    with Store.open(root) as store:
        profile_id = read_setting(store, declared.PROFILE_ID)
    assert KeyringSecrets(profile_id).get("work") == TOKEN
    code, out, _ = cli(capsys, monkeypatch, root, "account", "list", "--json")
    assert json.loads(out) == [{"name": "work", "kind": "slack", "identities": [ME.lower()]}]

    slack.post(DM_ADA, ts(30), "Can you look at the contract?", user=ADA)
    slack.post(GENERAL, ts(20), "standup moved to 10", user=ADA)
    code, out, err = cli(capsys, monkeypatch, root, "sync", "--once")
    assert (code, err) == (0, "")
    code, out, _ = cli(capsys, monkeypatch, root, "inbox", "--json", "--break-glass", "test")
    shown = {item["conversation"]: item for item in json.loads(out)}
    dm = shown[DM_ADA]
    assert (dm["kind"], dm["needs_reply"], dm["subject"]) == ("slack", True, "Ada")
    assert shown[GENERAL]["needs_reply"] is False

    code, out, err = cli(
        capsys, monkeypatch, root, "reply", str(dm["id"]), "--body-stdin",
        stdin="On it, by 5pm.\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("sent your reply")
    (posted,) = slack.calls_to("chat.postMessage")
    assert (posted.form["channel"], posted.form["text"]) == (DM_ADA, "On it, by 5pm.")
    assert "thread_ts" not in posted.form

    # The next sync brings the sent message back as the user's own: stored once.
    code, _, _ = cli(capsys, monkeypatch, root, "sync", "--once")
    assert code == 0
    code, out, _ = cli(capsys, monkeypatch, root, "inbox", "--json", "--break-glass", "test")
    inbound = [item for item in json.loads(out) if item["id"] == dm["id"]]
    assert [item["state"] for item in inbound] == ["replied"]
    for path in root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_refused_token_adds_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    slack: ReplaySlack,
    tmp_path: Path,
) -> None:
    """REPLAY: auth.test answering invalid_auth."""
    slack.errors["auth.test"] = "invalid_auth"
    root = tmp_path / "profile"
    add = ["account", "add", "slack", "work", "--token-stdin", "--api-url", slack.url]
    code, out, err = cli(capsys, monkeypatch, root, *add, stdin="xoxp-wrong\n")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "xoxp-wrong" not in err
    assert not root.exists()  # nothing was created, not even the profile


def test_a_new_token_replaces_the_old_and_keeps_the_messages(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    slack: ReplaySlack,
    tmp_path: Path,
) -> None:
    """REPLAY: auth.test. The token was rotated: Settings ▸ Accounts gives the account
    the new one (services.chat_accounts.renew_slack_token); a token of another user, or
    one Slack refuses, changes nothing."""
    from asyncdesk.services.chat_accounts import renew_slack_token
    from asyncdesk.sources.slack import SlackIdentity

    root = tmp_path / "profile"
    add = ["account", "add", "slack", "work", "--token-stdin", "--api-url", slack.url]
    assert cli(capsys, monkeypatch, root, *add, stdin=TOKEN + "\n")[0] == 0
    slack.post(DM_ADA, ts(30), "Can you look at the contract?", user=ADA)
    assert cli(capsys, monkeypatch, root, "sync", "--once")[0] == 0
    with Store.open(root) as store:
        keyring = KeyringSecrets(read_setting(store, declared.PROFILE_ID))
        slack.tokens = {"xoxp-rotated"}  # the old token is revoked
        renew_slack_token(store, KeyringSecrets, "work", "xoxp-rotated")
        assert keyring.get("work") == "xoxp-rotated"
        assert slack.calls_to("auth.test")[-1].authorization == "Bearer xoxp-rotated"
        someone_else = SlackIdentity(ADA, "ada", "T0ACME", "Acme", "https://acme.slack.com/")
        with pytest.raises(BadInput, match="nothing changed"):
            renew_slack_token(store, KeyringSecrets, "work", "xoxp-ada", identity=someone_else)
        slack.errors["auth.test"] = "invalid_auth"
        with pytest.raises(AsyncDeskError):
            renew_slack_token(store, KeyringSecrets, "work", "xoxp-dead")
        assert keyring.get("work") == "xoxp-rotated"
    del slack.errors["auth.test"]
    code, _, err = cli(capsys, monkeypatch, root, "sync", "--once")  # with the new token
    assert (code, err) == (0, "")
    assert slack.calls[-1].authorization == "Bearer xoxp-rotated"
    code, out, _ = cli(capsys, monkeypatch, root, "inbox", "--json", "--break-glass", "test")
    assert [item["conversation"] for item in json.loads(out)] == [DM_ADA]  # kept, once
