"""Starting the whole GUI: ``run()`` in-process and ``asyncdesk-gui`` as a process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from asyncdesk.core.clock import FixedClock
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui import app

SHOWN = re.compile(r"^shown (\d+\.\d+)$", re.MULTILINE)


def test_run_shows_the_window_loads_the_first_page_and_exits_when_asked(
    qapp: QApplication,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = make_profile(250)
    monkeypatch.setenv(app.EXIT_AFTER_SHOWN_ENV, "1")
    assert app.run(paths.root, clock=clock) == 0
    match = SHOWN.search(capsys.readouterr().out)
    assert match is not None
    assert float(match.group(1)) > 0
    assert QApplication.applicationName() == "AsyncDesk"
    assert QApplication.organizationName() == "AsyncDesk"
    assert QApplication.desktopFileName() == "app.asyncdesk.AsyncDesk"
    assert paths.ui_state.exists()  # the window closed normally and saved its state
    assert "AsyncDesk starting" in paths.log_file.read_text(encoding="utf-8")


def test_run_on_a_damaged_profile_reports_and_exits_nonzero(
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = ProfilePaths(tmp_path / "damaged")
    paths.ensure()
    paths.database.write_bytes(b"\x00garbage" * 4096)
    monkeypatch.setenv(app.EXIT_AFTER_SHOWN_ENV, "1")
    assert app.run(paths.root) == 1
    assert SHOWN.search(capsys.readouterr().out) is not None
    log_text = paths.log_file.read_text(encoding="utf-8")
    assert "cannot open profile" in log_text
    assert "Traceback" not in log_text


def test_the_gui_entry_point_starts_and_reports_when_shown(
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(40)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", app.EXIT_AFTER_SHOWN_ENV: "1"}
    result = subprocess.run(
        [sys.executable, "-m", "asyncdesk.ui.app", "--profile", str(paths.root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    match = SHOWN.search(result.stdout)
    assert match is not None, result.stdout
    assert 0 < float(match.group(1)) < 60
    assert "Traceback" not in result.stderr
