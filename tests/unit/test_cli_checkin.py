"""``asyncdesk checkin add|list|results|remove`` through the command line: exit codes,
the JSON keys docs/CLI.md promises, and bad input that changes nothing."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from factories import T0
from test_cli import one_line, run

from asyncdesk.cli import main
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store

QUESTION = "What did you finish this week?\nWhat is blocked?\n"
WEEKLY = ["checkin", "add", "weekly", "--days", "fri", "--at", "15:00"]
TO = ["--to", "ana@example.com,bo@example.org", "--question-stdin"]


def _email_account(name: str, address: str) -> Account:
    config = {"host": "imap.example.com", "user": address, "smtp_host": "smtp.example.com"}
    return Account(name, AccountKind.EMAIL, (address,), config)


@pytest.fixture
def profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert main(["schedule", "timezone", "Europe/Berlin", "--profile", str(root)]) == 0
    with Store.open(root) as store, store.writing() as session:
        add_account(session, _email_account("work", "me@example.com"), T0)
    capsys.readouterr()
    return root


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), "utf-8"))


def listed(capsys: pytest.CaptureFixture[str], root: Path) -> list[dict[str, object]]:
    code, out, err = run(capsys, "checkin", "list", "--json", "--profile", str(root))
    assert (code, err) == (0, "")
    result: list[dict[str, object]] = json.loads(out)
    return result


def test_add_then_list_shows_when_and_whom_it_asks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: Path
) -> None:
    monkeypatch.setenv("ASYNCDESK_AT", "2026-11-25T12:00:00+01:00")  # a Wednesday
    stdin(monkeypatch, QUESTION)
    code, out, err = run(capsys, *WEEKLY, *TO, "--profile", str(profile))
    assert (code, err) == (0, "")
    assert one_line(out) == (
        "Check-in 'weekly' added: fri 15:00 (Europe/Berlin), to 2 people through work; "
        "first asked at 2026-11-27T14:00:00Z by the sync."
    )
    [item] = listed(capsys, profile)
    assert item == {
        "name": "weekly",
        "account": "work",
        "days": "fri",
        "at": "15:00",
        "zone": "Europe/Berlin",
        "to": ["ana@example.com", "bo@example.org"],
        "question": "What did you finish this week?\nWhat is blocked?",
        "created_at": "2026-11-25T11:00:00Z",
        "next_due": "2026-11-27T14:00:00Z",
        "last_run": None,
    }


def test_results_before_the_first_run_says_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: Path
) -> None:
    stdin(monkeypatch, QUESTION)
    assert run(capsys, *WEEKLY, *TO, "--profile", str(profile))[0] == 0
    code, out, _ = run(capsys, "checkin", "results", "weekly", "--profile", str(profile))
    assert code == 0
    assert one_line(out) == "Check-in 'weekly' has not been asked yet: no answers to show."
    code, out, _ = run(capsys, "checkin", "results", "Weekly", "--json", "--profile", str(profile))
    assert code == 0
    assert json.loads(out) == {
        "name": "weekly",
        "account": "work",
        "run": None,
        "asked": [],
        "answered": [],
        "not_answered": [],
        "pending": [],
        "failed": [],
    }


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["checkin", "add", "we/ekly", "--days", "fri", "--at", "15:00", *TO], "check-in name"),
        (["checkin", "add", "w", "--days", "fry", "--at", "15:00", *TO], "not a list of days"),
        (["checkin", "add", "w", "--days", "fri", "--at", "25:00", *TO], "not a time of day"),
        (
            ["checkin", "add", "w", "--days", "fri", "--at", "15:00", "--to", "ana", "--q"],
            "'ana' is not an email address",
        ),
        ([*WEEKLY, *TO, "--account", "home"], "no account named 'home'"),
        (["checkin", "results", "nope"], "there is no check-in named 'nope'"),
        (["checkin", "remove", "nope"], "there is no check-in named 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    profile: Path,
    args: list[str],
    said: str,
) -> None:
    stdin(monkeypatch, QUESTION)
    code, out, err = run(capsys, *args, "--profile", str(profile))
    assert code == 2
    assert said in one_line(err)
    assert out == ""
    assert listed(capsys, profile) == []


def test_an_empty_question_and_a_taken_name_are_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: Path
) -> None:
    stdin(monkeypatch, "\n \n")
    code, _, err = run(capsys, *WEEKLY, *TO, "--profile", str(profile))
    assert code == 2
    assert "the question is empty" in one_line(err)
    stdin(monkeypatch, QUESTION)
    assert run(capsys, *WEEKLY, *TO, "--profile", str(profile))[0] == 0
    stdin(monkeypatch, "Another question?")
    code, _, err = run(capsys, *WEEKLY, *TO, "--profile", str(profile))
    assert code == 2
    assert "already a check-in named 'weekly'" in one_line(err)
    [item] = listed(capsys, profile)
    assert item["question"] == "What did you finish this week?\nWhat is blocked?"


def test_two_sending_accounts_need_a_choice_and_remove_forgets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, profile: Path
) -> None:
    with Store.open(profile) as store, store.writing() as session:
        add_account(session, _email_account("home", "me@home.example"), T0)
    stdin(monkeypatch, QUESTION)
    code, _, err = run(capsys, *WEEKLY, *TO, "--profile", str(profile))
    assert code == 2
    assert one_line(err).endswith(
        "several accounts can send (home, work): choose one with --account"
    )
    assert listed(capsys, profile) == []
    stdin(monkeypatch, QUESTION)
    assert run(capsys, *WEEKLY, *TO, "--account", "home", "--profile", str(profile))[0] == 0
    assert [item["account"] for item in listed(capsys, profile)] == ["home"]
    code, out, _ = run(capsys, "checkin", "remove", "weekly", "--profile", str(profile))
    assert code == 0
    assert one_line(out).startswith("Check-in 'weekly' removed")
    assert listed(capsys, profile) == []
