"""The week as a picture: weekly windows and deep-work blocks on a Monday-to-Sunday grid.

The table and form of Settings ▸ Schedule are exact and keyboard-friendly, but a week
is easier to judge, and to reshape, when it is seen: which afternoons are free, where
deep work is cut short. So the same weekly blocks are drawn here, one segment per day
of a block, and can be changed by hand:

- dragging on an empty part of a day asks for a new block there (the kind the
  section's form has chosen), from the press to the release, on quarter hours;
- dragging a segment moves its block (every day of it: a block's days share their
  times), dragging its top or bottom edge moves that end;
- with the keyboard: Up/Down move the selected block by 15 minutes, Shift+Up/Down
  move its end, Delete or Backspace removes it, Left/Right and Tab choose another.

The grid never changes a schedule itself: it emits :attr:`WeekGrid.changed` with the
block before and the block wanted, and shows the wanted one (dashed) until its owner
shows the schedule again with :meth:`WeekGrid.set_blocks`, whether the change was
made or refused. So every change passes the same checks as the form's, and a refused
one snaps back.

Office hours (:meth:`WeekGrid.set_office_hours`) are drawn read-only, as a hatched strip
along the right edge of their days, over any window they share time with: they are
seen here and changed with ``asyncdesk schedule officehours``.

GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QEvent, QLocale, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QScrollBar, QSizePolicy, QToolTip, QWidget

from asyncdesk.core.schedule import (
    MINUTES_PER_DAY,
    BlockKind,
    OfficeHoursBlock,
    WeeklyBlock,
    format_clock,
)

# Drags and keys move times by this many minutes.
STEP_MINUTES = 15
# The hour the grid first shows at its top when the whole day does not fit.
FIRST_HOUR_SHOWN = 7
DAYS = 7


def snapped(minute: float) -> int:
    """The nearest quarter hour, within the day (a drag may go past either end)."""
    quarter = round(minute / STEP_MINUTES) * STEP_MINUTES
    return max(0, min(MINUTES_PER_DAY, quarter))


@dataclass(frozen=True, slots=True)
class GridGeometry:
    """Where the days and minutes of the grid are on the widget, kept apart from the
    widget so that the mapping (the part a drag depends on) can be checked alone.

    ``left``/``top``: the body's corner (after the hour labels and day names);
    ``scroll``: how many pixels of the day are scrolled out above the body.
    """

    left: float
    top: float
    column_width: float
    pixels_per_hour: float
    scroll: float = 0.0

    def y_of(self, minute: float) -> float:
        return self.top + minute * self.pixels_per_hour / 60 - self.scroll

    def minute_at(self, y: float) -> float:
        """The (unsnapped) minute of the day at ``y``, within the day."""
        minute = (y - self.top + self.scroll) * 60 / self.pixels_per_hour
        return max(0.0, min(float(MINUTES_PER_DAY), minute))

    def snapped_minute_at(self, y: float) -> int:
        return snapped(self.minute_at(y))

    def x_of(self, day: int) -> float:
        return self.left + day * self.column_width

    def day_at(self, x: float) -> int | None:
        """The weekday (0 = Monday) of the column at ``x``; None left or right of them."""
        if x < self.left:
            return None
        day = int((x - self.left) // self.column_width)
        return day if 0 <= day < DAYS else None

    def segment(self, day: int, start: int, end: int) -> QRectF:
        """The rectangle of one day of a block, a little inside its column."""
        top = self.y_of(start)
        return QRectF(
            self.x_of(day) + 3, top, self.column_width - 6, max(3.0, self.y_of(end) - top)
        )


class _Part(Enum):
    BODY = "body"
    TOP = "top"
    BOTTOM = "bottom"


class _Drag(Enum):
    CREATE = "create"
    MOVE = "move"
    TOP = "top"
    BOTTOM = "bottom"


@dataclass(slots=True)
class _Dragging:
    kind: _Drag
    press: QPointF
    day: int
    origin: WeeklyBlock | None  # None when creating
    anchor: float  # the minute pressed (unsnapped)
    started: bool = False
    wanted: WeeklyBlock | None = None


def _block_order(block: WeeklyBlock) -> tuple[int, int, int, str]:
    """The table's order, so that Left/Right and Tab go through the rows in turn."""
    return (block.start, block.end, min(block.days), block.kind.value)


class WeekGrid(QWidget):
    """Seven day columns of 24 hours with the weekly blocks on them (module docstring).

    Signals (GUI thread):

    - ``changed(old, new)``: the user asks for ``old`` (a :class:`WeeklyBlock`, or None
      for a new block) to become ``new`` (None to remove it). The grid shows ``new``
      until :meth:`set_blocks` is called again, and takes no other edit until then.
    - ``block_selected(block)``: the user selected a block (or None) by mouse or key;
      :meth:`select` from the owner does not emit it.
    """

    changed = Signal(object, object)
    block_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weekGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("Week grid"))
        self.setAccessibleDescription(
            self.tr(
                "Drag on an empty part of a day to add a block. Left, Right and Tab choose "
                "a block; Up and Down move it by 15 minutes; Shift+Up and Shift+Down move "
                "its end; Delete removes it. The list of blocks next to the grid does the "
                "same by form."
            )
        )
        # The kind a drag on an empty area asks for (the section's form sets it).
        self.new_kind = BlockKind.WINDOW
        self._blocks: list[WeeklyBlock] = []
        self._office_hours: list[OfficeHoursBlock] = []
        self._selected: WeeklyBlock | None = None
        self._pending: tuple[WeeklyBlock | None, WeeklyBlock | None] | None = None
        self._dragging: _Dragging | None = None
        self._busy = False
        self._scrolled_by_user = False
        self._scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self._scrollbar.setAccessibleName(self.tr("Hours shown"))
        self._scrollbar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._scrollbar.valueChanged.connect(self.update)
        self._scrollbar.sliderMoved.connect(self._on_user_scroll)
        self._scrollbar.actionTriggered.connect(self._on_user_scroll)
        self._layout()

    # -- what the owner tells the grid ---------------------------------------------

    def set_blocks(self, blocks: Sequence[WeeklyBlock]) -> None:
        """Show ``blocks`` (the stored schedule's): a change asked for is over, made or
        not. The selection follows a block that was moved; it stays on a block that
        is still there; otherwise it is cleared."""
        pending, self._pending = self._pending, None
        self._dragging = None
        self._blocks = sorted(blocks, key=_block_order)
        if pending is not None and pending[1] in self._blocks:
            self._selected = pending[1]
        elif self._selected not in self._blocks:
            self._selected = None
        self.update()

    def set_office_hours(self, blocks: Sequence[OfficeHoursBlock]) -> None:
        """Show these office hours (read-only; see the module doc)."""
        self._office_hours = sorted(blocks, key=lambda b: (b.start, b.end, sorted(b.days)))
        self.update()

    def office_hours(self) -> list[OfficeHoursBlock]:
        return list(self._office_hours)

    def office_hours_rect(self, block: OfficeHoursBlock, day: int) -> QRectF:
        """Where a day's office hours are drawn: the right third of the segment."""
        segment = self.geometry_now().segment(day, block.start, block.end)
        width = max(6.0, segment.width() / 3)
        return QRectF(segment.right() - width, segment.top(), width, segment.height())

    def blocks(self) -> list[WeeklyBlock]:
        """The blocks shown, in the table's order (not a change on its way)."""
        return list(self._blocks)

    def pending(self) -> tuple[WeeklyBlock | None, WeeklyBlock | None] | None:
        """The change asked for and not yet answered by :meth:`set_blocks`, if any."""
        return self._pending

    def set_busy(self, busy: bool) -> None:
        """While the owner writes a change, the grid selects but does not edit."""
        self._busy = busy
        if busy and self._dragging is not None:
            self._dragging = None
            self.update()

    def selected(self) -> WeeklyBlock | None:
        return self._selected

    def select(self, block: WeeklyBlock | None) -> None:
        """Select ``block`` (None: nothing) without emitting ``block_selected``."""
        chosen = block if block in self._blocks else None
        if chosen != self._selected:
            self._selected = chosen
            if chosen is not None:
                self.ensure_visible(chosen)
            self.update()

    def scroll_to(self, minute: int) -> None:
        """Put ``minute`` at the top of the body, as far as the scroll bar goes."""
        self._scrollbar.setValue(round(minute * self._pixels_per_hour() / 60))

    def ensure_visible(self, block: WeeklyBlock) -> None:
        geometry = self.geometry_now()
        body = self._body()
        top, bottom = geometry.y_of(block.start), geometry.y_of(block.end)
        if top < body.top():
            self._scrollbar.setValue(round(self._scrollbar.value() - (body.top() - top) - 8))
        elif bottom > body.bottom() and bottom - top < body.height():
            self._scrollbar.setValue(round(self._scrollbar.value() + bottom - body.bottom() + 8))

    # -- geometry -------------------------------------------------------------------

    def _header_height(self) -> int:
        return self.fontMetrics().height() + 10

    def _gutter(self) -> int:
        return self.fontMetrics().horizontalAdvance("00:00") + 12

    def _least_pixels_per_hour(self) -> float:
        """Tall enough for a half-hour block to hold its times on one line."""
        return max(32.0, self.fontMetrics().height() * 2.0)

    def _pixels_per_hour(self) -> float:
        body = self.height() - self._header_height()
        return max(self._least_pixels_per_hour(), body / 24)

    def _body(self) -> QRectF:
        right = self.width() - (self._scrollbar.width() if self._scrollbar.isVisible() else 0)
        top = self._header_height()
        left = self._gutter()
        return QRectF(left, top, max(1, right - left), max(1, self.height() - top))

    def geometry_now(self) -> GridGeometry:
        body = self._body()
        return GridGeometry(
            body.left(),
            body.top(),
            body.width() / DAYS,
            self._pixels_per_hour(),
            float(self._scrollbar.value()) if self._scrollbar.isVisible() else 0.0,
        )

    def _layout(self) -> None:
        body_height = self.height() - self._header_height()
        overflow = round(24 * self._pixels_per_hour() - body_height)
        self._scrollbar.setVisible(overflow > 0)
        width = self._scrollbar.sizeHint().width()
        self._scrollbar.setGeometry(
            self.width() - width, self._header_height(), width, max(0, body_height)
        )
        self._scrollbar.setRange(0, max(0, overflow))
        self._scrollbar.setPageStep(max(1, body_height))
        self._scrollbar.setSingleStep(max(1, round(self._pixels_per_hour() / 4)))
        if not self._scrolled_by_user:  # a little before the hour, so its label shows whole
            self.scroll_to(FIRST_HOUR_SHOWN * 60 - 20)

    def _on_user_scroll(self) -> None:
        self._scrolled_by_user = True

    def sizeHint(self) -> QSize:
        width = self._gutter() + DAYS * self.fontMetrics().horizontalAdvance("00:00–00:00 ")
        height = self._header_height() + round(12 * self._least_pixels_per_hour())
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self._gutter() + DAYS * 36,
            self._header_height() + round(5 * self._least_pixels_per_hour()),
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self._scrollbar.isVisible():
            event.ignore()
            return
        steps = event.angleDelta().y() / 120
        self._scrollbar.setValue(
            round(self._scrollbar.value() - steps * self._pixels_per_hour() / 2)
        )
        self._scrolled_by_user = True
        event.accept()

    # -- what is under the mouse ----------------------------------------------------

    def _segments(self) -> list[tuple[WeeklyBlock, int, QRectF]]:
        """Every day of every block, in drawing order (a later one is on top)."""
        geometry = self.geometry_now()
        return [
            (block, day, geometry.segment(day, block.start, block.end))
            for block in self._blocks
            for day in sorted(block.days)
        ]

    def hit(self, point: QPointF) -> tuple[WeeklyBlock, int, _Part] | None:
        """The block, day and part (body or an edge) at ``point``, if any."""
        for block, day, rect in reversed(self._segments()):
            if not rect.contains(point):
                continue
            edge = min(5.0, rect.height() / 4)  # a short block keeps a body to hold
            if point.y() - rect.top() <= edge:
                return block, day, _Part.TOP
            if rect.bottom() - point.y() <= edge:
                return block, day, _Part.BOTTOM
            return block, day, _Part.BODY
        return None

    def _in_body(self, point: QPointF) -> bool:
        return self._body().contains(point)

    def _editable(self) -> bool:
        return not self._busy and self._pending is None

    # -- mouse -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is not Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position()
        geometry = self.geometry_now()
        found = self.hit(point) if self._in_body(point) else None
        if found is not None:
            block, day, part = found
            self._select_by_user(block)
            kinds = {_Part.BODY: _Drag.MOVE, _Part.TOP: _Drag.TOP, _Part.BOTTOM: _Drag.BOTTOM}
            if self._editable():
                self._dragging = _Dragging(
                    kinds[part], point, day, block, geometry.minute_at(point.y())
                )
        else:
            empty_day = geometry.day_at(point.x()) if self._in_body(point) else None
            self._select_by_user(None)
            if empty_day is not None and self._editable():
                self._dragging = _Dragging(
                    _Drag.CREATE, point, empty_day, None, geometry.minute_at(point.y())
                )
        self._update_cursor(point)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        dragging = self._dragging
        if dragging is None or not event.buttons() & Qt.MouseButton.LeftButton:
            self._update_cursor(point)
            return
        if not dragging.started:
            moved = (point - dragging.press).manhattanLength()
            if moved < QApplication.startDragDistance():
                return
            dragging.started = True
        dragging.wanted = self._wanted(dragging, self.geometry_now().minute_at(point.y()))
        self._update_cursor(point)
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        dragging, self._dragging = self._dragging, None
        if event.button() is not Qt.MouseButton.LeftButton or dragging is None:
            super().mouseReleaseEvent(event)
            return
        if dragging.started and self._editable():
            wanted = self._wanted(dragging, self.geometry_now().minute_at(event.position().y()))
            if wanted is not None and wanted != dragging.origin:
                self._ask(dragging.origin, wanted)
        self._update_cursor(event.position())
        self.update()
        event.accept()

    def _wanted(self, dragging: _Dragging, minute: float) -> WeeklyBlock | None:
        """The block a drag asks for with the mouse at ``minute`` (on quarter hours)."""
        origin = dragging.origin
        if origin is None:
            low, high = sorted((snapped(dragging.anchor), snapped(minute)))
            if high == low:
                low, high = (
                    (low, low + STEP_MINUTES)
                    if low < MINUTES_PER_DAY
                    else (
                        low - STEP_MINUTES,
                        low,
                    )
                )
            return WeeklyBlock(self.new_kind, frozenset({dragging.day}), low, high)
        start, end = origin.start, origin.end
        if dragging.kind is _Drag.MOVE:
            length = end - start
            start = snapped(minute - (dragging.anchor - origin.start))
            start = max(0, min(MINUTES_PER_DAY - length, start))
            end = start + length
        elif dragging.kind is _Drag.TOP:
            start = max(0, min(end - STEP_MINUTES, snapped(minute)))
        else:
            end = min(MINUTES_PER_DAY, max(start + STEP_MINUTES, snapped(minute)))
        return WeeklyBlock(origin.kind, origin.days, start, end)

    def _ask(self, old: WeeklyBlock | None, new: WeeklyBlock | None) -> None:
        # Pending first: the owner may answer at once (a refusal) with set_blocks.
        self._pending = (old, new)
        self.update()
        self.changed.emit(old, new)

    def _update_cursor(self, point: QPointF) -> None:
        dragging = self._dragging
        if dragging is not None and dragging.started:
            shapes = {
                _Drag.CREATE: Qt.CursorShape.CrossCursor,
                _Drag.MOVE: Qt.CursorShape.ClosedHandCursor,
                _Drag.TOP: Qt.CursorShape.SizeVerCursor,
                _Drag.BOTTOM: Qt.CursorShape.SizeVerCursor,
            }
            self.setCursor(shapes[dragging.kind])
            return
        found = self.hit(point) if self._in_body(point) else None
        if found is None or not self._editable():
            self.unsetCursor()
        elif found[2] is _Part.BODY:
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.setCursor(Qt.CursorShape.SizeVerCursor)

    def leaveEvent(self, event: QEvent) -> None:
        if self._dragging is None:
            self.unsetCursor()
        super().leaveEvent(event)

    # -- keyboard ----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        block = self._selected
        if key == Qt.Key.Key_Escape and self._dragging is not None:
            self._dragging = None
            self.update()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self._cycle(1 if key == Qt.Key.Key_Right else -1, wrap=True)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and block is not None:
            if self._editable():
                step = STEP_MINUTES if key == Qt.Key.Key_Down else -STEP_MINUTES
                self._step(block, step, end_only=shift)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and block is not None:
            if self._editable():
                self._ask(block, None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, block: WeeklyBlock, step: int, *, end_only: bool) -> None:
        start, end = block.start, block.end
        if end_only:
            end += step
            if end <= start or end > MINUTES_PER_DAY:
                return
        else:
            start, end = start + step, end + step
            if start < 0 or end > MINUTES_PER_DAY:
                return
        wanted = WeeklyBlock(block.kind, block.days, start, end)
        self._ask(block, wanted)
        self.ensure_visible(wanted)

    def _cycle(self, step: int, *, wrap: bool) -> bool:
        """Select the next (``step`` 1) or previous (-1) block; False at an end."""
        if not self._blocks:
            return False
        if self._selected is None:
            index = 0 if step > 0 else len(self._blocks) - 1
        else:
            index = self._blocks.index(self._selected) + step
            if not 0 <= index < len(self._blocks):
                if not wrap:
                    return False
                index %= len(self._blocks)
        self._select_by_user(self._blocks[index])
        self.ensure_visible(self._blocks[index])
        return True

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab goes through the blocks, then on to the next control: never a trap."""
        if self.hasFocus() and self._cycle(1 if next else -1, wrap=False):
            return True
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def _select_by_user(self, block: WeeklyBlock | None) -> None:
        if block != self._selected:
            self._selected = block
            self.update()
            self.block_selected.emit(block)

    # -- tool tips ---------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            point = QPointF(event.pos())
            inside = self._in_body(point)
            hours = self.office_hours_at(point) if inside else None
            found = self.hit(point) if inside and hours is None else None
            if hours is not None:
                QToolTip.showText(event.globalPos(), self.describe_office_hours(hours), self)
            elif found is not None:
                QToolTip.showText(event.globalPos(), self.describe(found[0]), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def office_hours_at(self, point: QPointF) -> OfficeHoursBlock | None:
        """The office hours drawn under ``point`` (they are drawn over blocks)."""
        for block in self._office_hours:
            for day in block.days:
                if self.office_hours_rect(block, day).contains(point):
                    return block
        return None

    def describe_office_hours(self, block: OfficeHoursBlock) -> str:
        """What a hatched strip is, and where it is changed (not on this grid)."""
        days = ", ".join(self.day_name(day) for day in sorted(block.days))
        return self.tr(
            "{title}, {days}: {start}–{end}. A group session offered in replies (O); "
            "change it with asyncdesk schedule officehours."
        ).format(
            title=block.title,
            days=days,
            start=format_clock(block.start),
            end=format_clock(block.end),
        )

    def kind_text(self, kind: BlockKind) -> str:
        return self.tr("Window") if kind is BlockKind.WINDOW else self.tr("Deep work")

    def describe(self, block: WeeklyBlock) -> str:
        """``Window, Mon, Tue: 09:00–09:30``, in the user's language."""
        days = ", ".join(self.day_name(day) for day in sorted(block.days))
        return self.tr("{kind}, {days}: {start}–{end}").format(
            kind=self.kind_text(block.kind),
            days=days,
            start=format_clock(block.start),
            end=format_clock(block.end),
        )

    def day_name(self, day: int) -> str:
        """The locale's short name of weekday ``day`` (0 = Monday)."""
        return self.locale().dayName(day + 1, QLocale.FormatType.ShortFormat)

    # -- painting ----------------------------------------------------------------------

    def _colours(self, kind: BlockKind) -> tuple[QColor, QColor, QColor]:
        """Fill, border and text of a block of ``kind``: two hues apart, light or dark
        with the palette, so that both read in a light and a dark theme."""
        palette = self.palette()
        dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
        highlight = palette.color(QPalette.ColorRole.Highlight)
        hue = highlight.hslHueF()
        if hue < 0 or highlight.hslSaturationF() < 0.2:
            hue = 0.58  # a grey highlight: a calm blue
        if kind is BlockKind.DEEP_WORK:
            hue = (hue + 0.5) % 1.0  # blue → amber: opposite on the wheel
        fill = QColor.fromHslF(hue, 0.60, 0.30 if dark else 0.86)
        border = QColor.fromHslF(hue, 0.65, 0.62 if dark else 0.42)
        text = QColor.fromHslF(hue, 0.30, 0.92 if dark else 0.18)
        return fill, border, text

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        geometry = self.geometry_now()
        body = self._body()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        self._paint_days(painter, geometry, body)
        painter.save()
        painter.setClipRect(body)
        self._paint_hours(painter, geometry, body)
        self._paint_blocks(painter)
        self._paint_office_hours(painter)
        painter.restore()
        self._paint_hour_labels(painter, geometry, body)
        if self.hasFocus() and self._selected is None:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 1)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(body).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))  # framed like the table
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    def _paint_days(self, painter: QPainter, geometry: GridGeometry, body: QRectF) -> None:
        palette = self.palette()
        alternate = palette.color(QPalette.ColorRole.AlternateBase)
        for day in range(DAYS):
            column = QRectF(geometry.x_of(day), body.top(), geometry.column_width, body.height())
            if day >= 5:
                painter.fillRect(column, alternate)
            header = QRectF(geometry.x_of(day), 0, geometry.column_width, body.top())
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(header, Qt.AlignmentFlag.AlignCenter, self.day_name(day))
        line = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(line, 1))
        painter.drawLine(
            QPointF(body.left(), body.top() - 0.5), QPointF(body.right(), body.top() - 0.5)
        )
        for day in range(DAYS + 1):
            x = round(geometry.x_of(day)) + 0.5
            painter.drawLine(QPointF(x, body.top()), QPointF(x, body.bottom()))

    def _paint_hours(self, painter: QPainter, geometry: GridGeometry, body: QRectF) -> None:
        palette = self.palette()
        hour_line = QColor(palette.color(QPalette.ColorRole.Mid))
        hour_line.setAlphaF(0.8)
        half_line = QColor(hour_line)
        half_line.setAlphaF(0.3)
        for half in range(1, 48):
            y = round(geometry.y_of(half * 30)) + 0.5
            if body.top() <= y <= body.bottom():
                painter.setPen(QPen(hour_line if half % 2 == 0 else half_line, 1))
                painter.drawLine(QPointF(body.left(), y), QPointF(body.right(), y))

    def _paint_hour_labels(self, painter: QPainter, geometry: GridGeometry, body: QRectF) -> None:
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        metrics = self.fontMetrics()
        every = 1 if geometry.pixels_per_hour >= metrics.height() * 1.2 else 2
        for hour in range(0, 25, every):
            y = geometry.y_of(hour * 60)
            if not body.top() - 1 <= y <= body.bottom() + 1:
                continue
            box = QRectF(0, y - metrics.height() / 2, body.left() - 6, metrics.height())
            if box.top() < body.top():
                box.moveTop(body.top())
            if box.bottom() > body.bottom():
                box.moveBottom(body.bottom())
            painter.drawText(
                box,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                format_clock(hour * 60),
            )

    def _paint_blocks(self, painter: QPainter) -> None:
        geometry = self.geometry_now()
        wanted = self._dragging.wanted if self._dragging is not None else None
        changing = self._dragging.origin if self._dragging is not None else None
        if self._pending is not None:
            changing, wanted = self._pending
        for block in self._blocks:
            faded = block == changing and (wanted is not None or self._pending is not None)
            for day in sorted(block.days):
                self._paint_segment(
                    painter,
                    block,
                    geometry.segment(day, block.start, block.end),
                    selected=block == self._selected and not faded,
                    faded=faded,
                )
        if wanted is not None:
            for day in sorted(wanted.days):
                self._paint_segment(
                    painter,
                    wanted,
                    geometry.segment(day, wanted.start, wanted.end),
                    selected=False,
                    preview=True,
                )

    def _paint_office_hours(self, painter: QPainter) -> None:
        dark = self.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.5
        fill = QColor.fromHslF(0.40, 0.55, 0.28 if dark else 0.80)  # green, apart from both
        line = QColor.fromHslF(0.40, 0.60, 0.65 if dark else 0.30)
        for block in self._office_hours:
            for day in sorted(block.days):
                rect = self.office_hours_rect(block, day)
                painter.save()
                painter.setPen(QPen(line, 1.2, Qt.PenStyle.DashLine))
                painter.setBrush(fill)
                painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
                painter.setBrush(QBrush(line, Qt.BrushStyle.BDiagPattern))
                painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
                painter.restore()

    def _paint_segment(
        self,
        painter: QPainter,
        block: WeeklyBlock,
        rect: QRectF,
        *,
        selected: bool,
        faded: bool = False,
        preview: bool = False,
    ) -> None:
        fill, border, text = self._colours(block.kind)
        painter.save()
        if faded:
            painter.setOpacity(0.35)
        if preview:
            fill.setAlphaF(0.75)
        pen = QPen(border, 1.2)
        if preview:
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidthF(1.6)
        if selected:
            pen = QPen(self.palette().color(QPalette.ColorRole.WindowText), 2.2)
        painter.setPen(pen)
        painter.setBrush(fill)
        radius = min(5.0, rect.height() / 2, rect.width() / 2)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        self._paint_label(painter, block, rect, text)
        painter.restore()

    def _paint_label(
        self, painter: QPainter, block: WeeklyBlock, rect: QRectF, colour: QColor
    ) -> None:
        """The times, and the kind when there is room: on one line if they fit the
        column, else start and end on two; a block too short for that shows its start."""
        font = QFont(self.font())
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(max(7.0, size * 0.88))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        inner = rect.adjusted(5, 1, -3, -1)
        if inner.height() < metrics.ascent() - 2 or inner.width() < 12:
            return
        start, end = format_clock(block.start), format_clock(block.end)
        one_line = f"{start}–{end}"
        times = (
            [one_line]
            if metrics.horizontalAdvance(one_line) <= inner.width()
            else [f"{start}–", end]
        )
        room = max(1, int(inner.height() // metrics.lineSpacing()))
        lines = [self.kind_text(block.kind), *times]
        if len(lines) > room:
            lines = times if len(times) <= room else [start]
        painter.setPen(colour)
        single = len(lines) == 1 and inner.height() < metrics.lineSpacing() * 1.5
        y = inner.top()
        for line in lines:
            shown = metrics.elidedText(line, Qt.TextElideMode.ElideRight, round(inner.width()))
            if single:
                box, flags = inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            else:
                box = QRectF(inner.left(), y, inner.width(), metrics.lineSpacing())
                flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            painter.drawText(box, flags, shown)
            y += metrics.lineSpacing()
