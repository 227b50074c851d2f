"""Offering office hours from the window, against real servers (Dovecot, aiosmtpd with
AUTH): O on a meeting request opens the reply with the next slots and an invitation;
Ctrl+Enter sends it; the recipient gets a text/calendar METHOD:REQUEST part for the
right local time, and the copy filed in Sent carries it too.

The window's clock is Friday 27 March 2026, 10:00 in Berlin: the clocks go forward on
Sunday, so the first slot offered (Tuesday 15:00) is 15:00 CEST, 13:00 UTC.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from servers.smtp import SmtpServer
from test_reply import Mailbox, mailbox

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import OfficeHoursBlock, parse_days
from asyncdesk.services.schedule import add_office_hours, set_timezone
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.main_window import MainWindow, Page

pytestmark = pytest.mark.usefixtures("gui_collector")

__all__ = ["mailbox"]  # the fixture, from test_reply

NOW = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # Fri 10:00 CET
BERLIN = ZoneInfo("Europe/Berlin")


def meeting_request(to: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Sam Jones <sam@newco.example>"
    message["To"] = to
    message["Subject"] = "Quick call?"
    message["Date"] = "Thu, 26 Mar 2026 16:00:00 +0100"
    message["Message-ID"] = "<call-1@newco.example>"
    message.set_content("Hi, could we hop on a quick call next week about the contract?\n")
    return bytes(message)


@pytest.fixture
def window(qtbot: QtBot, mailbox: Mailbox) -> Iterator[MainWindow]:
    mailbox.deliver(meeting_request(mailbox.user))
    mailbox.sync()
    clock = FixedClock(NOW)
    with mailbox.store() as store:
        set_timezone(store, clock, "Europe/Berlin")
        add_office_hours(store, clock, OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60))
    made = MainWindow(ProfilePaths(mailbox.root), clock=clock)
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.schedule_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    qtbot.waitUntil(lambda: made.model.rowCount() == 1, timeout=10_000)
    yield made
    made.close()


def press_o(qtbot: QtBot, window: MainWindow) -> ComposeWindow:
    window.view.setCurrentIndex(window.model.index(0, 0))
    window.view.setFocus()
    with qtbot.waitSignal(window.triage_actions.drafted, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_O)
    compose = window.compose_windows[-1]
    qtbot.waitUntil(lambda: compose.send_button.isEnabled(), timeout=10_000)
    return compose


def invitation_of(message: EmailMessage) -> Calendar:
    assert message.get_content_type() == "multipart/mixed"
    (part,) = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "office-hours.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def test_o_then_send_delivers_an_invitation_for_the_right_local_time(
    qtbot: QtBot, window: MainWindow, mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    compose = press_o(qtbot, window)
    assert compose.to_label.text() == "sam@newco.example"
    text = compose.body.toPlainText()
    assert "- Tue 31 Mar, 15:00-16:00 CEST" in text
    assert "The invitation for Tue 31 Mar, 15:00-16:00 CEST is attached" in text
    with qtbot.waitSignal(compose.sent, timeout=30_000) as sent:
        qtbot.keyClick(compose.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent.args[0].startswith("sent reply to sam@newco.example (Re: Quick call?)")

    (received,) = smtp_server.wait_for(1)
    assert received.rcpt_tos == ("sam@newco.example",)
    delivered = received.message
    body = delivered.get_body(("plain",))
    assert body is not None
    assert "- Tue 31 Mar, 15:00-16:00 CEST" in body.get_content()
    calendar = invitation_of(delivered)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 3, 31, 15, 0, tzinfo=BERLIN)
    assert event.decoded("dtstart") == datetime(2026, 3, 31, 13, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(event["attendee"]) == "mailto:sam@newco.example"
    assert str(event["organizer"]) == f"mailto:{mailbox.user}"

    (copy,) = mailbox.sent_folder()
    filed = email.message_from_bytes(copy[3], policy=email.policy.default)
    assert isinstance(filed, EmailMessage)
    assert copy[0] == str(delivered["Message-ID"])
    filed_event = invitation_of(filed).walk("VEVENT")[0]
    assert filed_event["uid"] == event["uid"]
    assert filed_event.decoded("dtstart") == event.decoded("dtstart")
