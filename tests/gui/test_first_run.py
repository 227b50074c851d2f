"""The welcome on a new profile: templates, the time zone, the promise, and after.

Real profiles on real SQLite, read back through the services the CLI uses
(``load_schedule``, ``deadlines.summary``); the clock pinned on Monday 23 November
2026, 14:30 in Berlin. The machine's zone is set through ``TZ`` so that the default
the welcome offers does not depend on the machine running the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import BlockKind, Mode, Schedule, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.accounts import add_imap_account
from asyncdesk.services.deadlines import summary
from asyncdesk.services.demo import demo_schedule
from asyncdesk.services.profile import read_setting
from asyncdesk.services.schedule import change_schedule, load_schedule
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.ui.first_run import (
    CUSTOM,
    TEMPLATES,
    THREE_WINDOWS,
    TWO_WINDOWS,
    WelcomeDialog,
    needs_welcome,
    offer_welcome,
    template_blocks,
)
from asyncdesk.ui.tasks import TaskRunner

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 14, 30, tzinfo=BERLIN).astimezone(UTC)
MACHINE_ZONE = "America/New_York"


@pytest.fixture(autouse=True)
def _machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", MACHINE_ZONE)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(open_store: Callable[[Path], Store], tmp_path: Path) -> Store:
    """A new, empty profile."""
    return open_store(tmp_path / "profile")


@pytest.fixture
def welcome(
    qtbot: QtBot, tasks: TaskRunner, clock: FixedClock, store: Store
) -> Iterator[WelcomeDialog]:
    dialog = WelcomeDialog(tasks, clock, store)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.ready, timeout=10_000):
        pass
    yield dialog
    dialog.close()


def _finish(qtbot: QtBot, dialog: WelcomeDialog) -> None:
    with qtbot.waitSignal(dialog.applied, timeout=10_000):
        dialog.finish_button.click()


# ----------------------------------------------------------------- the pure parts


def test_the_three_window_template_is_the_demo_day() -> None:
    blocks = template_blocks(THREE_WINDOWS)
    assert [b.describe() for b in blocks] == [
        "window mon-fri 09:00-09:30",
        "deep-work block mon-fri 09:30-12:00",
        "window mon-fri 13:00-13:30",
        "deep-work block mon-fri 13:30-16:00",
        "window mon-fri 16:30-17:00",
    ]
    assert set(blocks) == set(demo_schedule(BERLIN).weekly)


def test_the_two_window_template_and_the_empty_one() -> None:
    assert template_blocks(TWO_WINDOWS) == [
        WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), parse_clock("09:00"), 570),
        WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), parse_clock("15:00"), 930),
    ]
    assert template_blocks(CUSTOM) == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_is_a_valid_schedule(name: str) -> None:
    schedule = Schedule(zone=BERLIN)
    for block in template_blocks(name):
        schedule = schedule.with_weekly(block)  # raises on an overlap
    assert list(schedule.weekly) == template_blocks(name)
    assert [b.start for b in schedule.weekly] == sorted(b.start for b in schedule.weekly)


def test_an_unknown_template_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown schedule template 'four-windows'"):
        template_blocks("four-windows")


# ----------------------------------------------------------------- needs_welcome


def test_an_empty_profile_needs_the_welcome(store: Store) -> None:
    assert needs_welcome(store)


def test_a_profile_with_a_time_zone_of_its_own_does_not(store: Store) -> None:
    from asyncdesk.services.schedule import set_timezone

    set_timezone(store, FixedClock(NOW), "Europe/Berlin")
    assert not needs_welcome(store)


def test_a_profile_with_a_schedule_block_does_not(store: Store) -> None:
    block = WeeklyBlock(BlockKind.DEEP_WORK, parse_days("mon"), 600, 660)
    change_schedule(store, FixedClock(NOW), lambda s: s.with_weekly(block))
    assert read_setting(store, declared.TIMEZONE) == ""
    assert not needs_welcome(store)


def test_a_profile_with_an_account_does_not(store: Store) -> None:
    from asyncdesk.services.accounts import build_imap_account

    account = build_imap_account(
        "work", host="imap.example.org", port=993, security="tls", user="me@example.org"
    )
    add_imap_account(store, FixedClock(NOW), KeyringSecrets, account, "secret", verify=False)
    assert not needs_welcome(store)


# ----------------------------------------------------------------- the dialog


def test_it_offers_the_defaults_and_the_machine_zone(welcome: WelcomeDialog) -> None:
    choices = welcome.choices()
    assert choices.template == THREE_WINDOWS
    assert choices.promise_hours == 48
    assert choices.timezone == MACHINE_ZONE
    assert welcome.zone_combo.findText("Europe/Berlin") >= 0
    assert welcome.finish_button.isEnabled()
    assert not welcome.error_label.isVisible()


def test_finish_applies_the_template_zone_and_promise(
    qtbot: QtBot, welcome: WelcomeDialog, store: Store
) -> None:
    welcome.choose(template=THREE_WINDOWS, timezone="Europe/Berlin", promise_hours=24)
    _finish(qtbot, welcome)

    schedule = load_schedule(store)
    assert schedule.zone == BERLIN
    assert set(schedule.weekly) == set(template_blocks(THREE_WINDOWS))
    # Monday 14:30 in Berlin: between the 13:00 and 16:30 windows, in deep work.
    assert schedule.mode_at(NOW) is Mode.DEEP_WORK
    assert schedule.mode_at(datetime(2026, 11, 23, 16, 45, tzinfo=BERLIN)) is Mode.WINDOW
    promises = summary(store, FixedClock(NOW))
    assert promises.default == timedelta(hours=24)
    assert promises.timezone == "Europe/Berlin"
    assert not needs_welcome(store)
    assert welcome.pages.currentWidget() is welcome.done_page
    assert welcome.summary_label.text() == (
        "Your inbox opens Monday to Friday at 09:00, 13:00 and 16:30, with deep work "
        "between. Times are in Europe/Berlin; you promise to reply within 24 hours."
    )


def test_start_closes_the_welcome_as_finished(qtbot: QtBot, welcome: WelcomeDialog) -> None:
    _finish(qtbot, welcome)
    with qtbot.waitSignal(welcome.finished_setup, timeout=1000):
        welcome.start_button.click()
    assert welcome.result() == QDialog.DialogCode.Accepted


@pytest.mark.parametrize(
    ("button", "signal"),
    [("add_account_button", "add_account_requested"), ("demo_button", "demo_requested")],
)
def test_the_other_ways_on_are_signals(
    qtbot: QtBot, welcome: WelcomeDialog, button: str, signal: str
) -> None:
    _finish(qtbot, welcome)
    seen: list[str] = []
    welcome.finished_setup.connect(lambda: seen.append("finished_setup"))
    with qtbot.waitSignal(getattr(welcome, signal), timeout=1000):
        getattr(welcome, button).click()
    assert seen == []
    assert welcome.result() == QDialog.DialogCode.Accepted


def test_the_two_window_template_keeps_the_default_promise(
    qtbot: QtBot, welcome: WelcomeDialog, store: Store
) -> None:
    welcome.choose(template=TWO_WINDOWS, timezone="Asia/Tokyo")
    _finish(qtbot, welcome)
    schedule = load_schedule(store)
    assert schedule.zone == ZoneInfo("Asia/Tokyo")
    assert [b.describe() for b in schedule.weekly] == [
        "window mon-fri 09:00-09:30",
        "window mon-fri 15:00-15:30",
    ]
    assert summary(store, FixedClock(NOW)).default == timedelta(hours=48)


def test_setting_up_oneself_adds_no_block_and_stays_open(
    qtbot: QtBot, welcome: WelcomeDialog, store: Store
) -> None:
    welcome.choose(template=CUSTOM)
    _finish(qtbot, welcome)
    schedule = load_schedule(store)
    assert schedule.weekly == ()
    assert schedule.mode_at(NOW) is Mode.WINDOW  # no window yet: never locked out
    assert schedule.zone == ZoneInfo(MACHINE_ZONE)  # the machine's zone, now the profile's
    assert not needs_welcome(store)  # finished once is enough


def test_an_unknown_zone_is_one_line_and_changes_nothing(
    qtbot: QtBot, welcome: WelcomeDialog, store: Store
) -> None:
    welcome.choose(timezone="Mars/Olympus_Mons")
    welcome.finish_button.click()
    assert welcome.error_label.isVisibleTo(welcome)
    message = welcome.error_label.text()
    assert message == "Unknown time zone 'Mars/Olympus_Mons' (use an IANA name like Europe/Berlin)"
    assert "\n" not in message
    assert welcome.pages.currentWidget() is welcome.setup_page
    assert needs_welcome(store)
    assert load_schedule(store).weekly == ()
    assert summary(store, FixedClock(NOW)).default == timedelta(hours=48)


def test_not_now_writes_nothing(qtbot: QtBot, welcome: WelcomeDialog, store: Store) -> None:
    seen: list[str] = []
    welcome.finished_setup.connect(lambda: seen.append("finished"))
    welcome.not_now_button.click()
    assert welcome.result() == QDialog.DialogCode.Rejected
    assert seen == []
    assert needs_welcome(store)
    assert read_setting(store, declared.TIMEZONE) == ""


def test_every_control_has_an_accessible_name(qtbot: QtBot, welcome: WelcomeDialog) -> None:
    _finish(qtbot, welcome)
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in _controls(welcome)
        if not w.accessibleName()
    ]
    assert unnamed == []


def _controls(root: QWidget) -> list[QWidget]:
    """The widgets a user operates, leaving out the parts of composite ones (the line
    edit and the popup list of a combo box, a spin box's editor)."""
    kinds = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, kinds) or widget.isWindow():
            continue
        ancestor = widget.parentWidget()
        while ancestor is not None and not isinstance(ancestor, QComboBox | QAbstractSpinBox):
            ancestor = ancestor.parentWidget()
        if ancestor is None:
            found.append(widget)
    return found


# ----------------------------------------------------------------- the hook


def test_offer_welcome_opens_it_only_on_an_empty_profile(
    qtbot: QtBot, tasks: TaskRunner, clock: FixedClock, store: Store
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    opened: list[WelcomeDialog] = []
    offer_welcome(tasks, clock, store, parent, opened.append)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10_000)
    dialog = opened[0]
    assert dialog.parent() is parent
    assert dialog.isModal()
    qtbot.waitUntil(dialog.finish_button.isEnabled, timeout=10_000)  # ready
    _finish(qtbot, dialog)
    dialog.start_button.click()

    again: list[WelcomeDialog] = []
    offer_welcome(tasks, clock, store, parent, again.append)
    # One worker, results delivered in order: once this lands, the check has too.
    with qtbot.waitCallback(timeout=10_000) as checked:
        tasks.run_db(lambda: None, success=checked)
    assert again == []


def test_a_bad_choice_from_the_caller_is_refused_by_the_service(store: Store) -> None:
    from asyncdesk.ui.first_run import WelcomeChoices, apply_choices

    with pytest.raises(BadInput):
        apply_choices(store, FixedClock(NOW), WelcomeChoices(THREE_WINDOWS, "Nowhere/Land", 48))
    assert needs_welcome(store)
