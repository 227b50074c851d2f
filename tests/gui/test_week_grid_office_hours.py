"""Office hours on the week grid: a hatched strip on their days, over a window they
share time with, and nothing on the other days; the grid never lets them be dragged."""

from __future__ import annotations

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
