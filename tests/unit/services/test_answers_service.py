"""Saving, searching and exporting answers on a real profile (services.answers)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import T0, add_test_account, chat, email, open_store, store_messages
from sqlalchemy import text

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.answers import EXPORT_MANIFEST, MAX_BODY_BYTES
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.services.answers import (
    add_answer,
    check_export_folder,
    export_answers,
    iter_answers,
    search_answers,
)
from asyncdesk.store.database import Store
from asyncdesk.store.messages import search

CLOCK = FixedClock(T0)


def _snapshot(*roots: Path) -> dict[str, str]:
    """Every file under ``roots`` by its hash; SQLite's shared-memory index (``-shm``,
    rewritten by any reader of an open profile) holds no data and is left out."""
    found: dict[str, str] = {}
    for root in roots:
        for item in sorted(root.rglob("*")) if root.exists() else ():
            if item.name.endswith("-shm"):
                continue
            found[str(item)] = (
                hashlib.sha256(item.read_bytes()).hexdigest() if item.is_file() else "dir"
            )
    return found


def _message_id(store: Store, word: str) -> int:
    with store.reading() as session:
        (found,) = search(session, word)
    return found.id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "profile") as opened:
        work = add_test_account(opened, "work")
        store_messages(
            opened,
            work,
            [
                email("full", subject="Pricing", body="Our prices: https://youtu.be/abc\nThanks"),
                email("bare", subject="Headers only", body="The preview of the mail body"),
            ],
        )
        with opened.writing() as session:  # as a sync leaves it: headers, no body yet
            session.execute(text("UPDATE messages SET body_text = NULL WHERE remote_id = 'bare'"))
        team = add_test_account(opened, "team", AccountKind.MATRIX, ("@me:example.org",))
        store_messages(
            opened,
            team,
            [
                chat("$root", body="Thread starts: how do we deploy?"),
                chat("$reply", body="Deploy with make release", thread="$root"),
            ],
        )
        yield opened


def test_a_typed_answer_is_saved_with_tags_and_links(store: Store) -> None:
    saved = add_answer(
        store,
        CLOCK,
        title=" Deploying ",
        tags="Ops, deploy,ops",
        body="Steps:\r\nrecording: https://www.loom.com/share/x1\r\n",
    )
    answer = saved.answer
    assert saved.taken is None
    assert (answer.title, answer.tags, answer.source) == ("Deploying", ("ops", "deploy"), None)
    assert answer.body == "Steps:\nrecording: https://www.loom.com/share/x1\n"
    assert [(link.url, link.context) for link in answer.links] == [
        ("https://www.loom.com/share/x1", "recording: https://www.loom.com/share/x1")
    ]
    assert answer.created_at == answer.updated_at == T0
    assert answer.as_json()["created_at"] == "2026-11-16T09:00:00Z"


def test_from_a_message_takes_its_body_when_fetched(store: Store) -> None:
    saved = add_answer(
        store, CLOCK, title="Prices", tags=None, from_message=_message_id(store, "prices")
    )
    assert saved.taken == "body"
    assert saved.answer.body == "Our prices: https://youtu.be/abc\nThanks"
    source = saved.answer.as_json()["source"]
    assert source["account"] == "work"
    assert source["remote_id"] == "full"
    assert source["subject"] == "Pricing"
    assert source["text"] == "body"
    assert saved.answer.links[0].kind == "youtube"


def test_from_a_message_without_its_body_takes_the_preview_and_says_so(store: Store) -> None:
    saved = add_answer(
        store, CLOCK, title="Preview", tags=None, from_message=_message_id(store, "headers")
    )
    assert saved.taken == "snippet"
    assert saved.answer.body == "The preview of the mail body"


def test_from_a_chat_thread_keeps_to_the_one_message(store: Store) -> None:
    saved = add_answer(
        store, CLOCK, title="Deploy", tags="ops", from_message=_message_id(store, "make")
    )
    assert saved.answer.body == "Deploy with make release"
    assert "Thread starts" not in saved.answer.body


def test_a_whole_email_thread_is_saved_as_each_persons_own_words(store: Store) -> None:
    """A negotiation worth keeping spans messages; each reply quotes the ones before it
    and ends with a signature: the answer keeps every message once, oldest first."""
    from datetime import timedelta

    from asyncdesk.core.messages import Direction
    from asyncdesk.services.schedule import set_timezone

    set_timezone(store, CLOCK, "Europe/Berlin")
    work = add_test_account(store, "sales")
    hour = timedelta(hours=1)
    deal = "deal@mail.example"
    store_messages(
        store,
        work,
        [
            email("q", conversation=deal, name="Ann", body="Can you do 10% off?"),
            email(
                "a",
                conversation=deal,
                at=T0 + hour,
                direction=Direction.OUTBOUND,
                sender="me@example.com",
                name="Me",
                body="Yes, for annual plans.\n\nOn Mon, Ann wrote:\n> Can you do 10% off?",
            ),
            email("t", conversation=deal, at=T0 + 2 * hour, name="Ann", body="Great!\n--\nAnn"),
            email("other", at=T0 + 3 * hour, body="Unrelated invoice"),
        ],
    )
    saved = add_answer(
        store,
        CLOCK,
        title="Annual discount",
        tags="sales",
        from_message=_message_id(store, "great"),
        whole_thread=True,
    )
    assert saved.taken == "thread"
    assert saved.answer.body == (
        "Ann · Mon 16 Nov 2026 10:00\nCan you do 10% off?\n\n"
        "Me · Mon 16 Nov 2026 11:00\nYes, for annual plans.\n\n"
        "Ann · Mon 16 Nov 2026 12:00\nGreat!"
    )
    assert saved.answer.as_json()["source"]["text"] == "thread"


def test_a_whole_chat_thread_is_saved_from_its_root(store: Store) -> None:
    saved = add_answer(
        store,
        CLOCK,
        title="Deploy",
        tags=None,
        from_message=_message_id(store, "starts"),
        whole_thread=True,
    )
    assert "how do we deploy?" in saved.answer.body
    assert saved.answer.body.endswith("Deploy with make release")


def test_whole_thread_needs_a_message(store: Store) -> None:
    with pytest.raises(BadInput, match="--whole-thread"):
        add_answer(store, CLOCK, title="t", tags=None, body="x", whole_thread=True)
    assert list(iter_answers(store)) == []


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"title": "", "body": "x"}, "--title"),
        ({"title": "t" * 201, "body": "x"}, "--title"),
        ({"title": "t", "tags": "a b", "body": "x"}, "--tags"),
        ({"title": "t", "body": "   "}, "empty"),
        ({"title": "t", "body": "x" * (MAX_BODY_BYTES + 1)}, "MiB"),
        ({"title": "t", "from_message": 99999}, "no message with id 99999"),
        ({"title": "t"}, "--body-stdin or --from-message"),
        ({"title": "t", "body": "x", "from_message": 1}, "--body-stdin or --from-message"),
    ],
)
def test_bad_input_saves_nothing(store: Store, kwargs: dict[str, object], why: str) -> None:
    before = _snapshot(store.paths.root)
    with pytest.raises(BadInput, match=why):
        add_answer(store, CLOCK, tags=kwargs.pop("tags", None), **kwargs)  # type: ignore[arg-type]
    assert list(iter_answers(store)) == []
    assert _snapshot(store.paths.root) == before


def test_a_message_with_no_text_is_refused(store: Store) -> None:
    with store.writing() as session:
        session.execute(
            text("UPDATE messages SET body_text = NULL, snippet = '' WHERE remote_id = 'bare'")
        )
    with pytest.raises(BadInput, match="no text"):
        add_answer(store, CLOCK, title="t", tags=None, from_message=_message_id(store, "headers"))


def test_search_takes_any_text(store: Store) -> None:
    add_answer(store, CLOCK, title="Net 30 terms", tags="billing", body="Invoices: net 30.")
    assert [a.title for a in search_answers(store, 'net "30 terms"')] == ["Net 30 terms"]
    assert [a.title for a in search_answers(store, "BILLING -*")] == ["Net 30 terms"]
    assert search_answers(store, "NEAR(net 30)") == []  # NEAR is a word, not in the answer
    for bad in ("*", '"', "x" * 501):
        with pytest.raises(BadInput, match="QUERY"):
            search_answers(store, bad)


def _export(store: Store, folder: Path) -> dict[str, str]:
    export_answers(store, folder)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_export_writes_one_file_per_answer_and_an_index(store: Store, tmp_path: Path) -> None:
    add_answer(store, CLOCK, title="Deploying", tags="ops", body="Run make release.")
    add_answer(store, CLOCK, title="Prices", tags=None, from_message=_message_id(store, "prices"))
    before = _snapshot(store.paths.root)
    files = _export(store, tmp_path / "kb")
    assert sorted(files) == [EXPORT_MANIFEST, "0001-deploying.md", "0002-prices.md", "index.md"]
    assert "[Deploying](0001-deploying.md)" in files["index.md"]
    assert files["index.md"].index("Prices") < files["index.md"].index("Deploying")
    assert 'title: "Prices"' in files["0002-prices.md"]
    assert '  remote_id: "full"' in files["0002-prices.md"]
    assert '    context: "Our prices: https://youtu.be/abc"' in files["0002-prices.md"]
    assert files["0001-deploying.md"].endswith("# Deploying\n\nRun make release.\n")
    assert json.loads(files[EXPORT_MANIFEST])["files"] == ["0001-deploying.md", "0002-prices.md"]
    assert not [p for p in (tmp_path / "kb").iterdir() if p.name.startswith(".0")]
    assert _snapshot(store.paths.root) == before  # export only reads the profile


def test_export_again_replaces_its_files_and_keeps_others(store: Store, tmp_path: Path) -> None:
    add_answer(store, CLOCK, title="First", tags=None, body="one")
    folder = tmp_path / "kb"
    _export(store, folder)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "0009-old.md").write_text("not ours", encoding="utf-8")  # not in the manifest
    with store.writing() as session:
        session.execute(text("UPDATE answers SET title = 'Renamed'"))
    files = _export(store, folder)
    assert "0001-first.md" not in files  # its earlier file, no longer needed
    assert files["0001-renamed.md"].startswith('---\nid: 1\ntitle: "Renamed"')
    assert files["notes.txt"] == "mine"
    assert files["0009-old.md"] == "not ours"


def test_an_empty_profile_exports_an_index(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        files = _export(store, tmp_path / "empty-existing")
    assert "No saved answers yet." in files["index.md"]


@pytest.mark.parametrize(
    "make",
    [
        lambda f: (f / "a.txt").write_text("x"),
        lambda f: (f / ".hidden").write_text("x"),
        lambda f: (f / "sub").mkdir(),
        lambda f: (f / EXPORT_MANIFEST).write_text("not json"),
        lambda f: (f / EXPORT_MANIFEST).write_text('{"files": "0001-a.md"}'),
    ],
)
def test_export_refuses_a_folder_that_is_not_empty_nor_an_export(
    store: Store, tmp_path: Path, make: object
) -> None:
    add_answer(store, CLOCK, title="First", tags=None, body="one")
    folder = tmp_path / "busy"
    folder.mkdir()
    make(folder)  # type: ignore[operator]
    before = _snapshot(store.paths.root, folder)
    with pytest.raises(BadInput, match="not empty"):
        export_answers(store, folder)
    assert _snapshot(store.paths.root, folder) == before


def test_export_refuses_a_file_a_missing_parent_and_a_long_name(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(BadInput, match="is a file"):
        check_export_folder(tmp_path / "file")
    with pytest.raises(BadInput, match="no such folder"):
        check_export_folder(tmp_path / "missing" / "kb")
    with pytest.raises(BadInput, match="cannot use"):
        check_export_folder(tmp_path / ("x" * 300) / "kb")


def test_a_manifest_cannot_make_export_delete_other_files(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    victim = tmp_path / "precious.md"
    victim.write_text("keep", encoding="utf-8")
    (folder / EXPORT_MANIFEST).write_text(
        json.dumps({"files": ["../precious.md", "/etc/passwd", "index.md", "0001-x.md"]})
    )
    (folder / "0001-x.md").write_text("old export")
    export_answers(store, folder)
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not (folder / "0001-x.md").exists()
    assert sorted(os.listdir(folder)) == [EXPORT_MANIFEST, "index.md"]
