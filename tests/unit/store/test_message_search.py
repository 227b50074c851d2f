"""Search with filters on a real profile: which messages come back, in which order.

Every query goes through what the search box does: the text is parsed
(``core.search_query.parse``) and run by ``store.messages.search_query``.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from factories import T0, add_test_account, chat, email, open_store, store_messages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.messages import Direction, Message, ReplyState, Sender, Triage
from asyncdesk.core.search_query import Field, SearchQuery, TextTerm, parse
from asyncdesk.store import messages
from asyncdesk.store.database import Store
from asyncdesk.store.messages import insert_messages, redact_messages, search_query
from asyncdesk.store.promises import open_commitments, set_state

H = timedelta(hours=1)
NOW = T0 + 100 * H


def _found(store: Store, typed: str, *, now: datetime = NOW, limit: int = 100) -> list[str]:
    """The remote ids a search shows, top to bottom."""
    with store.reading() as session:
        found = search_query(session, parse(typed), now=now, limit=limit)
        ids = {m.id: m for m in found}
        assert len(ids) == len(found), "a message came back twice"
        remote = dict(
            session.execute(
                text(
                    "SELECT id, remote_id FROM messages "
                    "WHERE id IN (SELECT value FROM json_each(:ids))"
                ),
                {"ids": json.dumps(list(ids))},
            ).all()
        )
    return [str(remote[m.id]) for m in found]


def _named(message: Message, name: str) -> Message:
    return dataclasses.replace(message, sender=Sender(message.sender.address, name))


def _mailbox(root: Path) -> Store:
    """Two accounts, a week of mail and chat with the awkward cases in it."""
    store = open_store(root)
    work = add_test_account(store, "Work")
    team = add_test_account(store, "team", kind=AccountKind.MATRIX, identities=("@me:example.org",))
    store_messages(
        store,
        work,
        [
            email(
                "invoice",
                at=T0,
                sender="oliver.smith@initech.example",
                name="Oliver Smith",
                subject="Question about invoice 2818",
                body="Could you take a look at invoice 2818 when you have a moment?",
                conversation="t-invoice",
            ),
            email(
                "cafe",
                at=T0 + 1 * H,
                sender="chloe@example.fr",
                name="Chloé Dubois",
                subject="Café à Noël",
                body="Rendez-vous au café, Straße 5. Bring the e-mail from Zoë.",
            ),
            email(
                "review",
                at=T0 + 2 * H,
                sender="emily@example.com",
                name="Emily Carter",
                subject="Security review findings",
                body="The security review is done; Oliver has the notes.",
            ),
            email(
                "words",
                at=T0 + 3 * H,
                sender="ahmed@example.com",
                name="Ahmed Hassan",
                subject="Review of the security plan",
                body='NEAR(deploy) AND "quoted" text -- with * and - in it, (brackets)',
            ),
            email(
                "reply",
                at=T0 + 4 * H,
                direction=Direction.OUTBOUND,
                sender="me@example.com",
                name="Me",
                subject="Re: Question about invoice 2818",
                body="Paid this morning.",
                conversation="t-invoice",
            ),
        ],
    )
    store_messages(
        store,
        work,
        [
            email(
                "digest",
                at=T0 + 5 * H,
                sender="letters@news.example",
                name="The Letter",
                subject="Weekly digest",
                body="The invoices of the week, and a café guide 👍",
            )
        ],
        needs_reply=False,
    )
    store_messages(
        store,
        team,
        [
            _named(
                chat(
                    "priya",
                    at=T0 + H / 2,
                    body="Can you review the invoice? 👍",
                    sender="@priya:example.org",
                    direct=True,
                ),
                "Priya Patel",
            ),
            _named(
                chat(
                    "kwame",
                    at=T0 + 6 * H,
                    body="Deploy is green 🚀",
                    sender="@kwame:example.org",
                    mention=True,
                ),
                "Kwame Mensah",
            ),
        ],
    )
    return store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with _mailbox(tmp_path / "p") as opened:
        yield opened


# ------------------------------------------------------------------ words and phrases


def test_a_word_finds_subject_sender_and_body_both_directions_newest_first(store: Store) -> None:
    # "invoice" while typing is a prefix: "invoices" in the digest counts too.
    assert _found(store, "invoice") == ["digest", "reply", "priya", "invoice"]
    # A finished word (a space after it) is a whole word only.
    assert _found(store, "invoice ") == ["reply", "priya", "invoice"]
    assert _found(store, "oliver") == ["review", "invoice"]  # body, then sender


def test_typing_a_word_narrows_from_its_third_letter(store: Store) -> None:
    assert _found(store, "inv") == _found(store, "invoi") == _found(store, "invoice")
    assert _found(store, "secu") == ["words", "review"]
    # One or two letters are whole words until a third is typed (no prefix index):
    # "in" is the word "in", not "invoice".
    assert _found(store, "in") == ["words"]
    assert _found(store, "i") == []


def test_every_word_must_match_in_any_order(store: Store) -> None:
    assert _found(store, "security review") == ["words", "review"]
    assert _found(store, "review security") == ["words", "review"]
    assert _found(store, "invoice 2818") == ["reply", "invoice"]
    assert _found(store, "invoice nothing-like-this") == []


def test_a_phrase_needs_its_words_next_to_each_other(store: Store) -> None:
    assert _found(store, '"security review"') == ["review"]
    assert _found(store, '"review security"') == []
    # An open quote runs to the end and, still being typed, ends in a prefix.
    assert _found(store, '"security rev') == ["review"]
    assert _found(store, '"security review" oliver') == ["review"]


def test_accents_and_case_are_ignored(store: Store) -> None:
    assert _found(store, "cafe") == ["digest", "cafe"]
    assert _found(store, "CAFÉ ") == ["digest", "cafe"]
    assert _found(store, "noel") == ["cafe"]
    assert _found(store, "zoe") == ["cafe"]
    assert _found(store, "chloe") == ["cafe"]  # in the sender's name
    # ß is a letter of its own for the tokenizer: "strasse" does not find "Straße".
    assert _found(store, "straße") == ["cafe"]
    assert _found(store, "strasse") == []


def test_words_with_signs_are_their_words_side_by_side(store: Store) -> None:
    assert _found(store, "e-mail") == ["cafe"]
    assert _found(store, "mail") == ["cafe"]
    assert _found(store, "oliver.smith@initech.example") == ["invoice"]


def test_fts_syntax_typed_by_a_user_is_only_text(store: Store) -> None:
    for odd in [
        '"',
        '""',
        "(",
        ")",
        "*",
        "-",
        "--",
        "^",
        ":",
        "NEAR(",
        "NOT",
        "OR",
        "AND (",
        "a*b",
    ]:
        _found(store, odd)  # never an FTS5 syntax error
    assert _found(store, "NEAR(deploy") == ["words"]  # "near deploy*", side by side
    assert _found(store, "AND ") == ["digest", "words"]  # the word "and"
    assert _found(store, '"quoted" ') == ["words"]
    assert _found(store, 'quoted" text') == ["words"]
    assert _found(store, "(brackets)") == ["words"]
    assert _found(store, "review -security") == ["words", "review"]  # no NOT: "-" is no word


def test_signs_and_emoji_alone_find_nothing_and_beside_words_are_ignored(store: Store) -> None:
    # The index keeps letters and digits only: an emoji is not searchable.
    assert _found(store, "👍") == []
    assert _found(store, "-") == []
    assert _found(store, "") == []
    assert _found(store, "   ") == []
    assert _found(store, "café 👍") == ["digest", "cafe"]
    assert _found(store, "deploy🚀") == ["kwame", "words"]


# ------------------------------------------------------------------ sender and subject


def test_sender_matches_name_or_address_not_the_body(store: Store) -> None:
    assert _found(store, "sender:oliver") == ["invoice"]  # the body mention is not it
    assert _found(store, 'sender:"Oliver Smith"') == ["invoice"]
    assert _found(store, "sender:oliver.smith@initech.example") == ["invoice"]
    assert _found(store, "sender:initech.example") == ["invoice"]
    assert _found(store, "sender:@priya:example.org") == ["priya"]
    assert _found(store, "sender:chloe") == ["cafe"]
    assert _found(store, 'sender:"oliver initech"') == []


def test_a_sender_being_typed_matches_as_a_prefix(store: Store) -> None:
    assert _found(store, "sender:oli") == ["invoice"]
    assert _found(store, "sender:oli ") == []
    assert _found(store, 'sender:"Oliver Smi') == ["invoice"]


def test_subject_is_limited_to_the_subject(store: Store) -> None:
    assert _found(store, "subject:security") == ["words", "review"]
    assert _found(store, "subject:oliver") == []
    assert _found(store, 'subject:"security review"') == ["review"]
    assert _found(store, "subject:review sender:ahmed") == ["words"]


# ------------------------------------------------------------------ the other filters


def test_filters_alone_and_with_words(store: Store) -> None:
    assert _found(store, "in:chat") == ["kwame", "priya"]
    assert _found(store, "in:email") == ["digest", "reply", "words", "review", "cafe", "invoice"]
    assert _found(store, "in:chat invoice") == ["priya"]
    assert _found(store, "in:chat in:email") == []
    assert _found(store, "account:team") == ["kwame", "priya"]
    assert _found(store, "ACCOUNT:work in:email invoice ") == ["reply", "invoice"]
    assert _found(store, "account:nobody") == []
    assert _found(store, "account:nobody invoice") == []


def test_is_due_is_open_or_snoozed_and_inbound(store: Store) -> None:
    # The reply answered the invoice; the digest needs no reply.
    assert _found(store, "is:due") == ["kwame", "words", "review", "cafe", "priya"]
    _set(store, "cafe", ReplyState.SNOOZED, until=NOW + 10 * H)
    _set(store, "review", ReplyState.DISMISSED)
    assert _found(store, "is:due") == ["kwame", "words", "cafe", "priya"]
    assert _found(store, "is:due invoice") == ["priya"]
    assert _found(store, "is:due in:chat") == ["kwame", "priya"]
    assert _found(store, "is:due sender:ahmed") == ["words"]


def test_is_overdue_agrees_with_the_deadlines_list(store: Store) -> None:
    # Due 48 hours after arrival: at T0 + 50h the first two are past due.
    at = T0 + 50 * H
    assert _found(store, "is:overdue", now=at) == ["cafe", "priya"]
    assert _found(store, "is:overdue", now=T0 + 47 * H) == []
    _set(store, "cafe", ReplyState.SNOOZED, until=at + H)
    _set(store, "review", ReplyState.SNOOZED, until=at - H)  # ran out: open again
    for now in (at, T0 + 60 * H, NOW):
        with store.reading() as session:
            listed = open_commitments(session, now, due_before=now)
            shown = search_query(session, parse("is:overdue"), now=now, limit=100)
        assert {c.id for c in listed} == {m.id for m in shown}, now
    assert _found(store, "is:overdue", now=at) == ["priya"]
    assert _found(store, "is:overdue is:due", now=T0 + 60 * H) == [
        "kwame",
        "words",
        "review",
        "cafe",
        "priya",
    ]


def test_is_unread(tmp_path: Path) -> None:
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        batch = [
            (email(f"m{i}", at=T0 + i * H, subject=f"note {i}"), Triage(True, T0 + 48 * H))
            for i in range(4)
        ]
        reply = email("out", at=T0 + 9 * H, direction=Direction.OUTBOUND, subject="note sent")
        with store.writing() as session:
            assert account.id is not None
            insert_messages(
                session,
                account.id,
                [*batch, (reply, Triage(False, None))],
                flags=[(True, False), (False, False), (True, True), (False, True), (False, False)],
            )
        assert _found(store, "is:unread") == ["m3", "m1"]  # our own messages are never unread
        assert _found(store, "note is:unread") == ["m3", "m1"]
        assert _found(store, "note") == ["out", "m3", "m2", "m1", "m0"]


# ------------------------------------------------------------------ order and limits


@pytest.mark.parametrize("few", [2000, 0])
def test_newest_first_and_ties_by_arrival_across_directions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    monkeypatch.setattr(messages, "_FEW_MATCHES", few)  # both plans
    with open_store(tmp_path / "p") as store:
        account = add_test_account(store)
        same = T0 + H
        store_messages(
            store,
            account,
            [
                email("a", at=same, subject="plan"),
                email("b", at=same, subject="plan", direction=Direction.OUTBOUND),
                email("c", at=same, subject="plan"),
                email("d", at=T0, subject="plan"),
                email("e", at=T0 + 2 * H, subject="plan", direction=Direction.OUTBOUND),
            ],
        )
        # Same instant: the later stored first (as the inbox pages them).
        assert _found(store, "plan") == ["e", "c", "b", "a", "d"]
        assert _found(store, "in:email") == ["e", "c", "b", "a", "d"]
        assert _found(store, "plan", limit=2) == ["e", "c"]
        assert _found(store, "plan", limit=0) == []


def test_removed_messages_are_left_out(store: Store) -> None:
    with store.writing() as session:
        account_id = session.execute(
            text("SELECT account_id FROM messages WHERE remote_id = 'kwame'")
        ).scalar_one()
        redact_messages(session, int(account_id), ["kwame"], NOW)
    assert _found(store, "in:chat") == ["priya"]
    assert _found(store, "deploy") == ["words"]
    assert _found(store, "deleted") == []


def test_many_matches_and_few_come_back_the_same(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rare words are read by rowid and sorted, common ones found by walking the
    inbox: both plans must show the same messages in the same order."""
    queries = [
        "invoice",
        "review",
        "the ",
        "security review",
        "sender:oliver",
        "is:due invoice",
        "is:overdue the",
        "in:chat invoice",
        "account:work the ",
        "is:unread review",
    ]
    few = {query: _found(store, query, now=T0 + 50 * H) for query in queries}
    monkeypatch.setattr(messages, "_FEW_MATCHES", 0)
    assert {query: _found(store, query, now=T0 + 50 * H) for query in queries} == few
    assert few["the "] == ["digest", "words", "review", "cafe", "priya"]


# ------------------------------------------------------------------ the plans


def _plans(store: Store, typed: str) -> list[tuple[str, str]]:
    """Every statement a search ran, with SQLite's plan for it."""
    with store.reading() as session:
        connection = session.connection().connection.driver_connection
        assert connection is not None
        statements: list[str] = []
        connection.set_trace_callback(statements.append)
        try:
            search_query(session, parse(typed), now=NOW, limit=100)
        finally:
            connection.set_trace_callback(None)
        return [
            (
                sql,
                " / ".join(str(row[-1]) for row in connection.execute("EXPLAIN QUERY PLAN " + sql)),
            )
            for sql in statements
            if sql.lstrip().upper().startswith("SELECT")
        ]


@pytest.mark.parametrize(
    "typed", ["is:due", "is:overdue", "is:unread", "in:chat", "account:work", "is:due in:email"]
)
def test_filters_alone_never_touch_the_text_index_and_walk_newest_first(
    store: Store, typed: str
) -> None:
    [(sql, plan)] = _plans(store, typed)
    assert "message_search" not in sql
    assert "ix_messages_stats" in plan  # inbound messages by date, no sort of them all
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert "SCAN m " not in plan.replace("SCAN m USING INDEX", ""), plan


def test_a_rare_word_reads_its_matches_by_rowid(store: Store) -> None:
    [(count, count_plan), (sql, plan)] = _plans(store, "invoice is:due")
    assert "message_search" in count
    assert "LIMIT" in count
    assert "VIRTUAL TABLE INDEX 0:M" in count_plan
    assert "message_search" not in sql  # the rowids are passed in
    assert "SEARCH m USING INTEGER PRIMARY KEY" in plan


def test_a_common_word_walks_newest_first_and_probes_the_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "_FEW_MATCHES", 0)
    [_, (_, plan)] = _plans(store, "review")
    assert "MERGE (UNION ALL)" in plan
    assert "ix_messages_stats" in plan
    assert "ix_messages_inbox (direction=?)" in plan
    assert "LIST SUBQUERY" in plan  # the matches, once per walk, probed by rowid
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan


# ------------------------------------------------------------------ anything typed


#: Pieces of what people type, FTS5 syntax and filter keys among them.
# fmt: off
PIECES = [
    '"', "(", ")", "*", "-", ":", "^", "{", "}", "+", "'", "\\", "NEAR(", "AND", "OR", "NOT",
    "sender:", "subject:", "is:", "in:", "account:", "due", "overdue", "unread", "chat",
    "é", "👍", "invoice", "café", " ", "  ", "\x00", "\t",
]
# fmt: on
#: Text made of those pieces, control and format characters, lone surrogates, anything.
TYPED = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.characters(categories=["Cs", "Cc", "Cf", "Zs", "So"]),
        st.text(max_size=6),
    ),
    max_size=12,
).map("".join)


@pytest.fixture(scope="module")
def shared_store() -> Iterator[Store]:
    with (
        tempfile.TemporaryDirectory(prefix="asyncdesk-search-") as tmp,
        _mailbox(Path(tmp) / "p") as opened,
    ):
        yield opened


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED)
def test_whatever_is_typed_the_search_answers(shared_store: Store, typed: str) -> None:
    with shared_store.reading() as session:
        found = search_query(session, parse(typed), now=NOW, limit=10)
    assert len(found) <= 10
    assert [m.received_at for m in found] == sorted((m.received_at for m in found), reverse=True)
    if typed.strip() == "":
        assert found == []


def _set(store: Store, remote_id: str, state: ReplyState, until: datetime | None = None) -> None:
    with store.writing() as session:
        pk = session.execute(
            text("SELECT id FROM messages WHERE remote_id = :r"), {"r": remote_id}
        ).scalar_one()
        set_state(session, int(pk), state, snoozed_until=until)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.builds(TextTerm, st.one_of(TYPED, st.text()), st.sampled_from(Field), st.booleans()),
        max_size=4,
    )
)
def test_no_text_term_is_fts_syntax(shared_store: Store, terms: list[TextTerm]) -> None:
    """Terms made by hand, not by the parser (quotes, NULs, signs only): still text."""
    with shared_store.reading() as session:
        search_query(session, SearchQuery(terms=tuple(terms)), now=NOW, limit=10)


def test_is_fyi_is_inbound_needing_no_reply(store: Store) -> None:
    # The digest needs no reply; the answered invoice still did (it is not FYI).
    assert _found(store, "is:fyi") == ["digest"]
    assert _found(store, "is:fyi is:due") == []
    assert _found(store, "is:fyi digest") == ["digest"]


def test_is_soon_is_due_before_the_next_window_and_not_yet_overdue(tmp_path: Path) -> None:
    from asyncdesk.core.search_query import parse
    from asyncdesk.store.messages import search_query

    with open_store(tmp_path / "soon") as store:
        account = add_test_account(store)
        store_messages(
            store,
            account,
            [
                email("late", at=T0, subject="late"),  # due T0 + 48 h
                email("next", at=T0 + 2 * H, subject="next"),  # due T0 + 50 h
                email("later", at=T0 + 22 * H, subject="later"),  # due T0 + 70 h
            ],
        )
        now = T0 + 49 * H

        def found(horizon: datetime | None) -> list[str]:
            with store.reading() as session:
                rows = search_query(session, parse("is:soon"), now=now, horizon=horizon)
            return [m.subject for m in rows]

        assert found(T0 + 60 * H) == ["next"]  # the next window opens at T0 + 60 h
        assert found(None) == ["later", "next"]  # no window ahead: the next 24 hours


@pytest.mark.parametrize(
    "typed",
    ["is:due", "is:overdue", "is:unread", "is:fyi", "is:soon", "is:due in:chat", "account:team"],
)
def test_the_sidebar_counts_what_the_search_lists(store: Store, typed: str) -> None:
    """The count beside a view is the number of inbound rows choosing it shows."""
    _set(store, "cafe", ReplyState.SNOOZED, until=NOW + 10 * H)
    for now in (T0 + 10 * H, NOW):
        with store.reading() as session:
            listed = search_query(session, parse(typed), now=now, limit=1000, horizon=now + 9 * H)
            counted = messages.count_filtered(session, parse(typed), now=now, horizon=now + 9 * H)
        assert counted == sum(m.direction is Direction.INBOUND for m in listed)
    with store.reading() as session, pytest.raises(ValueError, match="filters, not words"):
        messages.count_filtered(session, parse("is:due invoice"), now=NOW)
