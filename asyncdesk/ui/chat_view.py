"""The chat view: a room or thread shown as chat, with a box to answer in.

Opened from the inbox on a chat message (Enter or double-click): the lines of its
thread, or of the room's top level (services.chat.conversation), as bubbles — the
user's own on the right in the palette's highlight colour, everyone else's on the
left with their name — each with its local time; a thread root shows how many
replies it has. Below, the reply box: Ctrl+Enter (or Send) answers the opened message
through its account (in its thread when it is in one).

Sending never holds the database worker on the network: the message goes out on the
network pool (``send_only``), then its copy is recorded on the database worker
(``record_only``), then the conversation is read again. While it is sent the box is
read-only and says so; a failure is one line under it and the text stays, to retry.

A video link in the opened line gets a card above the lines, as in the message view
(ui.video_card: Open, and a preview only on the user's word).

Threading contract: GUI thread only; tasks get the store, secrets and values as
arguments.
"""

from __future__ import annotations

import logging
from datetime import UTC, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.video_links import video_links
from asyncdesk.services.chat import ChatLine, Conversation
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.video_card import VideoCards

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
LINE_ROLE = Qt.ItemDataRole.UserRole
_PAD = 8
_GAP = 6


class ChatModel(QAbstractListModel):
    """The lines of one conversation, oldest first (a plain list model)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: list[ChatLine] = []
        self.timezone: tzinfo = UTC

    def set_lines(self, lines: list[ChatLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()

    def line(self, row: int) -> ChatLine:
        return self._lines[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line.body
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if line.outbound:
                template = self.tr("You, {time}: {text}")
            else:
                template = self.tr("{sender}, {time}: {text}")
            return template.format(sender=line.sender, time=self.time_text(line), text=line.body)
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.received_at.astimezone(self.timezone).strftime("%a %d %b %Y %H:%M")
        if role == LINE_ROLE:
            return line
        return None

    def time_text(self, line: ChatLine) -> str:
        return line.received_at.astimezone(self.timezone).strftime("%a %H:%M")


class BubbleDelegate(QStyledItemDelegate):
    """Draws a line as a chat bubble: sender and time above the text, own lines right."""

    def _parts(self, option: QStyleOptionViewItem, index: ModelIndex) -> tuple[ChatLine, str, int]:
        line = index.data(LINE_ROLE)
        model = index.model()
        assert isinstance(model, ChatModel)
        who = self.tr("You") if line.outbound else line.sender
        header = self.tr("{sender} · {time}").format(sender=who, time=model.time_text(line))
        if line.replies == 1:
            header = self.tr("{header} · %n reply in thread", "", line.replies).format(
                header=header
            )
        elif line.replies:
            header = self.tr("{header} · %n replies in thread", "", line.replies).format(
                header=header
            )
        # At most three quarters of the pane, and a comfortable line length.
        limit = QFontMetrics(option.font).averageCharWidth() * 72
        width = max(120, min(int(option.rect.width() * 0.75), limit))
        return line, header, width

    def _layout(
        self, option: QStyleOptionViewItem, index: ModelIndex
    ) -> tuple[ChatLine, str, QFont, QRect, int, int]:
        """The line, its header, the header's font, the body's box, the bubble's width
        and height: measured the same way for the size hint and the painting."""
        line, header, width = self._parts(option, index)
        bold = QFont(option.font)
        bold.setBold(True)
        header_metrics = QFontMetrics(bold)
        header = header_metrics.elidedText(header, Qt.TextElideMode.ElideRight, width - 2 * _PAD)
        body = QFontMetrics(option.font).boundingRect(
            QRect(0, 0, width - 2 * _PAD, 100_000), Qt.TextFlag.TextWordWrap, line.body or " "
        )
        inner = max(body.width(), header_metrics.horizontalAdvance(header))
        bubble_width = min(width, inner + 2 * _PAD + 2)
        height = header_metrics.height() + body.height() + 2 * _PAD
        return line, header, bold, body, bubble_width, height

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        *_, height = self._layout(option, index)
        return QSize(option.rect.width(), height + _GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        line, header, bold, _body, bubble_width, height = self._layout(option, index)
        metrics = QFontMetrics(bold)
        rect = option.rect
        left = rect.right() - bubble_width - _PAD if line.outbound else rect.left() + _PAD
        bubble = QRect(left, rect.top() + _GAP // 2, bubble_width, height)
        palette = option.palette
        if line.outbound:
            fill, ink = (
                palette.color(QPalette.ColorRole.Highlight),
                palette.color(QPalette.ColorRole.HighlightedText),
            )
        else:
            fill, ink = (
                palette.color(QPalette.ColorRole.AlternateBase),
                palette.color(QPalette.ColorRole.Text),
            )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 10, 10)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight).darker(140))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble.adjusted(0, 0, -1, -1), 10, 10)
        painter.setFont(bold)
        painter.setPen(ink)
        painter.drawText(
            bubble.adjusted(_PAD, _PAD, -_PAD, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            header,
        )
        painter.setFont(option.font)
        painter.drawText(
            bubble.adjusted(_PAD, _PAD + metrics.height(), -_PAD, -_PAD),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            | int(Qt.TextFlag.TextWordWrap),
            line.body,
        )
        painter.restore()


class ChatView(QWidget):
    """One opened chat conversation and the reply box (see the module docstring).

    Signals (GUI thread): ``loaded(int)`` the lines of the opened message are shown
    (their count); ``load_failed(str)``; ``sent()`` a reply went out and is shown;
    ``send_failed(str)`` one line, the text kept.
    """

    loaded = Signal(int)
    load_failed = Signal(str)
    sent = Signal()
    send_failed = Signal(str)

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._secrets: Any = None
        self._conversation: Conversation | None = None
        self._message_pk: int | None = None
        self._generation = 0
        self.title = QLabel(self)
        self.title.setObjectName("chatTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.video_cards = VideoCards(tasks, self)
        self.model = ChatModel(self)
        self.list = QListView(self)
        self.list.setObjectName("chatLines")
        self.list.setAccessibleName(self.tr("Conversation"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(BubbleDelegate(self.list))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.box = QPlainTextEdit(self)
        self.box.setObjectName("chatReply")
        self.box.setAccessibleName(self.tr("Reply"))
        self.box.setPlaceholderText(self.tr("Write a reply… (Ctrl+Enter sends)"))
        self.box.setMaximumHeight(96)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setToolTip(self.tr("Send the reply (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.box, self.send)
        self.status = QLabel(self)
        self.status.setObjectName("chatStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.video_cards)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._set_enabled(False)

    @property
    def conversation(self) -> Conversation | None:
        return self._conversation

    def set_store(self, store: Store | None, timezone: tzinfo = UTC, secrets: Any = None) -> None:
        self._store = store
        self._secrets = secrets
        self.model.timezone = timezone
        self._generation += 1
        self._conversation = None
        self._message_pk = None
        self.model.set_lines([])
        self.title.clear()
        self.video_cards.set_store(store)
        self._set_enabled(False)

    def open_message(self, message_pk: int) -> None:
        """Show the room or thread of chat message ``message_pk``."""
        store = self._store
        if store is None:
            return
        self._message_pk = message_pk
        self._generation += 1
        generation = self._generation

        known = self._secrets

        def load() -> tuple[Conversation, Any]:
            from asyncdesk.services.accounts import profile_secrets
            from asyncdesk.services.chat import conversation

            # The keyring's key for this profile is read here, off the GUI thread.
            return conversation(store, message_pk), known or profile_secrets(store)

        self._tasks.run_db(
            load,
            success=self._on_loaded,
            failure=self._on_load_failed,
            is_current=lambda: generation == self._generation,
        )

    def reload(self) -> None:
        if self._message_pk is not None:
            self.open_message(self._message_pk)

    def _on_loaded(self, result: tuple[Conversation, Any]) -> None:
        found, self._secrets = result
        self._conversation = found
        if found.in_thread:
            title = self.tr("Thread in {room} · {account}")
        else:
            title = self.tr("{room} · {account}")
        self.title.setText(title.format(room=found.title, account=found.account))
        self.model.set_lines(found.lines)
        opened = next((line for line in found.lines if line.id == self._message_pk), None)
        self.video_cards.show_links(video_links(opened.body) if opened is not None else [])
        self.list.scrollToBottom()
        self._set_enabled(True)
        self.loaded.emit(len(found.lines))

    def _on_load_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.status.setText(message)
        self.load_failed.emit(message)

    def _set_enabled(self, enabled: bool) -> None:
        self.box.setReadOnly(not enabled)
        self.send_button.setEnabled(enabled)

    def send(self) -> None:
        """Send the box's text in answer to the opened message (see the module doc)."""
        found, store = self._conversation, self._store
        text = self.box.toPlainText()
        if found is None or store is None or not text.strip() or self.box.isReadOnly():
            return
        secrets = self._secrets
        target, clock, tasks = found.target, self._clock, self._tasks
        self._set_enabled(False)
        self.status.setText(self.tr("Sending…"))

        def record(remote_id: str) -> None:
            from asyncdesk.services.chat_reply import record_only

            tasks.run_db(
                lambda: record_only(store, clock, target, text, remote_id),
                success=lambda _: self._on_sent(),
                failure=self._on_send_failed,
            )

        def send() -> str:
            from asyncdesk.services.chat_reply import send_only

            return send_only(target, secrets, text)

        tasks.run_net(send, success=record, failure=self._on_send_failed)

    def _on_sent(self) -> None:
        self.box.clear()
        self.status.setText(self.tr("Sent."))
        self._set_enabled(True)
        self.reload()
        self.sent.emit()

    def _on_send_failed(self, error: BaseException) -> None:
        if isinstance(error, AsyncDeskError):
            message = self.tr("Not sent: {reason}").format(reason=error.message)
        else:
            message = self.tr("Not sent (see the log for details).")
            log.error("chat reply failed", exc_info=(type(error), error, error.__traceback__))
        self.status.setText(message)
        self._set_enabled(True)
        self.send_failed.emit(message)
