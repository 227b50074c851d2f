"""The command-line contract: commands, flags, exit codes, one-line errors, JSON keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from asyncdesk.cli import main

CONTRACT_COMMANDS = [
    [],
    ["demo"],
    ["account"],
    ["account", "add"],
    ["account", "add", "imap"],
    ["account", "add", "matrix"],
    ["account", "add", "slack"],
    ["account", "list"],
    ["account", "remove"],
    ["sync"],
    ["schedule"],
    ["schedule", "show"],
    ["schedule", "window", "add"],
    ["schedule", "window", "remove"],
    ["schedule", "deepwork", "add"],
    ["schedule", "deepwork", "remove"],
    ["schedule", "override"],
    ["schedule", "override", "skip"],
    ["schedule", "override", "window"],
    ["schedule", "override", "deepwork"],
    ["schedule", "override", "closed"],
    ["schedule", "override", "clear"],
    ["schedule", "import-ics"],
    ["schedule", "timezone"],
    ["status"],
    ["inbox"],
    ["deadlines"],
    ["deadlines", "dismiss"],
    ["deadlines", "snooze"],
    ["reply"],
    ["sla"],
    ["sla", "default"],
    ["sla", "add"],
    ["sla", "working-hours"],
    ["sla", "show"],
    ["sla", "remove"],
    ["stats"],
    ["autoreply"],
    ["answers"],
    ["answers", "add"],
    ["answers", "list"],
    ["answers", "search"],
    ["answers", "export"],
    ["checkin"],
    ["checkin", "add"],
    ["checkin", "list"],
    ["checkin", "results"],
    ["checkin", "remove"],
]

# A valid `account add imap`, ending with its port.
IMAP_WORK = ["account", "add", "imap", "work", "--host", "h", "--security", "tls", "--user", "u"]
IMAP_WORK = [*IMAP_WORK, "--port", "993"]

# Check-in commands with valid arguments: each needs an existing profile.
CHECKIN_COMMANDS = [
    [
        "checkin",
        "add",
        "weekly",
        "--days",
        "fri",
        "--at",
        "15:00",
        "--to",
        "a@example.com",
        "--question-stdin",
    ],
    ["checkin", "list"],
    ["checkin", "results", "weekly"],
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "profile"
    assert main(["demo", "--no-gui", "--messages", "240", "--profile", str(root)]) == 0
    assert main(["schedule", "timezone", "Europe/Berlin", "--profile", str(root)]) == 0
    return root


# Monday 09:10 in Berlin: inside the demo schedule's first window (09:00-09:30).
IN_WINDOW = "2026-11-23T09:10:00+01:00"


@pytest.mark.parametrize("command", CONTRACT_COMMANDS, ids=lambda c: " ".join(c) or "asyncdesk")
def test_every_command_of_the_contract_has_help(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert out.startswith("usage: asyncdesk")


@pytest.mark.parametrize("command", CHECKIN_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_checkin_commands_without_a_profile_say_so_in_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    root = tmp_path / "profile"
    code, out, err = run(capsys, "--profile", str(root), *command)
    assert code == 2
    assert "no AsyncDesk profile" in one_line(err)
    assert out == ""
    assert not root.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["demo", "--messages", "-5"], "must not be negative"),
        (["demo", "--messages", "lots"], "not a whole number"),
        (["demo", "--messages", "2000000"], "between 0 and"),
        (["demo", "--seed", "x"], "invalid int value"),
        (["inbox", "--bogus"], "unrecognized arguments"),
        (["frobnicate"], "invalid choice"),
        (["account", "add", "imap", "w", "--host", "h"], "required"),
        (
            [
                "account",
                "add",
                "imap",
                "w",
                "--host",
                "h",
                "--port",
                "1",
                "--security",
                "ssl",
                "--user",
                "u",
            ],
            "invalid choice",
        ),
        (["inbox", "--break-glass", "  "], "needs a reason"),
        (
            [
                "account",
                "add",
                "imap",
                "w",
                "--host",
                "h",
                "--port",
                "993",
                "--security",
                "tls",
                "--user",
                "u",
                "--trust-cert",
                "not-a-fingerprint",
            ],
            "takes a SHA-256 fingerprint",
        ),
        (["inbox"], "no AsyncDesk profile"),
        ([*IMAP_WORK[:-1], "0"], "between 1 and 65535"),
        (["account", "add", "imap", "bad name", *IMAP_WORK[4:]], "invalid account name"),
        ([*IMAP_WORK, "--host", " "], "needs a host name"),
        ([*IMAP_WORK, "--smtp-port", "465"], "need --smtp-host"),
        ([*IMAP_WORK, "--smtp-host", "smtp.h", "--smtp-port", "99999"], "--smtp-port must be"),
        (["account", "remove", "work"], "no AsyncDesk profile"),
        (["sync", "--once"], "no AsyncDesk profile"),
        (["sync"], "no AsyncDesk profile"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], expected: str
) -> None:
    root = tmp_path / "profile"
    code, _out, err = run(capsys, *args, "--profile", str(root))
    assert code == 2
    assert expected in one_line(err)
    assert not root.exists()


def test_inbox_json_lists_every_inbound_message_newest_first(
    capsys: pytest.CaptureFixture[str], demo_profile: Path
) -> None:
    code, out, err = run(
        capsys, "inbox", "--json", "--at", IN_WINDOW, "--profile", str(demo_profile)
    )
    assert (code, err) == (0, "")
    rows = json.loads(out)
    keys = {
        "id",
        "account",
        "kind",
        "conversation",
        "sender",
        "subject",
        "received_at",
        "message_id",
        "needs_reply",
        "due_at",
        "state",
        "labels",
    }
    assert rows
    assert all(set(row) == keys for row in rows)
    times = [row["received_at"] for row in rows]
    assert times == sorted(times, reverse=True)
    assert all(t.endswith("Z") and datetime.fromisoformat(t[:-1]) for t in times)
    assert {row["kind"] for row in rows} == {"demo"}
    assert {row["account"] for row in rows} == {"demo-mail", "demo-chat"}
    for row in rows:
        if row["needs_reply"]:
            assert row["due_at"] is not None
            assert row["state"] in {"open", "replied"}
        else:
            assert row["due_at"] is None
            assert row["state"] is None
    assert any(row["state"] == "replied" for row in rows)
    assert any(row["state"] == "open" for row in rows)
    assert any(not row["needs_reply"] for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)


def test_inbox_text_in_a_window_and_break_glass_outside(
    capsys: pytest.CaptureFixture[str], demo_profile: Path
) -> None:
    code, out, _ = run(capsys, "--profile", str(demo_profile), "inbox", "--at", IN_WINDOW)
    assert code == 0
    assert len(out.splitlines()) > 50
    sunday = "2026-11-22T12:00:00+01:00"
    code, out, err = run(capsys, "inbox", "--at", sunday, "--profile", str(demo_profile))
    assert code == 3
    assert out == ""
    assert one_line(err).startswith("asyncdesk: closed until Mon 09:00, in 21 h")
    code, out, _ = run(
        capsys,
        "inbox",
        "--at",
        sunday,
        "--break-glass",
        "client outage",
        "--profile",
        str(demo_profile),
    )
    assert code == 0
    assert len(out.splitlines()) > 50


def test_account_list(capsys: pytest.CaptureFixture[str], demo_profile: Path) -> None:
    code, out, _ = run(capsys, "account", "list", "--json", "--profile", str(demo_profile))
    assert code == 0
    assert json.loads(out) == [
        {"name": "demo-chat", "kind": "demo", "identities": ["@alex:example.org"]},
        {"name": "demo-mail", "kind": "demo", "identities": ["alex.morgan@example.com"]},
    ]
    code, out, _ = run(capsys, "account", "list", "--profile", str(demo_profile))
    assert code == 0
    assert "demo-mail" in out


def test_profile_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], demo_profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASYNCDESK_PROFILE", str(demo_profile))
    code, out, _ = run(capsys, "account", "list", "--json")
    assert code == 0
    assert len(json.loads(out)) == 2


def _installed_command(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    command: Sequence[str] = (
        [str(script), *args] if script.exists() else [sys.executable, "-m", "asyncdesk", *args]
    )
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=120,
        check=False,
    )


def test_the_installed_command_exits_with_the_promised_codes(tmp_path: Path) -> None:
    root = tmp_path / "p"
    ok = _installed_command("demo", "--no-gui", "--messages", "50", "--profile", str(root))
    assert ok.returncode == 0, ok.stderr
    assert "50 messages" in ok.stdout
    bad = _installed_command("stats", "--format", "pdf", "--profile", str(root))
    assert bad.returncode == 2
    assert one_line(bad.stderr).startswith("asyncdesk stats: argument --format")
    piped = _installed_command("--profile", str(root), "inbox", "--json", "--break-glass", "a test")
    assert piped.returncode == 0
    assert len(json.loads(piped.stdout)) > 10


def test_without_a_display_the_app_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "p"
    code, out, err = run(capsys, "demo", "--messages", "20", "--profile", str(root))
    assert code == 2
    assert "no display" in one_line(err)
    assert "20 messages" in out  # the demo data was made all the same
    code, _, err = run(capsys, "--profile", str(root))
    assert code == 2
    assert "no display" in one_line(err)


def test_a_mailto_link_opens_the_app_and_a_bad_one_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desktop runs ``asyncdesk mailto:...`` for a clicked link (Exec=asyncdesk %u)."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    root = str(tmp_path / "p")
    # A readable link goes as far as opening the window (here: no display to open it on).
    code, out, err = run(capsys, "--profile", root, "mailto:ann@example.org?subject=Hi")
    assert (code, out) == (2, "")
    assert "no display" in one_line(err)
    refused = {
        ("mailto:ann",): "asyncdesk: the mailto: link's address: 'ann' is not an email address",
        ("mailto:a@x.org", "mailto:b@x.org"): "asyncdesk: give one mailto: link at a time",
        ("--background", "sync"): "asyncdesk: --background opens the app: give it without a "
        "command",
    }
    for arguments, line in refused.items():
        code, out, err = run(capsys, "--profile", root, *arguments)
        assert (code, out, one_line(err)) == (2, "", line)
    assert not (tmp_path / "p").exists()  # refused before anything was made


def test_a_relative_profile_path_works_like_an_absolute_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--profile prof` from a terminal: the daily backup named the database by a file
    URI, which a relative path cannot be (an error in the log, no backup)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "demo", "--no-gui", "--messages", "20", "--profile", "prof")
    assert code == 0, err
    code, out, err = run(capsys, "inbox", "--json", "--break-glass", "test", "--profile", "prof")
    assert code == 0, err
    assert len(json.loads(out)) > 5
    from asyncdesk.core.clock import SystemClock
    from asyncdesk.store.backup import make_backup
    from asyncdesk.store.profile import ProfilePaths

    make_backup(ProfilePaths(Path("prof")), SystemClock())  # as the daily one does
    code, out, _ = run(capsys, "profile", "restore", "--list", "--profile", "prof")
    assert code == 0
    assert "MB" in out
