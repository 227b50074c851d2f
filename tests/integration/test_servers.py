"""The real-server fixtures behave like the servers the app will meet.

Talks to them with imapclient and smtplib directly (no AsyncDesk code), so a failure
here is about the fixtures or the machine, not the app.
"""

from __future__ import annotations

import email.policy
import hashlib
import smtplib
import socket
import ssl
import time
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import LoginError
from imapclient.imapclient import SENT
from servers.dovecot import Dovecot, find_dovecot
from servers.smtp import SmtpServer

TIMEOUT = SocketTimeout(connect=5, read=10)


def _message(subject: str = "Hello", to: str = "bob@example.test") -> bytes:
    msg = EmailMessage()
    msg["From"] = "alice@example.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{time.monotonic_ns()}@example.test>"
    msg.set_content("Body text.\n")
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF line ends, as on the wire


def _plain(server: Dovecot) -> IMAPClient:
    return IMAPClient(server.host, port=server.plain_port, ssl=False, timeout=TIMEOUT)


def _login(server: Dovecot, user: tuple[str, str]) -> IMAPClient:
    client = _plain(server)
    client.login(*user)
    return client


def _peer_sha256(sock: ssl.SSLSocket) -> str:
    der = sock.getpeercert(binary_form=True)
    assert der is not None
    return hashlib.sha256(der).hexdigest()


# -- IMAP: connecting and logging in -------------------------------------------------


def test_imap_plain_login_and_capabilities(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    client = _plain(dovecot)
    try:
        before = set(client.capabilities())
        assert {b"STARTTLS", b"IDLE", b"AUTH=PLAIN"} <= before
        client.login(*mail_user)
        after = set(client.capabilities())
        assert {b"IDLE", b"CONDSTORE", b"QRESYNC", b"SPECIAL-USE", b"UIDPLUS", b"MOVE"} <= after
    finally:
        client.logout()


def test_imap_starttls_trusting_the_fixture_cert(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    client = _plain(dovecot)
    try:
        client.starttls(dovecot.client_ssl_context())
        assert _peer_sha256(client.socket()) == dovecot.cert_sha256
        client.login(*mail_user)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        client.logout()


def test_imap_implicit_tls_trusting_the_fixture_cert(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    context = dovecot.client_ssl_context()
    with IMAPClient(
        dovecot.host, port=dovecot.tls_port, ssl=True, ssl_context=context, timeout=TIMEOUT
    ) as client:
        assert _peer_sha256(client.socket()) == dovecot.cert_sha256
        assert len(dovecot.cert_sha256) == 64
        assert dovecot.cert_sha256 == dovecot.cert_sha256.lower()
        client.login(*mail_user)
        assert client.noop()


def test_default_trust_store_refuses_the_self_signed_cert(dovecot: Dovecot) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.tls_port, ssl=True, timeout=TIMEOUT)
    client = _plain(dovecot)
    with pytest.raises(ssl.SSLCertVerificationError):
        client.starttls()
    client.socket().close()  # the failed handshake left imaplib half torn down


def test_wrong_password_is_refused_without_slowing_the_next_login(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    user, password = mail_user
    for _ in range(2):  # Dovecot 2.3 answers each failure after ~0.5 s (batched), no more
        client = _plain(dovecot)
        with pytest.raises(LoginError):
            client.login(user, password + "x")
        client.shutdown()
    began = time.monotonic()
    _login(dovecot, mail_user).logout()
    assert time.monotonic() - began < 1.0  # no failed-login penalty


def test_user_added_while_running_can_log_in(dovecot: Dovecot) -> None:
    user = dovecot.add_user("late")
    _login(dovecot, user).logout()


def test_non_ascii_password_needs_authenticate_plain(dovecot: Dovecot) -> None:
    user, password = dovecot.add_user("umlaut", "pässwörd")
    client = _plain(dovecot)
    try:
        with pytest.raises(UnicodeEncodeError):
            client.login(user, password)  # imaplib's LOGIN encodes arguments as ASCII
        client.plain_login(user, password)  # AUTHENTICATE PLAIN sends UTF-8
        assert client.noop()
    finally:
        client.logout()


# -- IMAP: folders, delivery, IDLE, UIDVALIDITY ----------------------------------------


def test_special_use_folders(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    client = _login(dovecot, mail_user)
    try:
        assert client.find_special_folder(SENT) == "Sent"
        flags = {name: set(f) for f, _, name in client.list_folders()}
        assert b"\\Drafts" in flags["Drafts"]
        assert b"\\Trash" in flags["Trash"]
        subscribed = {name for *_, name in client.list_sub_folders()}
        assert {"Sent", "Drafts", "Trash"} <= subscribed  # auto = subscribe
    finally:
        client.logout()


def test_deliver_is_seen_by_idle(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    client = _login(dovecot, mail_user)
    try:
        client.select_folder("INBOX")
        client.idle()
        began = time.monotonic()
        dovecot.deliver(mail_user[0], _message("While idling"))
        responses = client.idle_check(timeout=2)
        elapsed = time.monotonic() - began
        client.idle_done()
        assert (1, b"EXISTS") in responses, responses
        assert elapsed < 2
        [data] = client.fetch(client.search(), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"]).values()
        assert b"While idling" in data[b"BODY[HEADER.FIELDS (SUBJECT)]"]
    finally:
        client.logout()


def test_deliver_into_a_folder(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    dovecot.deliver(mail_user[0], _message("Sent by me"), folder="Sent")
    client = _login(dovecot, mail_user)
    try:
        assert client.folder_status("Sent", [b"MESSAGES"])[b"MESSAGES"] == 1
        assert client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 0
    finally:
        client.logout()


def test_reset_uidvalidity_gives_new_uidvalidity_and_keeps_mail(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    user = mail_user[0]
    for n in range(3):
        dovecot.deliver(user, _message(f"Inbox {n}"))
    dovecot.deliver(user, _message("Sent"), folder="Sent")
    client = _login(dovecot, mail_user)
    client.select_folder("INBOX")
    client.delete_messages([1])
    client.expunge()  # so the UIDs are 2, 3 before the reset
    before = {f: client.folder_status(f, [b"UIDVALIDITY"])[b"UIDVALIDITY"] for f in ("Sent",)}
    inbox_before = client.select_folder("INBOX")
    assert client.search() == [2, 3]

    dovecot.reset_uidvalidity(user)  # disconnects the session above

    with pytest.raises((OSError, IMAPClient.AbortError)):
        client.noop()
    client.shutdown()
    client = _login(dovecot, mail_user)
    try:
        inbox_after = client.select_folder("INBOX")
        assert inbox_after[b"UIDVALIDITY"] != inbox_before[b"UIDVALIDITY"]
        assert client.search() == [1, 2]  # same two messages, new UIDs
        sent_after = client.folder_status("Sent", [b"UIDVALIDITY", b"MESSAGES"])
        assert sent_after[b"UIDVALIDITY"] != before["Sent"]
        assert sent_after[b"MESSAGES"] == 1
    finally:
        client.logout()


# -- IMAP: the server going away -----------------------------------------------------


def test_stop_and_start_on_the_same_ports(dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    dovecot.deliver(mail_user[0], _message("Survives restarts"))
    ports = (dovecot.plain_port, dovecot.tls_port)
    client = _login(dovecot, mail_user)
    client.select_folder("INBOX")
    uids = client.search()

    dovecot.stop()
    assert not dovecot.running
    with pytest.raises((OSError, IMAPClient.AbortError)):
        client.fetch(uids, ["RFC822"])
    client.shutdown()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((dovecot.host, ports[0]), timeout=2).close()

    dovecot.start()
    assert (dovecot.plain_port, dovecot.tls_port) == ports
    client = _login(dovecot, mail_user)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 1
    finally:
        client.logout()


def test_kill_leaves_no_process_and_can_start_again(
    dovecot: Dovecot, mail_user: tuple[str, str]
) -> None:
    client = _login(dovecot, mail_user)  # an imap process exists too
    client.select_folder("INBOX")
    assert len(dovecot.pids()) >= 6  # master, log, config, anvil, auth, stats, imap...
    dovecot.kill()
    assert dovecot.pids() == []
    with pytest.raises((OSError, IMAPClient.AbortError)):
        client.noop()
    client.shutdown()
    dovecot.start()
    _login(dovecot, mail_user).logout()


@pytest.mark.skipif(find_dovecot() is None, reason="dovecot is not installed")
def test_close_removes_everything() -> None:
    server = Dovecot()
    assert server.root.exists()
    try:
        server.start()
        group = server.process_group
        assert server.pids()
    finally:
        server.close()
    assert not server.root.exists()
    assert group is not None
    assert Dovecot.pids_in_group(group) == []


# -- SMTP ----------------------------------------------------------------------------


def _smtp(server: SmtpServer) -> smtplib.SMTP:
    return smtplib.SMTP(server.host, server.port, timeout=5)


def test_smtp_requires_auth(smtp_server: SmtpServer) -> None:
    with _smtp(smtp_server) as client:
        client.ehlo()
        assert client.has_extn("auth")
        assert client.has_extn("starttls")
        code, _ = client.mail("alice@example.test")
        assert code == 530
    assert smtp_server.messages == []


def test_smtp_wrong_password_is_refused_quickly(
    smtp_server: SmtpServer, smtp_user: tuple[str, str]
) -> None:
    began = time.monotonic()
    with _smtp(smtp_server) as client, pytest.raises(smtplib.SMTPAuthenticationError) as info:
        client.login(smtp_user[0], smtp_user[1] + "x")
    assert info.value.smtp_code == 535
    assert time.monotonic() - began < 2


def test_smtp_records_sent_message(smtp_server: SmtpServer, smtp_user: tuple[str, str]) -> None:
    raw = _message("Recorded", to="bob@example.test")
    with _smtp(smtp_server) as client:
        client.login(*smtp_user)
        client.sendmail("alice@example.test", ["bob@example.test", "carol@example.test"], raw)
    [received] = smtp_server.wait_for(1, timeout=5)
    assert received.mail_from == "alice@example.test"
    assert received.rcpt_tos == ("bob@example.test", "carol@example.test")
    assert received.auth_user == smtp_user[0]
    assert received.message["Subject"] == "Recorded"
    assert received.message["To"] == "bob@example.test"
    assert received.raw == raw


def test_smtp_wait_for_times_out(smtp_server: SmtpServer) -> None:
    with pytest.raises(TimeoutError):
        smtp_server.wait_for(1, timeout=0.1)


def test_smtp_starttls(smtp_server: SmtpServer, smtp_user: tuple[str, str]) -> None:
    with _smtp(smtp_server) as client:
        client.starttls(context=smtp_server.client_ssl_context())
        assert isinstance(client.sock, ssl.SSLSocket)
        assert _peer_sha256(client.sock) == smtp_server.cert_sha256
        client.login(*smtp_user)
        client.sendmail("alice@example.test", ["bob@example.test"], _message("Over TLS"))
    assert smtp_server.wait_for(1)[0].message["Subject"] == "Over TLS"


def test_smtp_starttls_default_trust_store_refuses(smtp_server: SmtpServer) -> None:
    with _smtp(smtp_server) as client, pytest.raises(ssl.SSLCertVerificationError):
        client.starttls(context=ssl.create_default_context())


def test_smtp_implicit_tls(smtp_tls_server: SmtpServer, smtp_user: tuple[str, str]) -> None:
    context = smtp_tls_server.client_ssl_context()
    with smtplib.SMTP_SSL(
        smtp_tls_server.host, smtp_tls_server.port, context=context, timeout=5
    ) as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        assert client.mail("alice@example.test")[0] == 530
        client.rset()
        client.login(*smtp_user)
        client.sendmail("alice@example.test", ["bob@example.test"], _message("Implicit"))
    assert smtp_tls_server.wait_for(1)[0].message["Subject"] == "Implicit"
    default = ssl.create_default_context()
    with pytest.raises(ssl.SSLCertVerificationError):
        smtplib.SMTP_SSL(smtp_tls_server.host, smtp_tls_server.port, context=default, timeout=5)


def test_smtplib_without_a_context_verifies_nothing(smtp_tls_server: SmtpServer) -> None:
    """A trap for the app: smtplib's default context is CERT_NONE (imaplib's too)."""
    with smtplib.SMTP_SSL(smtp_tls_server.host, smtp_tls_server.port, timeout=5) as client:
        assert client.noop()[0] == 250
