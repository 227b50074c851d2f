"""The window syncs by itself: a real Dovecot, a real profile, the real window (offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from servers.dovecot import Dovecot
from test_imap_source import account, raw_mail

from asyncdesk.core.clock import SystemClock
from asyncdesk.services.accounts import add_imap_account
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow

# Windows are collected on the GUI thread, as the app does (tests/integration/conftest).
pytestmark = pytest.mark.usefixtures("gui_collector")


@pytest.fixture
def window(
    qtbot: QtBot, dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path
) -> Iterator[MainWindow]:
    user, password = mail_user
    for n in range(3):
        dovecot.deliver(user, raw_mail(f"m{n}@x", subject=f"Question {n}"))
    root = tmp_path / "profile"
    with Store.open(root) as store:
        add_imap_account(store, SystemClock(), KeyringSecrets, account(dovecot, user), password)
    made = MainWindow(ProfilePaths(root))
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()


def test_the_window_syncs_and_shows_new_mail_as_it_arrives(
    qtbot: QtBot, window: MainWindow, dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    with qtbot.waitSignal(window.sync.synced, timeout=20000) as first:
        window.open_profile()
    assert first.args == ["work", 3]
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=5000)
    assert window.sync_text().startswith("Up to date")

    dovecot.deliver(mail_user[0], raw_mail("new@x", subject="Pushed"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=5000)
    subjects = {window.model.message_at(row).subject for row in range(4)}
    assert "Pushed" in subjects

    window.close()
    assert not window.sync.running  # stopped before the store closed


def test_a_server_that_is_down_is_said_in_the_status_bar(
    qtbot: QtBot, window: MainWindow, dovecot: Dovecot
) -> None:
    dovecot.stop()
    with qtbot.waitSignal(window.sync.failed, timeout=20000) as failure:
        window.open_profile()
    account_name, error = failure.args
    assert account_name == "work"
    assert error.startswith("cannot talk to 127.0.0.1:")
    assert "retrying in" in window.sync_text()
