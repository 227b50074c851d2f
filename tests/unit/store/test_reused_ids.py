"""Different mail messages that reuse one Message-ID, on a real SQLite profile.

Broken mailers reuse Message-IDs; copies of one message (the same delivery twice, a
refetch after a UIDVALIDITY change) must still collapse into one row. What a user
would notice: a message missing from the inbox, or the same message twice.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from factories import add_test_account, chat, email, open_store

from asyncdesk.core.mail_identity import fingerprint, is_identity_of, variant_id
from asyncdesk.core.messages import Direction, Message, Triage
from asyncdesk.store.database import Store
from asyncdesk.store.messages import insert_messages, tell_apart


def stored(store: Store, account_id: int, messages: list[Message]) -> list[str]:
    """Store ``messages`` as the sync's commit does; the remote ids they got."""
    with store.writing() as session:
        told = tell_apart(session, account_id, messages)
        insert_messages(session, account_id, [(m, Triage(needs_reply=False)) for m in told])
    return [m.remote_id for m in told]


def rows(store: Store) -> list[tuple[str, str, int | None]]:
    with store.reading() as session:
        found = session.connection().exec_driver_sql(
            "SELECT remote_id, subject, size FROM messages ORDER BY id"
        )
        return [(str(r[0]), str(r[1]), r[2]) for r in found]


def invoice(number: int, size: int) -> Message:
    return replace(email("in:same@mailer", subject=f"Invoice {number}"), size=size)


def test_a_different_message_under_a_stored_id_gets_its_own_row(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        stored(store, account.id, [invoice(1, 500)])
        ids = stored(store, account.id, [invoice(2, 500), invoice(1, 500)])
        assert ids[1] == "in:same@mailer"  # the copy keeps the id: the insert skips it
        assert ids[0].startswith("in:same@mailer#")
        assert [subject for _, subject, _ in rows(store)] == ["Invoice 1", "Invoice 2"]


def test_the_outcome_does_not_depend_on_the_order_of_a_later_sync(tmp_path: Path) -> None:
    """After a UIDVALIDITY change the server may list the messages in another order:
    each still lands on the row it had, and nothing is added."""
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        first = stored(store, account.id, [invoice(1, 500), invoice(1, 640), invoice(2, 500)])
        assert len(set(first)) == 3  # the same sender and subject, another size: another
        again = stored(store, account.id, [invoice(2, 500), invoice(1, 640), invoice(1, 500)])
        assert again == [first[2], first[1], first[0]]
        assert len(rows(store)) == 3


def test_copies_in_one_batch_are_one_message(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        ids = stored(store, account.id, [invoice(1, 500), invoice(1, 500), invoice(2, 9)])
        assert ids[0] == ids[1] != ids[2]
        assert len(rows(store)) == 2


def test_a_reply_filed_in_sent_with_added_headers_stays_one_message(tmp_path: Path) -> None:
    """The app stores its own reply when it sends it; the server's copy in Sent has
    more headers (a bigger size) but is the same reply."""
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        sent = email("sent:r1@me", direction=Direction.OUTBOUND, subject="Re: Offer")
        stored(store, account.id, [replace(sent, size=1000)])
        assert stored(store, account.id, [replace(sent, size=1400)]) == ["sent:r1@me"]
        assert len(rows(store)) == 1


def test_chat_messages_pass_through(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        assert account.id is not None
        message = chat("$event1")
        with store.writing() as session:
            assert tell_apart(session, account.id, [message, message]) == [message, message]


def test_the_body_fetch_recognises_the_id_the_sync_gave() -> None:
    """The body fetch only has the message it fetched: it must arrive at the same id."""
    mine = fingerprint("in:same@mailer", "a@example.org", "Invoice 2", 500)
    variant = variant_id("in:same@mailer", mine)
    assert is_identity_of(variant, "same@mailer", "a@example.org", "Invoice 2", 500)
    assert not is_identity_of(variant, "same@mailer", "a@example.org", "Invoice 1", 500)
    assert not is_identity_of(variant, "same@mailer", "a@example.org", "Invoice 2", 501)
    assert is_identity_of("in:same@mailer", "same@mailer", "x@example.org", "Other", 1)
    assert not is_identity_of("in:other@mailer", "same@mailer", "a@example.org", "", 1)
    # A Message-ID may itself hold '#'; it still matches as a whole.
    assert is_identity_of("in:a#b@mailer", "a#b@mailer", "", "", None)
