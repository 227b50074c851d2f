"""Office hours through the command line: added, shown (text and --json), cleared, and
refused in one line (exit 2) with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import one_line, run

from asyncdesk.cli import main


def ok(*args: str) -> None:
    assert main(list(args)) == 0


@pytest.fixture
def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    p = ("--profile", str(root))
    ok("schedule", "timezone", "Europe/Berlin", *p)
    ok("schedule", "window", "add", "--days", "mon-fri", "--start", "09:00", "--end", "09:30", *p)
    ok("schedule", "deepwork", "add", "--days", "mon-fri", "--start", "09:30", "--end", "12:00", *p)
    capsys.readouterr()
    return root


def shown(capsys: pytest.CaptureFixture[str], root: Path) -> dict[str, object]:
    code, out, err = run(capsys, "schedule", "show", "--json", "--profile", str(root))
    assert (code, err) == (0, "")
    result: dict[str, object] = json.loads(out)
    return result


def test_office_hours_are_added_shown_and_cleared(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    assert shown(capsys, profile)["office_hours"] == []
    p = ("--profile", str(profile))
    code, out, _ = run(
        capsys, "schedule", "officehours", "add", "--days", "tue,thu", "--start", "15:00",
        "--end", "16:00", *p,
    )  # fmt: skip
    assert (code, one_line(out)) == (0, "Added office hours tue,thu 15:00-16:00.")
    code, out, _ = run(
        capsys, "schedule", "officehours", "add", "--days", "fri", "--start", "09:00",
        "--end", "09:30", "--title", "Design clinic", *p,
    )  # fmt: skip
    assert one_line(out) == "Added office hours fri 09:00-09:30 (Design clinic)."
    assert shown(capsys, profile)["office_hours"] == [
        {"days": "fri", "start": "09:00", "end": "09:30", "title": "Design clinic"},
        {"days": "tue,thu", "start": "15:00", "end": "16:00", "title": "Office hours"},
    ]
    code, out, _ = run(capsys, "schedule", "show", *p)
    assert "Office hours: fri 09:00-09:30 (Design clinic), tue,thu 15:00-16:00\n" in out
    ok("schedule", "clear", *p)
    capsys.readouterr()
    assert shown(capsys, profile)["office_hours"] == []


BAD = [
    (["--days", "tue", "--start", "10:00", "--end", "11:00"], "overlaps deep-work block"),
    (["--days", "tuesday-ish", "--start", "15:00", "--end", "16:00"], "not a list of days"),
    (["--days", "tue", "--start", "16:00", "--end", "15:00"], "must be after the start"),
    (["--days", "tue", "--start", "15:00", "--end", "16:00", "--title", " "], "title"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=lambda a: str(a)[:30])
def test_bad_office_hours_change_nothing(
    capsys: pytest.CaptureFixture[str], profile: Path, args: list[str], message: str
) -> None:
    database = (profile / "asyncdesk.sqlite3").read_bytes()
    code, out, err = run(capsys, "schedule", "officehours", "add", *args, "--profile", str(profile))
    assert (code, out) == (2, "")
    assert message in one_line(err)
    assert (profile / "asyncdesk.sqlite3").read_bytes() == database
