"""Scroll the inbox window of a profile to its last message; a child process of run.py.

    .venv/bin/python benchmarks/window_scroll.py PROFILE_DIR [--timeout SECONDS]

Builds the window itself (``asyncdesk.ui.main_window.MainWindow``, with the GUI-thread
garbage collector the app runs) on the profile, the clock pinned at the next weekday
09:10 after the newest message in the profile's zone: inside a communication window of
the demo's schedule, so the inbox is shown and not the gate. Once the window is exposed
with its first page and the database worker has finished what opening queued (count,
deadlines, sidebar...), it scrolls the view to the bottom, and again each time a page of
rows arrives (the model reads 200 at a time when the view asks, ``fetchMore``), until
the model has every row and the last one is in the viewport and painted.

Prints one JSON line: the seconds from ``show()`` to the first page on the inbox and to
the worker's queue done, the seconds the scroll took, the rows and pages, the mean wait for a
page (request to rows inserted), the GUI event loop's responsiveness during the scroll
(the gaps between the ticks of a 10 ms timer), and the peak RSS before and after.
The Qt platform is ``QT_QPA_PLATFORM`` (default offscreen).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from asyncdesk.core.clock import FixedClock
from asyncdesk.services import inbox
from asyncdesk.services.profile import user_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.garbage import GuiThreadCollector
from asyncdesk.ui.main_window import MainWindow, Page

TICK_MS = 10


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def inside_window(root: Path) -> datetime:
    """The next weekday 09:10 (the demo's first window) after the newest inbox message."""
    with Store.open(root) as store:
        zone: ZoneInfo = user_timezone(store)
        newest = inbox.page(store, 1)
    after = newest[0].received_at.astimezone(zone) if newest else datetime.now(zone)
    day = after.date()
    while True:
        at = datetime.combine(day, clock_time(9, 10), tzinfo=zone)
        if at > after and day.weekday() < 5:
            return at
        day += timedelta(days=1)


def gaps_ms(ticks: list[float], end: float) -> list[float]:
    """Milliseconds between successive ticks, and from the last one to ``end``."""
    return [(b - a) * 1000 for a, b in itertools.pairwise([*ticks, end])]


def run_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until ``condition`` holds (checked every 5 ms) or time is up."""
    deadline = time.perf_counter() + timeout
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: loop.quit() if condition() else None)
    poll.start()
    while not condition() and time.perf_counter() < deadline:
        QTimer.singleShot(int(min(1.0, deadline - time.perf_counter()) * 1000) + 1, loop.quit)
        loop.exec()
    poll.stop()
    return condition()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    at = inside_window(args.profile)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = GuiThreadCollector(app)
    collector.start()
    window = MainWindow(ProfilePaths(args.profile), clock=FixedClock(at))
    model, view = window.model, window.view
    ticks: list[float] = []  # every tick of the 10 ms timer, from show() to the end
    tick = QTimer()
    tick.setTimerType(Qt.TimerType.PreciseTimer)
    tick.setInterval(TICK_MS)
    tick.timeout.connect(lambda: ticks.append(time.perf_counter()))
    shown_at = time.perf_counter()
    ticks.append(shown_at)
    tick.start()
    window.show()
    window.open_profile()

    def opened() -> bool:
        return window.was_exposed and window.page is Page.INBOX and model.rowCount() > 0

    if not run_until(opened, 60):
        print(
            f"the inbox did not open (page {window.page}, rows {model.rowCount()})", file=sys.stderr
        )
        return 1
    opened_seconds = time.perf_counter() - shown_at
    # The worker is FIFO: once this no-op is back, what opening queued (count, deadlines,
    # sidebar...) has run, and its result was handled on the GUI thread.
    idle: list[bool] = []
    window.tasks.run_db(lambda: None, success=lambda _: idle.append(True))
    run_until(lambda: bool(idle), 60)
    settled_seconds = time.perf_counter() - shown_at
    run_until(lambda: False, 0.2)  # what those results queued on the GUI thread
    opening_gaps = gaps_ms(ticks, time.perf_counter())
    rss_before = peak_rss_mb()

    pages: list[float] = []  # seconds from a page's request to its rows inserted
    requested: list[float] = []
    done: list[float] = []

    def last_row_visible() -> bool:
        last = model.index(model.rowCount() - 1, 0)
        return view.viewport().rect().intersects(view.visualRect(last))

    def step() -> None:
        if done:
            return
        view.scrollToBottom()  # at the end, the view asks for the next page
        if model.all_loaded and last_row_visible():
            view.viewport().repaint()
            done.append(time.perf_counter())

    def on_loading(loading: bool) -> None:
        if loading:
            requested.append(time.perf_counter())

    def on_page(_rows: int) -> None:
        if requested:
            pages.append(time.perf_counter() - requested[-1])
        QTimer.singleShot(0, step)

    def on_tick() -> None:
        if not model.is_loading:
            step()  # in case no page is on its way (none should be missed)

    model.loading_changed.connect(on_loading)
    model.page_loaded.connect(on_page)
    tick.timeout.connect(on_tick)
    first_rows = model.rowCount()
    start = time.perf_counter()
    ticks[:] = [start]
    step()
    finished = run_until(lambda: bool(done), args.timeout)
    tick.stop()
    if not finished:
        print(
            f"not at the end after {args.timeout:.0f} s ({model.rowCount():,} rows)",
            file=sys.stderr,
        )
        return 1
    seconds = done[0] - start
    gaps = gaps_ms(ticks, done[0])
    result = {
        "at": at.isoformat(),
        "opened_seconds": round(opened_seconds, 3),
        "settled_seconds": round(settled_seconds, 3),
        "opening_tick_gap_max_ms": round(max(opening_gaps), 1),
        "seconds": round(seconds, 3),
        "rows": model.rowCount(),
        "first_rows": first_rows,
        "pages": len(pages),
        "page_ms_mean": round(statistics.fmean(pages) * 1000, 2) if pages else None,
        "rows_per_second": round((model.rowCount() - first_rows) / seconds),
        "viewport_rows": view.viewport().height() // max(1, view.rowHeight(0)),
        "tick_gap_max_ms": round(max(gaps), 1),
        "tick_gap_p99_ms": round(statistics.quantiles(gaps, n=100, method="inclusive")[98], 1)
        if len(gaps) >= 2
        else None,
        "tick_gaps_over_50_ms": sum(gap > 50 for gap in gaps),
        "rss_before_mb": round(rss_before, 1),
        "rss_after_mb": round(peak_rss_mb(), 1),
    }
    window.close()
    collector.stop()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
