"""A clicked ``mailto:`` link in the window: it is gated by the schedule as the inbox is.

Real profiles with real schedules and an injected clock (as tests/gui/test_gate.py).
What a user notices: the New message window with the link's fields, only when the
inbox is open; behind the gate a calm line saying the message waits for it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_gate import OpenWindow, berlin, open_window, scheduled

from asyncdesk.core.clock import FixedClock, ShiftedClock
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import Page
from asyncdesk.ui.new_message import NewMessageWindow

__all__ = ["open_window", "scheduled"]  # the fixtures, from test_gate

LINK = "mailto:ann@example.org?subject=Your%20offer&body=Hello%20Ann%2C%0D%0A"


def only_new_message(window_list: list[NewMessageWindow]) -> NewMessageWindow:
    (window,) = window_list
    return window


def test_a_link_behind_the_gate_waits_and_opens_with_the_window(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    start = berlin(2026, 11, 23, 9, 0)  # a Monday: the window opens at 09:00
    opened = open_window(scheduled, ShiftedClock(start - timedelta(seconds=3)))
    window = opened.window
    assert window.page is Page.GATE

    window.open_link(LINK)

    assert window.new_message_windows == []  # nothing to write in while it is closed
    assert window.gate.draft_text() == "Your message to ann@example.org opens with the inbox."
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        pass  # nobody does anything: the window opens at 09:00
    new = only_new_message(window.new_message_windows)
    assert new.isVisible()
    assert new.to_edit.text() == "ann@example.org"
    assert new.subject_edit.text() == "Your offer"
    assert new.body.toPlainText() == "Hello Ann,\n"
    assert window.gate.draft_text() == ""
    assert window.waiting_drafts == []


def test_two_links_behind_the_gate_are_counted_and_both_open_when_opened_anyway(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    opened = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 10, 0)))  # deep work
    window = opened.window
    window.open_link(LINK)
    window.open_link("mailto:bob@example.org")
    assert window.gate.draft_text() == "Your 2 new messages open with the inbox."
    with qtbot.waitSignal(window.break_glass_opened, timeout=10_000):
        window.open_anyway("a client needs the contract today")
    assert window.page is Page.INBOX
    assert sorted(w.to_edit.text() for w in window.new_message_windows) == [
        "ann@example.org",
        "bob@example.org",
    ]


def test_in_a_window_a_link_opens_at_once_and_says_when_nothing_can_send(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    opened = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 9, 10)))
    window = opened.window
    assert window.page is Page.INBOX
    window.open_link("mailto:?to=ann@example.org&cc=bob@example.org&bcc=carl@example.org")
    new = only_new_message(window.new_message_windows)
    with qtbot.waitSignal(new.ready, timeout=10_000):
        pass
    assert (new.to_edit.text(), new.cc_edit.text(), new.bcc_edit.text()) == (
        "ann@example.org",
        "bob@example.org",
        "carl@example.org",
    )
    # This profile's account has no SMTP server: said in the window's words.
    assert new.status.text() == (
        "No email account here can send: add one with an SMTP server in File ▸ Settings ▸ Accounts."
    )
    assert not new.send_button.isEnabled()


def test_a_link_that_cannot_be_read_opens_nothing_and_is_logged(
    open_window: OpenWindow, scheduled: ProfilePaths, caplog: pytest.LogCaptureFixture
) -> None:
    opened = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 9, 10)))
    with caplog.at_level(logging.WARNING):
        opened.window.open_link("mailto:not-an-address")
        opened.window.open_link("raise")  # the single-instance word: not a link
    assert opened.window.new_message_windows == []
    assert "ignored a mailto: link: the mailto: link's address: 'not-an-address' is not" in (
        caplog.text
    )


def test_escape_asks_once_before_throwing_written_text_away(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    opened = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 9, 10)))
    opened.window.open_link(LINK)
    new = only_new_message(opened.window.new_message_windows)
    with qtbot.waitSignal(new.ready, timeout=10_000):
        pass
    qtbot.keyClicks(new.body, "Thanks for")
    qtbot.keyClick(new.body, Qt.Key.Key_Escape)
    assert new.isVisible()
    assert new.status.text() == "Press Escape again to discard this message."
    qtbot.keyClick(new.body, Qt.Key.Key_Escape)
    assert not new.isVisible()


def test_ctrl_n_writes_a_new_message_only_while_the_inbox_is_open(
    qtbot: QtBot, open_window: OpenWindow, scheduled: ProfilePaths
) -> None:
    closed = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 10, 0))).window  # deep work
    assert not closed.new_message_action.isEnabled()
    closed.close()
    window = open_window(scheduled, FixedClock(berlin(2026, 11, 23, 9, 10))).window
    assert window.new_message_action.shortcut().toString() == "Ctrl+N"
    assert window.new_message_action.isEnabled()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    new = only_new_message(window.new_message_windows)
    assert (new.to_edit.text(), new.subject_edit.text(), new.body.toPlainText()) == ("", "", "")
    assert new.to_edit.hasFocus() or new.focusWidget() is new.to_edit
