"""First replies as the stats find them: conversations, chat threads, thread roots.

Each inbound message's first reply is kept in its row as messages are stored; these
tests store the same messages in every order a sync may bring them in (the Sent
folder first, chat history newest first, a reply that fails and is taken back) and
expect the same facts.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from factories import (
    ME,
    T0,
    add_test_account,
    chat,
    email,
    open_store,
    profile_at_revision,
    store_messages,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncdesk.core.messages import Direction, Message
from asyncdesk.store.database import Store
from asyncdesk.store.outbox import forget_outbound, record_outbound
from asyncdesk.store.stats import inbound_facts

M = timedelta(minutes=1)
ROOM = "!room:example.org"


def _messages() -> list[Message]:
    room = ROOM
    return [
        # Email: the thread's second reply counts from the first one after it.
        email("q", at=T0, conversation="thread-1"),
        email(
            "r1",
            at=T0 + 5 * M,
            direction=Direction.OUTBOUND,
            sender=ME,
            conversation="thread-1",
        ),
        email(
            "r2",
            at=T0 + 9 * M,
            direction=Direction.OUTBOUND,
            sender=ME,
            conversation="thread-1",
        ),
        email("lonely", at=T0, conversation="thread-2"),
        # Chat: a top-level message answered in its own thread (it is the root).
        chat("root", room=room, at=T0),
        chat(
            "in-thread",
            room=room,
            at=T0 + 3 * M,
            direction=Direction.OUTBOUND,
            sender="@me:example.org",
            thread="root",
        ),
        # A thread reply is answered only inside that thread...
        chat("t-msg", room=room, at=T0 + M, thread="other-root"),
        # ...not by a top-level message of the room.
        chat(
            "top",
            room=room,
            at=T0 + 4 * M,
            direction=Direction.OUTBOUND,
            sender="@me:example.org",
        ),
        chat(
            "t-reply",
            room=room,
            at=T0 + 20 * M,
            direction=Direction.OUTBOUND,
            sender="@me:example.org",
            thread="other-root",
        ),
    ]


# q: 5 min (the first reply), lonely: none (-1), root: 3 min (in its own thread),
# t-msg: 20 min (the thread reply, not the top-level one at 4 min).
EXPECTED = [(0, -1), (0, 3), (0, 5), (1, 20)]


def _found(store: Store) -> list[tuple[int, int]]:
    with store.reading() as session:
        facts = inbound_facts(session, T0, T0 + timedelta(days=7))
    return sorted(
        (
            (f.received_at - T0) // M,
            -1 if f.first_reply_at is None else (f.first_reply_at - T0) // M,
        )
        for f in facts
    )


def test_first_replies_follow_the_conversation_rules(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, identities=(ME, "@me:example.org"))
        store_messages(store, account, _messages())
        assert _found(store) == EXPECTED


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(9)), cuts=st.sets(st.integers(1, 8)))
def test_first_replies_do_not_depend_on_the_order_messages_are_stored_in(
    order: list[int], cuts: set[int]
) -> None:
    messages = [_messages()[index] for index in order]
    bounds = [0, *sorted(cuts), len(messages)]
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "p") as store:
        account = add_test_account(store, identities=(ME, "@me:example.org"))
        for start, end in pairwise(bounds):
            store_messages(store, account, messages[start:end], cursor=str(end))
        assert _found(store) == EXPECTED


def test_a_reply_taken_back_leaves_the_next_one_as_the_first(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        later = email(
            "r2", at=T0 + 30 * M, direction=Direction.OUTBOUND, sender=ME, conversation="t"
        )
        store_messages(store, account, [email("q", at=T0, conversation="t"), later])
        sent = email("r1", at=T0 + 5 * M, direction=Direction.OUTBOUND, sender=ME, conversation="t")
        with store.writing() as session:
            record_outbound(session, account.id, sent, answers=None, now=T0 + 5 * M)
        assert _found(store) == [(0, 5)]
        with store.writing() as session:
            assert forget_outbound(session, account.id, "r1")
        assert _found(store) == [(0, 30)]
        with store.writing() as session:
            assert forget_outbound(session, account.id, "r2")
        assert _found(store) == [(0, -1)]


def test_upgrading_a_profile_finds_the_first_replies_of_its_messages(tmp_path: Path) -> None:
    root = tmp_path / "old"
    engine = profile_at_revision(root, "0005")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, name, kind, identities, config, created_at) VALUES "
            "(1, 'old', 'email', '[]', '{}', '2026-01-01 00:00:00.000000')"
        )
        for remote_id, direction, minute in [("q", "inbound", 0), ("r", "outbound", 7)]:
            connection.exec_driver_sql(
                "INSERT INTO messages (account_id, remote_id, direction, medium, conversation,"
                ' "references", sender_address, sender_name, to_addresses, cc_addresses,'
                " subject, snippet, headers, is_direct, mentions_me, received_at, needs_reply)"
                " VALUES (1, ?, ?, 'email', 'c', '[]', 'a@example.org', '', '[]', '[]', 's',"
                " '', '{}', 0, 0, ?, 0)",
                (remote_id, direction, f"2026-11-16 09:{minute:02d}:00.000000"),
            )
    engine.dispose()
    with Store.open(root) as store:
        assert _found(store) == [(0, 7)]


def test_keeping_first_replies_visits_only_the_messages_concerned(tmp_path: Path) -> None:
    """The plans SQLite picks for the upkeep: by identity and by conversation, never a
    walk over every inbound message (which made a first sync twenty times slower)."""
    from asyncdesk.store import messages

    with open_store(tmp_path / "p") as store, store.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        batch = '[["c", null, "2026-11-16 09:00:00.000000"]]'
        plans = {
            "new": cursor.execute(
                "EXPLAIN QUERY PLAN " + messages._FIRST_REPLY_OF_NEW, (1, '["a"]')
            ).fetchall(),
            "answered": cursor.execute(
                "EXPLAIN QUERY PLAN " + messages._ANSWERED_BY_NEW, (batch, 1, batch, 1)
            ).fetchall(),
        }
    for name, plan in plans.items():
        details = " / ".join(str(row[-1]) for row in plan)
        assert "ix_messages_inbox" not in details, (name, details)
        assert "SCAN m" not in details, (name, details)
        assert "SCAN i" not in details, (name, details)
    assert "sqlite_autoindex_messages_1 (account_id=? AND remote_id=?)" in str(plans["new"])
    assert "ix_messages_first_reply (account_id=? AND conversation=?" in str(plans["answered"])
