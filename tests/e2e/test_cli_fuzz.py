"""Bad input to every command of the CLI: exit 2, one line on stderr, nothing written.

DESIGN.md promises that bad input gets "a clear one-line message, nothing written".
The commands are enumerated from the argparse parser itself, so a command added later is
fuzzed too (and this file fails until it knows a valid value for each new argument).
Each case runs against one real profile (demo accounts and messages, an IMAP account,
schedule and promise settings, all made through the CLI) and hashes every byte under
the profile, the keyring and the working folder before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from asyncdesk.cli import build_parser, main

Path_ = tuple[str, ...]

HUGE = "9" * 30_000


def _closed_port() -> int:
    """A port nobody listens on: account checks that get past the spelling fail fast."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _closed_port()


# --- the parser's commands ---------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def leaf_commands() -> list[tuple[Path_, argparse.ArgumentParser]]:
    """Every command that runs something (has a handler), with its own parser."""
    found: list[tuple[Path_, argparse.ArgumentParser]] = []

    def walk(path: Path_, parser: argparse.ArgumentParser) -> None:
        if path and parser.get_default("handler") is not None:
            found.append((path, parser))
        for name, sub in _subparsers(parser).items():
            walk((*path, name), sub)

    walk((), build_parser())
    return found


def arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    skip = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)
    return [a for a in parser._actions if not isinstance(a, skip)]


def flag(action: argparse.Action) -> str | None:
    longs = [o for o in action.option_strings if o.startswith("--")]
    return (longs or list(action.option_strings) or [None])[0]


# --- valid values (the baseline each case spoils one argument of) -------------------------


class Sandbox:
    """The profile and the files the valid arguments point at."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.profile = root / "profile"
        self.files = root / "files"
        self.files.mkdir()
        self.ics = self.files / "blocks.ics"
        self.ics.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
            "UID:1@t\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T050000Z\r\n"
            "DTEND:20261201T060000Z\r\nSUMMARY:focus\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            encoding="utf-8",
        )
        self.not_ics = self.files / "notes.ics"
        self.not_ics.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00 not a calendar")
        self.message_id = 0


# The valid value of each argument, by destination; (command, dest) where it differs.
def valid_value(box: Sandbox, path: Path_, dest: str) -> str:
    by_command = {
        (("account", "add", "matrix"), "user"): "@me:localhost",
        (("checkin", "add"), "at"): "15:00",
        (("account", "remove"), "name"): "demo-mail",
        (("checkin", "results"), "name"): "weekly",
        (("checkin", "add"), "name"): "weekly",
    }
    values = {
        "name": "fresh",
        "host": "127.0.0.1",
        "port": str(PORT),
        "security": "plain",
        "user": "me",
        "smtp_host": "127.0.0.1",
        "smtp_port": str(PORT),
        "smtp_security": "plain",
        "trust_cert": "ab" * 32,
        "smtp_trust_cert": "cd" * 32,
        "address": "me@example.com",
        "display_name": "Me",
        "folder": "Archive",
        "homeserver": f"http://127.0.0.1:{PORT}",
        "api_url": f"http://127.0.0.1:{PORT}/api/",
        "account": "demo-mail",
        "days": "mon-fri",
        "start": "06:00",
        "end": "06:30",
        "date": "2026-12-01",
        "file": str(box.ics),
        "zone": "Europe/Berlin",
        "at": "2026-11-23T09:10:00+01:00",
        "break_glass": "client outage",
        "id": str(box.message_id),
        "until": "2030-01-01T00:00:00Z",
        "duration": "24h",
        "sender": "ada@example.org",
        "domain": "example.org",
        "week": "2026-W40",
        "format": "json",
        "output": str(box.files / "stats.json"),
        "auto_export": str(box.files / "reports"),
        "messages": "60",
        "seed": "47",
        "action": "show",
        "title": "t",
        "tags": "a,b",
        "from_message": str(box.message_id),
        "query": "q",
        "dir": str(box.files / "answers"),
        "to": "a@example.com",
    }
    key = (path, dest)
    if key in by_command:
        return by_command[key]
    assert dest in values, f"{' '.join(path)}: add a valid value for {dest!r} to this test"
    return values[dest]


# Optional arguments a command needs together (the parser cannot say so).
TOGETHER: dict[Path_, tuple[str, ...]] = {("sla", "working-hours"): ("days", "start", "end")}


def baseline(
    box: Sandbox, path: Path_, parser: argparse.ArgumentParser
) -> list[tuple[argparse.Action, list[str]]]:
    """A valid command line for ``path``: the arguments it needs, each with its value."""
    groups: list[tuple[argparse.Action, list[str]]] = []
    chosen: set[int] = set()
    exclusive = {id(a): g for g in parser._mutually_exclusive_groups for a in g._group_actions}
    for action in arguments(parser):
        if action.dest == "profile":
            continue
        group = exclusive.get(id(action))
        needed = action.required or action.dest in TOGETHER.get(path, ())
        if group is not None and group.required and id(group) not in chosen:
            needed = True
            chosen.add(id(group))
        if not needed:
            continue
        if not action.option_strings:
            groups.append((action, [valid_value(box, path, action.dest)]))
        elif action.nargs == 0:
            groups.append((action, [str(flag(action))]))
        else:
            groups.append((action, [str(flag(action)), valid_value(box, path, action.dest)]))
    return groups


# --- bad values --------------------------------------------------------------------------

# Every value-taking argument gets these.
GENERIC = {
    "empty": "",
    "escape": "ok\x1b[2Jok",
    "newline": "two\nlines",
    "invalid-utf8": "caf\udce9",  # b"caf\xe9" from argv, as Python decodes it
    "huge": HUGE,
}
INT = {"word": "abc", "float": "1.5", "negative": "-1", "overflow": "9" * 25}
INSTANT = {
    "no-offset": "2026-11-23T09:10:00",
    "word": "yesterday",
    "bad-hour": "2026-11-23T25:00:00+01:00",
    "bad-offset": "2026-11-23T09:10:00+25:00",
    "year-9999-west": "9999-12-31T23:59:59-23:59",
    "year-1-east": "0001-01-01T00:00:00+01:00",
}
SPECIFIC: dict[str, dict[str, str]] = {
    "port": {**INT, "zero": "0", "too-big": "65536"},
    "smtp_port": {**INT, "zero": "0", "too-big": "65536"},
    "id": {**INT, "unknown": "999999", "zero": "0"},
    "from_message": INT,
    "messages": {**INT, "too-many": "2000000"},
    "seed": {"word": "abc", "other-seed": "48"},
    "security": {"unknown": "ssl"},
    "smtp_security": {"unknown": "ssl"},
    "format": {"unknown": "xml"},
    "action": {"unknown": "maybe"},
    "trust_cert": {"short": "abcd", "not-hex": "zz" * 32},
    "smtp_trust_cert": {"short": "abcd", "not-hex": "zz" * 32},
    "days": {"word": "funday", "dangling": "mon-", "double": "mon,,fri", "comma": ","},
    "start": {"hour-25": "25:00", "minute-60": "09:60", "bare": "9", "seconds": "09:00:00"},
    "end": {"end-past-midnight": "24:01", "before-start": "05:00", "minute-60": "09:60"},
    "date": {"feb-30": "2026-02-30", "month-13": "2026-13-01", "word": "tomorrow"},
    "zone": {
        "unknown": "Mars/Olympus",
        "traversal": "../../../etc/passwd",
        "abs": "/etc/localtime",
    },
    "duration": {
        "zero": "0h",
        "negative": "-5h",
        "over-a-year": "366d",
        "unit": "1x",
        "overflow": "9" * 25 + "h",
    },
    "at": INSTANT,
    "until": {**INSTANT, "past": "2020-01-01T00:00:00Z"},
    "week": {"w54": "2026-W54", "w00": "2026-W00", "no-year": "W47", "no-w53": "2025-W53"},
    "sender": {"no-at": "ada", "spaces": "a da@example.org"},
    "domain": {"spaces": "exa mple.org", "at": "@"},
    "account": {"unknown": "no-such-account"},
    "name": {"spaces": "bad name", "taken": "demo-chat"},
    "host": {"spaces": "a b"},
    "homeserver": {"scheme": "ftp://x", "clear": "http://example.org"},
    "api_url": {"scheme": "ftp://x", "clear": "http://example.org/api/"},
    "user": {"no-colon": "@me"},
    "address": {"no-at": "me"},
}
PATHS = {
    "file": {"missing": "/nonexistent/x.ics", "folder": "/tmp", "not-ics": "<not_ics>"},
    "output": {
        "folder": "/tmp",
        "missing-folder": "/nonexistent/x.json",
        "file-as-folder": "<ics>/x.json",
        "unwritable": "/proc/asyncdesk-x.json",
    },
    "auto_export": {"file": "<ics>", "unwritable": "/proc/asyncdesk-x", "inside-file": "<ics>/x"},
    "dir": {"file": "<ics>"},
    "profile": {
        "empty": "",
        "file": "<ics>",
        "inside-file": "<ics>/p",
        "unwritable": "/proc/asyncdesk-p",
    },
}

# Where a "bad" generic value is in fact a valid one for that argument.
ACCEPTS = {
    # The profile: only missing, a file, or an unwritable place is bad (below).
    "profile": set(GENERIC),
    # An account name that is merely unknown is a valid spelling.
}


# Where an argument means something else in one command.
SPECIFIC_IN: dict[tuple[Path_, str], dict[str, str]] = {
    (("account", "remove"), "name"): {"unknown": "no-such-account"},
    (("checkin", "add"), "at"): {"hour-25": "25:00", "instant": "2026-11-23T09:10:00Z"},
}


def bad_values(box: Sandbox, path: Path_, action: argparse.Action) -> dict[str, str]:
    dest = action.dest
    values = {k: v for k, v in GENERIC.items() if k not in ACCEPTS.get(dest, set())}
    values.update(SPECIFIC_IN.get((path, dest), SPECIFIC.get(dest, {})))
    values.update(PATHS.get(dest, {}))
    if action.choices is not None and dest not in SPECIFIC:
        values["unknown-choice"] = "no-such-choice"
    replace = {"<ics>": str(box.ics), "<not_ics>": str(box.not_ics)}
    for key, value in values.items():
        for marker, real in replace.items():
            value = value.replace(marker, real)
        values[key] = value
    return values


def cases(
    box: Sandbox, path: Path_, parser: argparse.ArgumentParser
) -> Iterator[tuple[str, list[str]]]:
    """(label, argv) for every way this test spoils one argument of a valid command."""
    base = baseline(box, path, parser)
    exclusive = {id(a): g for g in parser._mutually_exclusive_groups for a in g._group_actions}
    profile = ["--profile", str(box.profile)]
    everything = [arg for _, args in base for arg in args]

    def without(action: argparse.Action) -> list[str]:
        """The baseline without ``action`` (and without its exclusive partners)."""
        group = exclusive.get(id(action))
        partners = {id(a) for a in group._group_actions} if group else {id(action)}
        return [arg for other, args in base if id(other) not in partners for arg in args]

    for action in arguments(parser):
        if action.dest == "profile":
            for label, value in bad_values(box, path, action).items():
                yield f"--profile {label}", [*path, *everything, "--profile", value]
            continue
        rest = without(action)
        name = flag(action)
        if name is not None and action.nargs == 0:
            yield f"{name}=value", [*path, *rest, f"{name}=yes", *profile]
            continue
        for label, value in bad_values(box, path, action).items():
            if name is None:
                # Positionals keep their order: the spoilt one replaces its valid value.
                options = [a for other, g in base if other.option_strings for a in g]
                spots = [
                    value if other is action else g[0]
                    for other, g in base
                    if not other.option_strings
                ]
                if all(other is not action for other, _ in base):  # an optional positional
                    spots.append(value)
                yield f"{action.dest} {label}", [*path, *options, *profile, "--", *spots]
            else:
                yield f"{name} {label}", [*path, *rest, *profile, f"{name}={value}"]
        if name is not None:
            yield f"{name} missing value", [*path, *rest, *profile, name]
    yield "unknown flag", [*path, *everything, *profile, "--no-such-flag"]


# --- what must hold ----------------------------------------------------------------------


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file and folder under ``roots``: its path and the SHA-256 of its bytes."""
    found: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            continue
        for item in sorted(root.rglob("*")):
            if item.is_file():
                found[str(item)] = hashlib.sha256(item.read_bytes()).hexdigest()
            else:
                found[str(item)] = "dir"
    return found


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """``asyncdesk.cli.main`` in this process, with its own stdin, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        except Exception:  # what the real console would show as a traceback
            code = 1
            err.write(traceback.format_exc())
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


def refused_cleanly(box: Sandbox, label: str, argv: list[str], watched: list[Path]) -> str | None:
    """None if ``argv`` was refused as the contract says, else what went wrong."""
    before = snapshot(*watched)
    code, out, err = run(argv, stdin="secret-typed\n")
    after = snapshot(*watched)
    problems = []
    if code != 2:
        problems.append(f"exit {code}")
    if out:
        problems.append(f"stdout {out[:120]!r}")
    if err.count("\n") != 1 or not err.endswith("\n"):
        problems.append(f"stderr {err[:300]!r}")
    if "Traceback" in err:
        problems.append("traceback")
    if before != after:
        changed = sorted(set(before.items()) ^ set(after.items()))
        problems.append(f"wrote {sorted({p for p, _ in changed})}")
    if not problems:
        return None
    shown = [arg if len(arg) < 80 else arg[:60] + f"...({len(arg)} chars)" for arg in argv]
    return f"{label}: {shown!r} -> " + "; ".join(problems)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    """A real profile made through the CLI: demo accounts and messages, an IMAP account
    (its password in the keyring), a schedule, a time zone and promise rules."""
    box = Sandbox(tmp_path_factory.mktemp("fuzz"))
    root = str(box.profile)
    assert run(["demo", "--no-gui", "--messages", "60", "--profile", root])[0] == 0
    for command in (
        ["schedule", "timezone", "Europe/Berlin"],
        ["sla", "default", "36h"],
        ["sla", "add", "--domain", "example.com", "12h"],
        ["schedule", "override", "closed", "--date", "2026-12-24"],
        ["checkin", "list"],
    ):
        code, _, err = run([*command, "--profile", root])
        assert code in (0, 2), err
    code, out, err = run(["deadlines", "--json", "--profile", root])
    assert code == 0, err
    box.message_id = json.loads(out)[0]["id"]
    return box


def watched(box: Sandbox) -> list[Path]:
    keyring = Path(os.environ["XDG_DATA_HOME"])
    return [box.profile, box.files, keyring, Path.cwd()]


COMMANDS = leaf_commands()


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    box: Sandbox,
    path: Path_,
    parser: argparse.ArgumentParser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each argument of the command spoilt in turn: refused with exit 2, one line on
    stderr, nothing on stdout, and every byte of the profile, the keyring and the
    working folder unchanged."""
    monkeypatch.chdir(tmp_path)
    failures = [
        problem
        for label, argv in cases(box, path, parser)
        if (problem := refused_cleanly(box, label, argv, watched(box))) is not None
    ]
    assert failures == [], "\n".join(failures)


# Read-only commands whose argument Hypothesis fills with any text at all.
READERS = [
    ("status", "--at"),
    ("deadlines", "--at"),
    ("stats", "--week"),
    ("inbox", "--at"),
]


@seed(20261123)
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(READERS),
    value=st.one_of(
        st.text(st.characters(blacklist_categories=()), max_size=40),
        st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}T[0-9:]{1,8}([+-][0-9:]{1,6}|Z)?\Z"),
        st.from_regex(r"\A[0-9]{1,5}-W[0-9]{1,3}\Z"),
    ),
)
def test_any_text_is_answered_or_refused_in_one_line(
    box: Sandbox, command: tuple[str, str], value: str
) -> None:
    """Whatever the value, a command that only reads answers (exit 0) or refuses it
    (exit 2, one line), never crashes, and never changes the profile."""
    before = snapshot(box.profile)
    argv = [command[0], f"{command[1]}={value}", "--break-glass", "fuzz", "--json"]
    if command[0] != "inbox":
        argv.remove("--break-glass")
        argv.remove("fuzz")
    code, _, err = run([*argv, "--profile", str(box.profile)])
    if command[0] == "inbox" and code == 0:
        return  # a valid instant outside a window: opened with a reason, which is kept
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1, err
        assert err.endswith("\n"), err
    assert snapshot(box.profile) == before


def _installed(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    script = Path(sys.executable).with_name("asyncdesk")
    return subprocess.run(
        [str(script), *args], capture_output=True, timeout=60, check=False, env=os.environ.copy()
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([b"inbox", b"--break-glass", b"caf\xe9"], id="invalid-utf8"),
        pytest.param([b"status", b"--at", b"9999-12-31T23:59:59-23:59"], id="instant-overflow"),
        pytest.param(
            [
                b"account",
                b"add",
                b"matrix",
                b"chat",
                b"--homeserver",
                f"http://127.0.0.1:{PORT}".encode(),
                b"--user",
                b"@me:localhost",
                b"--password-stdin",
            ],
            id="library-warning",
        ),
    ],
)
def test_the_real_console_shows_one_line_and_no_traceback(box: Sandbox, args: list[bytes]) -> None:
    """The installed command, as a shell runs it (argv as bytes): the console gets the
    one line and nothing else; no Python traceback, no library's stray warning."""
    before = snapshot(box.profile)
    done = _installed("--profile", str(box.profile), *args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == b""
    assert b"Traceback" not in done.stderr
    assert done.stderr.count(b"\n") == 1, done.stderr
    assert done.stderr.startswith(b"asyncdesk")
    assert snapshot(box.profile) == before


def test_an_empty_profile_is_not_the_default_one(tmp_path: Path) -> None:
    """`--profile "$UNSET"` in a script must not quietly change the user's real profile."""
    data_home = Path(os.environ["XDG_DATA_HOME"])
    before = snapshot(data_home)
    code, out, err = run(
        [
            "schedule",
            "window",
            "add",
            "--days",
            "mon",
            "--start",
            "09:00",
            "--end",
            "09:30",
            "--profile",
            "",
        ]
    )
    assert (code, out) == (2, "")
    assert err == "asyncdesk: --profile needs a folder, not an empty value\n"
    assert snapshot(data_home) == before
