"""``asyncdesk autoreply on|off|show [--json] [--at]`` and ``autoreply feed FILE``
through the command line."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
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
        # What a Matrix or Slack status says now (closed until the 16:00 window).
        "status": {
            "mode": "closed",
            "text": "Reading messages next at 16:00 CET",
            "until": "2026-11-26T15:00:00Z",
            "do_not_disturb_until": None,
        },
        "statuses": [],  # no chat status set yet
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


class FakeSlack:
    """Takes the status calls a Slack source would send (the calls themselves are
    tested against Slack's replayed answers in tests/unit/sources)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def set_status(self, text: str, emoji: str, expires: datetime | None) -> None:
        self.calls.append(("status", text))

    def snooze(self, minutes: int) -> None:
        self.calls.append(("snooze", minutes))

    def end_snooze(self) -> None:
        self.calls.append(("end", None))


def test_show_lists_the_chat_statuses_set(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    from asyncdesk.core.accounts import Account, AccountKind
    from asyncdesk.core.clock import FixedClock, parse_instant
    from asyncdesk.services import autoreply
    from asyncdesk.services.presence import Publisher
    from asyncdesk.store.database import Store

    assert main(["autoreply", "on", "--profile", str(profile)]) == 0
    capsys.readouterr()
    store = Store.open(profile)
    try:
        assert autoreply.is_enabled(store)
        slack = FakeSlack()
        account = Account("team", AccountKind.SLACK, ("U1",))
        clock = FixedClock(parse_instant(THU_1200))
        Publisher(store, clock).apply({"team": (account, slack)})
    finally:
        store.close()
    assert slack.calls == [("status", "Reading messages next at 16:00 CET")]
    code, out, _ = run(capsys, "autoreply", "show", "--at", THU_1200, "--profile", str(profile))
    assert code == 0
    assert "Matrix and Slack status now: Reading messages next at 16:00 CET" in out
    assert "  2026-11-26T11:00:00Z  team: status 'Reading messages next at 16:00 CET'" in out
    statuses = show_json(capsys, profile, THU_1200)["statuses"]
    assert statuses == [
        {
            "at": "2026-11-26T11:00:00Z",
            "account": "team",
            "kind": "slack",
            "text": "Reading messages next at 16:00 CET",
            "presence": None,
            "snooze_until": None,
            "error": None,
            "wanted": None,  # what a failed try wanted to show
        }
    ]


def test_feed_writes_a_calendar_others_can_subscribe_to(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "windows.ics"
    target.parent.mkdir()
    target.write_text("an older export", encoding="utf-8")
    code, out, err = run(
        capsys, "autoreply", "feed", str(target), "--at", THU_1200, "--profile", str(profile)
    )
    assert (code, err) == (0, "")
    assert one_line(out) == f"Wrote the calendar of your windows (8 weeks) to {target}"
    calendar = Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert {str(e["SUMMARY"]) for e in events} == {"Reading messages"}
    starts = sorted(e.decoded("DTSTART").strftime("%a %H:%M %Z") for e in events)
    # The two weekday windows, from Thursday (the day of --at), in Berlin time.
    assert starts == ["Thu 09:00 CET", "Thu 16:00 CET"]
    assert all(e["RRULE"]["FREQ"] == ["WEEKLY"] for e in events)
    # Replaced whole, by a rename: nothing else is left in the folder.
    assert [p.name for p in target.parent.iterdir()] == ["windows.ics"]


def test_feed_is_atomic_an_interrupted_write_leaves_the_old_file(
    capsys: pytest.CaptureFixture[str],
    profile: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "windows.ics"
    target.write_text("the export friends subscribed to", encoding="utf-8")

    def no_rename(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    code, out, err = run(capsys, "autoreply", "feed", str(target), "--profile", str(profile))
    assert (code, out) == (2, "")
    assert "No space left on device" in one_line(err)
    assert target.read_text(encoding="utf-8") == "the export friends subscribed to"
    # No temporary file left beside it (the profile "p" is the other entry).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "windows.ics"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["autoreply", "feed", "<folder>"], "is a folder"),
        (["autoreply", "feed", "<missing>/windows.ics"], "there is no folder"),
        (["autoreply", "feed"], "needs a FILE"),
        (["autoreply", "show", "<folder>/x.ics"], "takes no FILE"),
    ],
)
def test_feed_refuses_a_bad_path_in_one_line(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    folder = tmp_path / "calendars"
    folder.mkdir()
    argv = [
        a.replace("<folder>", str(folder)).replace("<missing>", str(tmp_path / "nope"))
        for a in args
    ]
    database = profile / "asyncdesk.sqlite3"
    before = database.read_bytes()
    code, out, err = run(capsys, *argv, "--profile", str(profile))
    assert (code, out) == (2, "")
    assert said in one_line(err)
    assert list(folder.iterdir()) == []
    assert not (tmp_path / "nope").exists()
    assert database.read_bytes() == before


def test_the_sync_keeps_a_saved_feed_current_while_published(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path
) -> None:
    """``sync --once`` writes the saved feed again once the schedule changed, but only
    while published availability is on, and never makes again a file the user deleted."""
    p = ("--profile", str(profile))
    target = tmp_path / "windows.ics"
    assert run(capsys, "autoreply", "feed", str(target), *p)[0] == 0

    def starts() -> list[str]:
        calendar = Calendar.from_ical(target.read_bytes())
        return sorted(e.decoded("DTSTART").strftime("%H:%M") for e in calendar.walk("VEVENT"))

    assert starts() == ["09:00", "16:00"]
    evening = [
        "schedule",
        "window",
        "add",
        "--days",
        "mon-fri",
        "--start",
        "18:00",
        "--end",
        "18:30",
    ]
    assert run(capsys, *evening, *p)[0] == 0
    assert run(capsys, "sync", "--once", *p)[0] == 0
    assert starts() == ["09:00", "16:00"]  # off: the file is the user's, left alone

    assert run(capsys, "autoreply", "on", *p)[0] == 0
    assert run(capsys, "sync", "--once", *p)[0] == 0
    assert starts() == ["09:00", "16:00", "18:00"]
    written = target.stat().st_mtime_ns
    assert run(capsys, "sync", "--once", *p)[0] == 0
    assert target.stat().st_mtime_ns == written  # nothing changed: not written again

    target.unlink()
    assert run(capsys, "sync", "--once", *p)[0] == 0
    assert not target.exists()
