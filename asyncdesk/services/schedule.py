"""The schedule in the profile: reading it, changing it safely, the inbox gate, status.

Every change is read-check-write inside one write transaction: the new schedule is
checked (overlaps, bad values) before anything is written, so a rejected command leaves
the profile byte-for-byte as it was. Each change writes a new schedule version valid
from the clock's now, which keeps past modes derivable exactly (see store.schedule).

Definitions used by ``status`` (documented in docs/CLI.md):
- ``until``: the next instant the mode changes, or null if it never does.
- ``next_window``: the first window that starts after now (the one after the current
  window while inside one).
- ``waiting``: inbound messages received since the last window ended (what the next
  window will show as new); when no window ended in the last 8 days, those of the last
  24 hours.
- ``due_before_next_window``: open commitments due before the next window starts
  (within 24 hours when there is no next window).
- ``overdue``: open commitments whose deadline has passed.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import Clock, to_iso_z
from asyncdesk.core.errors import BadInput, InboxClosed
from asyncdesk.core.schedule import ImportedBlock, Interval, Mode, OfficeHoursBlock, Schedule
from asyncdesk.core.schedule_document import from_document, to_document
from asyncdesk.services.profile import system_timezone_name
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_received_since
from asyncdesk.store.promises import count_open
from asyncdesk.store.schedule import (
    add_event,
    events_between,
    load_document,
    load_imported,
    replace_imported,
    retire_all_imported,
    save_document,
    versions_between,
)
from asyncdesk.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

BREAK_GLASS = "break_glass"
# Recurring calendar events are expanded over this span around the import.
IMPORT_PAST = timedelta(weeks=8)
IMPORT_FUTURE = timedelta(days=366)


def _zone(session: Session) -> ZoneInfo:
    return ZoneInfo(get_setting(session, declared.TIMEZONE) or system_timezone_name())


def _current(session: Session) -> Schedule:
    return from_document(load_document(session), _zone(session), load_imported(session))


def load_schedule(store: Store) -> Schedule:
    """The schedule in force now (the newest version and the current imports)."""
    with store.reading() as session:
        return _current(session)


def schedule_at(store: Store, instant: datetime) -> Schedule:
    """The schedule that was in force at a past ``instant``."""
    with store.reading() as session:
        return from_document(
            load_document(session, instant), _zone(session), load_imported(session, instant)
        )


def change_schedule(store: Store, clock: Clock, change: Callable[[Schedule], Schedule]) -> Schedule:
    """Apply ``change`` to the current schedule and save it as a new version.

    ``change`` raises :class:`BadInput` to refuse; then nothing is written.
    """
    with store.writing() as session:
        changed = change(_current(session))
        save_document(session, to_document(changed), clock.now())
    log.info("schedule changed")
    return changed


def add_office_hours(store: Store, clock: Clock, block: OfficeHoursBlock) -> Schedule:
    """Add a recurring office-hours slot (refused, with nothing written, when it
    overlaps deep work or other office hours)."""
    return change_schedule(store, clock, lambda schedule: schedule.with_office_hours(block))


def set_timezone(store: Store, clock: Clock, name: str) -> Schedule:
    declared.TIMEZONE.parse(name)
    if not name.strip():
        raise BadInput("give a time zone, e.g. Europe/Berlin")
    with store.writing() as session:
        set_setting(session, declared.TIMEZONE, name.strip())
        changed = _current(session).checked()
        save_document(session, to_document(changed), clock.now())
    return changed


def clear_schedule(store: Store, clock: Clock) -> Schedule:
    with store.writing() as session:
        cleared = _current(session).cleared()
        save_document(session, to_document(cleared), clock.now())
        retire_all_imported(session, clock.now())
    return cleared


@dataclass(frozen=True, slots=True)
class ImportReport:
    source: str
    imported: int
    all_day_skipped: int
    overlapping: list[str]  # one line per event left out because it overlaps a window


def import_calendar(store: Store, clock: Clock, path: Path) -> ImportReport:
    """Replace the deep-work blocks earlier imported from ``path`` by its timed events.

    Events that overlap a window are left out and reported, never merged into it.
    """
    from asyncdesk.services.calendar_import import parse_calendar

    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror or error}") from None
    source = str(path.expanduser().resolve())
    now = clock.now()
    with store.writing() as session:
        schedule = _current(session)
        parsed = parse_calendar(
            data, zone=schedule.zone, start=now - IMPORT_PAST, end=now + IMPORT_FUTURE
        )
        without_source = schedule.with_imported(source, [])
        kept: list[tuple[str, ImportedBlock]] = []
        overlapping: list[str] = []
        for event in parsed.events:
            block = ImportedBlock(event.start, event.end, event.summary, source)
            clash = without_source.window_overlapping(block)
            if clash is None:
                kept.append((event.uid, block))
            else:
                overlapping.append(f"{block.describe(schedule.zone)} overlaps {clash.label}")
        schedule.with_imported(source, [block for _, block in kept])  # checks
        replace_imported(session, source, kept, now)
        # A new version marks the instant the imports changed, for timeline().
        save_document(session, to_document(schedule), now)
    log.info(
        "imported %d blocks from a calendar (%d overlapping left out)", len(kept), len(overlapping)
    )
    return ImportReport(source, len(kept), parsed.all_day_skipped, overlapping)


# --- status and the gate ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    mode: Mode
    until: datetime | None
    next_window: Interval | None
    waiting: int
    due_before_next_window: int
    overdue: int
    zone: ZoneInfo

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "until": None if self.until is None else to_iso_z(self.until),
            "next_window": None
            if self.next_window is None
            else {
                "start": to_iso_z(self.next_window.start),
                "end": to_iso_z(self.next_window.end),
            },
            "waiting": self.waiting,
            "due_before_next_window": self.due_before_next_window,
            "overdue": self.overdue,
        }


def status(store: Store, clock: Clock) -> Status:
    now = clock.now()
    with store.reading() as session:
        schedule = _current(session)
        mode = schedule.mode_at(now)
        upcoming = schedule.next_window(now)
        last_end = schedule.previous_window_end(now)
        since = last_end if last_end is not None else now - timedelta(hours=24)
        if mode is Mode.WINDOW and schedule.has_windows:
            current = schedule.current_window(now)
            if current is not None:
                earlier = schedule.previous_window_end(current.start)
                since = earlier if earlier is not None else current.start - timedelta(hours=24)
        horizon = upcoming.start if upcoming is not None else now + timedelta(hours=24)
        return Status(
            mode=mode,
            until=schedule.next_transition(now),
            next_window=upcoming,
            waiting=count_received_since(session, since, now),
            due_before_next_window=count_open(session, now, due_before=horizon),
            overdue=count_open(session, now, due_before=now),
            zone=schedule.zone,
        )


def describe_wait(until: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``16:00, in 2 h 14 min`` (with the weekday when it is not today)."""
    local = until.astimezone(zone)
    when = f"{local:%H:%M}" if local.date() == now.astimezone(zone).date() else f"{local:%a %H:%M}"
    return f"{when}, in {format_duration(until - now)}"


def format_duration(delta: timedelta) -> str:
    """Whole minutes, rounded up as a wall clock counts down (like the window's gate):
    at 13:46:20, a window at 16:00 is "in 2 h 14 min"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "under a minute"
    minutes = math.ceil(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def open_inbox(store: Store, clock: Clock, break_glass: str | None = None) -> Mode:
    """Let the inbox open, or raise :class:`InboxClosed` saying when it opens.

    Outside a window, ``break_glass`` (a reason) opens it anyway; that is recorded as
    an event with the reason and the mode it interrupted, and counted in the stats.
    Inside a window there is no glass to break, so nothing is recorded.
    """
    now = clock.now()
    schedule = load_schedule(store)
    mode = schedule.mode_at(now)
    if mode is Mode.WINDOW:
        return mode
    if break_glass is None:
        upcoming = schedule.next_window(now)
        during = " (deep work now)" if mode is Mode.DEEP_WORK else ""
        if upcoming is None:
            raise InboxClosed(
                f"closed{during}; no window is scheduled (see: asyncdesk "
                "schedule show), or open it with --break-glass REASON"
            )
        raise InboxClosed(
            f"closed until {describe_wait(upcoming.start, now, schedule.zone)}{during}; "
            "--break-glass REASON opens it anyway"
        )
    reason = " ".join(break_glass.split())
    if not reason:
        raise BadInput("--break-glass needs a reason, e.g. --break-glass 'client outage'")
    with store.writing() as session:
        add_event(session, BREAK_GLASS, now, {"reason": reason, "mode": mode.value})
    log.info("inbox opened outside a window (break-glass during %s)", mode.value)
    return mode


def break_glass_events(store: Store, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    with store.reading() as session:
        return [
            (at, str(data.get("reason", "")))
            for at, data in events_between(session, BREAK_GLASS, start, end)
        ]


def timeline(store: Store, start: datetime, end: datetime) -> list[Interval]:
    """Every window and deep-work interval in ``[start, end)``, clipped to it, from the
    schedule versions in force at each instant: window opened/closed and deep work
    started/ended, derived exactly even for times the app was not running."""
    with store.reading() as session:
        zone = _zone(session)
        versions = versions_between(session, start, end)
        found: list[Interval] = []
        bounds = [max(valid_from, start) for valid_from, _ in versions] + [end]
        for (_, document), (span_start, span_end) in zip(versions, pairwise(bounds), strict=True):
            schedule = from_document(document, zone, load_imported(session, span_start))
            for interval in schedule.intervals_between(span_start, span_end):
                clipped_start = max(interval.start, span_start)
                clipped_end = min(interval.end, span_end)
                if clipped_end > clipped_start:
                    found.append(
                        Interval(interval.kind, clipped_start, clipped_end, interval.label)
                    )
    return found
