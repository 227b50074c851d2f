"""Communication windows, deep-work blocks, and the mode they give every instant.

Mode is a pure function of the schedule and the instant (STYLE.md habit 3): sync,
notifications and the UI read :meth:`Schedule.mode_at` and nothing else.

Local times and DST — the rules, so that every instant has exactly one answer:

- Weekly blocks and one-off blocks are written in local wall-clock time (minutes after
  midnight, ``24:00`` allowed as an end) in the schedule's IANA zone.
- A local time that happens twice (clocks go back) means its **first** occurrence.
- A local time that does not exist (clocks go forward) means the **instant the clocks
  jumped**: on the last Sunday of March in Berlin, 02:30 means 03:00 CEST. So a window
  02:00-03:00 that day is empty, and 02:30-03:30 lasts 30 minutes.
- A block's length is therefore its wall-clock length except on DST days, when it is
  what the wall clock actually shows (09:00-17:00 is always 09:00-17:00 on the wall).
- Imported calendar blocks are absolute instants and need no such rules.

Office hours (:class:`OfficeHoursBlock`): a recurring group session others may book
into instead of a one-to-one call (see :mod:`asyncdesk.core.office_hours`). They are
placed by the same local-time rules but never change the mode; they may not overlap
deep work (nobody should be invited into it) nor each other, and they follow closed
days.

Overlaps: two windows, or a window and a deep-work block, may not overlap; the error
names both. Deep-work blocks may overlap each other (they merge). A schedule with no
window at all is always open (mode ``window``), so a new user is never locked out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import BadInput

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# How far next_transition / next_window look ahead before saying "never", and how far
# current_window / next_window follow a window that stays open for days, either way.
HORIZON_DAYS = 400


class BlockKind(StrEnum):
    WINDOW = "window"
    DEEP_WORK = "deep_work"


class Mode(StrEnum):
    """What the user is doing at an instant; decides what may reach them."""

    WINDOW = "window"
    DEEP_WORK = "deep_work"
    CLOSED = "closed"


def _label(kind: BlockKind) -> str:
    return "window" if kind is BlockKind.WINDOW else "deep-work block"


# --- parsing user text ------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(text: str, *, end: bool = False) -> int:
    """``"09:30"`` → 570 minutes after midnight; ``"24:00"`` only as an end."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise BadInput(f"not a time of day: {text!r} (write HH:MM, e.g. 09:30)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if end and (hours, minutes) == (24, 0):
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise BadInput(f"not a time of day: {text!r}")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``mon,wed,fri``, ``sat-sun``, ``fri-mon`` (wraps), ``daily``."""
    cleaned = text.strip().lower()
    if cleaned in {"daily", "all", "every day"}:
        return frozenset(range(7))
    days: set[int] = set()
    for part in cleaned.split(","):
        words = part.split("-")
        bounds = [index for index in map(_day_index, words) if index is not None]
        if len(words) not in (1, 2) or len(bounds) != len(words):
            raise BadInput(f"not a list of days: {text!r} (write e.g. mon-fri or mon,wed,fri)")
        first, last = bounds[0], bounds[-1]
        day = first
        days.add(day)
        while day != last:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


_DAY_WORDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day_index(word: str) -> int | None:
    """``mon``, ``tues``, ``thursday`` → the weekday; None for anything else (``satsun``)."""
    word = word.strip()
    if len(word) < 3:
        return None
    return next((i for i, full in enumerate(_DAY_WORDS) if full.startswith(word)), None)


def format_days(days: Iterable[int]) -> str:
    """The shortest form: ``mon-fri``, ``mon,wed,fri``, ``daily``."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}"
        for run in runs
    ]
    return ",".join(parts)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def check_range(start: int, end: int) -> None:
    if not (0 <= start < MINUTES_PER_DAY and 0 < end <= MINUTES_PER_DAY):
        raise BadInput(
            f"a block must lie within one day, 00:00 to 24:00 (got minutes {start} to {end})"
        )
    if end <= start:
        raise BadInput(
            f"the end {format_clock(end)} must be after the start {format_clock(start)} "
            "(blocks cannot cross midnight; split them in two)"
        )


# --- the parts of a schedule ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyBlock:
    """A window or deep-work block on the same weekdays every week, in local time."""

    kind: BlockKind
    days: frozenset[int]
    start: int
    end: int

    def __post_init__(self) -> None:
        if not self.days:
            raise BadInput("a block needs at least one day")
        if not self.days <= frozenset(range(len(DAY_NAMES))):
            raise BadInput(f"not weekdays (0 = mon ... 6 = sun): {sorted(self.days)}")
        check_range(self.start, self.end)

    def describe(self) -> str:
        return (
            f"{_label(self.kind)} {format_days(self.days)} "
            f"{format_clock(self.start)}-{format_clock(self.end)}"
        )


DEFAULT_OFFICE_HOURS_TITLE = "Office hours"
MAX_TITLE_CHARS = 80


@dataclass(frozen=True, slots=True)
class OfficeHoursBlock:
    """A recurring office-hours slot on the same weekdays every week, in local time."""

    days: frozenset[int]
    start: int
    end: int
    title: str = DEFAULT_OFFICE_HOURS_TITLE

    def __post_init__(self) -> None:
        if not self.days:
            raise BadInput("office hours need at least one day")
        if not self.days <= frozenset(range(len(DAY_NAMES))):
            raise BadInput(f"not weekdays (0 = mon ... 6 = sun): {sorted(self.days)}")
        check_range(self.start, self.end)
        title = " ".join(self.title.split())
        if not title:
            raise BadInput("give office hours a title, e.g. --title 'Office hours'")
        if len(title) > MAX_TITLE_CHARS:
            raise BadInput(f"the title is longer than {MAX_TITLE_CHARS} characters")
        object.__setattr__(self, "title", title)

    def describe(self) -> str:
        named = "" if self.title == DEFAULT_OFFICE_HOURS_TITLE else f" ({self.title})"
        return (
            f"office hours {format_days(self.days)} "
            f"{format_clock(self.start)}-{format_clock(self.end)}{named}"
        )


@dataclass(frozen=True, slots=True)
class OneOffBlock:
    """A window or deep-work block on one date only, in local time."""

    kind: BlockKind
    day: date
    start: int
    end: int

    def __post_init__(self) -> None:
        check_range(self.start, self.end)

    def describe(self) -> str:
        return (
            f"one-off {_label(self.kind)} {self.day.isoformat()} "
            f"{format_clock(self.start)}-{format_clock(self.end)}"
        )


@dataclass(frozen=True, slots=True)
class SkipWindow:
    """Skip the weekly window that starts at ``start`` on ``day`` (every window if None)."""

    day: date
    start: int | None = None

    def describe(self) -> str:
        which = "every window" if self.start is None else f"the {format_clock(self.start)} window"
        return f"skip {which} on {self.day.isoformat()}"


@dataclass(frozen=True, slots=True)
class ImportedBlock:
    """A deep-work block taken from a calendar: absolute UTC instants."""

    start: datetime
    end: datetime
    summary: str = ""
    source: str = ""

    def describe(self, zone: ZoneInfo) -> str:
        local = self.start.astimezone(zone)
        end = self.end.astimezone(zone)
        title = f" {self.summary!r}" if self.summary else ""
        return f"imported deep-work block{title} {local:%a %Y-%m-%d %H:%M}-{end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Interval:
    """A block placed on the time line: ``[start, end)`` in UTC."""

    kind: BlockKind
    start: datetime
    end: datetime
    label: str = ""

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


# --- local time to instants -------------------------------------------------------------


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``minute`` on ``day`` in ``zone`` (DST rules above)."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    first = naive.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first  # exists; fold=0 is the first of two occurrences
    # In a gap: find the instant the clocks jumped, the first whose wall time is later.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) > naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


# --- the schedule -----------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """Everything that decides the mode. Immutable: changes return a new, checked value."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    weekly: tuple[WeeklyBlock, ...] = ()
    one_offs: tuple[OneOffBlock, ...] = ()
    skips: tuple[SkipWindow, ...] = ()
    closed_days: frozenset[date] = frozenset()
    imported: tuple[ImportedBlock, ...] = ()
    office_hours: tuple[OfficeHoursBlock, ...] = ()
    # Derived from ``imported`` for fast look-ups; not part of the value.
    _imported_starts: list[datetime] = field(
        init=False, repr=False, compare=False, default_factory=list
    )
    _longest_import: timedelta = field(init=False, repr=False, compare=False, default=timedelta(0))

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.imported, key=lambda b: (b.start, b.end, b.summary)))
        object.__setattr__(self, "imported", ordered)
        object.__setattr__(self, "_imported_starts", [block.start for block in ordered])
        longest = max((b.end - b.start for b in ordered), default=timedelta(0))
        object.__setattr__(self, "_longest_import", longest)

    # -- questions ------------------------------------------------------------------------

    @property
    def has_windows(self) -> bool:
        return any(b.kind is BlockKind.WINDOW for b in self.weekly) or any(
            b.kind is BlockKind.WINDOW for b in self.one_offs
        )

    def intervals_on(self, day: date) -> list[Interval]:
        """The weekly and one-off blocks placed on local date ``day``."""
        placed: list[Interval] = []
        if day not in self.closed_days:
            skipped = {s.start for s in self.skips if s.day == day}
            for block in self.weekly:
                if day.weekday() not in block.days:
                    continue
                if block.kind is BlockKind.WINDOW and (None in skipped or block.start in skipped):
                    continue
                placed.append(
                    self._place(block.kind, day, block.start, block.end, block.describe())
                )
        for one_off in self.one_offs:
            if one_off.day == day:
                placed.append(
                    self._place(one_off.kind, day, one_off.start, one_off.end, one_off.describe())
                )
        return [interval for interval in placed if interval.end > interval.start]

    def _place(self, kind: BlockKind, day: date, start: int, end: int, label: str) -> Interval:
        return Interval(
            kind, local_instant(day, start, self.zone), local_instant(day, end, self.zone), label
        )

    def intervals_between(self, start: datetime, end: datetime) -> list[Interval]:
        """Every block that intersects ``[start, end)``, sorted by start."""
        start, end = utc(start), utc(end)
        found: list[Interval] = []
        day = _local_date(start, self.zone) - timedelta(days=1)
        last = _local_date(end, self.zone) + timedelta(days=1)
        while day <= last:
            found += [i for i in self.intervals_on(day) if i.start < end and start < i.end]
            day += timedelta(days=1)
        found += [
            Interval(BlockKind.DEEP_WORK, block.start, block.end, block.describe(self.zone))
            for block in self._imported_between(start, end)
        ]
        found.sort(key=lambda i: (i.start, i.end, i.kind.value, i.label))
        return found

    def _imported_between(self, start: datetime, end: datetime) -> list[ImportedBlock]:
        first = bisect_left(self._imported_starts, start - self._longest_import)
        last = bisect_left(self._imported_starts, end)
        return [b for b in self.imported[first:last] if b.end > start]

    def mode_at(self, instant: datetime) -> Mode:
        if not self.has_windows:
            return Mode.WINDOW
        instant = utc(instant)
        around = self.intervals_between(instant, instant + timedelta(seconds=1))
        active = [interval for interval in around if interval.contains(instant)]
        if any(interval.kind is BlockKind.WINDOW for interval in active):
            return Mode.WINDOW
        if active:
            return Mode.DEEP_WORK
        return Mode.CLOSED

    def next_transition(self, instant: datetime) -> datetime | None:
        """The first instant after ``instant`` whose mode differs; None if it never does."""
        if not self.has_windows:
            return None
        instant = utc(instant)
        current = self.mode_at(instant)
        for chunk_start, chunk_end in _chunks(instant):
            boundaries = sorted(
                {
                    edge
                    for i in self.intervals_between(chunk_start, chunk_end)
                    for edge in (i.start, i.end)
                    if edge > instant
                }
            )
            for boundary in boundaries:
                if self.mode_at(boundary) is not current:
                    return boundary
        return None

    def current_window(self, instant: datetime) -> Interval | None:
        """The (merged) window that contains ``instant``, however long it lasts."""
        instant = utc(instant)
        low, high = instant - timedelta(days=2), instant + timedelta(days=2)
        windows = self._merged_windows(low, high)
        found = next((w for w in windows if w.contains(instant)), None)
        return None if found is None else self._grown(found, low, high)

    def next_window(self, instant: datetime) -> Interval | None:
        """The first (merged) window that starts after ``instant``.

        Inside a window, that is the one after the current (merged) window.
        """
        if not self.has_windows:
            return None
        instant = utc(instant)
        current = self.current_window(instant)
        after = instant if current is None else current.end
        for chunk_start, chunk_end in _chunks(after):
            if chunk_start >= instant + timedelta(days=HORIZON_DAYS):
                break
            high = chunk_end + timedelta(days=2)
            windows = self._merged_windows(chunk_start, high)
            upcoming = [w for w in windows if w.start > after]
            if upcoming:
                return self._grown(upcoming[0], chunk_start, high)
        return None

    def previous_window_end(self, instant: datetime, lookback_days: int = 8) -> datetime | None:
        """When the last window that ended at or before ``instant`` ended."""
        instant = utc(instant)
        # A window that starts at ``instant`` continues one that ends there: not ended.
        windows = self._merged_windows(
            instant - timedelta(days=lookback_days), instant + timedelta(microseconds=1)
        )
        ended = [w.end for w in windows if w.end <= instant]
        return ended[-1] if ended else None

    def _grown(self, window: Interval, low: datetime, high: datetime) -> Interval:
        """``window``, merged within ``[low, high)``, grown over the windows beyond that
        span that touch it (a window open for days), up to the horizon either way."""
        step, limit = timedelta(days=7), timedelta(days=HORIZON_DAYS)
        start, end = window.start, window.end
        while start <= low and window.start - start < limit:
            low = start - step
            before = self._merged_windows(low, start)
            if not before or before[-1].end < start:
                break
            start = before[-1].start
        while end >= high and end - window.end < limit:
            high = end + step
            after = self._merged_windows(end, high)
            if not after or after[0].start > end:
                break
            end = max(end, after[0].end)
        return replace(window, start=start, end=end)

    def _merged_windows(self, start: datetime, end: datetime) -> list[Interval]:
        merged: list[Interval] = []
        for interval in self.intervals_between(start, end):
            if interval.kind is not BlockKind.WINDOW:
                continue
            if merged and interval.start <= merged[-1].end:
                last = merged[-1]
                merged[-1] = replace(last, end=max(last.end, interval.end))
            else:
                merged.append(interval)
        return merged

    # -- changes (each returns a new schedule, checked) ------------------------------------

    def with_zone(self, zone: ZoneInfo) -> Schedule:
        return replace(self, zone=zone).checked()

    def with_weekly(self, block: WeeklyBlock) -> Schedule:
        return replace(self, weekly=(*self.weekly, block)).checked()

    def without_weekly(
        self, kind: BlockKind, days: frozenset[int], start: int, end: int
    ) -> Schedule:
        """Remove ``days`` from the weekly blocks of this kind and time; error if none."""
        kept: list[WeeklyBlock] = []
        removed = False
        for block in self.weekly:
            if (block.kind, block.start, block.end) == (kind, start, end) and block.days & days:
                removed = True
                rest = block.days - days
                if rest:
                    kept.append(replace(block, days=frozenset(rest)))
            else:
                kept.append(block)
        if not removed:
            wanted = WeeklyBlock(kind, days, start, end).describe()
            raise BadInput(f"there is no {wanted} to remove (see: asyncdesk schedule show)")
        return replace(self, weekly=tuple(kept)).checked()

    def with_office_hours(self, block: OfficeHoursBlock) -> Schedule:
        return replace(self, office_hours=(*self.office_hours, block)).checked()

    def with_one_off(self, block: OneOffBlock) -> Schedule:
        return replace(self, one_offs=(*self.one_offs, block)).checked()

    def with_skip(self, skip: SkipWindow) -> Schedule:
        windows = [
            b
            for b in self.weekly
            if b.kind is BlockKind.WINDOW
            and skip.day.weekday() in b.days
            and (skip.start is None or b.start == skip.start)
        ]
        if not windows:
            raise BadInput(f"cannot {skip.describe()}: no weekly window starts then that day")
        return replace(self, skips=(*self.skips, skip)).checked()

    def with_closed_day(self, day: date) -> Schedule:
        return replace(self, closed_days=self.closed_days | {day}).checked()

    def without_overrides_on(self, day: date) -> Schedule:
        if not (
            any(o.day == day for o in self.one_offs)
            or any(s.day == day for s in self.skips)
            or day in self.closed_days
        ):
            raise BadInput(f"there are no overrides on {day.isoformat()} to clear")
        return replace(
            self,
            one_offs=tuple(o for o in self.one_offs if o.day != day),
            skips=tuple(s for s in self.skips if s.day != day),
            closed_days=self.closed_days - {day},
        ).checked()

    def with_imported(self, source: str, blocks: Sequence[ImportedBlock]) -> Schedule:
        """Replace the blocks earlier imported from ``source`` by ``blocks``."""
        kept = tuple(b for b in self.imported if b.source != source)
        # Stamped with ``source``, so that the next import from it replaces them.
        stamped = tuple(b if b.source == source else replace(b, source=source) for b in blocks)
        return replace(self, imported=(*kept, *stamped)).checked()

    def cleared(self) -> Schedule:
        return Schedule(zone=self.zone)

    # -- checks ---------------------------------------------------------------------------

    def checked(self) -> Schedule:
        """Raise :class:`BadInput` naming both parts if two of them may not overlap."""
        weekly = list(self.weekly)
        for index, first in enumerate(weekly):
            for second in weekly[index + 1 :]:
                if (
                    _may_not_overlap(first.kind, second.kind)
                    and first.days & second.days
                    and (first.start < second.end and second.start < first.end)
                ):
                    raise BadInput(f"{second.describe()} overlaps {first.describe()}")
        for index, hours in enumerate(self.office_hours):
            others: list[OfficeHoursBlock | WeeklyBlock] = [*self.office_hours[:index]]
            others += [b for b in weekly if b.kind is BlockKind.DEEP_WORK]
            for other in others:
                if hours.days & other.days and hours.start < other.end and other.start < hours.end:
                    raise BadInput(f"{hours.describe()} overlaps {other.describe()}")
        for day in sorted({o.day for o in self.one_offs}):
            placed = self.intervals_on(day)
            for index, first_interval in enumerate(placed):
                for second_interval in placed[index + 1 :]:
                    if _may_not_overlap(first_interval.kind, second_interval.kind) and (
                        first_interval.overlaps(second_interval)
                    ):
                        raise BadInput(f"{second_interval.label} overlaps {first_interval.label}")
        for block in self.imported:
            clash = self.window_overlapping(block)
            if clash is not None:
                raise BadInput(f"{clash.label} overlaps {block.describe(self.zone)}")
        return self

    def window_overlapping(self, block: ImportedBlock) -> Interval | None:
        """The first window that overlaps an imported block, if any."""
        probe = Interval(BlockKind.DEEP_WORK, block.start, block.end)
        day = _local_date(block.start, self.zone) - timedelta(days=1)
        last = _local_date(block.end, self.zone) + timedelta(days=1)
        while day <= last:
            for interval in self.intervals_on(day):
                if interval.kind is BlockKind.WINDOW and interval.overlaps(probe):
                    return interval
            day += timedelta(days=1)
        return None


def _may_not_overlap(first: BlockKind, second: BlockKind) -> bool:
    return BlockKind.WINDOW in (first, second)


def _chunks(instant: datetime) -> Iterable[tuple[datetime, datetime]]:
    """Week-long spans from ``instant`` up to the horizon."""
    step = timedelta(days=7)
    start = instant
    while start < instant + timedelta(days=HORIZON_DAYS):
        yield start, start + step
        start += step
