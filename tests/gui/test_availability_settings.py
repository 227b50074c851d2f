"""Settings ▸ Notifications ▸ Publish my availability: the switch (off by default), the
line saying what the chat status says now, and Save calendar feed….

A real profile on real SQLite in Berlin, the clock pinned on Monday 23 November 2026,
14:30 (closed; the next window is 16:00); what the dialog did is read back through the
services the command line uses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services import autoreply, presence
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.database import Store
from asyncdesk.ui.settings_dialog import SettingsDialog

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN).astimezone(UTC)
WAIT = 10_000


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(open_store: Callable[[Path], Store], tmp_path: Path, clock: FixedClock) -> Store:
    """Berlin, windows on weekdays at 09:00 and 16:00 (half an hour each)."""
    opened = open_store(tmp_path / "profile")
    set_timezone(opened, clock, "Europe/Berlin")
    for start, end in (("09:00", "09:30"), ("16:00", "16:30")):
        window = WeeklyBlock(
            BlockKind.WINDOW, parse_days("mon-fri"), parse_clock(start), parse_clock(end)
        )
        change_schedule(opened, clock, lambda s, window=window: s.with_weekly(window))
    return opened


def changed(qtbot: QtBot, dialog: SettingsDialog, action: Callable[[], object]) -> None:
    with qtbot.waitSignal(
        dialog.changed, timeout=WAIT, check_params_cb=lambda name: name == "notifications"
    ):
        action()


def test_the_switch_is_off_by_default_and_says_what_the_status_would_be(
    qtbot: QtBot, open_settings: Callable[..., SettingsDialog], store: Store
) -> None:
    section = open_settings("notifications").notifications
    assert not section.publish_box.isChecked()
    assert section.publish_box.text() == "&Publish my availability"
    assert section.publish_status.text() == (
        "When on, your chat status would now be: “Reading messages next at 16:00 CET”"
    )
    assert not autoreply.is_enabled(store)


def test_turning_it_on_and_off_is_what_the_command_line_reads(
    qtbot: QtBot, open_settings: Callable[..., SettingsDialog], store: Store
) -> None:
    dialog = open_settings("notifications")
    section = dialog.notifications
    woken: list[str] = []

    class Watch(presence.Targets):
        def wake(self) -> None:
            woken.append("wake")

    running = Watch(store, FixedClock(NOW))  # a sync of this process, waiting
    changed(qtbot, dialog, section.publish_box.click)
    assert autoreply.is_enabled(store)
    assert section.publish_box.isChecked()
    assert section.status_label.text() == "Your availability is published."
    assert section.publish_status.text() == (
        "Your chat status now: “Reading messages next at 16:00 CET”"
    )
    assert woken == ["wake"]  # the running sync applies it now, not at the next change
    assert open_settings("notifications").notifications.publish_box.isChecked()

    changed(qtbot, dialog, section.publish_box.click)
    assert not autoreply.is_enabled(store)
    assert not section.publish_box.isChecked()
    assert section.status_label.text() == (
        "Your availability is no longer published; the chat status is cleared."
    )
    assert woken == ["wake", "wake"]
    del running


def test_save_calendar_feed_writes_the_ics_the_user_picked(
    qtbot: QtBot, open_settings: Callable[..., SettingsDialog], tmp_path: Path
) -> None:
    dialog = open_settings("notifications")
    target = tmp_path / "share" / "my-windows.ics"
    target.parent.mkdir()
    dialog.ask_feed_file = lambda: target
    changed(qtbot, dialog, dialog.notifications.feed_button.click)
    assert dialog.notifications.status_label.text() == (
        f"Saved the calendar of your windows to {target}."
    )
    calendar = Calendar.from_ical(target.read_bytes())
    starts = sorted(
        event.decoded("DTSTART").strftime("%a %H:%M") for event in calendar.walk("VEVENT")
    )
    assert starts == ["Mon 09:00", "Mon 16:00"]
    assert [p.name for p in target.parent.iterdir()] == ["my-windows.ics"]


def test_a_feed_into_a_folder_is_refused_in_one_line(
    qtbot: QtBot, open_settings: Callable[..., SettingsDialog], tmp_path: Path
) -> None:
    dialog = open_settings("notifications")
    folder = tmp_path / "calendars"
    folder.mkdir()
    dialog.ask_feed_file = lambda: folder
    with qtbot.waitSignal(dialog.failed, timeout=WAIT) as failed:
        dialog.notifications.feed_button.click()
    name, message = failed.args
    assert name == "notifications"
    assert message == f"{folder} is a folder: give the name of the .ics file to write"
    assert dialog.notifications.error_label.text() == message
    assert list(folder.iterdir()) == []


def test_cancelling_the_file_dialog_writes_nothing(
    qtbot: QtBot, open_settings: Callable[..., SettingsDialog], tmp_path: Path
) -> None:
    dialog = open_settings("notifications")
    dialog.ask_feed_file = lambda: None
    dialog.notifications.feed_button.click()
    qtbot.wait(50)
    assert dialog.notifications.status_label.text() == ""
    assert dialog.notifications.feed_button.isEnabled()
