"""``mailto:`` links (RFC 6068) as the draft of a new message.

The desktop hands AsyncDesk a link a user clicked in a browser or a document. It is
someone else's text: only the fields a mail client may take from a link are kept (To,
Cc, Bcc, Subject, Body, In-Reply-To; RFC 6068 section 7 warns against the rest), each
percent-decoded as UTF-8, and a link that cannot be read is one clear line
(:class:`~asyncdesk.core.errors.BadInput`), never half a draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from asyncdesk.core.errors import BadInput

#: A link longer than this is not something a person clicked.
MAX_LINK_CHARS: Final = 32 * 1024
_SCHEME: Final = "mailto:"
_ADDRESS: Final = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+$")
_PERCENT: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class MailtoDraft:
    """What a ``mailto:`` link asks for. Addresses are as written, in order, without
    repeats; ``subject`` is one line; ``body`` keeps its line breaks (``\\n``)."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    in_reply_to: str | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc


def is_mailto(text: str) -> bool:
    """Whether ``text`` is meant as a mailto: link (the scheme is case-insensitive)."""
    return text[: len(_SCHEME)].lower() == _SCHEME


def _decode(part: str, what: str) -> str:
    if _PERCENT.search(part):
        raise BadInput(f"the mailto: link has a stray '%' in its {what}")
    try:
        return unquote(part, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise BadInput(f"the mailto: link's {what} is not UTF-8 text") from None


def addresses_in(value: str, what: str) -> list[str]:
    """The addresses of a comma- (or semicolon-) separated list; :class:`BadInput`
    names the first that is not one (``what``: where it was, to begin the line)."""
    found: list[str] = []
    for raw in value.replace(";", ",").split(","):
        address = raw.strip()
        if not address:
            continue
        if not _ADDRESS.match(address):
            shown = address if len(address) <= 80 else address[:77] + "..."
            raise BadInput(f"{what}: {shown!r} is not an email address")
        found.append(address)
    return found


def unique_addresses(addresses: list[str], seen: set[str]) -> tuple[str, ...]:
    """``addresses`` without those in ``seen`` (case-insensitively), which it grows."""
    kept: list[str] = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            kept.append(address)
    return tuple(kept)


def parse_mailto(link: str) -> MailtoDraft:
    """The draft a ``mailto:`` link asks for; :class:`BadInput` if it is not one.

    Unknown fields are ignored, as RFC 6068 asks; known ones given twice are joined
    (addresses) or the first is kept (subject, body). Line breaks in the subject become
    spaces; ``%0D%0A`` in the body becomes a line break.
    """
    if len(link) > MAX_LINK_CHARS:
        raise BadInput(f"the mailto: link is longer than {MAX_LINK_CHARS} characters")
    if not is_mailto(link):
        raise BadInput("not a mailto: link (it must start with 'mailto:')")
    if any(ord(c) < 32 or ord(c) == 127 for c in link):
        raise BadInput("the mailto: link holds control characters")
    rest = link[len(_SCHEME) :]
    path, _, query = rest.partition("?")
    query = query.partition("#")[0]
    in_path = addresses_in(_decode(path, "address"), "the mailto: link's address")
    fields: dict[str, list[str]] = {}
    for pair in query.split("&") if query else ():
        name, _, value = pair.partition("=")
        key = _decode(name, "field names").lower()
        if key in ("to", "cc", "bcc", "subject", "body", "in-reply-to"):
            fields.setdefault(key, []).append(_decode(value, key))

    def listed(key: str) -> list[str]:
        where = f"the mailto: link's {key}"
        return [a for value in fields.get(key, []) for a in addresses_in(value, where)]

    seen: set[str] = set()
    to = unique_addresses(in_path + listed("to"), seen)
    cc = unique_addresses(listed("cc"), seen)
    bcc = unique_addresses(listed("bcc"), seen)
    subject = " ".join(fields.get("subject", [""])[0].split())
    body = fields.get("body", [""])[0].replace("\r\n", "\n").replace("\r", "\n")
    reply_to = fields.get("in-reply-to", [""])[0].strip().strip("<>").strip()
    return MailtoDraft(to, cc, bcc, subject, body, reply_to or None)
