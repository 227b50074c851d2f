"""Schedule properties over random schedules, zones and instants (hypothesis).

Schedules are built only through the public changes (``with_weekly``, ``with_one_off``,
``with_skip``, ``with_closed_day``, ``with_imported``); an attempt refused with
:class:`BadInput` is kept as evidence and the schedule goes on without it. Instants are
drawn from 2010-2029 and, half of the time, from the days around one of the zone's own
clock changes (including Lord Howe's 30-minute one, Sao Paulo's at midnight and the day
Samoa skipped in 2011), on a 15-minute grid so that they often hit block edges exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import (
    HORIZON_DAYS,
    MINUTES_PER_DAY,
    BlockKind,
    ImportedBlock,
    Interval,
    Mode,
    OneOffBlock,
    Schedule,
    SkipWindow,
    WeeklyBlock,
    format_days,
    local_instant,
    parse_days,
)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Apia",
    "America/Sao_Paulo",
)
FIRST = datetime(2010, 1, 1, tzinfo=UTC)
LAST = datetime(2029, 12, 31, tzinfo=UTC)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TICK = timedelta(microseconds=1)
HORIZON = timedelta(days=HORIZON_DAYS)


@cache
def transitions(name: str) -> tuple[datetime, ...]:
    """Every instant in [FIRST, LAST] at which the zone's UTC offset changes."""
    zone = ZoneInfo(name)
    found: list[datetime] = []
    day = FIRST
    while day < LAST:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = day, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        day = following
    return tuple(found)


# --- strategies -------------------------------------------------------------------------

zone_names = st.sampled_from(ZONES)
quarter_minutes = st.integers(0, 95).map(lambda quarter: quarter * 15)
# Mostly on a 15-minute grid (edges meet and overlap often), sometimes any minute.
start_minutes = st.one_of(quarter_minutes, quarter_minutes, st.integers(0, MINUTES_PER_DAY - 1))
lengths = st.one_of(st.integers(1, 16).map(lambda quarter: quarter * 15), st.integers(1, 600))


day_sets = st.frozensets(st.integers(0, 6), min_size=1, max_size=7)


@st.composite
def minute_ranges(draw: st.DrawFn) -> tuple[int, int]:
    start = draw(start_minutes)
    shape = draw(
        st.sampled_from(["any", "any", "any", "whole day", "to midnight", "from midnight"])
    )
    if shape == "whole day":
        return 0, MINUTES_PER_DAY
    if shape == "to midnight":
        return start, MINUTES_PER_DAY
    if shape == "from midnight":
        return 0, max(1, start)
    return start, min(start + draw(lengths), MINUTES_PER_DAY)


@st.composite
def instants(draw: st.DrawFn, name: str) -> datetime:
    changes = transitions(name)
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
        quarters = draw(st.integers(-4 * 96, 4 * 96))
        instant = base + timedelta(minutes=15 * quarters)
    else:
        instant = draw(st.datetimes(FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None)))
        instant = instant.replace(tzinfo=UTC)
        if draw(st.booleans()):
            instant = instant.replace(minute=instant.minute // 15 * 15, second=0, microsecond=0)
    return instant


@dataclass(frozen=True)
class Refusal:
    """A change the schedule refused: what it was, the message, the schedule it met."""

    before: Schedule
    candidate: Schedule  # the refused value, built without the checks
    new_label: str
    message: str


@dataclass(frozen=True)
class Scenario:
    schedule: Schedule
    anchor: datetime
    refusals: tuple[Refusal, ...]

    @property
    def zone(self) -> ZoneInfo:
        return self.schedule.zone


@st.composite
def scenarios(draw: st.DrawFn, *, windows: bool = True, imported: bool = True) -> Scenario:
    """A random schedule built change by change, around a random instant (the anchor)."""
    name = draw(zone_names)
    zone = ZoneInfo(name)
    anchor = draw(instants(name))
    anchor_day = anchor.astimezone(zone).date()
    kinds = st.sampled_from(list(BlockKind)) if windows else st.just(BlockKind.DEEP_WORK)
    near_days = st.integers(-3, 10).map(lambda offset: anchor_day + timedelta(days=offset))
    operations = ["weekly", "weekly", "weekly", "one_off", "skip", "closed"]
    if imported:
        operations.append("imported")
    schedule = Schedule(zone=zone)
    refusals: list[Refusal] = []
    for operation in draw(st.lists(st.sampled_from(operations), max_size=10)):
        if operation == "weekly":
            start, end = draw(minute_ranges())
            block = WeeklyBlock(draw(kinds), draw(day_sets), start, end)
            label = block.describe()
            candidate = dataclasses.replace(schedule, weekly=(*schedule.weekly, block))
            change = candidate.checked
        elif operation == "one_off":
            start, end = draw(minute_ranges())
            one_off = OneOffBlock(draw(kinds), draw(near_days), start, end)
            label = one_off.describe()
            candidate = dataclasses.replace(schedule, one_offs=(*schedule.one_offs, one_off))
            change = candidate.checked
        elif operation == "imported":
            begin = anchor.replace(second=0, microsecond=0) + timedelta(
                minutes=15 * draw(st.integers(-3 * 96, 10 * 96))
            )
            source = draw(st.sampled_from(["work.ics", "home.ics"]))
            summary = draw(st.sampled_from(["", "Focus", "Writing"]))
            # Mostly meetings, sometimes a retreat lasting days.
            length = draw(
                st.one_of(lengths, lengths, st.integers(1, 12 * 24).map(lambda hours: hours * 60))
            )
            imported_block = ImportedBlock(
                begin, begin + timedelta(minutes=length), summary, source
            )
            label = imported_block.describe(zone)
            same_source = [b for b in schedule.imported if b.source == source]
            candidate = dataclasses.replace(schedule, imported=(*schedule.imported, imported_block))

            def change(
                schedule: Schedule = schedule,
                source: str = source,
                blocks: tuple[ImportedBlock, ...] = (*same_source, imported_block),
            ) -> Schedule:
                return schedule.with_imported(source, blocks)

        elif operation == "skip":
            starts = sorted({b.start for b in schedule.weekly if b.kind is BlockKind.WINDOW})
            skip = SkipWindow(draw(near_days), draw(st.sampled_from([None, *starts])))
            if any(
                b.kind is BlockKind.WINDOW
                and skip.day.weekday() in b.days
                and skip.start in (None, b.start)
                for b in schedule.weekly
            ):
                schedule = schedule.with_skip(skip)
            else:  # no weekly window starts then: nothing to skip
                with pytest.raises(BadInput, match="no weekly window starts then"):
                    schedule.with_skip(skip)
            continue
        else:
            schedule = schedule.with_closed_day(draw(near_days))
            continue
        try:
            schedule = change()
        except BadInput as error:
            refusals.append(Refusal(schedule, candidate, label, error.message))
    return Scenario(schedule, anchor, tuple(refusals))


# --- an independent oracle for the mode ---------------------------------------------------


def offset_is_steady(instant: datetime, zone: ZoneInfo) -> bool:
    """True if the zone's offset is the same for two days either side of ``instant``."""
    offset = instant.astimezone(zone).utcoffset()
    return all(
        (instant + timedelta(hours=6 * step)).astimezone(zone).utcoffset() == offset
        for step in range(-8, 9)
    )


def wall_clock_mode(schedule: Schedule, instant: datetime) -> Mode:
    """The mode read straight off the wall clock (valid away from clock changes)."""
    if not schedule.has_windows:
        return Mode.WINDOW
    local = instant.astimezone(schedule.zone)
    day = local.date()
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    active: set[BlockKind] = set()
    if day not in schedule.closed_days:
        skipped = {s.start for s in schedule.skips if s.day == day}
        for block in schedule.weekly:
            if day.weekday() not in block.days or not block.start <= minute < block.end:
                continue
            if block.kind is BlockKind.WINDOW and (None in skipped or block.start in skipped):
                continue
            active.add(block.kind)
    for one_off in schedule.one_offs:
        if one_off.day == day and one_off.start <= minute < one_off.end:
            active.add(one_off.kind)
    if any(b.start <= instant < b.end for b in schedule.imported):
        active.add(BlockKind.DEEP_WORK)
    if BlockKind.WINDOW in active:
        return Mode.WINDOW
    return Mode.DEEP_WORK if active else Mode.CLOSED


def may_not_overlap(first: Interval, second: Interval) -> bool:
    return BlockKind.WINDOW in (first.kind, second.kind)


def clashes(intervals: list[Interval]) -> list[tuple[Interval, Interval]]:
    """Every pair of placed intervals that overlap although one of them is a window."""
    found = []
    for index, first in enumerate(intervals):
        for second in intervals[index + 1 :]:
            if second.start >= first.end:
                break  # sorted by start: nothing later can overlap ``first``
            if may_not_overlap(first, second) and first.overlaps(second):
                found.append((first, second))
    return found


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(scenarios(), st.lists(st.floats(0, 1, exclude_min=True, exclude_max=True), min_size=4))
def test_mode_is_constant_until_the_next_transition_and_changes_there(
    scenario: Scenario, fractions: list[float]
) -> None:
    schedule, instant = scenario.schedule, scenario.anchor
    for _ in range(4):  # walk a few transitions from the anchor on
        current = schedule.mode_at(instant)
        transition = schedule.next_transition(instant)
        if transition is None:
            # Never changes within the horizon: sample the next 60 days.
            for fraction in fractions:
                later = instant + timedelta(days=60) * fraction
                assert schedule.mode_at(later) is current, later
            return
        assert transition > instant
        inside = [instant + (transition - instant) * fraction for fraction in fractions]
        inside += [transition - TICK, transition - timedelta(seconds=1)]
        # Every block edge before the transition keeps the mode too (it can only change there).
        inside += [
            edge
            for interval in schedule.intervals_between(instant, transition)
            for edge in (interval.start, interval.end)
        ]
        for probe in inside:
            if instant < probe < transition:
                assert schedule.mode_at(probe) is current, (instant, probe, transition)
        assert schedule.mode_at(transition) is not current, transition
        instant = transition


@SETTINGS
@given(scenarios(), st.lists(st.floats(0, 1), min_size=4, max_size=8))
def test_mode_matches_the_wall_clock_away_from_clock_changes(
    scenario: Scenario, fractions: list[float]
) -> None:
    schedule = scenario.schedule
    for fraction in fractions:
        instant = scenario.anchor + timedelta(days=8) * fraction
        instant = instant.replace(second=0, microsecond=0) if fraction < 0.5 else instant
        if offset_is_steady(instant, scenario.zone):
            assert schedule.mode_at(instant) is wall_clock_mode(schedule, instant), instant


@SETTINGS
@given(scenarios())
def test_no_window_ever_overlaps_a_window_or_a_deep_work_block(scenario: Scenario) -> None:
    schedule, anchor = scenario.schedule, scenario.anchor
    placed = schedule.intervals_between(anchor - timedelta(days=5), anchor + timedelta(days=14))
    assert clashes(placed) == []


@SETTINGS
@given(scenarios())
def test_a_refused_change_names_both_blocks_and_they_really_clash(scenario: Scenario) -> None:
    for refusal in scenario.refusals:
        message = refusal.message
        assert "\n" not in message
        assert " overlaps " in message
        assert refusal.new_label in message, message
        other = message.replace(refusal.new_label, "", 1)
        # The other block named is one that was already in the schedule.
        before = refusal.before
        known = [b.describe() for b in before.weekly]
        known += [o.describe() for o in before.one_offs]
        known += [b.describe(before.zone) for b in before.imported]
        named = [label for label in known if label in other]
        assert named, message
        # ...and the two really clash on the time line (overrides only hide weekly blocks,
        # so the clash shows without them; five weeks always hold a day without a DST gap).
        bare = dataclasses.replace(refusal.candidate, skips=(), closed_days=frozenset())
        anchor = scenario.anchor
        placed = bare.intervals_between(anchor - timedelta(days=5), anchor + timedelta(days=35))
        assert any(
            mine.label == refusal.new_label and theirs.label in named
            for pair in clashes(placed)
            for mine, theirs in (pair, pair[::-1])
        ), message


@SETTINGS
@given(scenarios(imported=False), st.data())
def test_a_block_on_top_of_a_window_is_refused_naming_both(
    scenario: Scenario, data: st.DataObject
) -> None:
    schedule, anchor = scenario.schedule, scenario.anchor
    windows = [
        interval
        for interval in schedule.intervals_between(anchor, anchor + timedelta(days=7))
        if interval.kind is BlockKind.WINDOW
    ]
    if not windows:
        return
    window = data.draw(st.sampled_from(windows))
    # Blocks inside the window's first minute: they clash with it and with nothing else.
    clash = ImportedBlock(window.start, window.start + timedelta(minutes=1), "Call")
    with pytest.raises(BadInput) as refused:
        schedule.with_imported("clash.ics", [clash])
    assert window.label in refused.value.message
    assert clash.describe(schedule.zone) in refused.value.message
    start = window.start.astimezone(schedule.zone)
    minute = start.hour * 60 + start.minute
    kind = data.draw(st.sampled_from(list(BlockKind)))
    one_off = OneOffBlock(kind, start.date(), minute, minute + 1)
    with pytest.raises(BadInput) as refused:
        schedule.with_one_off(one_off)
    assert window.label in refused.value.message
    assert one_off.describe() in refused.value.message


@SETTINGS
@given(scenarios(windows=False), st.lists(st.floats(0, 1), min_size=3, max_size=6))
def test_a_schedule_without_windows_is_always_open(
    scenario: Scenario, fractions: list[float]
) -> None:
    schedule = scenario.schedule
    assert not schedule.has_windows
    for fraction in fractions:
        instant = scenario.anchor + timedelta(days=10) * fraction - timedelta(days=3)
        assert schedule.mode_at(instant) is Mode.WINDOW
        assert schedule.next_transition(instant) is None
        assert schedule.next_window(instant) is None


@SETTINGS
@given(scenarios())
def test_next_window_starts_after_now_and_is_the_first_time_the_inbox_opens(
    scenario: Scenario,
) -> None:
    schedule, instant = scenario.schedule, scenario.anchor
    upcoming = schedule.next_window(instant)
    if upcoming is None:
        return
    assert upcoming.kind is BlockKind.WINDOW
    assert upcoming.start > instant
    assert upcoming.end > upcoming.start
    assert schedule.mode_at(upcoming.start) is Mode.WINDOW
    assert schedule.mode_at(upcoming.start - TICK) is not Mode.WINDOW
    assert schedule.mode_at(upcoming.end - TICK) is Mode.WINDOW
    if upcoming.end - upcoming.start < HORIZON:  # else: open as far as the schedule looks
        assert schedule.mode_at(upcoming.end) is not Mode.WINDOW  # windows that touch merge
        assert schedule.next_transition(upcoming.start) == upcoming.end
        assert schedule.previous_window_end(upcoming.end) == upcoming.end
    # Walking the transitions from now, the first one into a window is its start.
    moment = instant
    while True:
        following = schedule.next_transition(moment)
        assert following is not None
        assert following <= upcoming.start
        if schedule.mode_at(following) is Mode.WINDOW:
            assert following == upcoming.start
            break
        moment = following
    current = schedule.current_window(upcoming.start)
    assert current is not None
    assert current.start == upcoming.start
    if upcoming.end - upcoming.start < HORIZON:
        assert current == upcoming


@SETTINGS
@given(scenarios(), st.lists(st.floats(0, 1), min_size=2, max_size=6))
def test_current_window_is_the_whole_open_stretch_around_now(
    scenario: Scenario, fractions: list[float]
) -> None:
    schedule = scenario.schedule
    for fraction in fractions:
        instant = scenario.anchor + timedelta(days=8) * fraction
        current = schedule.current_window(instant)
        if not schedule.has_windows or schedule.mode_at(instant) is not Mode.WINDOW:
            assert current is None
            continue
        assert current is not None
        assert current.contains(instant)
        assert schedule.mode_at(current.start) is Mode.WINDOW
        assert schedule.mode_at(current.end - TICK) is Mode.WINDOW
        if instant - current.start < HORIZON:  # else: open as far back as the schedule looks
            assert schedule.mode_at(current.start - TICK) is not Mode.WINDOW
        if current.end - instant < HORIZON:
            assert schedule.mode_at(current.end) is not Mode.WINDOW
            assert schedule.previous_window_end(current.end) == current.end
            assert schedule.next_transition(instant) == current.end
        # It has not ended yet.
        assert schedule.previous_window_end(instant) != current.end


local_days = st.dates(FIRST.date(), LAST.date() - timedelta(days=1))


@st.composite
def days_near_changes(draw: st.DrawFn, name: str) -> date:
    changes = transitions(name)
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes)).astimezone(ZoneInfo(name))
        return change.date() + timedelta(days=draw(st.integers(-1, 1)))
    return draw(local_days)


@st.composite
def zone_and_day(draw: st.DrawFn) -> tuple[ZoneInfo, date]:
    name = draw(zone_names)
    return ZoneInfo(name), draw(days_near_changes(name))


@SETTINGS
@given(zone_and_day(), st.lists(st.integers(0, MINUTES_PER_DAY), min_size=2, max_size=30))
def test_local_instant_never_goes_back_as_the_minute_grows(
    zone_day: tuple[ZoneInfo, date], minutes: list[int]
) -> None:
    zone, day = zone_day
    placed = [local_instant(day, minute, zone) for minute in sorted(minutes)]
    assert placed == sorted(placed)
    assert local_instant(day, MINUTES_PER_DAY, zone) == local_instant(
        day + timedelta(days=1), 0, zone
    )


@SETTINGS
@given(zone_and_day(), st.integers(0, MINUTES_PER_DAY - 1))
def test_local_instant_follows_the_dst_rules(zone_day: tuple[ZoneInfo, date], minute: int) -> None:
    zone, day = zone_day
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    placed = local_instant(day, minute, zone)
    assert placed.utcoffset() == timedelta(0)
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    exists = earlier.astimezone(zone).replace(tzinfo=None) == wall
    if exists and earlier == later:
        # Existing and unambiguous: round-trips to the same wall time.
        assert placed.astimezone(zone).replace(tzinfo=None) == wall
    elif exists:
        # Happens twice: the first occurrence.
        assert placed == min(earlier, later)
        assert placed.astimezone(zone).replace(tzinfo=None) == wall
    else:
        # Skipped: the instant the clocks jumped, past the wall time, a second before it not.
        assert placed.astimezone(zone).replace(tzinfo=None) > wall
        assert (placed - TICK).astimezone(zone).replace(tzinfo=None) < wall
        assert placed.astimezone(zone).utcoffset() != (placed - TICK).astimezone(zone).utcoffset()


@settings(max_examples=100, deadline=None)
@given(day_sets)
def test_days_format_and_parse_back(days: frozenset[int]) -> None:
    text = format_days(days)
    assert parse_days(text) == days
    assert len(text) <= len(",".join(["mon"] * len(days)))
