"""The tray icon: the mode at a glance, a calm tooltip, and a way back to the window.

One :class:`Tray` per main window wraps a :class:`QSystemTrayIcon`:

- **The icon shows the mode** — three drawings (:func:`mode_icon`), distinct in shape
  as well as colour so they read at 16 px and without colour vision: ``window`` the
  open inbox tray with a batch waiting in it (the app's own teal tile), ``deep_work``
  a crescent moon on deep indigo, ``closed`` the tray with its lid shut on slate grey.
  Before the first :meth:`Tray.update` it shows the app icon.
- **The tooltip** says when the inbox next opens or closes and what is due, e.g.
  ``Inbox closed · next window 13:00 (in 1 h 20 min) · 3 due`` (:func:`tooltip_text`, a
  pure function of mode, instant, due count, now and zone). In deep work the due count is
  left out: like the gate, deep work shows nothing that pulls one back in. The countdown
  is kept current by one single-shot timer aligned to the minute it changes on (times
  read from the injected clock); the mode itself is never decided here.
- **The menu**: *Open AsyncDesk*, *Open inbox anyway…* (break-glass; enabled outside a
  window), *Quit*. A click (or double-click) on the icon shows and raises the window.

The tray never shows a balloon message and never blinks: notifications are the
notifier's business (``services.notifications``), and in deep work nothing may
interrupt at all (DESIGN.md).

Without a system tray (:meth:`Tray.available` false: offscreen, a bare X server, a
desktop without one) no :class:`QSystemTrayIcon` is made and the tray does nothing
visible; the app works the same without it. The menu and the tooltip text are still
kept, so they can be tested anywhere. A tray host that appears after the start is not
picked up until the next start.

Signals (GUI thread):

- ``open_requested()``: the user chose *Open AsyncDesk* or clicked the icon; the window
  has already been shown and raised (:func:`bring_to_front`).
- ``break_glass_requested()``: the user chose *Open inbox anyway…*; the window has been
  brought to the front, and the owner asks for a reason
  (``MainWindow.ask_break_glass``).
- ``quit_requested()``: the user chose *Quit*; the owner ends the app.

Texts go through :meth:`QCoreApplication.translate` (context ``"Tray"``) with ``{name}``
placeholders filled by ``str.format`` and ``%n`` for plurals, ready for a translator.
Instants are timezone-aware (UTC inside); texts are local to the schedule's zone.

Threading contract: GUI thread only. :class:`QSystemTrayIcon` and :class:`QMenu` talk to
the platform (XEmbed on X11, StatusNotifierItem over D-Bus) through the GUI thread's
connection, the refresh timer and the signals live on that thread's event loop, and the
window raised is a widget. (:meth:`Tray.available` needs the QApplication too: Qt
crashes when it is asked before one exists, so it answers ``False`` then.)

Integration (``asyncdesk/ui/app.py``, in ``run()``, right after
``window = MainWindow(paths, tasks=tasks, clock=clock)`` and before
``window.open_profile()``)::

    tray = Tray(window, clock=clock)  # the same clock (None: the system clock)
    tray.follow(window)  # mode, next change and due count follow the window
    tray.break_glass_requested.connect(window.ask_break_glass)
    tray.quit_requested.connect(window.close)  # the last window closed ends app.exec()

and in ``run()``'s ``finally``, right after ``window.close()``: ``tray.hide()`` (the icon
goes at once, not when the window is collected). Nothing in ``main_window.py`` has to
change. A caller that does not want :meth:`Tray.follow` calls :meth:`Tray.update` itself
whenever the mode is decided and whenever the deadlines are read, with
``next_change(schedule, now)`` and ``due_count(window.deadlines.counts())``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.schedule import Mode, Schedule
from asyncdesk.ui.due import Due
from asyncdesk.ui.gate import duration_text as minutes_text
from asyncdesk.ui.gate import local_when

if TYPE_CHECKING:
    from asyncdesk.ui.main_window import MainWindow

# The sizes each mode icon is drawn at: the tray sizes of X11 hosts (16-24), Windows
# (16, 20, 24, 32 at 125-200 % scaling), macOS' menu bar (22, 44) and big panels.
ICON_SIZES = (16, 20, 22, 24, 32, 40, 44, 48, 64, 128)
# Countdown repaints land this long after the minute changes, so the text has changed.
_TICK_SLACK_MS = 20
# The drawings' coordinate system: the app icon's 128 x 128 view box.
_VIEW = 128.0


# -- texts ------------------------------------------------------------------------------


def duration_text(delta: timedelta) -> str:
    """``1 h 20 min``, ``2 d 3 h``, ``under a minute``: whole minutes rounded up, as the
    gate and ``asyncdesk status`` count (``services.schedule.format_duration``)."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return QCoreApplication.translate("Tray", "under a minute")
    return minutes_text(math.ceil(seconds / 60))


def _countdown(remaining: timedelta) -> str:
    if remaining <= timedelta(0):
        return QCoreApplication.translate("Tray", "now")
    return QCoreApplication.translate("Tray", "in {duration}").format(
        duration=duration_text(remaining)
    )


def tooltip_text(
    mode: str, next_change: datetime | None, due: int, now: datetime, zone: ZoneInfo
) -> str:
    """The tray's tooltip for ``mode`` (a :class:`Mode` value) at ``now``.

    ``next_change`` is when the inbox next opens or closes (:func:`next_change`): in a
    window, the window's end; otherwise the next window's start; ``None`` when that
    never happens. ``due`` is the number of replies due before the next window, overdue
    ones included (:func:`due_count`); shown when positive, except in deep work.
    Local times are in ``zone``, as the gate writes them (:func:`~asyncdesk.ui.gate.local_when`)::

        Inbox open · until 16:30 (in 20 min) · 2 due
        Inbox closed · next window 13:00 (in 1 h 20 min) · 3 due
        Deep work · next window Thu 09:00 (in 2 d 18 h)
    """
    current = Mode(mode)
    if next_change is None:
        if current is Mode.WINDOW:
            status = QCoreApplication.translate("Tray", "Inbox open")
        elif current is Mode.DEEP_WORK:
            status = QCoreApplication.translate("Tray", "Deep work · no window scheduled")
        else:
            status = QCoreApplication.translate("Tray", "Inbox closed · no window scheduled")
    else:
        when = local_when(next_change, now, zone)
        countdown = _countdown(next_change - now)
        if current is Mode.WINDOW:
            template = QCoreApplication.translate("Tray", "Inbox open · until {when} ({countdown})")
        elif current is Mode.DEEP_WORK:
            template = QCoreApplication.translate(
                "Tray", "Deep work · next window {when} ({countdown})"
            )
        else:
            template = QCoreApplication.translate(
                "Tray", "Inbox closed · next window {when} ({countdown})"
            )
        status = template.format(when=when, countdown=countdown)
    if due > 0 and current is not Mode.DEEP_WORK:
        return QCoreApplication.translate("Tray", "{status} · %n due", None, due).format(
            status=status
        )
    return status


def next_change(schedule: Schedule, now: datetime) -> datetime | None:
    """When the inbox next opens or closes, seen from ``now`` (UTC).

    In a window: its end (the merged window's, so back-to-back windows count as one).
    Otherwise: the next window's start — not merely the next transition, which may be
    the start of a deep-work block while the inbox stays shut. ``None`` when there is
    no such instant (no window at all: always open; or none scheduled ahead).
    """
    if schedule.mode_at(now) is Mode.WINDOW:
        current = schedule.current_window(now)
        return None if current is None else current.end
    upcoming = schedule.next_window(now)
    return None if upcoming is None else upcoming.start


def due_count(counts: Mapping[Due, int]) -> int:
    """What the tooltip calls due: overdue plus due before the next window, from
    :meth:`~asyncdesk.ui.deadlines_panel.DeadlinesPanel.counts` (the "Later" group is
    not counted: nothing there needs the user before the next window)."""
    return counts.get(Due.OVERDUE, 0) + counts.get(Due.SOON, 0)


def next_refresh_ms(remaining: timedelta) -> int:
    """Milliseconds until the tooltip's countdown (whole minutes, rounded up) changes."""
    remaining_ms = math.ceil(remaining.total_seconds() * 1000)
    return (remaining_ms % 60_000 or 60_000) + _TICK_SLACK_MS


# -- icons ------------------------------------------------------------------------------


def _tile(painter: QPainter, top: QColor, bottom: QColor) -> None:
    gradient = QLinearGradient(QPointF(16, 8), QPointF(112, 120))
    gradient.setColorAt(0, top)
    gradient.setColorAt(1, bottom)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    painter.drawRoundedRect(QRectF(8, 8, 112, 112), 26, 26)


def _tray_front(painter: QPainter) -> None:
    """The front of the inbox tray with its slot, as in the app icon."""
    front = QPainterPath(QPointF(26, 76))
    front.lineTo(49, 76)
    front.quadTo(52, 76, 53, 79)
    front.lineTo(54, 81)
    front.quadTo(55, 84, 58, 84)
    front.lineTo(70, 84)
    front.quadTo(73, 84, 74, 81)
    front.lineTo(75, 79)
    front.quadTo(76, 76, 79, 76)
    front.lineTo(102, 76)
    front.lineTo(102, 94)
    front.quadTo(102, 105, 91, 105)
    front.lineTo(37, 105)
    front.quadTo(26, 105, 26, 94)
    front.closeSubpath()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawPath(front)


def _paint_window(painter: QPainter) -> None:
    """Open: the app's teal tile, the tray's rim open, a batch of messages in it."""
    _tile(painter, QColor("#1E7A80"), QColor("#2B3478"))
    pen = QPen(QColor("#FFFFFF"), 7)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    rim = QPainterPath(QPointF(30, 76))
    rim.lineTo(41, 50)
    rim.lineTo(87, 50)
    rim.lineTo(98, 76)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(rim)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#9FD9D3"))
    painter.drawRoundedRect(QRectF(44, 57, 40, 10), 5, 5)
    _tray_front(painter)


def _paint_closed(painter: QPainter) -> None:
    """Closed: slate grey, the tray with a flat lid shut over it, nothing showing."""
    _tile(painter, QColor("#6B7480"), QColor("#4A515C"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRoundedRect(QRectF(22, 50, 84, 14), 7, 7)  # the lid
    _tray_front(painter)


def _paint_deep_work(painter: QPainter) -> None:
    """Deep work: a crescent moon on deep indigo (the usual "do not disturb")."""
    _tile(painter, QColor("#2B3478"), QColor("#1B2050"))
    moon = QPainterPath()
    moon.addEllipse(QPointF(62, 66), 36, 36)
    bite = QPainterPath()
    bite.addEllipse(QPointF(84, 50), 32, 32)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#F4F1DE"))
    painter.drawPath(moon.subtracted(bite))


_PAINTERS = {
    Mode.WINDOW: _paint_window,
    Mode.CLOSED: _paint_closed,
    Mode.DEEP_WORK: _paint_deep_work,
}


def mode_image(mode: str, size: int) -> QImage:
    """The drawing of ``mode`` at ``size`` x ``size`` pixels (premultiplied ARGB)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(size / _VIEW, size / _VIEW)
        _PAINTERS[Mode(mode)](painter)
    finally:
        painter.end()
    return image


def mode_icon(mode: str) -> QIcon:
    """The tray icon of ``mode``, drawn at every size of :data:`ICON_SIZES`.

    Needs the QApplication (an icon holds pixmaps).
    """
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(mode_image(mode, size)))
    return icon


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` (un-minimised, not un-maximised), raise it and ask for focus.

    The window manager may still refuse the focus (focus-stealing prevention); raising
    and the taskbar's attention hint are then what the user sees.
    """
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState(state & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()


# -- the tray ---------------------------------------------------------------------------


class Tray(QObject):
    """The tray icon of one main window (see the module docstring).

    ``parent_window`` is the window shown by a click and by *Open AsyncDesk*; the tray is
    its child and goes with it. ``clock`` (default: the system clock) is read only to
    keep the tooltip's countdown current between :meth:`update` calls: give it the
    window's clock.
    """

    open_requested = Signal()
    break_glass_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent_window: QWidget, *, clock: Clock | None = None) -> None:
        super().__init__(parent_window)
        self.setObjectName("tray")
        self._window = parent_window
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._mode: Mode | None = None
        self._next_change: datetime | None = None
        self._due = 0
        self._zone = ZoneInfo("UTC")
        self._tooltip = "AsyncDesk"
        self._followed: MainWindow | None = None

        self.menu = QMenu(parent_window)
        self.menu.setObjectName("trayMenu")
        self.open_action = QAction(QCoreApplication.translate("Tray", "Open AsyncDesk"), self.menu)
        self.open_action.setObjectName("trayOpen")
        self.open_action.triggered.connect(self._on_open)
        self.break_glass_action = QAction(
            QCoreApplication.translate("Tray", "Open inbox anyway…"), self.menu
        )
        self.break_glass_action.setObjectName("trayBreakGlass")
        self.break_glass_action.setToolTip(
            QCoreApplication.translate(
                "Tray", "Open the inbox outside a window; you will be asked why"
            )
        )
        self.break_glass_action.setEnabled(False)  # until a mode outside a window is known
        self.break_glass_action.triggered.connect(self._on_break_glass)
        self.quit_action = QAction(QCoreApplication.translate("Tray", "Quit"), self.menu)
        self.quit_action.setObjectName("trayQuit")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.open_action)
        self.menu.addAction(self.break_glass_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)

        # Repaints the countdown only, once a minute on the minute it changes.
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.timeout.connect(self._on_refresh_timer)

        self._icons: dict[Mode, QIcon] = {}
        self.icon: QSystemTrayIcon | None = None  # None: no system tray to show it in
        if Tray.available():
            self._icons = {mode: mode_icon(mode) for mode in Mode}
            app = QGuiApplication.instance()
            start = app.windowIcon() if isinstance(app, QGuiApplication) else QIcon()
            if start.isNull():
                start = self._icons[Mode.WINDOW]
            self.icon = QSystemTrayIcon(start, self)
            self.icon.setToolTip(self._tooltip)
            self.icon.setContextMenu(self.menu)
            self.icon.activated.connect(self._on_activated)
            self.icon.show()

    @staticmethod
    def available() -> bool:
        """Whether the desktop has a system tray to put an icon in (needs the
        QApplication; without one: ``False``)."""
        if not isinstance(QGuiApplication.instance(), QGuiApplication):
            return False  # Qt would crash asking
        return QSystemTrayIcon.isSystemTrayAvailable()

    # -- state ------------------------------------------------------------------------

    def update(
        self, mode: str, next_change: datetime | None, due: int, now: datetime, zone: ZoneInfo
    ) -> None:
        """Show ``mode`` (a :class:`Mode` value) and the tooltip of :func:`tooltip_text`.

        ``next_change``: when the inbox next opens or closes (UTC; see
        :func:`next_change`); ``due``: :func:`due_count`; ``now``: the owner's clock
        reading; ``zone``: the schedule's. Cheap: call it whenever any of them may have
        changed.
        """
        self._mode = Mode(mode)
        self._next_change = next_change
        self._due = due
        self._zone = zone
        self.break_glass_action.setEnabled(self._mode is not Mode.WINDOW)
        if self.icon is not None:
            icon = self._icons[self._mode]
            if self.icon.icon().cacheKey() != icon.cacheKey():
                self.icon.setIcon(icon)
        self._show_tooltip(now)

    @property
    def mode(self) -> Mode | None:
        """The mode shown (``None`` before the first :meth:`update`)."""
        return self._mode

    def tooltip(self) -> str:
        """The tooltip text (kept even without a system tray; for tests and a11y)."""
        return self._tooltip

    def hide(self) -> None:
        """Take the icon out of the tray now (at shutdown); nothing is shown again."""
        self.refresh_timer.stop()
        if self.icon is not None:
            self.icon.hide()
            self.icon = None

    def follow(self, window: MainWindow) -> None:
        """Keep in step with ``window``: its mode (``mode_changed``), its schedule
        (``schedule_loaded``) and its deadlines (``deadlines.loaded``) — the three
        moments the tooltip's facts can change. Call before ``window.open_profile()``.

        Reads only the window's public surface: ``mode``, ``schedule`` and
        ``deadlines.counts()``; "now" comes from this tray's clock, which should be the
        window's.
        """
        self._followed = window
        window.mode_changed.connect(self._on_followed_mode)
        window.schedule_loaded.connect(self._refresh_from_window)
        window.deadlines.loaded.connect(self._refresh_from_window)

    def _on_followed_mode(self, _mode: str) -> None:
        self._refresh_from_window()

    def _refresh_from_window(self) -> None:
        window = self._followed
        if window is None:
            return
        schedule, mode = window.schedule, window.mode
        if schedule is None or mode is None:
            return  # not decided yet; mode_changed comes once it is
        now = self._clock.now()
        due = due_count(window.deadlines.counts())
        self.update(mode.value, next_change(schedule, now), due, now, schedule.zone)

    def _show_tooltip(self, now: datetime) -> None:
        if self._mode is None:
            return
        text = tooltip_text(self._mode.value, self._next_change, self._due, now, self._zone)
        self._tooltip = text
        if self.icon is None:
            return
        if self.icon.toolTip() != text:
            self.icon.setToolTip(text)
        if self._next_change is not None and self._next_change > now:
            self.refresh_timer.start(next_refresh_ms(self._next_change - now))
        else:
            self.refresh_timer.stop()

    def _on_refresh_timer(self) -> None:
        self._show_tooltip(self._clock.now())

    # -- the user's choices -----------------------------------------------------------

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self._on_open()

    def _on_open(self) -> None:
        bring_to_front(self._window)
        self.open_requested.emit()

    def _on_break_glass(self) -> None:
        bring_to_front(self._window)  # the reason dialog is modal to the window
        self.break_glass_requested.emit()
