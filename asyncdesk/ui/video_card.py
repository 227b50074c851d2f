"""Video messages: a card for each link to recorded video in a message.

A message that links to a Loom, a Zoom recording, YouTube, Vimeo or a plain video file
(core.video_links) shows, above its text, one card per link (at most :data:`MAX_CARDS`):
"Video message · YouTube · <title or address>" and **Open**, which hands the link to
the system's browser (never played inside).

Where the service gives a still picture without any script or cookie (YouTube, Vimeo,
Loom: see core.video_links), the card keeps a placeholder instead of it, saying who
would learn of the load — "loading it tells youtube.com you opened this message" — with
**Load preview** (this card, once) and **Always load previews from YouTube** (a setting
per service, off by default; while it is on, that service's previews load as the
message is shown). Nothing is asked of the network before one of the two: the
message's own HTML stays under services.safe_html, this is the only way a video's
picture is loaded.

The picture is fetched on the network pool (services.video_thumbnails: quiet requests,
checked pictures, kept in the profile's cache) and the setting is read and written on
the database worker; a failure leaves "Preview unavailable" with the reason as tooltip.

Threading contract: GUI thread only; tasks get the store and values as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.video_links import PreviewSource, preview_source, recording_kind
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

MAX_CARDS = 3
PREVIEW_WIDTH = 192
PREVIEW_HEIGHT = 108
_LINK_CHARS = 70
_SERVICES = {"loom": "Loom", "zoom": "Zoom", "youtube": "YouTube", "vimeo": "Vimeo"}


def _shortened(link: str) -> str:
    """A long address cut in the middle, so the card stays one line."""
    if len(link) <= _LINK_CHARS:
        return link
    half = (_LINK_CHARS - 1) // 2
    return f"{link[:half]}…{link[-half:]}"


class VideoCard(QFrame):
    """One video link (see the module docstring). Its owner (:class:`VideoCards`) does
    the loading; the card shows states and reports clicks.

    Signals (GUI thread): ``load_requested()`` Load preview was clicked;
    ``always_toggled(bool)`` the Always box was changed by the user;
    ``open_requested(str)`` Open was clicked, with the link.
    """

    load_requested = Signal()
    always_toggled = Signal(bool)
    open_requested = Signal(str)

    def __init__(self, link: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.link = link
        self.source: PreviewSource | None = preview_source(link)
        self.kind = recording_kind(link) or "video"
        self.title = QLabel(self)
        self.title.setObjectName("videoCardTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setToolTip(link)
        self.show_title(None)
        self.open_button = QPushButton(self.tr("&Open"), self)
        self.open_button.setToolTip(self.tr("Open the video in your browser"))
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(lambda: self.open_requested.emit(self.link))
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.open_button)
        # The picture (once loaded) on the left; the words and buttons beside it.
        text = QVBoxLayout()
        text.addLayout(heading)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.picture = QLabel(self)
        self.picture.setObjectName("videoPreview")
        self.picture.setFixedSize(PREVIEW_WIDTH, PREVIEW_HEIGHT)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.hide()
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("videoPreviewPlaceholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.load_button = QPushButton(self.tr("&Load preview"), self)
        self.load_button.setAutoDefault(False)
        self.load_button.clicked.connect(self.load_requested)
        self.always_box = QCheckBox(self)
        self.always_box.toggled.connect(self.always_toggled)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        if self.source is None:
            for widget in (self.placeholder, self.load_button, self.always_box):
                widget.hide()
            return
        service = _SERVICES[self.source.service]
        self.placeholder.setText(
            self.tr("Preview not loaded — loading it tells {site} you opened this message").format(
                site=self.source.site
            )
        )
        self.load_button.setToolTip(
            self.tr("Load this video's picture from {service}").format(service=service)
        )
        self.always_box.setText(
            self.tr("Always load previews from {service}").format(service=service)
        )
        self.always_box.setToolTip(
            self.tr("Load {service}'s previews as messages are shown, without asking").format(
                service=service
            )
        )
        asking = QHBoxLayout()
        asking.addWidget(self.placeholder, 1)
        asking.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignVCenter)
        text.addLayout(asking)
        text.addWidget(self.always_box)
        text.addStretch(1)

    @property
    def service_name(self) -> str:
        return _SERVICES.get(self.kind) or self.tr("video file")

    def show_title(self, title: str | None) -> None:
        self.title.setText(
            self.tr("Video message · {service} · {title}").format(
                service=self.service_name, title=title or _shortened(self.link)
            )
        )

    def set_always(self, on: bool) -> None:
        """Show the remembered setting (not a user's change: nothing is emitted)."""
        self.always_box.blockSignals(True)
        self.always_box.setChecked(on)
        self.always_box.blockSignals(False)

    def show_loading(self) -> None:
        self.load_button.setEnabled(False)
        self.placeholder.setText(self.tr("Loading the preview…"))

    def show_preview(self, image: bytes, title: str | None) -> bool:
        """Show the fetched picture (and title); ``False`` if it cannot be drawn."""
        pixmap = QPixmap()
        if not pixmap.loadFromData(image):
            self.show_unavailable(self.tr("The picture could not be read."))
            return False
        fitted = pixmap.scaled(
            PREVIEW_WIDTH,
            PREVIEW_HEIGHT,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.picture.setFixedSize(fitted.size())
        self.picture.setPixmap(fitted)
        self.picture.setAccessibleName(self.tr("Video preview"))
        self.picture.show()
        self.placeholder.hide()
        self.load_button.hide()
        if title:
            self.show_title(title)
        return True

    def show_unavailable(self, reason: str) -> None:
        self.placeholder.setText(self.tr("Preview unavailable"))
        self.placeholder.setToolTip(reason)
        self.load_button.setEnabled(True)
        self.load_button.setText(self.tr("Try &again"))

    @property
    def preview_loaded(self) -> bool:
        return self.picture.isVisibleTo(self)


class VideoCards(QWidget):
    """The video cards of one message (see the module docstring).

    ``bases`` (a services.video_thumbnails.PreviewBases) points the services at other
    addresses (tests); ``open_link`` is how a link reaches the browser (tests replace
    it). Signals (GUI thread): ``preview_loaded(str)`` a card shows its picture, with
    its link; ``preview_failed(str)`` one line.
    """

    preview_loaded = Signal(str)
    preview_failed = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoCards")
        self._tasks = tasks
        self._store: Store | None = None
        self._generation = 0
        self.cards: list[VideoCard] = []
        self.bases: Any = None
        self.open_link: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.hide()

    def set_store(self, store: Store | None) -> None:
        self._store = store
        self.show_links([])

    def show_links(self, links: list[str]) -> None:
        """Replace the cards by one per link (at most :data:`MAX_CARDS`); load the
        previews of services the user said to always load."""
        self._generation += 1
        for card in self.cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for link in links[:MAX_CARDS]:
            card = VideoCard(link, self)
            card.load_requested.connect(lambda card=card: self.load(card))
            card.always_toggled.connect(lambda on, card=card: self._remember(card, on))
            card.open_requested.connect(lambda link: self.open_link(QUrl(link)))
            self._layout.addWidget(card)
            self.cards.append(card)
        self.setVisible(bool(self.cards))
        services = sorted({c.source.service for c in self.cards if c.source is not None})
        store = self._store
        if store is None or not services:
            return
        generation = self._generation

        def read() -> dict[str, bool]:
            from asyncdesk.services.video_thumbnails import always_load

            return {service: always_load(store, service) for service in services}

        self._tasks.run_db(
            read,
            success=self._apply_always,
            failure=self._on_setting_failed,
            is_current=lambda: generation == self._generation,
        )

    def _apply_always(self, always: dict[str, bool]) -> None:
        for card in self.cards:
            if card.source is not None and always.get(card.source.service):
                card.set_always(True)
                self.load(card)

    def load(self, card: VideoCard) -> None:
        """Fetch ``card``'s preview (the user's choice, or their standing "always")."""
        store = self._store
        if store is None or card.source is None or card.preview_loaded:
            return
        from asyncdesk.services.video_thumbnails import preview_cache_dir

        link, bases, cache = card.link, self.bases, preview_cache_dir(store.paths.root)
        generation = self._generation
        card.show_loading()

        def fetch() -> Any:
            from asyncdesk.services.video_thumbnails import load_preview

            return load_preview(link, cache, bases)

        def shown(preview: Any) -> None:
            if card.show_preview(preview.image, preview.title):
                self.preview_loaded.emit(link)

        def failed(error: BaseException) -> None:
            reason = error.message if isinstance(error, AsyncDeskError) else str(error)
            log.info("a video preview was not loaded: %s", reason)
            card.show_unavailable(reason)
            self.preview_failed.emit(reason)

        self._tasks.run_net(
            fetch, success=shown, failure=failed, is_current=lambda: generation == self._generation
        )

    def _remember(self, card: VideoCard, on: bool) -> None:
        store, source = self._store, card.source
        if store is None or source is None:
            return
        service = source.service
        for other in self.cards:
            if other is not card and other.source is not None and other.source.service == service:
                other.set_always(on)

        def write() -> None:
            from asyncdesk.services.video_thumbnails import set_always_load

            set_always_load(store, service, on)

        self._tasks.run_db(write, failure=self._on_setting_failed)
        if on:
            for other in self.cards:
                if other.source is not None and other.source.service == service:
                    self.load(other)

    def _on_setting_failed(self, error: BaseException) -> None:
        reason = error.message if isinstance(error, AsyncDeskError) else str(error)
        self.preview_failed.emit(reason)
