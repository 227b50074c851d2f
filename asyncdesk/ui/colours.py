"""Colours that follow the desktop's light or dark palette, also when it changes.

A colour set on a widget's own palette stays what it was when set; the desktop may
switch between light and dark while AsyncDesk runs, so labels coloured here are
coloured again from the application palette whenever it changes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel


class FollowPalette(QObject):
    """Keeps ``label``'s text in ``colour(the application palette)``."""

    def __init__(self, label: QLabel, colour: Callable[[QPalette], QColor]) -> None:
        super().__init__(label)
        self._colour = colour
        self._apply(label)
        label.installEventFilter(self)

    def _apply(self, label: QLabel) -> None:
        palette = label.palette()
        wanted = self._colour(QGuiApplication.palette())
        if palette.color(label.foregroundRole()) != wanted:  # (setting it sends the event)
            palette.setColor(label.foregroundRole(), wanted)
            label.setPalette(palette)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A window hears ApplicationPaletteChange; the widgets in it, PaletteChange.
        changed = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange)
        if event.type() in changed and isinstance(watched, QLabel):
            self._apply(watched)
        return False


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def muted(label: QLabel) -> None:
    """Draw ``label`` in the palette's muted (placeholder) colour: a note, not content."""
    FollowPalette(label, lambda palette: palette.color(QPalette.ColorRole.PlaceholderText))


def error_colour(palette: QPalette) -> QColor:
    """A red that reads on the palette's background (light red on dark)."""
    return QColor("#f28b82") if is_dark(palette) else QColor("#c5221f")
