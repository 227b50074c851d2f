"""Importing deep-work blocks from .ics files as Google, Outlook and Apple export them.

Every expected instant below is worked out by hand from the file and the zone's rules
(Europe/Berlin leaves summer time on 27 Oct 2024, America/New_York on 3 Nov 2024).
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.services.calendar_import import CalendarEvent, CalendarImport, parse_calendar

CALENDARS = Path(__file__).parent / "calendars"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WINDOW_START = datetime(2024, 9, 1, tzinfo=UTC)
WINDOW_END = datetime(2025, 1, 1, tzinfo=UTC)

GOOGLE_FOCUS = "3m9q6tq1v7k2p5s8d0c4h1r6ab@google.com"
OUTLOOK_DAILY = (
    "040000008200E00074C5B7101A82E00800000000D0C8A3F1E71DDB01000000000000000"
    "010000000B5C2E4A6F1D3984C8E7A1B2C3D4E5F60"
)


def z(month: int, day: int, hour: int, minute: int = 0, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def read(name: str) -> bytes:
    return (CALENDARS / name).read_bytes()


def parse(
    data: bytes,
    zone: ZoneInfo = BERLIN,
    start: datetime = WINDOW_START,
    end: datetime = WINDOW_END,
) -> CalendarImport:
    return parse_calendar(data, zone=zone, start=start, end=end)


def spans(result: CalendarImport, summary: str | None = None) -> list[tuple[datetime, datetime]]:
    return [(e.start, e.end) for e in result.events if summary is None or e.summary == summary]


def on_day(result: CalendarImport, month: int, day: int) -> list[CalendarEvent]:
    return [e for e in result.events if (e.start.month, e.start.day) == (month, day)]


def ics(body: str, header: str = "") -> bytes:
    """A minimal calendar around ``body`` (LF lines are written as CRLF)."""
    text = (
        f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//AsyncDesk tests//EN\n{header}"
        f"{body}END:VCALENDAR\n"
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def vevent(summary: str, *lines: str, uid: str = "test-1") -> str:
    return (
        "BEGIN:VEVENT\n"
        + f"UID:{uid}\nSUMMARY:{summary}\n"
        + "".join(f"{ln}\n" for ln in lines)
        + "END:VEVENT\n"
    )


def custom_zone(tzid: str, standard: str, daylight: str) -> str:
    """A VTIMEZONE the way Outlook writes one: rules from 1601, no TZNAME."""
    return (
        f"BEGIN:VTIMEZONE\nTZID:{tzid}\n"
        f"BEGIN:STANDARD\nDTSTART:16011028T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n"
        f"TZOFFSETFROM:{daylight}\nTZOFFSETTO:{standard}\nEND:STANDARD\n"
        f"BEGIN:DAYLIGHT\nDTSTART:16010325T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n"
        f"TZOFFSETFROM:{standard}\nTZOFFSETTO:{daylight}\nEND:DAYLIGHT\n"
        f"END:VTIMEZONE\n"
    )


# --- Google Calendar ---------------------------------------------------------------


def test_google_weekly_focus_time_in_utc_on_both_sides_of_the_dst_change() -> None:
    result = parse(read("google.ics"))
    focus = [e for e in result.events if e.uid == GOOGLE_FOCUS]
    # 24 Mondays, Wednesdays and Fridays from 7 Oct to 29 Nov, minus the EXDATE (16 Oct)
    # and the cancelled 23 Oct; the moved 18 Oct is still one occurrence.
    assert len(focus) == 22
    assert {e.summary for e in focus} == {"Focus time"}
    # 09:30-12:00 CEST is 07:30-10:00 UTC; after 27 Oct, 09:30-12:00 CET is 08:30-11:00.
    assert (z(10, 7, 7, 30), z(10, 7, 10)) == (focus[0].start, focus[0].end)
    assert (z(10, 21, 7, 30), z(10, 21, 10)) in spans(result, "Focus time")
    assert (z(10, 25, 7, 30), z(10, 25, 10)) in spans(result, "Focus time")
    assert (z(10, 28, 8, 30), z(10, 28, 11)) in spans(result, "Focus time")
    assert (z(11, 29, 8, 30), z(11, 29, 11)) == (focus[-1].start, focus[-1].end)  # UNTIL


def test_google_exdate_is_removed() -> None:
    result = parse(read("google.ics"))
    assert on_day(result, 10, 14) != []
    assert on_day(result, 10, 16) == []


def test_google_moved_instance_is_at_its_new_time_and_not_its_old_one() -> None:
    result = parse(read("google.ics"))
    # RECURRENCE-ID 18 Oct 09:30 Berlin, moved to 14:00-16:30 CEST = 12:00-14:30 UTC.
    assert spans(result)[4] == (z(10, 18, 12), z(10, 18, 14, 30))
    assert [(e.start, e.end) for e in on_day(result, 10, 18)] == [
        (z(10, 18, 12), z(10, 18, 14, 30))
    ]


def test_google_cancelled_instance_is_absent() -> None:
    assert on_day(parse(read("google.ics")), 10, 23) == []


def test_google_utc_one_off_and_transparent_non_ascii_event() -> None:
    result = parse(read("google.ics"))
    assert (
        CalendarEvent(
            "0b5f7kq3n2e8m1v4r9t6s2c7ud@google.com",
            "Deep work: Q4 planning",
            z(11, 5, 13),
            z(11, 5, 15, 30),
        )
        in result.events
    )
    # TRANSP:TRANSPARENT is kept: focus time is often marked free. 14:00 CET = 13:00 UTC.
    assert (
        CalendarEvent(
            "6h2d9s4k1p7m3q8v5c0r2t6n1e@google.com",
            "Fokuszeit – Übersetzung",
            z(11, 12, 13),
            z(11, 12, 16),
        )
        in result.events
    )


def test_google_all_day_event_is_counted_not_imported() -> None:
    result = parse(read("google.ics"))
    assert result.calendar_name == "Deep Work"
    assert result.all_day_skipped == 1
    assert on_day(result, 10, 3) == []
    assert len(result.events) == 24
    assert parse(read("google.ics"), start=z(10, 5, 0)).all_day_skipped == 0


def test_events_are_sorted_and_utc() -> None:
    for name in ("google.ics", "outlook.ics", "apple.ics"):
        events = parse(read(name)).events
        assert events == sorted(events, key=lambda e: (e.start, e.end, e.summary))
        assert all(e.start.tzinfo is UTC and e.end.tzinfo is UTC for e in events)
        assert all(e.start < e.end for e in events)


# --- Outlook -------------------------------------------------------------------------


def test_outlook_custom_vtimezone_daily_count_across_the_dst_change() -> None:
    result = parse(read("outlook.ics"), zone=NEW_YORK)
    assert result.calendar_name == "Kalender"
    daily = [e for e in result.events if e.uid == OUTLOOK_DAILY]  # the folded UID, unfolded
    assert [e.summary for e in daily] == ["Deep Work – Architektur"] * 10  # COUNT=10
    # 09:00-11:30 "W. Europe Standard Time": UTC+2 until Sunday 27 Oct 03:00, then UTC+1.
    assert (daily[0].start, daily[0].end) == (z(10, 21, 7), z(10, 21, 9, 30))
    assert (daily[5].start, daily[5].end) == (z(10, 26, 7), z(10, 26, 9, 30))
    assert (daily[6].start, daily[6].end) == (z(10, 27, 8), z(10, 27, 10, 30))
    assert (daily[9].start, daily[9].end) == (z(10, 30, 8), z(10, 30, 10, 30))


def test_outlook_event_spanning_the_dst_change_lasts_six_hours() -> None:
    result = parse(read("outlook.ics"))
    # 26 Oct 23:00 CEST to 27 Oct 04:00 CET: five hours on the wall clock, six real ones.
    assert spans(result, "Fokus: Migration") == [(z(10, 26, 21), z(10, 27, 3))]


def test_outlook_cancelled_meeting_and_all_day_event_are_not_blocks() -> None:
    result = parse(read("outlook.ics"))
    assert not [e for e in result.events if "Review" in e.summary]
    assert on_day(result, 11, 5) == []
    assert result.all_day_skipped == 1  # Allerheiligen, X-MICROSOFT-CDO-ALLDAYEVENT
    assert len(result.events) == 11


def test_a_custom_tzid_is_resolved_from_this_files_vtimezone_only() -> None:
    # Outlook's "Customized Time Zone" is no IANA or Windows name: only the file knows it.
    # icalendar keeps the first such definition process-wide; each file must get its own.
    event = vevent(
        "Block",
        'DTSTART;TZID="Customized Time Zone":20241025T090000',
        'DTEND;TZID="Customized Time Zone":20241025T100000',
        "RRULE:FREQ=DAILY;COUNT=3",
    )
    europe = parse(ics(custom_zone("Customized Time Zone", "+0100", "+0200") + event))
    asia = parse(ics(custom_zone("Customized Time Zone", "+0500", "+0600") + event))
    # 25, 26 Oct in summer time, 27 Oct after the (last Sunday of October) change.
    assert spans(europe) == [
        (z(10, 25, 7), z(10, 25, 8)),
        (z(10, 26, 7), z(10, 26, 8)),
        (z(10, 27, 8), z(10, 27, 9)),
    ]
    assert spans(asia) == [
        (z(10, 25, 3), z(10, 25, 4)),
        (z(10, 26, 3), z(10, 26, 4)),
        (z(10, 27, 4), z(10, 27, 5)),
    ]
    assert parse(ics(custom_zone("Customized Time Zone", "+0100", "+0200") + event)) == europe


def test_a_vtimezone_after_the_events_still_applies() -> None:
    data = ics(
        vevent(
            "Late zone",
            "DTSTART;TZID=Office:20241104T090000",
            "DTEND;TZID=Office:20241104T100000",
        )
        + custom_zone("Office", "-0300", "-0300")
    )
    assert spans(parse(data)) == [(z(11, 4, 12), z(11, 4, 13))]


def test_a_windows_zone_name_without_vtimezone_is_understood() -> None:
    data = ics(
        vevent(
            "Windows",
            'DTSTART;TZID="W. Europe Standard Time":20241104T090000',
            'DTEND;TZID="W. Europe Standard Time":20241104T100000',
        )
    )
    assert spans(parse(data, zone=NEW_YORK)) == [(z(11, 4, 8), z(11, 4, 9))]


def test_a_libical_globally_unique_tzid_is_understood() -> None:
    tzid = "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"
    event = vevent("Evolution", f"DTSTART;TZID={tzid}:20241104T090000", "DURATION:PT1H")
    with_zone = ics(custom_zone(tzid, "+0100", "+0200") + event)
    assert spans(parse(with_zone)) == spans(parse(ics(event))) == [(z(11, 4, 8), z(11, 4, 9))]


# --- Apple Calendar and floating times ---------------------------------------------------


def test_floating_time_is_in_the_users_zone() -> None:
    # DTSTART:20241112T090000 with no TZID and no X-WR-TIMEZONE.
    in_new_york = parse(read("apple.ics"), zone=NEW_YORK)
    in_berlin = parse(read("apple.ics"), zone=BERLIN)
    assert spans(in_new_york, "深度工作") == [(z(11, 12, 14), z(11, 12, 16))]  # EST, UTC-5
    assert spans(in_berlin, "深度工作") == [(z(11, 12, 8), z(11, 12, 10))]  # CET, UTC+1
    # Times with a TZID do not depend on the user's zone.
    assert spans(in_new_york, "Writing block") == spans(in_berlin, "Writing block")


def test_floating_time_in_an_x_wr_timezone_calendar_is_in_that_zone() -> None:
    data = ics(
        vevent("Floating", "DTSTART:20240715T090000", "DTEND:20240715T113000"),
        header="X-WR-TIMEZONE:Europe/Berlin\n",
    )
    expected = [(z(7, 15, 7), z(7, 15, 9, 30))]  # CEST, UTC+2
    assert spans(parse(data, zone=NEW_YORK, start=z(7, 1, 0))) == expected
    assert spans(parse(data, zone=ZoneInfo("Asia/Tokyo"), start=z(7, 1, 0))) == expected


def test_x_wr_timezone_leaves_values_with_a_tzid_alone() -> None:
    # A custom zone without TZNAME (as Outlook writes them) must not be taken for
    # floating and moved into the X-WR-TIMEZONE, which x-wr-timezone 2.0.1 would do.
    data = ics(
        custom_zone("Gulf", "+0400", "+0400")
        + vevent(
            "Gulf block", "DTSTART;TZID=Gulf:20241104T090000", "DTEND;TZID=Gulf:20241104T100000"
        ),
        header="X-WR-TIMEZONE:Europe/Berlin\n",
    )
    assert spans(parse(data)) == [(z(11, 4, 5), z(11, 4, 6))]


def test_utc_series_in_an_x_wr_timezone_calendar_keeps_its_local_hour() -> None:
    # As Google Calendar shows it: 09:00Z is 11:00 CEST, and the series stays at 11:00.
    data = ics(
        vevent(
            "Weekly",
            "DTSTART:20241021T090000Z",
            "DTEND:20241021T100000Z",
            "RRULE:FREQ=WEEKLY;COUNT=2",
        ),
        header="X-WR-TIMEZONE:Europe/Berlin\n",
    )
    assert spans(parse(data)) == [(z(10, 21, 9), z(10, 21, 10)), (z(10, 28, 10), z(10, 28, 11))]
    plain = parse(data.replace(b"X-WR-TIMEZONE:Europe/Berlin\r\n", b""))
    assert spans(plain) == [(z(10, 21, 9), z(10, 21, 10)), (z(10, 28, 9), z(10, 28, 10))]


def test_apple_duration_rdate_zero_length_and_all_day() -> None:
    result = parse(read("apple.ics"), zone=NEW_YORK)
    assert result.calendar_name == "Focus"
    # DURATION:PT1H30M from 15:00 EST.
    assert spans(result, "Reading papers") == [(z(11, 13, 20), z(11, 13, 21, 30))]
    # DTSTART 28 Oct 08:00 EDT plus RDATEs 30 Oct 08:00 EDT and 6 Nov 14:00 EST.
    assert spans(result, "Writing block") == [
        (z(10, 28, 12), z(10, 28, 14)),
        (z(10, 30, 12), z(10, 30, 14)),
        (z(11, 6, 19), z(11, 6, 21)),
    ]
    assert spans(result, "Call back Sam") == []  # DTSTART = DTEND: blocks nothing
    assert result.all_day_skipped == 1  # the yearly birthday, once in this window
    assert parse(read("apple.ics"), end=z(1, 1, 0, year=2026)).all_day_skipped == 2
    assert len(result.events) == 5


def test_events_ending_before_they_start_are_skipped() -> None:
    data = ics(
        vevent("Backwards", "DTSTART:20241104T100000Z", "DTEND:20241104T090000Z", uid="a")
        + vevent("Negative", "DTSTART:20241104T100000Z", "DURATION:-PT1H", uid="b")
        + vevent("No end", "DTSTART:20241104T100000Z", uid="c")
        + vevent(
            "Series",
            "DTSTART:20241104T120000Z",
            "DTEND:20241104T130000Z",
            "RRULE:FREQ=DAILY;COUNT=3",
            uid="d",
        )
        + vevent(
            "Series",
            "RECURRENCE-ID:20241105T120000Z",
            "DTSTART:20241105T150000Z",
            "DTEND:20241105T140000Z",
            uid="d",
        )
    )
    # Only the broken override's occurrence goes; the series keeps the other two.
    assert spans(parse(data)) == [(z(11, 4, 12), z(11, 4, 13)), (z(11, 6, 12), z(11, 6, 13))]


def test_cancelled_event_is_skipped_whole() -> None:
    data = ics(
        vevent(
            "Gone",
            "STATUS:CANCELLED",
            "DTSTART:20241104T120000Z",
            "DTEND:20241104T130000Z",
            "RRULE:FREQ=DAILY;COUNT=3",
        )
    )
    result = parse(data)
    assert (result.events, result.all_day_skipped) == ([], 0)


# --- The window ----------------------------------------------------------------------


def test_only_occurrences_intersecting_the_window_are_returned_whole() -> None:
    start, end = z(10, 21, 8), z(10, 28, 8, 30)
    result = parse(read("google.ics"), start=start, end=end)
    # 21 Oct 07:30-10:00 overlaps the start and is returned unclipped; 23 Oct is
    # cancelled; 28 Oct starts exactly at the (exclusive) end.
    assert spans(result) == [(z(10, 21, 7, 30), z(10, 21, 10)), (z(10, 25, 7, 30), z(10, 25, 10))]
    for name in ("google.ics", "outlook.ics", "apple.ics"):
        for event in parse(read(name), start=start, end=end).events:
            assert event.start < end
            assert event.end > start


def test_an_infinite_series_is_bounded_by_the_window() -> None:
    data = ics(
        vevent("Daily", "DTSTART:20200106T080000Z", "DTEND:20200106T090000Z", "RRULE:FREQ=DAILY")
    )
    result = parse(data, start=z(3, 1, 0), end=z(3, 8, 0))
    assert spans(result) == [(z(3, d, 8), z(3, d, 9)) for d in range(1, 8)]


def test_a_naive_window_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse(read("apple.ics"), start=datetime(2024, 9, 1))  # noqa: DTZ001


# --- Encodings and line endings -----------------------------------------------------


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "apple.ics"])
def test_line_endings_bom_and_utf16_do_not_change_the_result(name: str) -> None:
    data = read(name)
    crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    lf = data.replace(b"\r\n", b"\n")
    expected = parse(crlf)
    assert len(expected.events) > 4
    assert parse(lf) == expected
    assert parse(codecs.BOM_UTF8 + crlf) == expected
    assert parse(crlf.decode("utf-8").encode("utf-16")) == expected  # carries its BOM


def test_same_input_same_output() -> None:
    first = [parse(read(name)) for name in ("google.ics", "outlook.ics", "apple.ics")]
    second = [parse(read(name)) for name in ("outlook.ics", "apple.ics", "google.ics")]
    assert first == [second[2], second[0], second[1]]


# --- Broken input ---------------------------------------------------------------------

_GOOD_EVENT = vevent("Fine", "DTSTART:20241104T090000Z", "DTEND:20241104T100000Z")

BROKEN = {
    "truncated file": (read("broken.ics"), "truncated: BEGIN:VEVENT on line 27 is never closed"),
    "empty": (b"", "the file is empty"),
    "blank lines": (b"\r\n \r\n", "the file is empty"),
    "binary garbage": (bytes(range(256)) * 4, "not an iCalendar file: expected BEGIN:VCALENDAR"),
    "zip archive": (
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
        "expected BEGIN:VCALENDAR",
    ),
    "html page": (
        b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n",
        "not an iCalendar file: expected BEGIN:VCALENDAR",
    ),
    "a bare event": (
        b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20241104T090000Z\r\nEND:VEVENT\r\n",
        "not an iCalendar file: expected BEGIN:VCALENDAR",
    ),
    "latin-1": (
        ics(vevent("Übersetzung", "DTSTART:20241104T090000Z")).decode().encode("latin-1"),
        "not UTF-8 text: byte 0xDC on line 6",
    ),
    "cut mid-character": (
        ics(_GOOD_EVENT)[:-1] + "Ü".encode()[:1],
        "truncated (it ends mid-character)",
    ),
    "utf-16 that is not a calendar": ("hello".encode("utf-16"), "expected BEGIN:VCALENDAR"),
    "unbalanced END": (
        ics("BEGIN:VEVENT\nUID:x\nDTSTART:20241104T090000Z\nEND:VTODO\n"),
        "line 7: END:VTODO does not close BEGIN:VEVENT from line 4",
    ),
    "two calendars": (ics(_GOOD_EVENT) * 2, "a second calendar begins"),
    "junk line": (
        ics(_GOOD_EVENT, header="this is not a property\n"),
        "not a valid iCalendar file",
    ),
    "unparseable DTSTART": (
        ics(_GOOD_EVENT + vevent("Planning", "DTSTART:2024-11-04 09:00")),
        "cannot read event 'Planning': DTSTART: Wrong datetime format",
    ),
    "no DTSTART": (
        ics(vevent("Floating idea", "DTEND:20241104T100000Z")),
        "'Floating idea': it has no DTSTART",
    ),
    "unknown TZID": (
        ics(vevent("Trip", "DTSTART;TZID=Mars/Olympus:20241104T090000")),
        "cannot read event 'Trip': unknown time zone 'Mars/Olympus'",
    ),
    "bad RRULE": (
        ics(vevent("Often", "DTSTART:20241104T090000Z", "RRULE:FREQ=SOMETIMES")),
        "cannot read event 'Often': RRULE:",
    ),
    "bad EXDATE": (
        ics(vevent("Often", "DTSTART:20241104T090000Z", "RRULE:FREQ=DAILY", "EXDATE:soon")),
        "cannot read event 'Often': EXDATE:",
    ),
    "DTEND a date, DTSTART a time": (
        ics(vevent("Mixed", "DTSTART:20241104T090000Z", "DTEND;VALUE=DATE:20241105")),
        "'Mixed': DTSTART and DTEND are not both dates or both date-times",
    ),
    "unknown X-WR-TIMEZONE": (
        ics(_GOOD_EVENT, header="X-WR-TIMEZONE:Nowhere\n"),
        "X-WR-TIMEZONE: 'Nowhere'",
    ),
    "Julian calendar": (ics(_GOOD_EVENT, header="CALSCALE:JULIAN\n"), "Only Gregorian calendars"),
}


@pytest.mark.parametrize(("data", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_input_is_one_line_of_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse(data)
    text = str(raised.value)
    assert message in text
    assert "\n" not in text
    assert len(text) < 200
    assert raised.value.exit_code == 2


def test_a_good_event_next_to_a_bad_one_does_not_hide_the_error() -> None:
    data = ics(_GOOD_EVENT + vevent("Planning", "DTSTART:tomorrow"))
    assert spans(parse(ics(_GOOD_EVENT))) == [(z(11, 4, 9), z(11, 4, 10))]
    with pytest.raises(BadInput, match="cannot read event 'Planning'"):
        parse(data)
