"""The main window on real profiles: opening in the background, listing, state, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.inbox_model import Column
from asyncdesk.ui.main_window import DEFAULT_SIZE, MainWindow

WindowFactory = Callable[..., MainWindow]  # conftest's make_window: closed at teardown


def _open(qtbot: QtBot, window: MainWindow) -> None:
    """Show the window, then open its profile and wait for the first page and the count."""
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignals([window.model.page_loaded, window.count_loaded], timeout=10_000):
        window.open_profile()
        assert window.status_text() == "Opening profile…"


def test_the_window_lists_the_inbox_newest_first(
    qtbot: QtBot,
    make_window: WindowFactory,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(30)
    window = make_window(paths, clock)
    _open(qtbot, window)

    assert window.windowTitle() == "AsyncDesk"
    assert window.status_text() == "30 messages"
    model = window.view.model()
    assert model is window.model
    assert model.rowCount() == 30
    subjects = [model.index(row, Column.SUBJECT).data() for row in range(30)]
    assert [subject.rsplit("#", 1)[1] for subject in subjects] == [str(n) for n in range(30)]
    assert window.view.isVisible()
    rows = window.view.verticalHeader()
    assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed  # uniform heights
    assert window.view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
    assert not window.view.isSortingEnabled()
    assert window.view.alternatingRowColors()


def test_scrolling_down_loads_the_next_pages_until_all_are_there(
    qtbot: QtBot,
    make_window: WindowFactory,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(450)
    window = make_window(paths, clock, page_size=200)
    _open(qtbot, window)
    assert window.model.rowCount() == 200

    for expected in (400, 450):
        with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
            window.view.scrollToBottom()
        assert window.model.rowCount() == expected
    assert window.model.all_loaded
    assert window.status_text() == "450 messages"


def test_an_empty_profile_shows_zero_messages(
    qtbot: QtBot, make_window: WindowFactory, clock: FixedClock, tmp_path: Path
) -> None:
    Store.open(tmp_path / "empty").close()
    window = make_window(ProfilePaths(tmp_path / "empty"), clock)
    _open(qtbot, window)
    assert window.model.rowCount() == 0
    assert window.status_text() == "0 messages"


def test_a_new_profile_is_created_in_the_background(
    qtbot: QtBot, make_window: WindowFactory, clock: FixedClock, tmp_path: Path
) -> None:
    paths = ProfilePaths(tmp_path / "brand-new")
    window = make_window(paths, clock)
    _open(qtbot, window)
    assert paths.database.exists()
    assert window.status_text() == "0 messages"


def test_window_geometry_and_columns_are_remembered(
    qtbot: QtBot,
    make_window: WindowFactory,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(5)
    first = make_window(paths, clock)
    # A sane size the first time: 1100x700, or 90 % of a smaller screen (offscreen's
    # screen is 800x600).
    available = first.screen().availableGeometry()
    assert first.size() == QSize(
        min(DEFAULT_SIZE[0], int(available.width() * 0.9)),
        min(DEFAULT_SIZE[1], int(available.height() * 0.9)),
    )
    _open(qtbot, first)
    first.resize(610, 430)
    first.view.setColumnWidth(Column.FROM, 213)
    first.close()
    assert paths.ui_state.exists()

    second = make_window(paths, clock)
    assert second.size() == QSize(610, 430)
    assert second.view.columnWidth(Column.FROM) == 213


def test_reload_and_quit_have_their_shortcuts(
    qtbot: QtBot,
    make_window: WindowFactory,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
) -> None:
    paths = make_profile(12)
    window = make_window(paths, clock)
    _open(qtbot, window)
    assert window.reload_action.shortcut() == QKeySequence("F5")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")

    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignals([window.model.page_loaded, window.count_loaded], timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert window.model.rowCount() == 12

    qtbot.keyClick(window.view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.tasks.is_shut_down


def test_a_damaged_database_shows_one_line_instead_of_crashing(
    qtbot: QtBot, make_window: WindowFactory, clock: FixedClock, tmp_path: Path
) -> None:
    paths = ProfilePaths(tmp_path / "damaged")
    paths.ensure()
    paths.database.write_bytes(b"this is not an SQLite database\n" * 512)
    window = make_window(paths, clock)
    window.show()
    with qtbot.waitSignal(window.profile_failed, timeout=10_000) as failed:
        window.open_profile()

    (message,) = failed.args
    assert "\n" not in message
    assert "is damaged (file is not a database)" in message
    assert "Traceback" not in message
    assert window.error_message == message
    assert window.error_label.isVisible()
    assert not window.view.isVisible()
    assert message in window.error_label.text()
    assert window.status_text() == message
    assert window.model.rowCount() == 0

    # Once the file is repaired (here: removed), F5 tries again and the inbox appears.
    paths.database.unlink()
    with qtbot.waitSignals([window.profile_opened, window.count_loaded], timeout=10_000):
        window.reload_action.trigger()
    assert window.view.isVisible()
    assert window.error_message is None
    assert window.status_text() == "0 messages"


def test_a_damaged_database_with_a_backup_offers_to_restore_it(
    qtbot: QtBot, make_window: WindowFactory, clock: FixedClock, tmp_path: Path
) -> None:
    from factories import add_test_account, many_emails, store_messages

    from asyncdesk.store.backup import make_backup
    from asyncdesk.store.database import Store

    paths = ProfilePaths(tmp_path / "damaged")
    with Store.open(paths.root) as store:
        store_messages(store, add_test_account(store), many_emails(7))
    make_backup(paths, clock)
    paths.database.write_bytes(b"this is not an SQLite database\n" * 512)

    window = make_window(paths, clock)
    window.show()
    with qtbot.waitSignal(window.profile_failed, timeout=10_000) as failed:
        window.open_profile()
    (message,) = failed.args
    assert "The newest backup is from 2026-" in message
    assert "profile restore`" in message
    assert "Restore the backup of" in window.error_label.text()

    # The page's link puts the backup back and opens the profile on it.
    with qtbot.waitSignals([window.profile_opened, window.count_loaded], timeout=10_000):
        window.error_label.linkActivated.emit("restore")
    assert window.view.isVisible()
    assert window.model.rowCount() == 7
    assert len(list(paths.root.glob("asyncdesk.sqlite3.damaged-*Z"))) == 1


def test_on_a_narrow_list_from_and_account_give_way_to_the_subject(
    qtbot: QtBot,
    make_window: WindowFactory,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
) -> None:
    """At the default 1100x700 with the deadlines dock, the subject was "Sub…" wide."""
    window = make_window(make_profile(5), clock)
    _open(qtbot, window)
    char = window.view.fontMetrics().averageCharWidth()
    view = window.view

    def widths() -> dict[Column, int]:
        return {column: view.columnWidth(column) for column in Column}

    window.resize(1100, 700)  # the default size, with the deadlines dock
    qtbot.waitUntil(lambda: widths()[Column.SUBJECT] >= 29 * char, timeout=5000)
    assert widths()[Column.FROM] < 24 * char
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: widths()[Column.FROM] >= 24 * char, timeout=5000)
    assert widths()[Column.ACCOUNT] >= 12 * char
    # A width the user chose is theirs: a narrow window no longer changes it.
    view.horizontalHeader().resizeSection(Column.FROM, 300)
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: widths()[Column.ACCOUNT] < 12 * char, timeout=5000)
    assert widths()[Column.FROM] == 300
