"""Email header blocks turned into normalised values: how the IMAP source reads a fetch.

The first sync asks the server only for :data:`HEADER_FIELDS`
(``BODY.PEEK[HEADER.FIELDS (...)]``) and hands each returned block to
:func:`parse_headers`. What comes back is :class:`ParsedHeaders`, normalised the way
:mod:`asyncdesk.core.messages` wants it (himalaya's envelope, STYLE.md habit 4):
addresses lower-cased, Message-IDs without angle brackets, instants aware and in UTC,
text decoded from RFC 2047 and with its whitespace collapsed.

Contract: :func:`parse_headers` never raises, whatever the bytes. Mail in the wild is
full of broken headers; what cannot be read is left out (``None``, ``""`` or an empty
tuple), or read leniently, and described in ``problems`` for logs and diagnostics. The
original block stays in ``raw``, so nothing is lost.

Why not the ``email`` package: parsing with ``email.policy.default`` ran at about 1,500
messages a second, 89 % of a first sync; ``compat32`` with ``decode_header`` at about
7,000. This module is a splitter and a few decoders on precompiled regular expressions,
with a fast path for the common shapes (plain ASCII values, ``Name <addr>`` lists,
RFC 5322 dates, bracketed ids) and the stdlib only for rare ones (``parsedate_tz`` for
odd dates). From and To values and single addresses repeat from message to message, so
their readings are kept in bounded LRU caches (problems included). On the development
machine it reads about 33,000 typical blocks a second on one core, 25 times
``policy.default`` (``benchmarks/header_parsing.py``, figures in ``benchmarks/README.md``).
Thread-safe: no state but the caches.

Decisions, each also a test:
- A header block ends at the first empty line; blank lines before it are skipped.
  Lines that are neither a header nor a continuation are skipped, with a problem.
- CRLF, LF and lone CR all end a line; NUL bytes are dropped.
- Raw 8-bit text is read as UTF-8 (RFC 6532), else as windows-1252, else Latin-1.
- For duplicate headers the first wins, except To and Cc, whose lists are joined.
- Encoded words: adjacent words in one charset are joined as bytes before decoding (a
  word may end mid-character); labels are read leniently (``gb2312`` as GB18030,
  ``iso-8859-1`` as windows-1252, a Latin label on valid UTF-8 as UTF-8, an unknown label
  as UTF-8 or windows-1252); encoded words inside quoted display names are decoded.
- Addresses are parsed before their display names are decoded, so an encoded comma
  cannot split a name; group names, routes, comments and ``mailto:`` are dropped; IDN
  domains are kept in Unicode (``xn--`` labels decoded), NFC-normalised, lower-cased.
- Dates: any numeric offset, the RFC 822 zone names, common names such as CET or JST;
  military letters and ``-0000`` are UTC (RFC 5322 section 4.3); an unknown or missing
  zone is read as UTC with a problem; an unreadable date is ``None``.
- Message-IDs: the first ``<...>`` with any whitespace inside removed; without brackets,
  the first word that holds an ``@``. References keeps at most :data:`MAX_REFERENCES`
  ids (the first, the root, and the latest ones).
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from functools import lru_cache
from typing import Final

from asyncdesk.core.messages import Sender

#: What the IMAP fetch asks for, in ``BODY.PEEK[HEADER.FIELDS (...)]``.
HEADER_FIELDS: Final[tuple[str, ...]] = (
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "List-Id",
    "List-Unsubscribe",
    "Precedence",
    "Auto-Submitted",
    "Reply-To",
)

#: The headers :mod:`asyncdesk.core.classify` reads, as they appear in ``classify_headers``.
CLASSIFY_HEADERS: Final[tuple[str, ...]] = (
    "list-id",
    "list-unsubscribe",
    "precedence",
    "auto-submitted",
)

#: Work caps: a block is read up to this many bytes, a field up to this many characters.
MAX_BLOCK_BYTES: Final = 4 * 1024 * 1024
MAX_FIELD_CHARS: Final = 64 * 1024
#: References keeps the first id (the thread root) and the latest ones, this many in all.
MAX_REFERENCES: Final = 100
#: A Message-ID longer than a whole header line (RFC 5322's 998) is not an id.
MAX_ID_CHARS: Final = 998
#: After this many problems the rest are counted, not described.
MAX_PROBLEMS: Final = 30


@dataclass(frozen=True, slots=True)
class ParsedHeaders:
    """One header block, read and normalised; see the module docstring for the rules.

    ``date`` is the Date header as an aware UTC instant, ``None`` if missing or unreadable
    (the caller then uses the server's INTERNALDATE). ``to``/``cc``/``reply_to`` are
    lower-cased addresses in order, without duplicates. ``classify_headers`` maps the
    lower-case names of :data:`CLASSIFY_HEADERS` that are present to their decoded values.
    """

    sender: Sender
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    subject: str
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    classify_headers: dict[str, str]
    raw: bytes
    problems: tuple[str, ...]


def conversation_key(parsed: ParsedHeaders, fallback: str) -> str:
    """The thread root: first of References, else In-Reply-To, else own Message-ID.

    ``fallback`` (e.g. :func:`content_hash`) is used when the message has none of them.
    """
    if parsed.references:
        return parsed.references[0]
    return parsed.in_reply_to or parsed.message_id or fallback


def content_hash(parsed: ParsedHeaders) -> str:
    """A stable 32-hex-digit hash of sender, date, subject and To.

    For messages without a Message-ID: it re-matches them after a UIDVALIDITY change.
    It depends only on normalised values, so it is the same on every machine and run.
    """
    date = parsed.date.isoformat() if parsed.date is not None else ""
    key = "\x1f".join((parsed.sender.address, date, parsed.subject, ",".join(parsed.to)))
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def normalize_mail_address(raw: str) -> str:
    """An address as :func:`parse_headers` stores it, for comparing with user input.

    Whitespace, ``mailto:`` and surrounding quotes dropped; ``xn--`` domain labels
    decoded; NFC; lower case. ``""`` if nothing is left or a side of the "@" is empty.
    """
    address = raw.strip() if '"' in raw else "".join(raw.split())
    if not address.isprintable():
        address = address.translate(_DROP_CONTROLS)
    if address[:7].lower() == "mailto:":
        address = address[7:]
    if len(address) > 1 and address[0] == address[-1] and address[0] in "'\"":
        address = address[1:-1]
    if not address.isascii():
        address = unicodedata.normalize("NFC", address)
    address = address.lower()
    if "xn--" in address:
        address = _decode_idn(address)
    local, at, domain = address.rpartition("@")
    return "" if at and not (local and domain) else address


# ---------------------------------------------------------------------------- the block


def parse_headers(raw: bytes) -> ParsedHeaders:
    """Read one header block (as fetched over IMAP); never raises. See the module doc."""
    problems: list[str] = []
    try:
        return _parse(raw, problems)
    except Exception as error:  # the contract: a bug here must not stop a sync
        _note(problems, f"internal error while parsing: {type(error).__name__}: {error}")
        return ParsedHeaders(
            sender=Sender(""),
            to=(),
            cc=(),
            reply_to=(),
            subject="",
            date=None,
            message_id=None,
            in_reply_to=None,
            references=(),
            classify_headers={},
            raw=raw,
            problems=tuple(problems),
        )


# Field names we read, lower-case, and how a problem names them.
_WANTED: Final = {name.lower(): name for name in HEADER_FIELDS}
_LIST_FIELDS: Final = frozenset({"to", "cc"})
_ADDRESS_FIELDS: Final = frozenset({"from", "to", "cc", "reply-to"})

# One header with its continuation lines, or (group 3) a line that is not a header.
# Field names are printable ASCII without ":" (RFC 5322 2.2); obsolete syntax allows
# whitespace before the colon.
_FIELD: Final = re.compile(
    r"^(?:([!-9;-~]+)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)|([^\n]+(?:\n[ \t][^\n]*)*))", re.M
)


def _parse(raw: bytes, problems: list[str]) -> ParsedHeaders:
    data = raw if type(raw) is bytes else bytes(raw)
    if len(data) > MAX_BLOCK_BYTES:
        _note(problems, f"header block of {len(data)} bytes: read the first {MAX_BLOCK_BYTES}")
        data = data[:MAX_BLOCK_BYTES]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\x00" in data:
        _note(problems, "NUL bytes in the header block: removed")
        data = data.replace(b"\x00", b"")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    data = data.lstrip(b"\n")
    end = data.find(b"\n\n")
    if end >= 0:
        data = data[:end]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_lines(data, problems)

    fields: dict[str, str] = {}
    more: dict[str, list[str]] = {}  # To and Cc after the first: joined below
    for name, value, junk in _FIELD.findall(text):
        if name:
            key = name.lower()
            if key not in _WANTED:
                continue
            if "\n" in value:
                value = value.replace("\n", "")
            if key not in fields:
                fields[key] = value
            elif key in _LIST_FIELDS:
                more.setdefault(key, []).append(value)
            else:
                _note(problems, f"duplicate {_WANTED[key]} header: kept the first")
        elif not junk.isspace():
            _note(problems, f"not a header line: {_show(junk)}")
    for key, values in more.items():
        fields[key] = ",".join([fields[key], *values])
    for key, value in fields.items():
        if len(value) > MAX_FIELD_CHARS and key != "references":
            _note(problems, f"{_WANTED[key]} of {len(value)} characters: read the first part")
            cut = value.rfind(",", 0, MAX_FIELD_CHARS) if key in _ADDRESS_FIELDS else -1
            fields[key] = value[: cut if cut > 0 else MAX_FIELD_CHARS]

    get = fields.get
    from_value = get("from")
    if from_value is None:
        _note(problems, "no From header")
    sender = Sender("") if from_value is None else _sender(from_value, problems)
    date_value = get("date")
    if date_value is None:
        _note(problems, "no Date header")
    date = None if date_value is None else _date(date_value, problems)
    subject, message_id, in_reply_to = get("subject"), get("message-id"), get("in-reply-to")
    references = get("references")
    return ParsedHeaders(
        sender=sender,
        to=_address_list(get("to"), "To", problems),
        cc=_address_list(get("cc"), "Cc", problems),
        reply_to=_address_list(get("reply-to"), "Reply-To", problems),
        subject="" if subject is None else _text(subject, "Subject", problems),
        date=date,
        message_id=None if message_id is None else _single_id(message_id, "Message-ID", problems),
        in_reply_to=(
            None if in_reply_to is None else _single_id(in_reply_to, "In-Reply-To", problems)
        ),
        references=() if references is None else _references(references, problems),
        classify_headers={
            key: _text(fields[key], _WANTED[key], problems)
            for key in CLASSIFY_HEADERS
            if key in fields
        },
        raw=raw,
        problems=tuple(problems),
    )


def _decode_lines(data: bytes, problems: list[str]) -> str:
    """A block that is not all UTF-8: each line as UTF-8, else as a legacy 8-bit text."""
    lines: list[str] = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            legacy = _decode_legacy(line)
            _note(problems, f"raw 8-bit text, not UTF-8, read as windows-1252: {_show(legacy)}")
            lines.append(legacy)
    return "\n".join(lines)


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: not in windows-1252
        return data.decode("latin-1")


# ------------------------------------------------------------------------------ problems


def _note(problems: list[str], text: str) -> None:
    if text in problems:
        return
    if len(problems) < MAX_PROBLEMS:
        problems.append(text)
    elif len(problems) == MAX_PROBLEMS:
        problems.append("more problems not listed")


def _show(text: str, limit: int = 60) -> str:
    """A value as a problem quotes it: trimmed, cut to ``limit`` characters, repr."""
    text = text.strip()
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


# --------------------------------------------------------------------------------- text

# C0 and C1 controls, and DEL, as spaces (then collapsed) or dropped (in addresses);
# bidirectional embeddings, overrides and isolates dropped (they disguise names).
_CONTROLS: Final[dict[int, str | None]] = {
    **{code: " " for code in [*range(0x20), *range(0x7F, 0xA0)]},
    **dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
}
_DROP_CONTROLS: Final = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)])


def _clean(text: str) -> str:
    """Controls out, whitespace runs (folding included) collapsed to one space, trimmed."""
    if not text.isprintable():
        text = text.translate(_CONTROLS)
    return " ".join(text.split())


def _text(value: str, field: str, problems: list[str]) -> str:
    """An unstructured value (Subject, List-Id, ...): encoded words decoded, cleaned."""
    if "=?" in value:
        value = _decode_words(value, field, problems)
    return _clean(value)


# An RFC 2047 encoded word, read leniently: any charset label (an RFC 2231 language
# suffix is dropped later), Q or B in either case, text without "?" (spaces tolerated).
_ENCODED_WORD: Final = re.compile(r"=\?([^?\s]*)\?([QqBb])\?([^?]*)\?=")
_NOT_BASE64: Final = re.compile(rb"[^A-Za-z0-9+/]")


def _decode_words(value: str, field: str, problems: list[str]) -> str:
    """Decode the encoded words in ``value``; other text is kept as it is.

    Whitespace between two encoded words is dropped (RFC 2047 section 6.2); adjacent
    words in one charset are decoded together, so a character split across words
    survives.
    """
    parts: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        if between and (pending_charset is None or not between.isspace()):
            if pending_charset is not None:
                parts.append(_decode_bytes(bytes(pending), pending_charset, field, problems))
                pending_charset = None
            parts.append(between)
        charset = match.group(1).partition("*")[0].lower()
        payload = match.group(3).encode("utf-8", "surrogatepass")
        if match.group(2) in "Qq":
            chunk = binascii.a2b_qp(payload, header=True)
        else:
            chunk = _decode_base64(payload, field, problems)
        if charset != pending_charset:
            if pending_charset is not None:
                parts.append(_decode_bytes(bytes(pending), pending_charset, field, problems))
            pending = bytearray(chunk)
            pending_charset = charset
        else:
            pending += chunk
        position = match.end()
    if pending_charset is not None:
        parts.append(_decode_bytes(bytes(pending), pending_charset, field, problems))
    parts.append(value[position:])
    return "".join(parts)


def _decode_base64(payload: bytes, field: str, problems: list[str]) -> bytes:
    try:
        return binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError):
        pass
    data = _NOT_BASE64.sub(b"", payload)
    data = data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data
    data += b"=" * (-len(data) % 4)
    _note(problems, f"{field}: broken base64 in an encoded word, read what could be")
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):  # pragma: no cover - the data was made valid
        return b""


# Labels seen in the wild, mapped to the Python codec that reads what they mean.
_CHARSET_ALIASES: Final = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "cn-gb": "gb18030",
    "big5": "cp950",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "x-mac-roman": "mac-roman",
}
# Labels that say "I don't know", and codecs that are not charsets a mail can be in.
_UNKNOWN_CHARSETS: Final = frozenset(
    {"", "unknown", "unknown-8bit", "x-unknown", "x-user-defined", "default", "charset"}
)
_NOT_MAIL_CODECS: Final = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"}
)
# Labels under which mailers send windows-1252, or UTF-8 by mistake.
_LATIN_CODECS: Final = frozenset({"ascii", "iso8859-1", "cp1252"})
# Codecs to try, in order, when a Japanese mail does not decode under its label.
_RETRY_CODECS: Final = {"iso2022_jp_ext": ("iso2022_jp_2", "iso2022_jp_3")}


@lru_cache(maxsize=256)
def _codec(label: str) -> str | None:
    """The Python codec for a charset label, ``None`` if unknown or not a text charset."""
    name = _CHARSET_ALIASES.get(label, label)
    if name in _UNKNOWN_CHARSETS:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if info.name in _NOT_MAIL_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _decode_bytes(data: bytes, label: str, field: str, problems: list[str]) -> str:
    """The text of an encoded word's bytes under its (possibly wrong) charset label."""
    codec = _codec(label)
    if codec is None:
        if data.isascii():
            return data.decode("ascii")
        _note(problems, f"{field}: unknown charset {_show(label)}, guessed")
        return _decode_guess(data)
    if codec in _LATIN_CODECS:
        if data.isascii():
            return data.decode("ascii")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if codec == "ascii":
                _note(problems, f"{field}: 8-bit text labelled {label}, read as windows-1252")
            return _decode_legacy(data)
        _note(problems, f"{field}: text labelled {label} is UTF-8, read as UTF-8")
        return text
    try:
        return data.decode(codec)
    except Exception:  # any codec, any error: decoding has fallbacks below
        pass
    for retry in (*_RETRY_CODECS.get(codec, ()), "utf-8"):
        try:
            return data.decode(retry)
        except UnicodeDecodeError:
            continue
    if codec == "utf-8":  # most often Latin text sent as "utf-8" by a confused mailer
        _note(problems, f"{field}: text labelled {label} is not UTF-8, read as windows-1252")
        return _decode_legacy(data)
    _note(problems, f"{field}: text is not valid {label}, some characters replaced")
    try:
        return data.decode(codec, "replace")
    except Exception:  # a codec that fails even with "replace"
        return _decode_guess(data)


def _decode_guess(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)


# ---------------------------------------------------------------------------- addresses

# Tokens of an address list (RFC 5322 3.4), read leniently: 1 a quoted string (an
# unclosed one runs to the end), 2 a comment (one level of nesting), 3 an angle-addr,
# 4 a separator, 5 a word (atoms, dots and "@" together), 6 a stray character.
_ADDRESS_TOKEN: Final = re.compile(
    r'"((?:[^"\\]|\\.)*)"?'
    r"|\(((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*)\)?"
    r"|<([^<>]*)>?"
    r"|([,;:])"
    r'|([^\s"(),:;<>\\]+)'
    r"|(\S)",
    re.S,
)
_ESCAPED: Final = re.compile(r"\\(.)", re.S)
# Characters that only the tokenizer reads: comments, groups, routes, escapes.
_NEEDS_TOKENS: Final = re.compile(r"[()\\:;]")
_HAS_SPECIALS: Final = re.compile(r'[\s"<>]')
# Items of an address list whose quoted strings are closed and hold no backslash.
_QUOTED_ITEMS: Final = re.compile(r'(?:"[^"]*"|[^",])+')


@dataclass(slots=True)
class _Segment:
    """What stands between two commas of an address list."""

    words: list[tuple[str, int, int, bool]]  # (text, start, end, was quoted)
    comments: list[str]
    angle: str | None = None
    junk: bool = False
    start: int = -1  # where its text is in the value
    end: int = -1


def _mailboxes(
    value: str, field: str, problems: list[str], *, groups: bool
) -> list[tuple[str, str]]:
    """(undecoded display name, normalised address) for each mailbox in an address list.

    The address is ``""`` where none could be read (a name only, ``<>``). ``groups``:
    read ``name:`` ... ``;`` as a group (To, Cc) rather than as part of a name (From).
    """
    if _NEEDS_TOKENS.search(value) is None:
        plain = _plain_mailboxes(value)
        if plain is not None:
            return plain
    return _assemble(_segments(value, groups=groups), field, value, problems)


def _plain_mailboxes(value: str) -> list[tuple[str, str]] | None:
    """The common shapes, read with string methods: lists of ``addr``, ``Name <addr>``
    and ``"Quoted, Name" <addr>``; ``None`` for anything else (the tokenizer reads it)."""
    if '"' not in value:
        items = value.split(",")
    elif value.count('"') % 2 == 0:
        items = _QUOTED_ITEMS.findall(value)
    else:
        return None
    found: list[tuple[str, str]] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item[-1] == ">":
            name, bracket, address = item[:-1].rpartition("<")
            if not bracket or "<" in name or ">" in name or ">" in address:
                return None
            name = name.rstrip()
            if '"' in name:
                if name[0] != '"' or name[-1] != '"' or name.count('"') != 2:
                    return None
                name = name[1:-1]
        elif "@" in item and _HAS_SPECIALS.search(item) is None:
            name, address = "", item
        else:
            return None
        found.append((name, _address(address)))
    return found


def _segments(value: str, *, groups: bool) -> list[_Segment]:
    segments: list[_Segment] = []
    current = _Segment([], [])
    for match in _ADDRESS_TOKEN.finditer(value):
        kind = match.lastindex
        if kind != 4:
            if current.start < 0:
                current.start = match.start()
            current.end = match.end()
        if kind == 5 or kind == 1:
            text = match.group(kind)
            if kind == 1 and len(text) != match.end() - match.start() - 2:
                # An unclosed quote runs to the end; an address in it is still read.
                current.junk = True
                inside = _BRACKETED.search(text)
                if inside is not None and current.angle is None:
                    name = _ESCAPED.sub(r"\1", text[: inside.start()])
                    current.words.append((name, match.start(), match.start() + len(name), True))
                    current.angle = inside.group(1)
                    continue
            if kind == 1 and "\\" in text:
                text = _ESCAPED.sub(r"\1", text)
            if current.angle is None:
                current.words.append((text, match.start(), match.end(), kind == 1))
            else:
                current.junk = True
        elif kind == 3:
            if current.angle is None:
                current.angle = match.group(3)
            else:
                current.junk = True
        elif kind == 2:
            comment = match.group(2)
            current.comments.append(_ESCAPED.sub(r"\1", comment) if "\\" in comment else comment)
        elif kind == 4:
            separator = match.group(4)
            if separator == ":":
                if groups and current.angle is None:
                    current = _Segment([], [])  # what came before was the group's name
                elif current.angle is None and current.words:  # "Jira: Project <j@x>"
                    text, start, _, quoted = current.words[-1]
                    current.words[-1] = (text + ":", start, match.end(), quoted)
                continue
            segments.append(current)
            current = _Segment([], [])
        else:
            current.junk = True
    segments.append(current)
    return [s for s in segments if s.words or s.comments or s.angle is not None or s.junk]


def _assemble(
    segments: list[_Segment], field: str, value: str, problems: list[str]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    carried = ""  # the first half of a display name with an unquoted comma: Doe, John <j@x>
    for index, segment in enumerate(segments):
        shown = _show(value[segment.start : segment.end])
        if segment.angle is not None:
            name = " ".join(word[0] for word in segment.words)
            if carried:
                name = f"{carried}, {name}" if name else carried
                carried = ""
            if not name and segment.comments:
                name = segment.comments[0]
            address = segment.angle
            if address.startswith("@") and ":" in address:  # obsolete route: <@a,@b:u@h>
                address = address.rpartition(":")[2]
            if segment.junk:
                _note(problems, f"{field}: stray text around an address ignored: {shown}")
            found.append((name, _address(address)))
            continue
        words = _glue(segment.words)
        at = [i for i, (word, _) in enumerate(words) if "@" in word]
        if at:
            if at[-1] != len(words) - 1 or segment.junk:
                _note(problems, f"{field}: stray text around an address ignored: {shown}")
            if len(at) > 1:
                _note(problems, f"{field}: addresses without commas: {shown}")
            name = " ".join(word for word, _ in words[: at[0]])
            if not name and segment.comments:
                name = segment.comments[0]
            for i in at:
                found.append((name if len(at) == 1 else "", _address(words[i][0])))
            carried = ""
            continue
        name = " ".join(word for word, _ in words)
        following = segments[index + 1] if index + 1 < len(segments) else None
        if name and following is not None and following.angle is not None:
            carried = f"{carried}, {name}" if carried else name
        elif len(segments) == 1 and len(words) == 1 and not words[0][1]:
            found.append(("", _address(words[0][0])))  # local only: MAILER-DAEMON
        else:
            found.append((name or (segment.comments[0] if segment.comments else ""), ""))
    return found


def _glue(words: list[tuple[str, int, int, bool]]) -> list[tuple[str, bool]]:
    """Join the pieces of one address written with spaces or quotes: ``"a b"@x``,
    ``john . doe @ example . com``; other words stay apart (a display name)."""
    glued: list[tuple[str, bool]] = []
    previous_end = -1
    previous = ""
    for text, start, end, quoted in words:
        piece = f'"{text}"' if quoted else text
        if glued and (
            start == previous_end
            or previous == "."
            or glued[-1][0].endswith("@")
            or (not quoted and (text.startswith("@") or text == "."))
        ):
            last, last_quoted = glued[-1]
            if last_quoted:
                last = f'"{last}"'
            glued[-1] = (last + piece, False)
        else:
            glued.append((text, quoted))
        previous_end = end
        previous = "" if quoted else text
    return glued


# Correspondents repeat: most addresses of a mailbox are read from this cache.
_address: Final = lru_cache(maxsize=4096)(normalize_mail_address)


def _decode_idn(address: str) -> str:
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{_unicode_domain(domain)}"


@lru_cache(maxsize=1024)
def _unicode_domain(domain: str) -> str:
    """``xn--`` labels as Unicode (IDNA 2003, as the stdlib has it), lower-cased."""
    labels = domain.split(".")
    for index, label in enumerate(labels):
        if label.startswith("xn--"):
            try:
                labels[index] = label.encode("ascii").decode("idna")
            except Exception:  # not a valid A-label: keep it as it is
                continue
    return ".".join(labels).lower()


# Correspondents repeat: the same From and To values come back message after message, so
# the results for values up to this long are remembered (with their problems).
_CACHED_VALUE_CHARS: Final = 1024


def _address_list(value: str | None, field: str, problems: list[str]) -> tuple[str, ...]:
    if value is None or not value or value.isspace():
        return ()
    if len(value) > _CACHED_VALUE_CHARS:
        return _read_address_list(value, field, problems)
    addresses, found = _cached_address_list(value, field)
    for problem in found:
        _note(problems, problem)
    return addresses


@lru_cache(maxsize=4096)
def _cached_address_list(value: str, field: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    problems: list[str] = []
    return _read_address_list(value, field, problems), tuple(problems)


def _read_address_list(value: str, field: str, problems: list[str]) -> tuple[str, ...]:
    addresses = [address for _, address in _mailboxes(value, field, problems, groups=True)]
    if not all(addresses):
        _note(problems, f"{field}: no address in part of {_show(value)}")
    return tuple(dict.fromkeys(address for address in addresses if address))


def _sender(value: str, problems: list[str]) -> Sender:
    if len(value) > _CACHED_VALUE_CHARS:
        return _read_sender(value, problems)
    sender, found = _cached_sender(value)
    for problem in found:
        _note(problems, problem)
    return sender


@lru_cache(maxsize=4096)
def _cached_sender(value: str) -> tuple[Sender, tuple[str, ...]]:
    problems: list[str] = []
    return _read_sender(value, problems), tuple(problems)


def _read_sender(value: str, problems: list[str]) -> Sender:
    if not value or value.isspace():
        _note(problems, "empty From header")
        return Sender("")
    boxes = _mailboxes(value, "From", problems, groups=False)
    name, address = next(((n, a) for n, a in boxes if a), boxes[0] if boxes else ("", ""))
    if not address:
        _note(problems, f"no address in From: {_show(value)}")
    if name:
        name = _text(name, "From", problems)
        if len(name) > 1 and name[0] == name[-1] and name[0] in "'\"":
            name = name[1:-1].strip()  # Outlook's 'John Doe'
        if name.lower() == address:
            name = ""
    return Sender(address, name)


# -------------------------------------------------------------------------------- dates

_MONTHS: Final = {
    spelling: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
    for spelling in (name, name.lower(), name.upper())
}
# RFC 5322 3.3 as nearly every mailer writes it: a four-digit year and a zone.
_DATE_FAST: Final = re.compile(
    r"\s*(?:[A-Za-z]{3},?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})"
    r"(?::(\d{2}))?\s*([+-]\d{4}|GMT|UTC|UT|Z)(?:\s*\([^()]*\))?\s*"
)
_TIME: Final = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?")
_DOTTED_TIME: Final = re.compile(r"\d{1,2}\.\d{2}\.\d{2}")
_MERIDIEM: Final = re.compile(r"(?<=\d)\s*([AaPp])\.?[Mm]\b")
_COMMENT: Final = re.compile(r"\([^()]*\)")
_NUMERIC_ZONE: Final = re.compile(r"([+-])(\d{2}):?(\d{2})")
# Zone names in hours east of UTC: RFC 822's, the common ones, and military letters,
# which RFC 5322 4.3 says to read as -0000 (UTC, because RFC 822 had their signs wrong).
_ZONES: Final[dict[str, float]] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AST": -4,
    "ADT": -3,
    "HST": -10,
    "AKST": -9,
    "AKDT": -8,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "MEZ": 1,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "ACST": 9.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    **{letter: 0 for letter in "ABCDEFGHIKLMNOPQRSTUVWXY"},
}


def _date(value: str, problems: list[str]) -> datetime | None:
    match = _DATE_FAST.fullmatch(value)
    if match is not None:
        day, month_name, year, hour, minute, second, zone = match.groups()
        month = _MONTHS.get(month_name)
        offset = _FAST_OFFSETS.get(zone)
        if offset is None:
            offset = _fast_offset(zone)
        if month is not None and offset is not None:
            try:
                hms = int(hour), int(minute), int(second) if second else 0
                return datetime(int(year), month, int(day), *hms, tzinfo=UTC) - offset
            except (ValueError, OverflowError):
                pass  # 31 Feb, a leap second, year 0: the slow path says why
    return _date_slow(_clean(value), problems)


_FAST_OFFSETS: Final[dict[str, timedelta]] = {
    name: timedelta(0) for name in ("GMT", "UTC", "UT", "Z")
}


def _fast_offset(zone: str) -> timedelta | None:
    """``+hhmm`` as a timedelta east of UTC, remembered; ``None`` if impossible."""
    hours, minutes = int(zone[1:3]), int(zone[3:5])
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    _FAST_OFFSETS[zone] = offset = offset if zone[0] == "+" else -offset
    return offset


def _date_slow(text: str, problems: list[str]) -> datetime | None:
    """Dates the fast path does not read: two-digit years, zone names, asctime, ISO."""
    if not text:
        _note(problems, "empty Date header")
        return None
    try:
        fields = parsedate_tz(text)
    except Exception:  # the stdlib's lenient parser has raised on odd input before
        fields = None
    if fields is None:
        return _date_iso(text, problems)
    year, month, day, hour, minute, second = fields[:6]
    meridiem = _MERIDIEM.search(text)
    if meridiem is not None and 0 < hour <= 12:
        hour = hour % 12 + (12 if meridiem.group(1) in "Pp" else 0)
    offset = _zone_offset(text, problems)
    try:  # a leap second is read as the second before it
        instant = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        return instant - timedelta(hours=offset)
    except (ValueError, OverflowError, TypeError):
        _note(problems, f"unparseable Date: {_show(text)}")
        return None


def _zone_offset(text: str, problems: list[str]) -> float:
    """Hours east of UTC of the zone written after the time in ``text``; 0 if unknown."""
    time = _TIME.search(text) or _DOTTED_TIME.search(text)
    after = _COMMENT.sub(" ", text[time.end() :]).split() if time else []
    for token in after:
        if (token.isdigit() and len(token) == 4) or token.upper().rstrip(".") in {"AM", "PM"}:
            continue  # asctime: the year follows the time; 8:15 pm
        numeric = _NUMERIC_ZONE.fullmatch(token)
        if numeric is not None:
            sign, hh, mm = numeric.groups()
            if int(hh) < 24 and int(mm) < 60:
                hours = int(hh) + int(mm) / 60
                return hours if sign == "+" else -hours
            _note(problems, f"impossible time zone {_show(token)} in Date: read as UTC")
            return 0
        zone = _ZONES.get(token.upper())
        if zone is not None:
            return zone
        _note(problems, f"unknown time zone {_show(token)} in Date: read as UTC")
        return 0
    _note(problems, f"no time zone in Date {_show(text)}: read as UTC")
    return 0


def _date_iso(text: str, problems: list[str]) -> datetime | None:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        _note(problems, f"unparseable Date: {_show(text)}")
        return None
    if instant.tzinfo is None or instant.utcoffset() is None:
        _note(problems, f"no time zone in Date {_show(text)}: read as UTC")
        return instant.replace(tzinfo=UTC)
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        _note(problems, f"unparseable Date: {_show(text)}")
        return None


# -------------------------------------------------------------------------- message ids

_BRACKETED: Final = re.compile(r"<([^<>]*)>")
# The usual shapes: ids of printable ASCII in brackets, separated by whitespace.
_PLAIN_ID: Final = re.compile(rf"\s*+<([!-;=?-~]{{1,{MAX_ID_CHARS}}})>\s*+")
_PLAIN_IDS: Final = re.compile(r"(?:\s*+<[!-;=?-~]++>)++\s*+")


def _ids(value: str, field: str, problems: list[str]) -> list[str]:
    """Message-IDs in order: each ``<...>`` without whitespace; else words with an "@"."""
    if _PLAIN_IDS.fullmatch(value) is not None:
        found = _BRACKETED.findall(value)
        if len(value) <= MAX_ID_CHARS or max(map(len, found)) <= MAX_ID_CHARS:
            return found
    else:
        found = ["".join(inner.split()) for inner in _BRACKETED.findall(value)]
        if not found and "<" not in value:
            found = [word.strip("<>,;") for word in value.split() if "@" in word]
    valid = []
    for found_id in found:
        if not found_id.isprintable():
            found_id = found_id.translate(_DROP_CONTROLS)
        if len(found_id) > MAX_ID_CHARS:
            _note(problems, f"{field}: an id of {len(found_id)} characters ignored")
        elif found_id:
            valid.append(found_id)
    return valid


def _single_id(value: str, field: str, problems: list[str]) -> str | None:
    match = _PLAIN_ID.fullmatch(value)
    if match is not None:
        return match.group(1)
    ids = _ids(value, field, problems)
    if ids:
        return ids[0]
    if value.strip():
        _note(problems, f"no message id in {field}: {_show(value)}")
    return None


def _references(value: str, problems: list[str]) -> tuple[str, ...]:
    if len(value) > MAX_FIELD_CHARS:
        # The root is at the start, the latest parents at the end; cut at whole ids.
        head = value[:4096]
        head = head[: head.rfind(">") + 1]
        tail = value[-(MAX_FIELD_CHARS - 4096) :]
        tail = tail[tail.find("<") :] if "<" in tail else tail
        _note(problems, f"References of {len(value)} characters: read its start and end")
        value = f"{head} {tail}"
    ids = list(dict.fromkeys(_ids(value, "References", problems)))
    if len(ids) > MAX_REFERENCES:
        _note(problems, f"References with {len(ids)} ids: kept the first and the latest")
        ids = ids[:1] + ids[-(MAX_REFERENCES - 1) :]
    return tuple(ids)
