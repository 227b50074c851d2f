"""The automatic weekly export: once per week, into the chosen folder, whole files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import T0, add_test_account, email, open_store, store_triaged

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import FixedClock
from asyncdesk.services.profile import write_setting
from asyncdesk.services.stats import export_due_report

WED_W48 = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def test_exported_once_after_the_week_ends(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    with open_store(tmp_path / "p") as store:
        write_setting(store, declared.TIMEZONE, "Europe/Berlin")
        store_triaged(store, add_test_account(store), [email("a", at=T0)])
        assert export_due_report(store, FixedClock(WED_W48)) == []  # off by default
        write_setting(store, declared.STATS_EXPORT_DIR, str(folder))
        written = export_due_report(store, FixedClock(WED_W48))
        assert sorted(p.name for p in written) == [
            "asyncdesk-2026-W47.csv",
            "asyncdesk-2026-W47.html",
            "asyncdesk-2026-W47.json",
        ]
        assert json.loads((folder / "asyncdesk-2026-W47.json").read_text())["received"] == 1
        assert "<svg" in (folder / "asyncdesk-2026-W47.html").read_text()
        # Later runs in the same week write nothing more.
        assert export_due_report(store, FixedClock(WED_W48.replace(hour=18))) == []
        assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)


def test_an_unwritable_folder_is_tried_again_next_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    with open_store(tmp_path / "p") as store:
        write_setting(store, declared.STATS_EXPORT_DIR, str(blocker / "reports"))
        assert export_due_report(store, FixedClock(WED_W48)) == []
        assert "cannot write the weekly report" in caplog.text
        write_setting(store, declared.STATS_EXPORT_DIR, str(tmp_path / "reports"))
        assert len(export_due_report(store, FixedClock(WED_W48))) == 3
