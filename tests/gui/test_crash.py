"""The crash path: uncaught exceptions are logged and shown; native crashes are reported."""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from asyncdesk.services.logs import remove_logging, setup_logging
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui import crash
from asyncdesk.ui.tasks import TaskRunner


@pytest.fixture
def paths(tmp_path: Path) -> Iterator[ProfilePaths]:
    """A profile with its log set up, as the app has it before installing the hook."""
    paths = ProfilePaths(tmp_path / "profile")
    handler = setup_logging(paths)
    yield paths
    remove_logging(handler)


@pytest.fixture
def installed(paths: ProfilePaths, qapp: object) -> Iterator[crash.CrashHandler]:
    handler = crash.install(paths, lambda: None)
    yield handler
    handler.uninstall()


def _boom() -> None:
    raise ValueError("boom in a slot")


@pytest.mark.allow_error_logs
def test_an_uncaught_exception_is_logged_and_shown(
    qtbot: QtBot, paths: ProfilePaths, installed: crash.CrashHandler
) -> None:
    assert sys.excepthook == installed.excepthook
    with qtbot.waitSignal(installed.dialog_shown) as shown:
        try:
            _boom()
        except ValueError as error:
            sys.excepthook(type(error), error, error.__traceback__)

    (box,) = shown.args
    assert isinstance(box, QMessageBox)
    assert box.isVisible()
    # open(), not exec(): modal to its window at most, never blocking the event loop.
    assert box.windowModality() != Qt.WindowModality.ApplicationModal
    assert box.icon() == QMessageBox.Icon.Critical
    assert "ValueError: boom in a slot" in box.informativeText()
    assert "Traceback (most recent call last)" in box.detailedText()
    assert "_boom" in box.detailedText()

    log_text = paths.log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in log_text
    assert "Traceback (most recent call last)" in log_text
    assert "ValueError: boom in a slot" in log_text
    box.close()


@pytest.mark.allow_error_logs
def test_a_failed_background_task_ends_in_the_dialog(
    qtbot: QtBot, paths: ProfilePaths, installed: crash.CrashHandler
) -> None:
    runner = TaskRunner()

    def task() -> None:
        raise ZeroDivisionError("background bug")

    with qtbot.waitSignal(installed.dialog_shown) as shown:
        runner.run_db(task)
    runner.shutdown()
    (box,) = shown.args
    assert "ZeroDivisionError: background bug" in box.informativeText()
    assert "in task" in box.detailedText()  # the worker's frames are kept
    box.close()


@pytest.mark.allow_error_logs
def test_only_one_dialog_at_a_time(
    qtbot: QtBot, paths: ProfilePaths, installed: crash.CrashHandler
) -> None:
    shown: list[QMessageBox] = []
    installed.dialog_shown.connect(shown.append)
    for _ in range(3):
        try:
            _boom()
        except ValueError as error:
            installed.excepthook(type(error), error, error.__traceback__)
    assert len(shown) == 1
    assert paths.log_file.read_text(encoding="utf-8").count("uncaught exception") == 3
    shown[0].close()


@pytest.mark.allow_error_logs
def test_a_failing_dialog_does_not_recurse(
    qtbot: QtBot, paths: ProfilePaths, qapp: object, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_parent() -> QWidget | None:
        raise RuntimeError("the window is gone")

    handler = crash.install(paths, broken_parent)
    try:
        try:
            _boom()
        except ValueError as error:
            sys.excepthook(type(error), error, error.__traceback__)
    finally:
        handler.uninstall()
    assert handler.dialog is None
    log_text = paths.log_file.read_text(encoding="utf-8")
    assert "the exception hook failed" in log_text
    assert "RuntimeError: the window is gone" in log_text
    # The original error still reaches stderr through Python's default hook.
    assert "ValueError: boom in a slot" in capsys.readouterr().err


def test_native_crashes_are_recorded_and_reported_at_the_next_start(
    qtbot: QtBot, paths: ProfilePaths, qapp: object
) -> None:
    program = textwrap.dedent(
        """
        import faulthandler, sys
        from pathlib import Path
        from asyncdesk.store.profile import ProfilePaths
        from asyncdesk.ui import crash
        crash.install(ProfilePaths(Path(sys.argv[1])), lambda: None)
        faulthandler._sigsegv()
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", program, str(paths.root)],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Fatal Python error" in paths.crash_file.read_text(encoding="utf-8")

    handler = crash.install(paths, lambda: None)
    try:
        assert faulthandler.is_enabled()
        moved = handler.previous_crash
        assert moved is not None
        assert moved.parent == paths.crash_file.parent
        assert "Fatal Python error" in moved.read_text(encoding="utf-8")
        assert paths.crash_file.read_text(encoding="utf-8") == ""  # ready for this run
        with qtbot.waitSignal(handler.previous_crash_found) as found:
            handler.report_previous_crash()
        assert found.args == [str(moved)]
        boxes = [w for w in _visible_boxes() if "crashed the last time" in w.text()]
        assert len(boxes) == 1
        boxes[0].close()
        handler.report_previous_crash()  # once only
    finally:
        handler.uninstall()
    assert not paths.crash_file.exists()  # a clean exit leaves no report behind

    again = crash.install(paths, lambda: None)
    again.uninstall()
    assert again.previous_crash is None


def _visible_boxes() -> list[QMessageBox]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QMessageBox) and widget.isVisible()
    ]
