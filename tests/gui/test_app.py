"""Starting the whole GUI: ``run()`` in-process and ``asyncdesk-gui`` as a process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, OneOffBlock, parse_clock
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.database import Store
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


def test_asyncdesk_at_starts_the_clock_there_and_the_gate_counts_as_the_first_page(
    qapp: QApplication,
    make_profile: Callable[..., ProfilePaths],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Deep work only on one day long past: the real clock can never land in it.
    day = date(2020, 1, 6)
    blocks = [
        OneOffBlock(BlockKind.WINDOW, day, parse_clock("09:00"), parse_clock("09:30")),
        OneOffBlock(BlockKind.DEEP_WORK, day, parse_clock("09:30"), parse_clock("12:00")),
    ]
    paths = make_profile(20)
    writer = FixedClock(datetime(2019, 12, 1, tzinfo=UTC))
    with Store.open(paths.root) as store:
        set_timezone(store, writer, "Europe/Berlin")
        change_schedule(store, writer, lambda s: s.with_one_off(blocks[0]).with_one_off(blocks[1]))
    monkeypatch.setenv(app.EXIT_AFTER_SHOWN_ENV, "1")
    monkeypatch.setenv(app.AT_ENV, "2020-01-06T10:00:00+01:00")
    assert app.run(paths.root) == 0
    assert SHOWN.search(capsys.readouterr().out) is not None
    assert "mode: deep_work" in paths.log_file.read_text(encoding="utf-8")


def test_an_unreadable_asyncdesk_at_is_refused_in_one_line(
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(app.AT_ENV, "2026-11-23T10:00:00")  # no offset: ambiguous
    assert app.run(tmp_path / "never-created") == 2
    err = capsys.readouterr().err
    assert err.startswith("asyncdesk: ASYNCDESK_AT: ")
    assert "no UTC offset" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "never-created").exists()


def test_a_second_start_on_the_same_profile_raises_the_first_and_exits(
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(5)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "asyncdesk.ui.app", "--profile", str(paths.root)]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        log_file = paths.log_file
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log_file.exists() and "opened" in log_file.read_text(errors="replace"):
                break
            time.sleep(0.1)
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert first.poll() is None  # the first one still runs (and was raised)
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_a_clicked_link_reaches_the_running_app_through_the_command(
    make_profile: Callable[..., ProfilePaths],
) -> None:
    """What the desktop does for a click (``Exec=asyncdesk %u``): the running app
    opens a New message window; the second process exits 0 at once."""
    paths = make_profile(5)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    gui = [sys.executable, "-m", "asyncdesk.ui.app", "--profile", str(paths.root)]
    first = subprocess.Popen(gui, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_log(paths, "opened")
        link = [sys.executable, "-m", "asyncdesk", "--profile", str(paths.root), "mailto:a@x.org"]
        second = subprocess.run(link, env=env, capture_output=True, text=True, timeout=60)
        assert (second.returncode, second.stderr) == (0, "")
        _wait_for_log(paths, "new message window opened from a mailto: link")
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)


def _wait_for_log(paths: ProfilePaths, text: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if paths.log_file.exists() and text in paths.log_file.read_text(errors="replace"):
            return
        time.sleep(0.1)
    pytest.fail(f"the app never logged {text!r}")


# The offscreen platform has no tray; Qt says so when the (pretended) tray icon shows.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_background_starts_in_the_tray_without_the_window(
    qapp: QApplication,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Autostart's ``asyncdesk --background``: with a tray to come back from, no
    window pops up at login; the profile is opened all the same (sync, reminders), and
    the tray's Quit still ends the app."""
    from PySide6.QtCore import QTimer

    from asyncdesk.ui.main_window import MainWindow
    from asyncdesk.ui.tray import Tray

    paths = make_profile(5)
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    seen: list[bool] = []

    before = {id(w) for w in QApplication.topLevelWidgets()}  # windows of earlier tests

    def look() -> None:
        made = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and id(w) not in before
        ]
        if len(made) != 1 or made[0].store is None:
            QTimer.singleShot(50, look)
            return
        (window,) = made
        seen.append(window.isVisible())
        (tray,) = window.findChildren(Tray)
        tray.quit_requested.emit()  # the tray's Quit ends the app, window never shown

    QTimer.singleShot(0, look)
    guard = QTimer()  # never hang the suite: end the app and fail instead
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.quit)
    guard.start(60_000)
    try:
        assert app.run(paths.root, clock=clock, background=True) == 0
    finally:
        guard.stop()
    assert seen == [False]


def test_the_running_app_owns_its_id_on_the_session_bus(
    qapp: QApplication,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app id names the app on D-Bus too (the tests' private session bus): a
    desktop or a script can ask whether AsyncDesk runs; the name goes when it ends."""
    from PySide6.QtCore import QTimer
    from PySide6.QtDBus import QDBusConnection

    bus = QDBusConnection.sessionBus()
    assert bus.isConnected()

    def owned() -> bool:
        interface = bus.interface()
        assert interface is not None
        return bool(interface.isServiceRegistered("app.asyncdesk.AsyncDesk").value())

    seen: list[bool] = []
    QTimer.singleShot(0, lambda: seen.append(owned()))
    monkeypatch.setenv(app.EXIT_AFTER_SHOWN_ENV, "1")
    assert app.run(make_profile(3).root, clock=clock) == 0
    assert seen == [True]
    assert not owned()
