"""The hand-read header FETCH: UID sets, INTERNALDATE, and odd response shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from asyncdesk.sources.imap_wire import fetch_headers, parse_internaldate, uid_set

ITEMS = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (FROM)]"]


@pytest.mark.parametrize(
    ("uids", "wire"),
    [
        ([], ""),
        ([7], "7"),
        ([1, 2, 3], "1:3"),
        ([1, 2, 3, 7, 9, 10], "1:3,7,9:10"),
        ([4, 6, 8], "4,6,8"),
    ],
)
def test_uid_sets_are_short(uids: list[int], wire: str) -> None:
    assert uid_set(uids) == wire


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"25-Nov-2026 17:40:12 +0000", datetime(2026, 11, 25, 17, 40, 12, tzinfo=UTC)),
        (b" 5-Nov-2026 09:00:00 +0100", datetime(2026, 11, 5, 8, 0, tzinfo=UTC)),
        (b"01-MAR-2026 00:30:00 -0530", datetime(2026, 3, 1, 6, 0, tzinfo=UTC)),
        (b"31-Feb-2026 00:00:00 +0000", None),  # no such day
        (b"25-Foo-2026 17:40:12 +0000", None),
        (b"yesterday", None),
    ],
)
def test_internaldate(raw: bytes, expected: datetime | None) -> None:
    assert parse_internaldate(raw) == expected


class FakeImaplib:
    """imaplib's own output shape for UID FETCH, as captured from Dovecot."""

    def __init__(self, data: list[Any]) -> None:
        self.data = data

    def uid(self, command: str, uids: str, items: str) -> tuple[str, list[Any]]:
        assert command == "FETCH"
        return "OK", self.data


class Client:
    use_uid = True

    def __init__(self, data: list[Any]) -> None:
        self._imap = FakeImaplib(data)


def test_responses_in_any_item_order_and_with_unsolicited_ones() -> None:
    head = b"BODY[HEADER.FIELDS (FROM)]"
    data: list[Any] = [
        (
            b'1 (UID 11 FLAGS (\\Seen \\Flagged) INTERNALDATE "25-Nov-2026 17:40:12 +0000" '
            b"RFC822.SIZE 146 " + head + b" {13}",
            b"From: a@b.c\r\n",
        ),
        b")",
        # The literal first, the other items after it.
        (b"2 (" + head + b" {2}", b"\r\n"),
        b' UID 12 FLAGS () INTERNALDATE "25-Nov-2026 17:40:13 +0000" RFC822.SIZE 21)',
        # Flag news about another message, without its UID: not ours.
        b"9 (FLAGS (\\Seen))",
        # An empty header sent as a quoted string.
        b"3 (UID 13 FLAGS (\\Recent) RFC822.SIZE 5 " + head + b' "")',
    ]
    found = fetch_headers(Client(data), [11, 12, 13], ITEMS)
    assert [(f.uid, f.flags, f.size, f.header) for f in found] == [
        (11, (b"\\Seen", b"\\Flagged"), 146, b"From: a@b.c\r\n"),
        (12, (), 21, b"\r\n"),
        (13, (b"\\Recent",), 5, b""),
    ]
    assert found[1].internaldate == datetime(2026, 11, 25, 17, 40, 13, tzinfo=UTC)
    assert found[2].internaldate is None
