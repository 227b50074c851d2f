"""The .ics feed of the communication windows: parsed back, expanded across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import (
    BlockKind,
    OfficeHoursBlock,
    OneOffBlock,
    Schedule,
    SkipWindow,
    WeeklyBlock,
    parse_clock,
    parse_days,
)
from asyncdesk.services.availability_feed import FeedBlock, build_feed, write_feed
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.database import Store

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def block(kind: BlockKind, days: str, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end, end=True))


def berlin_plan() -> Schedule:
    return (
        Schedule(zone=BERLIN)
        .with_weekly(block(BlockKind.WINDOW, "mon-fri", "09:00", "09:30"))
        .with_weekly(block(BlockKind.WINDOW, "daily", "16:30", "17:00"))
        .with_weekly(block(BlockKind.DEEP_WORK, "mon-fri", "09:30", "12:00"))
    )


def parsed(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def occurrences(calendar: Calendar, start: date, end: date) -> list[datetime]:
    found = recurring_ical_events.of(calendar).between(start, end)
    return sorted(event["DTSTART"].dt for event in found)


def test_the_feed_parses_back_with_one_recurring_event_per_weekly_window() -> None:
    now = datetime(2026, 10, 20, 8, tzinfo=UTC)
    calendar = parsed(build_feed(berlin_plan(), now))
    events = calendar.walk("VEVENT")
    assert len(events) == 2  # deep work is not published
    for event in events:
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        assert str(event["UID"]).endswith("@asyncdesk")
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert sorted(events[0]["RRULE"]["BYDAY"]) == sorted(["MO", "TU", "WE", "TH", "FR"])


def test_recurrence_keeps_the_local_time_across_the_autumn_change() -> None:
    now = datetime(2026, 10, 20, 8, tzinfo=UTC)
    calendar = parsed(build_feed(berlin_plan(), now))
    starts = occurrences(calendar, date(2026, 10, 20), date(2026, 10, 28))
    mornings = [s for s in starts if s.astimezone(BERLIN).time() == time(9)]
    assert [s.astimezone(BERLIN).date().day for s in mornings] == [20, 21, 22, 23, 26, 27]
    by_day = {s.astimezone(BERLIN).date(): s.astimezone(UTC).hour for s in mornings}
    assert by_day[date(2026, 10, 23)] == 7  # 09:00 CEST
    assert by_day[date(2026, 10, 26)] == 8  # 09:00 CET
    evenings = [s for s in starts if s.astimezone(BERLIN).time() == time(16, 30)]
    assert len(evenings) == 8  # daily, the Sunday of the change included


def test_recurrence_keeps_the_local_time_across_the_spring_change() -> None:
    now = datetime(2026, 3, 25, 8, tzinfo=UTC)
    calendar = parsed(build_feed(berlin_plan(), now))
    starts = occurrences(calendar, date(2026, 3, 27), date(2026, 3, 31))
    assert [(s.astimezone(BERLIN).time(), s.astimezone(UTC).hour) for s in starts] == [
        (time(9), 8),
        (time(16, 30), 15),
        (time(16, 30), 15),
        (time(16, 30), 14),  # Sunday 29th, CEST from 03:00
        (time(9), 7),
        (time(16, 30), 14),
    ]


def test_new_york_across_its_change() -> None:
    plan = Schedule(zone=NEW_YORK).with_weekly(block(BlockKind.WINDOW, "mon-fri", "16:00", "16:30"))
    calendar = parsed(build_feed(plan, datetime(2026, 10, 28, 12, tzinfo=UTC)))
    starts = occurrences(calendar, date(2026, 10, 29), date(2026, 11, 4))
    assert [s.astimezone(UTC).hour for s in starts] == [20, 20, 21, 21]
    assert {s.astimezone(NEW_YORK).time() for s in starts} == {time(16)}


def test_only_eight_weeks_are_published() -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    calendar = parsed(build_feed(berlin_plan(), now))
    starts = occurrences(calendar, date(2026, 11, 1), date(2027, 6, 1))
    assert starts[0].astimezone(BERLIN).date() == date(2026, 11, 24)
    assert starts[-1].astimezone(BERLIN).date() == date(2027, 1, 18)
    assert len(starts) == 8 * 5 + 8 * 7


def test_skips_closed_days_and_one_offs() -> None:
    plan = (
        berlin_plan()
        .with_skip(SkipWindow(date(2026, 11, 25), parse_clock("09:00")))
        .with_closed_day(date(2026, 11, 27))
        .with_one_off(OneOffBlock(BlockKind.WINDOW, date(2026, 11, 28), 600, 630))
        .with_one_off(OneOffBlock(BlockKind.DEEP_WORK, date(2026, 11, 29), 600, 630))
    )
    calendar = parsed(build_feed(plan, datetime(2026, 11, 24, 10, tzinfo=UTC)))
    local = [
        s.astimezone(BERLIN).strftime("%d %H:%M")
        for s in occurrences(calendar, date(2026, 11, 24), date(2026, 11, 30))
    ]
    assert local == [
        "24 09:00",
        "24 16:30",
        "25 16:30",
        "26 09:00",
        "26 16:30",
        "28 10:00",
        "28 16:30",
        "29 16:30",
    ]


def test_uids_are_stable_across_exports_and_distinct_per_block() -> None:
    first = parsed(build_feed(berlin_plan(), datetime(2026, 11, 24, 10, tzinfo=UTC)))
    later = parsed(build_feed(berlin_plan(), datetime(2026, 12, 3, 10, tzinfo=UTC)))
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in later.walk("VEVENT")]
    assert len(set(uids)) == len(uids)


def test_office_hours_hook_and_no_windows() -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    hours = FeedBlock("Office hours", parse_days("thu"), 15 * 60, 16 * 60, "Drop in.")
    calendar = parsed(build_feed(Schedule(zone=BERLIN), now, extra=[hours]))
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Office hours"
    assert str(event["DESCRIPTION"]) == "Drop in."
    assert event["DTSTART"].dt == datetime(2026, 11, 26, 15, tzinfo=BERLIN)
    assert parsed(build_feed(Schedule(zone=BERLIN), now)).walk("VEVENT") == []


def test_the_schedules_office_hours_are_published_beside_the_windows() -> None:
    """Subscribers see when they can drop in, not only when their mail is read."""
    now = datetime(2026, 10, 20, 8, tzinfo=UTC)
    hours = OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60, "Open office")
    calendar = parsed(build_feed(berlin_plan().with_office_hours(hours), now))
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert summaries == ["Open office", "Reading messages", "Reading messages"]
    found = recurring_ical_events.of(calendar).between(date(2026, 10, 27), date(2026, 10, 28))
    # Tuesday after the autumn change: 15:00 local is still 15:00 (now CET).
    assert [e["DTSTART"].dt for e in found if str(e["SUMMARY"]) == "Open office"] == [
        datetime(2026, 10, 27, 15, tzinfo=BERLIN)
    ]


def test_write_feed_replaces_the_file_whole(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 11, 24, 10, tzinfo=UTC))
    target = tmp_path / "windows.ics"
    target.write_text("old", encoding="utf-8")
    with Store.open(tmp_path / "p") as store:
        set_timezone(store, clock, "Europe/Berlin")
        change_schedule(
            store,
            clock,
            lambda s: s.with_weekly(block(BlockKind.WINDOW, "daily", "23:30", "24:00")),
        )
        assert write_feed(store, clock, target) == target
    [event] = parsed(target.read_bytes()).walk("VEVENT")
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=30)
    assert event["DTEND"].dt == datetime(2026, 11, 25, 0, 0, tzinfo=BERLIN)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
