"""A reply with files attached: multipart/mixed, the text first, each file as sent."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.sources.smtp import compose_reply, header_block

ORIGINAL = header_block(
    sender=("Sam", "sam@example.net"),
    to=["alex@example.org"],
    cc=[],
    reply_to=None,
    subject="Quick call?",
    message_id="q1@example.net",
    in_reply_to=None,
    references=[],
)
NOW = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)


def _reply(attachments: tuple[OutgoingAttachment, ...]) -> EmailMessage:
    composed = compose_reply(
        ORIGINAL,
        from_address="alex@example.org",
        from_name="Alex",
        body="Grüße, see the invitation.",
        reply_all=False,
        identities=(),
        now=NOW,
        domain="example.org",
        attachments=attachments,
    )
    raw = composed.as_bytes(policy=email.policy.SMTP)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_reply_without_files_stays_plain_text() -> None:
    assert _reply(()).get_content_type() == "text/plain"


def test_an_invitation_is_attached_with_its_method_and_the_text_kept() -> None:
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    parsed = _reply(
        (
            OutgoingAttachment("office-hours.ics", "text/calendar", ics, (("method", "REQUEST"),)),
            OutgoingAttachment("clip.webm", "video/webm", b"\x1a\x45\xdf\xa3"),
        )
    )
    assert parsed.get_content_type() == "multipart/mixed"
    body = parsed.get_body(("plain",))
    assert body is not None
    assert body.get_content().strip() == "Grüße, see the invitation."
    parts = list(parsed.iter_attachments())
    assert [p.get_filename() for p in parts] == ["office-hours.ics", "clip.webm"]
    assert parts[0].get_content_type() == "text/calendar"
    assert parts[0].get_param("method") == "REQUEST"
    assert parts[0].get_payload(decode=True) == ics
    assert parts[1].get_payload(decode=True) == b"\x1a\x45\xdf\xa3"
    assert parsed["In-Reply-To"] == "<q1@example.net>"


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [("a.ics", "calendar"), ("a.ics", "text/calendar; method=REQUEST"), ("../a", "text/plain")],
)
def test_a_bad_type_or_name_is_one_line(filename: str, content_type: str) -> None:
    with pytest.raises(BadInput):
        OutgoingAttachment(filename, content_type, b"")
