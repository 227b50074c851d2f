"""Garbage collection happens on the GUI thread only while the collector runs."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from asyncdesk.ui.garbage import GuiThreadCollector


class _Cyclic(QObject):
    """A QObject kept alive only by a reference cycle, recording where it was freed."""

    freed_on_gui_thread: list[bool] = []  # noqa: RUF012 - shared record, by design

    def __init__(self) -> None:
        super().__init__()
        self.me = self

    def __del__(self) -> None:
        app = QApplication.instance()
        assert app is not None
        self.freed_on_gui_thread.append(QThread.currentThread() == app.thread())


def test_cycles_are_collected_on_the_gui_thread_not_in_workers(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    collector.start()
    try:
        assert not gc.isenabled()
        _Cyclic.freed_on_gui_thread.clear()
        ref = weakref.ref(_Cyclic())
        # A worker allocating a lot would trigger a collection there if gc were on.
        worker = threading.Thread(target=lambda: [[] for _ in range(100_000)])
        worker.start()
        worker.join()
        assert ref() is not None
        # Enough live allocations here to pass the first threshold: the timer collects.
        # Again at every poll: widgets of the previous test, which pytest-qt closed with
        # deleteLater(), are freed by the event loop while this waits, and every object
        # freed lowers the allocation count below the threshold again.
        keep: list[list[object]] = []

        def collected() -> bool:
            keep.extend([] for _ in range(gc.get_threshold()[0] + 1))
            return ref() is None

        qtbot.waitUntil(collected)
        assert keep
    finally:
        collector.stop()
    assert _Cyclic.freed_on_gui_thread == [True]


def test_stopping_collects_and_gives_gc_back(qapp: QApplication) -> None:
    was_enabled = gc.isenabled()
    collector = GuiThreadCollector()
    collector.start()
    ref = weakref.ref(_Cyclic())
    collector.stop()
    assert ref() is None
    assert gc.isenabled() == was_enabled
