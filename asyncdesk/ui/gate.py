"""The gate: what the main window shows outside a communication window.

A calm screen, deliberately without anything that pulls the user in: it says when the
inbox opens ("The inbox opens at 16:00", with the weekday when it is not today), how
long that is ("in 2 h 14 min"), whether deep work is on, and offers a way to open the
inbox anyway (break-glass) that asks for a reason. What waits in the inbox (counts,
senders, subjects) is never shown here.

Who decides what: the :class:`~asyncdesk.ui.main_window.MainWindow` decides the mode
(from the schedule and its clock, with one timer set to the next transition) and tells
the gate with :meth:`GateView.show_state`. The gate's own *display* timer only repaints
the countdown text — once a minute, aligned to the minute boundaries of the countdown,
and once a second in the last minute — and never decides the mode. It runs only while
the gate is visible.

Every local time shown is in the schedule's zone. The words go through Qt's translator
(``self.tr``; the module's functions use the context ``"GateView"``). Threading
contract: GUI thread only.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QHideEvent, QIcon, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.schedule import Mode, Schedule
from asyncdesk.ui.colours import FollowPalette

# A reason is one line for the stats; long enough for a sentence.
MAX_REASON_LENGTH = 200
# Display ticks land this long after a countdown boundary, so the text has changed.
_TICK_SLACK_MS = 20


def local_when(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``16:00`` today, ``Thu 09:00`` within six days, else ``Thu 3 Dec 09:00``.

    Local to ``zone``; day names in the UI's locale (as in the inbox).
    """
    local = instant.astimezone(zone)
    days_ahead = (local.date() - now.astimezone(zone).date()).days
    clock_time = f"{local:%H:%M}"
    if days_ahead == 0:
        return clock_time
    day = QDate(local.year, local.month, local.day)
    pattern = "ddd" if 0 < days_ahead < 7 else "ddd d MMM"
    return f"{QLocale().toString(day, pattern)} {clock_time}"


def duration_text(minutes: int) -> str:
    """``2 h 14 min``, ``1 d 3 h``, ``5 min``: as ``services.schedule.format_duration``
    (the command line's, which stays English) writes a whole number of minutes."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        if hours:
            return QCoreApplication.translate("GateView", "{days} d {hours} h").format(
                days=days, hours=hours
            )
        return QCoreApplication.translate("GateView", "{days} d").format(days=days)
    if hours:
        if minutes:
            return QCoreApplication.translate("GateView", "{hours} h {minutes} min").format(
                hours=hours, minutes=minutes
            )
        return QCoreApplication.translate("GateView", "{hours} h").format(hours=hours)
    return QCoreApplication.translate("GateView", "{minutes} min").format(minutes=minutes)


def countdown_text(remaining: timedelta) -> str:
    """``in 2 h 14 min``, then ``in 42 s`` once under a minute (``1 min`` at exactly one).

    Rounded up, as the wall clock reads: at 13:46:20 a window at 16:00 is "in 2 h 14
    min" (16:00 − 13:46), and "in 1 s" is the last thing shown before "now".
    """
    seconds = remaining.total_seconds()
    if seconds <= 0:
        return QCoreApplication.translate("GateView", "now")
    if seconds <= 59:
        return QCoreApplication.translate("GateView", "in {seconds} s").format(
            seconds=math.ceil(seconds)
        )
    return QCoreApplication.translate("GateView", "in {duration}").format(
        duration=duration_text(math.ceil(seconds / 60))
    )


def next_tick_ms(remaining: timedelta) -> int:
    """Milliseconds until :func:`countdown_text` of the countdown next changes."""
    remaining_ms = math.ceil(remaining.total_seconds() * 1000)
    step = 1000 if remaining_ms <= 60_000 else 60_000
    until_boundary = remaining_ms % step or step
    return until_boundary + _TICK_SLACK_MS


def _muted(palette: QPalette) -> QColor:
    """Text colour halfway to the background: readable, not shouting."""
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    return QColor(
        (text.red() * 3 + back.red() * 2) // 5,
        (text.green() * 3 + back.green() * 2) // 5,
        (text.blue() * 3 + back.blue() * 2) // 5,
    )


def _scaled_font(base: QFont, factor: float, weight: QFont.Weight) -> QFont:
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(round(base.pixelSize() * factor))
    font.setWeight(weight)
    return font


class GateView(QWidget):
    """The closed inbox: when it opens, a live countdown, the mode, and break-glass.

    Signals (GUI thread):

    - ``break_glass_requested()``: the user pressed "Open anyway…"; the owner asks for a
      reason (:class:`BreakGlassDialog`) and opens the inbox if one is given.

    The texts are readable for tests and accessibility through :meth:`headline_text`,
    :meth:`countdown_text`, :meth:`mode_text`.
    """

    break_glass_requested = Signal()

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gate")
        self._clock = clock
        self._zone = ZoneInfo("UTC")
        self._opens_at: datetime | None = None

        self._headline = self._label("gateHeadline", 2.0, QFont.Weight.Light)
        self._countdown = self._label("gateCountdown", 1.35, QFont.Weight.Normal, muted=True)
        self._mode_line = self._label("gateMode", 1.0, QFont.Weight.Normal, muted=True)
        # A mailto: link clicked while the inbox is closed: the user's own errand, so
        # it is said (it waits for the inbox), unlike anything that arrived.
        self._draft_line = self._label("gateDraft", 1.0, QFont.Weight.Normal, muted=True)
        self._draft_line.hide()
        self.break_glass_button = QPushButton(self.tr("Open anyway…"), self)
        self.break_glass_button.setObjectName("breakGlassButton")
        self.break_glass_button.setToolTip(
            self.tr("Open the inbox outside a window; you will be asked why ({keys})").format(
                keys=QKeySequence("Ctrl+Shift+B").toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.break_glass_button.setAutoDefault(False)
        self.break_glass_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        # Roomy, not loud: a normal button with generous padding, sized from the font.
        metrics = self.break_glass_button.fontMetrics()
        self.break_glass_button.setFixedSize(
            metrics.horizontalAdvance(self.break_glass_button.text()) + 4 * metrics.height(),
            round(metrics.height() * 2.2),
        )
        self.break_glass_button.clicked.connect(self.break_glass_requested)

        column = QVBoxLayout(self)
        column.setContentsMargins(48, 48, 48, 48)
        column.setSpacing(0)
        column.addStretch(3)
        column.addWidget(self._headline)
        column.addSpacing(12)
        column.addWidget(self._countdown)
        column.addSpacing(40)
        column.addWidget(self._mode_line)
        column.addSpacing(12)
        column.addWidget(self._draft_line)
        column.addSpacing(36)
        column.addWidget(self.break_glass_button, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(4)

        # Repaints the countdown text only; never decides the mode.
        self.display_timer = QTimer(self)
        self.display_timer.setSingleShot(True)
        self.display_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.display_timer.timeout.connect(self._repaint_countdown)

    def _label(
        self, name: str, factor: float, weight: QFont.Weight, *, muted: bool = False
    ) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        label.setFont(_scaled_font(self.font(), factor, weight))
        if muted:
            FollowPalette(label, _muted)
        return label

    # -- state ------------------------------------------------------------------------

    def show_state(self, schedule: Schedule, mode: Mode, now: datetime) -> None:
        """Describe ``mode`` (deep work or closed) under ``schedule`` at ``now``.

        Called by the owner whenever the mode is (re)decided. Computes the next window
        and, in deep work, when it ends; the countdown then runs on the gate's clock.
        """
        zone = schedule.zone
        self._zone = zone
        upcoming = schedule.next_window(now)
        self._opens_at = None if upcoming is None else upcoming.start
        if mode is Mode.DEEP_WORK:
            ends = schedule.next_transition(now)
            if ends is None:
                self._mode_line.setText(self.tr("Deep work — notifications are held."))
            else:
                self._mode_line.setText(
                    self.tr("Deep work until {when} — notifications are held.").format(
                        when=local_when(ends, now, zone)
                    )
                )
        else:
            self._mode_line.setText(self.tr("Closed — nothing will interrupt you."))
        self._repaint_countdown()

    def show_waiting_drafts(self, recipients: list[str]) -> None:
        """Say that messages the user asked to write (``mailto:`` links, to
        ``recipients``) wait for the inbox; an empty list hides the line."""
        if not recipients:
            self._draft_line.hide()
            self._draft_line.clear()
            return
        if len(recipients) == 1:
            text = self.tr("Your message to {whom} opens with the inbox.")
        else:
            text = self.tr("Your {count} new messages open with the inbox.")
        self._draft_line.setText(
            text.format(whom=recipients[0] or self.tr("a new recipient"), count=len(recipients))
        )
        self._draft_line.show()

    def draft_text(self) -> str:
        return "" if self._draft_line.isHidden() else self._draft_line.text()

    def headline_text(self) -> str:
        return self._headline.text()

    def countdown_text(self) -> str:
        return self._countdown.text()

    def mode_text(self) -> str:
        return self._mode_line.text()

    @property
    def opens_at(self) -> datetime | None:
        """When the next window starts (UTC), or ``None`` if none is scheduled."""
        return self._opens_at

    # -- the display timer ------------------------------------------------------------

    def _repaint_countdown(self) -> None:
        opens_at = self._opens_at
        if opens_at is None:
            self._headline.setText(self.tr("No window is scheduled ahead."))
            self._countdown.setText(self.tr("The inbox stays closed until you add one."))
            self.display_timer.stop()
            return
        now = self._clock.now()
        remaining = opens_at - now
        self._headline.setText(
            self.tr("The inbox opens at {when}").format(when=local_when(opens_at, now, self._zone))
        )
        countdown = countdown_text(remaining)
        self._countdown.setText(countdown)
        self._countdown.setAccessibleName(self.tr("Opens {countdown}").format(countdown=countdown))
        if self.isVisible() and remaining > timedelta(0):
            self.display_timer.start(next_tick_ms(remaining))
        else:
            self.display_timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._repaint_countdown()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.display_timer.stop()


class BreakGlassDialog(QDialog):
    """Asks why the inbox should open outside a window; OK only with a reason.

    Opened window-modal and non-blocking with :meth:`ask` (``QDialog.open``): the
    owner connects ``accepted`` and reads :meth:`reason`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breakGlassDialog")
        self.setWindowTitle(self.tr("Open the inbox anyway"))
        explanation = QLabel(
            self.tr(
                "Why open the inbox now? The reason is recorded and counted in your weekly stats."
            ),
            self,
        )
        explanation.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("breakGlassReason")
        self.reason_edit.setAccessibleName(self.tr("Reason"))
        self.reason_edit.setPlaceholderText(self.tr("e.g. a client outage"))
        self.reason_edit.setMaxLength(MAX_REASON_LENGTH)
        self.reason_edit.setClearButtonEnabled(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Open inbox"))
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.ok_button, self.cancel_button):
            button.setIcon(QIcon())  # some styles add a green tick and a red cross: too loud
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update_ok)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(explanation)
        layout.addWidget(self.reason_edit)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update_ok()

    def reason(self) -> str:
        """The reason typed, on one line with single spaces ('' if blank)."""
        return " ".join(self.reason_edit.text().split())

    def ask(self) -> None:
        """Show the dialog empty, window-modal, without blocking."""
        self.reason_edit.clear()
        self._update_ok()
        self.open()
        self.reason_edit.setFocus()

    def accept(self) -> None:
        if self.reason():  # Enter on a blank reason does nothing
            super().accept()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))
