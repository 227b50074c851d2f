"""The window's way into setting up: a new, empty profile gets the welcome over the
window, and what it sets takes effect at once; File ▸ Settings opens the settings,
and "Add an account" from the welcome opens them on the accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.first_run import THREE_WINDOWS, WelcomeDialog
from asyncdesk.ui.main_window import MainWindow, Page
from asyncdesk.ui.settings_dialog import SettingsDialog

NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # Monday 14:30 in Berlin


def shown(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_an_empty_profile_is_welcomed_and_the_choices_take_effect(
    qtbot: QtBot, tmp_path: Path
) -> None:
    root = tmp_path / "profile"
    Store.open(root).close()  # new and empty
    window = MainWindow(ProfilePaths(root), clock=FixedClock(NOW))
    qtbot.addWidget(window)
    try:
        window.show()
        window.open_profile()
        qtbot.waitUntil(lambda: bool(shown(WelcomeDialog)), timeout=10_000)
        (welcome,) = shown(WelcomeDialog)
        assert window.page is Page.INBOX  # no schedule yet: always open
        qtbot.waitUntil(lambda: welcome.finish_button.isEnabled(), timeout=10_000)
        welcome.choose(template=THREE_WINDOWS, timezone="Europe/Berlin", promise_hours=48)
        with qtbot.waitSignal(welcome.applied, timeout=10_000):
            welcome.finish_button.click()
        # 14:30 in Berlin on a Monday is deep work in the template: the gate shows.
        qtbot.waitUntil(lambda: window.page is Page.GATE, timeout=10_000)
        with qtbot.waitSignal(welcome.add_account_requested, timeout=5000):
            welcome.add_account_button.click()
        qtbot.waitUntil(lambda: bool(shown(SettingsDialog)), timeout=10_000)
        (settings,) = shown(SettingsDialog)
        settings.close()
    finally:
        window.close()


def test_file_settings_opens_the_settings(qtbot: QtBot, tmp_path: Path) -> None:
    root = tmp_path / "profile"
    Store.open(root).close()
    window = MainWindow(ProfilePaths(root), clock=FixedClock(NOW))
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.profile_opened, timeout=10_000):
            window.show()
            window.open_profile()
        for welcome in shown(WelcomeDialog):
            welcome.close()
        window.settings_action.trigger()
        qtbot.waitUntil(lambda: bool(shown(SettingsDialog)), timeout=10_000)
        shown(SettingsDialog)[0].close()
    finally:
        window.close()
