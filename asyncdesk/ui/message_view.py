"""The message view: one email, shown so that it cannot reach the network on its own.

Opened from the inbox (Enter or double-click on an email). Its body comes from the
profile, or is fetched from the server the first time (services.bodies: read the plan
on the database worker, fetch on the network pool, keep it on the database worker).

What is shown: the plain-text part when the message has one (the safer, calmer
version; **Show HTML** switches), else the HTML cleaned by services.safe_html. Remote
images are blocked; a bar says how many, and **Load images** (this message only, the
user's choice) fetches them on the network pool and shows them. The text browser adds
a second lock: it loads no resource but ``data:`` and the images the user asked for,
and a click on a link opens it in the system's browser, never inside.

**Attachments…** (on request) fetches the message once, never marking it read, and
lists its files (services.attachments); **Save…** writes the chosen one into a folder
the user picks, never over an existing file.

Video messages (ui.video_card): each link to recorded video in the message gets a card
above the text, with **Open** and, where the service has a picture to offer, a preview
loaded only on the user's word.

Threading contract: GUI thread only; tasks get the store, secrets and values as
arguments and touch nothing here.
"""

from __future__ import annotations

import html
import logging
import urllib.request
from collections.abc import Callable
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.video_links import video_links
from asyncdesk.services.bodies import FetchPlan, MessageBody
from asyncdesk.services.safe_html import SafeHtml, sanitize
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.video_card import VideoCards

log = logging.getLogger(__name__)

# The most one remote image may weigh when the user loads them.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TIMEOUT = 10.0
_LINK_SCHEMES = {"http", "https", "mailto"}


class SafeBrowser(QTextBrowser):
    """A text browser that loads nothing it was not given (see the module docstring)."""

    link_opened = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._open_outside)
        self.allowed: dict[str, QImage] = {}
        self.refused: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        link = name if isinstance(name, QUrl) else QUrl(name)
        url = link.toString()
        if url in self.allowed:
            return self.allowed[url]
        if link.scheme() == "data":
            return super().loadResource(type, link)
        self.refused.append(url)
        return None

    def _open_outside(self, url: QUrl) -> None:
        if url.scheme().lower() in _LINK_SCHEMES:
            QDesktopServices.openUrl(url)
            self.link_opened.emit(url)


def fetch_images(urls: list[str]) -> dict[str, bytes]:
    """The images the user asked for (network only): ``http``/``https``, size-capped;
    an image that fails is left out."""
    fetched: dict[str, bytes] = {}
    for url in urls:
        if not url.lower().startswith(("https://", "http://")):
            continue
        request = urllib.request.Request(url, headers={"User-Agent": "AsyncDesk"})
        try:
            with urllib.request.urlopen(request, timeout=IMAGE_TIMEOUT) as answer:
                data = answer.read(IMAGE_MAX_BYTES + 1)
        except (OSError, ValueError) as error:
            log.info("an image of a message could not be loaded: %s", error)
            continue
        if len(data) <= IMAGE_MAX_BYTES:
            fetched[url] = data
    return fetched


class MessageView(QWidget):
    """One email (see the module docstring).

    Signals (GUI thread): ``shown(int)`` the message with this id is shown;
    ``failed(str)`` one line; ``images_loaded(int)`` how many remote images came.
    """

    shown = Signal(int)
    failed = Signal(str)
    images_loaded = Signal(int)
    attachments_shown = Signal(int)
    attachment_saved = Signal(str)

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._zone: tzinfo = UTC
        self._message: StoredMessage | None = None
        self._body: MessageBody | None = None
        self._safe: SafeHtml | None = None
        self._showing_html = False
        self._images_allowed = False
        self._generation = 0
        self.header = QLabel(self)
        self.header.setObjectName("messageHeader")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What the message is (ui.triage_actions): "Meeting request — T asks for the topic…"
        self.labels_line = QLabel(self)
        self.labels_line.setObjectName("messageLabels")
        self.labels_line.setWordWrap(True)
        self.labels_line.hide()
        self.images_bar = QFrame(self)
        self.images_bar.setObjectName("remoteImagesBar")
        self.images_bar.setAutoFillBackground(True)
        self.images_bar.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.images_label = QLabel(self.images_bar)
        self.load_images_button = QPushButton(self.tr("Load &images"), self.images_bar)
        self.load_images_button.setToolTip(
            self.tr("Fetch this message's remote images: the sender may learn you opened it")
        )
        self.load_images_button.clicked.connect(self.load_images)
        bar = QHBoxLayout(self.images_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.images_label, 1)
        bar.addWidget(self.load_images_button)
        self.images_bar.hide()
        self.video_cards = VideoCards(tasks, self)
        # Attachments, on request: listing fetches the message (never marking it read).
        self.attachments_button = QPushButton(self.tr("A&ttachments…"), self)
        self.attachments_button.setToolTip(self.tr("List this message's attachments, to save them"))
        self.attachments_button.clicked.connect(self.list_attachments)
        self.attachments_button.hide()
        self.attachments_list = QListWidget(self)
        self.attachments_list.setObjectName("attachments")
        self.attachments_list.setAccessibleName(self.tr("Attachments"))
        self.attachments_list.setMaximumHeight(96)
        self.attachments_list.itemActivated.connect(self._on_attachment_activated)
        self.attachments_list.hide()
        self.save_button = QPushButton(self.tr("&Save…"), self)
        self.save_button.setToolTip(self.tr("Save the chosen attachment to a folder"))
        self.save_button.clicked.connect(self.save_selected)
        self.save_button.hide()
        # Where :meth:`save_selected` asks for a folder (replaced in tests).
        self.ask_folder: Callable[[], Path | None] = self._ask_folder
        self._attachments: Any = None
        self.html_button = QPushButton(self.tr("Show &HTML"), self)
        self.html_button.setCheckable(True)
        self.html_button.toggled.connect(self._on_html_toggled)
        self.html_button.hide()
        self.browser = SafeBrowser(self)
        self.browser.setObjectName("messageBody")
        self.browser.setAccessibleName(self.tr("Message"))
        self.status = QLabel(self)
        self.status.setObjectName("messageStatus")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.attachments_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.html_button, 0, Qt.AlignmentFlag.AlignTop)
        files = QHBoxLayout()
        files.addWidget(self.attachments_list, 1)
        files.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.labels_line)
        layout.addLayout(files)
        layout.addWidget(self.images_bar)
        layout.addWidget(self.video_cards)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.status)

    @property
    def body(self) -> MessageBody | None:
        return self._body

    def set_store(self, store: Store | None, zone: tzinfo = UTC) -> None:
        self._store = store
        self._zone = zone
        self._generation += 1
        self._message = self._body = None
        self.browser.clear()
        self.header.clear()
        self.images_bar.hide()
        self.video_cards.set_store(store)

    def open_message(self, message: StoredMessage) -> None:
        """Show ``message``: its stored body, or fetched from the server first."""
        store = self._store
        if store is None:
            return
        self._message = message
        self._body = None
        self._safe = None
        self._images_allowed = False
        self.browser.allowed = {}
        self._generation += 1
        generation = self._generation
        self._show_header(message)
        self.set_labels(())
        self.browser.setPlainText("")
        self.images_bar.hide()
        self.video_cards.show_links([])
        self.html_button.hide()
        self._attachments = None
        self.attachments_list.clear()
        self.attachments_list.hide()
        self.save_button.hide()
        self.attachments_button.setVisible(message.medium == "email")
        self.attachments_button.setEnabled(True)
        self.status.setText(self.tr("Opening…"))
        clock, tasks = self._clock, self._tasks

        def is_current() -> bool:
            return generation == self._generation

        def read() -> tuple[MessageBody | FetchPlan, Any]:
            from asyncdesk.services.accounts import profile_secrets
            from asyncdesk.services.bodies import body_or_plan

            found = body_or_plan(store, message.id)
            return found, None if isinstance(found, MessageBody) else profile_secrets(store)

        def planned(result: tuple[MessageBody | FetchPlan, Any]) -> None:
            found, secrets = result
            if isinstance(found, MessageBody):
                self._show_body(found)
                return
            self.status.setText(self.tr("Fetching the message from the server…"))

            def fetch() -> tuple[str, str | None]:
                from asyncdesk.services.bodies import fetch_planned

                return fetch_planned(found, secrets)

            def keep(fetched: tuple[str, str | None]) -> None:
                from asyncdesk.services.bodies import save_fetched

                text, html_text = fetched
                tasks.run_db(
                    lambda: save_fetched(store, clock, found, text, html_text),
                    success=self._show_body,
                    failure=self._on_failed,
                    is_current=is_current,
                )

            tasks.run_net(fetch, success=keep, failure=self._on_failed, is_current=is_current)

        tasks.run_db(read, success=planned, failure=self._on_failed, is_current=is_current)

    @property
    def message_id(self) -> int | None:
        """The id of the message shown (None before any)."""
        return None if self._message is None else self._message.id

    def set_labels(self, labels: tuple[str, ...]) -> None:
        """Name what the open message is and the keys for it (none: the line hides)."""
        from asyncdesk.ui.triage_actions import label_headline

        line = label_headline(labels)
        self.labels_line.setText(line)
        self.labels_line.setVisible(bool(line))

    def _show_header(self, message: StoredMessage) -> None:
        when = message.received_at.astimezone(self._zone).strftime("%a %d %b %Y %H:%M")
        sender = html.escape(message.sender_name or message.sender_address)
        address = html.escape(message.sender_address)
        subject = message.subject or self.tr("(no subject)")
        self.header.setText(
            self.tr("<b>{subject}</b><br>{sender} &lt;{address}&gt; · {when}").format(
                subject=html.escape(subject),
                sender=sender,
                address=address,
                when=html.escape(when),
            )
        )

    def _show_body(self, body: MessageBody) -> None:
        self._body = body
        self._showing_html = not body.text.strip() and body.html is not None
        self.html_button.blockSignals(True)
        self.html_button.setChecked(self._showing_html)
        self.html_button.blockSignals(False)
        self.html_button.setVisible(body.html is not None and bool(body.text.strip()))
        self._render()
        # The HTML's links as written in its attributes (&amp; read as &), after the text's.
        self.video_cards.show_links(video_links(body.text + "\n" + html.unescape(body.html or "")))
        self.status.setText("")
        self.shown.emit(body.message_pk)

    def _render(self) -> None:
        body = self._body
        if body is None:
            return
        if self._showing_html and body.html is not None:
            safe = sanitize(body.html, allow_remote_images=self._images_allowed)
            self._safe = safe
            document = QTextDocument(self.browser)
            for url, image in self.browser.allowed.items():
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
            self.browser.setDocument(document)
            self.browser.setHtml(safe.html)
            blocked = safe.blocked and not self._images_allowed
            # One message for exactly one image keeps today's English; the plural
            # source (numerus, %n) gives translators every plural form of theirs.
            if safe.blocked == 1:
                images = self.tr(
                    "1 remote image blocked, so the sender cannot tell you opened this message."
                )
            else:
                images = self.tr(
                    "%n remote images blocked, so the sender cannot tell you opened this message.",
                    "",
                    safe.blocked,
                )
            self.images_label.setText(images)
            self.images_bar.setVisible(bool(blocked))
        else:
            self._safe = None
            self.browser.setPlainText(body.text)
            self.images_bar.hide()

    def _on_html_toggled(self, checked: bool) -> None:
        self._showing_html = checked
        self._render()

    def load_images(self) -> None:
        """The user's choice: fetch this message's remote images and show them."""
        safe = self._safe
        if safe is None or not safe.remote_images:
            return
        urls = list(safe.remote_images)
        generation = self._generation
        self.load_images_button.setEnabled(False)
        self.status.setText(self.tr("Loading images…"))

        def loaded(found: dict[str, bytes]) -> None:
            self.load_images_button.setEnabled(True)
            for url, data in found.items():
                image = QImage.fromData(data)
                if not image.isNull():
                    self.browser.allowed[url] = image
            self._images_allowed = True
            self._render()
            self.status.setText(
                self.tr("Loaded {loaded} of %n images.", "", len(urls)).format(loaded=len(found))
            )
            self.images_loaded.emit(len(found))

        self._tasks.run_net(
            lambda: fetch_images(urls),
            success=loaded,
            failure=self._on_failed,
            is_current=lambda: generation == self._generation,
        )

    # -- attachments --------------------------------------------------------------------

    def list_attachments(self) -> None:
        """Fetch the message (plan on the database worker, fetch on the pool) and list
        its files; the message stays unread on the server."""
        store, message = self._store, self._message
        if store is None or message is None:
            return
        self.attachments_button.setEnabled(False)
        self.status.setText(self.tr("Looking for attachments…"))
        generation, tasks = self._generation, self._tasks

        def is_current() -> bool:
            return generation == self._generation

        def plan() -> tuple[Any, Any]:
            from asyncdesk.services.accounts import profile_secrets
            from asyncdesk.services.attachments import attachment_plan

            return attachment_plan(store, message.id), profile_secrets(store)

        def planned(result: tuple[Any, Any]) -> None:
            found, secrets = result

            def fetch() -> Any:
                from asyncdesk.services.attachments import fetch_attachments

                return fetch_attachments(found, secrets)

            tasks.run_net(
                fetch, success=self._show_attachments, failure=self._on_failed,
                is_current=is_current,
            )  # fmt: skip

        tasks.run_db(plan, success=planned, failure=self._on_failed, is_current=is_current)

    def _show_attachments(self, fetched: Any) -> None:
        self._attachments = fetched
        self.attachments_list.clear()
        for attachment in fetched.files:
            size = self._size_text(attachment.size)
            text = self.tr("{filename}  ·  {size}").format(filename=attachment.filename, size=size)
            item = QListWidgetItem(text, self.attachments_list)
            item.setData(Qt.ItemDataRole.UserRole, attachment.part)
            if attachment.note:
                item.setToolTip(attachment.note)
        count = len(fetched.files)
        self.attachments_list.setVisible(count > 0)
        self.save_button.setVisible(count > 0)
        if count:
            self.attachments_list.setCurrentRow(0)
        self.attachments_button.setEnabled(True)
        if count == 1:
            found = self.tr("1 attachment.")
        elif count:
            found = self.tr("%n attachments.", "", count)
        else:
            found = self.tr("No attachments.")
        self.status.setText(found)
        self.attachments_shown.emit(count)

    def _size_text(self, size: int) -> str:
        if size >= 1024 * 1024:
            return self.tr("{size} MB").format(size=f"{size / (1024 * 1024):.1f}")
        if size >= 1024:
            return self.tr("{size} KB").format(size=f"{size / 1024:.0f}")
        return self.tr("%n bytes", "", size)

    def _on_attachment_activated(self, _: QListWidgetItem) -> None:
        self.save_selected()

    def _ask_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Save the attachment in"), str(Path.home())
        )
        return Path(chosen) if chosen else None

    def save_selected(self) -> None:
        """Save the chosen attachment to a folder the user picks (never overwriting)."""
        fetched, item = self._attachments, self.attachments_list.currentItem()
        if fetched is None or item is None:
            return
        folder = self.ask_folder()
        if folder is None:
            return
        part = str(item.data(Qt.ItemDataRole.UserRole))

        def save() -> Path:
            from asyncdesk.services.attachments import save_attachment

            return save_attachment(fetched, part, folder)

        self.status.setText(self.tr("Saving…"))
        self._tasks.run_net(save, success=self._on_saved, failure=self._on_failed)

    def _on_saved(self, path: Path) -> None:
        self.status.setText(self.tr("Saved {path}").format(path=path))
        self.attachment_saved.emit(str(path))

    def _on_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.status.setText(message)
        self.load_images_button.setEnabled(True)
        self.attachments_button.setEnabled(True)
        self.failed.emit(message)
