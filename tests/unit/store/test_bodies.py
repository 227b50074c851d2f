"""Bodies in the store: saving one indexes it for search; choosing what the background
fetches (newest first, within a budget that is a window over the newest mail)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from factories import T0, add_test_account, email, open_store, store_messages
from sqlalchemy import text

from asyncdesk.core import settings
from asyncdesk.core.accounts import Account
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Direction, Message
from asyncdesk.store import locations
from asyncdesk.store.bodies import (
    BodyCandidate,
    make_snippet,
    pick_for_background,
    remote_ids,
    save_body,
    stored_body,
)
from asyncdesk.store.database import Store
from asyncdesk.store.messages import search

H = timedelta(hours=1)
CAP = 1000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "p") as opened:
        yield opened


def header_only(
    remote_id: str, hours: int, size: int | None, direction: Direction = Direction.INBOUND
) -> Message:
    """An email as the IMAP sync stores it: no body yet, a size from the server."""
    message = email(remote_id, at=T0 + hours * H, body="", direction=direction)
    return replace(message, size=size)


def add(store: Store, account: Account, messages: list[Message], folder: str = "INBOX") -> None:
    assert account.id is not None
    store_messages(store, account, messages, stream=folder)
    with store.writing() as session:
        placed = [(m.remote_id, uid) for uid, m in enumerate(messages, start=1)]
        locations.place(session, account.id, folder, placed)


def pick(store: Store, account: Account, budget: int, cap: int = CAP) -> list[BodyCandidate]:
    assert account.id is not None
    with store.reading() as session:
        return pick_for_background(session, account.id, budget_bytes=budget, max_message_bytes=cap)


def pk_of(store: Store, remote_id: str) -> int:
    with store.reading() as session:
        return int(
            session.execute(
                text("SELECT id FROM messages WHERE remote_id = :r"), {"r": remote_id}
            ).scalar_one()
        )


def test_snippet() -> None:
    assert make_snippet("  Hello,\n\n  world\t!  ") == "Hello, world !"
    assert len(make_snippet("word " * 100)) == 160


def test_saving_a_body_indexes_it(store: Store) -> None:
    account = add_test_account(store)
    add(store, account, [replace(header_only("a", 0, 100), subject="Quarterly")])
    with store.reading() as session:
        pk = search(session, "Quarterly")[0].id
        assert search(session, "platypus") == []
        before = stored_body(session, pk)
    assert before is not None
    assert (before.text, before.html, before.fetched_at, before.removed) == (
        None,
        None,
        None,
        False,
    )

    with store.writing() as session:
        assert save_body(
            session, pk, text="The platypus\nreport.", html="<p>The platypus</p>", fetched_at=T0
        )
        assert not save_body(session, 999, text="x", html=None, fetched_at=T0)
    with store.reading() as session:
        assert [m.id for m in search(session, "platypus")] == [pk]
        assert [m.snippet for m in search(session, "platypus")] == ["The platypus report."]
        after = stored_body(session, pk)
        assert remote_ids(session, [pk, 999]) == {pk: "a"}
        assert stored_body(session, 999) is None
    assert after is not None
    assert (after.text, after.html, after.fetched_at) == (
        "The platypus\nreport.",
        "<p>The platypus</p>",
        T0,
    )
    assert (after.account, after.remote_id) == ("work", "a")


def test_newest_first_within_the_budget(store: Store) -> None:
    account = add_test_account(store)
    add(store, account, [header_only(f"m{i}", i, 100) for i in range(10)])
    picked = pick(store, account, budget=350)
    assert [c.uid for c in picked] == [10, 9, 8]  # 300 bytes; a fourth would pass 350
    assert all(c.folder == "INBOX" and c.size == 100 for c in picked)
    assert pick(store, account, budget=0) == []
    assert pick(store, account, budget=10**9, cap=0) == []


def test_too_big_ones_are_skipped_not_a_stop(store: Store) -> None:
    account = add_test_account(store)
    add(
        store,
        account,
        [header_only("old", 0, 100), header_only("huge", 1, CAP + 1), header_only("new", 2, 100)],
    )
    assert [c.uid for c in pick(store, account, budget=10**6)] == [3, 1]


def test_the_budget_is_a_window_over_the_newest_mail(store: Store) -> None:
    account = add_test_account(store)
    add(store, account, [header_only(f"m{i}", i, 100) for i in range(5)])
    with store.writing() as session:
        for candidate in pick_for_background(
            session, account.id or 0, budget_bytes=250, max_message_bytes=CAP
        ):
            save_body(session, candidate.pk, text="t", html=None, fetched_at=T0)
    # The two newest have bodies and fill the window: nothing more to fetch.
    assert pick(store, account, budget=250) == []
    # A bigger budget reaches further back, past what is already fetched.
    assert [c.uid for c in pick(store, account, budget=450)] == [3, 2]


def test_unknown_size_counts_as_the_cap(store: Store) -> None:
    account = add_test_account(store)
    add(store, account, [header_only("old", 0, 10), header_only("unsized", 1, None)])
    assert [(c.uid, c.size) for c in pick(store, account, budget=CAP + 10)] == [
        (2, None),
        (1, 10),
    ]
    assert [c.uid for c in pick(store, account, budget=CAP - 1)] == []


def test_only_placed_unremoved_messages_of_the_account(store: Store) -> None:
    account = add_test_account(store)
    other = add_test_account(store, "other")
    add(store, account, [header_only("placed", 0, 100), header_only("removed", 1, 100)])
    store_messages(store, account, [header_only("unplaced", 2, 100)])
    add(store, other, [header_only("theirs", 3, 100)])
    assert account.id is not None
    with store.writing() as session:
        locations.vanish(session, account.id, "INBOX", [2], T0)
    picked = pick(store, account, budget=10**6)
    assert [c.pk for c in picked] == [pk_of(store, "placed")]


def test_first_location_and_both_directions(store: Store) -> None:
    account = add_test_account(store)
    add(store, account, [header_only("in", 0, 100)], folder="INBOX")
    add(store, account, [header_only("out", 1, 100, Direction.OUTBOUND)], "Sent")
    assert account.id is not None
    with store.writing() as session:  # the same message also sits in an archive folder
        locations.place(session, account.id, "Archive", [("in", 7)])
    picked = pick(store, account, budget=10**6)
    assert [(c.folder, c.uid) for c in picked] == [("Sent", 1), ("Archive", 7)]


def test_budget_settings() -> None:
    assert settings.BODY_BUDGET_MB.default == 200
    assert settings.BODY_MAX_MESSAGE_KB.default == 2048
    assert settings.lookup("sync.body_budget_mb").parse("0") == 0  # off
    with pytest.raises(BadInput, match="zero or more"):
        settings.BODY_BUDGET_MB.parse("-1")
    with pytest.raises(BadInput, match="greater than zero"):
        settings.BODY_MAX_MESSAGE_KB.parse("0")
