"""The demo source: reproducible, realistic, resumable, and shaped like a real inbox."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.classify import is_no_reply_sender, needs_reply
from asyncdesk.core.messages import Direction, Medium, Message
from asyncdesk.sources.base import SourceError, SyncBatch
from asyncdesk.sources.demo import (
    DEMO_CHAT_IDENTITY,
    DEMO_EMAIL_IDENTITY,
    DemoSource,
    Flavour,
    split_count,
)

# Tuesday afternoon in Berlin; its 28-day window crosses the end of DST on 2026-10-25.
ANCHOR = datetime(2026, 11, 10, 14, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
DST_END = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
SIZES: dict[Flavour, int] = {"email": 1500, "chat": 1000}


def _identity(flavour: Flavour) -> str:
    return DEMO_EMAIL_IDENTITY if flavour == "email" else DEMO_CHAT_IDENTITY


def _source(
    flavour: Flavour,
    count: int,
    *,
    seed: int = 11,
    anchor: datetime = ANCHOR,
    batch_size: int = 2000,
) -> DemoSource:
    account = Account(f"demo-{flavour}", AccountKind.DEMO, (_identity(flavour),))
    return DemoSource(
        account, seed=seed, anchor=anchor, count=count, flavour=flavour, batch_size=batch_size
    )


def _messages(batches: Iterable[SyncBatch]) -> list[Message]:
    return [message for batch in batches for message in batch.messages]


@cache
def _data(flavour: Flavour, seed: int = 11) -> tuple[Message, ...]:
    source = _source(flavour, SIZES[flavour], seed=seed)
    return tuple(_messages(source.sync("all", None)))


def _inbound(messages: Iterable[Message]) -> list[Message]:
    return [m for m in messages if m.direction is Direction.INBOUND]


def _answers(reply: Message, message: Message) -> bool:
    """Whether ``reply`` clears ``message``, by the store's rule (same conversation, later,
    and in a chat room: top level for top level, or the same thread / thread root)."""
    if reply.conversation != message.conversation or reply.received_at <= message.received_at:
        return False
    if reply.thread is None:
        return message.thread is None
    return reply.thread in (message.thread, message.remote_id)


def _replied(messages: Sequence[Message]) -> tuple[list[Message], list[Message]]:
    """The needs-reply inbound messages split into (answered, still open)."""
    outbound: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        if m.direction is Direction.OUTBOUND:
            outbound[m.conversation].append(m)
    identity = (_identity("email" if messages[0].medium is Medium.EMAIL else "chat"),)
    answered: list[Message] = []
    still_open: list[Message] = []
    for m in messages:
        if needs_reply(m, identity):
            done = any(_answers(o, m) for o in outbound[m.conversation])
            (answered if done else still_open).append(m)
    return answered, still_open


# -- determinism ---------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_the_same_inputs_give_the_same_messages_and_another_seed_does_not(
    flavour: Flavour,
) -> None:
    first = _messages(_source(flavour, 400).sync("all", None))
    again = _messages(_source(flavour, 400).sync("all", None))
    other = _messages(_source(flavour, 400, seed=12).sync("all", None))
    assert first == again
    assert [m.received_at for m in first] != [m.received_at for m in other]
    assert [m.body_text for m in first] != [m.body_text for m in other]


def test_a_larger_count_extends_a_smaller_one() -> None:
    small = _messages(_source("chat", 300).sync("all", None))
    large = _messages(_source("chat", 700).sync("all", None))
    assert large[:300] == small


# -- counts, batches and cursors ---------------------------------------------------------


@pytest.mark.parametrize(("count", "batch_size"), [(1, 10), (2001, 2000), (250, 50), (37, 7)])
def test_exactly_count_messages_in_batches_with_progress(count: int, batch_size: int) -> None:
    batches = list(_source("email", count, batch_size=batch_size).sync("all", None))
    assert sum(len(b.messages) for b in batches) == count
    assert all(0 < len(b.messages) <= batch_size for b in batches)
    assert [b.done for b in batches] == [
        min(count, batch_size * (i + 1)) for i in range(len(batches))
    ]
    assert {b.total for b in batches} == {count}
    assert {b.stream for b in batches} == {"all"}


def test_no_messages_for_a_count_of_zero() -> None:
    assert _messages(_source("chat", 0).sync("all", None)) == []


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_resuming_from_any_batch_cursor_yields_exactly_the_rest(flavour: Flavour) -> None:
    full = list(_source(flavour, 600, batch_size=83).sync("all", None))
    everything = _messages(full)
    for batch in full[:-1]:
        # A fresh source, as after a restart, with another batch size.
        rest = _messages(_source(flavour, 600, batch_size=200).sync("all", batch.cursor))
        assert rest == everything[batch.done :]
    assert list(_source(flavour, 600).sync("all", full[-1].cursor)) == []


@pytest.mark.parametrize(
    "cursor", ["", "garbage", "12", "demo1:zzzzzzzz:1:0:1", "demo1:0000000a:5:0:1"]
)
def test_a_garbage_cursor_is_a_clear_source_error(cursor: str) -> None:
    with pytest.raises(SourceError, match="cannot resume from cursor") as caught:
        list(_source("email", 100).sync("all", cursor))
    assert "\n" not in str(caught.value)


def test_a_cursor_from_other_demo_data_is_refused() -> None:
    other_seed = next(iter(_source("email", 100, seed=99).sync("all", None))).cursor
    with pytest.raises(SourceError, match="another seed"):
        list(_source("email", 100).sync("all", other_seed))
    longer = list(_source("email", 300, batch_size=200).sync("all", None))[-1].cursor
    with pytest.raises(SourceError, match="past the 100 demo messages"):
        list(_source("email", 100).sync("all", longer))


def test_one_stream_and_an_unknown_stream_is_an_error() -> None:
    source = _source("chat", 10)
    assert list(source.streams()) == ["all"]
    with pytest.raises(SourceError, match="no stream 'INBOX'"):
        list(source.sync("INBOX", None))
    source.close()
    source.close()


def test_a_demo_account_remembers_its_data_and_resumes_after_a_restart() -> None:
    first = _source("email", 300, batch_size=120)
    batches = iter(first.sync("all", None))
    saved = next(batches).cursor
    account = Account("demo-email", AccountKind.DEMO, (DEMO_EMAIL_IDENTITY,), first.config())
    again = DemoSource.from_account(account, batch_size=120)
    assert _messages(again.sync("all", saved)) == _messages(batches)


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"seed": 1, "anchor": "yesterday", "count": 5, "flavour": "email"},
        {"seed": 1, "anchor": "2026-11-10T10:00:00", "count": 5, "flavour": "email"},
        {"seed": 1, "anchor": "2026-11-10T10:00:00+00:00", "count": 5, "flavour": "fax"},
    ],
)
def test_an_unusable_demo_configuration_is_a_source_error(config: dict[str, object]) -> None:
    account = Account("demo-email", AccountKind.DEMO, (DEMO_EMAIL_IDENTITY,), config)
    with pytest.raises(SourceError, match="demo account demo-email has an unusable configuration"):
        DemoSource.from_account(account)


def test_split_count_is_about_sixty_forty_and_sums_to_the_total() -> None:
    assert split_count(300) == (180, 120)
    assert split_count(100_000) == (60_000, 40_000)
    for total in range(50):
        email, chat = split_count(total)
        assert email + chat == total
        assert email >= chat >= 0
    with pytest.raises(ValueError, match=">= 0"):
        split_count(-1)


# -- identity and time -----------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_remote_ids_are_unique(flavour: Flavour) -> None:
    messages = _data(flavour)
    assert len({m.remote_id for m in messages}) == len(messages)


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_instants_are_utc_within_four_weeks_before_the_anchor(flavour: Flavour) -> None:
    for m in _data(flavour):
        assert m.received_at.tzinfo is UTC
        assert ANCHOR - timedelta(days=29) <= m.received_at <= ANCHOR


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_most_inbound_traffic_is_in_local_working_hours_on_both_sides_of_dst(
    flavour: Flavour,
) -> None:
    inbound = _inbound(_data(flavour))
    for side in (
        [m for m in inbound if m.received_at < DST_END],  # CEST, UTC+2
        [m for m in inbound if m.received_at >= DST_END],  # CET, UTC+1
    ):
        assert len(side) > 100
        local = [m.received_at.astimezone(BERLIN) for m in side]
        working = sum(1 for t in local if t.weekday() < 5 and 8 <= t.hour < 18)
        assert working / len(side) > 0.75
        assert any(t.weekday() >= 5 or t.hour >= 18 for t in local)  # a little off-hours


def test_nobody_starts_a_thread_in_the_middle_of_the_night_either_side_of_dst() -> None:
    roots = [m for m in _data("email") if m.message_id == m.conversation]
    before = [m for m in roots if m.received_at < DST_END]
    after = [m for m in roots if m.received_at >= DST_END]
    assert len(before) > 100
    assert len(after) > 100
    for m in roots:
        assert 8 <= m.received_at.astimezone(BERLIN).hour <= 22


# -- email -------------------------------------------------------------------------------------


def _in_example_domain(address: str) -> bool:
    # user@domain for email, @user:domain for chat
    domain = address.rpartition(":" if address.startswith("@") else "@")[2]
    return domain in {"example.com", "example.org", "example.net"} or domain.endswith(
        (".example", ".example.com", ".example.org", ".example.net")
    )


def test_email_threads_hang_together() -> None:
    messages = _data("email")
    by_id = {m.message_id: m for m in messages}
    assert len(by_id) == len(messages)
    threads: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        assert m.medium is Medium.EMAIL
        assert "<" not in m.conversation
        assert ">" not in m.conversation
        assert all(key == key.lower() for key in m.headers)
        threads[m.conversation].append(m)
    for conversation, thread in threads.items():
        root = by_id[conversation]
        assert root.in_reply_to is None
        assert root.references == ()
        for m in thread[1:]:
            parent = by_id[m.in_reply_to]
            assert parent.conversation == conversation
            assert parent.received_at < m.received_at
            assert m.references[0] == conversation
            assert m.references[-1] == m.in_reply_to
            assert m.headers["in-reply-to"] == f"<{m.in_reply_to}>"


def test_the_users_email_replies_answer_an_earlier_message_within_about_two_days() -> None:
    messages = _data("email")
    by_id = {m.message_id: m for m in messages}
    replies = [m for m in messages if m.direction is Direction.OUTBOUND]
    assert len(replies) > 100
    for reply in replies:
        assert reply.sender.address == DEMO_EMAIL_IDENTITY
        assert reply.sender.name == "Alex Morgan"
        assert reply.subject.startswith("Re: ")
        answered = by_id[reply.in_reply_to]
        assert answered.direction is Direction.INBOUND
        assert answered.conversation == reply.conversation
        assert timedelta(0) < reply.received_at - answered.received_at <= timedelta(days=2.5)
    per_thread: dict[str, int] = defaultdict(int)
    for reply in replies:
        per_thread[reply.conversation] += 1
    assert max(per_thread.values()) >= 2  # some threads go back and forth


def test_the_email_has_every_kind_of_mail_a_real_inbox_has() -> None:
    messages = _data("email")
    inbound = _inbound(messages)
    newsletters = [
        m
        for m in inbound
        if "list-id" in m.headers
        and "list-unsubscribe" in m.headers
        and m.headers.get("precedence") == "list"
    ]
    machines = [
        m
        for m in inbound
        if m.headers.get("auto-submitted") == "auto-generated"
        and is_no_reply_sender(m.sender.address)
    ]
    cc_only = [
        m for m in inbound if DEMO_EMAIL_IDENTITY in m.cc and DEMO_EMAIL_IDENTITY not in m.to
    ]
    assert len(newsletters) > 50
    assert len(machines) > 50
    assert len(cc_only) > 30
    assert any(m.subject.startswith("Re: ") for m in inbound)
    assert any(m.subject.startswith("Fwd: ") for m in inbound)
    assert any(
        m.subject.startswith(("Meeting request", "Can we meet", "Call about")) for m in inbound
    )
    assert any("my name is" in m.body_text for m in inbound)  # first contacts
    names = {m.sender.name for m in inbound}
    assert {"Zoë Müller", "José Álvarez", "李娜"} <= names
    assert all(
        _in_example_domain(address)
        for m in messages
        for address in (m.sender.address, *m.to, *m.cc)
    )
    assert all(m.body_text.strip() for m in messages)
    assert len({m.subject for m in messages}) > 200


# -- chat ---------------------------------------------------------------------------------------


def test_the_chat_has_dms_rooms_mentions_and_threads() -> None:
    messages = _data("chat")
    inbound = _inbound(messages)
    by_id = {m.remote_id: m for m in messages}
    dms = [m for m in inbound if m.is_direct]
    assert len(dms) > 50
    assert all(m.conversation.startswith("!dm-") and m.subject.startswith("DM: ") for m in dms)
    room = [m for m in inbound if m.conversation.startswith("#")]
    assert {m.subject for m in room} >= {"#design", "#ops", "#random"}
    mentions = [m for m in room if m.mentions_me]
    assert len(mentions) > 20
    assert all("@alex" in m.body_text for m in mentions)
    assert len(mentions) / len(room) < 0.25  # most room traffic is not for the user
    threaded = [(m, m.thread) for m in messages if m.thread is not None]
    assert len(threaded) > 100
    for m, thread in threaded:
        root = by_id[thread]
        assert root.thread is None
        assert root.conversation == m.conversation
        assert root.received_at < m.received_at
    assert any(m.mentions_me for m, _ in threaded)
    assert all(m.medium is Medium.CHAT and m.to == () and m.message_id is None for m in messages)
    assert all(_in_example_domain(m.sender.address) for m in messages)
    assert {"Zoë Müller", "李娜"} <= {m.sender.name for m in inbound}


def test_the_users_chat_messages_answer_a_dm_or_mention_shortly_before() -> None:
    messages = _data("chat")
    identity = (DEMO_CHAT_IDENTITY,)
    asks = [m for m in messages if needs_reply(m, identity)]
    outbound = [m for m in messages if m.direction is Direction.OUTBOUND]
    assert len(outbound) > 50
    assert any(m.thread is not None for m in outbound)
    for reply in outbound:
        assert reply.sender.address == DEMO_CHAT_IDENTITY
        assert any(
            _answers(reply, ask) and reply.received_at - ask.received_at <= timedelta(days=2.5)
            for ask in asks
        )
        if not reply.is_direct:
            assert reply.thread is not None  # in rooms the user answers in threads


# -- the needs-reply mixture ----------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["email", "chat"])
def test_a_realistic_share_needs_a_reply_and_most_of_those_get_one(flavour: Flavour) -> None:
    messages = _data(flavour)
    inbound = _inbound(messages)
    answered, still_open = _replied(messages)
    needing = len(answered) + len(still_open)
    assert 0.25 <= needing / len(inbound) <= 0.45
    assert 0.55 <= len(answered) / needing <= 0.75
    overdue = [m for m in still_open if ANCHOR - m.received_at > timedelta(hours=48)]
    fresh = [m for m in still_open if ANCHOR - m.received_at <= timedelta(hours=48)]
    assert len(overdue) >= 10
    assert len(fresh) >= 5
