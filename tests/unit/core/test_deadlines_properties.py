"""Working-hours arithmetic and durations over random zones, hours, starts and amounts.

Two references, both slow and independent of the week skipping in the code:

- :func:`grid_reference` walks real time in 15-minute steps and reads only the wall clock.
  It rests on one way to state the DST rules of :mod:`asyncdesk.core.schedule`: an
  instant is working time when the *latest wall-clock reading seen so far* lies in
  working hours. (A wall time that happens twice counts once, from its first occurrence,
  because the reading cannot rise past it again; a skipped wall time starts the moment
  the clocks jump past it.) Everything is drawn on that grid, and every zone here
  changes its offset on it, so the walk is exact.
- :func:`period_reference` walks one local day at a time through
  :meth:`WorkingHours.period_on`, for amounts up to a year and starts to the microsecond.

Starts are drawn from 2010-2029 and, half of the time, from the days around one of the
zone's own clock changes (Lord Howe's is 30 minutes; Sao Paulo changed at midnight until
2019; Kolkata has a 30-minute offset and no DST).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from asyncdesk.core.deadlines import (
    MAX_DURATION,
    WorkingHours,
    add_working_time,
    format_duration,
    parse_duration,
)
from asyncdesk.core.errors import BadInput

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "UTC",
)
FIRST = datetime(2010, 1, 1, tzinfo=UTC)
LAST = datetime(2029, 12, 31, tzinfo=UTC)
STEP = timedelta(minutes=15)
TICK = timedelta(microseconds=1)
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


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


# --- strategies -------------------------------------------------------------------------------


@st.composite
def working_hours(draw: st.DrawFn, name: str) -> WorkingHours:
    """Office hours, hours with an edge in the night's clock changes, or any on the grid."""
    days = draw(st.frozensets(st.integers(0, 6), min_size=1, max_size=7))
    shape = draw(st.sampled_from(["office", "night", "edge", "edge", "any"]))
    if shape == "office":
        start, end = 9 * 4, 17 * 4
    elif shape == "night":  # holds the hours in which clocks change
        start, end = draw(st.integers(0, 4)), draw(st.integers(13, 28))
    elif shape == "edge":  # starts or ends in them, or both (00:00-04:00)
        start = draw(st.integers(0, 12))
        end = draw(st.integers(start + 1, 16))
    else:
        start = draw(st.integers(0, 94))
        end = draw(st.integers(start + 1, 95))
    return WorkingHours(days, _quarter(start), _quarter(end), ZoneInfo(name))


def _quarter(index: int) -> time:
    return time(index // 4, index % 4 * 15)


@st.composite
def grid_instants(draw: st.DrawFn, name: str) -> datetime:
    """An instant on the 15-minute grid, often within four days of a clock change."""
    changes = transitions(name)
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes))
    else:
        days = draw(st.integers(0, (LAST - FIRST).days))
        base = FIRST + timedelta(days=days)
    return base + STEP * draw(st.integers(-4 * 96, 4 * 96))


@st.composite
def grid_cases(draw: st.DrawFn) -> tuple[datetime, timedelta, WorkingHours]:
    """Start, amount and hours on the grid; the amount is at most two weeks' work, so
    that the reference walks at most about three weeks."""
    name = draw(st.sampled_from(ZONES))
    hours = draw(working_hours(name))
    quarters = hours.weekly // STEP
    amount = STEP * draw(st.integers(0, 2 * quarters))
    return draw(grid_instants(name)), amount, hours


@st.composite
def precise_cases(draw: st.DrawFn) -> tuple[datetime, WorkingHours]:
    """A start anywhere to the microsecond, hours on the grid."""
    name = draw(st.sampled_from(ZONES))
    base = draw(grid_instants(name))
    return base + timedelta(microseconds=draw(st.integers(0, 15 * 60 * 10**6))), draw(
        working_hours(name)
    )


def small_amounts(hours: WorkingHours) -> st.SearchStrategy[timedelta]:
    return st.integers(0, 3 * hours.weekly // TICK).map(lambda ticks: TICK * ticks)


# --- the references ---------------------------------------------------------------------------


def grid_reference(start: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """Walk 15-minute steps; a step is working time if the highest wall-clock reading so
    far lies inside working hours."""
    if not amount:
        return start
    zone = hours.zone

    def reading(instant: datetime) -> datetime:
        return instant.astimezone(zone).replace(tzinfo=None)

    highest = max(reading(start - STEP * back) for back in range(0, 8))  # folds < 2 h
    remaining, instant = amount, start
    while True:
        highest = max(highest, reading(instant))
        if highest.weekday() in hours.days and hours.start <= highest.time() < hours.end:
            remaining -= STEP
            if not remaining:
                return instant + STEP
        instant += STEP


def period_reference(start: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """Walk local days one by one, with no week skipping."""
    if not amount:
        return start
    day = start.astimezone(hours.zone).date() - timedelta(days=1)
    remaining = amount
    while True:
        period = hours.period_on(day)
        if period is not None and period[1] > start:
            usable = period[1] - max(period[0], start)
            if remaining <= usable:
                return max(period[0], start) + remaining
            remaining -= usable
        day += timedelta(days=1)


def working_time_between(start: datetime, end: datetime, hours: WorkingHours) -> timedelta:
    total = timedelta(0)
    day = start.astimezone(hours.zone).date() - timedelta(days=1)
    while day <= end.astimezone(hours.zone).date() + timedelta(days=1):
        period = hours.period_on(day)
        if period is not None:
            total += max(timedelta(0), min(period[1], end) - max(period[0], start))
        day += timedelta(days=1)
    return total


# --- properties -----------------------------------------------------------------------------


@SETTINGS
@given(grid_cases())
@example(
    (
        datetime(2026, 3, 28, 22, tzinfo=UTC),
        timedelta(hours=6),
        WorkingHours(frozenset(range(7)), time(0), time(6), ZoneInfo("Europe/Berlin")),
    )
)
@example(
    (
        datetime(2026, 10, 24, 22, tzinfo=UTC),
        timedelta(hours=8),
        WorkingHours(frozenset({6}), time(0, 30), time(2, 30), ZoneInfo("Europe/Berlin")),
    )
)
def test_the_result_matches_a_walk_by_the_wall_clock(
    case: tuple[datetime, timedelta, WorkingHours],
) -> None:
    start, amount, hours = case
    assert add_working_time(start, amount, hours) == grid_reference(start, amount, hours)


@SETTINGS
@given(precise_cases(), st.data())
def test_working_time_from_start_to_result_is_the_amount(
    case: tuple[datetime, WorkingHours], data: st.DataObject
) -> None:
    start, hours = case
    amount = data.draw(small_amounts(hours))
    result = add_working_time(start, amount, hours)
    assert result >= start
    assert result.tzinfo is UTC
    assert working_time_between(start, result, hours) == amount
    assert result == period_reference(start, amount, hours)
    if amount:
        # Inside a period, or exactly at its end: the last tick before it was working time.
        assert hours.contains(result - TICK)


@SETTINGS
@given(precise_cases(), st.data())
def test_monotonic_in_start_and_in_amount(
    case: tuple[datetime, WorkingHours], data: st.DataObject
) -> None:
    start, hours = case
    first, second = sorted(data.draw(st.lists(small_amounts(hours), min_size=2, max_size=2)))
    later = start + data.draw(st.integers(0, 10 * 24 * 3600 * 10**6)) * TICK
    assert add_working_time(start, first, hours) <= add_working_time(start, second, hours)
    assert add_working_time(start, first, hours) <= add_working_time(later, first, hours)
    if first < second:
        assert add_working_time(start, first, hours) < add_working_time(start, second, hours)


@SETTINGS
@given(precise_cases(), st.data())
def test_counting_in_two_steps_is_counting_at_once(
    case: tuple[datetime, WorkingHours], data: st.DataObject
) -> None:
    start, hours = case
    first, second = data.draw(small_amounts(hours)), data.draw(small_amounts(hours))
    halfway = add_working_time(start, first, hours)
    assert add_working_time(halfway, second, hours) == add_working_time(
        start, first + second, hours
    )


@settings(SETTINGS, max_examples=40)
@given(precise_cases(), st.integers(1, 52), st.integers(0, 10**6))
def test_long_slas_skip_weeks_to_the_same_answer(
    case: tuple[datetime, WorkingHours], weeks: int, minutes: int
) -> None:
    """Up to a year of working hours (and never more than a year of work), compared with
    the day-by-day walk: the weekly skips must land exactly where the walk does."""
    start, hours = case
    amount = min(hours.weekly * weeks + timedelta(minutes=minutes) % hours.weekly, MAX_DURATION)
    result = add_working_time(start, amount, hours)
    assert result == period_reference(start, amount, hours)


@settings(SETTINGS, max_examples=20)
@given(st.sampled_from(ZONES), st.integers(0, (LAST - FIRST).days))
def test_a_year_of_office_hours(name: str, offset: int) -> None:
    """The longest promise in office hours: 365 days of work, four years of calendar."""
    hours = WorkingHours(frozenset(range(5)), time(9), time(17), ZoneInfo(name))
    start = FIRST + timedelta(days=offset, hours=offset % 24, minutes=offset % 60)
    result = add_working_time(start, MAX_DURATION, hours)
    assert result == period_reference(start, MAX_DURATION, hours)
    local = result.astimezone(hours.zone)
    assert local.weekday() < 5
    assert time(9) < local.time() <= time(17)


# --- durations --------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.integers(1, MAX_DURATION // timedelta(minutes=1)))
def test_formatted_durations_parse_back(minutes: int) -> None:
    duration = timedelta(minutes=minutes)
    assert parse_duration(format_duration(duration)) == duration


@settings(max_examples=300)
@given(
    st.integers(0, 52),
    st.integers(0, 400),
    st.integers(0, 10_000),
    st.integers(0, 100_000),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_written_durations_parse_to_their_sum(
    weeks: int, days: int, hours: int, minutes: int, space: str, upper: bool
) -> None:
    parts = [(weeks, "w"), (days, "d"), (hours, "h"), (minutes, "m")]
    text = space.join(f"{value}{unit.upper() if upper else unit}" for value, unit in parts)
    total = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    if timedelta(0) < total <= MAX_DURATION:
        assert parse_duration(text) == total
    else:
        with pytest.raises(BadInput, match=r"^[^\n]+$"):
            parse_duration(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("0123456789wdhmWDHMsy .:-+,x\t"), max_size=20))
def test_any_text_is_a_duration_or_bad_input(text: str) -> None:
    try:
        duration = parse_duration(text)
    except BadInput as error:
        message = error.message
    else:
        assert timedelta(0) < duration <= MAX_DURATION
        assert duration % timedelta(minutes=1) == timedelta(0)
        return
    assert message
    assert "\n" not in message


def test_references_agree_with_each_other_on_a_known_case() -> None:
    """The two references themselves, on a day Berlin springs forward."""
    hours = WorkingHours(frozenset(range(7)), time(1), time(4), ZoneInfo("Europe/Berlin"))
    start = datetime(2026, 3, 28, 23, tzinfo=UTC)  # Sunday 00:00 CET
    for quarters in range(0, 40):
        amount = STEP * quarters
        assert grid_reference(start, amount, hours) == period_reference(start, amount, hours)
    # 01:00-04:00 on that night is two hours of working time.
    assert working_time_between(start, start + timedelta(hours=6), hours) == timedelta(hours=2)
