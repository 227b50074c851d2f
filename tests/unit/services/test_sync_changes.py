"""Edits and deletions reported by a chat source, through the sync engine into the store.

The source here is a script of batches (what a chat source yields), so the engine's
contract is tested on its own: changes apply in the batch's transaction, after its
messages, and replaying a batch changes nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from factories import T0, add_test_account, chat, open_store

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services.inbox import by_id
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.base import Edit, SyncBatch
from asyncdesk.store.database import Store
from asyncdesk.store.messages import REDACTED_SNIPPET, inbox_page, search


@dataclass
class Script:
    """A source that yields the batches it was given, once each."""

    account: Account
    batches: list[SyncBatch] = field(default_factory=list)

    def streams(self) -> Sequence[str]:
        return ["sync"]

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        done = int(cursor or 0)
        yield from self.batches[done:]

    def close(self) -> None:
        pass


ROOM = "!room:example.org"


def _store(tmp_path: Path) -> tuple[Store, Account]:
    store = open_store(tmp_path / "p")
    account = add_test_account(store, "chat", AccountKind.MATRIX, ("@me:example.org",))
    return store, account


def test_an_edit_changes_the_text_search_and_snippet(tmp_path: Path) -> None:
    store, account = _store(tmp_path)
    with store:
        question = chat("$q", room=ROOM, at=T0, body="Can you send the invoice?", direct=True)
        script = Script(account, [SyncBatch("sync", [question], "1")])
        sync_source(store, script, FixedClock(T0))
        script.batches.append(
            SyncBatch("sync", [], "2", edits=[Edit("$q", "Can you send the contract?")])
        )
        sync_source(store, script, FixedClock(T0 + timedelta(minutes=5)))
        with store.reading() as session:
            (shown,) = inbox_page(session, 10)
            assert shown.snippet == "Can you send the contract?"
            assert [m.snippet for m in search(session, "contract")] == [
                "Can you send the contract?"
            ]
            assert search(session, "invoice") == []
        assert shown.state is ReplyState.OPEN  # an edit does not answer it


def test_a_deleted_message_leaves_the_inbox_and_its_promise(tmp_path: Path) -> None:
    store, account = _store(tmp_path)
    with store:
        question = chat("$q", room=ROOM, at=T0, body="Are you free at 3?", direct=True)
        other = chat(
            "$o", room=ROOM, at=T0 + timedelta(minutes=1), body="Still there?", direct=True
        )
        script = Script(account, [SyncBatch("sync", [question, other], "1")])
        sync_source(store, script, FixedClock(T0))
        with store.reading() as session:
            pk = {m.snippet: m.id for m in inbox_page(session, 10)}["Are you free at 3?"]
        # The deletion comes with the edit of a message that is gone: both in one batch.
        script.batches.append(
            SyncBatch("sync", [], "2", edits=[Edit("$q", "Free at 4?")], redactions=["$q"])
        )
        sync_source(store, script, FixedClock(T0 + timedelta(minutes=5)))
        sync_source(store, script, FixedClock(T0 + timedelta(minutes=6)))  # nothing new
        with store.reading() as session:
            assert [m.snippet for m in inbox_page(session, 10)] == ["Still there?"]
            assert search(session, "free") == []
        gone = by_id(store, [pk]).get(pk)
        assert gone is not None
        assert gone.snippet == REDACTED_SNIPPET
        assert gone.state is ReplyState.DISMISSED
        assert gone.reason == "Deleted by its sender"


def test_changes_to_unknown_messages_are_skipped(tmp_path: Path) -> None:
    store, account = _store(tmp_path)
    with store:
        script = Script(
            account, [SyncBatch("sync", [], "1", edits=[Edit("$x", "new")], redactions=["$y"])]
        )
        result = sync_source(store, script, FixedClock(T0))
        assert result.batches == 1
        with store.reading() as session:
            assert inbox_page(session, 10) == []
