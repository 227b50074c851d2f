"""First replies as the stats find them: conversations, chat threads, thread roots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import ME, T0, add_test_account, chat, email, open_store, store_messages

from asyncdesk.core.messages import Direction
from asyncdesk.store.stats import inbound_facts

M = timedelta(minutes=1)


def test_first_replies_follow_the_conversation_rules(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, identities=(ME, "@me:example.org"))
        room = "!room:example.org"
        messages = [
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
        store_messages(store, account, messages)
        with store.reading() as session:
            facts = inbound_facts(session, T0, T0 + timedelta(days=7))
    found = sorted(
        (
            (f.received_at - T0) // M,
            -1 if f.first_reply_at is None else (f.first_reply_at - T0) // M,
        )
        for f in facts
    )
    # q: 5 min (the first reply), lonely: none (-1), root: 3 min (in its own thread),
    # t-msg: 20 min (the thread reply, not the top-level one at 4 min).
    assert found == [(0, -1), (0, 3), (0, 5), (1, 20)]
