"""An iCalendar (.ics) feed of the user's communication windows, for others to subscribe to.

What is published: the communication windows of the next :data:`FEED_WEEKS` weeks from
``now``, and nothing of deep work (it is nobody else's business). Every event is
``TRANSP:TRANSPARENT`` (a window is not "busy") and carries local times with the
schedule's ``VTIMEZONE``:

- each weekly window is one VEVENT with ``RRULE:FREQ=WEEKLY;BYDAY=..;UNTIL=..``, starting
  on its first day on or after the local date of ``now``; skipped windows and closed
  days inside the span are its ``EXDATE``\\s;
- each one-off window is a single VEVENT.

UIDs are stable for a block (the same block gives the same UID in every export, so a
subscribed calendar updates it in place): a hash of its kind, days or date, times and
zone; office hours (group sessions anyone may join) are published beside them under
their own title, with the same rules.

A time inside the hour the clocks skip is written as it stands; calendar programs then
move it (RFC 5545 §3.3.5), whereas the schedule places it at the jump.

:func:`write_feed` replaces the file atomically; ``asyncdesk autoreply feed FILE`` and
Settings ▸ Notifications write it, and the sync keeps a written file current
(:mod:`asyncdesk.services.presence`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from asyncdesk import __version__
from asyncdesk.core.clock import Clock, utc
from asyncdesk.core.schedule import MINUTES_PER_DAY, BlockKind, Schedule, format_days
from asyncdesk.services.schedule import load_schedule
from asyncdesk.services.stats import write_atomically
from asyncdesk.store.database import Store

FEED_WEEKS = 8
WINDOW_SUMMARY = "Reading messages"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class FeedBlock:
    """A weekly block to publish besides the windows (office hours, or a caller's own)."""

    summary: str
    days: frozenset[int]
    start: int
    end: int
    description: str = ""


def build_feed(
    schedule: Schedule,
    now: datetime,
    *,
    weeks: int = FEED_WEEKS,
    extra: Iterable[FeedBlock] = (),
) -> bytes:
    """The feed's bytes (RFC 5545, CRLF lines) for ``weeks`` weeks from ``now`` (aware)."""
    now = utc(now)
    zone = schedule.zone
    first_day = now.astimezone(zone).date()
    last_day = first_day + timedelta(weeks=weeks)
    until = datetime.combine(last_day, time(0), tzinfo=zone).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", f"-//AsyncDesk//AsyncDesk {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "When I read messages")
    calendar.add("x-wr-timezone", zone.key)
    weekly = [
        FeedBlock(WINDOW_SUMMARY, block.days, block.start, block.end)
        for block in schedule.weekly
        if block.kind is BlockKind.WINDOW
    ]
    weekly += [
        FeedBlock(hours.title, hours.days, hours.start, hours.end)
        for hours in schedule.office_hours
    ]
    for block in [*weekly, *extra]:
        event = _weekly_event(schedule, block, first_day, last_day, until, now)
        if event is not None:
            calendar.add_component(event)
    for one_off in schedule.one_offs:
        if one_off.kind is not BlockKind.WINDOW or not first_day <= one_off.day < last_day:
            continue
        if one_off.day in schedule.closed_days:
            continue
        key = f"one-off|{one_off.day.isoformat()}|{one_off.start}|{one_off.end}|{zone.key}"
        event = _event(
            WINDOW_SUMMARY, key, now, _local(one_off.day, one_off.start, schedule), schedule
        )
        event.add("dtend", _local(one_off.day, one_off.end, schedule))
        calendar.add_component(event)
    # The zone's rules over a year either side of the span, not since 1970.
    calendar.add_missing_timezones(
        first_date=first_day - timedelta(days=366), last_date=last_day + timedelta(days=366)
    )
    content: bytes = calendar.to_ical()
    return content


def write_feed(store: Store, clock: Clock, path: Path, *, weeks: int = FEED_WEEKS) -> Path:
    """Write the feed of the profile's schedule to ``path`` (replaced whole, atomically)."""
    content = build_feed(load_schedule(store), clock.now(), weeks=weeks)
    write_atomically(path, content.decode("utf-8"))
    return path


def _weekly_event(
    schedule: Schedule,
    block: FeedBlock,
    first_day: date,
    last_day: date,
    until: datetime,
    now: datetime,
) -> Event | None:
    start_day = next(
        (
            first_day + timedelta(days=offset)
            for offset in range(7)
            if (first_day + timedelta(days=offset)).weekday() in block.days
        ),
        None,
    )
    if start_day is None or start_day >= last_day:
        return None
    key = f"weekly|{block.summary}|{format_days(block.days)}|{block.start}|{block.end}|"
    key += schedule.zone.key
    event = _event(block.summary, key, now, _local(start_day, block.start, schedule), schedule)
    event.add("dtend", _local(start_day, block.end, schedule))
    event.add(
        "rrule",
        {"freq": "weekly", "byday": [_BYDAY[d] for d in sorted(block.days)], "until": until},
    )
    if block.description:
        event.add("description", block.description)
    excluded = [
        _local(day, block.start, schedule)
        for day in _days(start_day, last_day)
        if day.weekday() in block.days and _skipped(schedule, block, day)
    ]
    if excluded:
        event.add("exdate", excluded)
    return event


def _skipped(schedule: Schedule, block: FeedBlock, day: date) -> bool:
    if block.summary != WINDOW_SUMMARY:
        return day in schedule.closed_days
    return day in schedule.closed_days or any(
        skip.day == day and skip.start in (None, block.start) for skip in schedule.skips
    )


def _event(summary: str, key: str, now: datetime, start: datetime, schedule: Schedule) -> Event:
    event = Event()
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    event.add("uid", f"{digest}@asyncdesk")
    event.add("dtstamp", now.replace(microsecond=0))
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("transp", "TRANSPARENT")
    event.add("class", "PUBLIC")
    return event


def _local(day: date, minute: int, schedule: Schedule) -> datetime:
    """Wall-clock ``minute`` of ``day`` in the schedule's zone (``24:00``: next midnight)."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=schedule.zone)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day < last:
        yield day
        day += timedelta(days=1)
