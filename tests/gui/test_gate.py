"""The gate: outside a window a calm screen with a countdown, inside one the inbox.

Real profiles with real schedules (written through ``services.schedule``), a clock
injected into the window. The transition tests use a :class:`ShiftedClock` a few
seconds before a window's edge and wait for the window's own timer: nobody clicks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import Clock, FixedClock, ShiftedClock
from asyncdesk.core.schedule import (
    BlockKind,
    Mode,
    OneOffBlock,
    Schedule,
    WeeklyBlock,
    parse_clock,
    parse_days,
)
from asyncdesk.services.schedule import break_glass_events, change_schedule, set_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.gate import countdown_text, local_when, next_tick_ms
from asyncdesk.ui.main_window import MainWindow, Page

BERLIN = ZoneInfo("Europe/Berlin")
MESSAGES = 30


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A Berlin wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def _block(kind: BlockKind, start: str, end: str, days: str = "mon-fri") -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end))


def typical_day(schedule: Schedule) -> Schedule:
    """09:00-09:30 window, deep work to 12:00, 16:00-16:30 window; weekdays only."""
    return (
        schedule.with_weekly(_block(BlockKind.WINDOW, "09:00", "09:30"))
        .with_weekly(_block(BlockKind.DEEP_WORK, "09:30", "12:00"))
        .with_weekly(_block(BlockKind.WINDOW, "16:00", "16:30"))
    )


def _schedule(paths: ProfilePaths, change: Callable[[Schedule], Schedule]) -> None:
    writer = FixedClock(berlin(2026, 11, 1, 12, 0))
    with Store.open(paths.root) as store:
        set_timezone(store, writer, "Europe/Berlin")
        change_schedule(store, writer, change)


@pytest.fixture
def scheduled(make_profile: Callable[..., ProfilePaths]) -> ProfilePaths:
    """A profile of 30 messages with the typical day's schedule, in Berlin."""
    paths = make_profile(MESSAGES)
    _schedule(paths, typical_day)
    return paths


class Opened:
    """A window on a profile, opened, with every mode it announced."""

    def __init__(self, qtbot: QtBot, window: MainWindow) -> None:
        self.window = window
        self.modes: list[str] = []
        window.mode_changed.connect(self.modes.append)
        window.show()
        qtbot.waitExposed(window)
        signals = [window.schedule_loaded, window.model.page_loaded, window.count_loaded]
        with qtbot.waitSignals(signals, timeout=10_000):
            window.open_profile()

    def break_glass_events(self) -> list[tuple[datetime, str]]:
        """Read the profile's break-glass events on the window's own database worker."""
        store = self.window.store
        assert store is not None
        start, end = berlin(2026, 11, 1, 0, 0), berlin(2026, 12, 1, 0, 0)
        return self.window.tasks.run_db(lambda: break_glass_events(store, start, end)).result(
            timeout=10
        )


OpenWindow = Callable[[ProfilePaths, Clock], Opened]


@pytest.fixture
def open_window(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> OpenWindow:
    """``open_window(paths, clock)``: a window opened on the profile (closed at teardown)."""
    return lambda paths, clock: Opened(qtbot, make_window(paths, clock))


def _gate_texts(window: MainWindow) -> list[str]:
    return [label.text() for label in window.gate.findChildren(QLabel)]


# -- the transition, live --------------------------------------------------------------


def test_the_gate_counts_down_and_opens_the_inbox_at_the_window_start_by_itself(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    start = berlin(2026, 11, 23, 9, 0)  # a Monday
    clock = ShiftedClock(start - timedelta(seconds=3))
    opened = open_window(scheduled, clock)
    window, gate = opened.window, opened.window.gate

    assert window.page is Page.GATE
    assert gate.isVisible()
    assert not window.view.isVisible()
    assert opened.modes == ["closed"]
    assert gate.headline_text() == "The inbox opens at 09:00"
    assert re.fullmatch(r"in [1-3] s", gate.countdown_text())
    assert gate.mode_text() == "Closed — nothing will interrupt you."
    assert window.status_text() == ""
    # One timer, set to the transition: about 3 s away, not a polling interval.
    assert window.mode_timer.isActive()
    assert window.mode_timer.isSingleShot()
    assert 1000 < window.mode_timer.interval() <= 3000
    # In the last minute the countdown repaints every second, live.
    assert gate.display_timer.isActive()
    assert gate.display_timer.interval() <= 1000 + 20
    first = gate.countdown_text()
    qtbot.waitUntil(lambda: gate.countdown_text() != first, timeout=3000)

    switched_at: list[datetime] = []
    window.mode_changed.connect(lambda _mode: switched_at.append(clock.now()))
    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        pass  # nobody does anything: the window's timer fires at 09:00

    assert changed.args == ["window"]
    assert switched_at[0] >= start  # not a moment early
    assert switched_at[0] - start < timedelta(seconds=2)
    assert window.page is Page.INBOX
    assert window.view.isVisible()
    assert not gate.isVisible()
    assert not window.banner.isVisible()
    assert window.status_text() == f"Window open until 09:30 · {MESSAGES} messages"
    # Re-armed for the window's end, 30 minutes later.
    assert window.mode_timer.isActive()
    assert abs(window.mode_timer.interval() - 30 * 60 * 1000) < 3000
    assert not gate.display_timer.isActive()  # hidden: nothing repaints
    assert opened.modes == ["closed", "window"]


def test_at_the_end_of_a_window_the_gate_comes_back_by_itself(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    end = berlin(2026, 11, 23, 9, 30)
    clock = ShiftedClock(end - timedelta(seconds=3))
    opened = open_window(scheduled, clock)
    window = opened.window
    assert window.page is Page.INBOX
    assert window.status_text() == f"Window open until 09:30 · {MESSAGES} messages"
    assert not window.break_glass_action.isEnabled()

    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        pass
    assert changed.args == ["deep_work"]
    assert clock.now() >= end
    assert window.page is Page.GATE
    assert window.gate.headline_text() == "The inbox opens at 16:00"
    assert window.gate.mode_text() == "Deep work until 12:00 — notifications are held."
    assert window.status_text() == ""
    assert window.break_glass_action.isEnabled()


# -- what the gate says ----------------------------------------------------------------


def test_in_deep_work_the_gate_says_until_when_and_shows_nothing_of_the_inbox(
    open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 10, 0))
    opened = open_window(scheduled, clock)
    window, gate = opened.window, opened.window.gate

    assert window.page is Page.GATE
    assert window.mode is Mode.DEEP_WORK
    assert opened.modes == ["deep_work"]
    assert gate.headline_text() == "The inbox opens at 16:00"
    assert gate.countdown_text() == "in 6 h"
    assert gate.mode_text() == "Deep work until 12:00 — notifications are held."
    # Calm: no count, no sender, no subject, not even in the status bar.
    assert window.model.rowCount() == MESSAGES  # it loaded behind the gate
    shown = " ".join([*_gate_texts(window), window.status_text()])
    assert "message" not in shown
    assert str(MESSAGES) not in shown
    assert "Ada" not in shown
    assert not window._progress.isVisible()
    # The mode timer waits for the end of deep work (12:00), exactly two hours away;
    # the display timer for the next whole minute of the countdown.
    assert window.mode_timer.interval() == 2 * 60 * 60 * 1000
    assert gate.display_timer.isActive()
    assert gate.display_timer.interval() == 60_000 + 20


def test_on_a_sunday_the_gate_names_the_weekday_of_the_next_window(
    open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 22, 15, 0))
    opened = open_window(scheduled, clock)
    gate = opened.window.gate
    assert opened.window.page is Page.GATE
    assert opened.modes == ["closed"]
    assert gate.headline_text() == "The inbox opens at Mon 09:00"
    assert gate.countdown_text() == "in 18 h"
    assert gate.mode_text() == "Closed — nothing will interrupt you."


def test_with_no_window_ahead_the_gate_says_so_and_no_timer_runs(
    open_window: OpenWindow, make_profile: Callable[..., ProfilePaths]
) -> None:
    paths = make_profile(3)
    past = OneOffBlock(BlockKind.WINDOW, date(2026, 11, 2), parse_clock("09:00"), 600)
    _schedule(paths, lambda schedule: schedule.with_one_off(past))
    opened = open_window(paths, FixedClock(berlin(2026, 11, 23, 10, 0)))
    window = opened.window
    assert window.page is Page.GATE
    assert window.gate.headline_text() == "No window is scheduled ahead."
    assert window.gate.opens_at is None
    assert not window.mode_timer.isActive()
    assert not window.gate.display_timer.isActive()


def test_a_profile_without_any_window_is_always_open(
    open_window: OpenWindow, clock: FixedClock, make_profile: Callable[..., ProfilePaths]
) -> None:
    opened = open_window(make_profile(5), clock)
    window = opened.window
    assert window.page is Page.INBOX
    assert window.view.isVisible()
    assert opened.modes == ["window"]
    assert not window.mode_timer.isActive()
    assert not window.banner.isVisible()
    assert not window.break_glass_action.isEnabled()
    assert window.status_text() == "5 messages"


def test_f5_reads_the_schedule_again(
    qtbot: QtBot, open_window: OpenWindow, make_profile: Callable[..., ProfilePaths]
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 10, 0))
    opened = open_window(make_profile(5), clock)
    window = opened.window
    assert window.page is Page.INBOX
    store = window.store
    assert store is not None
    window.tasks.run_db(lambda: change_schedule(store, clock, typical_day)).result(timeout=10)

    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignals([window.schedule_loaded, window.mode_changed], timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert opened.modes == ["window", "deep_work"]
    assert window.page is Page.GATE
    assert window.mode_timer.isActive()


# -- break-glass -----------------------------------------------------------------------


def test_break_glass_with_a_reason_opens_the_inbox_under_a_banner_and_records_it(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 10, 0))
    opened = open_window(scheduled, clock)
    window, dialog = opened.window, opened.window.break_glass_dialog

    qtbot.mouseClick(window.gate.break_glass_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "   ")
    assert not dialog.ok_button.isEnabled()  # blank is no reason
    qtbot.keyClicks(dialog.reason_edit, "client  outage ")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(window.break_glass_opened, timeout=10_000) as broke:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert broke.args == ["client outage"]
    assert not dialog.isVisible()
    assert window.page is Page.INBOX
    assert window.view.isVisible()
    assert window.banner.isVisible()
    assert window.banner_label.text() == "Opened outside a window: client outage."
    assert window.break_glass_reason == "client outage"
    assert window.status_text() == f"{MESSAGES} messages"  # no "window open until"
    assert opened.modes == ["deep_work"]  # breaking the glass does not change the mode
    assert opened.break_glass_events() == [(clock.now(), "client outage")]

    qtbot.mouseClick(window.back_to_focus_button, Qt.MouseButton.LeftButton)
    assert window.page is Page.GATE
    assert window.break_glass_reason is None
    assert window.status_text() == ""
    assert opened.break_glass_events() == [(clock.now(), "client outage")]  # still one


def test_cancelling_or_a_blank_reason_records_nothing_and_stays_on_the_gate(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 10, 0))
    opened = open_window(scheduled, clock)
    window, dialog = opened.window, opened.window.break_glass_dialog
    assert window.break_glass_action.shortcut() == QKeySequence("Ctrl+Shift+B")
    window.activateWindow()
    qtbot.waitActive(window)

    # The keyboard way in; Enter on a blank reason does nothing; Cancel closes.
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.gate, Qt.Key.Key_B, modifiers)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.reason_edit, "  ")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    # Asked again, the dialog starts empty; Escape is a cancel too.
    qtbot.mouseClick(window.gate.break_glass_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.reason_edit.text() == ""
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    assert window.page is Page.GATE
    assert window.break_glass_reason is None
    assert opened.break_glass_events() == []


def test_a_break_glass_session_ends_at_the_next_transition(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 15, 0))  # closed, the 16:00 window ahead
    opened = open_window(scheduled, clock)
    window = opened.window
    with qtbot.waitSignal(window.break_glass_opened, timeout=10_000):
        window.open_anyway("release day")
    assert window.banner.isVisible()
    assert window.mode_timer.interval() == 60 * 60 * 1000  # still set to 16:00

    clock.set(berlin(2026, 11, 23, 16, 0))
    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        window.mode_timer.start(0)  # as the timer would, an hour later
    assert changed.args == ["window"]
    assert window.page is Page.INBOX
    assert not window.banner.isVisible()
    assert window.break_glass_reason is None
    assert window.status_text() == f"Window open until 16:30 · {MESSAGES} messages"

    clock.set(berlin(2026, 11, 23, 16, 30))
    with qtbot.waitSignal(window.mode_changed, timeout=10_000) as changed:
        window.mode_timer.start(0)
    assert changed.args == ["closed"]
    assert window.page is Page.GATE
    assert window.gate.headline_text() == "The inbox opens at Tue 09:00"
    assert opened.break_glass_events() == [(berlin(2026, 11, 23, 15, 0), "release day")]


def test_the_reason_dialog_goes_away_when_the_window_opens_meanwhile(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    clock = FixedClock(berlin(2026, 11, 23, 15, 59))
    opened = open_window(scheduled, clock)
    window = opened.window
    qtbot.mouseClick(window.gate.break_glass_button, Qt.MouseButton.LeftButton)
    assert window.break_glass_dialog.isVisible()

    clock.set(berlin(2026, 11, 23, 16, 0))
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.mode_timer.start(0)
    assert not window.break_glass_dialog.isVisible()
    assert window.page is Page.INBOX
    assert opened.break_glass_events() == []


# -- the countdown's text and rhythm ---------------------------------------------------


@pytest.mark.parametrize(
    ("remaining", "text", "tick_ms"),
    [
        (timedelta(hours=2, minutes=13, seconds=30), "in 2 h 14 min", 30_000),
        (timedelta(hours=6), "in 6 h", 60_000),
        (timedelta(hours=5, minutes=59, seconds=1), "in 6 h", 1_000),
        (timedelta(minutes=1, seconds=0.5), "in 2 min", 500),
        (timedelta(minutes=1), "in 1 min", 1000),
        (timedelta(seconds=59, milliseconds=990), "in 1 min", 990),
        (timedelta(seconds=58, milliseconds=990), "in 59 s", 990),
        (timedelta(seconds=42, milliseconds=500), "in 43 s", 500),
        (timedelta(milliseconds=400), "in 1 s", 400),
        (timedelta(0), "now", 1000),
        (timedelta(days=3, hours=4), "in 3 d 4 h", 60_000),
    ],
)
def test_the_countdown_says_minutes_then_seconds_and_ticks_at_each_change(
    remaining: timedelta, text: str, tick_ms: int
) -> None:
    assert countdown_text(remaining) == text
    assert next_tick_ms(remaining) == tick_ms + 20


def test_local_times_name_the_day_only_when_it_is_not_today(qapp: object) -> None:
    monday = berlin(2026, 11, 23, 10, 0)
    assert local_when(berlin(2026, 11, 23, 16, 0), monday, BERLIN) == "16:00"
    assert local_when(berlin(2026, 11, 26, 9, 0), monday, BERLIN) == "Thu 09:00"
    assert local_when(berlin(2026, 11, 30, 9, 0), monday, BERLIN) == "Mon 30 Nov 09:00"
