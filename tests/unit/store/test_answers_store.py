"""Saved answers on real SQLite files: migration 0009 on an old profile, the search
index kept by triggers, FTS5 syntax typed as text, the source outliving its message."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from factories import T0, add_test_account, email, open_store, profile_at_revision, store_messages
from sqlalchemy import text

from asyncdesk.core.answers import AnswerSource, query_words, recording_links
from asyncdesk.store import migrate
from asyncdesk.store.accounts import remove_account
from asyncdesk.store.answers import (
    add_answer,
    count_answers,
    get_answer,
    iter_answers,
    search_answers,
    source_message,
)
from asyncdesk.store.database import Store
from asyncdesk.store.messages import search


def _add(store: Store, title: str, body: str, tags: tuple[str, ...] = (), minutes: int = 0) -> int:
    with store.writing() as session:
        return add_answer(
            session,
            title=title,
            body=body,
            tags=tags,
            links=recording_links(body),
            source=None,
            now=T0 + timedelta(minutes=minutes),
        )


def _titles(store: Store, query: str) -> list[str]:
    with store.reading() as session:
        return [a.title for a in search_answers(session, query_words(query))]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "p") as opened:
        _add(opened, "Refund policy", "We refund within 14 days of purchase.", ("billing",), 1)
        _add(opened, "Onboarding call", "A NEAR-final agenda: intro, demo, questions.", (), 2)
        _add(opened, "Café hours", "Open 9-17; the crème brûlée sells out.", ("food",), 3)
        _add(opened, "Operators", 'Type "quotes", stars * and -minus AND OR NOT freely.', (), 4)
        yield opened


def test_answers_list_newest_first_with_their_tags(store: Store) -> None:
    with store.reading() as session:
        answers = list(iter_answers(session))
        assert count_answers(session) == 4
    assert [a.title for a in answers] == [
        "Operators",
        "Café hours",
        "Onboarding call",
        "Refund policy",
    ]
    assert answers[-1].tags == ("billing",)
    assert answers[-1].created_at == T0 + timedelta(minutes=1)
    assert answers[-1].snippet == "We refund within 14 days of purchase."


def test_search_finds_title_body_and_tags_ignoring_case_and_accents(store: Store) -> None:
    assert _titles(store, "REFUND") == ["Refund policy"]
    assert _titles(store, "billing") == ["Refund policy"]  # a tag
    assert _titles(store, "cafe creme") == ["Café hours"]
    assert _titles(store, "purchase refund") == ["Refund policy"]  # every word, any order
    assert _titles(store, '"14 days"') == ["Refund policy"]
    assert _titles(store, '"days 14"') == []
    assert _titles(store, "refund onboarding") == []


def test_a_word_in_the_title_ranks_first(store: Store) -> None:
    _add(store, "Questions", "Nothing else here.", (), 5)
    assert _titles(store, "questions") == ["Questions", "Onboarding call"]


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"quotes',
        "quotes*",
        "* stars",
        "NEAR(a b)",
        "NEAR",
        "AND",
        "OR NOT",
        "-minus",
        "title:operators",
        "{title body}: x",
        "^start",
        "a + b",
        "x\x00y",
        "caf\udce9",
        "😀 emoji",
    ],
)
def test_fts_syntax_in_a_query_is_only_text(store: Store, typed: str) -> None:
    """Whatever is typed, the query runs (no FTS5 syntax error) and means its words."""
    _titles(store, typed)


def test_operator_words_are_found_as_words(store: Store) -> None:
    assert _titles(store, "NEAR") == ["Onboarding call"]
    assert _titles(store, "AND OR NOT") == ["Operators"]
    assert _titles(store, "-minus") == ["Operators"]
    assert _titles(store, "quotes*") == ["Operators"]


def test_a_search_snippet_shows_the_body_around_the_words(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        _add(store, "Long", " ".join(f"word{i}" for i in range(200)) + " needle " + "tail " * 50)
        with store.reading() as session:
            (found,) = search_answers(session, ["needle"])
    assert "needle" in found.snippet
    assert "word0 " not in found.snippet


def test_the_index_follows_updates_and_deletes(store: Store) -> None:
    with store.writing() as session:
        session.execute(
            text(
                "UPDATE answers SET title = 'Returns policy', tags = '[\"shop\"]' "
                "WHERE title = 'Refund policy'"
            )
        )
    assert _titles(store, "returns shop") == ["Returns policy"]
    assert _titles(store, "billing") == []
    with store.writing() as session:
        session.execute(text("DELETE FROM answers WHERE title LIKE 'Ret%'"))
    assert _titles(store, "refund") == []
    with sqlite3.connect(store.paths.database) as raw:
        assert raw.execute("SELECT count(*) FROM answer_search").fetchone() == (3,)


def test_a_source_outlives_its_message(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store, "work")
        store_messages(store, account, [email("r1", subject="Invoice?", body="Where is it?")])
        with store.reading() as session:
            (message,) = search(session, "invoice")
            found = source_message(session, message.id)
            assert source_message(session, 999) is None
        assert found is not None
        assert found.body == "Where is it?"
        source = AnswerSource(found.id, "work", "r1", "client", "Invoice?", T0, "body")
        with store.writing() as session:
            answer_id = add_answer(
                session, title="t", body="b", tags=(), links=(), source=source, now=T0
            )
        with store.writing() as session:
            remove_account(session, "work")
        with store.reading() as session:
            kept = get_answer(session, answer_id)
    assert kept is not None
    assert kept.source is not None
    assert kept.source.message_id is None
    assert (kept.source.account, kept.source.remote_id, kept.source.subject) == (
        "work",
        "r1",
        "Invoice?",
    )


def test_upgrade_from_0008_keeps_everything_and_adds_answers(tmp_path: Path) -> None:
    """A profile at revision 0008 with an account and a message: opening it migrates to
    0009 (after a backup); messages and their search survive; answers work at once."""
    root = tmp_path / "old"
    engine = profile_at_revision(root, "0008")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, name, kind, identities, config, created_at) VALUES "
            "(1, 'old', 'email', '[\"me@example.com\"]', '{}', '2026-01-01 00:00:00.000000')"
        )
        connection.exec_driver_sql(
            "INSERT INTO messages (account_id, remote_id, direction, medium, conversation, "
            '"references", sender_address, sender_name, to_addresses, cc_addresses, subject, '
            "snippet, body_text, headers, is_direct, mentions_me, received_at, needs_reply) "
            "VALUES (1, 'r1', 'inbound', 'email', 'c1', '[]', 'ann@example.org', 'Ann', '[]', "
            "'[]', 'Quarterly planning', 'see attached', 'see attached agenda', '{}', 0, 0, "
            "'2026-01-02 10:00:00.000000', 0)"
        )
        assert (
            connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name = 'answers'"
            ).first()
            is None
        )
    engine.dispose()

    with Store.open(root) as store:
        with store.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.HEAD_REVISION
        with store.reading() as session:
            (message,) = search(session, "planning")
            found = source_message(session, message.id)
        assert found is not None
        assert found.body == "see attached agenda"
        _add(store, "Planning answer", "Agenda: https://vimeo.com/1234", ("planning",))
        with store.reading() as session:
            (answer,) = search_answers(session, ["planning"])
        assert answer.links[0].url == "https://vimeo.com/1234"
    assert any((root / "backups").iterdir())  # a backup before the upgrade
