"""A new email: from a ``mailto:`` link clicked elsewhere on the desktop, or from
Message ▸ New Message… (Ctrl+N); both only while the inbox is shown.

A link's fields fill the window; everything stays editable (the link is someone
else's text). It is sent as a reply is (ui.compose, services.new_message): queued in
the outbox with its copy on the database worker, then sent on the network pool; a
failure is one line and the window keeps the text.

Threading contract: GUI thread only; tasks get the store and values as arguments.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.mailto import MailtoDraft
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner


class NewMessageWindow(QDialog):
    """A new message being written (see the module docstring).

    Signals (GUI thread): ``ready()`` the accounts are loaded; ``sent(str)`` the one-line
    outcome, the window then closes; ``failed(str)``.
    """

    ready = Signal()
    sent = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        store: Store,
        draft: MailtoDraft,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newMessageWindow")
        self.setWindowTitle(self.tr("New message"))
        self.setModal(False)
        self._tasks = tasks
        self._clock = clock
        self._store = store
        self._sending = False
        self._done = False
        self.from_box = QComboBox(self)
        self.from_box.setObjectName("newMessageFrom")
        self.from_box.setAccessibleName(self.tr("Send from"))
        self.to_edit = self._line("newMessageTo", self.tr("To"), ", ".join(draft.to))
        self.cc_edit = self._line("newMessageCc", self.tr("Cc"), ", ".join(draft.cc))
        self.bcc_edit = self._line("newMessageBcc", self.tr("Bcc"), ", ".join(draft.bcc))
        self.subject_edit = self._line("newMessageSubject", self.tr("Subject"), draft.subject)
        self._in_reply_to = draft.in_reply_to
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("newMessageBody")
        self.body.setAccessibleName(self.tr("Message text"))
        self.body.setPlainText(draft.body)
        self._escape_armed = False
        self.body.textChanged.connect(self._disarm)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setToolTip(self.tr("Send the message (Ctrl+Enter)"))
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.discard_button = QPushButton(self.tr("&Discard"), self)
        self.discard_button.setToolTip(self.tr("Close without sending"))
        self.discard_button.clicked.connect(self.reject)
        self.status = QLabel(self)
        self.status.setObjectName("newMessageStatus")
        self.status.setWordWrap(True)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.send)
        form = QFormLayout()
        form.addRow(self.tr("From:"), self.from_box)
        form.addRow(self.tr("To:"), self.to_edit)
        form.addRow(self.tr("Cc:"), self.cc_edit)
        form.addRow(self.tr("Bcc:"), self.bcc_edit)
        form.addRow(self.tr("Subject:"), self.subject_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addLayout(buttons)
        self.resize(640, 480)
        # The link's text is where the user goes on writing.
        self.body.moveCursor(self.body.textCursor().MoveOperation.End)
        (self.body if draft.to else self.to_edit).setFocus()
        self._load_senders()

    def _line(self, name: str, accessible: str, text: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        return edit

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _load_senders(self) -> None:
        store = self._store

        def read() -> Any:
            from asyncdesk.services.new_message import senders

            return senders(store)

        self.status.setText(self.tr("Preparing…"))
        self._tasks.run_db(
            read, success=self._on_senders, failure=self._on_failed, is_current=self._alive
        )

    def _on_senders(self, found: Any) -> None:
        for sender in found:
            self.from_box.addItem(f"{sender.address} ({sender.account})", sender.account)
        if not found:
            line = self.tr(
                "No email account here can send: add one with an SMTP server in "
                "File ▸ Settings ▸ Accounts."
            )
            self.status.setText(line)
            self.failed.emit(line)
        else:
            self.status.setText("")
        self.send_button.setEnabled(bool(found))
        self.ready.emit()

    def send(self) -> None:
        if self._sending or self.from_box.count() == 0:
            return
        from asyncdesk.services.new_message import draft_from_fields

        try:
            draft = draft_from_fields(
                self.to_edit.text(),
                self.cc_edit.text(),
                self.bcc_edit.text(),
                self.subject_edit.text(),
                self.body.toPlainText(),
                in_reply_to=self._in_reply_to,
            )
        except AsyncDeskError as error:
            self._on_failed(error)
            return
        self._sending = True
        self._set_editable(False)
        self.status.setText(self.tr("Sending…"))
        store, clock, tasks = self._store, self._clock, self._tasks
        account = str(self.from_box.currentData())

        def queue() -> Any:
            from asyncdesk.services.new_message import queue_new

            return queue_new(store, clock, account, draft)

        def queued(item: Any) -> None:
            def send() -> Any:
                from asyncdesk.services.accounts import profile_secrets
                from asyncdesk.services.reply import send_queued

                return send_queued(store, clock, profile_secrets(store), item)

            self._done = True  # in the outbox now: it goes out even if this window closes
            tasks.run_net(
                send, success=self._on_sent, failure=self._on_failed, is_current=self._alive
            )

        tasks.run_db(queue, success=queued, failure=self._on_failed, is_current=self._alive)

    def _set_editable(self, editable: bool) -> None:
        for edit in (self.to_edit, self.cc_edit, self.bcc_edit, self.subject_edit):
            edit.setReadOnly(not editable)
        self.body.setReadOnly(not editable)
        self.from_box.setEnabled(editable)
        self.send_button.setEnabled(editable and self.from_box.count() > 0)

    def _on_sent(self, outcome: Any) -> None:
        self._sending = False
        line = str(outcome.describe())
        self.status.setText(line)
        if outcome.ok:
            self.sent.emit(line)
            self.accept()
            return
        self.failed.emit(line)  # queued, not (fully) sent: the line says what happens next

    def _on_failed(self, error: BaseException) -> None:
        self._sending = False
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.status.setText(message)
        if not self._done:
            self._set_editable(True)
        self.failed.emit(message)

    def _disarm(self) -> None:
        self._escape_armed = False

    def keyPressEvent(self, event: Any) -> None:
        # Escape closes, but written text is not thrown away by one stray key.
        if event.key() == Qt.Key.Key_Escape:
            if self.body.document().isModified() and not self._escape_armed and not self._done:
                self._escape_armed = True
                self.status.setText(self.tr("Press Escape again to discard this message."))
                return
            self.close()
            return
        super().keyPressEvent(event)
