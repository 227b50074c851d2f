"""Reply detection in the store: a reply clears every earlier inbound message of its
conversation (DESIGN.md, stats definitions), in any arrival order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import T0, add_test_account, chat, email, open_store, store_messages

from asyncdesk.core.messages import Direction, ReplyState
from asyncdesk.store.messages import inbox_page

H = timedelta(hours=1)


def _states(store) -> dict[str, ReplyState | None]:  # type: ignore[no-untyped-def]
    with store.reading() as session:
        return {m.subject: m.state for m in inbox_page(session, 100)}


def test_a_reply_clears_earlier_messages_of_its_thread_only(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [
                email("q1", subject="first", conversation="t1"),
                email("q2", subject="second", conversation="t1", at=T0 + H),
                email("other", subject="other thread", conversation="t2"),
            ],
        )
        store_messages(
            store,
            account,
            [
                email(
                    "r",
                    direction=Direction.OUTBOUND,
                    sender="me@example.com",
                    conversation="t1",
                    at=T0 + 2 * H,
                ),
            ],
        )
        assert _states(store) == {
            "first": ReplyState.REPLIED,
            "second": ReplyState.REPLIED,
            "other thread": ReplyState.OPEN,
        }


def test_a_message_after_the_reply_stays_open(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [
                email("q1", subject="before", conversation="t"),
                email("r", direction=Direction.OUTBOUND, conversation="t", at=T0 + H),
                email("q2", subject="after", conversation="t", at=T0 + 2 * H),
            ],
        )
        assert _states(store) == {"before": ReplyState.REPLIED, "after": ReplyState.OPEN}


def test_a_reply_synced_before_the_message_still_clears_it(tmp_path: Path) -> None:
    """The Sent folder may sync before INBOX."""
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [
                email("r", direction=Direction.OUTBOUND, conversation="t", at=T0 + H),
            ],
            stream="Sent",
        )
        store_messages(store, account, [email("q", subject="question", conversation="t")])
        assert _states(store) == {"question": ReplyState.REPLIED}


def test_chat_thread_replies_clear_the_thread_and_its_root_not_the_room(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, "chat", identities=("@me:example.org",))
        store_messages(
            store,
            account,
            [
                chat("root", body="root"),
                chat("top", body="top-level", at=T0 + H),
                chat("in-thread", body="in thread", thread="root", at=T0 + H),
            ],
        )
        store_messages(
            store,
            account,
            [
                chat(
                    "mine",
                    direction=Direction.OUTBOUND,
                    sender="@me:example.org",
                    thread="root",
                    at=T0 + 2 * H,
                ),
            ],
        )
        with store.reading() as session:
            states = {
                m.remote_id if hasattr(m, "remote_id") else m.snippet: m.state
                for m in inbox_page(session, 10)
            }
        assert states == {
            "root": ReplyState.REPLIED,
            "in thread": ReplyState.REPLIED,
            "top-level": ReplyState.OPEN,
        }


def test_a_top_level_chat_reply_clears_earlier_top_level_messages(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, "chat", identities=("@me:example.org",))
        store_messages(
            store,
            account,
            [
                chat("a", body="question"),
                chat("t", body="threaded", thread="a", at=T0 + H),
                chat("mine", direction=Direction.OUTBOUND, sender="@me:example.org", at=T0 + 2 * H),
            ],
        )
        with store.reading() as session:
            states = {m.snippet: m.state for m in inbox_page(session, 10)}
        assert states == {"question": ReplyState.REPLIED, "threaded": ReplyState.OPEN}


def test_messages_that_need_no_reply_have_no_state(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(store, account, [email("n", subject="newsletter")], needs_reply=False)
        with store.reading() as session:
            [row] = inbox_page(session, 10)
        assert (row.needs_reply, row.due_at, row.state) == (False, None, None)
