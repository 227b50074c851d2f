"""The office-hours invitation: a METHOD:REQUEST event that parses back to the slot,
in the schedule's zone with its VTIMEZONE, and the same UID when offered again."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from icalendar import Calendar

from asyncdesk.core.ics_invite import (
    invitation_attachment,
    invitation_uid,
    office_hours_invitation,
)
from asyncdesk.core.office_hours import next_office_hours
from asyncdesk.core.schedule import OfficeHoursBlock, Schedule, parse_days
from asyncdesk.sources.smtp import compose_new

NOW = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
SCHEDULE = Schedule(
    zone=ZoneInfo("Europe/Berlin"),
    office_hours=(OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60),),
)
SLOTS = next_office_hours(SCHEDULE, NOW)


def invite(slot_index: int = 2, attendee: str = "sam@example.net") -> bytes:
    return office_hours_invitation(
        SLOTS[slot_index],
        organizer="alex@example.org",
        organizer_name="Alex Doe",
        attendee=attendee,
        attendee_name="Sam Jones",
        now=NOW,
        description="Happy to talk it through.",
    )


def test_it_parses_back_as_a_request_for_the_slot_in_local_time() -> None:
    data = invite()
    calendar = Calendar.from_ical(data)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(
        2026, 3, 31, 15, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert event.decoded("dtstart") == datetime(2026, 3, 31, 13, 0, tzinfo=UTC)  # CEST
    assert event.decoded("dtend") == datetime(2026, 3, 31, 14, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["summary"]) == "Office hours"
    assert str(event["description"]) == "Happy to talk it through."
    assert str(event["organizer"]) == "mailto:alex@example.org"
    assert event["organizer"].params["CN"] == "Alex Doe"
    assert str(event["attendee"]) == "mailto:sam@example.net"
    assert event["attendee"].params["RSVP"] == "TRUE"
    assert event["attendee"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert b"DTSTART;TZID=Europe/Berlin:20260331T150000\r\n" in data


def test_the_uid_is_stable_per_slot_and_recipient() -> None:
    first = Calendar.from_ical(invite()).walk("VEVENT")[0]["uid"]
    assert Calendar.from_ical(invite()).walk("VEVENT")[0]["uid"] == first
    assert Calendar.from_ical(invite(slot_index=1)).walk("VEVENT")[0]["uid"] != first
    assert Calendar.from_ical(invite(attendee="kim@example.net")).walk("VEVENT")[0]["uid"] != first
    assert first == invitation_uid(SLOTS[2], "Alex@Example.org", "SAM@example.net")


def test_as_a_mail_part_it_is_text_calendar_with_method_request() -> None:
    message = compose_new(
        from_address="alex@example.org",
        from_name="Alex",
        to=["sam@example.net"],
        cc=[],
        subject="Office hours",
        body="See you there.",
        now=NOW,
        domain="example.org",
    )
    from asyncdesk.sources.smtp import attach

    attach(message, [invitation_attachment(invite())])
    parsed = email.message_from_bytes(
        message.as_bytes(policy=email.policy.SMTP), policy=email.policy.default
    )
    assert isinstance(parsed, EmailMessage)
    (part,) = parsed.iter_attachments()
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "office-hours.ics"
    assert Calendar.from_ical(part.get_payload(decode=True))["method"] == "REQUEST"
