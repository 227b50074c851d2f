"""What the labels read from the store: who the user has exchanged messages with
(one statement for any number of addresses), and the bodies of a page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from factories import T0, add_test_account, email, open_store, store_messages
from sqlalchemy import text

from asyncdesk.core.messages import Direction
from asyncdesk.store.labels import ContactHistory, body_texts, contact_history


def test_contact_history_reads_first_messages_from_and_to_each_address(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        work = add_test_account(store, "work")
        home = add_test_account(store, "home")
        store_messages(
            store,
            work,
            [
                email("a1", sender="alice@example.org", at=T0 + timedelta(hours=2)),
                email("a2", sender="alice@example.org", at=T0 + timedelta(hours=5)),
                email(
                    "o1",
                    sender="me@example.com",
                    direction=Direction.OUTBOUND,
                    to=("bob@example.org",),
                    cc=("carol@example.org",),
                    at=T0 + timedelta(hours=1),
                ),
            ],
        )
        store_messages(store, home, [email("a0", sender="alice@example.org", at=T0)])
        with store.reading() as session:
            everyone = contact_history(session, None)
            some = contact_history(session, ["alice@example.org", "dave@example.org"])
            none = contact_history(session, [])
    assert everyone.complete
    assert not everyone.missing(["x@example.org"])
    assert everyone.first_from["alice@example.org"] == T0  # the other account counts
    assert everyone.first_to == {
        "bob@example.org": T0 + timedelta(hours=1),
        "carol@example.org": T0 + timedelta(hours=1),
    }
    assert some.first_from == {"alice@example.org": T0}
    assert some.first_to == {}
    assert some.missing(["alice@example.org", "bob@example.org"]) == {"bob@example.org"}
    assert none.known == set()
    assert none.first_from == {}
    assert everyone.is_first_contact("alice@example.org", T0)
    assert not everyone.is_first_contact("alice@example.org", T0 + timedelta(hours=2))
    assert not everyone.is_first_contact("bob@example.org", T0 + timedelta(hours=3))
    assert everyone.is_first_contact("bob@example.org", T0)  # before the user wrote
    assert everyone.is_first_contact("erin@example.org", T0)


def test_histories_merge_to_the_earliest_instant() -> None:
    one = ContactHistory(first_from={"a@x.org": T0 + timedelta(hours=1)}, known={"a@x.org"})
    two = ContactHistory(
        first_from={"a@x.org": T0}, first_to={"b@x.org": T0}, known={"a@x.org", "b@x.org"}
    )
    one.merge(two)
    assert one.first_from == {"a@x.org": T0}
    assert one.first_to == {"b@x.org": T0}
    assert one.known == {"a@x.org", "b@x.org"}


def test_body_texts_of_a_page(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        work = add_test_account(store, "work")
        store_messages(
            store,
            work,
            [
                email("b1", body="Can we meet?"),
                email("b2", body=""),
                email("b3", body="Newsletter: https://example.org/x"),
                email("b4", body="Newsletter without links"),
            ],
            needs_reply=False,
        )
        store_messages(store, work, [email("b5", body="Please reply")], stream="S")
        with store.reading() as session:
            ids = [row[0] for row in session.execute(text("SELECT id FROM messages"))]
            bodies = body_texts(session, ids)
            assert body_texts(session, []) == {}
    # Only the bodies the labels read: needing a reply, or holding a link or attachment.
    assert sorted(bodies.values()) == ["Newsletter: https://example.org/x", "Please reply"]
