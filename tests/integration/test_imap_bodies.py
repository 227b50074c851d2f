"""Bodies fetched after a header-only sync, against a real private Dovecot: on opening a
message, and in the background within the size budget; never marking anything read."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from servers.dovecot import Dovecot
from sqlalchemy import text
from test_imap_source import ME, account

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.services.bodies import (
    MessageGone,
    fetch_bodies_in_background,
    fetch_body,
    open_fetcher,
)
from asyncdesk.services.secrets import MemorySecrets
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.base import ConnectionFailed, SourceError
from asyncdesk.sources.imap import ImapSource, connect
from asyncdesk.sources.imap_fetch import BodyFetcher
from asyncdesk.store.accounts import add_account
from asyncdesk.store.bodies import stored_body
from asyncdesk.store.database import Store
from asyncdesk.store.messages import search

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def mail(
    subject: str,
    body: str = "Could you have a look?",
    *,
    html: str | None = None,
    alternative: bool = False,
    padding: int = 0,
    msgid: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = "Client <client@example.org>"
    message["To"] = ME
    message["Subject"] = subject
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<{msgid or subject.replace(' ', '-')}@example.org>"
    if html is not None and not alternative:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body + ("\n" + "x" * 76) * (padding // 77))
        if html is not None:
            message.add_alternative(html, subtype="html")
    return bytes(message)


class Profile:
    """A profile whose account is a Dovecot user, synced header-only; ``phone`` is another
    client of the same mailbox (it reads flags, expunges)."""

    def __init__(self, dovecot: Dovecot, root: Path) -> None:
        self.dovecot = dovecot
        self.user, self.password = dovecot.add_user("reader")
        self.store = Store.open(root / "profile")
        self.clock = FixedClock(T0)
        with self.store.writing() as session:
            self.account = add_account(session, account(dovecot, self.user), self.clock.now())
        self.secrets = MemorySecrets({self.account.name: self.password})
        self.source = ImapSource(self.account, self.password)

    def append(self, raw: bytes, when: datetime, folder: str = "INBOX") -> None:
        """Put a message on the server with a chosen arrival time (INTERNALDATE)."""
        client = connect(self.source.settings, self.password)
        try:
            client.append(folder, raw, flags=(), msg_time=when)
        finally:
            client.logout()

    def sync(self) -> int:
        return sync_source(self.store, self.source, self.clock).new_messages

    def pk(self, subject: str) -> int:
        with self.store.reading() as session:
            found = session.execute(
                text("SELECT id FROM messages WHERE subject = :s"), {"s": subject}
            ).scalar_one()
        return int(found)

    def column(self, name: str) -> dict[str, Any]:
        with self.store.reading() as session:
            rows = session.execute(text(f"SELECT subject, {name} FROM messages"))
            return {str(row[0]): row[1] for row in rows}

    def found(self, words: str) -> list[str]:
        with self.store.reading() as session:
            return [message.subject for message in search(session, words)]

    def server_flags(self) -> dict[str, set[bytes]]:
        client = connect(self.source.settings, self.password)
        try:
            client.select_folder("INBOX", readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
            flags = {}
            for data in fetched.values():
                header = data[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip()
                flags[header.removeprefix("Subject: ")] = {f.lower() for f in data[b"FLAGS"]}
            return flags
        finally:
            client.logout()

    def expunge(self, subject: str) -> None:
        phone = connect(self.source.settings, self.password)
        try:
            phone.select_folder("INBOX")
            phone.delete_messages(phone.search(["HEADER", "Subject", subject]))
            phone.expunge()
        finally:
            phone.logout()

    def fetcher(self, **options: Any) -> BodyFetcher:
        return BodyFetcher.open(self.source.settings, self.password, **options)

    def close(self) -> None:
        self.source.close()
        self.store.close()


@pytest.fixture
def profile(dovecot: Dovecot, tmp_path: Path) -> Iterator[Profile]:
    made = Profile(dovecot, tmp_path)
    yield made
    made.close()


# ------------------------------------------------------------------------ on opening


def test_body_fetched_on_open_is_found_by_search(profile: Profile) -> None:
    profile.append(mail("Invoice", "The zebrafish invoice is attached."), T0)
    profile.append(mail("Other", "Nothing to see."), T0 + timedelta(minutes=1))
    assert profile.sync() == 2
    assert profile.found("zebrafish") == []  # headers only so far
    assert profile.column("body_text") == {"Invoice": None, "Other": None}

    pk = profile.pk("Invoice")
    body = fetch_body(profile.store, profile.clock, profile.secrets, pk)

    assert body.text == "The zebrafish invoice is attached."
    assert body.html is None
    assert body.fetched_at == T0
    assert profile.found("zebrafish") == ["Invoice"]
    assert profile.column("snippet")["Invoice"] == "The zebrafish invoice is attached."
    # Not marked read, here or on the server.
    assert profile.column("seen") == {"Invoice": 0, "Other": 0}
    assert b"\\seen" not in profile.server_flags()["Invoice"]

    # Opening it again reads the store: it works with the server gone.
    profile.dovecot.stop()
    again = fetch_body(profile.store, profile.clock, profile.secrets, pk)
    assert again == body


def test_alternative_and_html_only_give_sensible_text(profile: Profile) -> None:
    profile.append(
        mail(
            "Both",
            "Plain version of the agenda.",
            html="<p>HTML <b>version</b> of the agenda.</p>",
            alternative=True,
        ),
        T0,
    )
    profile.append(
        mail(
            "Newsletter",
            html="<html><head><style>p{color:red}</style></head><body>"
            "<h1>Autumn&nbsp;sale</h1><p>Everything &ndash; half price<br>until Friday.</p>"
            "<script>x()</script></body></html>",
        ),
        T0 + timedelta(minutes=1),
    )
    profile.sync()

    both = fetch_body(profile.store, profile.clock, profile.secrets, profile.pk("Both"))
    assert both.text == "Plain version of the agenda."
    assert both.html == "<p>HTML <b>version</b> of the agenda.</p>\n"

    news = fetch_body(profile.store, profile.clock, profile.secrets, profile.pk("Newsletter"))
    assert news.text == "Autumn sale\n\nEverything – half price\nuntil Friday."
    assert news.html is not None
    assert "<script>x()</script>" in news.html  # stored as sent; sanitised when shown
    assert profile.found("half price") == ["Newsletter"]
    assert profile.found("color") == []


def test_message_expunged_before_its_body_is_fetched(profile: Profile) -> None:
    profile.append(mail("Doomed", "soon gone"), T0)
    profile.sync()
    pk = profile.pk("Doomed")
    profile.expunge("Doomed")

    with pytest.raises(MessageGone) as caught:
        fetch_body(profile.store, profile.clock, profile.secrets, pk)
    assert caught.value.message == (
        f"message {pk} is no longer on the server (deleted or moved elsewhere since the last "
        "sync): sync the account to update the inbox"
    )
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # nothing for a crash handler to print

    # After the next sync the store knows it is gone: the same answer without the server.
    profile.sync()
    profile.dovecot.stop()
    with pytest.raises(MessageGone, match=f"message {pk} is no longer on the server"):
        fetch_body(profile.store, profile.clock, profile.secrets, pk)


def test_renumbered_folder_never_attaches_another_message(profile: Profile) -> None:
    profile.append(mail("First", "first body"), T0)
    profile.append(mail("Second", "second body"), T0 + timedelta(minutes=1))
    profile.sync()
    first = profile.pk("First")
    profile.expunge("First")
    profile.source.close()
    profile.dovecot.reset_uidvalidity(profile.user)  # "Second" is now UID 1, where "First" was

    with pytest.raises(MessageGone, match="no longer where the last sync saw it"):
        fetch_body(profile.store, profile.clock, profile.secrets, first)
    assert profile.column("body_text") == {"First": None, "Second": None}


def test_open_errors_are_one_line(profile: Profile) -> None:
    profile.append(mail("Hello"), T0)
    profile.sync()
    pk = profile.pk("Hello")
    with pytest.raises(BadInput, match="no password for account 'work' in the keyring"):
        fetch_body(profile.store, profile.clock, MemorySecrets(), pk)
    with pytest.raises(BadInput, match="no message with id 999"):
        fetch_body(profile.store, profile.clock, profile.secrets, 999)
    profile.dovecot.stop()
    with pytest.raises(ConnectionFailed) as caught:
        fetch_body(profile.store, profile.clock, profile.secrets, pk)
    assert "refused" in caught.value.message
    assert "\n" not in caught.value.message
    assert profile.password not in caught.value.message


def test_big_message_opened_is_read_partially(profile: Profile) -> None:
    profile.append(mail("Huge", "Start of a long report.", padding=200_000), T0)
    profile.sync()
    body = fetch_body(
        profile.store, profile.clock, profile.secrets, profile.pk("Huge"), max_bytes=50_000
    )
    assert body.text.startswith("Start of a long report.")
    assert body.text.endswith("KB message were fetched]")
    assert len(body.text) < 60_000


def test_open_reuses_a_fetcher(profile: Profile) -> None:
    profile.append(mail("One"), T0)
    profile.append(mail("Two"), T0)
    profile.sync()
    with open_fetcher(profile.secrets, profile.account) as fetcher:
        for subject in ("One", "Two"):
            body = fetch_body(
                profile.store, profile.clock, profile.secrets, profile.pk(subject), fetcher=fetcher
            )
            assert body.text == "Could you have a look?"


# --------------------------------------------------------------------- in the background


def test_background_fetch_stays_within_the_budget(profile: Profile) -> None:
    # Ten messages of about 10 KB, newest last, and a 60 KB one in the middle.
    for i in range(10):
        profile.append(mail(f"m{i}", f"body of m{i}", padding=10_000), T0 + timedelta(hours=i))
    profile.append(mail("big", "big body", padding=60_000), T0 + timedelta(hours=7, minutes=30))
    profile.sync()
    sizes = profile.column("size")
    budget = sizes["m9"] + sizes["m8"] + sizes["m7"] + sizes["m6"] + 500

    with profile.fetcher() as fetcher:
        result = fetch_bodies_in_background(
            profile.store,
            profile.clock,
            fetcher,
            profile.account,
            budget_bytes=budget,
            max_message_bytes=50_000,
        )

    fetched = {subject for subject, at in profile.column("body_fetched_at").items() if at}
    assert fetched == {"m9", "m8", "m7", "m6"}  # the newest; "big" is over the cap
    assert (result.messages, result.bytes) == (4, sum(sizes[s] for s in fetched))
    assert result.bytes <= budget
    assert (result.missing, result.failed, result.mismatched, result.stopped) == (0, 0, 0, False)
    assert profile.found("m8") == ["m8"]
    assert profile.found("body of m5") == []
    # Nothing was marked read on the server.
    assert all(b"\\seen" not in flags for flags in profile.server_flags().values())
    assert not any(profile.column("seen").values())

    # The budget is a window over the newest mail: a second run fetches nothing more...
    with profile.fetcher() as fetcher:
        again = fetch_bodies_in_background(
            profile.store,
            profile.clock,
            fetcher,
            profile.account,
            budget_bytes=budget,
            max_message_bytes=50_000,
        )
    assert again.messages == 0
    # ... until new mail arrives; then only the new one (older ones leave the window).
    profile.append(mail("m10", "body of m10", padding=10_000), T0 + timedelta(hours=10))
    profile.sync()
    with profile.fetcher() as fetcher:
        newer = fetch_bodies_in_background(
            profile.store,
            profile.clock,
            fetcher,
            profile.account,
            budget_bytes=budget,
            max_message_bytes=50_000,
        )
    assert newer.messages == 1
    assert profile.column("body_fetched_at")["m10"] is not None


def test_background_uses_the_settings_and_covers_sent(profile: Profile) -> None:
    profile.append(mail("In"), T0)
    profile.append(mail("Out", "my reply text"), T0, folder="Sent")
    profile.append(mail("Large", padding=3 * 1024 * 1024), T0)  # over the 2 MB default
    profile.sync()
    with profile.fetcher() as fetcher:
        result = fetch_bodies_in_background(profile.store, profile.clock, fetcher, profile.account)
    assert result.messages == 2
    assert profile.found("reply text") == ["Out"]
    assert profile.column("body_fetched_at")["Large"] is None


def test_background_stops_between_batches_when_asked(profile: Profile) -> None:
    for i in range(6):
        profile.append(mail(f"s{i}", padding=3_000), T0 + timedelta(minutes=i))
    profile.sync()
    batches = 0

    def stop() -> bool:
        nonlocal batches
        batches += 1
        return batches == 2

    with profile.fetcher(batch_bytes=7_000) as fetcher:  # two messages per batch
        result = fetch_bodies_in_background(
            profile.store, profile.clock, fetcher, profile.account, should_stop=stop
        )
    assert result.stopped
    assert result.messages == 4
    fetched = {subject for subject, at in profile.column("body_fetched_at").items() if at}
    assert fetched == {"s5", "s4", "s3", "s2"}  # newest first, both batches committed


def test_background_counts_messages_gone_meanwhile(profile: Profile) -> None:
    profile.append(mail("Stays"), T0)
    profile.append(mail("Goes"), T0 + timedelta(minutes=1))
    profile.sync()
    profile.expunge("Goes")  # no sync since: the store still places it
    with profile.fetcher() as fetcher:
        result = fetch_bodies_in_background(
            profile.store, profile.clock, fetcher, profile.account, budget_bytes=10**6
        )
    assert (result.messages, result.missing) == (1, 1)


def test_one_bad_message_does_not_stop_the_rest(profile: Profile) -> None:
    for i in range(3):
        profile.append(mail(f"b{i}", f"text {i}"), T0 + timedelta(minutes=i))
    profile.sync()
    # Make one unreadable for Dovecot: it answers its FETCH with BYE and hangs up. (Found
    # by content: Maildir names do not sort in arrival order.)
    maildir = profile.dovecot.maildir(profile.user)
    (bad,) = (
        path
        for folder in ("cur", "new")
        for path in (maildir / folder).iterdir()
        if re.search(rb"^Subject: b1\r?$", path.read_bytes(), re.M)
    )
    os.chmod(bad, 0)

    with profile.fetcher() as fetcher:
        result = fetch_bodies_in_background(
            profile.store, profile.clock, fetcher, profile.account, budget_bytes=10**6
        )
    assert (result.messages, result.failed) == (2, 1)
    assert profile.column("body_fetched_at")["b1"] is None
    with pytest.raises(SourceError, match="the server would not return message") as caught:
        fetch_body(profile.store, profile.clock, profile.secrets, profile.pk("b1"))
    assert "\n" not in str(caught.value)


def test_borrowed_client_stays_open(profile: Profile) -> None:
    profile.append(mail("Borrowed", "borrowed text"), T0)
    profile.sync()
    client = connect(profile.source.settings, profile.password)
    try:
        with BodyFetcher.over(client) as fetcher:
            result = fetch_bodies_in_background(
                profile.store, profile.clock, fetcher, profile.account, budget_bytes=10**6
            )
        assert result.messages == 1
        assert client.noop()  # still logged in
    finally:
        client.logout()


def test_server_gone_during_background_fetch(profile: Profile) -> None:
    profile.append(mail("A"), T0)
    profile.sync()
    with profile.fetcher() as fetcher:
        profile.dovecot.stop()
        with pytest.raises(ConnectionFailed, match="cannot talk to"):
            fetch_bodies_in_background(
                profile.store, profile.clock, fetcher, profile.account, budget_bytes=10**6
            )
    with profile.store.reading() as session:
        stored = stored_body(session, profile.pk("A"))
    assert stored is not None
    assert stored.fetched_at is None
