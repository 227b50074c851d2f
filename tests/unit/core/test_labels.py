"""The labels of a message: sorted names from the published vocabulary."""

from __future__ import annotations

from asyncdesk.core.labels import Label, message_labels


def test_the_vocabulary_is_the_published_one() -> None:
    assert {label.value for label in Label} == {
        "meeting_request",
        "first_contact",
        "video",
        "fyi",
        "auto_reply",
    }


def test_labels_are_sorted_and_each_has_its_rule() -> None:
    labels = message_labels(
        subject="Quick call?",
        text="Can we hop on a call? Context: https://www.loom.com/share/abc123",
        needs_reply=True,
        first_contact=True,
    )
    assert labels == ["first_contact", "meeting_request", "video"]
    assert message_labels(subject="Hi", text="Thanks!", needs_reply=True, first_contact=False) == []
    assert message_labels(
        subject="News", text="Read on", needs_reply=False, first_contact=False
    ) == ["fyi"]


def test_bulk_mail_about_meetings_is_no_request_but_an_invitation_is() -> None:
    newsletter = message_labels(
        subject="Can we meet less?",
        text="Let's schedule a meeting about meetings!",
        needs_reply=False,
        first_contact=False,
    )
    assert newsletter == ["fyi"]
    invitation = message_labels(
        subject="Invitation: Design review @ Tue 2 Dec 2026 14:00 - 15:00 (CET)",
        text="Join with Google Meet",
        needs_reply=False,
        first_contact=False,
    )
    assert invitation == ["fyi", "meeting_request"]
    attached = message_labels(
        subject="Design review",
        text="Agenda below.\n\n[attachment: invite.ics]",
        needs_reply=False,
        first_contact=False,
    )
    assert attached == ["fyi", "meeting_request"]
