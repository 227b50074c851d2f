"""Answering a message of the demo says, in the window's words, that nothing is sent;
the text is still written and kept as a draft."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from conftest import NOW, inbound
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.main_window import MainWindow, Page


def test_a_reply_in_the_demo_says_it_is_not_sent(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow], clock: FixedClock
) -> None:
    root = tmp_path / "profile"
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        demo = add_account(
            session,
            Account(name="demo-mail", kind=AccountKind.DEMO, identities=("alex@example.org",)),
            created_at=NOW - timedelta(days=1),
        )
        assert demo.id is not None
        add_batch(session, demo.id, [inbound(0)], stream="INBOX", cursor="1", now=NOW)
    window = make_window(ProfilePaths(root), clock)
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.show()
        window.open_profile()
    qtbot.waitUntil(lambda: window.page is Page.INBOX, timeout=10_000)
    window.view.setCurrentIndex(window.model.index(0, 0))
    reply = window.reply_to_current(reply_all=False)
    assert reply is not None
    qtbot.waitUntil(lambda: "This is the demo" in reply.status.text(), timeout=10_000)
    assert "kept as a draft" in reply.status.text()
    assert not reply.send_button.isEnabled()
    assert reply.body.isEnabled()
    reply.close()
