"""The window runs the notifier: one summary when a window opens, from its own thread.

A real profile with a real schedule and a :class:`ShiftedClock` two seconds before the
16:00 window; the desktop is a recorder passed to the window (the real path, plyer on
D-Bus, is covered by tests/integration/test_notifications.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import ShiftedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow

BERLIN = ZoneInfo("Europe/Berlin")
FOUR_PM = datetime(2026, 11, 23, 16, 0, tzinfo=BERLIN).astimezone(UTC)  # a Monday


class Recorder:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []

    def __call__(self, title: str, body: str) -> None:
        self.shown.append((title, body, threading.current_thread().name))


def test_the_window_notifies_once_when_a_window_opens_and_stops_with_it(
    qtbot: QtBot,
    make_profile: Callable[..., ProfilePaths],
    make_window: Callable[..., MainWindow],
) -> None:
    paths = make_profile(30)  # received between 11:00 and 14:23 that Monday
    with Store.open(paths.root) as store:
        writer = ShiftedClock(FOUR_PM - timedelta(days=30))
        set_timezone(store, writer, "Europe/Berlin")
        for kind, start, end in (
            (BlockKind.WINDOW, "09:00", "09:30"),
            (BlockKind.DEEP_WORK, "09:30", "12:00"),
            (BlockKind.WINDOW, "16:00", "16:30"),
        ):
            block = WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))
            change_schedule(store, writer, lambda s, b=block: s.with_weekly(b))
    show = Recorder()
    window = make_window(
        paths, ShiftedClock(FOUR_PM - timedelta(seconds=2)), show_notification=show
    )
    window.show()
    with qtbot.waitSignal(window.profile_opened, timeout=10_000):
        window.open_profile()
    notifier = window.notifier
    assert notifier is not None

    qtbot.waitUntil(lambda: len(show.shown) > 0, timeout=10_000)
    qtbot.wait(500)  # and no second one
    assert show.shown == [("Inbox open until 16:30", "30 waiting", "asyncdesk-notifier")]

    window.close()
    assert window.notifier is None
    assert not any(t.name == "asyncdesk-notifier" for t in threading.enumerate())
