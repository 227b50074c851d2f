"""Office hours in the schedule, the next slots offered, and the reply texts that name
them: local wall-clock times with the zone's letters, right across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.core.office_hours import Slot, next_office_hours, next_windows
from asyncdesk.core.schedule import (
    BlockKind,
    OfficeHoursBlock,
    Schedule,
    WeeklyBlock,
    parse_days,
)
from asyncdesk.core.schedule_document import from_document, to_document
from asyncdesk.core.triage_replies import (
    ask_for_topic,
    greeting,
    offer_office_hours,
    propose_introduction,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TUE_THU_15 = OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60)


def berlin_hours(*blocks: OfficeHoursBlock, **more: object) -> Schedule:
    return Schedule(zone=BERLIN, office_hours=blocks or (TUE_THU_15,), **more)  # type: ignore[arg-type]


def phrases(slots: list[Slot]) -> list[str]:
    return [slot.phrase() for slot in slots]


def test_berlin_slots_keep_the_wall_clock_across_the_spring_change() -> None:
    # Tue 24 Mar 2026, 10:00 CET; the clocks go forward on Sun 29 Mar.
    slots = next_office_hours(berlin_hours(), datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    assert phrases(slots) == [
        "Tue 24 Mar, 15:00-16:00 CET",
        "Thu 26 Mar, 15:00-16:00 CET",
        "Tue 31 Mar, 15:00-16:00 CEST",
    ]
    assert [s.start for s in slots] == [
        datetime(2026, 3, 24, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 26, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 31, 13, 0, tzinfo=UTC),  # an hour earlier in UTC
    ]


def test_new_york_slots_across_the_autumn_change() -> None:
    hours = OfficeHoursBlock(parse_days("mon,thu"), 15 * 60, 16 * 60)
    schedule = Schedule(zone=NEW_YORK, office_hours=(hours,))
    # Thu 29 Oct 2026, 10:00 EDT; the clocks go back on Sun 1 Nov.
    slots = next_office_hours(schedule, datetime(2026, 10, 29, 14, 0, tzinfo=UTC))
    assert phrases(slots) == [
        "Thu 29 Oct, 15:00-16:00 EDT",
        "Mon 2 Nov, 15:00-16:00 EST",
        "Thu 5 Nov, 15:00-16:00 EST",
    ]
    assert slots[1].start == datetime(2026, 11, 2, 20, 0, tzinfo=UTC)


def test_a_slot_in_the_spring_gap_starts_when_the_clocks_jump() -> None:
    early = OfficeHoursBlock(parse_days("sun"), 2 * 60 + 30, 3 * 60 + 30)
    slot = next_office_hours(berlin_hours(early), datetime(2026, 3, 28, 12, 0, tzinfo=UTC))[0]
    assert slot.phrase() == "Sun 29 Mar, 03:00-03:30 CEST"
    assert slot.end - slot.start == timedelta(minutes=30)


def test_a_slot_too_soon_or_on_a_closed_day_is_not_offered() -> None:
    schedule = berlin_hours(closed_days=frozenset({date(2026, 3, 26)}))
    # Tue 24 Mar, 14:30 CET: today's 15:00 is under an hour away.
    slots = next_office_hours(schedule, datetime(2026, 3, 24, 13, 30, tzinfo=UTC), count=2)
    assert phrases(slots) == ["Tue 31 Mar, 15:00-16:00 CEST", "Thu 2 Apr, 15:00-16:00 CEST"]


def test_no_office_hours_offers_nothing_but_the_next_windows_can_be_proposed() -> None:
    window = WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), 9 * 60, 9 * 60 + 30)
    schedule = Schedule(zone=BERLIN, weekly=(window,))
    now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Fri 13:00 CET
    assert next_office_hours(schedule, now) == []
    assert phrases(next_windows(schedule, now, count=2)) == [
        "Mon 30 Mar, 09:00-09:30 CEST",
        "Tue 31 Mar, 09:00-09:30 CEST",
    ]


def test_office_hours_may_not_overlap_deep_work_but_may_share_a_window() -> None:
    deep = WeeklyBlock(BlockKind.DEEP_WORK, parse_days("mon-fri"), 14 * 60, 16 * 60)
    with pytest.raises(BadInput, match="office hours tue,thu 15:00-16:00 overlaps deep-work"):
        Schedule(zone=BERLIN, weekly=(deep,)).with_office_hours(TUE_THU_15)
    window = WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), 15 * 60, 15 * 60 + 30)
    assert Schedule(zone=BERLIN, weekly=(window,)).with_office_hours(TUE_THU_15).office_hours
    with pytest.raises(BadInput, match="overlaps office hours"):
        berlin_hours().with_office_hours(OfficeHoursBlock(parse_days("thu"), 15 * 60, 15 * 60 + 30))
    with pytest.raises(BadInput, match="at least one day"):
        OfficeHoursBlock(frozenset(), 600, 660)


def test_the_document_keeps_office_hours_and_old_documents_still_load() -> None:
    named = OfficeHoursBlock(parse_days("fri"), 10 * 60, 11 * 60, "  Design   clinic ")
    schedule = berlin_hours(TUE_THU_15, named)
    document = to_document(schedule)
    assert document["office_hours"] == [
        {"days": "fri", "start": "10:00", "end": "11:00", "title": "Design clinic"},
        {"days": "tue,thu", "start": "15:00", "end": "16:00", "title": "Office hours"},
    ]
    assert set(from_document(document, BERLIN).office_hours) == set(schedule.office_hours)
    old = {"timezone": "Europe/Berlin", "windows": [], "deep_work": [], "overrides": []}
    assert from_document(old, BERLIN).office_hours == ()
    assert "office_hours" not in to_document(from_document(old, BERLIN))  # same bytes as before
    assert schedule.cleared().office_hours == ()


def test_greeting_takes_the_first_name_or_none() -> None:
    assert greeting("Sam Jones") == "Hi Sam,"
    assert greeting('"Jones, Sam"') == "Hi Sam,"
    assert greeting("") == "Hi,"
    assert greeting("sam@example.net") == "Hi,"


def test_the_texts_ask_for_the_topic_and_name_the_slots_in_local_time() -> None:
    assert ask_for_topic("Sam Jones").startswith(
        "Hi Sam,\n\nHappy to help. What is it about, and could we settle it in writing?"
    )
    slots = next_office_hours(berlin_hours(), datetime(2026, 3, 24, 9, 0, tzinfo=UTC))
    offer = offer_office_hours("Sam", slots, invitation=True)
    assert "- Tue 31 Mar, 15:00-16:00 CEST" in offer
    assert "The invitation for Tue 24 Mar, 15:00-16:00 CET is attached" in offer
    chat = offer_office_hours("Sam", slots[:2], invitation=False)
    assert "attached" not in chat
    assert "Just join whichever suits you" in chat
    intro = propose_introduction("Kim", slots, office_hours=True)
    assert "short live introduction" in intro
    assert "office hours" in intro
    assert "- Thu 26 Mar, 15:00-16:00 CET" in intro
    windows = propose_introduction("Kim", slots[:1], office_hours=False)
    assert "I'm free around these times:" in windows
    assert "office hours" not in windows
    nothing = propose_introduction("Kim", [], office_hours=False)
    assert "Send me two or three times that suit you" in nothing
