"""Replying from the window against real servers: R opens a compose window addressed
as the reply will be, the draft survives closing the window, Ctrl+Enter sends it in
the background (SMTP, then filed in Sent) and the message is answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from servers.smtp import SmtpServer
from test_reply import Mailbox, mailbox, question

from asyncdesk.core.messages import ReplyState
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.main_window import MainWindow, Page

# Windows are collected on the GUI thread, as the app does (tests/integration/conftest).
pytestmark = pytest.mark.usefixtures("gui_collector")

__all__ = ["mailbox"]  # the fixture, from test_reply


@pytest.fixture
def window(qtbot: QtBot, mailbox: Mailbox) -> Iterator[MainWindow]:
    mailbox.deliver(question(1, to=mailbox.user))
    mailbox.sync()
    made = MainWindow(ProfilePaths(mailbox.root))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.model.page_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    yield made
    made.close()


def press_r(qtbot: QtBot, window: MainWindow) -> ComposeWindow:
    with qtbot.waitActive(window):
        window.activateWindow()
    window.view.setCurrentIndex(window.model.index(0, 0))
    window.view.setFocus()
    before = set(map(id, window.compose_windows))
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    (compose,) = [w for w in window.compose_windows if id(w) not in before]
    qtbot.waitUntil(lambda: compose.body.isEnabled(), timeout=10_000)
    return compose


def test_r_composes_keeps_the_draft_and_sends_in_the_background(
    qtbot: QtBot, window: MainWindow, mailbox: Mailbox, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    compose = press_r(qtbot, window)
    assert compose.to_label.text() == "client1@example.org"
    assert compose.subject_label.text() == "Re: Question 1"
    with qtbot.waitSignal(compose.draft_saved, timeout=10_000):
        qtbot.keyClicks(compose.body, "Thanks, tomorrow")
    compose.close()
    assert (mailbox.root / "drafts").is_dir()

    again = press_r(qtbot, window)
    assert again.body.toPlainText() == "Thanks, tomorrow"
    assert again.status.text() == "Draft restored."
    qtbot.keyClicks(again.body, " at 10.")
    with qtbot.waitSignal(again.sent, timeout=30_000) as sent:
        qtbot.keyClick(again.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent.args[0].startswith("sent reply to client1@example.org (Re: Question 1)")
    (received,) = smtp_server.wait_for(1)
    assert received.message.get_content().strip() == "Thanks, tomorrow at 10."
    qtbot.waitUntil(lambda: not list((mailbox.root / "drafts").iterdir()), timeout=5000)
    qtbot.waitUntil(lambda: window.model.message_at(0).state is ReplyState.REPLIED, timeout=10_000)
