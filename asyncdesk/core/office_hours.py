"""Office hours: the next slots to offer someone who asks for a call.

The discipline behind it: prefer a group session at a known time to a one-to-one
meeting booked on request. The slots come from the schedule's
:class:`~asyncdesk.core.schedule.OfficeHoursBlock` values, placed by the schedule's own
local-time rules (:func:`~asyncdesk.core.schedule.local_instant`), so a slot after the
clocks change is at the same wall-clock time and carries the zone's new abbreviation
("Tue 31 Mar, 15:00-16:00 CEST" after "Thu 26 Mar, 15:00-16:00 CET").

Which slots are offered (:func:`next_office_hours`):

- only those starting at least :data:`NOTICE` after now (a slot already running, or
  starting in ten minutes, is no use to someone who reads the reply later);
- none on a closed day (a holiday);
- in time order, at most ``count`` of them, looking :data:`LOOKAHEAD_DAYS` ahead.

Without office hours, :func:`next_windows` gives the next communication windows in the
same shape, for the introduction template to propose instead.

Pure: no I/O; ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from asyncdesk.core.availability import zone_label
from asyncdesk.core.clock import utc
from asyncdesk.core.schedule import BlockKind, Schedule, local_instant

__all__ = ["LOOKAHEAD_DAYS", "NOTICE", "Slot", "next_office_hours", "next_windows"]

NOTICE: Final = timedelta(hours=1)
LOOKAHEAD_DAYS: Final = 60
DEFAULT_COUNT: Final = 3


@dataclass(frozen=True, slots=True)
class Slot:
    """One occurrence: ``start``/``end`` aware, in UTC; ``zone`` the schedule's."""

    start: datetime
    end: datetime
    title: str
    zone: ZoneInfo

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.zone)

    def phrase(self) -> str:
        """``Tue 31 Mar, 15:00-16:00 CEST``: the date always (the reader may read it a
        week later), the zone's letters at that slot (DST-correct)."""
        start, end = self.local_start, self.local_end
        return (
            f"{start:%a} {start.day} {start:%b}, {start:%H:%M}-{end:%H:%M} "
            f"{zone_label(self.zone, self.start)}"
        )


def _days_from(now: datetime, zone: ZoneInfo) -> list[date]:
    first = utc(now).astimezone(zone).date()
    return [first + timedelta(days=offset) for offset in range(LOOKAHEAD_DAYS + 1)]


def next_office_hours(
    schedule: Schedule, now: datetime, count: int = DEFAULT_COUNT, notice: timedelta = NOTICE
) -> list[Slot]:
    """The next ``count`` office-hours slots starting ``notice`` or more after ``now``."""
    if not schedule.office_hours or count <= 0:
        return []
    earliest = utc(now) + notice
    found: list[Slot] = []
    blocks = sorted(schedule.office_hours, key=lambda b: (b.start, b.end))
    for day in _days_from(now, schedule.zone):
        if day in schedule.closed_days:
            continue
        for block in blocks:
            if day.weekday() not in block.days:
                continue
            start = local_instant(day, block.start, schedule.zone)
            end = local_instant(day, block.end, schedule.zone)
            if end > start and start >= earliest:
                found.append(Slot(start, end, block.title, schedule.zone))
        if len(found) >= count:
            break
    found.sort(key=lambda slot: slot.start)
    return found[:count]


def next_windows(
    schedule: Schedule, now: datetime, count: int = DEFAULT_COUNT, notice: timedelta = NOTICE
) -> list[Slot]:
    """The next ``count`` communication windows starting ``notice`` or more after ``now``
    (what an introduction proposes when there are no office hours)."""
    if not schedule.has_windows or count <= 0:
        return []
    earliest = utc(now) + notice
    horizon = earliest + timedelta(days=LOOKAHEAD_DAYS)
    found = [
        Slot(interval.start, interval.end, "Communication window", schedule.zone)
        for interval in schedule.intervals_between(earliest, horizon)
        if interval.kind is BlockKind.WINDOW and interval.start >= earliest
    ]
    return found[:count]
