"""Saved answers in the window: pick one to insert into a reply, save one with tags.

:class:`AnswerPicker` is a small dialog over a reply: a search field that searches the
saved answers as it is typed (title, tags and text; the last word may be the start of
a longer one), the newest answers while it is empty, and a preview of the chosen one
with its tags, where it came from, and its recording links each with the line that
explains it. Up and Down move in the list while typing, Enter picks (``picked``),
Escape closes.

:class:`SaveAnswerDialog` asks for a title and tags and saves an answer: the text of a
reply being written, or the text of a stored message (``services.answers.add_answer``).
A bad title or tag is refused in one line before anything goes to the database;
anything the service refuses is one line too, and nothing is written.

Threading contract: GUI thread only. Searches and saves run on the task runner's
database worker with the store and values as arguments; a search superseded by
further typing is dropped when it comes back.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.answers import Answer, check_title, parse_tags
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.messages import Medium
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui.colours import FollowPalette, error_colour, muted
from asyncdesk.ui.tasks import TaskRunner

# Milliseconds after the last key before the search runs (one search per pause).
SEARCH_DELAY_MS = 150
# Answers the list shows at most (newest, or best matches first).
LIST_LIMIT = 200
_TITLE_CHARS = 80
_LIST_SNIPPET_CHARS = 64
# Names of the services a recording is on, as they write them.
_SERVICES = {"loom": "Loom", "zoom": "Zoom", "youtube": "YouTube", "vimeo": "Vimeo"}
_MOVE_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})


def find_answers(store: Store, query: str) -> list[Answer]:
    """Worker: the newest answers for an empty query, else those holding every word
    (the last one may be the start of a word: the user is still typing), best first.
    A query the service would refuse is :class:`BadInput`, as it says."""
    from asyncdesk.core.answers import check_query, query_words
    from asyncdesk.services.answers import iter_answers
    from asyncdesk.store import answers as stored

    if not query.strip():
        found = []
        for answer in iter_answers(store):
            found.append(answer)
            if len(found) >= LIST_LIMIT:
                break
        return found
    words = query_words(check_query(query))
    with store.reading() as session:
        # services.answers.search_answers, with the last word as a prefix.
        return stored.search_answers(session, words, prefix=True, limit=LIST_LIMIT)


def suggested_title(message: StoredMessage) -> str:
    """A title to start from: an email's subject without ``Re:``/``Fwd:``, a chat
    message's first words (its "subject" is only the room)."""
    text = message.subject
    if message.medium == Medium.CHAT.value or not text.strip():
        text = message.snippet
    return reply_subject_title(text)


def reply_subject_title(text: str) -> str:
    """``Re: Re: Fwd: Refunds`` → ``Refunds``, on one line, at most 80 characters."""
    title = " ".join(text.split())
    while True:
        head, _, rest = title.partition(":")
        if rest and head.strip().lower() in ("re", "fw", "fwd", "aw", "wg", "sv", "tr"):
            title = rest.strip()
            continue
        break
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rstrip() + "…"
    return title


class AnswerPicker(QDialog):
    """Search the saved answers and pick one (see the module docstring).

    Signals (GUI thread): ``picked(object)`` the chosen :class:`Answer`, just before
    the dialog closes; ``results_shown()`` the list shows what the last search (or
    the newest answers) found, or the line says why not.
    """

    picked = Signal(object)
    results_shown = Signal()

    def __init__(self, tasks: TaskRunner, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerPicker")
        self.setWindowTitle(self.tr("Insert a saved answer"))
        self._tasks = tasks
        self._store = store
        self._asked = 0  # the number of the search whose answer is wanted
        self.answers: list[Answer] = []
        self.search = QLineEdit(self)
        self.search.setObjectName("answerSearch")
        self.search.setAccessibleName(self.tr("Search saved answers"))
        self.search.setPlaceholderText(self.tr("Type to search titles, tags and text"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._schedule_search)
        self.search.installEventFilter(self)
        self.results = QListWidget(self)
        self.results.setObjectName("answerResults")
        self.results.setAccessibleName(self.tr("Saved answers"))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setSpacing(3)
        self.results.currentRowChanged.connect(self._show_preview)
        self.results.itemDoubleClicked.connect(self._on_double_click)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("answerTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.about_label = QLabel(self)
        self.about_label.setObjectName("answerAbout")
        self.about_label.setTextFormat(Qt.TextFormat.PlainText)
        self.about_label.setWordWrap(True)
        muted(self.about_label)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("answerPreview")
        self.preview.setAccessibleName(self.tr("The answer's text and recordings"))
        self.preview.setOpenExternalLinks(True)
        self.status = QLabel(self)
        self.status.setObjectName("answerPickerStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        muted(self.status)
        self.insert_button = QPushButton(self.tr("&Insert"), self)
        self.insert_button.setToolTip(self.tr("Insert the answer at the cursor (Enter)"))
        self.insert_button.setDefault(True)
        self.insert_button.setEnabled(False)
        self.insert_button.clicked.connect(self.pick)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setToolTip(self.tr("Insert nothing (Esc)"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.title_label)
        side_layout.addWidget(self.about_label)
        side_layout.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        split.addWidget(self.results)
        split.addWidget(side)
        split.setSizes([300, 420])
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.insert_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(760, 460)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.setFocus()
        self.run_search()

    # -- searching ----------------------------------------------------------------------

    def _schedule_search(self) -> None:
        self._timer.start()

    def run_search(self) -> None:
        """Search for what is typed now (the newest answers when nothing is)."""
        self._timer.stop()
        self._asked += 1
        store, query = self._store, self.search.text()
        self._tasks.run_db(
            functools.partial(find_answers, store, query),
            success=functools.partial(self._on_found, self._asked),
            failure=functools.partial(self._on_refused, self._asked),
            is_current=self._alive,
        )

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _on_found(self, asked: int, answers: list[Answer]) -> None:
        if asked != self._asked:
            return  # typed on since: a newer search is on its way
        self._show(answers)
        if answers:
            self.status.setText(self.tr("Enter inserts · Esc closes"))
        elif self.search.text().strip():
            self.status.setText(self.tr("No saved answer holds all of these words."))
        else:
            self.status.setText(
                self.tr(
                    "No saved answers yet: save one with Message ▸ Save as Answer… or from a reply."
                )
            )
        self.results_shown.emit()

    def _on_refused(self, asked: int, error: BaseException) -> None:
        if asked != self._asked:
            return
        self._show([])
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.status.setText(" ".join(message.split()))
        self.results_shown.emit()

    def _show(self, answers: Sequence[Answer]) -> None:
        self.answers = list(answers)
        self.results.clear()
        for answer in self.answers:
            second = ", ".join(answer.tags)
            snippet = " ".join(answer.snippet.split())
            if len(snippet) > _LIST_SNIPPET_CHARS:
                snippet = snippet[: _LIST_SNIPPET_CHARS - 1].rstrip() + "…"
            if snippet:
                second = f"{second} — {snippet}" if second else snippet
            item = QListWidgetItem(f"{answer.title}\n{second}" if second else answer.title)
            item.setToolTip(answer.title)
            self.results.addItem(item)
        if self.answers:
            self.results.setCurrentRow(0)
        else:
            self._show_preview(-1)

    # -- the preview --------------------------------------------------------------------

    def current_answer(self) -> Answer | None:
        row = self.results.currentRow()
        return self.answers[row] if 0 <= row < len(self.answers) else None

    def _show_preview(self, row: int) -> None:
        answer = self.answers[row] if 0 <= row < len(self.answers) else None
        self.insert_button.setEnabled(answer is not None)
        if answer is None:
            self.title_label.clear()
            self.about_label.clear()
            self.preview.clear()
            return
        self.title_label.setText(answer.title)
        about = []
        if answer.tags:
            about.append(self.tr("Tags: {tags}").format(tags=", ".join(answer.tags)))
        if answer.source is not None:
            about.append(
                self.tr("From {sender}, “{subject}”").format(
                    sender=answer.source.sender, subject=answer.source.subject
                )
            )
        self.about_label.setText(" · ".join(about))
        self.preview.setHtml(self._preview_html(answer))

    def _preview_html(self, answer: Answer) -> str:
        parts = [f'<p style="white-space: pre-wrap">{html.escape(answer.body)}</p>']
        if answer.links:
            parts.append(f"<p><b>{html.escape(self.tr('Recordings'))}</b></p><ul>")
            for link in answer.links:
                url = html.escape(link.url, quote=True)
                kind = _SERVICES.get(link.kind) or self.tr("Video")
                # The line that explains the link, without the link itself.
                context = " ".join(link.context.replace(link.url, " ").split()).rstrip(" :–—-")
                about = f"{kind}: {context}" if context else kind
                parts.append(
                    f'<li><a href="{url}">{html.escape(link.url)}</a><br>{html.escape(about)}</li>'
                )
            parts.append("</ul>")
        return "".join(parts)

    # -- choosing -----------------------------------------------------------------------

    def pick(self) -> None:
        """Enter / Insert: hand the chosen answer over and close."""
        answer = self.current_answer()
        if answer is None:
            return
        self.picked.emit(answer)
        self.accept()

    def _on_double_click(self, _item: QListWidgetItem) -> None:
        self.pick()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up, Down, Page Up and Page Down move in the list while the search has the
        # focus, so the hands stay on the keys: type, arrow, Enter.
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _MOVE_KEYS
        ):
            QApplication.sendEvent(self.results, event)
            return True
        return super().eventFilter(watched, event)


class SaveAnswerDialog(QDialog):
    """Ask for a title and tags, then save an answer (see the module docstring): with
    ``body`` (a reply's text) or the text of the stored message ``message_pk``.

    Signals (GUI thread): ``saved(str)`` the one-line outcome, the dialog then closes;
    ``refused(str)`` the one line shown for input or a save that was refused (the
    dialog stays open with what was typed).
    """

    saved = Signal(str)
    refused = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        store: Store,
        *,
        title: str,
        body: str | None = None,
        message_pk: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if (body is None) == (message_pk is None):
            raise ValueError("give the body or the message, not both")
        self.setObjectName("saveAnswerDialog")
        self.setWindowTitle(self.tr("Save as answer"))
        self._tasks = tasks
        self._clock = clock
        self._store = store
        self._body = body
        self._message_pk = message_pk
        self._saving = False
        self.title_edit = QLineEdit(title, self)
        self.title_edit.setObjectName("answerTitleEdit")
        self.title_edit.setAccessibleName(self.tr("Title"))
        self.title_edit.selectAll()
        self.tags_edit = QLineEdit(self)
        self.tags_edit.setObjectName("answerTagsEdit")
        self.tags_edit.setAccessibleName(self.tr("Tags"))
        self.tags_edit.setPlaceholderText(self.tr("e.g. billing, faq"))
        self.tags_edit.setToolTip(
            self.tr("Separated by commas: letters a-z, digits, - and _; none is fine")
        )
        note = QLabel(self)
        note.setObjectName("saveAnswerNote")
        note.setWordWrap(True)
        note.setText(
            self.tr("The reply as written now is saved.")
            if body is not None
            else self.tr(
                "The message's text is saved (its preview only, if its body was never "
                "fetched), or its whole thread."
            )
        )
        muted(note)
        self.thread_check = QCheckBox(self.tr("Save the whole t&hread instead"), self)
        self.thread_check.setObjectName("answerWholeThread")
        self.thread_check.setToolTip(
            self.tr(
                "Every message of this conversation, oldest first, each with who wrote it "
                "and when; quoted text and signatures left out"
            )
        )
        self.thread_check.setVisible(message_pk is not None)
        self.error = QLabel(self)
        self.error.setObjectName("saveAnswerError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        FollowPalette(self.error, error_colour)
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setDefault(True)
        self.save_button.setToolTip(self.tr("Save the answer (Enter)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip(self.tr("Save nothing (Esc)"))
        self.cancel_button.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("&Title:"), self.title_edit)
        form.addRow(self.tr("T&ags:"), self.tags_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.thread_check)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())
        self.title_edit.setFocus()

    @classmethod
    def for_message(
        cls,
        tasks: TaskRunner,
        clock: Clock,
        store: Store,
        message: StoredMessage,
        parent: QWidget | None = None,
    ) -> SaveAnswerDialog:
        """The dialog for saving a stored message (email or chat) as an answer."""
        return cls(
            tasks,
            clock,
            store,
            title=suggested_title(message),
            message_pk=message.id,
            parent=parent,
        )

    def _field_problem(self, message: str) -> str:
        """The core's words for a bad ``--title``/``--tags``, said about this dialog's
        fields (one line)."""
        for flag, field in (("--title", self.tr("Title")), ("--tags", self.tr("Tags"))):
            if message.startswith(flag):
                rest = message.removeprefix(flag).lstrip(": ")
                return self.tr("{field}: {problem}").format(field=field, problem=rest)
        return message

    def _refuse(self, message: str) -> None:
        line = " ".join(message.split())
        self.error.setText(line)
        self.error.setToolTip(line)
        self.refused.emit(line)

    def save(self) -> None:
        """Check the fields (here, at once), then save on the database worker."""
        if self._saving:
            return
        tags_text = self.tags_edit.text()
        try:
            title = check_title(self.title_edit.text())
            parse_tags(tags_text if tags_text.strip() else None)
        except BadInput as error:
            self._refuse(self._field_problem(error.message))
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.clear()
        store, clock, body, pk = self._store, self._clock, self._body, self._message_pk
        tags = tags_text if tags_text.strip() else None
        whole_thread = pk is not None and self.thread_check.isChecked()

        def add() -> object:
            from asyncdesk.services.answers import add_answer

            return add_answer(
                store,
                clock,
                title=title,
                tags=tags,
                body=body,
                from_message=pk,
                whole_thread=whole_thread,
            )

        self._done_line = self.tr("Saved the answer “{title}”.").format(title=title)
        self._tasks.run_db(
            add, success=self._on_saved, failure=self._on_failed, is_current=self._alive
        )

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _on_saved(self, _saved: object) -> None:
        self._saving = False
        self.saved.emit(self._done_line)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self._refuse(self._field_problem(message))
