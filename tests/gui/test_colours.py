"""Labels coloured by AsyncDesk follow the desktop from light to dark and back while the
app runs (a colour set once would stay the old theme's: dark red on a dark window)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from asyncdesk.ui.colours import error_colour, is_dark, muted
from asyncdesk.ui.first_run import error_label


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.Base, "#17181a"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.PlaceholderText, "#9aa0a6"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[None]:
    before = QApplication.palette()
    yield
    QApplication.setPalette(before)


def test_notes_and_errors_change_colour_with_the_desktop(
    qtbot: QtBot, restore_palette: None
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    note = QLabel("A note", parent)
    muted(note)
    error = error_label(parent, "error")
    light = QApplication.palette()
    assert not is_dark(light)
    assert error.palette().color(error.foregroundRole()) == QColor("#c5221f")

    QApplication.setPalette(_dark_palette())
    qtbot.waitUntil(
        lambda: error.palette().color(error.foregroundRole()) == QColor("#f28b82"), timeout=2000
    )
    assert note.palette().color(note.foregroundRole()) == QColor("#9aa0a6")
    # Everything else comes from the new palette, too.
    assert note.palette().color(QPalette.ColorRole.Window) == QColor("#202124")

    QApplication.setPalette(light)
    qtbot.waitUntil(
        lambda: error.palette().color(error.foregroundRole()) == error_colour(light),
        timeout=2000,
    )
    assert note.palette().color(note.foregroundRole()) == light.color(
        QPalette.ColorRole.PlaceholderText
    )
