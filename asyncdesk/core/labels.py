"""The labels of a message, as ``inbox --json`` lists them (DESIGN.md).

:class:`Label` is the vocabulary; :func:`message_labels` decides, from facts the caller
reads, which apply to one inbound message, sorted:

- ``meeting_request``: a calendar invitation (an invitation among its attachments, or
  a subject such as "Invitation: Design review @ Tue..."), or a message to the user
  (one that needs a reply) that asks for a call or a meeting in its subject or body
  (:func:`asyncdesk.core.meeting_requests.is_meeting_request`). A newsletter on "better
  meetings", a room's chatter and a bot ask nothing of the user, and reading only the
  messages that need a reply keeps ``inbox --json`` fast;
- ``video``: it links to recorded video (:mod:`asyncdesk.core.video_links`);
- ``fyi``: it needs no reply: the rule of the sidebar's "FYI / bulk" view and of the
  search filter ``is:fyi`` (:class:`asyncdesk.core.search_query.Flag`), which is the
  stored needs-reply flag, the user's own call on the message included;
- ``first_contact``: the sender never exchanged a message with the user before this
  one (the caller reads that from the store: ``store.labels.contact_history``);
- ``auto_reply``: our own published-availability replies. Those are outbound and do
  not exist yet, and ``inbox --json`` lists inbound messages only, so no row carries it
  today; it is in the vocabulary so scripts can rely on the name.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from enum import StrEnum

from asyncdesk.core.meeting_requests import (
    has_calendar_invite,
    is_invitation_subject,
    is_meeting_request,
)
from asyncdesk.core.video_links import has_video_link

__all__ = ["Label", "message_labels"]


class Label(StrEnum):
    """Every label a message may carry (the values are a public contract)."""

    AUTO_REPLY = "auto_reply"
    FIRST_CONTACT = "first_contact"
    FYI = "fyi"
    MEETING_REQUEST = "meeting_request"
    VIDEO = "video"


def message_labels(*, subject: str, text: str, needs_reply: bool, first_contact: bool) -> list[str]:
    """The labels of an inbound message, sorted. ``text`` is its stored body, or its
    snippet when the body is not stored yet (a calendar invitation is then not seen)."""
    labels: list[str] = []
    if first_contact:
        labels.append(Label.FIRST_CONTACT.value)
    if not needs_reply:
        labels.append(Label.FYI.value)
    if (
        has_calendar_invite(text)
        or is_invitation_subject(subject)
        or (needs_reply and is_meeting_request(subject, text))
    ):
        labels.append(Label.MEETING_REQUEST.value)
    if has_video_link(subject) or has_video_link(text):
        labels.append(Label.VIDEO.value)
    # Label.AUTO_REPLY is never set here: see the module docstring.
    return sorted(labels)
