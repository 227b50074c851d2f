"""Replying: the outbox, SMTP (aiosmtpd requiring AUTH) and the Sent folder (a real Dovecot).

What a user notices is asserted: the headers the recipient gets, one copy in Sent marked
read, the answered message ``replied`` at once and still once after the next sync, and,
when things go wrong (a refused recipient, a server down, an answer lost), a reply that
is neither lost nor delivered twice. ``kill -9`` of the reply command at random moments
is in the fault suite, tests/e2e/test_sync_faults.py.

The mailbox has one login for IMAP and SMTP (as most providers do), so the account's
one password in the keyring serves both. The keyring is keyrings.alt's plaintext file
under the test's XDG_DATA_HOME (tests/conftest.py), which subprocesses inherit.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import io
import json
import os
import pty
import secrets
import select
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from imapclient import IMAPClient
from servers.dovecot import Dovecot
from servers.smtp import SmtpServer, _Recorder
from servers.tls import SelfSignedCert

from asyncdesk.cli import main
from asyncdesk.core.clock import SystemClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services.accounts import (
    add_imap_account,
    build_imap_account,
    profile_secrets,
    sync_accounts,
)
from asyncdesk.services.reply import (
    flush_outbox,
    pending_replies,
    reply,
    retry_reply,
)
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.sources.imap import ImapSettings
from asyncdesk.sources.imap_append import file_in_sent
from asyncdesk.store import outbox
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages, inbox_page
from asyncdesk.store.outbox import OutboxState

CLOCK = SystemClock()


# ------------------------------------------------------------------------------- helpers


def question(n: int, to: str, *, cc: str | None = None, reply_to: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {n} <client{n}@example.org>"
    message["To"] = to
    if cc is not None:
        message["Cc"] = cc
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Subject"] = f"Question {n}"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<q{n}-{secrets.token_hex(4)}@example.org>"
    message["References"] = f"<root{n}@example.org>"
    message.set_content("Could you have a look?\n")
    return bytes(message)


class Mailbox:
    """One user's IMAP and SMTP login, and the profile with an account for it."""

    def __init__(self, dovecot: Dovecot, smtp: SmtpServer, user: str, password: str, root: Path):
        self.dovecot = dovecot
        self.smtp = smtp
        self.user = user
        self.password = password
        self.root = root

    def deliver(self, raw: bytes) -> None:
        self.dovecot.deliver(self.user, raw)

    def store(self) -> Store:
        return Store.open(self.root)

    def sync(self) -> None:
        with self.store() as store:
            outcomes = sync_accounts(store, CLOCK, profile_secrets(store))
        assert [o.error for o in outcomes] == [None]

    def inbound(self) -> dict[str, tuple[int, ReplyState | None]]:
        """Subject -> (id, state) of every inbound message."""
        with self.store() as store, store.reading() as session:
            return {m.subject: (m.id, m.state) for m in inbox_page(session, 1000)}

    def message_count(self) -> int:
        with self.store() as store, store.reading() as session:
            return count_messages(session)

    def items(self) -> list[outbox.OutboxItem]:
        with self.store() as store, store.reading() as session:
            return outbox.items(session, list(OutboxState))

    def flush(self) -> Any:
        with self.store() as store:
            return flush_outbox(store, CLOCK, profile_secrets(store))

    def reply(self, message_pk: int, body: str = "Thanks, will do.\n", **kw: Any) -> Any:
        with self.store() as store:
            return reply(store, CLOCK, profile_secrets(store), message_pk, body, **kw)

    def sent_folder(self) -> list[tuple[str, set[bytes], datetime, bytes]]:
        """(Message-ID, flags, INTERNALDATE, raw) of every message in Sent."""
        client = IMAPClient(self.dovecot.host, port=self.dovecot.plain_port, ssl=False)
        client.normalise_times = False
        try:
            client.login(self.user, self.password)
            client.select_folder("Sent", readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"]) if uids else {}
        finally:
            client.logout()
        copies = []
        for data in fetched.values():
            raw = data[b"BODY[]"]
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            copies.append(
                (str(parsed["Message-ID"]), set(data[b"FLAGS"]), data[b"INTERNALDATE"], raw)
            )
        return copies


def make_mailbox(
    dovecot: Dovecot,
    smtp: SmtpServer,
    smtp_user: tuple[str, str],
    root: Path,
    **config: Any,
) -> Mailbox:
    user, password = smtp_user
    dovecot.add_user(user, password)
    account = build_imap_account(
        "work",
        host=dovecot.host,
        port=dovecot.plain_port,
        security="plain",
        user=user,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security="starttls",
        smtp_trust_cert=smtp.cert_sha256,
        display_name="Me Myself",
    )
    account.config.update(config)
    with Store.open(root) as store:
        add_imap_account(store, CLOCK, KeyringSecrets, account, password)
    return Mailbox(dovecot, smtp, user, password, root)


@pytest.fixture
def mailbox(
    dovecot: Dovecot, smtp_server: SmtpServer, smtp_user: tuple[str, str], tmp_path: Path
) -> Mailbox:
    return make_mailbox(dovecot, smtp_server, smtp_user, tmp_path / "profile")


class _Refusing(_Recorder):
    """Refuses the recipients in ``refuse`` at RCPT with ``answer`` (a permanent 550)."""

    def __init__(self, refuse: set[str], answer: str = "550 5.1.1 no such mailbox here") -> None:
        super().__init__()
        self.refuse = refuse
        self.answer = answer

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refuse:
            return self.answer
        envelope.rcpt_tos.append(address)
        return "250 OK"


class _Holding(_Recorder):
    """Records each message, then holds its 250 back until ``release`` is set: the
    moment a client may die with its message delivered but unconfirmed."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        return answer


@contextlib.contextmanager
def smtp_with(
    handler: _Recorder, smtp_user: tuple[str, str], smtp_cert: SelfSignedCert
) -> Iterator[SmtpServer]:
    server = SmtpServer(dict([smtp_user]), tls="starttls", cert=smtp_cert)
    server._recorder = handler  # the fixture's recorder, with one step changed
    server.start()
    try:
        yield server
    finally:
        if isinstance(handler, _Holding):
            handler.release.set()
        server.stop()


def asyncdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


def start_reply(root: Path, message_pk: int, body: str = "Thanks!\n") -> subprocess.Popen[bytes]:
    """``asyncdesk reply ID --body-stdin`` running, its body on stdin from a file."""
    path = root.parent / f"body-{secrets.token_hex(4)}.txt"
    path.write_text(body, encoding="utf-8")
    with path.open("rb") as stdin:
        return subprocess.Popen(
            [
                *asyncdesk_command(),
                "--profile",
                str(root),
                "reply",
                str(message_pk),
                "--body-stdin",
            ],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def received_ids(server: SmtpServer) -> Counter[str]:
    return Counter(str(m.message["Message-ID"]).strip("<>") for m in server.messages)


# ----------------------------------------------------------------------------- the path


def test_a_reply_is_sent_with_the_right_headers_and_filed_in_sent_once(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    mailbox.deliver(question(1, to=f"Me <{mailbox.user}>, colleague@example.org"))
    mailbox.deliver(question(2, to=mailbox.user))
    mailbox.sync()
    before = mailbox.message_count()
    (pk, state) = mailbox.inbound()["Question 1"]
    assert state is ReplyState.OPEN

    outcome = mailbox.reply(pk, "Thanks, I will look at it today.\n")
    assert outcome.ok
    assert outcome.state is OutboxState.FILED
    assert outcome.describe() == "sent reply to client1@example.org (Re: Question 1); filed in Sent"

    (received,) = smtp_server.wait_for(1)
    assert received.auth_user == mailbox.user
    assert received.mail_from == mailbox.user
    assert received.rcpt_tos == ("client1@example.org",)
    sent = received.message
    assert str(sent["From"]) == f"Me Myself <{mailbox.user}>"
    assert str(sent["To"]) == "Client 1 <client1@example.org>"
    assert sent["Cc"] is None
    assert sent["Subject"] == "Re: Question 1"
    original_id = sent["In-Reply-To"].strip("<>")
    assert original_id.startswith("q1-")
    assert sent["References"].split() == ["<root1@example.org>", f"<{original_id}>"]
    assert sent["Message-ID"] == f"<{outcome.message_id}>"
    assert outcome.message_id.endswith("@" + mailbox.user.rpartition("@")[2])
    date = parsedate_to_datetime(sent["Date"])
    assert abs((date - CLOCK.now()).total_seconds()) < 60
    assert sent.get_content().replace("\r\n", "\n") == "Thanks, I will look at it today.\n"

    # The answered message is replied at once; the other one is not.
    states = {subject: state for subject, (_id, state) in mailbox.inbound().items()}
    assert states == {"Question 1": ReplyState.REPLIED, "Question 2": ReplyState.OPEN}
    assert mailbox.message_count() == before + 1

    # One copy in Sent, read, dated by its Date header, byte for byte what was sent.
    ((message_id, flags, internaldate, raw),) = mailbox.sent_folder()
    assert message_id == sent["Message-ID"]
    assert b"\\Seen" in flags
    assert internaldate == date
    assert raw.replace(b"\r\n", b"\n") == received.raw.replace(b"\r\n", b"\n")

    # The next sync reads that copy back and adds nothing: same rows, still replied.
    mailbox.sync()
    mailbox.sync()
    assert mailbox.message_count() == before + 1
    assert mailbox.inbound()["Question 1"][1] is ReplyState.REPLIED
    (item,) = mailbox.items()
    assert (item.state, item.attempts, item.error) == (OutboxState.FILED, 1, None)
    with mailbox.store() as store:
        assert pending_replies(store) == []
    assert len(smtp_server.messages) == 1


def test_reply_all_copies_the_others_but_not_me(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    mailbox.deliver(
        question(
            3,
            to=f"{mailbox.user}, Colleague <colleague@example.org>",
            cc="third@example.org",
            reply_to="Team <team@example.org>",
        )
    )
    mailbox.sync()
    pk = mailbox.inbound()["Question 3"][0]
    outcome = mailbox.reply(pk, reply_all=True)
    assert outcome.ok, outcome.describe()
    (received,) = smtp_server.wait_for(1)
    sent = received.message
    assert [a.addr_spec for a in sent["To"].addresses] == ["team@example.org"]
    assert [a.addr_spec for a in sent["Cc"].addresses] == [
        "colleague@example.org",
        "third@example.org",
    ]
    assert set(received.rcpt_tos) == {
        "team@example.org",
        "colleague@example.org",
        "third@example.org",
    }
    assert mailbox.user not in received.rcpt_tos
    assert outcome.describe() == (
        "sent reply to team@example.org, cc colleague@example.org, third@example.org "
        "(Re: Question 3); filed in Sent"
    )


def test_names_and_subjects_beyond_ascii_survive(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    message = EmailMessage()
    message["From"] = "Jürgen Groß <juergen@example.de>"
    message["To"] = mailbox.user
    message["Subject"] = 'AW: Angebot für Müller, "Phase 2"'
    message["Message-ID"] = "<umlaut-1@example.de>"
    message.set_content("Bitte prüfen.\n")
    mailbox.deliver(bytes(message))
    mailbox.sync()
    ((subject, (pk, _state)),) = mailbox.inbound().items()
    assert subject == 'AW: Angebot für Müller, "Phase 2"'
    outcome = mailbox.reply(pk, "Gerne – bis Freitag.\n")
    assert outcome.ok, outcome.describe()
    sent = smtp_server.wait_for(1)[0].message
    assert str(sent["To"]) == "Jürgen Groß <juergen@example.de>"
    assert sent["Subject"] == 'Re: Angebot für Müller, "Phase 2"'
    assert sent["In-Reply-To"] == "<umlaut-1@example.de>"
    assert sent.get_content().replace("\r\n", "\n") == "Gerne – bis Freitag.\n"
    assert mailbox.sent_folder()[0][3].isascii()  # encoded for the wire, as sent


def test_reply_from_the_command_line(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    mailbox.deliver(question(4, to=mailbox.user))
    mailbox.sync()
    pk = mailbox.inbound()["Question 4"][0]
    before = mailbox.message_count()

    done = subprocess.run(
        [*asyncdesk_command(), "--profile", str(mailbox.root), "reply", str(pk), "--body-stdin"],
        input="Grüße, and thanks.\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        one_line(done.stdout) == "sent reply to client4@example.org (Re: Question 4); filed in Sent"
    )
    (received,) = smtp_server.wait_for(1)
    assert received.message.get_content().replace("\r\n", "\n") == "Grüße, and thanks.\n"

    synced = subprocess.run(
        [*asyncdesk_command(), "--profile", str(mailbox.root), "sync", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert synced.returncode == 0, synced.stderr
    listed = subprocess.run(
        [*asyncdesk_command(), "--profile", str(mailbox.root), "inbox", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["id"], row["state"]) == (pk, "replied")
    assert mailbox.message_count() == before + 1
    assert len(mailbox.sent_folder()) == 1
    assert len(smtp_server.messages) == 1
    # The password went from the keyring to the servers only: no file, log or output.
    needle = mailbox.password.encode()
    files = [path for path in mailbox.root.rglob("*") if path.is_file()]
    assert any(path.parent.name == "logs" and path.stat().st_size > 0 for path in files)
    assert [path.name for path in files if needle in path.read_bytes()] == []
    assert mailbox.password not in done.stdout + done.stderr + synced.stdout + synced.stderr


def test_reply_typed_on_a_terminal(mailbox: Mailbox, smtp_server: SmtpServer) -> None:
    """Without --body-stdin on a terminal: a prompt, then everything up to Ctrl-D."""
    mailbox.deliver(question(5, to=mailbox.user))
    mailbox.sync()
    pk = mailbox.inbound()["Question 5"][0]
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            [*asyncdesk_command(), "--profile", str(mailbox.root), "reply", str(pk)],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        os.close(slave)
        slave = -1
        assert process.stderr is not None
        # Type only once the prompt is out, so the line discipline does not echo early.
        ready, _, _ = select.select([process.stderr], [], [], 30)
        assert ready, "no prompt"
        prompt = os.read(process.stderr.fileno(), 4096).decode()
        assert "Ctrl-D" in prompt
        os.write(master, b"First line\nsecond line\n\x04")
        out, err = process.communicate(timeout=60)
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    assert process.returncode == 0, err
    assert one_line(out.decode()).startswith("sent reply to client5@example.org")
    (received,) = smtp_server.wait_for(1)
    assert received.message.get_content().replace("\r\n", "\n") == "First line\nsecond line\n"


# --------------------------------------------------------------------------- failures


def test_a_refused_recipient_fails_the_reply_and_nothing_is_filed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    smtp_user: tuple[str, str],
    smtp_cert: SelfSignedCert,
    tmp_path: Path,
) -> None:
    with smtp_with(_Refusing({"client6@example.org"}), smtp_user, smtp_cert) as server:
        mailbox = make_mailbox(dovecot, server, smtp_user, tmp_path / "profile")
        mailbox.deliver(question(6, to=mailbox.user))
        mailbox.sync()
        pk = mailbox.inbound()["Question 6"][0]
        before = mailbox.message_count()

        monkeypatch.setattr("sys.stdin", io.StringIO("No.\n"))
        code = main(["--profile", str(mailbox.root), "reply", str(pk), "--body-stdin"])
        out, err = capsys.readouterr()
        assert (code, out) == (1, "")
        line = one_line(err)
        assert line.startswith("asyncdesk: reply to client6@example.org (Re: Question 6) refused")
        assert "550" in line
        assert "nothing was sent" in line
        assert server.messages == []

    (item,) = mailbox.items()
    assert item.state is OutboxState.FAILED
    assert "550" in (item.error or "")
    assert mailbox.sent_folder() == []
    # Nothing reached anyone: the question is open again, and no reply is stored.
    assert mailbox.inbound()["Question 6"][1] is ReplyState.OPEN
    assert mailbox.message_count() == before
    # A later flush leaves a failed reply alone.
    result = mailbox.flush()
    assert (result.sent, result.failed, result.filed) == (0, 0, 0)
    assert mailbox.items()[0].state is OutboxState.FAILED


def test_a_partly_refused_reply_all_is_sent_filed_and_says_who_missed_it(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    smtp_user: tuple[str, str],
    smtp_cert: SelfSignedCert,
    tmp_path: Path,
) -> None:
    with smtp_with(_Refusing({"gone@example.org"}), smtp_user, smtp_cert) as server:
        mailbox = make_mailbox(dovecot, server, smtp_user, tmp_path / "profile")
        mailbox.deliver(question(7, to=mailbox.user, cc="gone@example.org"))
        mailbox.sync()
        pk = mailbox.inbound()["Question 7"][0]
        monkeypatch.setattr("sys.stdin", io.StringIO("Noted.\n"))
        code = main(["--profile", str(mailbox.root), "reply", str(pk), "--body-stdin", "--all"])
        out, err = capsys.readouterr()
        assert (code, out) == (1, "")
        line = one_line(err)
        assert "sent, but" in line
        assert "gone@example.org" in line
        assert line.endswith("; filed in Sent")
        (received,) = server.wait_for(1)
        assert received.rcpt_tos == ("client7@example.org",)
    (item,) = mailbox.items()
    assert item.state is OutboxState.FILED
    assert len(mailbox.sent_folder()) == 1
    assert mailbox.inbound()["Question 7"][1] is ReplyState.REPLIED


def test_a_temporary_refusal_keeps_the_reply_queued_for_a_later_flush(
    dovecot: Dovecot, smtp_user: tuple[str, str], smtp_cert: SelfSignedCert, tmp_path: Path
) -> None:
    greylist = _Refusing({"client13@example.org"}, "451 4.7.1 greylisted, try again later")
    with smtp_with(greylist, smtp_user, smtp_cert) as server:
        mailbox = make_mailbox(dovecot, server, smtp_user, tmp_path / "profile")
        mailbox.deliver(question(13, to=mailbox.user))
        mailbox.sync()
        outcome = mailbox.reply(mailbox.inbound()["Question 13"][0])
        assert outcome.state is OutboxState.QUEUED
        assert "451" in outcome.describe()
        assert "stays queued" in outcome.describe()
        assert server.messages == []

        greylist.refuse.clear()
        result = mailbox.flush()
        assert (result.sent, result.filed, result.queued) == (1, 1, 0)
        assert received_ids(server) == Counter({outcome.message_id: 1})
        assert len(mailbox.sent_folder()) == 1


def test_smtp_down_keeps_the_reply_queued_and_a_later_flush_sends_it_once(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mailbox: Mailbox,
    smtp_server: SmtpServer,
) -> None:
    mailbox.deliver(question(8, to=mailbox.user))
    mailbox.sync()
    pk = mailbox.inbound()["Question 8"][0]
    smtp_server.stop()

    monkeypatch.setattr("sys.stdin", io.StringIO("Later.\n"))
    code = main(["--profile", str(mailbox.root), "reply", str(pk), "--body-stdin"])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    line = one_line(err)
    assert "connection refused" in line
    assert "stays queued" in line
    (item,) = mailbox.items()
    assert (item.state, item.attempts) == (OutboxState.QUEUED, 1)
    assert mailbox.sent_folder() == []
    # The user answered it; it shows so while the reply waits in the outbox.
    assert mailbox.inbound()["Question 8"][1] is ReplyState.REPLIED

    smtp_server.start()  # back, on the same port
    result = mailbox.flush()
    assert (result.sent, result.filed, result.queued, result.errors) == (1, 1, 0, [])
    result = mailbox.flush()
    assert (result.sent, result.filed) == (0, 0)
    assert received_ids(smtp_server) == Counter({item.message_id: 1})
    assert len(mailbox.sent_folder()) == 1
    assert mailbox.items()[0].state is OutboxState.FILED


def test_the_next_sync_sends_what_waited_in_the_outbox(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mailbox: Mailbox,
    smtp_server: SmtpServer,
) -> None:
    mailbox.deliver(question(9, to=mailbox.user))
    mailbox.sync()
    pk = mailbox.inbound()["Question 9"][0]
    smtp_server.stop()
    monkeypatch.setattr("sys.stdin", io.StringIO("When the train has Wi-Fi.\n"))
    assert main(["--profile", str(mailbox.root), "reply", str(pk), "--body-stdin"]) == 1
    capsys.readouterr()

    smtp_server.start()
    assert main(["--profile", str(mailbox.root), "sync", "--once"]) == 0
    out, _ = capsys.readouterr()
    assert "work: sent 1 queued reply" in out
    (item,) = mailbox.items()
    assert item.state is OutboxState.FILED
    assert received_ids(smtp_server) == Counter({item.message_id: 1})
    # A sync with nothing waiting sends nothing and says nothing about replies.
    assert main(["--profile", str(mailbox.root), "sync", "--once"]) == 0
    out, _ = capsys.readouterr()
    assert "queued" not in out
    assert received_ids(smtp_server) == Counter({item.message_id: 1})


def test_imap_down_leaves_the_reply_sent_and_a_later_flush_files_it_without_resending(
    mailbox: Mailbox, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    mailbox.deliver(question(9, to=mailbox.user))
    mailbox.sync()
    pk = mailbox.inbound()["Question 9"][0]
    dovecot.stop()

    outcome = mailbox.reply(pk)
    assert outcome.ok
    assert outcome.state is OutboxState.SENT
    assert outcome.describe().startswith("sent reply to client9@example.org (Re: Question 9); ")
    assert "not filed in Sent yet (cannot talk to" in outcome.describe()
    (item,) = mailbox.items()
    assert item.state is OutboxState.SENT
    assert (item.error or "").startswith("not filed in Sent")
    assert mailbox.flush().unfiled == 1  # still down: still waiting, not resent

    dovecot.start()
    result = mailbox.flush()
    assert (result.sent, result.filed, result.unfiled) == (0, 1, 0)
    (item,) = mailbox.items()
    assert (item.state, item.error, item.attempts) == (OutboxState.FILED, None, 1)
    assert received_ids(smtp_server) == Counter({item.message_id: 1})
    assert len(mailbox.sent_folder()) == 1


def test_a_copy_already_in_sent_is_not_appended_again(
    mailbox: Mailbox, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    """A flush that died after the server's OK to APPEND, before recording it."""
    mailbox.deliver(question(10, to=mailbox.user))
    mailbox.sync()
    dovecot.stop()
    mailbox.reply(mailbox.inbound()["Question 10"][0])
    dovecot.start()
    (item,) = mailbox.items()
    assert item.state is OutboxState.SENT
    settings = ImapSettings(dovecot.host, dovecot.plain_port, "plain", mailbox.user, timeout=5)
    assert file_in_sent(settings, mailbox.password, item.raw, item.message_id, None)
    assert len(mailbox.sent_folder()) == 1

    result = mailbox.flush()
    assert (result.filed, result.sent) == (1, 0)
    assert len(mailbox.sent_folder()) == 1
    assert mailbox.items()[0].state is OutboxState.FILED


def test_an_unconfirmed_send_becomes_unsure_and_is_resent_only_on_request(
    dovecot: Dovecot, smtp_user: tuple[str, str], smtp_cert: SelfSignedCert, tmp_path: Path
) -> None:
    """The process dies after the server got the whole message, before its 250."""
    holding = _Holding()
    with smtp_with(holding, smtp_user, smtp_cert) as server:
        mailbox = make_mailbox(dovecot, server, smtp_user, tmp_path / "profile")
        mailbox.deliver(question(11, to=mailbox.user))
        mailbox.sync()
        pk = mailbox.inbound()["Question 11"][0]

        process = start_reply(mailbox.root, pk)
        try:
            server.wait_for(1, timeout=30)
        finally:
            process.kill()
            process.communicate(timeout=30)
        holding.release.set()
        (item,) = mailbox.items()
        assert item.state is OutboxState.SENDING

        result = mailbox.flush()
        assert (result.unsure, result.sent) == (1, 0)
        (item,) = mailbox.items()
        assert item.state is OutboxState.UNSURE
        assert "may or may not have been sent" in (item.error or "")
        with mailbox.store() as store:
            assert [p.id for p in pending_replies(store)] == [item.id]
        assert mailbox.flush().sent == 0  # never resent by itself
        assert received_ids(server) == Counter({item.message_id: 1})
        assert mailbox.sent_folder() == []
        assert mailbox.inbound()["Question 11"][1] is ReplyState.REPLIED

        with mailbox.store() as store:
            retry_reply(store, CLOCK, item.id)
        result = mailbox.flush()
        assert (result.sent, result.filed) == (1, 1)
        assert received_ids(server) == Counter({item.message_id: 2})  # the user asked
        assert len(mailbox.sent_folder()) == 1
        assert mailbox.items()[0].attempts == 2


def test_a_lost_answer_in_process_is_unsure_too(
    dovecot: Dovecot, smtp_user: tuple[str, str], smtp_cert: SelfSignedCert, tmp_path: Path
) -> None:
    """The server never answers the message's end: the reply times out as unsure."""
    holding = _Holding()
    with smtp_with(holding, smtp_user, smtp_cert) as server:
        mailbox = make_mailbox(dovecot, server, smtp_user, tmp_path / "profile", smtp_timeout=1)
        mailbox.deliver(question(12, to=mailbox.user))
        mailbox.sync()
        outcome = mailbox.reply(mailbox.inbound()["Question 12"][0])
        assert outcome.state is OutboxState.UNSURE
        assert "may or may not have been sent" in outcome.describe()
        assert "timed out" in outcome.describe()
        holding.release.set()
        assert mailbox.flush().sent == 0
        assert received_ids(server) == Counter({outcome.message_id: 1})
