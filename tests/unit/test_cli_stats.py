"""`asyncdesk stats` on a real profile: JSON and CSV shapes, weeks, files."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from factories import ME, T0, add_test_account, email, open_store, store_triaged
from test_cli import one_line, run

from asyncdesk.core import settings as declared
from asyncdesk.core.messages import Direction
from asyncdesk.services.profile import write_setting

H = timedelta(hours=1)
AT = "2026-11-25T12:00:00+01:00"  # Wednesday after week 47


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    with open_store(root) as store:
        write_setting(store, declared.TIMEZONE, "Europe/Berlin")
        account = add_test_account(store)
        store_triaged(
            store,
            account,
            [
                email("a", at=T0, subject="Offer"),  # Mon 16 Nov 10:00 Berlin
                email(
                    "r",
                    at=T0 + 2 * H,
                    direction=Direction.OUTBOUND,
                    sender=ME,
                    to=["client@example.org"],
                    conversation="a@mail.example",
                ),
                email("b", at=T0 + 24 * H, subject="Later"),
                email("n", at=T0 + 30 * H, subject="News", headers={"list-id": "<l.x>"}),
            ],
        )
    return root


def test_json_for_a_week(capsys: pytest.CaptureFixture[str], profile: Path) -> None:
    code, out, err = run(
        capsys, "stats", "--week", "2026-W47", "--at", AT, "--profile", str(profile)
    )
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["week"] == "2026-W47"
    assert (shown["received"], shown["needs_reply"], shown["replied"]) == (3, 2, 1)
    assert shown["median_response_minutes"] == 120.0
    assert shown["commitment_kept_pct"] == 100 * 1 / 2  # Later is overdue, Offer kept
    assert shown["overdue_open"] == 1
    assert shown["by_account"]["work"]["received"] == 3
    assert [d["received"] for d in shown["by_day"]] == [1, 2, 0, 0, 0, 0, 0]


def test_default_week_is_the_last_complete_one(
    capsys: pytest.CaptureFixture[str], profile: Path
) -> None:
    code, out, _ = run(capsys, "stats", "--at", AT, "--profile", str(profile))
    assert code == 0
    assert json.loads(out)["week"] == "2026-W47"


def test_csv_rows_per_day_per_account_and_totals(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path
) -> None:
    target = tmp_path / "week.csv"
    target.write_text("an old report\n")
    code, out, err = run(
        capsys,
        "stats",
        "--week",
        "2026-W47",
        "--format",
        "csv",
        "-o",
        str(target),
        "--at",
        AT,
        "--profile",
        str(profile),
    )
    assert (code, out) == (0, "")
    assert "Wrote the stats of 2026-W47" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["scope"] for r in rows] == ["day"] * 7 + ["account", "total"]
    total = rows[-1]
    assert (total["received"], total["needs_reply"], total["replied"]) == ("3", "2", "1")
    assert rows[0]["date"] == "2026-11-16"
    assert rows[7]["account"] == "work"
    assert rows[3]["median_response_minutes"] == ""  # no reply that day: empty, not 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W54"], "2026 has no week 54"),
        (["--week", "47"], "--week takes an ISO week"),
        (["--format", "pdf"], "argument --format"),
        (["-o", "/nonexistent-dir/x.json"], "no such directory"),
    ],
)
def test_bad_input_writes_no_file(
    capsys: pytest.CaptureFixture[str],
    profile: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    target = tmp_path / "out.json"
    if "-o" not in args:
        args = [*args, "-o", str(target)]
    code, out, err = run(capsys, "stats", *args, "--at", AT, "--profile", str(profile))
    assert (code, out) == (2, "")
    assert message in one_line(err)
    assert not target.exists()


def test_auto_export_is_switched_on_and_off(
    capsys: pytest.CaptureFixture[str], profile: Path, tmp_path: Path
) -> None:
    from asyncdesk.services.stats import export_folder

    reports = tmp_path / "reports"
    code, out, err = run(capsys, "stats", "--auto-export", str(reports), "--profile", str(profile))
    assert (code, err) == (0, "")
    assert out == f"Each finished week's report will be written to {reports}.\n"
    with open_store(profile) as store:
        assert export_folder(store) == reports
    code, out, _ = run(capsys, "stats", "--auto-export", "off", "--profile", str(profile))
    assert (code, out) == (0, "Weekly reports are no longer written automatically.\n")
    with open_store(profile) as store:
        assert export_folder(store) is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--week", "2026-W47"], "--auto-export only changes the setting"),
        ([], "not a folder"),
    ],
)
def test_auto_export_bad_input_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    profile: Path,
    tmp_path: Path,
    extra: list[str],
    message: str,
) -> None:
    from asyncdesk.services.stats import export_folder

    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    target = a_file if not extra else tmp_path / "reports"
    before = (profile / "asyncdesk.sqlite3").read_bytes()
    code, out, err = run(
        capsys, "stats", "--auto-export", str(target), *extra, "--profile", str(profile)
    )
    assert (code, out) == (2, "")
    assert message in one_line(err)
    assert (profile / "asyncdesk.sqlite3").read_bytes() == before
    with open_store(profile) as store:
        assert export_folder(store) is None
