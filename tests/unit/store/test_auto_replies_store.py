"""The auto-replies table on real SQLite files: the claim that makes sending at most
once, stale claims, and the "first in its conversation" question."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from factories import T0, add_test_account, email, open_store, store_messages

from asyncdesk.core.messages import Direction
from asyncdesk.store import auto_replies
from asyncdesk.store.auto_replies import INTERRUPTED, STALE_AFTER, AutoReplyState
from asyncdesk.store.database import Store

KEY = T0 + timedelta(hours=7)


def claim(
    store: Store, account_id: int, conversation: str = "c1", key: datetime = KEY
) -> int | None:
    with store.writing() as session:
        return auto_replies.claim(
            session,
            account_id=account_id,
            conversation=conversation,
            window_key=key,
            recipient="ada@example.org",
            message_id=f"{conversation}-{key:%H%M}@example.com",
            now=T0,
        )


def test_one_claim_per_conversation_per_closed_period(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        first = claim(store, account.id)
        assert first is not None
        assert claim(store, account.id) is None  # a second process, or a restart
        assert claim(store, account.id, "c2") is not None
        assert claim(store, account.id, key=KEY + timedelta(days=1)) is not None
        with store.writing() as session:
            auto_replies.mark_sent(session, first, T0 + timedelta(seconds=3))
        with store.reading() as session:
            found = auto_replies.recent(session, 10)
        assert len(found) == 3
        sent = next(r for r in found if r.id == first)
        assert (sent.state, sent.sent_at, sent.account) == (
            AutoReplyState.SENT,
            T0 + timedelta(seconds=3),
            "work",
        )
        assert sent.window_key == KEY


def test_stale_claims_become_failed_as_interrupted(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        row = claim(store, account.id)
        with store.writing() as session:
            assert auto_replies.fail_interrupted(session, T0 + timedelta(minutes=1)) == []
            assert auto_replies.fail_interrupted(session, T0 + STALE_AFTER * 2) == [row]
        with store.reading() as session:
            (found,) = auto_replies.recent(session, 5)
        assert (found.state, found.error) == (AutoReplyState.FAILED, INTERRUPTED)
        assert claim(store, account.id) is None  # never sent again


def test_first_in_its_conversation(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        store_messages(
            store,
            account,
            [
                email("a1", conversation="t1"),
                email("a2", conversation="t1", at=T0 + timedelta(minutes=5)),
                email("b1", conversation="t2"),
                email("b0", conversation="t2", at=T0 - timedelta(minutes=5)),
                email("c1", conversation="t3"),
                email(
                    "c2",
                    conversation="t3",
                    at=T0 + timedelta(hours=1),
                    direction=Direction.OUTBOUND,
                ),
            ],
        )
        with store.reading() as session:
            first = {
                rid: auto_replies.is_first_in_conversation(session, account.id, rid)
                for rid in ("a1", "a2", "b1", "b0", "c1")
            }
            known = auto_replies.stored_remote_ids(session, account.id, ["a1", "zz"])
        # c1 was answered already (the Sent folder synced first).
        assert first == {"a1": True, "a2": False, "b1": False, "b0": True, "c1": False}
        assert known == {"a1"}
