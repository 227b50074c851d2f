"""Reply-by deadlines from a real mailbox: threads, Sent replies and rules (Dovecot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from servers.dovecot import Dovecot
from test_imap_source import account

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services import deadlines as service
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.imap import ImapSource, connect
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage, inbox_page

ME = "me@example.com"
MON = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def mail(
    msgid: str,
    sender: str,
    subject: str,
    *,
    to: str = ME,
    parent: str | None = None,
    references: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<{msgid}>"
    if parent is not None:
        message["In-Reply-To"] = f"<{parent}>"
        message["References"] = references or f"<{parent}>"
    message.set_content("Could you have a look?\n")
    return bytes(message)


def seed(dovecot: Dovecot, user: str, password: str) -> None:
    """Two threads from clients.example, one from other.example, a newsletter, and the
    user's replies in Sent; INTERNALDATEs set by APPEND."""
    client = connect(account_settings(dovecot, user), password)
    try:
        inbox = [
            ("t1@x", "Ada <ada@clients.example>", "Offer", None, MON),
            ("t1b@x", "Ada <ada@clients.example>", "Re: Offer", "t1@x", MON + 2 * H),
            ("t2@x", "Cy <cy@clients.example>", "Invoice", None, MON + 3 * H),
            ("t3@x", "Bob <bob@other.example>", "Lunch?", None, MON + 4 * H),
        ]
        for msgid, sender, subject, parent, when in inbox:
            client.append("INBOX", mail(msgid, sender, subject, parent=parent), msg_time=when)
        news = mail("n@x", "News <news@list.example>", "Weekly")
        news = b"List-Id: <weekly.list.example>\r\n" + news
        client.append("INBOX", news, msg_time=MON + H)
        # The user answers Ada's second message: both of Ada's are answered.
        reply = mail(
            "r1@x",
            ME,
            "Re: Offer",
            to="ada@clients.example",
            parent="t1b@x",
            references="<t1@x> <t1b@x>",
        )
        client.append("Sent", reply, msg_time=MON + 5 * H)
    finally:
        client.logout()


def account_settings(dovecot: Dovecot, user: str):  # type: ignore[no-untyped-def]
    from asyncdesk.sources.imap import ImapSettings

    return ImapSettings.from_account(account(dovecot, user))


def messages(store: Store) -> dict[str, StoredMessage]:
    with store.reading() as session:
        return {m.subject: m for m in inbox_page(session, 100)}


def test_threads_replies_and_a_domain_rule(
    dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path
) -> None:
    user, password = mail_user
    seed(dovecot, user, password)
    store = Store.open(tmp_path / "profile")
    clock = FixedClock(MON + 6 * H)
    with store.writing() as session:
        stored = add_account(session, account(dovecot, user), clock.now())
    source = ImapSource(stored, password)
    try:
        sync_source(store, source, clock)
    finally:
        source.close()

    found = messages(store)
    assert {s: (m.needs_reply, m.state) for s, m in found.items()} == {
        "Offer": (True, ReplyState.REPLIED),
        "Re: Offer": (True, ReplyState.REPLIED),
        "Invoice": (True, ReplyState.OPEN),
        "Lunch?": (True, ReplyState.OPEN),
        "Weekly": (False, None),
    }
    # Due 48 hours after INTERNALDATE; an answered one keeps its deadline (late or not).
    assert {s: m.due_at for s, m in found.items()} == {
        "Offer": MON + 48 * H,
        "Re: Offer": MON + 50 * H,
        "Invoice": MON + 51 * H,
        "Lunch?": MON + 52 * H,
        "Weekly": None,
    }
    assert [c.subject for c in service.deadlines(store, clock.now())] == ["Invoice", "Lunch?"]

    # A promise for clients.example moves only that domain's open deadline.
    service.add_sla_rule(store, clock, "domain", "clients.example", 4 * H)
    found = messages(store)
    assert found["Invoice"].due_at == MON + 7 * H
    assert found["Lunch?"].due_at == MON + 52 * H
    assert found["Offer"].due_at == MON + 48 * H  # answered: not moved
    assert [c.subject for c in service.deadlines(store, clock.now() + 2 * H, overdue=True)] == [
        "Invoice"
    ]
    store.close()
