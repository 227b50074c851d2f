"""Video messages in the window: a message linking to a video shows a card for it, and
nothing reaches the video's service until the user asks.

A local HTTP server (pytest-httpserver on 127.0.0.1) plays YouTube's picture host and
Vimeo's oEmbed; the message view's cards are pointed at it. Opening the message must send
it zero requests; **Load preview** fetches exactly that one picture; **Always load
previews from YouTube** is remembered in the profile and loads them from then on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import open_subject
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QImage
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.services.video_thumbnails import PreviewBases
from asyncdesk.store.accounts import add_account
from asyncdesk.store.bodies import save_body
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import get_setting, set_setting
from asyncdesk.ui.main_window import MainWindow, Page
from asyncdesk.ui.video_card import VideoCard

NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
ME = "me@example.org"
YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"
VIMEO = "https://vimeo.com/123456789"
ZOOM = "https://us02web.zoom.us/rec/share/AbC-dE.xyz"
PICTURE = "/vi/dQw4w9WgXcQ/hqdefault.jpg"


def jpeg(width: int = 480, height: int = 360) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6fdb"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPEG")
    return bytes(data.data())


def email(remote_id: str, subject: str, minutes: int) -> Message:
    return Message(
        remote_id=remote_id,
        direction=Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=f"{remote_id}@mail.example",
        sender=Sender("ann@example.com", "Ann Lee"),
        subject=subject,
        received_at=NOW - timedelta(minutes=minutes),
        to=(ME,),
        message_id=f"{remote_id}@mail.example",
    )


@pytest.fixture
def videos(httpserver_ipv4: HTTPServer) -> HTTPServer:
    httpserver_ipv4.expect_request(PICTURE).respond_with_data(jpeg(), content_type="image/jpeg")
    return httpserver_ipv4


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, videos: HTTPServer) -> Iterator[MainWindow]:
    root = tmp_path / "profile"
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(session, Account("work", AccountKind.EMAIL, (ME,)), NOW)
        assert account.id is not None
        batch = [
            (email("walkthrough", "Roadmap walkthrough", 10), Triage(False)),
            (email("plain", "Lunch", 20), Triage(False)),
        ]
        add_batch(session, account.id, batch, stream="INBOX", cursor="1", now=NOW)
        ids = dict(session.connection().exec_driver_sql("SELECT remote_id, id FROM messages").all())
        text = (
            f"Hi! I recorded the walkthrough instead of a meeting: {YOUTUBE}\n"
            f"The longer cut is on Vimeo ({VIMEO}), and yesterday's call: {ZOOM}\n"
        )
        # The HTML part links the same video, as HTML writes it (&amp;): one card, not two.
        markup = f'<p><a href="{YOUTUBE.replace("&", "&amp;")}">the walkthrough</a></p>'
        save_body(session, ids["walkthrough"], text=text, html=markup, fetched_at=NOW)
        save_body(session, ids["plain"], text="Noon?", html=None, fetched_at=NOW)
    made = MainWindow(ProfilePaths(root), clock=FixedClock(NOW))
    qtbot.addWidget(made)
    base = videos.url_for("").rstrip("/")
    made.message_view.video_cards.bases = PreviewBases(youtube=base, vimeo=base, loom=base)
    made.opened_links = []  # type: ignore[attr-defined]
    made.message_view.video_cards.open_link = made.opened_links.append  # type: ignore[attr-defined]
    with qtbot.waitSignal(made.model.page_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    yield made
    made.close()


def cards(window: MainWindow) -> list[VideoCard]:
    return window.message_view.video_cards.cards


def test_a_video_link_is_a_card_and_nothing_is_asked_until_load_preview(
    qtbot: QtBot, window: MainWindow, videos: HTTPServer
) -> None:
    open_subject(qtbot, window, "Roadmap walkthrough")
    youtube, vimeo, zoom = cards(window)
    assert youtube.isVisible()
    assert youtube.title.text() == f"Video message · YouTube · {YOUTUBE}"
    assert vimeo.title.text() == f"Video message · Vimeo · {VIMEO}"
    assert zoom.title.text() == f"Video message · Zoom · {ZOOM}"
    assert youtube.placeholder.text() == (
        "Preview not loaded — loading it tells youtube.com you opened this message"
    )
    assert "vimeo.com" in vimeo.placeholder.text()
    assert youtube.always_box.text() == "Always load previews from YouTube"
    assert not youtube.always_box.isChecked()  # off by default
    assert not zoom.load_button.isVisible()  # Zoom offers no picture without its page
    assert not zoom.always_box.isVisible()
    qtbot.wait(500)  # anything the view could load would have been asked for by now
    assert videos.log == []

    with qtbot.waitSignal(window.message_view.video_cards.preview_loaded, timeout=10_000):
        qtbot.mouseClick(youtube.load_button, Qt.MouseButton.LeftButton)
    assert [request.path for request, _ in videos.log] == [PICTURE]  # that one, nothing else
    assert youtube.picture.isVisible()
    assert not youtube.placeholder.isVisible()
    assert youtube.picture.pixmap().width() == 144  # 480x360 fitted into the 192x108 frame
    assert vimeo.placeholder.isVisible()  # the others still wait for the user

    qtbot.mouseClick(zoom.open_button, Qt.MouseButton.LeftButton)
    assert window.opened_links == [QUrl(ZOOM)]  # type: ignore[attr-defined]


def test_always_load_is_remembered_per_service(
    qtbot: QtBot, window: MainWindow, videos: HTTPServer
) -> None:
    open_subject(qtbot, window, "Roadmap walkthrough")
    youtube = cards(window)[0]
    with qtbot.waitSignal(window.message_view.video_cards.preview_loaded, timeout=10_000):
        box = youtube.always_box
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert youtube.picture.isVisible()
    store = window.store
    assert store is not None
    qtbot.waitUntil(lambda: read(store, declared.VIDEO_PREVIEWS_YOUTUBE), timeout=5_000)
    assert not read(store, declared.VIDEO_PREVIEWS_VIMEO)

    open_subject(qtbot, window, "Lunch")
    assert cards(window) == []
    assert not window.message_view.video_cards.isVisible()
    with qtbot.waitSignal(window.message_view.video_cards.preview_loaded, timeout=10_000):
        open_subject(qtbot, window, "Roadmap walkthrough")
    youtube, vimeo, _ = cards(window)
    assert youtube.always_box.isChecked()
    assert youtube.picture.isVisible()  # loaded on its own this time (from the cache)
    assert [request.path for request, _ in videos.log] == [PICTURE]
    assert vimeo.placeholder.isVisible()  # Vimeo was never allowed
    assert not vimeo.always_box.isChecked()


def test_a_preview_that_fails_says_so(qtbot: QtBot, window: MainWindow, videos: HTTPServer) -> None:
    videos.expect_request("/api/oembed.json").respond_with_data("gone", status=404)
    open_subject(qtbot, window, "Roadmap walkthrough")
    vimeo = cards(window)[1]
    with qtbot.waitSignal(window.message_view.video_cards.preview_failed, timeout=10_000):
        qtbot.mouseClick(vimeo.load_button, Qt.MouseButton.LeftButton)
    assert vimeo.placeholder.text() == "Preview unavailable"
    assert vimeo.placeholder.toolTip() == "the preview could not be loaded: HTTP 404"
    assert vimeo.load_button.isEnabled()  # to try again


def read(store: Store, setting: declared.Setting[bool]) -> bool:
    with store.reading() as session:
        return get_setting(session, setting)


def test_a_video_link_in_chat_is_a_card_too(
    qtbot: QtBot, tmp_path: Path, videos: HTTPServer
) -> None:
    loom = "https://www.loom.com/share/0f1e2d3c4b5a6978?sid=abc"
    videos.expect_request("/v1/oembed").respond_with_json(
        {"title": "Bug repro", "thumbnail_url": videos.url_for(PICTURE)}
    )
    root = tmp_path / "chat"
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(session, Account("chat", AccountKind.MATRIX, ("@me:x.org",)), NOW)
        assert account.id is not None
        line = Message(
            remote_id="$1",
            direction=Direction.INBOUND,
            medium=Medium.CHAT,
            conversation="!ops:x.org",
            sender=Sender("@ann:x.org", "Ann"),
            subject="Ops",
            received_at=NOW - timedelta(minutes=5),
            body_text=f"Here is the repro: {loom}",
        )
        add_batch(session, account.id, [(line, Triage(True))], stream="m", cursor="c", now=NOW)
    window = MainWindow(ProfilePaths(root), clock=FixedClock(NOW))
    qtbot.addWidget(window)
    base = videos.url_for("").rstrip("/")
    window.chat.video_cards.bases = PreviewBases(loom=base)
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.show()
        window.open_profile()
    qtbot.waitUntil(lambda: window.page is Page.INBOX, timeout=10_000)
    window.view.setCurrentIndex(window.model.index(0, 0))
    window.view.setFocus()
    with qtbot.waitSignal(window.chat.loaded, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)
    (card,) = window.chat.video_cards.cards
    assert card.isVisible()
    assert card.title.text() == f"Video message · Loom · {loom}"
    assert "loom.com" in card.placeholder.text()
    qtbot.wait(300)
    assert videos.log == []
    with qtbot.waitSignal(window.chat.video_cards.preview_loaded, timeout=10_000):
        card.load_button.click()
    assert card.title.text() == "Video message · Loom · Bug repro"  # oEmbed's title
    assert card.picture.isVisible()
    window.close()
