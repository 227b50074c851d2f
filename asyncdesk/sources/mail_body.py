"""Whole messages turned into text (for reading and search) and HTML (for showing).

The sync fetches headers only; a message's full bytes (``BODY.PEEK[]``) are fetched when
it is opened, or in the background, and handed to :func:`parse_body`. What comes back
is :class:`ParsedBody`: the plain text a person would read, the HTML as sent (or
``None``), the names of the attachments, and the problems met on the way.

Contract: :func:`parse_body` never raises, whatever the bytes, and its work is bounded
(:data:`MAX_PART_BYTES` per text part, :data:`MAX_TEXT_CHARS` in all, :data:`MAX_PARTS`
parts, :data:`MAX_DEPTH` levels). Mail in the wild is full of broken MIME; what cannot
be read is left out or read leniently, and described in ``problems``. What a cap leaves out is
also said in the text (``[… parts nested more than 30 levels deep are not shown]``), so
a hostile message never looks empty.

How parts are read (each also a test):
- ``multipart/alternative``: the text comes from the first ``text/plain`` alternative,
  the HTML from the last alternative that has HTML; with no plain alternative the text
  is made from the HTML.
- ``multipart/mixed`` (and ``report``, ``digest``, ``parallel``, unknown subtypes):
  inline text parts are joined; attachments are skipped and listed at the end of the
  text as ``[attachment: name]``. A text part with a file name and no ``inline``
  disposition is an attachment; so are calendars, vCards and every non-text part.
- ``multipart/related``: only its root part (``start``, else the first); the others are
  the root's images and styles. ``multipart/signed``: only the signed part.
  ``multipart/encrypted``: a note that the message is encrypted.
- ``message/rfc822`` (forwarded, attached or inline): its From, Date, Subject and To,
  then its text, so search finds forwarded mail too.
- A multipart without a boundary parameter, or whose boundary never appears, uses the
  first ``--line`` of its body as the boundary, else is read as plain text. A missing
  closing boundary ends the last part at the end of the message. Headers end at the
  first empty line, or, without one, at the first line that is not a header.
- Transfer encodings: base64 read leniently (junk characters skipped, padding repaired,
  chunks padded in the middle read one by one), quoted-printable, uuencode; an unknown
  one is read as 8-bit.
- Charsets: labels are read as :mod:`~asyncdesk.sources.mail_headers` reads them
  (``gb2312`` as GB18030, ``ks_c_5601-1987`` as CP949, ...). A Latin label
  (us-ascii, iso-8859-1, windows-1252) on valid UTF-8 is UTF-8. Text that is not valid
  under its label, or has no usable label (``unknown-8bit``, none, a made-up one), is
  read as UTF-8 when it is; as UTF-8 with replacement characters when most of its
  8-bit sequences are UTF-8 (a damaged UTF-8 text); else as windows-1252.
  HTML without a MIME charset uses its ``<meta charset>``. ``format=flowed`` text
  (RFC 3676) is unwrapped.
- HTML becomes text by :func:`html_to_text`: tags dropped, ``script``/``style``/
  ``title``/``template`` and comments dropped with their content, line breaks kept for
  block elements, list items as "- ", entities unescaped, whitespace collapsed outside
  ``pre``. HTML is kept as sent; sanitising it is the job of whoever shows it.
- NUL and other control characters (but tab and line feed) are removed from the text;
  so are zero-width characters and soft hyphens, which newsletters use as padding.

Why not ``email`` + ``html.parser``: the ``email`` package is lenient but slow and
allocates an object per part; the stdlib's ``html.parser`` takes quadratic time on
unterminated markup (Python 3.11.7: 400 KB of ``<a`` took 97 s, 400 KB of ``<!--``
74 s), which one hostile message would turn into a stalled background fetch. The
scanner here is linear on every input: each tag ends at the next ``>`` (one quoted
``>`` in an attribute is allowed for), comments and raw-text elements end at their
closing marker or the end of the text. Throughput is in ``benchmarks/body_parsing.py``.

Thread-safe: no state but a cache of charset lookups.
"""

from __future__ import annotations

import binascii
import codecs
import html
import re
from dataclasses import dataclass, field
from datetime import UTC
from typing import Final

from asyncdesk.sources.mail_headers import _codec as charset_codec  # one table of labels
from asyncdesk.sources.mail_headers import parse_headers

#: Decoded bytes of one text part that are read; the rest is cut, with a note.
MAX_PART_BYTES: Final = 4 * 1024 * 1024
#: Characters of text (and of HTML) kept for a whole message.
MAX_TEXT_CHARS: Final = 8 * 1024 * 1024
#: Bytes of a message that are looked at; attachments beyond are not listed.
MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
#: MIME parts read, and levels of nesting (multiparts and forwarded messages).
MAX_PARTS: Final = 1000
MAX_DEPTH: Final = 30
#: Attachment names listed; more are counted.
MAX_ATTACHMENTS: Final = 200
#: After this many problems the rest are counted, not described.
MAX_PROBLEMS: Final = 30

_CUT_NOTE: Final = "[… the rest of this part is not shown: it is longer than {} MB]"
_DEEP_NOTE: Final = f"[… parts nested more than {MAX_DEPTH} levels deep are not shown]"


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """A message's content, read and normalised; see the module docstring for the rules.

    ``text`` always exists (maybe empty): line ends are ``\\n``, attachments are listed
    at its end. ``html`` is the HTML as sent (joined, when a message has several HTML
    parts, with its text parts in ``<pre>``), or ``None`` for a message without HTML.
    """

    text: str
    html: str | None
    attachments: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def parse_body(raw: bytes) -> ParsedBody:
    """Read a whole RFC 5322 message (headers and body, as ``BODY[]`` returns it).

    Never raises; see the module docstring.
    """
    reader = _Reader()
    try:
        return reader.read(raw)
    except Exception as error:  # the contract: a bug here must not stop a fetch
        reader.note(f"internal error while reading the body: {type(error).__name__}: {error}")
        try:
            data = bytes(raw[:MAX_PART_BYTES])
            end = data.find(b"\n\n")
            text = _clean_text(_decode_guess(data[end + 2 :] if end >= 0 else data))
        except Exception:
            text = ""
        return ParsedBody(text=text, html=None, problems=tuple(reader.problems))


# --------------------------------------------------------------------------- segments


class _Segment:
    """A piece of content in reading order: its text, and its HTML if it came as HTML.

    The text of an HTML segment is made when first asked for: in an alternative whose
    plain part is shown, the HTML is never turned into text.
    """

    __slots__ = ("_text", "from_html", "html", "tail")

    def __init__(
        self, text: str | None, html: str | None = None, *, from_html: bool = False, tail: str = ""
    ) -> None:
        self._text = text
        self.html = html
        self.from_html = from_html
        self.tail = tail  # appended to text made from the HTML

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = html_to_text(self.html or "") + self.tail
        return self._text


@dataclass(slots=True)
class _Reader:
    """One reading of one message: the walk over its parts, and what it met on the way
    (problems, attachment names, parts and characters read, for the caps)."""

    problems: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    more_attachments: int = 0
    parts: int = 0
    chars: int = 0
    shown_notes: set[str] = field(default_factory=set)

    def note(self, text: str) -> None:
        if text in self.problems:
            return
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("more problems not listed")

    def read(self, raw: bytes) -> ParsedBody:
        data = raw if type(raw) is bytes else bytes(raw)
        if len(data) > MAX_MESSAGE_BYTES:
            self.note(f"message of {len(data)} bytes: read the first {MAX_MESSAGE_BYTES}")
            data = data[:MAX_MESSAGE_BYTES]
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
            if b"\r" in data:
                data = data.replace(b"\r", b"\n")
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        segments = self.entity(data, 0, "text/plain", top=True)
        texts = [segment.text.strip("\n") for segment in segments]
        text = "\n\n".join(piece for piece in texts if piece and not piece.isspace())
        names = [f"[attachment: {name}]" for name in self.attachments]
        if self.more_attachments:
            names.append(f"[{self.more_attachments} more attachments]")
        if names:
            text = (text + "\n\n" if text else "") + "\n".join(names)
        html_text: str | None = None
        if any(segment.html is not None for segment in segments):
            pieces = [
                segment.html if segment.html is not None else _text_as_html(segment.text)
                for segment in segments
                if segment.html is not None or segment.text.strip()
            ]
            html_text = pieces[0] if len(pieces) == 1 else "\n".join(pieces)
        return ParsedBody(
            text=text.rstrip(),
            html=html_text,
            attachments=tuple(self.attachments),
            problems=tuple(self.problems),
        )

    # -- entities ------------------------------------------------------------------

    def entity(self, data: bytes, depth: int, default: str, *, top: bool = False) -> list[_Segment]:
        """The segments of one MIME entity (a message, or a part of a multipart)."""
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.note(f"more than {MAX_PARTS} MIME parts: the rest are not read")
            return self.not_shown(f"[… the rest is not shown: more than {MAX_PARTS} parts]")
        headers, body = self.split(data)
        ctype, params = _content_type(headers.get(b"content-type"), default)
        disposition, dparams = _disposition(headers.get(b"content-disposition"))
        encoding = _token(headers.get(b"content-transfer-encoding"))
        if ctype.startswith("multipart/"):
            return self.multipart(ctype[10:], params, body, depth)
        if ctype in _MESSAGE_TYPES:
            if depth >= MAX_DEPTH:
                self.note(f"forwarded messages nested more than {MAX_DEPTH} deep: not read")
                return self.not_shown(_DEEP_NOTE)
            return self.forwarded(self.transfer_decode(body, encoding), depth)
        name = _filename(dparams, params)
        if ctype.startswith("text/") or ctype in _TEXT_TYPES:
            attached = disposition == "attachment" or (bool(name) and disposition != "inline")
            if top or not (attached or ctype in _ATTACHED_TEXT_TYPES):
                return self.text_part(ctype, params, body, encoding)
        self.attachment(name or ctype)
        return []

    def split(self, data: bytes) -> tuple[dict[bytes, bytes], bytes]:
        """Headers we read (lower-case names, first wins) and the body of an entity."""
        start = 0
        if data.startswith(b"From "):  # an mbox separator line
            start = data.find(b"\n") + 1 or len(data)
        if data.startswith(b"\n", start):
            return {}, data[start + 1 :]
        if _HEADER_START.match(data, start) is None:
            self.note("a part without headers or an empty line before its text")
            return {}, data[start:]
        end = data.find(b"\n\n", start)
        if end < 0:  # no empty line: the headers end where a line is not a header
            section = _HEADER_SECTION.match(data + b"\n", start)
            end = section.end() if section is not None else start
            body = data[end:]
            if body.strip():
                self.note("no empty line after the headers: the text starts after them")
        else:
            body = data[end + 2 :]
        headers: dict[bytes, bytes] = {}
        for name, value in _MIME_FIELD.findall(data, start, end + 1 if end >= 0 else len(data)):
            headers.setdefault(name.lower(), value)
        return headers, body

    def multipart(
        self, subtype: str, params: dict[str, str], body: bytes, depth: int
    ) -> list[_Segment]:
        if depth >= MAX_DEPTH:
            self.note(f"multiparts nested more than {MAX_DEPTH} deep: not read")
            return self.not_shown(_DEEP_NOTE)
        children = self.split_multipart(body, params.get("boundary", ""))
        if children is None:
            return self.text_part("text/plain", {}, body, "")
        if subtype == "alternative":
            return self.alternative(children, depth)
        if subtype == "encrypted":
            return [_Segment("[this message is encrypted and cannot be shown here]")]
        if subtype == "related" and children:
            root = children[self.related_root(children, params)]
            return self.entity(root, depth + 1, "text/plain")
        if subtype == "signed" and children:
            return self.entity(children[0], depth + 1, "text/plain")
        default = "message/rfc822" if subtype == "digest" else "text/plain"
        segments: list[_Segment] = []
        for child in children:
            segments.extend(self.entity(child, depth + 1, default))
        return segments

    def related_root(self, children: list[bytes], params: dict[str, str]) -> int:
        start = params.get("start", "").strip()
        if start:
            for index, child in enumerate(children):
                headers, _ = _peek_headers(child)
                if headers.get(b"content-id", b"").strip().decode("latin-1") == start:
                    return index
        return 0

    def alternative(self, children: list[bytes], depth: int) -> list[_Segment]:
        branches = [self.entity(child, depth + 1, "text/plain") for child in children]
        plain = next(
            (
                branch
                for branch in branches
                if branch
                and not any(segment.from_html for segment in branch)
                and any(segment.text.strip() for segment in branch)
            ),
            None,
        )
        rich = next(
            (
                branch
                for branch in reversed(branches)
                if any(segment.html is not None for segment in branch)
            ),
            None,
        )
        if rich is None:
            return plain or next((branch for branch in branches if branch), [])
        text = "\n\n".join(segment.text for segment in (plain or rich) if segment.text.strip())
        pieces = [
            segment.html if segment.html is not None else _text_as_html(segment.text)
            for segment in rich
        ]
        return [_Segment(text, "\n".join(pieces), from_html=plain is None)]

    def split_multipart(self, body: bytes, boundary: str) -> list[bytes] | None:
        """The parts of a multipart body; ``None`` if it has no boundary at all."""
        delimiter = b"--" + boundary.encode("latin-1", "replace") if boundary else b""
        position = _find_delimiter(body, delimiter, 0) if delimiter else -1
        if position < 0:
            guessed = _guess_boundary(body)
            if guessed is None or guessed == delimiter:
                self.note("a multipart without its boundary: read as plain text")
                return None
            self.note("a multipart whose boundary parameter is missing or wrong: guessed it")
            delimiter = guessed
            position = _find_delimiter(body, delimiter, 0)
            if position < 0:  # pragma: no cover - the guess is a delimiter line
                return None
        parts: list[bytes] = []
        while True:
            after = position + len(delimiter)
            if body.startswith(b"--", after):
                return parts
            line_end = body.find(b"\n", after)
            if line_end < 0:
                return parts
            following = _find_delimiter(body, delimiter, line_end)
            if following < 0:
                self.note("a multipart without its closing boundary: read to the end")
                parts.append(body[line_end + 1 :])
                return parts
            parts.append(body[line_end + 1 : max(line_end + 1, following - 1)])
            if len(parts) >= MAX_PARTS:
                self.note(f"a multipart of more than {MAX_PARTS} parts: the rest not read")
                return parts
            position = following

    def forwarded(self, data: bytes, depth: int) -> list[_Segment]:
        """A message inside a message: a short header block, then its content."""
        parsed = parse_headers(data)
        lines = ["---------- Forwarded message ----------"]
        if parsed.sender.address or parsed.sender.name:
            lines.append(f"From: {parsed.sender.display}")
        if parsed.date is not None:
            lines.append(f"Date: {parsed.date.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
        if parsed.subject:
            lines.append(f"Subject: {parsed.subject}")
        if parsed.to:
            lines.append(f"To: {', '.join(parsed.to)}")
        return [_Segment("\n".join(lines)), *self.entity(data, depth + 1, "text/plain")]

    # -- leaves --------------------------------------------------------------------

    def not_shown(self, note: str) -> list[_Segment]:
        """A line in the text saying what a cap left out, the first time it does: a
        message that shows nothing at all would look empty, not cut."""
        if note in self.shown_notes:
            return []
        self.shown_notes.add(note)
        return [_Segment(note)]

    def attachment(self, name: str) -> None:
        if len(self.attachments) < MAX_ATTACHMENTS:
            self.attachments.append(name)
        else:
            self.more_attachments += 1

    def transfer_decode(self, body: bytes, encoding: str) -> bytes:
        if encoding in ("", "7bit", "8bit", "binary"):
            return body
        if encoding == "base64":
            return _decode_base64(body, self)
        if encoding == "quoted-printable":
            return binascii.a2b_qp(body)
        if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
            return _decode_uu(body)
        self.note(f"unknown transfer encoding {encoding[:40]!r}: read as 8-bit")
        return body

    def text_part(
        self, ctype: str, params: dict[str, str], body: bytes, encoding: str
    ) -> list[_Segment]:
        if self.chars >= MAX_TEXT_CHARS:
            self.note(f"more than {MAX_TEXT_CHARS} characters of text: the rest not read")
            return []
        # Enough encoded bytes for MAX_PART_BYTES decoded ones (base64 grows by 4/3).
        cut = len(body) > MAX_PART_BYTES * 2
        if encoding == "base64" and _plain_text_not_base64(body):
            self.note("text labelled base64 is not base64: read as it is")
            encoding = ""
        data = self.transfer_decode(body[: MAX_PART_BYTES * 2] if cut else body, encoding)
        if len(data) > MAX_PART_BYTES:
            data, cut = data[:MAX_PART_BYTES], True
        is_html = ctype == "text/html"
        charset = params.get("charset", "")
        if is_html and not charset:
            sniffed = _META_CHARSET.search(data, 0, 4096)
            if sniffed is not None:
                charset = sniffed.group(1).decode("ascii").lower()
        text = _decode(data, charset, self, final=not cut)
        if cut:
            self.note(f"a text part longer than {MAX_PART_BYTES} bytes: cut")
        if is_html:
            content = _clean_text(text, keep_html=True)
            tail = "\n\n" + _CUT_NOTE.format(MAX_PART_BYTES // (1024 * 1024)) if cut else ""
            self.chars += len(content)
            return [_Segment(None, content, from_html=True, tail=tail)]
        text = _clean_text(text)
        if params.get("format", "").lower() == "flowed":
            text = _unflow(text, params.get("delsp", "").lower() == "yes")
        if cut:
            text += "\n\n" + _CUT_NOTE.format(MAX_PART_BYTES // (1024 * 1024))
        self.chars += len(text)
        return [_Segment(text)]


# -------------------------------------------------------------------------- MIME syntax

# A header line (printable ASCII name, optional space, colon) with its continuations.
_HEADER_START: Final = re.compile(rb"[!-9;-~]+[ \t]*:")
_HEADER_SECTION: Final = re.compile(rb"(?:[!-9;-~]+[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*\n)*")
_MIME_FIELD: Final = re.compile(
    rb"^(content-type|content-transfer-encoding|content-disposition|content-id)[ \t]*:"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)",
    re.I | re.M,
)
# type/subtype of RFC 2045 tokens (lower-cased before matching).
_MIME_TYPE: Final = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+/[a-z0-9!#$%&'*+.^_`|~-]+")
_PARAM: Final = re.compile(r';\s*([^\s=;"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)(?:"|$)|([^;]*))', re.S)
# Only \" and \\ are unescaped: Outlook writes Windows paths with bare backslashes.
_ESCAPED: Final = re.compile(r'\\(["\\])')
_PERCENT: Final = re.compile(rb"%([0-9A-Fa-f]{2})")
_META_CHARSET: Final = re.compile(
    rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I
)

_MESSAGE_TYPES: Final = frozenset({"message/rfc822", "message/global"})
# Non-"text/" types that are read as text; "text/" types that are attachments.
_TEXT_TYPES: Final = frozenset({"message/delivery-status", "message/disposition-notification"})
_ATTACHED_TEXT_TYPES: Final = frozenset(
    {
        "text/calendar",
        "text/x-vcalendar",
        "text/vcard",
        "text/x-vcard",
        "text/directory",
        "text/rfc822-headers",
    }
)


def _peek_headers(data: bytes) -> tuple[dict[bytes, bytes], bytes]:
    return _Reader().split(data)


def _token(value: bytes | None) -> str:
    if not value:
        return ""
    return value.decode("latin-1").split(";")[0].strip().strip("\"'").lower()


def _params(text: str) -> dict[str, str]:
    """Parameters after the first ``;``, RFC 2231 continuations and charsets joined."""
    found: dict[str, str] = {}
    extended: dict[str, list[tuple[int, bool, str]]] = {}
    for match in _PARAM.finditer(text):
        name = match.group(1).lower()
        quoted, plain = match.group(2), match.group(3)
        value = _ESCAPED.sub(r"\1", quoted) if quoted is not None else (plain or "").strip()
        if not value.isascii() and name != "boundary":
            # Raw 8-bit (RFC 6532) in a header read as Latin-1: UTF-8, else windows-1252.
            value = _decode_guess(value.encode("latin-1", "replace"))
        if "*" in name:
            base, _, rest = name.partition("*")
            encoded = rest.endswith("*") or rest == ""
            number = rest.rstrip("*")
            index = int(number) if number.isdigit() else 0
            extended.setdefault(base, []).append((index, encoded, value))
        else:
            found.setdefault(name, value)
    for base, pieces in extended.items():
        found[base] = _join_rfc2231(sorted(pieces, key=lambda piece: piece[0]))
    return found


def _join_rfc2231(pieces: list[tuple[int, bool, str]]) -> str:
    """``name*0*=utf-8''%E2%82%AC; name*1=.pdf`` as one value (RFC 2231 sections 3, 4)."""
    charset = ""
    data = bytearray()
    for position, (_, encoded, value) in enumerate(pieces):
        if encoded:
            if position == 0 and value.count("'") >= 2:
                charset, _language, value = value.split("'", 2)
            raw = value.encode("latin-1", "replace")
            data += _PERCENT.sub(lambda match: bytes([int(match.group(1), 16)]), raw)
        else:
            data += value.encode("latin-1", "replace")
    return _decode_label_lenient(bytes(data), charset.strip().lower())


def _content_type(value: bytes | None, default: str) -> tuple[str, dict[str, str]]:
    if value is None:
        return default, {}
    text = value.decode("latin-1").replace("\n", "")
    main, semicolon, rest = text.partition(";")
    words = main.replace("(", " (").split()
    if len(words) > 1 and "=" in words[1]:  # "text/plain charset=utf-8": no semicolon
        main, semicolon, rest = words[0], ";", " ".join(words[1:]) + semicolon + rest
        words = words[:1]
    ctype = (words[0] if words else "").strip("\"'").lower()
    if len(words) > 1 and words[1] == "/":  # "text / plain"
        ctype = "".join(words[:3]).lower()
    if "/" not in ctype:
        ctype = {"text": "text/plain", "multipart": "multipart/mixed"}.get(ctype, default)
    elif _MIME_TYPE.fullmatch(ctype) is None:  # RFC 2045 5.2: invalid means the default
        ctype = default
    return ctype, _params(semicolon + rest) if semicolon else {}


def _disposition(value: bytes | None) -> tuple[str, dict[str, str]]:
    if value is None:
        return "", {}
    text = value.decode("latin-1").replace("\n", "")
    main, semicolon, rest = text.partition(";")
    return main.strip().strip("\"'").lower(), _params(semicolon + rest) if semicolon else {}


def _filename(dparams: dict[str, str], params: dict[str, str]) -> str:
    """The attachment's name as a person reads it: decoded, one line, no folders."""
    raw = dparams.get("filename") or params.get("name") or ""
    if not raw:
        return ""
    text = raw
    if "=?" in text:
        text = parse_headers(b"Subject: " + text.encode("utf-8", "replace") + b"\n").subject
    text = " ".join(text.translate(_CONTROLS_TO_SPACE).split())
    if not text.isprintable():  # format characters: bidi overrides disguise "fdp.exe"
        text = "".join(char for char in text if char.isprintable())
    text = text.replace("\\", "/").rstrip("/").rpartition("/")[2].strip()
    return text[:200]


def _find_delimiter(body: bytes, delimiter: bytes, start: int) -> int:
    """Where the next line ``delimiter`` (or ``delimiter--``) starts, at or after
    ``start``; -1 if none. The rest of the line must be blank: ``--b`` is not ``--b2``."""
    if start == 0 and body.startswith(delimiter) and _delimiter_ends(body, len(delimiter)):
        return 0
    needle = b"\n" + delimiter
    position = max(start - 1, 0)
    while True:
        found = body.find(needle, position)
        if found < 0:
            return -1
        if _delimiter_ends(body, found + len(needle)):
            return found + 1
        position = found + 1


def _delimiter_ends(body: bytes, end: int) -> bool:
    if body.startswith(b"--", end):
        return True
    line_end = body.find(b"\n", end)
    tail = body[end:] if line_end < 0 else body[end:line_end]
    return not tail.strip()


_GUESS_BOUNDARY: Final = re.compile(rb"(?:\A|\n)(--[!-~]{1,200}?)(?:--)?[ \t]*\n")


def _guess_boundary(body: bytes) -> bytes | None:
    """The first ``--something`` line of a multipart body: its boundary, probably."""
    match = _GUESS_BOUNDARY.search(body, 0, 8192)
    return None if match is None else match.group(1)


# --------------------------------------------------------------------- transfer decoding

_NOT_BASE64: Final = re.compile(rb"[^A-Za-z0-9+/=]+")
_PADDING: Final = re.compile(rb"=+")


def _decode_base64(body: bytes, reader: _Reader) -> bytes:
    """Base64 read leniently: junk skipped, padding repaired, padded chunks joined."""
    stripped = body.rstrip(b" \t\n=")
    if b"=" not in stripped:
        try:
            return binascii.a2b_base64(body)  # skips line breaks and junk characters
        except (binascii.Error, ValueError):
            pass
    reader.note("broken base64: read what could be")
    data = bytearray()
    for chunk in _PADDING.split(_NOT_BASE64.sub(b"", body)):
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
        if chunk:
            try:
                data += binascii.a2b_base64(chunk + b"=" * (-len(chunk) % 4))
            except (binascii.Error, ValueError):  # pragma: no cover - made valid above
                continue
    return bytes(data)


def _plain_text_not_base64(body: bytes) -> bool:
    """Whether a part labelled base64 is plain text instead: its first lines have spaces
    between words (over one byte in twenty), which base64 never has inside a line;
    stray junk characters in real base64 do not count."""
    sample = b"".join(line.strip() for line in body[:4096].split(b"\n"))
    return sample.count(b" ") * 20 > len(sample)


def _decode_uu(body: bytes) -> bytes:
    data = bytearray()
    for line in body.split(b"\n"):
        if not line or line.startswith((b"begin ", b"end")) or line == b"`":
            continue
        try:
            data += binascii.a2b_uu(line)
        except (binascii.Error, ValueError):
            continue
    return bytes(data)


# ------------------------------------------------------------------------------ charsets

# Codecs whose text is all ASCII bytes: never shortcut by ``isascii``.
_ASCII_FORM_CODECS: Final = ("utf-7", "iso2022", "hz")
# Labels under which mailers send windows-1252, or UTF-8 by mistake.
_LATIN_CODECS: Final = frozenset({"ascii", "iso8859-1", "cp1252"})
_UNKNOWN_LABELS: Final = frozenset(
    {"", "unknown", "unknown-8bit", "x-unknown", "x-user-defined", "default", "charset"}
)
# Codecs to try, in order, when a Japanese text does not decode under its label.
_RETRY_CODECS: Final = {"iso2022_jp_ext": ("iso2022_jp_2", "iso2022_jp_3")}


def _decode(data: bytes, label: str, reader: _Reader, *, final: bool = True) -> str:
    """Text of a part under its (possibly wrong, unknown or missing) charset label.

    ``final=False`` when ``data`` was cut: a character split at the end is dropped.
    """
    label = label.strip().strip("\"'").lower()
    codec = charset_codec(label) if label else None
    if codec is None:
        if data.isascii():
            return data.decode("ascii")
        if label not in _UNKNOWN_LABELS:
            reader.note(f"unknown charset {label[:40]!r}: guessed")
        return _decode_guess(data, final=final)
    if data.isascii() and not codec.startswith(_ASCII_FORM_CODECS):
        return data.decode("ascii")
    if codec in _LATIN_CODECS:
        try:
            text = _incremental(data, "utf-8", final=final)
        except UnicodeDecodeError:
            if codec == "ascii":
                reader.note("8-bit text labelled us-ascii: read as windows-1252")
            return _decode_legacy(data)
        reader.note(f"text labelled {label[:40]} is UTF-8: read as UTF-8")
        return text
    try:
        return _incremental(data, codec, final=final)
    except Exception:  # any codec, any error: the fallbacks follow
        pass
    for retry in _RETRY_CODECS.get(codec, ()):
        try:
            return _incremental(data, retry, final=final)
        except Exception:
            continue
    # An ASCII-form codec (ISO-2022-JP, UTF-7, HZ) never has 8-bit bytes: text that does
    # is in another charset, most often UTF-8 from a mailer that kept its old label.
    if codec != "utf-8" and (not codec.startswith(_ASCII_FORM_CODECS) or not data.isascii()):
        try:
            text = _incremental(data, "utf-8", final=final)
        except UnicodeDecodeError:
            pass
        else:
            reader.note(f"text labelled {label[:40]} is UTF-8: read as UTF-8")
            return text
    if codec != "utf-8":
        reader.note(f"text is not valid {label[:40]}: some characters replaced")
        try:
            return _incremental(data, codec, final=final, errors="replace")
        except Exception:  # a codec that fails even with "replace"
            pass
    reader.note(f"text is not valid {label[:40]}: guessed")
    return _decode_guess(data, final=final)


def _incremental(data: bytes, codec: str, *, final: bool, errors: str = "strict") -> str:
    if final:
        return data.decode(codec, errors)
    return codecs.getincrementaldecoder(codec)(errors).decode(data, final=False)


def _decode_guess(data: bytes, *, final: bool = True) -> str:
    """Text of unknown charset: UTF-8; damaged UTF-8 with replacements; windows-1252."""
    try:
        return _incremental(data, "utf-8", final=final)
    except UnicodeDecodeError:
        pass
    text = _incremental(data, "utf-8", final=final, errors="replace")
    replaced = text.count("\ufffd")
    if len(text) - replaced - _ascii_count(text) > replaced:
        return text  # more good UTF-8 sequences than bad bytes: damaged UTF-8
    return _decode_legacy(data)


def _ascii_count(text: str) -> int:
    return len(text.encode("ascii", "ignore"))


def _decode_legacy(data: bytes) -> str:
    """windows-1252; its five unassigned bytes as Latin-1 (C1 controls, removed later)."""
    return data.decode("cp1252", "_asyncdesk_latin1")


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("_asyncdesk_latin1", _latin1_fallback)


def _decode_label_lenient(data: bytes, label: str) -> str:
    codec = charset_codec(label) if label else None
    if codec is not None:
        try:
            return data.decode(codec)
        except Exception:
            pass
    return _decode_guess(data)


# ----------------------------------------------------------------------- text clean-up

# C0 controls but tab and line feed, DEL, C1 controls: removed. Zero-width characters,
# soft hyphens and the combining grapheme joiner: removed (newsletters pad with them).
_REMOVED_CHARS: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u200b-\u200d\u2060\ufeff]+"
)
_CONTROLS_TO_SPACE: Final = {code: " " for code in [*range(0x20), *range(0x7F, 0xA0)]}


def _clean_text(text: str, *, keep_html: bool = False) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if keep_html:
        return text.replace("\x00", "") if "\x00" in text else text
    return _remove_chars(text)


def _remove_chars(text: str) -> str:
    """Text without :data:`_REMOVED_CHARS`. Every one of them but U+034F is unprintable to
    Python, and ``isprintable`` runs in C: most texts skip the slower regular expression."""
    if "\u034f" not in text and text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return _REMOVED_CHARS.sub("", text)


_QUOTE_PREFIX: Final = re.compile(r">+")


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 ``format=flowed``: lines ending in a space join the next one of the
    same quote depth; space-stuffing is undone; the signature separator stays."""
    out: list[str] = []
    pending: list[str] | None = None
    pending_depth = 0
    for line in text.split("\n"):
        match = _QUOTE_PREFIX.match(line)
        depth = match.end() if match else 0
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        soft = content.endswith(" ") and content != "-- "
        if soft and delsp:
            content = content[:-1]
        if pending is not None and depth == pending_depth:
            pending.append(content)
        else:
            if pending is not None:
                out.append(_quoted(pending_depth, "".join(pending)))
            pending, pending_depth = [content], depth
        if not soft:
            out.append(_quoted(depth, "".join(pending)))
            pending = None
    if pending is not None:
        out.append(_quoted(pending_depth, "".join(pending)))
    return "\n".join(out)


def _quoted(depth: int, text: str) -> str:
    return f"{'>' * depth} {text}" if depth else text


def _text_as_html(text: str) -> str:
    return f'<pre style="white-space: pre-wrap">{html.escape(text)}</pre>'


# ---------------------------------------------------------------------------- HTML text

# Elements whose content is not text to read (raw text to their closing tag).
_SKIPPED: Final = frozenset({"script", "style", "title", "template", "xml"})
# Elements that start and end a line, and those that stand apart as paragraphs.
_BLOCKS: Final = frozenset(
    {
        *("address", "article", "aside", "blockquote", "caption", "center", "dd", "details"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("hr", "li", "main", "nav", "ol", "section", "summary", "table", "tbody", "tfoot"),
        *("thead", "tr", "ul"),
    }
)
_PARAGRAPHS: Final = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dl", "hr"}
)
_CELLS: Final = frozenset({"td", "th"})
# One token: a comment (to "-->" or the end), a tag with its name (group 2) and the
# rest (group 3), or a declaration / processing instruction. Each may run to the end of
# the text, so a search never fails after scanning far: the scan stays linear.
_HTML_TOKEN: Final = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(/?)([A-Za-z][A-Za-z0-9:_-]*)([^>]*)(?:>|\Z)"
    r"|<[/!?][^>]*(?:>|\Z)",
    re.S,
)
_CLOSING: Final = {name: re.compile(rf"</{name}\s*>", re.I) for name in _SKIPPED}
_BLANK_LINES: Final = re.compile(r"\n{3,}")
# How far past a tag's first ">" a quoted ">" is looked for.
_QUOTE_REACH: Final = 4096


def html_to_text(markup: str) -> str:
    """The text of an HTML document as a person would read it; see the module doc.

    Linear in the length of ``markup`` on every input; never raises.
    """
    try:
        return _html_to_text(markup)
    except Exception:  # the contract; a bug here must not lose the message
        return " ".join(re.sub(r"<[^>]*>", " ", markup).split())


def _html_to_text(markup: str) -> str:
    markup = _remove_chars(markup)
    writer = _TextWriter()
    length = len(markup)
    position = 0
    while position < length:
        token = _HTML_TOKEN.search(markup, position)
        if token is None:
            writer.text(markup[position:])
            break
        start, end = token.span()
        if start > position:
            writer.text(markup[position:start])  # "<" that starts no tag stays in the text
        position = end
        name = token.group(2)
        if name is None:  # a comment, declaration or processing instruction
            continue
        if not markup.endswith(">", 0, end):
            break  # an unterminated tag at the end: dropped, as browsers do
        attributes = token.group(3)
        if '"' in attributes and attributes.count('"') % 2:
            # A ">" inside a quoted attribute value: the tag ends after the quote. Both
            # searches are bounded, so hostile markup cannot make this quadratic.
            quote = markup.find('"', end - 1, end - 1 + _QUOTE_REACH)
            later = markup.find(">", quote, quote + _QUOTE_REACH) if quote >= 0 else -1
            if later >= 0:
                position = later + 1
                attributes = markup[token.end(2) : later]
        name = name.lower()
        closing = token.group(1) == "/"
        if name in _SKIPPED and not closing and not attributes.endswith("/"):
            found = _CLOSING[name].search(markup, position)
            position = length if found is None else found.end()
            continue
        writer.tag(name, closing)
    return writer.result()


class _TextWriter:
    """Collects text with HTML's whitespace rules and the line breaks blocks make."""

    __slots__ = ("_breaks", "_parts", "_pre", "_started")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._breaks = 0  # line breaks owed before the next text
        self._pre = 0
        self._started = False

    def text(self, chunk: str) -> None:
        if "&" in chunk:
            chunk = _remove_chars(html.unescape(chunk))  # &zwnj; and friends
        if not self._pre:
            # HTML whitespace (and no-break spaces) collapsed to one space.
            words = " ".join(chunk.split())
            if not words:
                chunk = " " if chunk else ""
            else:
                lead = " " if chunk[0].isspace() else ""
                chunk = lead + words + (" " if chunk[-1].isspace() else "")
            if self._breaks or not self._started or self._parts[-1].endswith(("\n", " ")):
                chunk = chunk.lstrip(" ")
            if not chunk:
                return
        else:
            chunk = chunk.replace("\u00a0", " ")
        if self._breaks:
            if self._started:
                self._parts[-1] = self._parts[-1].rstrip(" ")  # no trailing spaces
                self._parts.append("\n" * self._breaks)
            self._breaks = 0
        self._parts.append(chunk)
        self._started = True

    def tag(self, name: str, closing: bool) -> None:
        if name == "br":
            self._breaks = min(self._breaks + 1, 2)
        elif name in _PARAGRAPHS:
            self._breaks = max(self._breaks, 2)
            if name == "pre":
                self._pre = max(self._pre + (-1 if closing else 1), 0)
        elif name in _BLOCKS:
            self._breaks = max(self._breaks, 1)
            if name == "li" and not closing:
                self.text("- ")
        elif name in _CELLS and not closing and self._parts and not self._breaks:
            self._parts.append(" ")

    def result(self) -> str:
        text = "".join(self._parts)
        if "\n\n\n" in text:  # only <pre> text can hold more than one blank line
            text = _BLANK_LINES.sub("\n\n", text)
        return text.strip()
