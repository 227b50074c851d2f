"""Building real messages and profiles for tests, with no mocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.store import migrate
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store, make_engine
from asyncdesk.store.messages import add_batch

ME = "me@example.com"
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday


def email(
    remote_id: str,
    *,
    at: datetime = T0,
    direction: Direction = Direction.INBOUND,
    sender: str = "client@example.org",
    name: str = "",
    subject: str = "Hello",
    body: str = "Could you have a look at this?",
    conversation: str | None = None,
    to: Sequence[str] = (ME,),
    cc: Sequence[str] = (),
    headers: dict[str, str] | None = None,
) -> Message:
    return Message(
        remote_id=remote_id,
        direction=direction,
        medium=Medium.EMAIL,
        conversation=conversation or f"{remote_id}@mail.example",
        sender=Sender(sender, name),
        subject=subject,
        received_at=at,
        body_text=body,
        to=tuple(to),
        cc=tuple(cc),
        message_id=f"{remote_id}@mail.example",
        headers=headers or {},
    )


def chat(
    remote_id: str,
    *,
    room: str = "!room:example.org",
    at: datetime = T0,
    direction: Direction = Direction.INBOUND,
    sender: str = "@priya:example.org",
    body: str = "ping",
    thread: str | None = None,
    direct: bool = False,
    mention: bool = False,
) -> Message:
    return Message(
        remote_id=remote_id,
        direction=direction,
        medium=Medium.CHAT,
        conversation=room,
        thread=thread,
        sender=Sender(sender),
        subject=room,
        received_at=at,
        body_text=body,
        is_direct=direct,
        mentions_me=mention,
    )


def open_store(path: Path) -> Store:
    return Store.open(path)


def add_test_account(
    store: Store,
    name: str = "work",
    kind: AccountKind = AccountKind.EMAIL,
    identities: Sequence[str] = (ME,),
) -> Account:
    with store.writing() as session:
        return add_account(session, Account(name, kind, tuple(identities)), T0)


def store_messages(
    store: Store,
    account: Account,
    messages: Sequence[Message],
    *,
    sla: timedelta = timedelta(hours=48),
    needs_reply: bool | None = None,
    stream: str = "INBOX",
    cursor: str = "c",
) -> int:
    """Store ``messages``; inbound ones need a reply unless ``needs_reply`` says otherwise."""
    assert account.id is not None
    batch = []
    for message in messages:
        needs = (message.direction is Direction.INBOUND) if needs_reply is None else needs_reply
        batch.append((message, Triage(needs, message.received_at + sla if needs else None)))
    with store.writing() as session:
        return add_batch(session, account.id, batch, stream=stream, cursor=cursor, now=T0)


def many_emails(count: int, *, start: datetime = T0) -> list[Message]:
    return [
        email(f"m{i}", at=start + timedelta(minutes=i), subject=f"Message number {i}")
        for i in range(count)
    ]


def store_triaged(store: Store, account: Account, messages: Sequence[Message]) -> int:
    """Store ``messages`` as a sync would: classified and given deadlines by the
    profile's own rules (services.deadlines)."""
    from asyncdesk.services.deadlines import load_rules, triage

    assert account.id is not None
    rules = load_rules(store)
    batch = [(message, triage(message, account, rules)) for message in messages]
    with store.writing() as session:
        return add_batch(session, account.id, batch, stream="INBOX", cursor="c", now=T0)


def profile_at_revision(root: Path, revision: str) -> Engine:
    """A profile folder whose database is migrated only up to ``revision``, as an older
    AsyncDesk left it; the caller fills it through the engine, then disposes of it."""
    from asyncdesk.store.profile import ProfilePaths

    ProfilePaths(root).ensure()
    engine = make_engine(ProfilePaths(root).database)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return engine
