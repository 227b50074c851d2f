"""The IMAP source against a real private Dovecot (tests/servers/dovecot.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import Dovecot
from servers.net import free_port

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Message, ReplyState
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.base import SyncBatch
from asyncdesk.sources.imap import (
    AuthFailed,
    CertificateRejected,
    ConnectionFailed,
    ImapSettings,
    ImapSource,
    connect,
)
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages, inbox_page

ME = "me@example.com"


def raw_mail(
    msgid: str | None,
    *,
    sender: str = "Client <client@example.org>",
    to: str = ME,
    subject: str = "Hello",
    in_reply_to: str | None = None,
    date: str = "Mon, 16 Nov 2026 09:00:00 +0000",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = date
    if msgid is not None:
        message["Message-ID"] = f"<{msgid}>"
    if in_reply_to is not None:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content("Could you have a look?\n")
    return bytes(message)


def account(dovecot: Dovecot, user: str, **config: object) -> Account:
    base: dict[str, object] = {
        "host": dovecot.host,
        "port": dovecot.plain_port,
        "security": "plain",
        "user": user,
        "timeout": 5,
    }
    base.update(config)
    return Account("work", AccountKind.EMAIL, (ME,), base)


def settings(dovecot: Dovecot, user: str, **config: object) -> ImapSettings:
    return ImapSettings.from_account(account(dovecot, user, **config))


@pytest.fixture
def source(dovecot: Dovecot, mail_user: tuple[str, str]) -> Iterator[ImapSource]:
    user, password = mail_user
    imap = ImapSource(account(dovecot, user), password)
    yield imap
    imap.close()


def run(source: ImapSource, stream: str, cursor: str | None) -> tuple[list[Message], str | None]:
    batches: list[SyncBatch] = list(source.sync(stream, cursor))
    messages = [message for batch in batches for message in batch.messages]
    return messages, (batches[-1].cursor if batches else cursor)


# ------------------------------------------------------------------------- connecting


def test_connect_plain(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    user, password = mail_user
    client = connect(settings(dovecot, user), password)
    assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0
    client.logout()


def test_connect_starttls_with_pinned_certificate(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    user, password = mail_user
    pinned = settings(dovecot, user, security="starttls", trusted_cert_sha256=dovecot.cert_sha256)
    client = connect(pinned, password)
    assert client.socket().version() is not None  # TLS on
    client.logout()


def test_connect_implicit_tls_with_pinned_certificate(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    user, password = mail_user
    fingerprint = ":".join(
        dovecot.cert_sha256.upper()[i : i + 2] for i in range(0, 64, 2)
    )  # the colon form users copy from browsers works too
    pinned = settings(
        dovecot, user, security="tls", port=dovecot.tls_port, trusted_cert_sha256=fingerprint
    )
    client = connect(pinned, password)
    client.logout()


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_self_signed_certificate_refused_by_default(
    dovecot: Dovecot, mail_user: tuple[str, str], security: str
) -> None:
    user, password = mail_user
    port = dovecot.tls_port if security == "tls" else dovecot.plain_port
    with pytest.raises(CertificateRejected) as caught:
        connect(settings(dovecot, user, security=security, port=port), password)
    text = caught.value.message
    assert dovecot.cert_sha256 in text
    assert "\n" not in text
    assert password not in text


def test_wrong_fingerprint_refused(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    user, password = mail_user
    wrong = settings(
        dovecot, user, security="tls", port=dovecot.tls_port, trusted_cert_sha256="ab" * 32
    )
    with pytest.raises(CertificateRejected, match=dovecot.cert_sha256):
        connect(wrong, password)


def test_wrong_password(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    user, _ = mail_user
    with pytest.raises(AuthFailed) as caught:
        connect(settings(dovecot, user), "not-the-password-ünï")
    text = caught.value.message
    assert text == (
        f"wrong user name or password for imap://{user}@{dovecot.host}:{dovecot.plain_port}"
    )
    assert "not-the-password" not in text


def test_non_ascii_password(dovecot: Dovecot) -> None:
    user, password = dovecot.add_user("unicode", "pässwörd-ß")
    connect(settings(dovecot, user), password).logout()


def test_server_down(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    user, password = mail_user
    dovecot.stop()
    with pytest.raises(ConnectionFailed) as caught:
        connect(settings(dovecot, user), password)
    text = caught.value.message
    assert f"{dovecot.host}:{dovecot.plain_port}" in text
    assert "refused" in text
    assert "\n" not in text
    assert password not in text


def test_nobody_listening_on_tls_port(mail_user: tuple[str, str], dovecot: Dovecot) -> None:
    user, password = mail_user
    port = free_port()
    with pytest.raises(ConnectionFailed, match=f":{port}: connection refused"):
        connect(settings(dovecot, user, security="tls", port=port), password)


# ------------------------------------------------------------------------------ sync


def test_streams(source: ImapSource) -> None:
    assert source.streams() == ["INBOX", "Sent"]


def test_first_sync(dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource) -> None:
    user, _ = mail_user
    before = datetime.now(UTC).replace(microsecond=0)
    dovecot.deliver(user, raw_mail("a@x", subject="First"))
    dovecot.deliver(user, raw_mail("b@x", sender="Bo <BO@Example.org>", subject="Second"))
    dovecot.deliver(
        user,
        raw_mail("r@me", sender=ME, to="c@example.org", subject="Re: First", in_reply_to="a@x"),
        folder="Sent",
    )
    after = datetime.now(UTC) + timedelta(seconds=1)

    inbox, _ = run(source, "INBOX", None)
    sent, _ = run(source, "Sent", None)

    by_id = {message.remote_id: message for message in [*inbox, *sent]}
    assert sorted(by_id) == ["in:a@x", "in:b@x", "sent:r@me"]
    assert len(inbox) == 2
    assert len(sent) == 1
    first, second, reply = by_id["in:a@x"], by_id["in:b@x"], by_id["sent:r@me"]
    assert (first.sender.address, first.sender.name, first.subject) == (
        "client@example.org",
        "Client",
        "First",
    )
    assert second.sender.address == "bo@example.org"
    for message in (first, second, reply):
        assert before <= message.received_at <= after
        assert message.received_at.tzinfo is UTC
    assert first.direction is Direction.INBOUND
    assert reply.direction is Direction.OUTBOUND
    assert reply.conversation == first.conversation == "a@x"
    assert second.conversation == "b@x"


def test_from_identity_in_inbox_is_outbound(
    dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource
) -> None:
    user, _ = mail_user
    dovecot.deliver(user, raw_mail("self@x", sender=f"Me <{ME.upper()}>"))
    (message,), _ = run(source, "INBOX", None)
    assert message.direction is Direction.OUTBOUND


def test_incremental_sync(dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource) -> None:
    user, _ = mail_user
    dovecot.deliver(user, raw_mail("a@x"))
    dovecot.deliver(user, raw_mail("b@x"))
    first, cursor = run(source, "INBOX", None)
    assert len(first) == 2

    again, cursor_again = run(source, "INBOX", cursor)
    assert again == []
    assert cursor_again == cursor

    dovecot.deliver(user, raw_mail("c@x"))
    new, _ = run(source, "INBOX", cursor)
    assert [message.remote_id for message in new] == ["in:c@x"]


def test_batches_advance_the_cursor(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    user, password = mail_user
    for i in range(5):
        dovecot.deliver(user, raw_mail(f"m{i}@x"))
    source = ImapSource(account(dovecot, user), password, batch_size=2)
    try:
        batches = list(source.sync("INBOX", None))
        assert [len(batch.messages) for batch in batches] == [2, 2, 1]
        assert [(batch.done, batch.total) for batch in batches] == [(2, 5), (4, 5), (5, 5)]
        # Resuming after the first batch returns the rest, once.
        rest, _ = run(source, "INBOX", batches[0].cursor)
        assert [m.remote_id for m in rest] == ["in:m2@x", "in:m3@x", "in:m4@x"]
    finally:
        source.close()


def test_uidvalidity_reset_keeps_remote_ids(
    dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource
) -> None:
    user, _ = mail_user
    dovecot.deliver(user, raw_mail("a@x"))
    dovecot.deliver(user, raw_mail(None, subject="No id"))
    first, cursor = run(source, "INBOX", None)

    dovecot.reset_uidvalidity(user)  # also disconnects the source's session
    source.close()
    again, new_cursor = run(source, "INBOX", cursor)

    assert sorted(m.remote_id for m in again) == sorted(m.remote_id for m in first)
    assert new_cursor != cursor
    assert any(m.remote_id.startswith("in:") and m.message_id is None for m in again)


def test_dropped_session_is_connection_failed(
    dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource
) -> None:
    user, _ = mail_user
    dovecot.deliver(user, raw_mail("a@x"))
    run(source, "INBOX", None)
    dovecot.stop()
    with pytest.raises(ConnectionFailed):
        run(source, "INBOX", None)
    dovecot.start()
    messages, _ = run(source, "INBOX", None)  # reconnects on the next sync
    assert len(messages) == 1


def test_garbage_headers_still_returned(
    dovecot: Dovecot, mail_user: tuple[str, str], source: ImapSource
) -> None:
    user, _ = mail_user
    garbage = (
        b"From: =?bogus?Q?=FF=FE?= <<<@@>\r\n"
        b"Subject: \xff\xfe\x00broken\r\n"
        b"Date: yesterday-ish\r\n"
        b"this is not a header\r\n"
        b"Message-ID: no brackets at all\r\n"
        b"\r\n"
        b"body\r\n"
    )
    dovecot.deliver(user, garbage)
    dovecot.deliver(user, raw_mail("ok@x"))
    messages, _ = run(source, "INBOX", None)
    assert len(messages) == 2
    assert "in:ok@x" in {m.remote_id for m in messages}


# ------------------------------------------------------------------- through the store


def test_sync_into_store(dovecot: Dovecot, mail_user: tuple[str, str], tmp_path: Path) -> None:
    user, password = mail_user
    dovecot.deliver(user, raw_mail("a@x", subject="Question"))
    dovecot.deliver(user, raw_mail("b@x", subject="Other"))
    time.sleep(1.1)  # INTERNALDATE has whole seconds: the reply must be later
    dovecot.deliver(
        user,
        raw_mail("r@me", sender=ME, to="client@example.org", subject="Re: Q", in_reply_to="a@x"),
        folder="Sent",
    )
    store = Store.open(tmp_path / "profile")
    clock = FixedClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    with store.writing() as session:
        stored = add_account(session, account(dovecot, user), clock.now())
    source = ImapSource(stored, password)
    try:
        first = sync_source(store, source, clock)
        assert first.new_messages == 3
        with store.reading() as session:
            assert count_messages(session) == 3
        second = sync_source(store, source, clock)
        assert second.new_messages == 0
        with store.reading() as session:
            assert count_messages(session) == 3
            states = {m.subject: m.state for m in inbox_page(session, 10)}
        assert states == {"Question": ReplyState.REPLIED, "Other": ReplyState.OPEN}
    finally:
        source.close()
        store.close()


def test_folders_the_user_picked_are_synced_too(
    dovecot: Dovecot, mail_user: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    user, password = mail_user
    admin = connect(settings(dovecot, user), password)
    try:
        admin.create_folder("Clients")
    finally:
        admin.logout()
    dovecot.deliver(user, raw_mail("c@x", subject="From a client"), folder="Clients")
    picked = ImapSource(account(dovecot, user, folders=["Clients", "Gone"]), password)
    try:
        assert picked.streams() == ["INBOX", "Sent", "Clients"]
        assert "folder 'Gone' of work is not on the server" in caplog.text
        messages, _ = run(picked, "Clients", None)
    finally:
        picked.close()
    assert [(m.subject, m.direction) for m in messages] == [("From a client", Direction.INBOUND)]
