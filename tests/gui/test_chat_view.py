"""Chat in the window: a chat message opens its room or thread as chat, with a reply box.

A real profile with a Matrix account (its messages stored as a sync stores them, a
thread, the user's own lines); no keyring token, so sending fails in one line and the
text stays. Sending for real, against Synapse: tests/integration/test_chat_window.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.main_window import MainWindow, Page

ME = "@me:example.org"
ANN = "@ann:example.org"
ROOM = "!ops:example.org"
NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # Monday 14:30 in Berlin
M = timedelta(minutes=1)


def line(
    remote_id: str, body: str, at: datetime, *, mine: bool = False, thread: str | None = None
) -> Message:
    return Message(
        remote_id=remote_id,
        direction=Direction.OUTBOUND if mine else Direction.INBOUND,
        medium=Medium.CHAT,
        conversation=ROOM,
        thread=thread,
        sender=Sender(ME if mine else ANN, "" if mine else "Ann"),
        subject="Ops",
        received_at=at,
        body_text=body,
        mentions_me=not mine,
    )


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "profile"
    start = NOW - 60 * M
    messages = [
        line("$1", "Deploy went fine.", start),
        line("$2", "Thanks!", start + M, mine=True),
        line("$root", "Can you check the alerts?", start + 2 * M),
        line("$t1", "It is the disk again.", start + 3 * M, thread="$root"),
        line("$t2", "Cleaning it up now.", start + 4 * M, mine=True, thread="$root"),
        line("$3", "Also: the cert expires Friday, can you renew it?", start + 5 * M),
    ]
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(session, Account("chat", AccountKind.MATRIX, (ME,)), NOW)
        assert account.id is not None
        batch = [
            (m, Triage(m.direction is Direction.INBOUND, m.received_at + timedelta(hours=48)))
            for m in messages
        ]
        add_batch(session, account.id, batch, stream="matrix", cursor="c", now=NOW)
    return root


@pytest.fixture
def window(qtbot: QtBot, profile: Path) -> Iterator[MainWindow]:
    opened = MainWindow(ProfilePaths(profile), clock=FixedClock(NOW))
    qtbot.addWidget(opened)
    with qtbot.waitSignal(opened.model.page_loaded, timeout=10_000):
        opened.show()
        opened.open_profile()
    qtbot.waitUntil(lambda: opened.page is Page.INBOX, timeout=10_000)
    yield opened
    opened.close()


def open_row(qtbot: QtBot, window: MainWindow, body_start: str) -> None:
    row = next(
        r
        for r in range(window.model.rowCount())
        if window.model.message_at(r).snippet.startswith(body_start)
    )
    index = window.model.index(row, 0)
    window.view.setCurrentIndex(index)
    window.view.setFocus()
    with qtbot.waitSignal(window.chat.loaded, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)


def shown_lines(window: MainWindow) -> list[str]:
    model = window.chat.model
    return [
        ("You" if model.line(r).outbound else model.line(r).sender) + ": " + model.line(r).body
        for r in range(model.rowCount())
    ]


def test_enter_on_a_room_message_shows_the_room_as_chat(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow
) -> None:
    open_row(qtbot, window, "Also: the cert")
    assert window.chat_dock.isVisible()
    assert window.chat.title.text() == "Ops · chat"
    assert shown_lines(window) == [
        "Ann: Deploy went fine.",
        "You: Thanks!",
        "Ann: Can you check the alerts?",
        "Ann: Also: the cert expires Friday, can you renew it?",
    ]
    root = window.chat.model.line(2)
    assert root.replies == 2  # its thread is shown as a count, opened on its own
    assert window.chat.box.hasFocus()
    qtmodeltester.check(window.chat.model)


def test_a_thread_message_shows_its_thread(qtbot: QtBot, window: MainWindow) -> None:
    open_row(qtbot, window, "It is the disk")
    assert window.chat.title.text() == "Thread in Ops · chat"
    assert shown_lines(window) == [
        "Ann: Can you check the alerts?",
        "Ann: It is the disk again.",
        "You: Cleaning it up now.",
    ]


def test_sending_without_a_token_says_so_and_keeps_the_text(
    qtbot: QtBot, window: MainWindow
) -> None:
    open_row(qtbot, window, "Also: the cert")
    window.chat.box.setPlainText("Renewing it today.")
    with qtbot.waitSignal(window.chat.send_failed, timeout=10_000) as failed:
        qtbot.keyClick(window.chat.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    (message,) = failed.args
    assert message.startswith("Not sent: no token for account 'chat' in the keyring")
    assert window.chat.status.text() == message
    assert window.chat.box.toPlainText() == "Renewing it today."
    assert not window.chat.box.isReadOnly()
