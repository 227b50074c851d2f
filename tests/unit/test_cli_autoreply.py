"""``asyncdesk autoreply on|off|show [--json] [--at]`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import one_line, run

from asyncdesk.cli import main

THU_1200 = "2026-11-26T12:00:00+01:00"  # Berlin, closed; next window 16:00
MON_0910 = "2026-11-23T09:10:00+01:00"  # inside the 09:00-09:30 window


@pytest.fixture
def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    p = ("--profile", str(root))
    for command in (
        ["schedule", "timezone", "Europe/Berlin"],
        ["schedule", "window", "add", "--days", "mon-fri", "--start", "09:00", "--end", "09:30"],
        ["schedule", "window", "add", "--days", "mon-fri", "--start", "16:00", "--end", "16:30"],
        ["sla", "working-hours", "--days", "mon-fri", "--start", "09:00", "--end", "17:00"],
        ["sla", "default", "8h"],
    ):
        assert main([*command, *p]) == 0
    capsys.readouterr()
    return root


def show_json(capsys: pytest.CaptureFixture[str], root: Path, at: str) -> dict[str, object]:
    code, out, err = run(capsys, "autoreply", "show", "--json", "--at", at, "--profile", str(root))
    assert (code, err) == (0, "")
    result: dict[str, object] = json.loads(out)
    return result


def test_show_json_states_windows_promise_and_next_window(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    shown = show_json(capsys, profile, THU_1200)
    text = shown.pop("text")
    assert shown == {
        "enabled": False,
        "windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "starts": ["09:00", "16:00"]}],
        "zone": "Europe/Berlin",
        # 8 working hours from Thu 12:00: five on Thursday, three on Friday.
        "reply_by": "2026-11-27T11:00:00Z",
        "next_window": {"start": "2026-11-26T15:00:00Z", "end": "2026-11-26T15:30:00Z"},
        "sent": [],  # nothing sent on the user's behalf yet
    }
    assert isinstance(text, str)
    assert "I read messages on weekdays at 09:00 and 16:00 CET" in text
    assert "You'll hear from me by Fri 12:00." in text
    assert "the next time is Thu 16:00" in text


def test_on_and_off_are_stored_and_shown(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    p = ("--profile", str(profile))
    code, out, _ = run(capsys, "autoreply", "on", *p)
    assert code == 0
    assert one_line(out).startswith("Auto-reply: on.")
    assert "the sync answers each person who writes first in a conversation" in out
    assert show_json(capsys, profile, THU_1200)["enabled"] is True
    assert run(capsys, "autoreply", "off", "--json", *p)[:2] == (0, '{"enabled": false}\n')
    assert show_json(capsys, profile, THU_1200)["enabled"] is False


def test_show_prints_the_reply_and_says_how_it_is_sent(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    code, out, err = run(capsys, "autoreply", "show", "--at", MON_0910, "--profile", str(profile))
    assert (code, err) == (0, "")
    assert "Auto-reply: off" in out
    assert "once per closed period" in out
    assert "The inbox is open now" in out
    assert "Subject: Re: your message" in out
    assert "You'll hear from me by Tue 09:10." in out


@pytest.mark.parametrize(
    "args",
    [
        ["autoreply", "show", "--at", "2026-11-23T09:10:00"],
        ["autoreply", "on", "--at", "yesterday"],
        ["autoreply", "maybe"],
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], profile: Path, args: list[str]
) -> None:
    database = profile / "asyncdesk.sqlite3"
    before = database.read_bytes()
    code, out, err = run(capsys, *args, "--profile", str(profile))
    assert code == 2
    assert out == ""
    one_line(err)
    assert database.read_bytes() == before
    assert show_json(capsys, profile, THU_1200)["enabled"] is False


def test_a_missing_profile_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "autoreply", "on", "--profile", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert "no AsyncDesk profile" in one_line(err)
    assert not (tmp_path / "none").exists()
