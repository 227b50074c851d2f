"""Starting the GUI: the application object, logging, the crash hook, the main window.

The window is shown *before* the profile's database is opened; opening (and migrating)
the store and reading the first inbox page happen on the task runner's database worker,
so the window appears as fast with 100,000 messages as with none, and a damaged profile
shows a one-line message in the window instead of a traceback.

Environment:

``ASYNCDESK_EXIT_AFTER_SHOWN=1``
    For benchmarks: once the window has been exposed on screen, the schedule has
    decided the first page (the inbox, or the gate outside a window) *and* the first
    inbox page is in the model — it loads behind the gate too — (or the profile or the
    page failed to load), print ``shown <seconds since process start>`` on stdout,
    close the window and exit (exit code 0, or 1 if the profile could not be opened).
    Seconds are measured from the process's creation time when psutil is installed,
    else from the import of this module.

``ASYNCDESK_AT=ISO8601``
    Run as if it were this instant (with an offset, e.g. ``2026-11-23T15:59:30+01:00``):
    the clock starts there and then runs in real time (a ``ShiftedClock``), so the gate
    counts down and opens as it would. For demos, screenshots and manual checks of the
    gate; ignored when ``run`` is given a clock. An unreadable value is reported on
    stderr and the app exits with code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from asyncdesk.core.clock import Clock, ShiftedClock, parse_instant
from asyncdesk.core.errors import EXIT_BAD_INPUT, AsyncDeskError
from asyncdesk.services.logs import remove_logging, setup_logging
from asyncdesk.store.profile import ProfilePaths, resolve_profile_dir
from asyncdesk.ui import crash
from asyncdesk.ui.garbage import GuiThreadCollector
from asyncdesk.ui.main_window import MainWindow, app_icon
from asyncdesk.ui.single_instance import RAISE, SingleInstance, own_bus_name, release_bus_name
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.translations import install_translators, remove_translators
from asyncdesk.ui.tray import Tray

_IMPORTED_AT = time.perf_counter()

EXIT_AFTER_SHOWN_ENV = "ASYNCDESK_EXIT_AFTER_SHOWN"
AT_ENV = "ASYNCDESK_AT"
APP_NAME = "AsyncDesk"
DESKTOP_FILE_NAME = "app.asyncdesk.AsyncDesk"

log = logging.getLogger(__name__)


def seconds_since_start() -> float:
    """Seconds since the process started (psutil), else since this module was imported."""
    try:
        psutil = importlib.import_module("psutil")
    except ImportError:
        return time.perf_counter() - _IMPORTED_AT
    return time.time() - float(psutil.Process().create_time())


def _application(argv: list[str] | None) -> QApplication:
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(APP_NAME)
    QApplication.setDesktopFileName(DESKTOP_FILE_NAME)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing  # a test's, or an embedding program's
    return QApplication(argv if argv is not None else sys.argv[:1])


class _ExitAfterShown(QObject):
    """Benchmark probe (``ASYNCDESK_EXIT_AFTER_SHOWN=1``): see the module docstring."""

    def __init__(self, app: QApplication, window: MainWindow) -> None:
        super().__init__(window)
        self._app = app
        self._window = window
        self._exposed = False
        self._page_loaded = False
        self._mode_decided = False
        self._failed = False
        self._done = False
        window.exposed.connect(self._on_exposed)
        window.model.page_loaded.connect(self._on_page_loaded)
        window.model.load_failed.connect(self._on_failed)
        window.schedule_loaded.connect(self._on_mode_decided)
        window.schedule_failed.connect(self._on_mode_decided)
        window.profile_failed.connect(self._on_failed)

    def _on_exposed(self) -> None:
        self._exposed = True
        self._check()

    def _on_page_loaded(self) -> None:
        self._page_loaded = True
        self._check()

    def _on_mode_decided(self) -> None:
        self._mode_decided = True
        self._check()

    def _on_failed(self) -> None:
        self._failed = True
        self._page_loaded = self._mode_decided = True
        self._check()

    def _check(self) -> None:
        if self._done or not (self._exposed and self._page_loaded and self._mode_decided):
            return
        self._done = True
        print(f"shown {seconds_since_start():.3f}", flush=True)
        code = 1 if self._failed else 0
        QTimer.singleShot(0, lambda: self._quit(code))

    def _quit(self, code: int) -> None:
        self._window.close()
        self._app.exit(code)


def run(
    profile_root: Path,
    *,
    clock: Clock | None = None,
    argv: list[str] | None = None,
    mailto: str | None = None,
    background: bool = False,
) -> int:
    """Run the GUI on the profile at ``profile_root`` until the window closes.

    ``clock`` pins "now" (tests, demos; else ``ASYNCDESK_AT``, else the real clock);
    ``argv`` goes to Qt (default: the program name only). ``mailto``: a link to write
    a message to (checked by the caller), handed to the running instance if there is
    one. ``background``: start in the tray without showing the window (as autostart
    does), unless there is no tray to come back from. Reuses an existing QApplication.
    Returns the event loop's exit code.
    """
    at = os.environ.get(AT_ENV, "").strip()
    if clock is None and at:
        try:
            clock = ShiftedClock(parse_instant(at))
        except ValueError as error:
            print(f"asyncdesk: {AT_ENV}: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    app = _application(argv)
    translators = install_translators(app)
    # One app per profile: a second start raises the first and exits.
    instance = SingleInstance(profile_root)
    if not instance.claim():
        instance.notify_first(mailto or RAISE)
        log.info("AsyncDesk already runs on profile %s: raised it", profile_root)
        remove_translators(app, translators)
        return 0
    bus_name = own_bus_name()
    collector = GuiThreadCollector(app)
    collector.start()
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)

    paths = ProfilePaths(profile_root)
    log_handler: logging.Handler | None = None
    setup_error: str | None = None
    try:
        log_handler = setup_logging(paths)
    except AsyncDeskError as error:
        setup_error = error.message
    except OSError as error:
        setup_error = f"cannot write the log of profile {paths.root}: {error.strerror}"
    log.info("AsyncDesk starting on profile %s", paths.root)

    shown: list[MainWindow] = []  # the error boxes' parent, once it exists
    crash_handler = crash.install(paths, lambda: shown[0] if shown else None)
    tasks = TaskRunner()
    window = MainWindow(paths, tasks=tasks, clock=clock)
    shown.append(window)
    if os.environ.get(EXIT_AFTER_SHOWN_ENV) == "1":
        _ExitAfterShown(app, window)
    instance.raise_on_message(window)
    instance.message_received.connect(window.open_link)
    tray = Tray(window, clock=clock)
    tray.follow(window)
    tray.break_glass_requested.connect(window.ask_break_glass)
    tray.quit_requested.connect(window.close)
    # A window that was never shown (--background) ends no event loop by closing.
    tray.quit_requested.connect(app.quit)

    if background and Tray.available():
        log.info("started in the background (tray only)")
    else:
        window.show()
    if mailto is not None:
        window.open_link(mailto)
    if setup_error is not None:
        window.show_profile_error(setup_error)
    else:
        window.open_profile()
    QTimer.singleShot(0, crash_handler.report_previous_crash)

    try:
        code = app.exec()
    finally:
        window.close()  # saves state and stops the runner, if Qt did not close it yet
        tray.hide()
        tasks.shutdown()
        # Closing the last window posts a Quit event; an application that outlives run()
        # (a test's, an embedder's) must not have its next event loop ended by it.
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        crash_handler.uninstall()
        log.info("AsyncDesk stopped")
        if log_handler is not None:
            remove_logging(log_handler)
        # Widgets live in reference cycles: drop ours and collect them here, on the GUI
        # thread, not wherever the next automatic collection would happen to run.
        shown.clear()
        del window, tasks, crash_handler, tray
        collector.stop()
        collector.deleteLater()
        remove_translators(app, translators)
        if bus_name:
            release_bus_name()
        instance.close()  # last: the profile is free once its store is closed
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``asyncdesk-gui``: ``asyncdesk-gui [--profile DIR] [Qt options]``."""
    parser = argparse.ArgumentParser(
        prog="asyncdesk-gui",
        description="AsyncDesk: one batched inbox for email and chat.",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="the profile directory (default: $ASYNCDESK_PROFILE, else the user data dir)",
    )
    args, qt_args = parser.parse_known_args(argv)
    # Ctrl+C in a terminal ends the app at once: Python's handler would only run when
    # control comes back from Qt's event loop, which may be never.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return run(resolve_profile_dir(args.profile), argv=[sys.argv[0], *qt_args])


if __name__ == "__main__":
    sys.exit(main())
