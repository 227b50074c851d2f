"""Office hours on the week grid: a hatched strip on their days, over a window they
share time with, and nothing on the other days; the grid never lets them be dragged."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from asyncdesk.core.schedule import BlockKind, OfficeHoursBlock, WeeklyBlock, parse_days
from asyncdesk.ui.week_grid import WeekGrid

TUE_THU = OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60)
AFTERNOON = WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), 15 * 60, 15 * 60 + 30)


def greenish(colour: QColor) -> bool:
    return colour.green() > colour.red() + 20 and colour.green() > colour.blue() + 20


def test_office_hours_are_drawn_on_their_days_over_a_window(qtbot: QtBot) -> None:
    grid = WeekGrid()
    qtbot.addWidget(grid)
    grid.resize(700, 1400)  # the whole day fits: no scrolling
    grid.set_blocks([AFTERNOON])
    grid.set_office_hours([TUE_THU])
    grid.show()
    qtbot.waitExposed(grid)
    image = grid.grab().toImage()
    tuesday = grid.office_hours_rect(TUE_THU, 1)
    centre = tuesday.center().toPoint()
    assert greenish(image.pixelColor(centre.x() + 1, centre.y() + 8))
    # Wednesday's window at the same time shows no office hours.
    wednesday = grid.office_hours_rect(TUE_THU, 2).center().toPoint()
    assert not greenish(image.pixelColor(wednesday.x() + 1, wednesday.y() + 8))
    assert grid.office_hours() == [TUE_THU]
    assert grid.blocks() == [AFTERNOON]  # they are not blocks to drag


def test_hovering_the_hatching_says_what_it_is_and_where_it_is_changed(qtbot: QtBot) -> None:
    """Read-only strips with no label: the tooltip is the only place that names them."""
    grid = WeekGrid()
    qtbot.addWidget(grid)
    grid.resize(700, 1400)
    grid.set_blocks([AFTERNOON])
    grid.set_office_hours([TUE_THU])
    grid.show()
    qtbot.waitExposed(grid)
    strip = grid.office_hours_rect(TUE_THU, 3).center()
    assert grid.office_hours_at(strip) == TUE_THU
    text = grid.describe_office_hours(TUE_THU)
    assert text.startswith("Office hours, Tue, Thu: 15:00–16:00.")
    assert "asyncdesk schedule officehours" in text
    # Beside the strip, inside the window: the window, not the office hours.
    window_left = grid.office_hours_rect(TUE_THU, 2).topLeft() + QPointF(-20, 8)
    assert grid.office_hours_at(window_left) is None
    assert grid.hit(window_left) is not None
