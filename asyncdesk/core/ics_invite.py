"""An iCalendar invitation (``METHOD:REQUEST``) to one office-hours slot, to attach to
a reply (RFC 5545 for the event, RFC 5546 for the method).

What a calendar program needs to offer "Accept" and place it right:

- ``METHOD:REQUEST`` in the calendar and ``method=REQUEST`` on the MIME part
  (:data:`CONTENT_TYPE`, :data:`CONTENT_PARAMS`);
- ``DTSTART``/``DTEND`` in local time with ``TZID`` and a ``VTIMEZONE`` for that zone,
  so the event stays at 15:00 on the wall across a DST change, as the schedule does;
- ``ORGANIZER`` the account's address, ``ATTENDEE`` the recipient with
  ``RSVP=TRUE``/``PARTSTAT=NEEDS-ACTION``;
- a ``UID`` that is the same every time the same slot is offered to the same person
  from the same address (:func:`invitation_uid`): offering it twice updates one entry
  in their calendar instead of adding a second.

:func:`office_hours_invitation` parses its own output back and raises
:class:`~asyncdesk.core.errors.AsyncDeskError` if it does not say what was meant, so a
broken invitation is never attached.

Pure: no I/O; ``now`` (the DTSTAMP) is passed in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final

from icalendar import Calendar, Event, vCalAddress, vText

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.office_hours import Slot
from asyncdesk.core.outgoing_attachment import OutgoingAttachment

__all__ = [
    "CONTENT_PARAMS",
    "CONTENT_TYPE",
    "invitation_attachment",
    "invitation_uid",
    "office_hours_invitation",
]

CONTENT_TYPE: Final = "text/calendar"
CONTENT_PARAMS: Final = (("method", "REQUEST"),)
FILENAME: Final = "office-hours.ics"
PRODID: Final = "-//AsyncDesk//Office hours//EN"


def invitation_uid(slot: Slot, organizer: str, attendee: str) -> str:
    """Stable per slot (its UTC start and title), organizer and recipient."""
    key = "|".join((utc(slot.start).isoformat(), slot.title, organizer.lower(), attendee.lower()))
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@asyncdesk"


def _address(address: str, name: str, **params: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{address}")
    if name:
        value.params["CN"] = vText(name)
    for key, param in params.items():
        value.params[key] = param
    return value


def office_hours_invitation(
    slot: Slot,
    *,
    organizer: str,
    attendee: str,
    now: datetime,
    organizer_name: str = "",
    attendee_name: str = "",
    description: str = "",
) -> bytes:
    """The ``.ics`` bytes (CRLF lines) inviting ``attendee`` to ``slot``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    uid = invitation_uid(slot, organizer, attendee)
    event.add("uid", uid)
    event.add("dtstamp", utc(now))
    event.add("dtstart", slot.local_start)
    event.add("dtend", slot.local_end)
    event.add("summary", slot.title)
    event.add("description", description or "Office hours: a group session, join any time.")
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _address(organizer, organizer_name))
    event.add(
        "attendee",
        _address(
            attendee,
            attendee_name,
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="TRUE",
        ),
    )
    calendar.add_component(event)
    # The zone's rules around the slot only (a year either way), not 1970-2038: the
    # same placement, a tenth of the size.
    day = slot.local_start.date()
    calendar.add_missing_timezones(
        first_date=day.replace(year=day.year - 1, day=1),
        last_date=day.replace(year=day.year + 1, day=1),
    )
    data = calendar.to_ical()
    _check(data, slot, uid)
    return bytes(data)


def _check(data: bytes, slot: Slot, uid: str) -> None:
    """Parse the invitation back: one event, the slot's instants, the zone given."""
    try:
        parsed = Calendar.from_ical(data)
        events = list(parsed.walk("VEVENT"))
        zones = [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")]
        start = events[0].decoded("dtstart") if len(events) == 1 else None
        end = events[0].decoded("dtend") if len(events) == 1 else None
    except (ValueError, KeyError, IndexError) as error:
        raise AsyncDeskError(f"the invitation does not parse back: {error}") from None
    if (
        start != slot.start
        or end != slot.end
        or str(events[0]["uid"]) != uid
        or slot.zone.key not in zones
        or str(parsed["method"]) != "REQUEST"
    ):
        raise AsyncDeskError("the invitation does not parse back to the slot it was made for")


def invitation_attachment(data: bytes) -> OutgoingAttachment:
    """The invitation as a file of the reply (``text/calendar; method=REQUEST``)."""
    return OutgoingAttachment(FILENAME, CONTENT_TYPE, data, CONTENT_PARAMS)
