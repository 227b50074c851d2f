"""Compose a reply to an email (R) or to all (A), sent in the background.

A window of its own, over the inbox: To, Cc and Subject as the reply will carry them
(services.reply.preview_reply), the body, and **Send** (Ctrl+Enter). The draft is
saved as it is typed (services.drafts, a second after the last key, off the GUI
thread) and comes back if the app was closed or crashed before it was sent.

Sending: the reply is composed and queued in the outbox with its copy on the database
worker (``queue_reply``), then sent on the network pool (``send_queued``: SMTP, then
the copy filed in Sent). The window shows "Sending…"; a failure is one line and
the window stays open with the text (the reply is in the outbox, in the state the line
names, and is not sent twice).

Saved answers (ui.answers_picker): **Insert answer…** (Ctrl+Shift+I) picks one and
inserts its text at the cursor, one step for Ctrl+Z; **Save as answer…**
(Ctrl+Shift+A) keeps the text typed so far as an answer, with a title and tags.

Attachments: **Attach file…** (or :meth:`ComposeWindow.add_attachment`, which the
triage actions use for an office-hours invitation and the recorder for a video) lists
each file under the text; Delete or **Remove** takes the selected one off. A file is
read when the reply is queued (on the database worker), so a large recording never
blocks the window; the composed message, attachments and all, is what the outbox keeps,
sends and files in Sent. Attachments are not part of the saved draft.

Chat messages are answered in the chat view instead (ui.chat_view).

Threading contract: GUI thread only; tasks get the store, secrets and values as
arguments.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.answers import Answer
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.store.database import Store
from asyncdesk.ui.answers_picker import AnswerPicker, SaveAnswerDialog, reply_subject_title
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

DRAFT_SAVE_MS = 1000
# The reading task's word for "this email account has no SMTP server".
NO_SMTP = "no-smtp"
# ... and for "a message of the demo, which nobody can answer".
DEMO = "demo"
INSERT_ANSWER_KEY = "Ctrl+Shift+I"
SAVE_ANSWER_KEY = "Ctrl+Shift+A"


class ComposeWindow(QDialog):
    """A reply being written (see the module docstring).

    Signals (GUI thread): ``ready()`` the header (and any saved draft) is shown;
    ``sent(str)`` the one-line outcome, the window then closes; ``failed(str)``;
    ``draft_saved()``; ``answer_inserted()`` a saved answer's text is in the body;
    ``attachments_changed()`` a file was attached or removed.
    """

    ready = Signal()
    sent = Signal(str)
    failed = Signal(str)
    draft_saved = Signal()
    answer_inserted = Signal()
    attachments_changed = Signal()

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        store: Store,
        profile_root: Path,
        message_pk: int,
        *,
        reply_all: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composeWindow")
        self.setWindowTitle(self.tr("Reply to all") if reply_all else self.tr("Reply"))
        self.setModal(False)
        self._tasks = tasks
        self._clock = clock
        self._store = store
        self._root = profile_root
        self.message_pk = message_pk
        self.reply_all = reply_all
        self._target: Any = None
        self._secrets: Any = None
        self._sending = False
        self._sent = False
        self._ready = False
        self._initial = ""
        self.to_label = QLabel(self)
        self.to_label.setObjectName("composeTo")
        self.to_label.setWordWrap(True)
        self.cc_label = QLabel(self)
        self.cc_label.setObjectName("composeCc")
        self.cc_label.setWordWrap(True)
        self.subject_label = QLabel(self)
        self.subject_label.setObjectName("composeSubject")
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("composeBody")
        self.body.setAccessibleName(self.tr("Reply text"))
        self.body.setEnabled(False)
        self.body.textChanged.connect(self._schedule_save)
        self.send_button = QPushButton(self.tr("&Send"), self)
        self.send_button.setToolTip(self.tr("Send the reply (Ctrl+Enter)"))
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.discard_button = QPushButton(self.tr("&Discard"), self)
        self.discard_button.setToolTip(self.tr("Close and delete the draft"))
        self.discard_button.clicked.connect(self.discard)
        self.insert_answer_button = QPushButton(self.tr("&Insert answer…"), self)
        self.insert_answer_button.setObjectName("insertAnswerButton")
        self.insert_answer_button.setToolTip(
            self.tr("Insert a saved answer at the cursor (Ctrl+Shift+I)")
        )
        self.insert_answer_button.setEnabled(False)
        self.insert_answer_button.setAutoDefault(False)
        self.insert_answer_button.clicked.connect(self.open_answer_picker)
        self.save_answer_button = QPushButton(self.tr("Save as a&nswer…"), self)
        self.save_answer_button.setObjectName("saveAnswerButton")
        self.save_answer_button.setToolTip(
            self.tr("Keep this text as a saved answer, with tags (Ctrl+Shift+A)")
        )
        self.save_answer_button.setEnabled(False)
        self.save_answer_button.setAutoDefault(False)
        self.save_answer_button.clicked.connect(self.save_as_answer)
        self._attachments: list[Path | OutgoingAttachment] = []
        self.attachment_list = QListWidget(self)
        self.attachment_list.setObjectName("composeAttachments")
        self.attachment_list.setAccessibleName(self.tr("Attached files"))
        self.attachment_list.setToolTip(self.tr("Files sent with the reply (Delete removes one)"))
        # Two files show without scrolling; more scroll.
        self.attachment_list.setMaximumHeight(self.fontMetrics().height() * 2 + 14)
        self.attachment_list.setVisible(False)
        self.attachment_list.currentRowChanged.connect(self._update_remove)
        self.attach_button = QPushButton(self.tr("A&ttach file…"), self)
        self.attach_button.setObjectName("attachFileButton")
        self.attach_button.setToolTip(self.tr("Send a file with the reply"))
        self.attach_button.setAutoDefault(False)
        self.attach_button.clicked.connect(self.choose_files)
        # A short screen or camera recording, attached when done (ui.video_recorder).
        self.record_button = QPushButton(self.tr("Record &video…"), self)
        self.record_button.setObjectName("recordVideoButton")
        self.record_button.setToolTip(self.tr("Record a short screen or camera video to send"))
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.record_video)
        self.remove_attachment_button = QPushButton(self.tr("&Remove"), self)
        self.remove_attachment_button.setObjectName("removeAttachmentButton")
        self.remove_attachment_button.setToolTip(self.tr("Take the selected file off the reply"))
        self.remove_attachment_button.setAutoDefault(False)
        self.remove_attachment_button.setVisible(False)
        self.remove_attachment_button.clicked.connect(self.remove_selected_attachment)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.attachment_list,
            self.remove_selected_attachment,
            Qt.ShortcutContext.WidgetShortcut,
        )
        self.status = QLabel(self)
        self.status.setObjectName("composeStatus")
        self.status.setWordWrap(True)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.send)
        QShortcut(QKeySequence(INSERT_ANSWER_KEY), self, self.open_answer_picker)
        QShortcut(QKeySequence(SAVE_ANSWER_KEY), self, self.save_as_answer)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(DRAFT_SAVE_MS)
        self._save_timer.timeout.connect(self.save_draft)
        form = QFormLayout()
        form.addRow(self.tr("To:"), self.to_label)
        form.addRow(self.tr("Cc:"), self.cc_label)
        form.addRow(self.tr("Subject:"), self.subject_label)
        attached = QHBoxLayout()
        attached.addWidget(self.attachment_list, 1)
        attached.addWidget(self.remove_attachment_button, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addWidget(self.insert_answer_button)
        buttons.addWidget(self.save_answer_button)
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.record_button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addLayout(attached)
        # A line of its own: with four buttons beside it, a sentence would be a column.
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(720, 480)
        self._prepare()

    def _prepare(self) -> None:
        store, root, pk, reply_all, now = (
            self._store,
            self._root,
            self.message_pk,
            self.reply_all,
            self._clock.now(),
        )

        def read() -> tuple[Any, Any, Any, str | None, str | None]:
            from asyncdesk.services.accounts import account_password, profile_secrets
            from asyncdesk.services.drafts import load_draft
            from asyncdesk.services.reply import check_reply_target, preview_reply
            from asyncdesk.store.outbox import find_reply_target

            with store.reading() as session:
                found = find_reply_target(session, pk)
            preview = None
            if found is not None:
                try:
                    preview = preview_reply(found, reply_all=reply_all, now=now)
                except AsyncDeskError:
                    preview = None
            problem = None
            target = secrets = None
            if (
                found is not None
                and found.account.kind is AccountKind.EMAIL
                and not found.account.config.get("smtp_host")
            ):
                # Said in the window's words (where to set it), not the CLI's.
                return None, None, preview, load_draft(root, pk), NO_SMTP
            if found is not None and found.account.kind is AccountKind.DEMO:
                return None, None, preview, load_draft(root, pk), DEMO
            try:
                target = check_reply_target(store, pk)
                secrets = profile_secrets(store)
                account_password(secrets, target.account)  # say it now, not after typing
            except AsyncDeskError as error:
                problem, target = error.message, None
            return target, secrets, preview, load_draft(root, pk), problem

        self.status.setText(self.tr("Preparing…"))
        self._tasks.run_db(
            read, success=self._on_ready, failure=self._on_failed, is_current=self._alive
        )

    def _on_ready(self, result: tuple[Any, Any, Any, str | None, str | None]) -> None:
        self._target, self._secrets, preview, draft, problem = result
        if preview is not None:
            self.to_label.setText(", ".join(preview.to))
            self.cc_label.setText(", ".join(preview.cc) or "—")
            self.subject_label.setText(preview.subject)
        self.body.blockSignals(True)
        self.body.setPlainText(draft or "")
        self.body.blockSignals(False)
        self._ready = True
        if self._initial:
            self._put_initial()
        # The text can be written (and is kept as a draft) even when it cannot be sent.
        self.body.setEnabled(True)
        self.insert_answer_button.setEnabled(True)
        self.save_answer_button.setEnabled(True)
        self.body.setFocus()
        self.body.moveCursor(self.body.textCursor().MoveOperation.End)
        self.send_button.setEnabled(self._target is not None)
        if problem is NO_SMTP and self._target is None:
            problem = self.tr(
                "This account has no SMTP server to send with: add one in "
                "File ▸ Settings ▸ Accounts (Edit…). The text is kept as a draft."
            )
        elif problem is DEMO and self._target is None:
            problem = self.tr(
                "This is the demo: replies to its made-up people are not sent. "
                "The text is kept as a draft."
            )
        if problem is not None:
            self.status.setText(problem)
            self.failed.emit(problem)
        else:
            self.status.setText(self.tr("Draft restored.") if draft else "")
        self.ready.emit()

    def _schedule_save(self) -> None:
        if not self._sent:
            self._save_timer.start()

    def save_draft(self) -> None:
        """Keep what is typed (off the GUI thread; a file, not the database)."""
        root, pk, text = self._root, self.message_pk, self.body.toPlainText()

        def write() -> None:
            from asyncdesk.services.drafts import save_draft

            save_draft(root, pk, text)

        self._tasks.run_net(write, success=self._on_draft_saved, is_current=self._alive)

    def _alive(self) -> bool:
        """Whether this window still exists (it deletes itself on close, and a save or
        a send may finish after that: its result is then dropped)."""
        return shiboken6.isValid(self)

    def _on_draft_saved(self, _: object) -> None:
        self.draft_saved.emit()

    def send(self) -> None:
        text = self.body.toPlainText()
        if self._sending or self._target is None or not text.strip():
            return
        self._sending = True
        self._save_timer.stop()
        self.body.setReadOnly(True)
        self.send_button.setEnabled(False)
        self.status.setText(self.tr("Sending…"))
        store, clock, tasks = self._store, self._clock, self._tasks
        target, secrets, reply_all = self._target, self._secrets, self.reply_all
        chosen = list(self._attachments)
        self.attach_button.setEnabled(False)
        self.remove_attachment_button.setEnabled(False)

        def queue() -> Any:
            from asyncdesk.services.reply import attachment_from_file, queue_reply

            files = [
                item if isinstance(item, OutgoingAttachment) else attachment_from_file(item)
                for item in chosen
            ]
            return queue_reply(store, clock, target, text, reply_all=reply_all, attachments=files)

        def queued(item: Any) -> None:
            def send() -> Any:
                from asyncdesk.services.reply import send_queued

                return send_queued(store, clock, secrets, item)

            tasks.run_net(
                send, success=self._on_sent, failure=self._on_failed, is_current=self._alive
            )

        tasks.run_db(queue, success=queued, failure=self._on_failed, is_current=self._alive)

    # -- a text to start from ------------------------------------------------------------

    def set_initial_text(self, text: str) -> None:
        """Start the reply with ``text`` (a triage template): the body when it is empty,
        else below a restored draft, which is never overwritten. Kept as a draft like
        typed text; nothing is sent until the user sends it."""
        if self._sending or self._sent or not text:
            return
        self._initial = text
        if self._ready:
            self._put_initial()

    def _put_initial(self) -> None:
        text, self._initial = self._initial, ""
        current = self.body.toPlainText()
        self.body.setPlainText(f"{current.rstrip()}\n\n{text}" if current.strip() else text)
        self.body.moveCursor(self.body.textCursor().MoveOperation.End)

    # -- attachments ------------------------------------------------------------------

    def add_attachment(self, item: Path | OutgoingAttachment) -> None:
        """Attach a file (read when the reply is queued) or ready bytes (an invitation),
        listed under the text; attaching the same path twice lists it once."""
        if self._sending or self._sent:
            return
        if isinstance(item, Path):
            item = item.expanduser()
            if item in self._attachments:
                return
            name = item.name
            size = item.stat().st_size if item.is_file() else None
        else:
            name, size = item.filename, len(item.data)
        self._attachments.append(item)
        label = name if size is None else f"{name} ({_human_size(size)})"
        entry = QListWidgetItem(label, self.attachment_list)
        entry.setToolTip(str(item) if isinstance(item, Path) else name)
        self.attachment_list.setVisible(True)
        self.remove_attachment_button.setVisible(True)
        self.attachment_list.setCurrentRow(self.attachment_list.count() - 1)
        self.attachments_changed.emit()

    def attachments(self) -> list[Path | OutgoingAttachment]:
        """What will be sent with the reply, in the order attached."""
        return list(self._attachments)

    def remove_attachment(self, row: int) -> None:
        if self._sending or self._sent or not 0 <= row < len(self._attachments):
            return
        del self._attachments[row]
        self.attachment_list.takeItem(row)
        empty = not self._attachments
        self.attachment_list.setVisible(not empty)
        self.remove_attachment_button.setVisible(not empty)
        self._update_remove()
        self.attachments_changed.emit()

    def remove_selected_attachment(self) -> None:
        self.remove_attachment(self.attachment_list.currentRow())

    def _update_remove(self) -> None:
        self.remove_attachment_button.setEnabled(
            not self._sending and self.attachment_list.currentRow() >= 0
        )

    def choose_files(self) -> QFileDialog:
        """Attach file…: pick one or more files (the dialog is returned for tests)."""
        dialog = QFileDialog(self, self.tr("Attach files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self._add_files)
        dialog.open()
        return dialog

    def record_video(self) -> QDialog:
        """Record video…: the recorder, which attaches its file (returned for tests)."""
        from asyncdesk.ui.video_recorder import VideoRecorder

        tasks, clock, store, root = self._tasks, self._clock, self._store, self._root
        dialog = VideoRecorder(tasks, clock, store, root, attach=self.add_attachment, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _add_files(self, paths: list[str]) -> None:
        for path in paths:
            self.add_attachment(Path(path))

    # -- saved answers ----------------------------------------------------------------

    def open_answer_picker(self) -> AnswerPicker | None:
        """Ctrl+Shift+I: choose a saved answer to insert at the cursor."""
        if not self.body.isEnabled() or self.body.isReadOnly():
            return None
        picker = AnswerPicker(self._tasks, self._store, self)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.picked.connect(self.insert_answer)
        picker.open()
        return picker

    def insert_answer(self, answer: Answer) -> None:
        """Put the answer's text at the cursor (over the selection, if any), as one
        step that Ctrl+Z takes back."""
        if self.body.isReadOnly():
            return
        cursor = self.body.textCursor()
        cursor.beginEditBlock()
        cursor.insertText(answer.body)
        cursor.endEditBlock()
        self.body.setTextCursor(cursor)
        self.body.setFocus()
        self.answer_inserted.emit()

    def save_as_answer(self) -> SaveAnswerDialog | None:
        """Ctrl+Shift+A: keep the text typed so far as a saved answer."""
        if not self.body.isEnabled():
            return None
        text = self.body.toPlainText()
        if not text.strip():
            self.status.setText(self.tr("Nothing to save yet: write the answer first."))
            return None
        dialog = SaveAnswerDialog(
            self._tasks,
            self._clock,
            self._store,
            title=reply_subject_title(self.subject_label.text()),
            body=text,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.status.setText)
        dialog.open()
        return dialog

    def _on_sent(self, outcome: Any) -> None:
        self._sending = False
        line = str(outcome.describe())
        if outcome.ok:
            self._sent = True
            root, pk = self._root, self.message_pk

            def forget() -> None:
                from asyncdesk.services.drafts import discard_draft

                discard_draft(root, pk)

            self._tasks.run_net(forget)
            self.status.setText(line)
            self.sent.emit(line)
            self.accept()
            return
        # Queued but not (fully) sent: it stays in the outbox; say so and keep the text.
        self._sent = True
        self.status.setText(line)
        self.failed.emit(line)

    def _on_failed(self, error: BaseException) -> None:
        self._sending = False
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.status.setText(message)
        self.body.setReadOnly(False)
        self.send_button.setEnabled(self._target is not None)
        self.attach_button.setEnabled(True)
        self._update_remove()
        self.failed.emit(message)

    def discard(self) -> None:
        root, pk = self._root, self.message_pk
        self._save_timer.stop()
        self._sent = True  # nothing more to save

        def forget() -> None:
            from asyncdesk.services.drafts import discard_draft

            discard_draft(root, pk)

        self._tasks.run_net(forget)
        self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing keeps the draft (saved now), unless it was sent or discarded."""
        if not self._sent and self._save_timer.isActive():
            self._save_timer.stop()
            self.save_draft()
        super().closeEvent(event)

    def keyPressEvent(self, event: Any) -> None:
        # Escape closes like the window's close button (the draft is kept).
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
