"""Answering a message of the demo says, in the window's words, that nothing is sent;
the text is still written and kept as a draft."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from asyncdesk.ui.compose import ComposeWindow


def test_a_reply_in_the_demo_says_it_is_not_sent(
    qtbot: QtBot, demo_reply: Callable[[], ComposeWindow]
) -> None:
    reply = demo_reply()
    qtbot.waitUntil(lambda: "This is the demo" in reply.status.text(), timeout=10_000)
    assert "kept as a draft" in reply.status.text()
    assert not reply.send_button.isEnabled()
    assert reply.body.isEnabled()
    reply.close()
