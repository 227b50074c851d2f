"""The crash path (in the spirit of qutebrowser's ``misc/crashsignal.py``).

A bug must never die silently in a slot. :func:`install` makes every uncaught exception
(from a slot, a task callback, a worker thread outside the task runner):

1. logged with its traceback to the profile's log;
2. shown to the user in a non-blocking critical message box (short text, traceback in
   the details), at most one box at a time;

and points :mod:`faulthandler` at ``paths.crash_file`` so a native crash (a segfault in
Qt or SQLite) leaves its Python stacks behind. At the next start a non-empty crash file
is moved aside and reported to the user once.

The hook never recurses: an exception while reporting is logged and then written to
stderr by Python's default hook, nothing more.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from asyncdesk.store.profile import ProfilePaths

log = logging.getLogger(__name__)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class CrashHandler(QObject):
    """The installed hook; keep it alive for the application's lifetime.

    Signals (GUI thread):

    - ``dialog_shown(QMessageBox)``: an error box was opened (tests close it with it).
    - ``previous_crash_found(str)``: a crash log from an earlier run was moved to this
      path; emitted once, from :meth:`report_previous_crash`.
    """

    dialog_shown = Signal(object)
    previous_crash_found = Signal(str)

    # Carries a formatted exception from a non-GUI thread to the GUI thread (queued).
    _report_requested = Signal(str, str)

    def __init__(self, paths: ProfilePaths, parent_getter: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._paths = paths
        self._parent_getter = parent_getter
        self._local = threading.local()  # per-thread re-entrancy guard
        self._dialog: QMessageBox | None = None
        self._crash_report_box: QMessageBox | None = None
        self._crash_stream: IO[str] | None = None
        self._faulthandler_was_enabled = False
        self._previous_hook: Callable[..., Any] = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.previous_crash: Path | None = None
        self._report_requested.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)

    @property
    def dialog(self) -> QMessageBox | None:
        """The error box currently open, if any."""
        return self._dialog

    # -- installing -----------------------------------------------------------------

    def _install(self) -> None:
        self.previous_crash = _move_previous_crash_aside(self._paths.crash_file)
        if self.previous_crash is not None:
            log.warning("the previous run crashed; its report is in %s", self.previous_crash)
        self._enable_faulthandler()
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_excepthook

    def _enable_faulthandler(self) -> None:
        self._faulthandler_was_enabled = faulthandler.is_enabled()
        try:
            # Kept open for the whole run: faulthandler writes to its descriptor directly,
            # from a signal handler, when the process is already dying.
            self._crash_stream = open(  # noqa: SIM115 - must stay open for faulthandler
                self._paths.crash_file, "a", encoding="utf-8"
            )
        except OSError as error:
            log.warning("native crashes will not be recorded: %s", error)
            return
        faulthandler.enable(file=self._crash_stream, all_threads=True)

    def uninstall(self) -> None:
        """Restore the hooks and faulthandler as they were (application exit, tests)."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._thread_excepthook:
            threading.excepthook = self._previous_thread_hook
        if self._crash_stream is not None:
            faulthandler.disable()
            self._crash_stream.close()
            self._crash_stream = None
            if self._faulthandler_was_enabled and sys.__stderr__ is not None:
                faulthandler.enable(file=sys.__stderr__, all_threads=True)
            # An empty crash file means a clean exit; leave nothing to report.
            try:
                if self._paths.crash_file.stat().st_size == 0:
                    self._paths.crash_file.unlink()
            except OSError:
                pass
        if self._dialog is not None:
            self._dialog.close()
            self._dialog = None
        if self._crash_report_box is not None:
            self._crash_report_box.close()
            self._crash_report_box = None

    # -- reporting ------------------------------------------------------------------

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        exc_tb: TracebackType | None,
    ) -> None:
        """``sys.excepthook``: log, then tell the user. Safe from any thread."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_hook(exc_type, exc_value, exc_tb)
            return
        if getattr(self._local, "active", False):
            # Reporting itself failed: the plainest possible fallback, no dialogs.
            sys.__excepthook__(exc_type, exc_value, exc_tb)
            return
        self._local.active = True
        try:
            log.error("uncaught exception", exc_info=(exc_type, exc_value, exc_tb))
            details = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
            summary = traceback.format_exception_only(exc_type, exc_value)[-1].strip()
            if _on_gui_thread():
                self._show_dialog(summary, details)
            else:
                self._report_requested.emit(summary, details)
        except Exception:
            log.critical("the exception hook failed", exc_info=True)
            sys.__excepthook__(exc_type, exc_value, exc_tb)
        finally:
            self._local.active = False

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return  # as threading's own hook: a thread calling sys.exit() is no error
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def _show_dialog(self, summary: str, details: str) -> None:
        """GUI thread: open (not exec) one critical box; later errors only go to the log."""
        if QApplication.instance() is None:
            return
        if self._dialog is not None and self._dialog.isVisible():
            log.info("an error box is already open; not opening another")
            return
        parent = self._parent_getter()
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(self.tr("AsyncDesk – error"))
        box.setText(self.tr("Something went wrong inside AsyncDesk."))
        # The summary is Python's own line (exception type and message): not translated.
        box.setInformativeText(
            self.tr("{summary}\n\nThe details are in the log:\n{log}").format(
                summary=summary, log=self._paths.log_file
            )
        )
        box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._forget_dialog)
        self._dialog = box
        box.open()
        self.dialog_shown.emit(box)

    def _forget_dialog(self) -> None:
        self._dialog = None

    def report_previous_crash(self) -> None:
        """GUI thread, once the main window is up: tell the user about a past crash."""
        if self.previous_crash is None:
            return
        where = self.previous_crash
        self.previous_crash = None
        box = QMessageBox(self._parent_getter())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("AsyncDesk"))
        box.setText(self.tr("AsyncDesk crashed the last time it ran."))
        box.setInformativeText(self.tr("What it recorded is in:\n{file}").format(file=where))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        # Kept referenced: without a parent, a dropped wrapper would delete the box.
        self._crash_report_box = box
        box.open()
        self.previous_crash_found.emit(str(where))


def install(paths: ProfilePaths, parent_getter: Callable[[], QWidget | None]) -> CrashHandler:
    """Install the exception hook and native-crash recording for profile ``paths``.

    GUI thread, after the QApplication exists and the profile's log folder does (see
    ``services.logs.setup_logging``). ``parent_getter`` returns the widget error boxes
    belong to (the main window), or ``None``. Call :meth:`CrashHandler.uninstall` at
    exit; call :meth:`CrashHandler.report_previous_crash` once the window is shown.
    """
    handler = CrashHandler(paths, parent_getter)
    handler._install()
    return handler


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


def _move_previous_crash_aside(crash_file: Path) -> Path | None:
    """Rename a non-empty crash file to ``crash-<UTC time of the crash>.log``."""
    try:
        info = crash_file.stat()
    except OSError:
        return None
    if info.st_size == 0:
        return None
    when = datetime.fromtimestamp(info.st_mtime, UTC).strftime("%Y%m%dT%H%M%SZ")
    target = crash_file.with_name(f"crash-{when}.log")
    counter = 1
    while target.exists():
        counter += 1
        target = crash_file.with_name(f"crash-{when}-{counter}.log")
    try:
        crash_file.rename(target)
    except OSError as error:
        log.warning("cannot move the previous crash report aside: %s", error)
        return None
    return target
