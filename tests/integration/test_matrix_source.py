"""The Matrix source against a real Synapse: rooms, DMs, mentions, threads, edits,
deletions, replies from another client and from AsyncDesk, resuming, paging back.

Other people are played by the fixture's plain-HTTP client (tests/servers/synapse.py),
as a second Matrix client would act; AsyncDesk syncs through matrix-nio into a real
profile. Each test registers its own users and rooms on the shared server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from servers.synapse import Synapse

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, ReplyState
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.base import AuthFailed, SourceError
from asyncdesk.sources.matrix import Credentials, MatrixSource, login
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import REDACTED_SNIPPET, StoredMessage, get_cursor, inbox_page

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    user_id: str
    token: str


@dataclass
class Desk:
    """A profile with a Matrix account, and the people around its user."""

    server: Synapse
    store: Store
    account: Account
    credentials: Credentials
    me: Person
    ann: Person
    bob: Person
    root: Path

    def source(self, **options: object) -> MatrixSource:
        return MatrixSource(
            self.account,
            self.credentials,
            homeserver=self.server.base_url,
            **options,  # type: ignore[arg-type]
        )

    def sync(self, source: MatrixSource | None = None) -> int:
        own = source is None
        source = source or self.source()
        try:
            return sync_source(self.store, source, FixedClock(datetime.now(UTC))).new_messages
        finally:
            if own:
                source.close()

    def inbox(self) -> list[StoredMessage]:
        with self.store.reading() as session:
            return inbox_page(session, 1000)

    def by_text(self) -> dict[str, StoredMessage]:
        return {message.snippet: message for message in self.inbox()}

    def dm_with(self, person: Person) -> str:
        """A direct room ``person`` opens with the user, listed in both m.direct."""
        room = self.server.create_room(person.token, invite=[self.me.user_id], is_direct=True)
        self.server.join(self.me.token, room)
        self.server.set_direct(self.me.token, self.me.user_id, person.user_id, room)
        return room

    def group(self, name: str) -> str:
        room = self.server.create_room(
            self.ann.token, invite=[self.me.user_id, self.bob.user_id], name=name
        )
        self.server.join(self.me.token, room)
        self.server.join(self.bob.token, room)
        return room


@pytest.fixture
def desk(synapse: Synapse, tmp_path: Path) -> Iterator[Desk]:
    tag = uuid.uuid4().hex[:8]
    people = {}
    for name in ("me", "ann", "bob"):
        user_id, token = synapse.register(f"{name}-{tag}", PASSWORD)
        people[name] = Person(user_id, token)
    credentials = login(synapse.base_url, people["me"].user_id, PASSWORD)
    store = Store.open(tmp_path / "profile")
    with store.writing() as session:
        account = add_account(
            session,
            Account("chat", AccountKind.MATRIX, (credentials.user_id,)),
            datetime.now(UTC),
        )
    yield Desk(synapse, store, account, credentials, root=tmp_path / "profile", **people)
    store.close()


def test_dms_and_mentions_need_a_reply_room_chatter_does_not(desk: Desk) -> None:
    dm = desk.dm_with(desk.ann)
    room = desk.group("Launch")
    desk.server.send_text(desk.ann.token, dm, "Can you review the contract?")
    desk.server.send_text(desk.bob.token, room, "lunch anyone?")
    desk.server.send_text(
        desk.ann.token, room, "me: please check the numbers", mentions=[desk.me.user_id]
    )
    assert desk.sync() == 3
    shown = desk.by_text()
    assert shown["Can you review the contract?"].needs_reply
    assert shown["Can you review the contract?"].reason == "Direct message"
    assert shown["me: please check the numbers"].reason == "Mentions you"
    assert not shown["lunch anyone?"].needs_reply
    assert shown["lunch anyone?"].subject == "Launch"
    assert shown["lunch anyone?"].kind is AccountKind.MATRIX


def test_a_reply_from_another_client_clears_the_deadline(desk: Desk) -> None:
    dm = desk.dm_with(desk.ann)
    desk.server.send_text(desk.ann.token, dm, "Are you free on Friday?")
    desk.sync()
    assert desk.by_text()["Are you free on Friday?"].state is ReplyState.OPEN
    desk.server.send_text(desk.me.token, dm, "Yes, after 2.")  # from the phone
    assert desk.sync() == 1
    asked = desk.by_text()["Are you free on Friday?"]
    assert asked.state is ReplyState.REPLIED
    assert asked.replied_at is not None


def test_a_reply_from_asyncdesk_reaches_the_room_once(desk: Desk) -> None:
    room = desk.group("Ops")
    question = desk.server.send_text(
        desk.ann.token, room, "can you restart the job?", mentions=[desk.me.user_id]
    )
    desk.sync()
    source = desk.source()
    try:
        sent = source.send_reply(room, "Restarted.", reply_to=question)
        desk.sync(source)
    finally:
        source.close()
    events = desk.server.request(
        "GET", f"/_matrix/client/v3/rooms/{room}/messages", desk.ann.token, query={"dir": "b"}
    )["chunk"]
    (reply,) = [e for e in events if e.get("event_id") == sent]
    assert reply["sender"] == desk.me.user_id
    assert reply["content"]["body"] == "Restarted."
    assert reply["content"]["m.relates_to"] == {"m.in_reply_to": {"event_id": question}}
    desk.sync()
    with desk.store.reading() as session:
        count = (
            session.connection()
            .exec_driver_sql("SELECT count(*) FROM messages WHERE remote_id = ?", (sent,))
            .scalar()
        )
    assert count == 1
    assert desk.by_text()["can you restart the job?"].state is ReplyState.REPLIED


def test_threads_edits_and_deletions_are_reflected(desk: Desk) -> None:
    room = desk.group("Design")
    root = desk.server.send_text(desk.ann.token, room, "Which logo?")
    desk.server.send_text(
        desk.bob.token, room, "the blue one, me?", thread_root=root, mentions=[desk.me.user_id]
    )
    typo = desk.server.send_text(desk.ann.token, room, "Meeting at 3pn")
    gone = desk.server.send_text(desk.ann.token, room, "ignore this")
    desk.sync()
    in_thread = desk.by_text()["the blue one, me?"]
    assert in_thread.thread == root
    assert in_thread.needs_reply
    desk.server.edit(desk.ann.token, room, typo, "Meeting at 3pm")
    desk.server.redact(desk.ann.token, room, gone)
    desk.sync()
    shown = desk.by_text()
    assert "Meeting at 3pm" in shown
    assert "Meeting at 3pn" not in shown
    assert "ignore this" not in shown
    with desk.store.reading() as session:
        snippet = (
            session.connection()
            .exec_driver_sql("SELECT snippet FROM messages WHERE remote_id = ?", (gone,))
            .scalar()
        )
    assert snippet == REDACTED_SNIPPET


def test_a_restart_resumes_from_the_since_token_without_duplicates(desk: Desk) -> None:
    room = desk.group("Standup")
    for number in range(5):
        desk.server.send_text(desk.bob.token, room, f"update {number}")
    assert desk.sync() == 5
    with desk.store.reading() as session:
        cursor = get_cursor(session, desk.account.id or 0, "matrix")
    assert cursor is not None
    assert '"since"' in cursor
    assert desk.sync() == 0  # a new source: learns the rooms, nothing new
    desk.server.send_text(desk.bob.token, room, "update 5")
    assert desk.sync() == 1
    assert sorted(m.snippet for m in desk.inbox()) == [f"update {n}" for n in range(6)]


def test_a_first_sync_pages_back_through_long_rooms(desk: Desk) -> None:
    room = desk.group("History")
    for number in range(130):
        desk.server.send_text(desk.bob.token, room, f"line {number:03d}")
    source = desk.source(page_size=40)
    try:
        assert desk.sync(source) == 130
    finally:
        source.close()
    texts = sorted(m.snippet for m in desk.inbox())
    assert texts == [f"line {n:03d}" for n in range(130)]
    outbound = [m for m in desk.inbox() if m.direction is Direction.OUTBOUND]
    assert outbound == []


def test_the_password_is_nowhere_in_the_profile(desk: Desk) -> None:
    dm = desk.dm_with(desk.ann)
    desk.server.send_text(desk.ann.token, dm, "hello")
    desk.sync()
    desk.store.close()
    for path in desk.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSWORD.encode() not in data, path
            assert desk.credentials.access_token.encode() not in data, path


def test_a_wrong_password_or_token_is_a_clear_error(desk: Desk) -> None:
    with pytest.raises(AuthFailed, match="refused the user name or password"):
        login(desk.server.base_url, desk.me.user_id, "wrong")
    bad = Credentials(desk.me.user_id, "not-a-token", "DEV")
    source = MatrixSource(desk.account, bad, homeserver=desk.server.base_url)
    try:
        with pytest.raises(SourceError, match="M_UNKNOWN_TOKEN"):
            list(source.sync("matrix", None))
    finally:
        source.close()


def test_invites_are_listed_to_accept(desk: Desk) -> None:
    room = desk.server.create_room(desk.ann.token, invite=[desk.me.user_id], name="Offsite")
    source = desk.source()
    try:
        desk.sync(source)
        (invite,) = source.invites()
        assert (invite.room_id, invite.name, invite.inviter) == (room, "Offsite", desk.ann.user_id)
        source.join(room)
    finally:
        source.close()
    desk.server.send_text(desk.ann.token, room, "welcome!")
    desk.sync()
    assert "welcome!" in desk.by_text()
