"""What a user types in the search box, as a value: words, phrases and filters.

The syntax (every part must hold; parts are separated by spaces):

- ``invoice`` — a word: found in the subject, the sender (name or address) or the body,
  as a whole word, case and accents ignored (``cafe`` finds "Café"). A word that holds
  other characters is taken as the words in it, next to each other: ``e-mail`` finds
  "e-mail" and "e mail", ``ada@example.org`` finds that address.
- ``"security review"`` — a phrase: these words next to each other. A quote left open
  runs to the end of the text.
- ``sender:oliver``, ``sender:"Oliver Smith"``, ``sender:ada@example.org`` — words of
  the sender's name or address. ``subject:contract`` — words of the subject.
- ``is:due`` — needs a reply and is still open (state open or snoozed).
- ``is:overdue`` — open now (open, or snoozed with its snooze run out) and past its
  ``due_at``: what ``deadlines --overdue`` lists.
- ``is:unread`` — an inbound message not yet read.
- ``is:soon`` — open and due before the next window starts (within 24 hours when no
  window is ahead), not yet overdue: what must be answered in this window.
- ``is:fyi`` — an inbound message that needs no reply (lists, notifications, room
  chatter, bots, Cc): the "FYI / bulk" view.
- ``in:chat``, ``in:email`` — by medium.
- ``account:NAME`` — from that account (the name in any case).

Search as you type: the last part, when it is a word (or a ``sender:``/``subject:``
value) and nothing follows it, not even a space, matches as a prefix (``invo`` finds
"invoice"); so does a phrase whose quote is still open. A finished word (followed by a
space) matches whole words only.

Anything else is text, never an error: an unknown ``word:`` (``re:``, ``10:30``,
``is:maybe``) is a word; a word, phrase or value without a letter or digit (``-``,
``*``, ``(``, an emoji) is left out, since the index keeps only letters and digits;
a filter without a value (``sender:`` still being typed) is left out. Keys and
``is:``/``in:`` values are read in any case. Control characters count as spaces.
:func:`parse` never raises, and :func:`render` writes a query back as text that
:func:`parse` reads to the same value.

This module knows nothing of SQL or of the full-text engine: the store turns a
:class:`SearchQuery` into its own query language, escaping whatever the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from asyncdesk.core.messages import Medium


class Field(StrEnum):
    """Where a text term must be found."""

    ANY = "any"  # subject, sender or body
    SENDER = "sender"  # the sender's name or address
    SUBJECT = "subject"


class Flag(StrEnum):
    """The ``is:`` filters; their exact meaning is in the module docstring."""

    DUE = "due"
    OVERDUE = "overdue"
    UNREAD = "unread"
    FYI = "fyi"
    SOON = "soon"


@dataclass(frozen=True, slots=True)
class TextTerm:
    """Words to find, next to each other, in ``field``.

    ``text`` is as typed (it holds at least one letter or digit); with ``prefix`` its
    last word may be the start of a longer one. Only a query's last term is a prefix.
    """

    text: str
    field: Field = Field.ANY
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed search: every term and every filter must hold.

    Filters of one kind are a set: ``in:chat in:email`` asks for messages that are
    both, so it finds nothing.
    """

    terms: tuple[TextTerm, ...] = ()
    flags: frozenset[Flag] = frozenset()
    media: frozenset[Medium] = frozenset()
    accounts: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        """Nothing to search for (an empty box, or only left-out parts)."""
        return not (self.terms or self.flags or self.media or self.accounts)

    @property
    def inbound_only(self) -> bool:
        """Every ``is:`` filter holds only for inbound messages."""
        return bool(self.flags)


_TEXT_KEYS: Final = {"sender": Field.SENDER, "subject": Field.SUBJECT}
_KEY: Final = re.compile(r"([A-Za-z]+):")
_FLAGS: Final = {flag.value: flag for flag in Flag}
_MEDIA: Final = {medium.value: medium for medium in Medium}
_KEYS: Final = frozenset({"sender", "subject", "account", "is", "in"})
_CONTROL: Final = frozenset({"Cc", "Cs"})


def _normalized(text: str) -> str:
    """Control characters (NUL, tabs, newlines) and lone surrogates become spaces."""
    if text.isprintable():
        return text
    return "".join(" " if unicodedata.category(ch) in _CONTROL else ch for ch in text)


def _searchable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def parse(text: str) -> SearchQuery:
    """Read what the user typed (see the module docstring); never raises."""
    source = _normalized(text)
    length = len(source)
    terms: list[TextTerm] = []
    flags: set[Flag] = set()
    media: set[Medium] = set()
    accounts: set[str] = set()
    position = 0
    # Whether the last part read was a text term that may be a prefix (it ran to the
    # end of the text, and was not a closed quote).
    last_open = False
    while True:
        while position < length and source[position].isspace():
            position += 1
        if position >= length:
            break
        last_open = False
        if source[position] == '"':
            value, position, closed = _quoted(source, position)
            if _searchable(value):
                terms.append(TextTerm(value))
                last_open = not closed and not value[-1].isspace()
            continue
        end = position
        while end < length and not source[end].isspace():
            end += 1
        token = source[position:end]
        key_match = _KEY.match(token)
        key = key_match.group(1).lower() if key_match else ""
        if key_match is None or key not in _KEYS:
            position = end
            if _searchable(token):
                terms.append(TextTerm(token))
                last_open = end == length
            continue
        value_start = position + key_match.end()
        if key in ("is", "in"):
            position = end
            value = token[key_match.end() :].lower()
            if key == "is" and value in _FLAGS:
                flags.add(_FLAGS[value])
            elif key == "in" and value in _MEDIA:
                media.add(_MEDIA[value])
            elif value and _searchable(token):
                terms.append(TextTerm(token))  # is:maybe, in:box: plain text
                last_open = end == length
            continue
        if value_start < length and source[value_start] == '"':
            value, position, closed = _quoted(source, value_start)
            open_value = not closed and bool(value) and not value[-1].isspace()
        else:
            value, position = token[key_match.end() :], end
            open_value = end == length
        if key == "account":
            if value.strip():
                accounts.add(value.strip())
        elif _searchable(value):
            terms.append(TextTerm(value, _TEXT_KEYS[key]))
            last_open = open_value
    if last_open and terms:
        terms[-1] = TextTerm(terms[-1].text, terms[-1].field, prefix=True)
    return SearchQuery(tuple(terms), frozenset(flags), frozenset(media), frozenset(accounts))


def _quoted(source: str, start: int) -> tuple[str, int, bool]:
    """The text of a quote opening at ``start``, where reading goes on, and whether it
    was closed (an open quote runs to the end)."""
    close = source.find('"', start + 1)
    if close == -1:
        return source[start + 1 :], len(source), False
    return source[start + 1 : close], close + 1, True


def render(query: SearchQuery) -> str:
    """The query as text that :func:`parse` reads back to ``query``.

    Filters come first (``is:``, ``in:``, ``account:``, each sorted), then the text
    terms in order, so that a prefix term stays last; a finished last word keeps its
    trailing space, which is what makes it a whole word.
    """
    parts = [f"is:{flag.value}" for flag in sorted(query.flags)]
    parts += [f"in:{medium.value}" for medium in sorted(query.media)]
    parts += [f"account:{_value(name)}" for name in sorted(query.accounts)]
    trailing = ""
    for index, term in enumerate(query.terms):
        last = index == len(query.terms) - 1
        if term.field is Field.ANY:
            bare = not _needs_quotes(term.text) and not _looks_like_filter(term.text)
            written = term.text if bare else _quote(term.text, term.prefix and last)
        else:
            bare = not _needs_quotes(term.text)
            written = f"{term.field.value}:" + (
                term.text if bare else _quote(term.text, term.prefix and last)
            )
        if last and bare and not term.prefix:
            trailing = " "
        parts.append(written)
    return " ".join(parts) + trailing


def _needs_quotes(text: str) -> bool:
    return not text or text.startswith('"') or any(ch.isspace() for ch in text)


def _looks_like_filter(text: str) -> bool:
    """Would this word, written bare, be read as a filter (or left out as one)?"""
    key_match = _KEY.match(text)
    if key_match is None:
        return False
    key, value = key_match.group(1).lower(), text[key_match.end() :]
    if key == "is":
        return value.lower() in _FLAGS or not value
    if key == "in":
        return value.lower() in _MEDIA or not value
    return key in _KEYS


def _quote(text: str, open_: bool) -> str:
    # A quoted text never holds a quote: ``parse`` ends a quote at the next one, and a
    # bare word with a quote inside never needs quoting (it has no space, does not
    # start with one, and is no filter).
    return f'"{text}' if open_ else f'"{text}"'


def _value(name: str) -> str:
    return _quote(name, False) if _needs_quotes(name) else name
