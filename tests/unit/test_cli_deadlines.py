"""`deadlines` and `sla` through the command line, on a real profile."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from factories import T0, add_test_account, email, open_store, store_triaged
from test_cli import one_line, run

H = timedelta(hours=1)
AT = "2026-11-16T12:00:00+01:00"  # T0 is 09:00 UTC; this is 11:00 UTC


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    with open_store(root) as store:
        account = add_test_account(store)
        store_triaged(
            store,
            account,
            [
                email("a", subject="Offer", name="Ada", sender="ada@clients.example", at=T0),
                email("b", subject="Later", sender="bob@other.example", at=T0 + H),
                email("n", subject="News", at=T0, headers={"list-id": "<n.example>"}),
            ],
        )
    return root


def deadlines_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    code, out, err = run(capsys, "deadlines", "--json", *args, "--profile", str(root))
    assert (code, err) == (0, "")
    rows: list[dict] = json.loads(out)  # type: ignore[type-arg]
    return rows


def test_deadlines_json_is_the_contract(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    rows = deadlines_json(capsys, profile, "--at", AT)
    assert [set(row) for row in rows] == [
        {"id", "message_id", "sender", "subject", "received_at", "due_at", "overdue"}
    ] * 2
    assert [(r["subject"], r["due_at"], r["overdue"]) for r in rows] == [
        ("Offer", "2026-11-18T09:00:00Z", False),
        ("Later", "2026-11-18T10:00:00Z", False),
    ]
    assert rows[0]["sender"] == "Ada"
    assert rows[0]["message_id"] == "a@mail.example"
    late = deadlines_json(capsys, profile, "--at", "2026-11-18T09:30:00Z", "--overdue")
    assert [(r["subject"], r["overdue"]) for r in late] == [("Offer", True)]


def test_dismiss_snooze_and_the_text_listing(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    rows = deadlines_json(capsys, profile, "--at", AT)
    offer, later = rows[0]["id"], rows[1]["id"]
    code, out, _ = run(capsys, "deadlines", "dismiss", str(offer), "--profile", str(profile))
    assert code == 0
    assert "Dismissed" in out
    code, out, _ = run(
        capsys,
        "deadlines",
        "snooze",
        str(later),
        "--until",
        "2099-01-01T09:00:00+01:00",
        "--profile",
        str(profile),
    )
    assert code == 0
    assert "Snoozed" in out
    assert deadlines_json(capsys, profile) == []
    code, out, _ = run(capsys, "deadlines", "--profile", str(profile))
    assert out.strip() == "No open reply-by deadlines."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deadlines", "dismiss", "999"], "no message with id 999"),
        (["deadlines", "snooze", "999", "--until", "2099-01-01T00:00:00Z"], "no message"),
        (["deadlines", "snooze", "1", "--until", "tomorrow"], "--until"),
        (["deadlines", "--at", "yesterday"], "--at"),
        (["sla", "default", "forever"], "forever"),
        (["sla", "default", "0h"], ""),
        (["sla", "add", "--domain", "nodots", "24h"], "--domain takes a domain"),
        (["sla", "add", "--account", "nope", "24h"], "nope"),
        (["sla", "add", "--sender", "x@y.example", "2 fortnights"], "fortnights"),
        (["sla", "working-hours", "--days", "mon-fri", "--start", "17:00", "--end", "09:00"], ""),
        (["sla", "working-hours", "--days", "someday", "--start", "09:00", "--end", "17:00"], ""),
        (["sla", "working-hours", "--days", "mon-fri"], "--start"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], profile: Path, args: list[str], message: str
) -> None:
    before = deadlines_json(capsys, profile, "--at", AT)
    code, out, err = run(capsys, *args, "--profile", str(profile))
    assert (code, out) == (2, "")
    assert message in one_line(err)
    assert deadlines_json(capsys, profile, "--at", AT) == before
    code, out, _ = run(capsys, "sla", "show", "--json", "--profile", str(profile))
    shown = json.loads(out)
    assert (shown["default_minutes"], shown["rules"], shown["working_hours"]) == (2880, [], None)


def test_sla_rules_move_deadlines_and_show(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    p = ("--profile", str(profile))
    code, out, _ = run(capsys, "sla", "default", "24h", *p)
    assert (code, out.strip()) == (0, "Promise: reply within 24h (2 open deadlines moved).")
    code, out, _ = run(capsys, "sla", "add", "--domain", "clients.example", "4h", *p)
    assert code == 0
    assert "1 open deadline moved" in out
    rows = deadlines_json(capsys, profile, "--at", AT)
    assert [(r["subject"], r["due_at"]) for r in rows] == [
        ("Offer", "2026-11-16T13:00:00Z"),
        ("Later", "2026-11-17T10:00:00Z"),
    ]
    code, out, _ = run(
        capsys,
        "sla",
        "working-hours",
        "--days",
        "mon-fri",
        "--start",
        "09:00",
        "--end",
        "17:00",
        *p,
    )
    assert code == 0
    code, out, _ = run(capsys, "sla", "show", "--json", *p)
    shown = json.loads(out)
    assert shown["default"] == "24h"
    assert shown["working_hours"] == "mon,tue,wed,thu,fri 09:00-17:00"
    assert shown["rules"] == [
        {"kind": "domain", "value": "clients.example", "sla": "4h", "minutes": 240}
    ]
    code, out, _ = run(capsys, "sla", "show", *p)
    assert "domain clients.example: 4h" in out
