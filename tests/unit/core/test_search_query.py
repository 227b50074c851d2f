"""The search box's syntax: what a typed text means, and writing it back."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asyncdesk.core.messages import Medium
from asyncdesk.core.search_query import Field, Flag, SearchQuery, TextTerm, parse, render

ANY, SENDER, SUBJECT = Field.ANY, Field.SENDER, Field.SUBJECT


def words(*terms: TextTerm, **filters: object) -> SearchQuery:
    return SearchQuery(terms=terms, **filters)  # type: ignore[arg-type]


def term(text: str, field: Field = ANY, *, prefix: bool = False) -> TextTerm:
    return TextTerm(text, field, prefix)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Words; the last one, still being typed, is a prefix.
        ("invoice", words(term("invoice", prefix=True))),
        ("invoice ", words(term("invoice"))),
        ("invoice 2818", words(term("invoice"), term("2818", prefix=True))),
        ("  security\t review\n", words(term("security"), term("review"))),
        ("e-mail", words(term("e-mail", prefix=True))),
        # Phrases; an open quote runs to the end and is still being typed.
        ('"security review"', words(term("security review"))),
        ('"security rev', words(term("security rev", prefix=True))),
        ('"security ', words(term("security "))),
        ('"a"b', words(term("a"), term("b", prefix=True))),
        ('say "hi" now', words(term("say"), term("hi"), term("now", prefix=True))),
        # Sender and subject, bare or quoted, prefix while typed.
        ("sender:oliver", words(term("oliver", SENDER, prefix=True))),
        ('sender:"Oliver Smith" x', words(term("Oliver Smith", SENDER), term("x", prefix=True))),
        ('Sender:"Oliver Sm', words(term("Oliver Sm", SENDER, prefix=True))),
        ("sender:@ada:example.org ", words(term("@ada:example.org", SENDER))),
        ("subject:contract ", words(term("contract", SUBJECT))),
        ('SUBJECT:"q3 plan" ', words(term("q3 plan", SUBJECT))),
        # The other filters, in any case; sets, so repeats and order do not matter.
        ("is:due", words(flags=frozenset({Flag.DUE}))),
        ("IS:Overdue is:unread", words(flags=frozenset({Flag.OVERDUE, Flag.UNREAD}))),
        ("is:due is:due", words(flags=frozenset({Flag.DUE}))),
        ("in:chat", words(media=frozenset({Medium.CHAT}))),
        ("in:chat in:EMAIL", words(media=frozenset({Medium.CHAT, Medium.EMAIL}))),
        ("account:Work", words(accounts=frozenset({"Work"}))),
        ('account:" work "', words(accounts=frozenset({"work"}))),
        (
            "is:due in:email account:work invoice",
            words(
                term("invoice", prefix=True),
                flags=frozenset({Flag.DUE}),
                media=frozenset({Medium.EMAIL}),
                accounts=frozenset({"work"}),
            ),
        ),
        # A filter after the words: the words are finished.
        ("invoice is:due", words(term("invoice"), flags=frozenset({Flag.DUE}))),
        # Unknown keys and values are words; filters without a value are left out.
        ("re: 10:30", words(term("re:"), term("10:30", prefix=True))),
        ("is:maybe", words(term("is:maybe", prefix=True))),
        ("in:box ", words(term("in:box"))),
        ("https://example.org", words(term("https://example.org", prefix=True))),
        ("sender:", words()),
        ("sender: oliver", words(term("oliver", prefix=True))),
        ('subject:"" is:', words()),
        ("account:", words()),
        # Nothing searchable: no letter or digit.
        ("", words()),
        ("   ", words()),
        ('" " -- * ( ) 👍', words()),
        ('"', words()),
        ("invoice -", words(term("invoice"))),
        ("café 👍", words(term("café"))),
        ("👍café", words(term("👍café", prefix=True))),
        # FTS5 syntax is text like any other.
        (
            "NEAR(a b) AND c*",
            words(term("NEAR(a"), term("b)"), term("AND"), term("c*", prefix=True)),
        ),
        # Control characters are spaces.
        ("a\x00b", words(term("a"), term("b", prefix=True))),
        ("a\tb\n", words(term("a"), term("b"))),
    ],
)
def test_parse(typed: str, expected: SearchQuery) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize(
    ("typed", "rendered"),
    [
        ("invoice", "invoice"),
        ("invoice ", "invoice "),  # the space is what makes it a finished word
        ("invoice is:due", "is:due invoice "),
        ("in:chat is:unread is:due sender:oli", "is:due is:unread in:chat sender:oli"),
        ('"security review" "x', '"security review" x'),
        ('"security rev', '"security rev'),
        ('"invoice"', "invoice "),
        ('"sender:x"', '"sender:x"'),
        ('"is:due" ', '"is:due"'),
        ('"is:maybe"', "is:maybe "),
        ('sender:"Oliver Smith"', 'sender:"Oliver Smith"'),
        ('sender:"Oliver Smi', 'sender:"Oliver Smi'),
        ('ab"c', 'ab"c'),
        ("account:b account:A", "account:A account:b"),
        ("", ""),
    ],
)
def test_render(typed: str, rendered: str) -> None:
    assert render(parse(typed)) == rendered
    assert parse(rendered) == parse(typed)


def test_query_helpers() -> None:
    assert parse("").is_empty
    assert parse("👍").is_empty
    assert not parse("in:chat").is_empty
    assert parse("is:unread x").inbound_only
    assert not parse("in:email x").inbound_only


# ------------------------------------------------------------------ properties

# fmt: off
PIECES = [
    '"', "(", ")", "*", "-", ":", "^", "{", "}", "+", "'", "\\", "NEAR(", "AND", "OR", "NOT",
    "sender:", "subject:", "account:", "is:", "in:", "Is:", "IN:", "due", "overdue", "unread",
    "chat", "email", "maybe", "é", "👍", "invoice", "café", " ", "  ", "\x00", "\t", "\u00a0",
]
# fmt: on
#: Text made of those pieces, control and format characters, lone surrogates, anything.
TYPED = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.characters(categories=["Cs", "Cc", "Cf", "Zs", "So"]),
        st.text(max_size=6),
    ),
    max_size=14,
).map("".join)
PROPERTIES = settings(max_examples=500, deadline=None)


@PROPERTIES
@given(TYPED)
def test_whatever_is_typed_parses_to_a_well_formed_query(typed: str) -> None:
    query = parse(typed)
    for index, found in enumerate(query.terms):
        assert any(ch.isalnum() for ch in found.text)
        # No control character (NUL ends SQLite's strings) and no lone surrogate.
        assert all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in found.text)
        assert not found.prefix or index == len(query.terms) - 1
    assert all(name.strip() == name and name for name in query.accounts)


@PROPERTIES
@given(TYPED)
def test_writing_a_query_back_reads_the_same(typed: str) -> None:
    query = parse(typed)
    rendered = render(query)
    assert parse(rendered) == query
    assert render(parse(rendered)) == rendered


@PROPERTIES
@given(TYPED)
def test_a_space_at_the_end_finishes_every_word(typed: str) -> None:
    assert not any(found.prefix for found in parse(typed + " ").terms)
