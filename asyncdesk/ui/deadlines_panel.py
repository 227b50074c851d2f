"""The deadlines panel: open reply-by commitments, grouped by when they must be answered.

A dock beside the inbox with three groups — **Overdue**, **Due before the next
window**, **Later** — each item ``Sender — Subject · due Thu 16:30``, the count in each
group's header, empty groups left out, and a quiet "Nothing due. Nice." when nothing is
open. Double-click or Enter on an item asks the owner to show that message
(``message_activated``).

Data: ``services.deadlines.deadlines(store, now)`` on the task runner's database worker
(the same "open at" rule as ``deadlines`` and ``status``), grouped on the GUI thread by
:mod:`asyncdesk.ui.due`. The owner calls :meth:`DeadlinesPanel.reload` when the inbox
reloads and when the mode changes, and :meth:`DeadlinesPanel.set_horizon` with the next
window's start. One single-shot timer reloads when the next listed deadline passes
(an item then moves to Overdue); nothing polls.

Whether the panel is *shown* is the owner's business (behind the gate it is hidden,
whatever the user chose); ``closed_by_user`` tells it the user closed the dock.

Threading contract: GUI thread only; the worker task gets the store and the instant as
arguments and touches nothing here.
"""

from __future__ import annotations

import logging
import math
import sys
from datetime import UTC, datetime, tzinfo
from typing import cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QCloseEvent, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QLabel,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Medium
from asyncdesk.services import inbox
from asyncdesk.services.deadlines import deadlines
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.store.promises import Commitment
from asyncdesk.ui import due as badges
from asyncdesk.ui.colours import muted
from asyncdesk.ui.due import Due
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# The English texts (marked for translation, context "DeadlinesPanel"; shown translated).
EMPTY_TEXT = cast(str, QT_TRANSLATE_NOOP("DeadlinesPanel", "Nothing due. Nice."))
# A group lists its soonest ones: thousands of items would hold the GUI thread for a
# fifth of a second at every reload (measured at 100,000 messages), and nobody reads
# past the first screens; the header keeps the whole count, the sidebar's views list all.
MAX_PER_GROUP = 200
MORE_TEXT = cast(
    str,
    QT_TRANSLATE_NOOP("DeadlinesPanel", "… and {count} more (the sidebar's views list them all)"),
)
# QTimer takes a signed 32-bit interval; a later deadline re-arms when it fires.
_MAX_TIMER_MS = 2**31 - 1
# Items keep the message id, and the two parts the delegate draws: who and what
# (left, elided) and when (right, muted), so the due time is never elided away.
_PK_ROLE = Qt.ItemDataRole.UserRole
_MAIN_ROLE = Qt.ItemDataRole.UserRole + 1
_DUE_ROLE = Qt.ItemDataRole.UserRole + 2

GROUPS: tuple[Due, ...] = (Due.OVERDUE, Due.SOON, Due.LATER)


def group_title(group: Due, horizon: datetime | None) -> str:
    """The group's name, without its count."""
    if group is Due.OVERDUE:
        return QCoreApplication.translate("DeadlinesPanel", "Overdue")
    if group is Due.SOON:
        if horizon is None:
            return QCoreApplication.translate("DeadlinesPanel", "Due within 24 hours")
        return QCoreApplication.translate("DeadlinesPanel", "Due before the next window")
    return QCoreApplication.translate("DeadlinesPanel", "Later")


class DeadlinesPanel(QDockWidget):
    """The dock listing open commitments (see the module docstring).

    Signals (GUI thread):

    - ``message_activated(int, object)``: the user chose an item (double-click, Enter):
      the message's id and its ``received_at`` (UTC), to find it in the inbox.
    - ``loaded()``: a reload finished and the groups show it.
    - ``load_failed(str)``: the commitments could not be read; one line.
    - ``closed_by_user()``: the user closed the dock (its close button).
    - ``deadline_passed()``: a listed deadline has just passed (the panel reloads
      itself; the inbox may repaint its badges).
    """

    message_activated = Signal(int, object)
    loaded = Signal()
    load_failed = Signal(str)
    closed_by_user = Signal()
    deadline_passed = Signal()

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Deadlines"))
        self.setObjectName("deadlinesDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._zone: tzinfo = UTC
        self._horizon: datetime | None = None
        self._commitments: list[Commitment] = []
        self._messages: dict[int, StoredMessage] = {}  # the listed ones, for chat text
        self._loaded_at: datetime | None = None
        self._generation = 0
        self._headers: dict[Due, QTreeWidgetItem] = {}  # the groups shown, in order

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("deadlinesTree")
        self.tree.setAccessibleName(self.tr("Deadlines"))
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(1)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(12)
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.tree.setItemDelegate(_ItemDelegate(self.tree))
        self.tree.itemActivated.connect(self._on_activated)
        self.empty_label = QLabel("", self)
        self.empty_label.setObjectName("deadlinesEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(16)
        muted(self.empty_label)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.tree)
        self._stack.addWidget(self.empty_label)
        self._stack.setCurrentWidget(self.empty_label)
        self._stack.setMinimumWidth(self.fontMetrics().averageCharWidth() * 26)
        self.setWidget(self._stack)

        # Reloads when the next listed deadline passes; single-shot, precise.
        self.due_timer = QTimer(self)
        self.due_timer.setSingleShot(True)
        self.due_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.due_timer.timeout.connect(self._on_due_timer)

    # -- what the owner tells it ------------------------------------------------------

    def set_store(self, store: Store | None, zone: tzinfo = UTC) -> None:
        """List ``store``'s commitments (times in ``zone``); ``None`` empties the panel."""
        self._store = store
        self._zone = zone
        self.reload()

    def set_horizon(self, horizon: datetime | None) -> None:
        """The next window starts at ``horizon``; regroups what is listed (no disk)."""
        if horizon != self._horizon:
            self._horizon = horizon
            self._show()

    def reload(self) -> None:
        """Read the open commitments again on the database worker."""
        self._generation += 1
        store = self._store
        if store is None:
            self._commitments, self._messages, self._loaded_at = [], {}, None
            self.due_timer.stop()
            self._show()
            return
        generation = self._generation
        at = self._clock.now()

        def read() -> tuple[list[Commitment], dict[int, StoredMessage]]:
            found = deadlines(store, at)
            return found, inbox.by_id(store, [commitment.id for commitment in found])

        self._tasks.run_db(
            read,
            success=lambda result: self._on_loaded(*result, at),
            failure=self._on_failed,
            is_current=lambda: generation == self._generation,
        )

    # -- what it shows (for tests and accessibility) ----------------------------------

    def group_texts(self) -> list[str]:
        """The headers shown, e.g. ``["Overdue (2)", "Later (5)"]``."""
        return [header.text(0) for header in self._headers.values()]

    def item_texts(self, group: Due) -> list[str]:
        """The items of one group, in order (``[]`` when it is not shown)."""
        header = self._headers.get(group)
        if header is None:
            return []
        return [child.text(0) for child in _children(header)]

    def counts(self) -> dict[Due, int]:
        """How many commitments each group holds."""
        found = {group: 0 for group in GROUPS}
        for commitment in self._commitments:
            found[self._group_of(commitment)] += 1
        return found

    def is_empty(self) -> bool:
        """Whether "Nothing due" is shown."""
        return self._stack.currentWidget() is self.empty_label

    def item_for(self, message_pk: int) -> QTreeWidgetItem | None:
        """The item listing this message, if it is listed."""
        for header in self._headers.values():
            for child in _children(header):
                if child.data(0, _PK_ROLE) == message_pk:
                    return child
        return None

    # -- loading and showing ----------------------------------------------------------

    def _on_loaded(
        self, found: list[Commitment], messages: dict[int, StoredMessage], at: datetime
    ) -> None:
        self._commitments, self._messages, self._loaded_at = found, messages, at
        self._show()
        self._arm_due_timer()
        self.loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, AsyncDeskError):
            log.warning("Cannot read the deadlines: %s", error.message)
            message = self.tr("Cannot read the deadlines: {reason}").format(reason=error.message)
        else:
            message = self.tr("Cannot read the deadlines (see the log for details).")
            sys.excepthook(type(error), error, error.__traceback__)
        self.load_failed.emit(message)

    def _group_of(self, commitment: Commitment) -> Due:
        now = self._loaded_at or self._clock.now()
        return badges.due_at_state(commitment.due_at, now, self._horizon)

    def _show(self) -> None:
        """Rebuild the groups from the commitments last read; keep the current item."""
        current = self.tree.currentItem()
        keep = None if current is None else current.data(0, _PK_ROLE)
        self.tree.clear()
        self._headers = {}
        now = self._loaded_at or self._clock.now()
        grouped: dict[Due, list[Commitment]] = {group: [] for group in GROUPS}
        for commitment in self._commitments:
            grouped[self._group_of(commitment)].append(commitment)
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for group in GROUPS:
            members = grouped[group]
            if not members:
                continue
            title = self.tr("{group} ({count})").format(
                group=group_title(group, self._horizon), count=len(members)
            )
            header = QTreeWidgetItem([title])
            self._headers[group] = header
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFont(0, bold)
            colour = badges.colour(group) if group is Due.OVERDUE else None
            if colour is not None:
                header.setForeground(0, QBrush(colour))
            self.tree.addTopLevelItem(header)
            for commitment in members[:MAX_PER_GROUP]:
                item = self._item(commitment, now)
                header.addChild(item)
                if keep is not None and item.data(0, _PK_ROLE) == keep:
                    self.tree.setCurrentItem(item)
            if len(members) > MAX_PER_GROUP:
                more_text = self.tr(MORE_TEXT).format(count=len(members) - MAX_PER_GROUP)
                more = QTreeWidgetItem([more_text])
                more.setFlags(Qt.ItemFlag.ItemIsEnabled)
                header.addChild(more)
            header.setExpanded(True)
        self.empty_label.setText(self.tr(EMPTY_TEXT) if self._loaded_at is not None else "")
        self._stack.setCurrentWidget(self.empty_label if not self._commitments else self.tree)

    def _item(self, commitment: Commitment, now: datetime) -> QTreeWidgetItem:
        when = self.tr("due {when}").format(
            when=badges.when_text(commitment.due_at, now, self._zone)
        )
        subject = commitment.subject or self.tr("(no subject)")
        message = self._messages.get(commitment.id)
        what = subject
        if message is not None and message.medium == Medium.CHAT.value and message.snippet:
            what = " ".join(message.snippet.split())  # a chat's "subject" is its room
        item = QTreeWidgetItem([f"{commitment.sender} — {what} · {when}"])
        item.setData(0, _PK_ROLE, commitment.id)
        item.setData(0, _MAIN_ROLE, f"{commitment.sender} — {what}")
        item.setData(0, _DUE_ROLE, when)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
        lines = [
            f"{commitment.sender} <{commitment.sender_address}> · {commitment.account}",
            subject if what == subject else f"{subject}: {what}",
            self.tr("Reply by {when}").format(when=badges.long_text(commitment.due_at, self._zone)),
        ]
        if commitment.reason:
            lines.append(self.tr("Needs a reply: {reason}").format(reason=commitment.reason))
        item.setToolTip(0, "\n".join(lines))
        return item

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        message_pk = item.data(0, _PK_ROLE)
        found = next((c for c in self._commitments if c.id == message_pk), None)
        if found is not None:
            self.message_activated.emit(found.id, found.received_at)

    # -- the one timer ----------------------------------------------------------------

    def _arm_due_timer(self) -> None:
        at = self._loaded_at
        upcoming = [c.due_at for c in self._commitments if at is not None and c.due_at > at]
        if not upcoming:
            self.due_timer.stop()
            return
        milliseconds = math.ceil((min(upcoming) - self._clock.now()).total_seconds() * 1000)
        self.due_timer.start(max(0, min(milliseconds, _MAX_TIMER_MS)) + 20)

    def _on_due_timer(self) -> None:
        self.reload()
        self.deadline_passed.emit()

    # -- events -----------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """The close button: the user does not want the panel (the owner remembers)."""
        super().closeEvent(event)
        if event.isAccepted():
            self.closed_by_user.emit()


def _children(header: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    children = (header.child(i) for i in range(header.childCount()))
    return [child for child in children if child is not None]


class _ItemDelegate(QStyledItemDelegate):
    """Draws an item as "Sender — Subject" (elided) and its due time at the right."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + 4)  # a little air between lines

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        main, due = index.data(_MAIN_ROLE), index.data(_DUE_ROLE)
        if not isinstance(main, str) or not isinstance(due, str):
            super().paint(painter, option, index)  # a group header
            return
        view = QStyleOptionViewItem(option)
        self.initStyleOption(view, index)
        view.text = ""
        widget = view.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, view, widget)
        rect = rect.adjusted(2, 0, -4, 0)
        metrics = view.fontMetrics
        selected = bool(view.state & QStyle.StateFlag.State_Selected)
        palette = view.palette
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        due_width = metrics.horizontalAdvance(due)
        align = Qt.AlignmentFlag.AlignVCenter
        painter.save()
        painter.setPen(muted)
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignRight, due)
        left = rect.adjusted(0, 0, -(due_width + metrics.averageCharWidth() * 2), 0)
        painter.setPen(text)
        elided = metrics.elidedText(main, Qt.TextElideMode.ElideRight, max(0, left.width()))
        painter.drawText(left, align | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()
