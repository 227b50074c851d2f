"""The outbox's states on a real SQLite profile: each transition, and the ones refused.

What matters is what can never happen: a reply claimed twice, an interrupted send
that is sent again by itself, a stale answer overwriting a newer attempt.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import T0, add_test_account, email, open_store, store_messages

from asyncdesk.core.accounts import Account
from asyncdesk.core.messages import Direction, ReplyState
from asyncdesk.store import outbox
from asyncdesk.store.claims import MAX_ERROR_CHARS
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages, inbox_page
from asyncdesk.store.outbox import OutboxState

H = timedelta(hours=1)


def queue(store: Store, account: Account, message_id: str = "r1@example.com") -> int:
    assert account.id is not None
    with store.writing() as session:
        return outbox.enqueue(
            session,
            account_id=account.id,
            reply_to_pk=None,
            message_id=message_id,
            raw=b"From: me@example.com\r\n\r\nhi\r\n",
            envelope_from="me@example.com",
            recipients=["client@example.org"],
            now=T0,
        )


def state(store: Store, item_id: int) -> tuple[OutboxState, int, str | None]:
    with store.reading() as session:
        item = outbox.get_item(session, item_id)
    assert item is not None
    return item.state, item.attempts, item.error


def states(store: Store) -> dict[str, ReplyState | None]:
    with store.reading() as session:
        return {m.subject: m.state for m in inbox_page(session, 100)}


def test_an_item_is_claimed_once_and_each_claim_is_an_attempt(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        item_id = queue(store, add_test_account(store))
        assert state(store, item_id) == (OutboxState.QUEUED, 0, None)
        with store.writing() as session:
            claimed = outbox.claim(session, item_id, T0)
            assert claimed is not None
            assert claimed.attempts == 1
            assert outbox.claim(session, item_id, T0) is None  # sending: not claimable
        with store.writing() as session:
            assert outbox.requeue(session, item_id, 1, "connection refused", T0)
        assert state(store, item_id) == (OutboxState.QUEUED, 1, "connection refused")
        with store.writing() as session:
            again = outbox.claim(session, item_id, T0)
            assert again is not None
            assert again.attempts == 2
            assert again.error == "connection refused"  # kept while it is tried again
            assert outbox.mark_sent(session, item_id, 2, T0)
            assert outbox.mark_filed(session, item_id, T0)
        assert state(store, item_id) == (OutboxState.FILED, 2, None)
        with store.reading() as session:
            assert outbox.pending(session) == []


def test_an_interrupted_send_becomes_unsure_and_only_a_retry_queues_it(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        item_id = queue(store, add_test_account(store))
        with store.writing() as session:
            outbox.claim(session, item_id, T0)
        # The process died here. The next flush finds it:
        with store.writing() as session:
            assert outbox.interrupted_to_unsure(session, T0 + H) == [item_id]
            assert outbox.interrupted_to_unsure(session, T0 + H) == []
            assert outbox.claim(session, item_id, T0 + H) is None
        unsure, attempts, error = state(store, item_id)
        assert (unsure, attempts) == (OutboxState.UNSURE, 1)
        assert "may or may not have been sent" in (error or "")
        with store.reading() as session:
            assert [i.id for i in outbox.pending(session)] == [item_id]
            assert outbox.items(session, [OutboxState.QUEUED]) == []

        with store.writing() as session:
            retried = outbox.retry(session, item_id, T0 + 2 * H)
            assert retried is not None
            assert retried.state is OutboxState.QUEUED
            assert outbox.retry(session, item_id, T0 + 2 * H) is None  # queued: nothing to retry


def test_a_stale_answer_never_overwrites_a_newer_attempt(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        item_id = queue(store, add_test_account(store))
        with store.writing() as session:
            outbox.claim(session, item_id, T0)
            outbox.interrupted_to_unsure(session, T0)
            outbox.retry(session, item_id, T0)
            outbox.claim(session, item_id, T0)  # attempt 2
        with store.writing() as session:
            assert not outbox.mark_sent(session, item_id, 1, T0)
            assert not outbox.mark_failed(session, item_id, 1, "550", T0)
            assert not outbox.requeue(session, item_id, 1, "timeout", T0)
        assert state(store, item_id)[:2] == (OutboxState.SENDING, 2)


def test_a_send_that_outlived_its_claim_still_records_what_the_server_said(
    tmp_path: Path,
) -> None:
    """Another flush called it unsure meanwhile; the server's answer is the truth."""
    with open_store(tmp_path / "p") as store:
        item_id = queue(store, add_test_account(store))
        with store.writing() as session:
            outbox.claim(session, item_id, T0)
            outbox.interrupted_to_unsure(session, T0)
        with store.writing() as session:
            assert outbox.mark_sent(session, item_id, 1, T0, note="sent, but x refused y")
        assert state(store, item_id) == (OutboxState.SENT, 1, "sent, but x refused y")
        with store.writing() as session:
            assert not outbox.mark_unsure(session, item_id, 1, "lost", T0)
            outbox.note_error(session, item_id, "not filed in Sent: down", T0)
            assert outbox.mark_filed(session, item_id, T0, note="sent, but x refused y")
        assert state(store, item_id) == (OutboxState.FILED, 1, "sent, but x refused y")


def test_errors_are_kept_on_one_line(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        item_id = queue(store, add_test_account(store))
        with store.writing() as session:
            outbox.claim(session, item_id, T0)
            outbox.mark_failed(session, item_id, 1, "550 no\r\n such   user" + "x" * 900, T0)
        error = state(store, item_id)[2] or ""
        assert error.startswith("550 no such user")
        assert "\n" not in error
        assert len(error) == MAX_ERROR_CHARS


def test_the_outbound_copy_replies_at_once_and_a_synced_copy_adds_nothing(
    tmp_path: Path,
) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        store_messages(
            store,
            account,
            [
                email("q1", subject="first", conversation="t", at=T0),
                # Received "after" the reply by a server clock running ahead:
                email("q2", subject="answered", conversation="t", at=T0 + 3 * H),
                email("q3", subject="other thread", conversation="u", at=T0),
            ],
        )
        with store.reading() as session:
            answered = {m.subject: m.id for m in inbox_page(session, 10)}["answered"]
        copy = email(
            "sent:r1@example.com",
            direction=Direction.OUTBOUND,
            subject="Re: answered",
            conversation="t",
            at=T0 + H,
            sender="me@example.com",
        )
        with store.writing() as session:
            assert outbox.record_outbound(session, account.id, copy, answers=answered, now=T0 + H)
        assert states(store) == {
            "first": ReplyState.REPLIED,
            "answered": ReplyState.REPLIED,
            "other thread": ReplyState.OPEN,
        }
        with store.reading() as session:
            before = count_messages(session)
        # The sync of Sent reads the same copy back: nothing new.
        assert store_messages(store, account, [copy], stream="Sent") == 0
        with store.writing() as session:
            assert not outbox.record_outbound(session, account.id, copy, answers=None, now=T0)
        with store.reading() as session:
            assert count_messages(session) == before


def test_forgetting_a_refused_reply_reopens_only_what_it_cleared(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        store_messages(
            store,
            account,
            [
                email("q1", subject="old", conversation="t", at=T0),
                email(
                    "r0",
                    direction=Direction.OUTBOUND,
                    subject="Re: old",
                    conversation="t",
                    at=T0 + H,
                    sender="me@example.com",
                ),
                email("q2", subject="new", conversation="t", at=T0 + 2 * H),
            ],
        )
        assert states(store) == {"old": ReplyState.REPLIED, "new": ReplyState.OPEN}
        with store.reading() as session:
            new = {m.subject: m.id for m in inbox_page(session, 10)}["new"]
        copy = email(
            "sent:r1@example.com",
            direction=Direction.OUTBOUND,
            subject="Re: new",
            conversation="t",
            at=T0 + 3 * H,
            sender="me@example.com",
        )
        with store.writing() as session:
            outbox.record_outbound(session, account.id, copy, answers=new, now=T0 + 3 * H)
        assert states(store) == {"old": ReplyState.REPLIED, "new": ReplyState.REPLIED}
        with store.reading() as session:
            before = count_messages(session)

        with store.writing() as session:
            assert outbox.forget_outbound(session, account.id, "sent:r1@example.com")
            assert not outbox.forget_outbound(session, account.id, "sent:r1@example.com")
        assert states(store) == {"old": ReplyState.REPLIED, "new": ReplyState.OPEN}
        with store.reading() as session:
            assert count_messages(session) == before - 1


def test_find_reply_target_reads_what_answering_needs(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [email("q1", name="Client", cc=["b@example.org"], headers={"reply-to": "l@x.org"})],
        )
        with store.reading() as session:
            (row,) = inbox_page(session, 10)
            target = outbox.find_reply_target(session, row.id)
            assert outbox.find_reply_target(session, row.id + 100) is None
        assert target is not None
        assert target.account.name == "work"
        assert (target.sender_name, target.sender_address) == ("Client", "client@example.org")
        assert target.cc == ("b@example.org",)
        assert target.headers == {"reply-to": "l@x.org"}
        assert target.message_id == "q1@mail.example"
