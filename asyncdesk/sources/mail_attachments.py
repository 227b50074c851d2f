"""The attachments of a whole message: listed from its bytes, and one read out.

:func:`list_attachments` reads a whole RFC 5322 message (as ``BODY[]`` returns it) and
lists what a person would save from it: :class:`Attachment` values with the IMAP
section number of the part, the file name (RFC 2231 and encoded-word names decoded),
the MIME type, the decoded size, whether it is an inline image of the HTML, and a note
when something about it is odd. :func:`attachment_bytes` returns one part's decoded
bytes. :func:`safe_filename` turns any name into one that can be created in a folder
and stays in it. Pure: no network, no disk.

Why the message's bytes and not the server's BODYSTRUCTURE: saving needs the bytes
anyway, and one ``BODY.PEEK[]`` gives the list and the bytes from the same snapshot in
one round trip; the list then agrees with how :mod:`~asyncdesk.sources.mail_body` reads
the same message (both use its header readers), whatever the server makes of broken
MIME (servers differ there, and some pass RFC 2231 names through undecoded or not at
all); and a pure function over bytes is tested on any input without a server. The cost:
listing the attachments of a big message downloads all of it (the caller caps that).

What is listed (each rule is also a test):
- Every leaf part that is not the message's text: non-text parts (images, PDFs,
  archives, ``winmail.dat``), text parts with ``Content-Disposition: attachment`` or a
  file name without ``inline``, and calendars and vCards (``text/calendar``, ...).
  Text and HTML bodies are not listed, nor the signature part of ``multipart/signed``
  (``application/pgp-signature``, ``application/pkcs7-signature``).
- ``inline`` is true for an image of the HTML: a part with a ``Content-ID`` inside a
  ``multipart/related``, unless it has both a file name and ``disposition=attachment``
  (then the sender meant it as a file too). Inline parts are listed, so the message view
  can offer them, but :attr:`AttachmentList.files` leaves them out. Whether the HTML
  really refers to the ``cid:`` is not checked. A part with ``Content-Disposition:
  inline`` and no Content-ID (Apple Mail's inline PDF, a phone's photo) is a file.
- An attached message (``message/rfc822``, ``message/global``) is listed as a file
  (named after its Subject, ``.eml``), and its own attachments are listed after it with
  :attr:`Attachment.within` set to its part number, so a view can indent or hide them.
- ``multipart/encrypted``: nothing inside can be listed; a problem says so.
  ``application/pkcs7-mime`` (S/MIME) and ``application/ms-tnef`` (``winmail.dat``) are
  listed as they are, with a note: they are containers this module does not open.
- A missing name becomes ``attachment-N.<ext>``, N the 1-based place in the list, the
  extension from the MIME type (Python's built-in table, never the system's, so it is
  the same on every machine; ``.bin`` when unknown).
- Part numbers are IMAP's (RFC 3501 6.4.5: ``"1"`` for a single-part message, ``"2.1"``
  in the second part, ``"3.1"`` for the body of an attached message at ``"3"``). Broken
  MIME is read leniently, so on such mail they may differ from the server's: they name
  parts of these bytes, and are not meant for ``BODY[section]`` fetches.

Contract: :func:`list_attachments` never raises, whatever the bytes, and its work is
bounded (:data:`MAX_PARTS` parts, :data:`MAX_DEPTH` levels, :data:`MAX_LISTED` listed,
the rest counted). Broken MIME is read as :mod:`~asyncdesk.sources.mail_body` reads it
(a missing boundary parameter guessed, a missing closing boundary read to the end,
lenient base64); an unreadable part is listed with a note, never stopping the rest.
Parts bigger than :data:`MAX_ATTACHMENT_BYTES` are not decoded: their size is then
computed from the encoded length (exact for clean base64). Work is linear in the size of
the message; no part's bytes are copied while listing but the one being measured.

Line ends: CRLF and LF mail are read alike, and a part's bytes are the decoded bytes as
sent (a text attachment keeps its CRLF line ends, as other mail clients save it).

Thread-safe: no state.
"""

from __future__ import annotations

import binascii
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

# One reading of MIME for the body text and the attachment list: the same header
# values, patterns, part types and limits, so a message reads the same in both.
from asyncdesk.sources.mail_body import (
    _ATTACHED_TEXT_TYPES,
    _HEADER_SECTION,
    _HEADER_START,
    _MESSAGE_TYPES,
    _MIME_FIELD,
    _NOT_BASE64,
    _PADDING,
    _TEXT_TYPES,
    MAX_DEPTH,
    MAX_PARTS,
    MAX_PROBLEMS,
    _content_type,
    _disposition,
    _filename,
    _token,
)
from asyncdesk.sources.mail_headers import parse_headers

#: Decoded bytes of one attachment that are read (listing decodes to measure).
MAX_ATTACHMENT_BYTES: Final = 100 * 1024 * 1024
#: Attachments listed; more are counted in :attr:`AttachmentList.more`.
MAX_LISTED: Final = 500
#: Bytes of UTF-8 a safe file name may have (255 is the common limit; this leaves room
#: for " (999)").
MAX_NAME_BYTES: Final = 240
#: Bytes of a part's header block that are looked at.
MAX_HEADER_BYTES: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment of a message; see the module docstring for what is listed.

    - ``part``: IMAP section number (``"2"``, ``"1.3"``), unique in the message.
    - ``filename``: the name as sent, decoded, one line, without folders; never empty.
      It is for showing: :func:`safe_filename` makes the name to save under.
    - ``mime_type``: lower-case ``type/subtype``.
    - ``size``: decoded bytes. Exact, unless the part is over
      :data:`MAX_ATTACHMENT_BYTES` or cut off (then computed from what was sent).
    - ``inline``: an image of the HTML (``cid:``), not a file the sender attached.
    - ``content_id``: without the angle brackets, or ``None``.
    - ``within``: the part number of the attached message this one is inside, or ``None``.
    - ``note``: one line on what is odd about it (broken base64, a container, cut off),
      or ``None``.
    - ``complete``: false when the message was fetched only partly and this part was cut
      off: its bytes are not all there and it should not be saved.
    - ``encoding`` and ``span``: its transfer encoding and where its encoded bytes are in
      the message, for :func:`attachment_bytes`.
    """

    part: str
    filename: str
    mime_type: str
    size: int
    inline: bool = False
    content_id: str | None = None
    within: str | None = None
    note: str | None = None
    complete: bool = True
    encoding: str = field(default="", repr=False)
    span: tuple[int, int] = field(default=(0, 0), repr=False)


@dataclass(frozen=True, slots=True)
class AttachmentList:
    """Every attachment of a message, in the message's order (inline images included),
    the count of those past :data:`MAX_LISTED`, and the problems met on the way."""

    attachments: tuple[Attachment, ...] = ()
    more: int = 0
    problems: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[Attachment, ...]:
        """The attachments a person would call attachments: not the inline images."""
        return tuple(item for item in self.attachments if not item.inline)

    def find(self, part: str) -> Attachment | None:
        """The attachment at section ``part``, or ``None``."""
        return next((item for item in self.attachments if item.part == part), None)


def list_attachments(raw: bytes, *, complete: bool = True) -> AttachmentList:
    """The attachments of a whole message; never raises (see the module docstring).

    ``complete=False`` says ``raw`` is only the start of the message (a partial fetch):
    the part that runs to its end is marked cut off (``complete=False``).
    """
    walker = _Walker(_prepare(raw), complete)
    try:
        walker.walk()
    except Exception as error:  # the contract: a bug here must not lose the rest
        walker.note(f"internal error while listing attachments: {type(error).__name__}")
    return AttachmentList(tuple(walker.items), walker.more, tuple(walker.problems))


def attachment_bytes(raw: bytes, attachment: Attachment) -> bytes:
    """The decoded bytes of ``attachment``, an item listed from the same ``raw``.

    Broken encodings are read as listing read them (leniently). Raises ``ValueError``
    only if ``attachment`` cannot be from these bytes.
    """
    data = _prepare(raw)
    start, end = attachment.span
    if not 0 <= start <= end <= len(data):
        raise ValueError(f"part {attachment.part} is not in this message")
    return _decode(data, start, end, attachment.encoding, [])


def part_bytes(raw: bytes, part: str) -> bytes | None:
    """The decoded bytes of the attachment at section ``part``; ``None`` if none is."""
    found = list_attachments(raw).find(part)
    return None if found is None else attachment_bytes(raw, found)


# ---------------------------------------------------------------------------- file names

# Characters no file name may hold here: folder separators, and what Windows and FAT
# refuse (an attachment saved on a USB stick must work too).
_UNSAFE_CHARS: Final = re.compile(r'[/\\<>:"|?*]')
_WINDOWS_DEVICES: Final = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10))}
    | {f"lpt{i}" for i in range(1, 10)}
)


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A file name that stays in the folder it is created in, and works on any disk.

    The last path component (``/`` or ``\\``) only; Unicode NFC; control and format
    characters (bidi overrides that disguise ``fdp.exe``) removed; ``<>:"|?*`` made
    ``_``; whitespace collapsed; no leading dot (no hidden files, never ``.`` or
    ``..``), no trailing dot or space; Windows device names (``CON``, ``nul.txt``)
    prefixed with ``_``; at most :data:`MAX_NAME_BYTES` bytes of UTF-8, the extension
    kept. ``fallback`` (made safe too) when nothing is left, else ``"attachment"``.
    """
    return _clean_name(name) or _clean_name(fallback) or "attachment"


def _clean_name(name: str) -> str:
    """:func:`safe_filename` of ``name``, or ``""`` when nothing is left of it."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(
        " " if char.isspace() else char for char in text if char.isspace() or char.isprintable()
    )
    text = text.replace("\\", "/").rstrip("/ ").rpartition("/")[2]
    text = _UNSAFE_CHARS.sub("_", " ".join(text.split()))
    text = text.lstrip(". ").rstrip(". ")
    if not text:
        return ""
    if text.partition(".")[0].lower() in _WINDOWS_DEVICES:
        text = "_" + text
    return _shorten(text)


def _shorten(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 20:
        stem, extension = name, ""
    budget = MAX_NAME_BYTES - len(extension.encode("utf-8")) - (1 if extension else 0)
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(". ")
    return f"{cut}.{extension}" if extension else cut


# Extensions for parts without a name: the common types, then Python's built-in table.
_EXTENSIONS: Final = {
    "application/ms-tnef": ".dat",
    "application/octet-stream": ".bin",
    "application/pgp-encrypted": ".asc",
    "application/pkcs7-mime": ".p7m",
    "application/x-pkcs7-mime": ".p7m",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/svg+xml": ".svg",
    "image/tiff": ".tiff",
    "message/global": ".eml",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/rfc822-headers": ".txt",
    "text/vcard": ".vcf",
    "text/x-vcalendar": ".vcs",
    "text/x-vcard": ".vcf",
}
_BUILT_IN_TYPES: Final = mimetypes.MimeTypes()  # the built-in table only: no system files


def extension_for(mime_type: str) -> str:
    """The usual file extension of ``mime_type`` (with its dot); ``.bin`` if unknown."""
    known = _EXTENSIONS.get(mime_type)
    if known is not None:
        return known
    return _BUILT_IN_TYPES.guess_extension(mime_type, strict=False) or ".bin"


# ------------------------------------------------------------------------------ walking

_GUESS_AT_START: Final = re.compile(rb"(--[!-~]{1,200}?)(?:--)?[ \t]*\r?\n")
_GUESS_LATER: Final = re.compile(rb"\n(--[!-~]{1,200}?)(?:--)?[ \t]*\r?\n")

_SIGNATURES: Final = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)
_CONTAINER_NOTES: Final = {
    "application/ms-tnef": "Outlook's winmail.dat (TNEF): the files inside are not unpacked",
    "application/vnd.ms-tnef": "Outlook's winmail.dat (TNEF): the files inside are not unpacked",
    "application/pkcs7-mime": "S/MIME content: encrypted or signed, not opened here",
    "application/x-pkcs7-mime": "S/MIME content: encrypted or signed, not opened here",
}
_IDENTITY: Final = frozenset({"", "7bit", "8bit", "binary"})
_UUENCODE: Final = frozenset({"x-uuencode", "uuencode", "x-uue", "uue"})


def _prepare(raw: bytes) -> bytes:
    """The bytes spans refer to: ``raw`` itself, but for old-Mac mail with CR line ends
    only, whose CRs become LFs (the same for listing and reading, so spans agree)."""
    data = raw if type(raw) is bytes else bytes(raw)
    head = data[:MAX_HEADER_BYTES]
    if b"\r" in head and b"\n" not in head:
        return data.replace(b"\r", b"\n")
    return data


@dataclass(frozen=True, slots=True)
class _Place:
    """Where an entity sits: its enclosing multipart's subtype, the attached message it
    is in, its default type (``message/rfc822`` in a digest)."""

    parent: str = ""
    within: str | None = None
    default: str = "text/plain"


class _Walker:
    """One listing of one message: the walk over its parts, and what it found."""

    def __init__(self, data: bytes, complete: bool) -> None:
        self.data = data
        self.complete = complete
        self.items: list[Attachment] = []
        self.more = 0
        self.problems: list[str] = []
        self.parts = 0

    def note(self, text: str) -> None:
        if text in self.problems:
            return
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("more problems not listed")

    def walk(self) -> None:
        data = self.data
        start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        if data.startswith(b"From ", start):  # an mbox separator line
            start = data.find(b"\n", start) + 1 or len(data)
        self.entity(start, len(data), "", 0, _Place(), message=True)

    # -- entities ------------------------------------------------------------------

    def entity(
        self, start: int, end: int, section: str, depth: int, place: _Place, *, message: bool
    ) -> None:
        """One MIME entity: a message (``message``: its single part is ``section.1``) or
        a part of a multipart (numbered ``section``)."""
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.note(f"more than {MAX_PARTS} MIME parts: the rest are not read")
            return
        headers, _, body = self.headers(start, end)
        ctype, params = _content_type(headers.get(b"content-type"), place.default)
        if ctype.startswith("multipart/"):
            self.multipart(ctype[10:], params, body, end, section, depth, place)
            return
        number = (f"{section}.1" if section else "1") if message else section
        disposition, dparams = _disposition(headers.get(b"content-disposition"))
        name = _filename(dparams, params)
        encoding = _token(headers.get(b"content-transfer-encoding"))
        content_id = _content_id(headers.get(b"content-id"))
        if ctype in _MESSAGE_TYPES:
            self.attached_message(number, name, ctype, encoding, body, end, depth, place)
            return
        if place.parent == "signed" and ctype in _SIGNATURES:
            return
        if ctype.startswith("text/") or ctype in _TEXT_TYPES:
            attached = disposition == "attachment" or (bool(name) and disposition != "inline")
            if not attached and ctype not in _ATTACHED_TEXT_TYPES:
                return  # the message's text
        inline = (
            content_id is not None
            and place.parent == "related"
            and not (disposition == "attachment" and name)
        )
        self.add(number, name, ctype, encoding, body, end, place, inline, content_id)

    def headers(self, start: int, end: int) -> tuple[dict[bytes, bytes], bytes, int]:
        """The MIME fields of an entity (lower-case names, first wins), its whole header
        block (LF line ends) and where its body starts."""
        data = self.data
        if data.startswith(b"\n", start, end) or data.startswith(b"\r\n", start, end):
            return {}, b"", start + (1 if data[start] == 10 else 2)
        if _HEADER_START.match(data, start, min(end, start + 1000)) is None:
            if start < end:
                self.note("a part without headers or an empty line before its content")
            return {}, b"", start
        limit = min(end, start + MAX_HEADER_BYTES)
        ends = [
            (found, found + length)
            for needle, length in ((b"\n\n", 2), (b"\n\r\n", 3))
            if (found := data.find(needle, start, limit)) >= 0
        ]
        if ends:
            block_end, body = min(ends)
            block_end += 1
        else:  # no empty line: the headers end where a line is not a header
            section = _HEADER_SECTION.match(data, start, limit)
            block_end = body = section.end() if section is not None else start
            if body < end:
                self.note("no empty line after a part's headers: its content starts after them")
        block = data[start:block_end].replace(b"\r\n", b"\n")
        fields: dict[bytes, bytes] = {}
        for name, value in _MIME_FIELD.findall(block):
            fields.setdefault(name.lower(), value)
        return fields, block, body

    def multipart(
        self,
        subtype: str,
        params: dict[str, str],
        start: int,
        end: int,
        section: str,
        depth: int,
        place: _Place,
    ) -> None:
        if depth >= MAX_DEPTH:
            self.note(f"multiparts nested more than {MAX_DEPTH} deep: not read")
            return
        if subtype == "encrypted":
            self.note("the message is encrypted: its attachments cannot be listed")
            return
        default = "message/rfc822" if subtype == "digest" else "text/plain"
        inner = _Place(subtype, place.within, default)
        for index, (part_start, part_end) in enumerate(
            self.split(params.get("boundary", ""), start, end), start=1
        ):
            number = f"{section}.{index}" if section else str(index)
            self.entity(part_start, part_end, number, depth + 1, inner, message=False)

    def split(self, boundary: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The spans of a multipart's parts; none if its boundary never appears."""
        data = self.data
        delimiter = b"--" + boundary.encode("latin-1", "replace") if boundary else b""
        position = _find_delimiter(data, delimiter, start, end) if delimiter else -1
        if position < 0:
            limit = min(end, start + 8192)
            guess = _GUESS_AT_START.match(data, start, limit) or _GUESS_LATER.search(
                data, start, limit
            )
            if guess is None or guess.group(1) == delimiter:
                self.note("a multipart without its boundary: no attachments found in it")
                return
            self.note("a multipart whose boundary parameter is missing or wrong: guessed it")
            delimiter = guess.group(1)
            position = _find_delimiter(data, delimiter, start, end)
            if position < 0:  # pragma: no cover - the guess is a delimiter line
                return
        count = 0
        while True:
            after = position + len(delimiter)
            if data.startswith(b"--", after, end):
                return  # the closing delimiter
            line_end = data.find(b"\n", after, end)
            if line_end < 0:
                return
            part_start = line_end + 1
            following = _find_delimiter(data, delimiter, part_start, end)
            if following < 0:
                self.note("a multipart without its closing boundary: read to the end")
                yield part_start, end
                return
            # The line end before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
            part_end = following - 1
            if part_end > part_start and data[part_end - 1] == 13:
                part_end -= 1
            yield part_start, max(part_start, part_end)
            count += 1
            if count >= MAX_PARTS:
                self.note(f"a multipart of more than {MAX_PARTS} parts: the rest not read")
                return
            position = following

    def attached_message(
        self,
        number: str,
        name: str,
        ctype: str,
        encoding: str,
        start: int,
        end: int,
        depth: int,
        place: _Place,
    ) -> None:
        """An attached message: listed as a file, then its own attachments under it."""
        if not name:
            if encoding in _IDENTITY:
                _, block, _ = self.headers(start, end)
                subject = parse_headers(block).subject if block else ""
            else:
                subject = ""
            subject = " ".join(subject.replace("/", "_").replace("\\", "_").split())
            if subject.strip(". "):
                name = subject[:200] + ".eml"
        self.add(number, name, ctype, encoding, start, end, place, False, None)
        if encoding not in _IDENTITY:
            self.note(f"an attached message in {encoding[:40]}: its attachments are not listed")
            return
        if depth >= MAX_DEPTH:
            self.note(f"attached messages nested more than {MAX_DEPTH} deep: not read")
            return
        inside = _Place("", number)
        self.entity(start, end, number, depth + 1, inside, message=True)

    # -- leaves --------------------------------------------------------------------

    def add(
        self,
        number: str,
        name: str,
        ctype: str,
        encoding: str,
        start: int,
        end: int,
        place: _Place,
        inline: bool,
        content_id: str | None,
    ) -> None:
        if len(self.items) >= MAX_LISTED:
            if not self.more:
                self.note(f"more than {MAX_LISTED} attachments: the rest are counted")
            self.more += 1
            return
        if not name:
            name = f"attachment-{len(self.items) + 1}{extension_for(ctype)}"
        notes: list[str] = []
        container = _CONTAINER_NOTES.get(ctype)
        if container is not None:
            notes.append(container)
        cut = not self.complete and end >= len(self.data)
        if cut:
            notes.append("cut off: only the start of the message was fetched")
            size = _estimated_size(self.data, start, end, encoding)
        else:
            size = self.measure(start, end, encoding, notes)
        self.items.append(
            Attachment(
                part=number,
                filename=name,
                mime_type=ctype,
                size=size,
                inline=inline,
                content_id=content_id,
                within=place.within,
                note="; ".join(notes) or None,
                complete=not cut,
                encoding=encoding,
                span=(start, end),
            )
        )

    def measure(self, start: int, end: int, encoding: str, notes: list[str]) -> int:
        """Decoded size of a part: decoded to count (and to find broken encodings),
        unless it is over the cap."""
        if encoding in _IDENTITY:
            return end - start
        estimate = _estimated_size(self.data, start, end, encoding)
        if estimate > MAX_ATTACHMENT_BYTES:
            return estimate
        problems: list[str] = []
        size = len(_decode(self.data, start, end, encoding, problems))
        notes.extend(problems)
        return size


def _estimated_size(data: bytes, start: int, end: int, encoding: str) -> int:
    """Decoded bytes of a part from its encoded length (exact for clean base64)."""
    if encoding == "base64":
        stripped = _rstrip(data, start, end, b" \t\r\n=")
        spaces = sum(data.count(char, start, stripped) for char in (b"\n", b"\r", b" ", b"\t"))
        return (stripped - start - spaces) * 3 // 4
    return end - start


def _rstrip(data: bytes, start: int, end: int, chars: bytes) -> int:
    """Where ``data[start:end]`` ends without its trailing ``chars`` (in chunks: a part
    of padding only is fast too)."""
    while end > start:
        chunk_start = max(start, end - 65536)
        kept = len(data[chunk_start:end].rstrip(chars))
        if kept:
            return chunk_start + kept
        end = chunk_start
    return start


def _decode(data: bytes, start: int, end: int, encoding: str, problems: list[str]) -> bytes:
    """The decoded bytes of ``data[start:end]``; what is odd goes into ``problems``."""
    view = memoryview(data)[start:end]
    try:
        if encoding in _IDENTITY:
            return bytes(view)
        if encoding == "base64":
            return _decode_base64(data, start, end, problems)
        if encoding == "quoted-printable":
            return binascii.a2b_qp(view)
        if encoding in _UUENCODE:
            return _decode_uu(bytes(view), problems)
        problems.append(f"unknown transfer encoding {encoding[:40]!r}: saved as sent")
        return bytes(view)
    finally:
        view.release()


def _decode_base64(data: bytes, start: int, end: int, problems: list[str]) -> bytes:
    """Base64 read leniently: junk skipped, padding repaired, padded chunks joined."""
    stripped = _rstrip(data, start, end, b" \t\r\n=")
    if data.find(b"=", start, stripped) < 0:
        with memoryview(data)[start:end] as view:
            try:
                return binascii.a2b_base64(view)  # skips line breaks and junk characters
            except (binascii.Error, ValueError):
                pass
    problems.append("broken base64: saved what could be read")
    decoded = bytearray()
    for chunk in _PADDING.split(_NOT_BASE64.sub(b"", data[start:end])):
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
        if chunk:
            try:
                decoded += binascii.a2b_base64(chunk + b"=" * (-len(chunk) % 4))
            except (binascii.Error, ValueError):  # pragma: no cover - made valid above
                continue
    return bytes(decoded)


def _decode_uu(body: bytes, problems: list[str]) -> bytes:
    decoded = bytearray()
    bad = 0
    for line in body.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line or line.startswith((b"begin ", b"end")) or line == b"`":
            continue
        try:
            decoded += binascii.a2b_uu(line)
        except (binascii.Error, ValueError):
            bad += 1
    if bad:
        problems.append(f"broken uuencode: {bad} lines skipped")
    return bytes(decoded)


def _find_delimiter(data: bytes, delimiter: bytes, start: int, end: int) -> int:
    """Where the next line ``delimiter`` (or ``delimiter--``) starts in
    ``data[start:end]``; -1 if none. The rest of the line must be blank, so ``--b`` is
    not ``--b2``."""
    if data.startswith(delimiter, start, end) and _delimiter_ends(
        data, start + len(delimiter), end
    ):
        return start
    needle = b"\n" + delimiter
    position = start
    while True:
        found = data.find(needle, position, end)
        if found < 0:
            return -1
        if _delimiter_ends(data, found + len(needle), end):
            return found + 1
        position = found + 1


def _delimiter_ends(data: bytes, after: int, end: int) -> bool:
    if data.startswith(b"--", after, end):
        return True
    line_end = data.find(b"\n", after, min(end, after + 1000))
    if line_end < 0:
        line_end = end if end - after < 1000 else after + 1000
        if line_end != end:
            return False
    return not data[after:line_end].strip()


def _content_id(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = "".join(value.decode("latin-1").split()).strip("<>")
    return text[:200] or None
