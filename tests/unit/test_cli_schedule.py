"""Schedule, status and the inbox gate through the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_cli import one_line, run

from asyncdesk.cli import main
from asyncdesk.services.schedule import break_glass_events
from asyncdesk.store.database import Store

MON_0910 = "2026-11-23T09:10:00+01:00"  # Berlin, inside the 09:00-09:30 window
MON_1000 = "2026-11-23T10:00:00+01:00"  # deep work 09:30-12:00
MON_1213 = "2026-11-23T12:13:00+01:00"  # closed; next window 16:00
SAT_1200 = "2026-11-28T12:00:00+01:00"


def ok(*args: str) -> None:
    assert main(list(args)) == 0


@pytest.fixture
def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    p = ("--profile", str(root))
    ok("schedule", "timezone", "Europe/Berlin", *p)
    ok("schedule", "window", "add", "--days", "mon-fri", "--start", "09:00", "--end", "09:30", *p)
    ok("schedule", "deepwork", "add", "--days", "mon-fri", "--start", "09:30", "--end", "12:00", *p)
    ok("schedule", "window", "add", "--days", "mon-fri", "--start", "16:00", "--end", "16:30", *p)
    capsys.readouterr()
    return root


def status_json(capsys: pytest.CaptureFixture[str], root: Path, at: str) -> dict[str, object]:
    code, out, err = run(capsys, "status", "--json", "--at", at, "--profile", str(root))
    assert (code, err) == (0, "")
    result: dict[str, object] = json.loads(out)
    return result


def test_status_reports_mode_until_and_next_window(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    assert status_json(capsys, profile, MON_0910) == {
        "mode": "window",
        "until": "2026-11-23T08:30:00Z",
        "next_window": {"start": "2026-11-23T15:00:00Z", "end": "2026-11-23T15:30:00Z"},
        "waiting": 0,
        "due_before_next_window": 0,
        "overdue": 0,
    }
    deep = status_json(capsys, profile, MON_1000)
    assert (deep["mode"], deep["until"]) == ("deep_work", "2026-11-23T11:00:00Z")
    closed = status_json(capsys, profile, SAT_1200)
    assert closed["mode"] == "closed"
    assert closed["until"] == "2026-11-30T08:00:00Z"
    assert closed["next_window"] == {"start": "2026-11-30T08:00:00Z", "end": "2026-11-30T08:30:00Z"}


def test_status_text_names_local_times(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    code, out, _ = run(capsys, "status", "--at", MON_1213, "--profile", str(profile))
    assert code == 0
    assert "Mode: closed until 16:00, in 3 h 47 min" in out


def test_the_inbox_is_gated_outside_windows(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    code, out, err = run(capsys, "inbox", "--at", MON_1213, "--profile", str(profile))
    assert code == 3
    assert out == ""
    assert one_line(err).startswith("asyncdesk: closed until 16:00, in 3 h 47 min;")
    code, _, err = run(capsys, "inbox", "--at", MON_1000, "--profile", str(profile))
    assert code == 3
    assert "(deep work now)" in one_line(err)
    code, out, _ = run(capsys, "inbox", "--json", "--at", MON_0910, "--profile", str(profile))
    assert (code, json.loads(out)) == (0, [])


def test_break_glass_opens_and_is_recorded_with_its_reason(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    code, out, _ = run(
        capsys,
        "inbox",
        "--json",
        "--at",
        MON_1000,
        "--break-glass",
        "  client   outage ",
        "--profile",
        str(profile),
    )
    assert (code, out.strip()) == (0, "[]")
    # Inside a window there is no glass to break: nothing is recorded.
    code, _, _ = run(
        capsys, "inbox", "--at", MON_0910, "--break-glass", "x", "--profile", str(profile)
    )
    assert code == 0
    with Store.open(profile) as store:
        events = break_glass_events(
            store, datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC)
        )
    assert events == [(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), "client outage")]


def test_no_window_means_always_open(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "new"
    ok(
        "schedule",
        "deepwork",
        "add",
        "--days",
        "daily",
        "--start",
        "08:00",
        "--end",
        "20:00",
        "--profile",
        str(root),
    )
    capsys.readouterr()
    status = status_json(capsys, root, MON_1000)
    assert (status["mode"], status["until"], status["next_window"]) == ("window", None, None)
    code, _, _ = run(capsys, "inbox", "--at", MON_1000, "--profile", str(root))
    assert code == 0


def test_overrides_shape_the_week(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    p = ("--profile", str(profile))
    ok("schedule", "override", "skip", "--date", "2026-11-23", "--start", "16:00", *p)
    ok(
        "schedule",
        "override",
        "window",
        "--date",
        "2026-11-28",
        "--start",
        "10:00",
        "--end",
        "10:30",
        *p,
    )
    ok("schedule", "override", "closed", "--date", "2026-11-24", *p)
    capsys.readouterr()
    assert status_json(capsys, profile, MON_1213)["next_window"] == {
        "start": "2026-11-25T08:00:00Z",
        "end": "2026-11-25T08:30:00Z",
    }
    assert status_json(capsys, profile, "2026-11-28T10:05:00+01:00")["mode"] == "window"
    ok("schedule", "override", "clear", "--date", "2026-11-24", *p)
    capsys.readouterr()
    assert status_json(capsys, profile, MON_1213)["next_window"] == {
        "start": "2026-11-24T08:00:00Z",
        "end": "2026-11-24T08:30:00Z",
    }


def test_schedule_show_json_and_clear(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    code, out, _ = run(capsys, "schedule", "show", "--json", "--profile", str(profile))
    assert code == 0
    assert json.loads(out) == {
        "timezone": "Europe/Berlin",
        "windows": [
            {"days": "mon-fri", "start": "09:00", "end": "09:30"},
            {"days": "mon-fri", "start": "16:00", "end": "16:30"},
        ],
        "deep_work": [{"days": "mon-fri", "start": "09:30", "end": "12:00"}],
        "overrides": [],
        "imported": [],
        "office_hours": [],
        "always_open": False,
    }
    ok(
        "schedule",
        "window",
        "remove",
        "--days",
        "fri",
        "--start",
        "16:00",
        "--end",
        "16:30",
        "--profile",
        str(profile),
    )
    ok("schedule", "clear", "--profile", str(profile))
    capsys.readouterr()
    code, out, _ = run(capsys, "schedule", "show", "--json", "--profile", str(profile))
    shown = json.loads(out)
    assert (shown["windows"], shown["deep_work"], shown["always_open"]) == ([], [], True)


BAD_COMMANDS = [
    (
        ["schedule", "window", "add", "--days", "mon-fri", "--start", "09:15", "--end", "09:45"],
        "window mon-fri 09:15-09:45 overlaps window mon-fri 09:00-09:30",
    ),
    (
        ["schedule", "deepwork", "add", "--days", "fri", "--start", "16:15", "--end", "17:00"],
        "deep-work block fri 16:15-17:00 overlaps window mon-fri 16:00-16:30",
    ),
    (
        ["schedule", "window", "add", "--days", "mon-fry", "--start", "10:00", "--end", "11:00"],
        "not a list of days",
    ),
    (
        ["schedule", "window", "add", "--days", "sat", "--start", "25:00", "--end", "26:00"],
        "not a time of day",
    ),
    (
        ["schedule", "window", "add", "--days", "sat", "--start", "11:00", "--end", "10:00"],
        "must be after the start",
    ),
    (
        ["schedule", "window", "remove", "--days", "sat", "--start", "09:00", "--end", "09:30"],
        "there is no window sat 09:00-09:30 to remove",
    ),
    (
        ["schedule", "override", "skip", "--date", "2026-11-28", "--start", "09:00"],
        "no weekly window starts then",
    ),
    (
        [
            "schedule",
            "override",
            "window",
            "--date",
            "2026-11-23",
            "--start",
            "09:20",
            "--end",
            "09:40",
        ],
        "overlaps",
    ),
    (["schedule", "override", "closed", "--date", "2026-13-01"], "not a date"),
    (["schedule", "override", "clear", "--date", "2026-11-23"], "no overrides"),
    (["schedule", "timezone", "Mars/Base"], "unknown time zone"),
    (["schedule", "import-ics", "missing.ics"], "no such file"),
    (
        ["schedule", "import-ics", str(Path(__file__).parent / "services/calendars/broken.ics")],
        "truncated",
    ),
    (["status", "--at", "2026-11-23T09:10"], "no UTC offset"),
]


@pytest.mark.parametrize(("args", "message"), BAD_COMMANDS, ids=lambda a: str(a)[:40])
def test_bad_schedule_commands_change_nothing(
    capsys: pytest.CaptureFixture[str], profile: Path, args: list[str], message: str
) -> None:
    show = ["schedule", "show", "--json", "--profile", str(profile)]
    _, before, _ = run(capsys, *show)
    database = (profile / "asyncdesk.sqlite3").read_bytes()
    code, out, err = run(capsys, *args, "--profile", str(profile))
    assert (code, out) == (2, "")
    assert message in one_line(err)
    _, after, _ = run(capsys, *show)
    assert after == before
    assert (profile / "asyncdesk.sqlite3").read_bytes() == database
