"""Settings ▸ Schedule's week grid: drags and keys change the stored schedule through the
same checks as the form, and a refused change snaps back.

Real profiles on real SQLite in Berlin, the clock pinned on Monday 23 November 2026,
14:30 (as in test_settings_dialog). Mouse events are sent as QMouseEvents with the
button held, as a real drag delivers them; what a change did is read back through the
services the command line uses, never from the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_settings_dialog import block, clock, store

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock
from asyncdesk.services.schedule import change_schedule, load_schedule
from asyncdesk.store.database import Store
from asyncdesk.ui.settings_dialog import ScheduleSection, SettingsDialog
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.week_grid import GridGeometry, WeekGrid, snapped

WAIT = 10_000
MON, TUE, WED = 0, 1, 2


MORNING = block(BlockKind.WINDOW, "mon-fri", "09:00", "09:30")
LUNCH = block(BlockKind.WINDOW, "mon-fri", "13:00", "13:30")
FOCUS = block(BlockKind.DEEP_WORK, "mon-fri", "09:30", "12:00")

__all__ = ["clock", "store"]  # the Settings tests' fixtures, used here too (tasks: conftest)


@pytest.fixture
def open_schedule(
    qtbot: QtBot, tasks: TaskRunner, clock: FixedClock, store: Store
) -> Iterator[Callable[..., ScheduleSection]]:
    """``open_schedule(*blocks)`` → the Schedule page, shown, of a profile with them."""
    dialogs: list[SettingsDialog] = []

    def opener(*blocks: WeeklyBlock) -> ScheduleSection:
        for weekly in blocks:
            change_schedule(store, clock, lambda s, weekly=weekly: s.with_weekly(weekly))
        dialog = SettingsDialog(tasks, clock, store)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        with qtbot.waitSignal(dialog.ready, timeout=WAIT):
            dialog.show_section("schedule")
            dialog.show()
        qtbot.waitExposed(dialog)
        dialog.schedule.grid.scroll_to(8 * 60)  # 08:00 to past 19:00 in view
        return dialog.schedule

    yield opener
    for dialog in dialogs:
        dialog.close()


def stored(store: Store) -> set[WeeklyBlock]:
    return set(load_schedule(store).weekly)


def changed(qtbot: QtBot, section: ScheduleSection, action: Callable[[], object]) -> None:
    """Run ``action`` and wait until the schedule was written and is shown again."""
    with qtbot.waitSignal(
        section.owner.changed, timeout=WAIT, check_params_cb=lambda name: name == "schedule"
    ):
        action()


def refused(qtbot: QtBot, section: ScheduleSection, action: Callable[[], object]) -> str:
    with qtbot.waitSignal(section.owner.failed, timeout=WAIT) as failed:
        action()
    name, message = failed.args
    assert name == "schedule"
    assert "\n" not in message
    assert section.error_label.text() == message
    assert section.error_label.isVisibleTo(section)
    return message


# ------------------------------------------------------------------- the mouse


def point(grid: WeekGrid, day: int, minute: float, *, dy: float = 0) -> QPointF:
    """The middle of ``day``'s column at ``minute`` (``dy`` pixels lower)."""
    geometry = grid.geometry_now()
    y = geometry.y_of(minute) + dy
    assert geometry.top < y < grid.height(), "not in view"
    return QPointF(geometry.x_of(day) + geometry.column_width / 2, y)


def send(grid: WeekGrid, kind: QEvent.Type, at: QPointF, *, held: bool) -> None:
    buttons = Qt.MouseButton.LeftButton if held else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        at,
        QPointF(grid.mapToGlobal(at)),
        Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(grid, event)


def drag(grid: WeekGrid, start: QPointF, end: QPointF) -> None:
    send(grid, QEvent.Type.MouseButtonPress, start, held=True)
    for step in range(1, 5):
        send(grid, QEvent.Type.MouseMove, start + (end - start) * step / 4, held=True)
    send(grid, QEvent.Type.MouseButtonRelease, end, held=False)


def hover(grid: WeekGrid, at: QPointF) -> Qt.CursorShape:
    send(grid, QEvent.Type.MouseMove, at, held=False)
    return grid.cursor().shape()


def test_dragging_on_an_empty_day_adds_a_window_there(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule()
    grid = section.grid
    # From 10:00 to a little before 11:00: the release snaps to the quarter hour.
    changed(
        qtbot,
        section,
        lambda: drag(grid, point(grid, WED, 600, dy=1), point(grid, WED, 657)),
    )
    wanted = WeeklyBlock(BlockKind.WINDOW, frozenset({WED}), 600, 660)
    assert stored(store) == {wanted}
    assert section.status_label.text() == "Added the window wed 10:00-11:00."
    assert grid.blocks() == [wanted]
    assert grid.pending() is None
    assert section.selected() == wanted  # selected, as after a click: keys may move it


def test_the_form_s_kind_is_the_kind_a_drag_adds(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule()
    section.kind_combo.setCurrentIndex(section.kind_combo.findData(BlockKind.DEEP_WORK))
    grid = section.grid
    # Dragged upwards: the block still runs from the earlier time to the later.
    changed(qtbot, section, lambda: drag(grid, point(grid, TUE, 720), point(grid, TUE, 600)))
    assert stored(store) == {WeeklyBlock(BlockKind.DEEP_WORK, frozenset({TUE}), 600, 720)}


def test_dragging_a_block_moves_every_day_of_it(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(MORNING, FOCUS)
    grid = section.grid
    start = point(grid, TUE, 555)  # in the middle of Tuesday's 09:00-09:30
    assert hover(grid, start) is Qt.CursorShape.OpenHandCursor
    moved = block(BlockKind.WINDOW, "mon-fri", "12:00", "12:30")
    changed(qtbot, section, lambda: drag(grid, start, point(grid, TUE, 555 + 180)))
    assert stored(store) == {moved, FOCUS}
    assert section.status_label.text() == "The window mon-fri 09:00-09:30 is now 12:00–12:30."
    # The moved block stays selected, in the grid and in the list.
    assert grid.selected() == moved
    assert section.selected() == moved


@pytest.mark.parametrize(
    ("edge", "to", "wanted"),
    [
        ("bottom", 13 * 60, block(BlockKind.DEEP_WORK, "mon-fri", "09:30", "13:00")),
        ("top", 10 * 60 + 10, block(BlockKind.DEEP_WORK, "mon-fri", "10:15", "12:00")),
    ],
)
def test_dragging_an_edge_moves_that_end(
    qtbot: QtBot,
    open_schedule: Callable[..., ScheduleSection],
    store: Store,
    edge: str,
    to: int,
    wanted: WeeklyBlock,
) -> None:
    section = open_schedule(MORNING, FOCUS)
    grid = section.grid
    at = point(grid, MON, FOCUS.end, dy=-2) if edge == "bottom" else point(grid, MON, 570, dy=2)
    assert hover(grid, at) is Qt.CursorShape.SizeVerCursor
    changed(qtbot, section, lambda: drag(grid, at, point(grid, MON, to)))
    assert stored(store) == {MORNING, wanted}


def test_a_drag_onto_another_window_is_refused_and_snaps_back(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(MORNING, LUNCH)
    grid = section.grid
    message = refused(
        qtbot, section, lambda: drag(grid, point(grid, MON, 555), point(grid, MON, 555 + 240))
    )
    assert message == "Window mon-fri 13:00-13:30 overlaps window mon-fri 13:00-13:30"
    assert stored(store) == {MORNING, LUNCH}
    assert set(grid.blocks()) == {MORNING, LUNCH}
    assert grid.pending() is None  # the wanted block is no longer drawn
    assert section.add_button.isEnabled()
    # The grid edits again at once: the next drag is made.
    changed(qtbot, section, lambda: drag(grid, point(grid, MON, 555), point(grid, MON, 555 + 60)))
    assert stored(store) == {block(BlockKind.WINDOW, "mon-fri", "10:00", "10:30"), LUNCH}
    assert not section.error_label.isVisibleTo(section)


def test_a_click_selects_and_a_click_on_no_block_clears(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(MORNING, FOCUS)
    grid = section.grid
    at = point(grid, WED, 11 * 60)
    send(grid, QEvent.Type.MouseButtonPress, at, held=True)
    send(grid, QEvent.Type.MouseButtonRelease, at, held=False)
    assert grid.selected() == FOCUS
    assert section.selected() == FOCUS
    assert section.remove_button.isEnabled()
    assert grid.pending() is None  # a click is no change
    empty = point(grid, TUE, 18 * 60)
    send(grid, QEvent.Type.MouseButtonPress, empty, held=True)
    send(grid, QEvent.Type.MouseButtonRelease, empty, held=False)
    assert grid.selected() is None
    assert section.selected() is None
    assert stored(store) == {MORNING, FOCUS}


def test_selecting_a_row_selects_the_block_in_the_grid(
    open_schedule: Callable[..., ScheduleSection],
) -> None:
    section = open_schedule(MORNING, FOCUS)
    section.select_row(1)
    assert section.grid.selected() == FOCUS
    section.select_row(0)
    assert section.grid.selected() == MORNING


# ---------------------------------------------------------------- the keyboard


def test_keys_move_resize_and_remove_the_selected_block(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(MORNING, FOCUS)
    grid = section.grid
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Right)  # the first block (the list's first row)
    assert grid.selected() == MORNING
    assert section.selected() == MORNING
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert section.selected() == FOCUS

    changed(qtbot, section, lambda: qtbot.keyClick(grid, Qt.Key.Key_Down))
    later = block(BlockKind.DEEP_WORK, "mon-fri", "09:45", "12:15")
    assert stored(store) == {MORNING, later}
    assert section.selected() == later

    changed(
        qtbot,
        section,
        lambda: qtbot.keyClick(grid, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier),
    )
    shorter = block(BlockKind.DEEP_WORK, "mon-fri", "09:45", "12:00")
    assert stored(store) == {MORNING, shorter}

    changed(
        qtbot,
        section,
        lambda: qtbot.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier),
    )
    assert stored(store) == {MORNING, block(BlockKind.DEEP_WORK, "mon-fri", "09:45", "12:15")}

    changed(qtbot, section, lambda: qtbot.keyClick(grid, Qt.Key.Key_Delete))
    assert stored(store) == {MORNING}
    assert section.status_label.text() == "Removed the deep-work block mon-fri 09:45-12:15."
    assert grid.selected() is None


def test_a_key_that_would_overlap_is_refused(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(MORNING, FOCUS)
    section.select_row(0)
    section.grid.setFocus()
    message = refused(qtbot, section, lambda: qtbot.keyClick(section.grid, Qt.Key.Key_Down))
    assert "overlaps" in message
    assert stored(store) == {MORNING, FOCUS}
    assert section.grid.selected() == MORNING


def test_tab_goes_through_the_blocks_then_leaves_the_grid(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection]
) -> None:
    section = open_schedule(MORNING, FOCUS)
    grid = section.grid
    grid.setFocus()
    qtbot.waitUntil(grid.hasFocus)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert grid.selected() == MORNING
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert grid.selected() == FOCUS
    qtbot.keyClick(grid, Qt.Key.Key_Tab)  # past the last block: on to the next control
    assert not grid.hasFocus()
    assert grid.selected() == FOCUS


def test_the_grid_does_not_edit_while_a_change_is_written(
    qtbot: QtBot, open_schedule: Callable[..., ScheduleSection], store: Store
) -> None:
    section = open_schedule(FOCUS)
    section.select_row(0)
    section.begin("")  # as while a change is on its way
    with qtbot.assertNotEmitted(section.grid.changed):
        qtbot.keyClick(section.grid, Qt.Key.Key_Down)
        drag(section.grid, point(section.grid, WED, 11 * 60), point(section.grid, WED, 13 * 60))
    assert section.grid.pending() is None
    section.refuse("")  # over: the grid edits again
    changed(qtbot, section, lambda: qtbot.keyClick(section.grid, Qt.Key.Key_Down))
    assert stored(store) == {block(BlockKind.DEEP_WORK, "mon-fri", "09:45", "12:15")}


def test_the_grid_is_named_for_a_screen_reader(
    open_schedule: Callable[..., ScheduleSection],
) -> None:
    grid = open_schedule().grid
    assert grid.accessibleName() == "Week grid"
    assert "Delete" in grid.accessibleDescription()
    assert grid.day_name(0) == "Mon"


# -------------------------------------------------------------- pixels and times


def test_pixels_and_minutes_map_both_ways_on_quarter_hours() -> None:
    geometry = GridGeometry(left=50, top=20, column_width=100, pixels_per_hour=40, scroll=280)
    # 40 px an hour: 10 px a quarter; 280 px scrolled = 07:00 at the body's top.
    assert geometry.y_of(7 * 60) == 20
    assert geometry.y_of(10 * 60) == 140
    assert geometry.minute_at(140) == 600
    for minute in range(0, 24 * 60 + 1, 15):
        assert geometry.snapped_minute_at(geometry.y_of(minute)) == minute
    assert geometry.snapped_minute_at(144) == 600  # 10:06 → 10:00
    assert geometry.snapped_minute_at(146) == 615  # 10:09 → 10:15
    assert geometry.snapped_minute_at(-1000) == 0  # dragged above the day
    assert geometry.snapped_minute_at(5000) == 24 * 60  # and below it
    assert geometry.day_at(49) is None
    assert geometry.day_at(50) == 0
    assert geometry.day_at(349) == 2
    assert geometry.day_at(749) == 6
    assert geometry.day_at(750) is None
    assert geometry.x_of(3) == 350
    assert [snapped(m) for m in (7, 8, 22, 23, 1439)] == [0, 15, 15, 30, 1440]
