"""The Stats view: a week's numbers and charts, moving between weeks, exporting.

A real profile in Berlin (SQLite, messages stored as a sync stores them, a schedule,
a break-glass event) and the window's clock pinned on Monday 23 November 2026, 14:30,
so "last week" is 2026-W47 and "this week" 2026-W48. What the view shows is checked
against what ``asyncdesk stats`` computes and writes for the same week and instant.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_days
from asyncdesk.core.stats import Week
from asyncdesk.services.schedule import change_schedule, open_inbox
from asyncdesk.services.stats import compute, export_folder, render
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.main_window import MainWindow
from asyncdesk.ui.stats_view import StatsWindow
from asyncdesk.ui.tasks import TaskRunner

BERLIN = ZoneInfo("Europe/Berlin")
ME = "me@example.org"
H = timedelta(hours=1)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


NOW = berlin(23, 14, 30)
W47 = Week(2026, 47, BERLIN)
W48 = Week(2026, 48, BERLIN)


def _message(name: str, at: datetime, *, out: bool = False, conversation: str = "") -> Message:
    return Message(
        remote_id=name,
        direction=Direction.OUTBOUND if out else Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=conversation or name,
        sender=Sender(ME if out else f"{name}@clients.example"),
        subject=name,
        received_at=at,
        to=(f"{conversation}@clients.example",) if out else (ME,),
    )


def _fill(root: Path) -> None:
    """Last week (W47): four messages, three needing a reply, two answered (one within
    its 48 hours, one late), one never; this week (W48): one, unanswered. W46 is empty."""
    with Store.open(root) as store:
        with store.writing() as session:
            set_setting(session, declared.TIMEZONE, "Europe/Berlin")
            account = add_account(session, Account("work", AccountKind.EMAIL, (ME,)), NOW)
            assert account.id is not None
            inbound = [
                (_message("a", berlin(16, 10)), True),
                (_message("b", berlin(17, 11)), True),
                (_message("c", berlin(18, 12)), True),
                (_message("news", berlin(19, 8)), False),
                (_message("d", berlin(23, 9)), True),
            ]
            batch = [
                (message, Triage(needs, message.received_at + 48 * H if needs else None))
                for message, needs in inbound
            ]
            batch += [
                (_message("re-a", berlin(16, 11), out=True, conversation="a"), Triage(False)),
                (_message("re-b", berlin(20, 12), out=True, conversation="b"), Triage(False)),
            ]
            add_batch(session, account.id, batch, stream="INBOX", cursor="1", now=NOW)
        clock = FixedClock(berlin(1, 8))
        block = WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), 9 * 60, 9 * 60 + 30)
        change_schedule(store, clock, lambda schedule: schedule.with_weekly(block))
        open_inbox(store, FixedClock(berlin(18, 15)), break_glass="client outage")


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "profile"
    _fill(root)
    return root


@pytest.fixture
def store(profile: Path) -> Iterator[Store]:
    with Store.open(profile) as opened:
        yield opened


@pytest.fixture
def stats_window(qtbot: QtBot, store: Store) -> Iterator[StatsWindow]:
    tasks = TaskRunner()
    window = StatsWindow(tasks, FixedClock(NOW))
    qtbot.addWidget(window)
    window.resize(900, 700)
    with qtbot.waitSignal(window.loaded, timeout=10_000) as loaded:
        window.set_store(store, BERLIN)
    assert loaded.args == ["2026-W47"]
    yield window
    window.set_store(None)
    tasks.shutdown()


def _show(qtbot: QtBot, window: StatsWindow, action: Callable[[], object], label: str) -> None:
    """Do ``action`` and wait until the week ``label`` is shown."""
    with qtbot.waitSignal(window.loaded, timeout=10_000) as loaded:
        action()
    assert loaded.args == [label]


def test_it_opens_on_last_week_with_the_numbers_the_export_has(
    stats_window: StatsWindow, store: Store
) -> None:
    window = stats_window
    assert window.title.text() == "2026-W47 · 16–22 November 2026"
    figures = {key: label.text() for key, label in window.figures.items()}
    assert figures["received"] == "4"
    assert figures["needs_reply"] == "3"
    assert figures["replied"] == "2"
    # a: 60 min, b: 73 h (late) -> the median of two is their mean.
    assert figures["median"] == "1 d 13 h"
    assert figures["kept"] == "33 %"  # a kept; b late; c unanswered, due Fri 12:00
    assert figures["windows"] == "5"
    assert figures["break_glass"] == "1"
    assert window.break_glass_label.text() == "• client outage"
    assert window.shown is not None
    assert window.shown.as_json() == compute(store, W47, NOW).as_json()
    # The four charts are drawn, from valid SVG.
    for chart in window.charts.values():
        assert chart.svg.renderer().isValid()
        assert chart.svg.isVisibleTo(window)
    table = window.table
    rows = [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]
    assert rows == [
        # p90 of [60, 4380] (inclusive): 60 + 0.9 * 4320 = 3948 min = 2 d 17 h 48 min.
        ["work", "4", "3", "2", "1 d 13 h", "2 d 18 h", "33 %", "1"],
        ["All accounts", "4", "3", "2", "1 d 13 h", "2 d 18 h", "33 %", "1"],
    ]


def test_moving_between_weeks_by_button_key_and_date(
    qtbot: QtBot, stats_window: StatsWindow
) -> None:
    window = stats_window
    assert not window.last_week_button.isEnabled()
    _show(qtbot, window, window.this_week_button.click, "2026-W48")
    assert window.figures["received"].text() == "1"
    assert not window.next_button.isEnabled()  # no week after the current one
    assert not window.this_week_button.isEnabled()
    assert window.date_edit.maximumDate() == QDate(2026, 11, 29)

    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    alt = Qt.KeyboardModifier.AltModifier
    _show(qtbot, window, lambda: qtbot.keyClick(window, Qt.Key.Key_Left, alt), "2026-W47")
    # Also while the date field has the focus (it wants Alt+arrows for itself).
    window.date_edit.setFocus()
    _show(qtbot, window, lambda: qtbot.keyClick(window.date_edit, Qt.Key.Key_Left, alt), "2026-W46")
    _show(
        qtbot, window, lambda: qtbot.keyClick(window.date_edit, Qt.Key.Key_Right, alt), "2026-W47"
    )
    _show(qtbot, window, window.previous_button.click, "2026-W46")
    _show(qtbot, window, lambda: window.date_edit.setDate(QDate(2026, 11, 4)), "2026-W45")
    assert window.date_edit.date() == QDate(2026, 11, 2)  # shown by its Monday
    _show(qtbot, window, window.last_week_button.click, "2026-W47")


def test_a_week_without_messages_shows_dashes_and_says_why(
    qtbot: QtBot, stats_window: StatsWindow
) -> None:
    window = stats_window
    _show(qtbot, window, window.previous_button.click, "2026-W46")
    assert window.figures["received"].text() == "0"
    assert window.figures["median"].text() == "—"
    assert window.figures["kept"].text() == "—"
    response, promise = window.charts["response"], window.charts["promise"]
    assert response.note.text() == "No replies this week."
    assert promise.note.text() == "No promise fell due this week."
    assert not promise.svg.isVisibleTo(window)
    assert not window.break_glass_label.isVisibleTo(window)


def test_only_the_last_week_asked_for_is_shown(qtbot: QtBot, stats_window: StatsWindow) -> None:
    window = stats_window
    shown: list[str] = []
    window.loaded.connect(shown.append)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        window.previous_button.click()
        window.previous_button.click()
        window.previous_button.click()
    qtbot.wait(300)  # a stale result would land in this time
    assert shown == ["2026-W44"]
    assert window.title.text().startswith("2026-W44")


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_export_writes_what_the_command_line_writes(
    qtbot: QtBot, stats_window: StatsWindow, store: Store, tmp_path: Path, fmt: str
) -> None:
    window = stats_window
    asked: list[Path] = []

    def choose(fmt_: str, suggested: Path) -> Path:
        asked.append(suggested)
        return tmp_path / f"report.{fmt_}"

    window.ask_path = choose
    with qtbot.waitSignal(window.exported, timeout=10_000) as done:
        window.export_buttons[fmt].click()
    assert asked[0].name == f"asyncdesk-2026-W47.{fmt}"
    target = tmp_path / f"report.{fmt}"
    assert done.args == [str(target)]
    assert target.read_text(encoding="utf-8") == render(compute(store, W47, NOW), fmt)
    if fmt == "json":
        assert json.loads(target.read_text())["received"] == 4
    assert window.status.text() == f"Saved {target}"


def test_export_cancelled_writes_nothing(stats_window: StatsWindow, tmp_path: Path) -> None:
    window = stats_window
    window.ask_path = lambda fmt, suggested: None
    window.export_buttons["html"].click()
    assert list(tmp_path.iterdir()) == [tmp_path / "profile"]


def test_export_to_a_missing_folder_says_so_in_one_line(
    qtbot: QtBot, stats_window: StatsWindow, tmp_path: Path
) -> None:
    window = stats_window
    target = tmp_path / "gone" / "report.html"
    with qtbot.waitSignal(window.export_failed, timeout=10_000) as failed:
        window.export_to(target, "html")
    (message,) = failed.args
    assert message.startswith("Cannot save the report: No such file or directory")
    assert "\n" not in message
    assert window.status.text() == message
    assert not target.parent.exists()


def test_ctrl_shift_s_opens_the_stats_of_the_profile(qtbot: QtBot, profile: Path) -> None:
    window = MainWindow(ProfilePaths(profile), clock=FixedClock(NOW))
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.profile_opened, timeout=10_000):
            window.show()
            window.open_profile()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitActive(window)
        assert window.stats_action.shortcut().toString() == "Ctrl+Shift+S"
        window.stats_action.trigger()
        stats = window.stats_window
        assert stats is not None
        with qtbot.waitSignal(stats.loaded, timeout=10_000) as loaded:
            pass
        assert loaded.args == ["2026-W47"]
        assert stats.isVisible()
        assert stats.figures["received"].text() == "4"
    finally:
        window.close()
    assert window.tasks.is_shut_down


def test_charts_stay_readable_on_a_dark_palette(qtbot: QtBot, stats_window: StatsWindow) -> None:
    """The charts have dark ink: on a dark desktop they sit on a light card."""
    window = stats_window
    dark = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        dark.setColor(role, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    window.setPalette(dark)
    window.show()
    qtbot.waitExposed(window)
    svg = window.charts["received"].svg
    corner = svg.mapTo(window, svg.rect().topRight()) + QPoint(-2, 2)
    image = window.grab().toImage()
    assert image.pixelColor(corner) == QColor("#ffffff")
    assert image.pixelColor(QPoint(2, image.height() // 2)) == QColor("#202124")


def test_the_automatic_export_is_switched_on_and_off_with_a_folder(
    qtbot: QtBot, stats_window: StatsWindow, store: Store, tmp_path: Path
) -> None:
    window = stats_window
    box = window.auto_export_box
    assert not box.isChecked()
    assert window.auto_export_label.text() == "(no folder)"
    reports = tmp_path / "reports"
    window.ask_folder = lambda current: None  # the user cancels: nothing changes
    box.click()
    assert not box.isChecked()
    assert export_folder(store) is None

    window.ask_folder = lambda current: reports
    with qtbot.waitSignal(window.auto_export_changed, timeout=10_000) as changed:
        box.click()
    assert changed.args == [str(reports)]
    assert box.isChecked()
    assert window.auto_export_label.text() == str(reports)
    assert export_folder(store) == reports

    with qtbot.waitSignal(window.auto_export_changed, timeout=10_000) as changed:
        box.click()
    assert changed.args == [None]
    assert not box.isChecked()
    assert export_folder(store) is None


def test_a_file_is_refused_as_the_report_folder(
    qtbot: QtBot, stats_window: StatsWindow, store: Store, tmp_path: Path
) -> None:
    window = stats_window
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    window.ask_folder = lambda current: a_file
    with qtbot.waitSignal(window.load_failed, timeout=10_000) as failed:
        window.auto_export_box.click()
    assert failed.args == [f"{a_file}: not a folder"]
    assert not window.auto_export_box.isChecked()
    assert export_folder(store) is None
    assert a_file.read_text() == "mine"
