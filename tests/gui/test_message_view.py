"""An email in the window: shown so that nothing in it reaches the network by itself.

A local HTTP server (pytest-httpserver on 127.0.0.1) plays the tracker and the image
host; the message's HTML points at it with a tracking pixel, a remote image, a
stylesheet, a script, a frame and a CSS background. Opening the message must send it
zero requests; **Load images** (the user's choice) fetches exactly the two images.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import open_subject
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument
from pytest_httpserver import HTTPServer
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.store.accounts import add_account
from asyncdesk.store.bodies import save_body
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.main_window import MainWindow, Page

NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
ME = "me@example.org"
# A 1x1 transparent GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def hostile_html(base: str) -> str:
    return f"""<html><head>
<link rel="stylesheet" href="{base}/style.css">
<style>body {{ background: url({base}/bg.png) }}</style>
<script src="{base}/track.js"></script></head>
<body><p style="background:url({base}/p.png)">Your <b>invoice</b> is ready.</p>
<img src="{base}/pixel.gif?id=ada" width="1" height="1">
<img src="{base}/logo.gif" alt="Logo">
<iframe src="{base}/frame.html"></iframe>
<a href="{base}/pay">Pay now</a></body></html>"""


def email(remote_id: str, subject: str, minutes: int) -> Message:
    return Message(
        remote_id=remote_id,
        direction=Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=f"{remote_id}@mail.example",
        sender=Sender("billing@shop.example", "Shop Billing"),
        subject=subject,
        received_at=NOW - timedelta(minutes=minutes),
        to=(ME,),
        message_id=f"{remote_id}@mail.example",
    )


@pytest.fixture
def tracker(httpserver_ipv4: HTTPServer) -> Iterator[HTTPServer]:
    httpserver_ipv4.expect_request("/pixel.gif").respond_with_data(PIXEL, content_type="image/gif")
    httpserver_ipv4.expect_request("/logo.gif").respond_with_data(PIXEL, content_type="image/gif")
    return httpserver_ipv4


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, tracker: HTTPServer) -> Iterator[MainWindow]:
    root = tmp_path / "profile"
    base = tracker.url_for("").rstrip("/")
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(session, Account("work", AccountKind.EMAIL, (ME,)), NOW)
        assert account.id is not None
        batch = [
            (email("html-only", "Invoice ready", 10), Triage(False)),
            (email("both", "Newsletter", 20), Triage(False)),
        ]
        add_batch(session, account.id, batch, stream="INBOX", cursor="1", now=NOW)
        ids = dict(session.connection().exec_driver_sql("SELECT remote_id, id FROM messages").all())
        save_body(session, ids["html-only"], text="", html=hostile_html(base), fetched_at=NOW)
        save_body(
            session,
            ids["both"],
            text="This week: plain words.",
            html=f'<p>This week</p><img src="{base}/logo.gif">',
            fetched_at=NOW,
        )
    made = MainWindow(ProfilePaths(root), clock=FixedClock(NOW))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.model.page_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    yield made
    made.close()


def test_opening_html_mail_sends_the_tracker_nothing(
    qtbot: QtBot, window: MainWindow, tracker: HTTPServer
) -> None:
    open_subject(qtbot, window, "Invoice ready")
    view = window.message_view
    assert window.chat_dock.isVisible()
    assert "Your invoice is ready." in view.browser.toPlainText()
    assert "Pay now" in view.browser.toPlainText()
    qtbot.wait(500)  # anything the page could load would have been asked for by now
    assert tracker.log == []
    assert view.images_bar.isVisible()
    assert view.images_label.text().startswith("2 remote images blocked")
    assert view.browser.allowed == {}


def test_load_images_fetches_exactly_the_images_when_the_user_asks(
    qtbot: QtBot, window: MainWindow, tracker: HTTPServer
) -> None:
    open_subject(qtbot, window, "Invoice ready")
    view = window.message_view
    with qtbot.waitSignal(view.images_loaded, timeout=10_000) as loaded:
        view.load_images_button.click()
    assert loaded.args == [2]
    asked = sorted(request.path for request, _ in tracker.log)
    assert asked == ["/logo.gif", "/pixel.gif"]  # no stylesheet, script, frame or background
    assert not view.images_bar.isVisible()
    logo = tracker.url_for("/logo.gif")
    image = view.browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(logo))
    assert image is not None


def test_plain_text_is_preferred_and_html_is_one_click_away(
    qtbot: QtBot, window: MainWindow, tracker: HTTPServer
) -> None:
    open_subject(qtbot, window, "Newsletter")
    view = window.message_view
    assert view.browser.toPlainText() == "This week: plain words."
    assert view.html_button.isVisible()
    assert not view.images_bar.isVisible()
    view.html_button.click()
    assert view.browser.toPlainText().startswith("This week")
    assert view.images_label.text().startswith("1 remote image blocked")
    qtbot.wait(300)
    assert tracker.log == []
