"""Attachments from the window against a real Dovecot: Enter opens the email,
Attachments… lists its files (the inline logo is not one), Save… writes the chosen one
into the folder picked, never over an existing file. (That fetching marks nothing
read on the server is tested in test_imap_attachments.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_imap_attachments import PDF, letter
from test_reply import Mailbox, mailbox

from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow, Page

# Windows are collected on the GUI thread, as the app does (tests/integration/conftest).
pytestmark = pytest.mark.usefixtures("gui_collector")

__all__ = ["mailbox"]  # the fixture, from test_reply


@pytest.fixture
def window(qtbot: QtBot, mailbox: Mailbox) -> Iterator[MainWindow]:
    mailbox.deliver(letter("Q3 report", ("Q3 report.pdf", "application/pdf", PDF)))
    mailbox.sync()
    made = MainWindow(ProfilePaths(mailbox.root))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.model.page_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    yield made
    made.close()


def test_list_and_save_an_attachment_from_the_message_view(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.view.setCurrentIndex(window.model.index(0, 0))
    window.view.setFocus()
    view = window.message_view
    with qtbot.waitSignal(view.shown, timeout=20_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert view.attachments_button.isVisible()
    with qtbot.waitSignal(view.attachments_shown, timeout=20_000) as listed:
        view.attachments_button.click()
    assert listed.args == [1]  # the PDF; the inline logo is part of the HTML
    assert view.attachments_list.item(0).text().startswith("Q3 report.pdf  ·  2.0 MB")
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    view.ask_folder = lambda: downloads
    for expected in ("Q3 report.pdf", "Q3 report (2).pdf"):
        with qtbot.waitSignal(view.attachment_saved, timeout=10_000) as saved:
            view.save_button.click()
        assert saved.args == [str(downloads / expected)]
        assert (downloads / expected).read_bytes() == PDF
    assert view.status.text() == f"Saved {downloads / 'Q3 report (2).pdf'}"
