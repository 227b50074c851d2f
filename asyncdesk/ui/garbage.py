"""Python's cyclic garbage collector, run only on the GUI thread.

Widgets end up in reference cycles as a matter of course (a window connects its child
actions to its own bound methods), so only the cyclic collector frees them. It runs in
whichever thread happens to allocate when a threshold is crossed — often a task
runner's worker — and destroying a widget there crashes Qt (seen: a segfault in
``QAbstractItemView::~QAbstractItemView`` under ``gc_collect_main`` on a database
worker). Like calibre's ``GarbageCollector``, :class:`GuiThreadCollector` turns automatic
collection off and collects from a timer on the GUI thread instead, generation by
generation, with the interpreter's own thresholds.

Thread contract: create, :meth:`~GuiThreadCollector.start` and
:meth:`~GuiThreadCollector.stop` on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """Disables automatic ``gc`` while started; collects from a GUI-thread timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = False
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect everything now (on this, the GUI thread) and give ``gc`` back."""
        if not self._started:
            return
        self._started = False
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def check(self) -> None:
        """Collect the generations whose allocation counts passed their thresholds."""
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count0 > threshold0:
            gc.collect(0)
            if count1 > threshold1:
                gc.collect(1)
                if count2 > threshold2:
                    gc.collect(2)
