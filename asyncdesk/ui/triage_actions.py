"""Triage on one key: ask for the topic (T), offer office hours (O), propose an
introduction (I); and the labels that say when to use them.

The discipline: before agreeing to a call, ask what it is about and whether writing
would do; offer a group session (office hours) rather than a one-to-one; meet someone
new live once, briefly. Each key opens the reply for the current message already
written (:mod:`asyncdesk.services.triage`): an email in the reply window
(:class:`~asyncdesk.ui.compose.ComposeWindow`), with the ``.ics`` invitation to the
next office-hours slot attached when office hours are offered; a chat message in its
conversation's reply box, the slots in the text (chat takes no attachments). The user
reads, edits and sends: nothing is sent from here.

When each is enabled (inbox shown, one email or chat message current):

- **Ask for the topic**: always.
- **Offer office hours**: when the schedule has office hours; otherwise disabled, and
  its tip says how to add them (``asyncdesk schedule officehours add``).
- **Propose an introduction**: when the message is a first contact (its
  ``first_contact`` label); it proposes the next office-hours slots, or without any
  the next communication windows, or says to send times.

Labels: :class:`LabelChipDelegate` draws ``meeting_request``, ``first_contact`` and
``video`` as small chips before the subject (the model's ``ItemRole.LabelsRole``, read
a page at a time after the page is shown), and :func:`label_headline` is the line the
message view shows above a labelled message.

Threading contract: GUI thread only; the draft is made on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Medium
from asyncdesk.core.schedule import Schedule
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui.colours import is_dark
from asyncdesk.ui.inbox_model import InboxModel
from asyncdesk.ui.roles import ItemRole
from asyncdesk.ui.tasks import TaskRunner

ASK_TOPIC_KEY = "T"
OFFER_OFFICE_HOURS_KEY = "O"
PROPOSE_INTRODUCTION_KEY = "I"

MEETING_REQUEST = "meeting_request"
FIRST_CONTACT = "first_contact"
VIDEO = "video"
# The labels shown as chips, in this order (fyi is the sidebar's view already).
CHIP_LABELS = (MEETING_REQUEST, FIRST_CONTACT, VIDEO)
# Light fill, dark fill per label (hues: amber, teal, violet).
_CHIP_COLOURS = {
    MEETING_REQUEST: ("#fde7b0", "#6b4e00"),
    FIRST_CONTACT: ("#c8ece6", "#0f5a50"),
    VIDEO: ("#e3d7fb", "#4a2f86"),
}


def label_text(label: str) -> str:
    """A label's short name on a chip (translated)."""
    if label == MEETING_REQUEST:
        return QCoreApplication.translate("LabelChipDelegate", "Meeting")
    if label == FIRST_CONTACT:
        return QCoreApplication.translate("LabelChipDelegate", "New contact")
    if label == VIDEO:
        return QCoreApplication.translate("LabelChipDelegate", "Video")
    return label


def label_headline(labels: Sequence[str]) -> str:
    """The line above a labelled message in the message view, naming the keys: e.g.
    "Meeting request — T asks for the topic, O offers office hours"; "" without one."""
    lines = []
    if MEETING_REQUEST in labels:
        lines.append(
            QCoreApplication.translate(
                "TriageActions", "Meeting request — T asks for the topic, O offers office hours"
            )
        )
    if FIRST_CONTACT in labels:
        lines.append(
            QCoreApplication.translate(
                "TriageActions", "First contact — I proposes a short introduction"
            )
        )
    if VIDEO in labels:
        lines.append(QCoreApplication.translate("TriageActions", "Video message"))
    return " · ".join(lines)


class LabelChipDelegate(QStyledItemDelegate):
    """The subject column with a chip per label before the text (see the module doc)."""

    def _chips(self, index: QModelIndex | QPersistentModelIndex) -> list[str]:
        labels = index.data(ItemRole.LabelsRole) or ()
        return [label for label in CHIP_LABELS if label in labels]

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        chips = self._chips(index)
        if not chips:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        text = item.text
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        painter.save()
        small = item.font
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        painter.setFont(small)
        metrics_small = painter.fontMetrics()
        dark = is_dark(item.palette)
        rect = item.rect
        x = rect.left() + 4
        height = min(rect.height() - 4, metrics_small.height() + 4)
        top = rect.top() + (rect.height() - height) // 2
        for label in chips:
            name = label_text(label)
            width = metrics_small.horizontalAdvance(name) + 10
            chip = QRect(x, top, width, height)
            light, deep = _CHIP_COLOURS[label]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(deep if dark else light))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.drawRoundedRect(chip, height / 2.5, height / 2.5)
            painter.setPen(QColor("#ffffff" if dark else "#202124"))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, name)
            x += width + 4
        painter.setFont(item.font)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(item.palette.color(role))
        rest = QRect(x + 2, rect.top(), max(0, rect.right() - x - 4), rect.height())
        elided = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rest.width())
        painter.drawText(
            rest, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), elided
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        chips = self._chips(index)
        if chips:
            metrics = option.fontMetrics
            extra = sum(metrics.horizontalAdvance(label_text(c)) + 14 for c in chips)
            size.setWidth(size.width() + extra)
        return size


class TriageActions(QObject):
    """The three triage actions of one inbox view (see the module docstring).

    ``open_reply(message)`` opens the reply window for an email and returns it (or
    ``None``); ``open_chat(message)`` opens a chat message's conversation and returns
    its reply box's owner (with ``box``), or ``None``.

    Signals (GUI thread): ``drafted(object)`` the reply window or chat view now holds the
    draft; ``failed(str)`` one line (also put in the window's status).
    """

    drafted = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        view: QTableView,
        model: InboxModel,
        tasks: TaskRunner,
        clock: Clock,
        open_reply: Callable[[StoredMessage], Any],
        open_chat: Callable[[StoredMessage], Any],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._tasks = tasks
        self._clock = clock
        self._open_reply = open_reply
        self._open_chat = open_chat
        self._store: Store | None = None
        self._schedule: Schedule | None = None
        self._enabled = True

        def action(text: str, key: str, handler: Callable[[], None]) -> QAction:
            made = QAction(text, parent)
            made.setShortcut(QKeySequence(key))
            # Single keys act only in the inbox table, never while typing elsewhere.
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            view.addAction(made)
            made.triggered.connect(handler)
            return made

        self.ask_topic_action = action(self.tr("Ask for the &topic"), ASK_TOPIC_KEY, self.ask_topic)
        self.ask_topic_action.setStatusTip(
            self.tr("Reply asking what it is about and whether writing would do")
        )
        self.offer_office_hours_action = action(
            self.tr("Offer &office hours"), OFFER_OFFICE_HOURS_KEY, self.offer_office_hours
        )
        self.propose_introduction_action = action(
            self.tr("Propose an &introduction"),
            PROPOSE_INTRODUCTION_KEY,
            self.propose_introduction,
        )
        self.propose_introduction_action.setStatusTip(
            self.tr("Reply to a first contact proposing a short live introduction")
        )
        model.modelReset.connect(self.update_actions)
        model.dataChanged.connect(self.update_actions)
        model.rows_refreshed.connect(self.update_actions)
        selection = view.selectionModel()
        selection.currentChanged.connect(self.update_actions)
        self.update_actions()

    # -- wiring -----------------------------------------------------------------------

    @property
    def actions(self) -> tuple[QAction, QAction, QAction]:
        return (
            self.ask_topic_action,
            self.offer_office_hours_action,
            self.propose_introduction_action,
        )

    def fill_menu(self, menu: QMenu) -> None:
        """Add the actions to ``menu`` (the Message menu, the context menu); their
        tips show there, so a disabled "Offer office hours" says why."""
        menu.setToolTipsVisible(True)
        for action in self.actions:
            menu.addAction(action)
        menu.aboutToShow.connect(self.update_actions)

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self._schedule = None
        self.update_actions()

    def set_schedule(self, schedule: Schedule | None) -> None:
        """The schedule in force (for office hours); the owner calls it when read."""
        self._schedule = schedule
        self.update_actions()

    def set_enabled(self, enabled: bool) -> None:
        """Off behind the gate, as every action on messages."""
        self._enabled = enabled
        self.update_actions()

    @property
    def has_office_hours(self) -> bool:
        return self._schedule is not None and bool(self._schedule.office_hours)

    def current(self) -> StoredMessage | None:
        """The message the keys act on: the current row of the inbox."""
        index = self._view.currentIndex()
        if not index.isValid() or index.row() >= self._model.rowCount():
            return None
        return self._model.message_at(index.row())

    def update_actions(self) -> None:
        message = self.current() if self._enabled and self._store is not None else None
        answerable = message is not None and (
            message.medium in (Medium.EMAIL.value, Medium.CHAT.value)
        )
        self.ask_topic_action.setEnabled(answerable)
        offer = self.offer_office_hours_action
        offer.setEnabled(answerable and self.has_office_hours)
        if self.has_office_hours:
            tip = self.tr("Reply offering the next office-hours slots, with an invitation")
        else:
            tip = self.tr(
                "No office hours in your schedule yet: add them with "
                "asyncdesk schedule officehours add --days tue,thu --start 15:00 --end 16:00"
            )
        offer.setToolTip(tip)
        offer.setStatusTip(tip)
        first = message is not None and FIRST_CONTACT in self._model.labels_of(message.id)
        self.propose_introduction_action.setEnabled(answerable and first)

    # -- the actions --------------------------------------------------------------------

    def ask_topic(self) -> Any:
        """T: reply asking for the topic. Returns the reply window or chat view."""
        return self._draft("ask_topic", self.ask_topic_action)

    def offer_office_hours(self) -> Any:
        """O: reply offering the next office-hours slots (and the invitation)."""
        return self._draft("offer_office_hours", self.offer_office_hours_action)

    def propose_introduction(self) -> Any:
        """I: reply to a first contact proposing a short live introduction."""
        return self._draft("propose_introduction", self.propose_introduction_action)

    def _draft(self, which: str, action: QAction) -> Any:
        self.update_actions()
        message = self.current()
        store = self._store
        if not action.isEnabled() or message is None or store is None:
            return None
        chat = message.medium == Medium.CHAT.value
        target = self._open_chat(message) if chat else self._open_reply(message)
        if target is None:
            return None
        clock, pk = self._clock, message.id

        def make() -> Any:
            from asyncdesk.services.triage import TriageAction, triage_draft

            return triage_draft(store, clock, pk, TriageAction(which))

        def alive() -> bool:
            return shiboken6.isValid(target)

        self._tasks.run_db(
            make,
            success=lambda draft: self._fill(target, draft),
            failure=lambda error: self._failed(target, error),
            is_current=alive,
        )
        return target

    def _fill(self, target: Any, draft: Any) -> None:
        if hasattr(target, "set_initial_text"):
            target.set_initial_text(draft.text)
            for attachment in draft.attachments:
                target.add_attachment(attachment)
        else:  # the chat view: its reply box
            box = target.box
            current = box.toPlainText()
            box.setPlainText(
                f"{current.rstrip()}\n\n{draft.text}" if current.strip() else draft.text
            )
            box.moveCursor(box.textCursor().MoveOperation.End)
            box.setFocus()
        self.drafted.emit(target)

    def _failed(self, target: Any, error: BaseException) -> None:
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        status = getattr(target, "status", None)
        if status is not None:
            status.setText(message)
        self.failed.emit(message)
