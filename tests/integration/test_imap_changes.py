"""Changes made elsewhere (a phone, webmail) reach the store: flags, expunges, UIDVALIDITY.

Each test runs against a real private Dovecot twice: as Dovecot is (CONDSTORE, so flag
changes come from SEARCH MODSEQ) and advertising no CONDSTORE (every flag compared).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from servers.dovecot import Dovecot, find_dovecot
from sqlalchemy import text
from test_imap_source import account, raw_mail

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.imap import ImapSource, connect
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages, inbox_page

#: Dovecot 2.3's own list without CONDSTORE and QRESYNC.
NO_CONDSTORE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES "
    "MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
    "ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE"
)


@pytest.fixture(params=["condstore", "no-condstore"])
def server(request: pytest.FixtureRequest) -> Iterator[Dovecot]:
    if find_dovecot() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; scripts/test does)")
    dovecot = Dovecot(capabilities=None if request.param == "condstore" else NO_CONDSTORE)
    try:
        dovecot.start()
        yield dovecot
    finally:
        dovecot.close()


class Profile:
    """A profile with the server's user as an account, and the other client (a phone)."""

    def __init__(self, dovecot: Dovecot, root: Path) -> None:
        self.dovecot = dovecot
        self.user, self.password = dovecot.add_user("phone")
        self.store = Store.open(root / "profile")
        self.clock = FixedClock(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
        with self.store.writing() as session:
            self.account = add_account(session, account(dovecot, self.user), self.clock.now())
        self.source = ImapSource(self.account, self.password)

    def sync(self) -> int:
        return sync_source(self.store, self.source, self.clock).new_messages

    def phone(self) -> Any:
        client = connect(self.source.settings, self.password)
        client.select_folder("INBOX")
        return client

    def inbox(self) -> dict[str, Any]:
        with self.store.reading() as session:
            return {m.subject: m for m in inbox_page(session, 100)}

    def column(self, name: str) -> dict[str, Any]:
        with self.store.reading() as session:
            rows = session.execute(text(f"SELECT subject, {name} FROM messages"))
            return {str(row[0]): row[1] for row in rows}

    def close(self) -> None:
        self.source.close()
        self.store.close()


@pytest.fixture
def profile(server: Dovecot, tmp_path: Path) -> Iterator[Profile]:
    made = Profile(server, tmp_path)
    yield made
    made.close()


def deliver(profile: Profile, *subjects: str) -> None:
    for subject in subjects:
        profile.dovecot.deliver(profile.user, raw_mail(f"{subject}@x", subject=subject))


def test_flags_read_on_first_sync_and_changes_followed(profile: Profile) -> None:
    deliver(profile, "one", "two", "three")
    phone = profile.phone()
    try:
        phone.add_flags(phone.search(["HEADER", "Subject", "two"]), [b"\\Seen", b"\\Flagged"])
        assert profile.sync() == 3
        assert profile.column("seen") == {"one": 0, "two": 1, "three": 0}
        assert profile.column("flagged") == {"one": 0, "two": 1, "three": 0}

        # Read on the phone, unflagged on the phone.
        phone.add_flags(phone.search(["HEADER", "Subject", "one"]), [b"\\Seen"])
        phone.remove_flags(phone.search(["HEADER", "Subject", "two"]), [b"\\Flagged"])
    finally:
        phone.logout()
    assert profile.sync() == 0
    assert profile.column("seen") == {"one": 1, "two": 1, "three": 0}
    assert profile.column("flagged") == {"one": 0, "two": 0, "three": 0}


def test_expunge_on_the_server_leaves_the_inbox(profile: Profile) -> None:
    deliver(profile, "keep", "delete me", "also keep")
    assert profile.sync() == 3
    phone = profile.phone()
    try:
        phone.delete_messages(phone.search(["HEADER", "Subject", "delete me"]))
        phone.expunge()
    finally:
        phone.logout()
    deliver(profile, "new")  # an expunge and a new message in the same interval

    assert profile.sync() == 1
    assert sorted(profile.inbox()) == ["also keep", "keep", "new"]
    with profile.store.reading() as session:
        assert count_messages(session) == 4  # the row stays, for the week's stats
    assert profile.column("removed_at")["delete me"] is not None


def test_resync_with_no_change_changes_nothing(profile: Profile, server: Dovecot) -> None:
    deliver(profile, "a", "b")
    assert profile.sync() == 2
    with profile.store.reading() as session:
        before = session.execute(text("SELECT cursor FROM sync_state")).all()
    profile.clock.advance(timedelta(minutes=5))
    result = sync_source(profile.store, profile.source, profile.clock)
    assert result.new_messages == 0
    if server.capabilities is None:  # with CONDSTORE nothing is even written
        assert result.batches == 0
    with profile.store.reading() as session:
        assert session.execute(text("SELECT cursor FROM sync_state")).all() == before
        assert count_messages(session) == 2


def test_uidvalidity_reset_keeps_user_state_and_adds_no_duplicate(profile: Profile) -> None:
    deliver(profile, "dismissed", "snoozed", "open", "expunged during the reset")
    assert profile.sync() == 4
    with profile.store.writing() as session:
        session.execute(text("UPDATE messages SET state = 'dismissed' WHERE subject = 'dismissed'"))
        session.execute(text("UPDATE messages SET state = 'snoozed' WHERE subject = 'snoozed'"))
    phone = profile.phone()
    try:
        phone.delete_messages(phone.search(["HEADER", "Subject", "expunged"]))
        phone.expunge()
    finally:
        phone.logout()

    profile.dovecot.reset_uidvalidity(profile.user)
    profile.source.close()
    deliver(profile, "after the reset")
    assert profile.sync() == 1

    inbox = profile.inbox()
    assert sorted(inbox) == ["after the reset", "dismissed", "open", "snoozed"]
    assert inbox["dismissed"].state is ReplyState.DISMISSED
    assert inbox["snoozed"].state is ReplyState.SNOOZED
    assert inbox["open"].state is ReplyState.OPEN
    with profile.store.reading() as session:
        assert count_messages(session) == 5
    # Flags and expunges keep working on the new UIDs.
    phone = profile.phone()
    try:
        phone.add_flags(phone.search(["HEADER", "Subject", "open"]), [b"\\Seen"])
    finally:
        phone.logout()
    profile.sync()
    assert profile.column("seen")["open"] == 1
