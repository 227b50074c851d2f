"""The first sync's hot path: the header FETCH read straight from imaplib.

imapclient's response parser walks every byte outside the literals in Python; for the
header FETCH of a first sync that was about a third of the whole sync (the server
repeats the 200-byte ``BODY[HEADER.FIELDS (...)]`` item name for every message).
imaplib, underneath it, already splits responses into lines and literals; the few
items we need (UID, FLAGS, INTERNALDATE, RFC822.SIZE) are then read with one regular
expression per response. Everything else keeps going through imapclient.

imapclient exposes its imaplib connection only as ``_imap``; when it is missing (a
future imapclient), :func:`fetch_headers` falls back to ``client.fetch`` with the same
result, so this is a speed-up that cannot change behaviour. imaplib's exceptions are
imapclient's (``IMAPClientError`` is ``imaplib.IMAP4.error``), translated by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]

_MONTHS: Final = {
    month: number
    for number, month in enumerate(
        b"jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}
_INTERNALDATE: Final = re.compile(
    rb" ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"
)
_ITEMS: Final = re.compile(
    rb"(UID|RFC822\.SIZE) (\d+)|FLAGS \(([^)]*)\)|INTERNALDATE \"([^\"]*)\"", re.IGNORECASE
)
_START: Final = re.compile(rb"^\d+ \(")
_ZONES: dict[bytes, timezone] = {}


@dataclass(frozen=True, slots=True)
class FetchedHeader:
    """One message of a header FETCH: what the server said about it."""

    uid: int
    flags: tuple[bytes, ...]
    internaldate: datetime | None
    size: int | None
    header: bytes


def uid_set(uids: Sequence[int]) -> str:
    """``[1, 2, 3, 7, 9, 10]`` → ``"1:3,7,9:10"`` (sorted input), short on the wire."""
    parts: list[str] = []
    start = previous = None
    for uid in uids:
        if previous is not None and uid == previous + 1:
            previous = uid
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = uid
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}:{previous}")
    return ",".join(parts)


def parse_internaldate(raw: bytes) -> datetime | None:
    """``b"25-Nov-2026 17:40:12 +0100"`` → an aware UTC instant; ``None`` if unreadable."""
    match = _INTERNALDATE.match(raw)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, zone_h, zone_m = match.groups()
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    offset = sign + zone_h + zone_m
    zone = _ZONES.get(offset)
    if zone is None:
        minutes = int(zone_h) * 60 + int(zone_m)
        zone = timezone(timedelta(minutes=-minutes if sign == b"-" else minutes))
        _ZONES[offset] = zone
    try:
        local = datetime(
            int(year), number, int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        return None
    return local.astimezone(UTC)


def fetch_headers(client: Any, uids: Sequence[int], items: Sequence[str]) -> list[FetchedHeader]:
    """UID FETCH ``items`` (which must ask for exactly one header section) for ``uids``;
    the messages the server returned, in its order (expunged ones are simply missing)."""
    imap = getattr(client, "_imap", None)
    if imap is None or not getattr(client, "use_uid", False):
        return _via_imapclient(client, uids, items)
    typ, data = imap.uid("FETCH", uid_set(uids), "(" + " ".join(items) + ")")
    if typ != "OK":
        raise IMAPClientError(f"FETCH failed: {data!r}"[:200])
    wanted = set(uids)
    found: list[FetchedHeader] = []
    head = b""
    header = b""
    for element in data:
        if isinstance(element, tuple):
            text, literal = element
            if _START.match(text):
                if head:
                    _add(found, wanted, head, header)
                head, header = text, literal
            else:  # a second literal in the same response: keep the header one
                head += text
        elif isinstance(element, bytes):
            if _START.match(element):
                if head:
                    _add(found, wanted, head, header)
                head, header = element, b""
            else:
                head += element
    if head:
        _add(found, wanted, head, header)
    return found


def _add(found: list[FetchedHeader], wanted: set[int], head: bytes, header: bytes) -> None:
    uid = size = None
    flags: tuple[bytes, ...] = ()
    internaldate = None
    for name, number, flag_text, date in _ITEMS.findall(head):
        if name:
            if name.upper() == b"UID":
                uid = int(number)
            else:
                size = int(number)
        elif date:
            internaldate = parse_internaldate(date)
        else:
            flags = tuple(flag_text.split())
    if uid is not None and uid in wanted:  # unsolicited FETCHes (flag news) are not ours
        found.append(FetchedHeader(uid, flags, internaldate, size, header))


def _via_imapclient(client: Any, uids: Sequence[int], items: Sequence[str]) -> list[FetchedHeader]:
    fetched = client.fetch(list(uids), list(items))
    result = []
    for uid in uids:
        data = fetched.get(uid)
        if data is None:
            continue
        header = next(
            (
                value
                for key, value in data.items()
                if key.startswith(b"BODY[HEADER") and isinstance(value, bytes)
            ),
            b"",
        )
        date = data.get(b"INTERNALDATE")
        size = data.get(b"RFC822.SIZE")
        result.append(
            FetchedHeader(
                uid,
                tuple(flag for flag in data.get(b"FLAGS", ()) if isinstance(flag, bytes)),
                date.astimezone(UTC) if isinstance(date, datetime) and date.tzinfo else None,
                size if isinstance(size, int) else None,
                header,
            )
        )
    return result
