"""A new message from a ``mailto:`` link, against real servers (Dovecot, aiosmtpd).

It travels as a reply does: checked before anything is written, queued with its copy,
sent over SMTP, filed in Sent; the sync of Sent then adds nothing. What a user would
notice: who got it (and that Bcc stayed hidden), its copy in Sent, no duplicate row.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from servers.smtp import SmtpServer
from test_reply import CLOCK, Mailbox, mailbox

from asyncdesk.core.errors import BadInput
from asyncdesk.core.mailto import MailtoDraft, parse_mailto
from asyncdesk.services.accounts import profile_secrets
from asyncdesk.services.new_message import queue_new, senders
from asyncdesk.services.reply import send_queued
from asyncdesk.store.outbox import OutboxState
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow, Page

pytestmark = pytest.mark.usefixtures("gui_collector")

__all__ = ["mailbox"]  # the fixture, from test_reply


def test_a_link_is_sent_bcc_stays_hidden_and_sent_is_not_doubled(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    draft = parse_mailto(
        "mailto:ann@example.org?cc=bob@example.org&bcc=carl@example.org"
        "&subject=Caf%C3%A9%20on%20Friday%3F&body=Shall%20we%20meet%3F%0D%0A"
    )
    with mailbox.store() as store:
        assert [(s.account, s.address) for s in senders(store)] == [("work", mailbox.user)]
        queued = queue_new(store, CLOCK, "work", draft)
        outcome = send_queued(store, CLOCK, profile_secrets(store), queued)
    assert outcome.ok
    assert outcome.state is OutboxState.FILED
    assert outcome.describe() == (
        "sent message to ann@example.org, cc bob@example.org (Café on Friday?); filed in Sent"
    )
    (received,) = smtp_server.wait_for(1)
    assert received.rcpt_tos == ("ann@example.org", "bob@example.org", "carl@example.org")
    sent = received.message
    assert str(sent["From"]) == f"Me Myself <{mailbox.user}>"
    assert (str(sent["To"]), str(sent["Cc"]), sent["Bcc"]) == (
        "ann@example.org",
        "bob@example.org",
        None,
    )
    assert b"carl@example.org" not in received.raw
    assert sent["Subject"] == "Café on Friday?"
    assert sent["In-Reply-To"] is None
    assert sent.get_content().replace("\r\n", "\n") == "Shall we meet?\n"
    assert abs((parsedate_to_datetime(sent["Date"]) - CLOCK.now()).total_seconds()) < 60

    ((message_id, _flags, _date, _raw),) = mailbox.sent_folder()
    assert message_id == f"<{outcome.message_id}>"
    before = mailbox.message_count()
    mailbox.sync()
    mailbox.sync()
    assert mailbox.message_count() == before  # the copy in Sent is the row already stored
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize(
    ("account", "draft", "line"),
    [
        ("work", MailtoDraft(body="hi"), "the message has no recipient: add an address in To"),
        ("work", MailtoDraft(to=("a@x.org",), body=" \n"), "the message is empty: nothing sent"),
        ("home", MailtoDraft(to=("a@x.org",), body="hi"), "no account named 'home'"),
    ],
)
def test_a_message_that_cannot_go_writes_nothing(
    mailbox: Mailbox, smtp_server: SmtpServer, account: str, draft: MailtoDraft, line: str
) -> None:
    before = mailbox.message_count()
    with mailbox.store() as store, pytest.raises(BadInput) as refused:
        queue_new(store, CLOCK, account, draft)
    assert refused.value.message == line
    assert mailbox.items() == []
    assert mailbox.message_count() == before
    assert smtp_server.messages == []


@pytest.fixture
def window(qtbot: QtBot, mailbox: Mailbox) -> Iterator[MainWindow]:
    made = MainWindow(ProfilePaths(mailbox.root))
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.profile_opened, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    yield made
    made.close()


def test_the_window_sends_what_the_link_asked_for_after_an_edit(
    qtbot: QtBot, window: MainWindow, mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    window.open_link("mailto:ann@example.org?subject=Offer&body=Dear%20Ann")
    (new,) = window.new_message_windows
    with qtbot.waitSignal(new.ready, timeout=10_000):
        pass
    assert new.from_box.currentText() == f"{mailbox.user} (work)"
    new.cc_edit.setText("not an address")
    with qtbot.waitSignal(new.failed, timeout=5000) as refused:
        qtbot.keyClick(new.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert refused.args == ["Cc: 'not an address' is not an email address"]
    assert smtp_server.messages == []

    new.cc_edit.setText("bob@example.org; ann@example.org")
    qtbot.keyClicks(new.body, ", yes.")
    with qtbot.waitSignal(new.sent, timeout=30_000) as sent:
        qtbot.keyClick(new.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent.args[0].startswith("sent message to ann@example.org, cc bob@example.org (Offer)")
    (received,) = smtp_server.wait_for(1)
    assert received.rcpt_tos == ("ann@example.org", "bob@example.org")
    assert received.message.get_content().strip() == "Dear Ann, yes."
    assert not new.isVisible()
