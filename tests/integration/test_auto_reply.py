"""Published availability: the auto-reply sent while the inbox is closed, on real servers
(Dovecot for IMAP, aiosmtpd for SMTP; the ``Mailbox`` of test_reply.py).

Time is a :class:`FixedClock`; messages are put in the mailbox by IMAP APPEND with their
INTERNALDATE, so "received at" and "now" are the test's. The schedule is Berlin's, with
windows every day at 09:00-09:30 and 16:30-17:00; the promise is 24 hours unless a test
says otherwise. What a person would notice is asserted: the one reply they get, its
headers and the "by" time it states; nothing for lists, bulk or automated mail; and the
answered message still waiting for the user's own reply.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient
from servers.dovecot import Dovecot
from servers.smtp import SmtpServer
from test_reply import Mailbox, make_mailbox

from asyncdesk.cli import main
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services import auto_replies
from asyncdesk.services.accounts import profile_secrets, sync_accounts
from asyncdesk.store.auto_replies import INTERRUPTED, AutoReplyState
from asyncdesk.store.messages import count_messages, inbox_page

#: Wed 18 Nov 2026 12:00 CET: closed. Dates are in the past: Dovecot gives a message
#: APPENDed with a future INTERNALDATE the time of the APPEND instead.
BERLIN_WED_1200 = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)


@pytest.fixture
def mailbox(
    dovecot: Dovecot, smtp_server: SmtpServer, smtp_user: tuple[str, str], tmp_path: Path
) -> Mailbox:
    box = make_mailbox(dovecot, smtp_server, smtp_user, tmp_path / "profile")
    configure(box.root, "24h")
    client = imap(box)
    try:
        client.create_folder("Sent")
    finally:
        client.logout()
    return box


def configure(root: Path, sla: str, *extra: list[str]) -> None:
    p = ("--profile", str(root))
    for command in (
        ["schedule", "timezone", "Europe/Berlin"],
        ["schedule", "window", "add", "--days", "mon-sun", "--start", "09:00", "--end", "09:30"],
        ["schedule", "window", "add", "--days", "mon-sun", "--start", "16:30", "--end", "17:00"],
        ["sla", "default", sla],
        *extra,
        ["autoreply", "on"],
    ):
        assert main([*command, *p]) == 0


def imap(box: Mailbox) -> IMAPClient:
    client = IMAPClient(box.dovecot.host, port=box.dovecot.plain_port, ssl=False)
    client.login(box.user, box.password)
    return client


def mail(
    box: Mailbox,
    at: datetime,
    *,
    sender: str = "Ada Client <ada@clients.example>",
    subject: str = "Offer",
    msgid: str | None = None,
    parent: str | None = None,
    headers: dict[str, str] | None = None,
    folder: str = "INBOX",
    raw: bytes | None = None,
) -> str:
    """APPEND a message received at ``at``; returns its Message-ID."""
    msgid = msgid or f"{secrets.token_hex(6)}@clients.example"
    if raw is None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = f"Me <{box.user}>"
        message["Subject"] = subject
        message["Date"] = at.strftime("%a, %d %b %Y %H:%M:%S +0000")
        message["Message-ID"] = f"<{msgid}>"
        if parent is not None:
            message["In-Reply-To"] = f"<{parent}>"
            message["References"] = f"<{parent}>"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content("Could you have a look?\n")
        raw = bytes(message)
    client = imap(box)
    try:
        client.append(folder, raw, msg_time=at)
    finally:
        client.logout()
    return msgid


def sync(box: Mailbox, now: datetime) -> None:
    with box.store() as store:
        outcomes = sync_accounts(store, FixedClock(now), profile_secrets(store))
    assert [o.error for o in outcomes] == [None]


def inbound(box: Mailbox) -> dict[str, tuple[bool, ReplyState | None]]:
    """Message-ID -> (needs reply, state) of every inbound message."""
    with box.store() as store, store.reading() as session:
        return {str(m.message_id): (m.needs_reply, m.state) for m in inbox_page(session, 1000)}


def sent_text(server: SmtpServer, index: int = 0) -> str:
    body = server.messages[index].message.get_content()
    assert isinstance(body, str)
    return " ".join(body.split())


def records(box: Mailbox) -> list[auto_replies.AutoReplyRecord]:
    with box.store() as store:
        return auto_replies.recent_auto_replies(store, 10)


# ------------------------------------------------------------------------------ the path


def test_first_message_gets_one_reply_stating_when_and_the_promise_stays_open(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    first = mail(mailbox, BERLIN_WED_1200)
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=5))

    (received,) = smtp_server.wait_for(1)
    assert received.rcpt_tos == ("ada@clients.example",)
    assert received.mail_from == mailbox.user
    sent = received.message
    assert str(sent["To"]) == "Ada Client <ada@clients.example>"
    assert sent["Subject"] == "Re: Offer"
    assert sent["In-Reply-To"] == f"<{first}>"
    assert sent["References"] == f"<{first}>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["X-AsyncDesk-Auto-Reply"] == "1"
    text = sent_text(smtp_server)
    assert "I read messages at 09:00 and 16:30 CET" in text
    assert "the next time is Wed 16:30." in text
    assert "You'll hear from me by Thu 12:00." in text

    (record,) = records(mailbox)
    assert record.state is AutoReplyState.SENT
    assert record.recipient == "ada@clients.example"
    assert record.window_key == datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    assert record.message_id == sent["Message-ID"].strip("<>")
    assert record.sent_at == BERLIN_WED_1200 + timedelta(minutes=5)
    # Not the user's reply: the promise stays open, and nothing was stored as a message.
    assert inbound(mailbox) == {first: (True, ReplyState.OPEN)}
    with mailbox.store() as store, store.reading() as session:
        assert count_messages(session) == 1

    # A second message in that conversation in the same closed period: nothing.
    second = mail(
        mailbox, BERLIN_WED_1200 + timedelta(minutes=30), subject="Re: Offer", parent=first
    )
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=35))
    # A new conversation from someone else: one more.
    other = mail(mailbox, BERLIN_WED_1200 + timedelta(hours=1), sender="Cy <cy@clients.example>")
    sync(mailbox, BERLIN_WED_1200 + timedelta(hours=1, minutes=5))
    received = smtp_server.wait_for(2)
    assert len(received) == 2
    assert received[1].rcpt_tos == ("cy@clients.example",)
    assert len(records(mailbox)) == 2

    # The mail server files its own copy of the auto-reply in Sent (Gmail does): the
    # sync does not read it back as the user's reply.
    mail(mailbox, BERLIN_WED_1200 + timedelta(minutes=5), folder="Sent", raw=received[0].raw)
    sync(mailbox, BERLIN_WED_1200 + timedelta(hours=2))
    assert inbound(mailbox) == {
        first: (True, ReplyState.OPEN),
        second: (True, ReplyState.OPEN),
        other: (True, ReplyState.OPEN),
    }
    with mailbox.store() as store, store.reading() as session:
        assert count_messages(session) == 3
    assert len(smtp_server.messages) == 2

    # What was sent on the user's behalf is visible: `autoreply show` lists it.
    shown = subprocess.run(
        [sys.executable, "-m", "asyncdesk", "autoreply", "show", "--json", "--profile",
         str(mailbox.root)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    listed = json.loads(shown.stdout)["sent"]
    assert [(r["recipient"], r["state"]) for r in listed] == [
        ("cy@clients.example", "sent"),
        ("ada@clients.example", "sent"),
    ]


def test_across_the_dst_change_the_by_time_names_its_zone(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    # Sat 24 Oct 2026 18:00 CEST; clocks go back on Sunday 03:00 CEST -> 02:00 CET.
    at = datetime(2026, 10, 24, 16, 0, tzinfo=UTC)
    mail(mailbox, at)
    sync(mailbox, at + timedelta(minutes=5))
    smtp_server.wait_for(1)
    text = sent_text(smtp_server)
    assert "I read messages at 09:00 and 16:30 CEST" in text
    assert "the next time is Sun 09:00 CET." in text
    # 24 hours after 18:00 CEST is 17:00 CET on Sunday.
    assert "You'll hear from me by Sun 17:00 CET." in text
    (record,) = records(mailbox)
    assert record.window_key == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_working_hours_push_the_deadline(
    dovecot: Dovecot, smtp_server: SmtpServer, smtp_user: tuple[str, str], tmp_path: Path
) -> None:
    box = make_mailbox(dovecot, smtp_server, smtp_user, tmp_path / "profile")
    hours = ["sla", "working-hours", "--days", "mon-fri", "--start", "09:00", "--end", "17:00"]
    configure(box.root, "8h", hours)
    at = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # Fri 18:00 CET, after working hours
    mail(box, at)
    sync(box, at + timedelta(minutes=5))
    smtp_server.wait_for(1)
    text = sent_text(smtp_server)
    # Eight working hours from Monday 09:00.
    assert "You'll hear from me by Mon 17:00." in text
    assert "the next time is Sat 09:00." in text


# ------------------------------------------------------------------------------ no reply


@pytest.mark.parametrize(
    ("sender", "headers"),
    [
        ("Dev list <someone@clients.example>", {"List-Id": "<dev.lists.example>"}),
        (
            "News <news@clients.example>",
            {"List-Unsubscribe": "<mailto:leave@clients.example>"},
        ),
        ("Ada <ada@clients.example>", {"Precedence": "bulk"}),
        ("Ada <ada@clients.example>", {"Auto-Submitted": "auto-generated"}),
        ("Ada <ada@clients.example>", {"Auto-Submitted": "auto-replied"}),
        ("Ada <ada@clients.example>", {"X-AsyncDesk-Auto-Reply": "1"}),
        ("Ada <ada@clients.example>", {"Return-Path": "<>"}),
        ("Shop <noreply@shop.example>", {}),
        ("Mail Delivery System <MAILER-DAEMON@mx.example>", {}),
        ("Ada <ada@clients.example>", {"Reply-To": "no-reply@clients.example"}),
    ],
    ids=[
        "list-id",
        "list-unsubscribe",
        "bulk",
        "auto-generated",
        "auto-replied",
        "our-marker",
        "empty-return-path",
        "noreply",
        "mailer-daemon",
        "reply-to-noreply",
    ],
)
def test_lists_bulk_and_automated_mail_get_none(
    mailbox: Mailbox, smtp_server: SmtpServer, sender: str, headers: dict[str, str]
) -> None:
    msgid = mail(mailbox, BERLIN_WED_1200, sender=sender, headers=headers)
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=5))
    assert smtp_server.messages == []
    assert records(mailbox) == []
    assert msgid in inbound(mailbox)


def test_none_inside_a_window(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    at = datetime(2026, 11, 18, 8, 10, tzinfo=UTC)  # Wed 09:10 CET
    mail(mailbox, at)
    sync(mailbox, at + timedelta(minutes=5))
    assert smtp_server.messages == []
    assert records(mailbox) == []


def test_none_for_mail_that_came_in_a_window_and_is_synced_after_it(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    at = datetime(2026, 11, 18, 8, 10, tzinfo=UTC)  # Wed 09:10 CET, seen in the window
    mail(mailbox, at)
    sync(mailbox, at + timedelta(hours=1))  # 10:10, closed
    assert smtp_server.messages == []


def test_none_when_disabled(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    assert main(["autoreply", "off", "--profile", str(mailbox.root)]) == 0
    mail(mailbox, BERLIN_WED_1200)
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=5))
    assert smtp_server.messages == []
    assert records(mailbox) == []


def test_none_to_my_own_messages(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    mail(mailbox, BERLIN_WED_1200, sender=f"Me <{mailbox.user}>")
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=5))
    assert smtp_server.messages == []


# ------------------------------------------------------------------------------ failures


class Killed(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def test_a_crash_between_claim_and_send_never_sends_later(
    mailbox: Mailbox, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(*_args: object, **_kwargs: object) -> None:
        raise Killed

    mail(mailbox, BERLIN_WED_1200)
    with monkeypatch.context() as patched:
        patched.setattr(auto_replies, "send_raw", die)
        with mailbox.store() as store, pytest.raises(Killed):
            sync_accounts(store, FixedClock(BERLIN_WED_1200), profile_secrets(store))
    (record,) = records(mailbox)
    assert record.state is AutoReplyState.QUEUED  # claimed, never confirmed

    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=1))
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=30))  # the claim is stale now
    assert smtp_server.messages == []
    (record,) = records(mailbox)
    assert (record.state, record.error) == (AutoReplyState.FAILED, INTERRUPTED)


def test_an_unreachable_server_is_a_failed_row_not_a_failed_sync(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    msgid = mail(mailbox, BERLIN_WED_1200)
    sync(mailbox, BERLIN_WED_1200 + timedelta(minutes=5))
    (record,) = records(mailbox)
    assert record.state is AutoReplyState.FAILED
    assert record.error is not None
    assert "cannot talk to" in record.error
    assert inbound(mailbox) == {msgid: (True, ReplyState.OPEN)}
