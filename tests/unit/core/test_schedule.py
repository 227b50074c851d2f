"""Schedule: windows, deep work, overrides and imports placed on the time line, with DST.

Expected instants are worked out by hand from the rules in the module docstring of
``asyncdesk.core.schedule`` (a repeated local time is its first occurrence, a skipped one
is the instant the clocks jumped) and written in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import (
    BlockKind,
    ImportedBlock,
    Interval,
    Mode,
    OneOffBlock,
    Schedule,
    SkipWindow,
    WeeklyBlock,
    check_range,
    format_days,
    parse_clock,
    parse_days,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WINDOW, DEEP = BlockKind.WINDOW, BlockKind.DEEP_WORK
SECOND = timedelta(seconds=1)


def z(text: str) -> datetime:
    """``"2026-03-29 07:00"`` → that instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(zone: ZoneInfo, text: str) -> datetime:
    """``"2026-11-23 09:10"`` on the wall clock of ``zone`` → the instant, in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def weekly(kind: BlockKind, days: str, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end, end=True))


def one_off(kind: BlockKind, day: str, start: str, end: str) -> OneOffBlock:
    return OneOffBlock(
        kind, date.fromisoformat(day), parse_clock(start), parse_clock(end, end=True)
    )


def schedule(zone: ZoneInfo, *blocks: WeeklyBlock) -> Schedule:
    built = Schedule(zone=zone)
    for block in blocks:
        built = built.with_weekly(block)
    return built


def windows_on(built: Schedule, day: str) -> list[tuple[datetime, datetime]]:
    return sorted(
        (i.start, i.end)
        for i in built.intervals_on(date.fromisoformat(day))
        if i.kind is BlockKind.WINDOW
    )


# --- DST: a daily window around both changes, in Berlin and New York ----------------------


@pytest.mark.parametrize(
    ("zone", "day", "start"),
    [
        # Berlin: CET (+1) until 2026-03-29, CEST (+2) until 2026-10-25, then CET again.
        (BERLIN, "2026-03-28", "2026-03-28 08:00"),
        (BERLIN, "2026-03-29", "2026-03-29 07:00"),
        (BERLIN, "2026-03-30", "2026-03-30 07:00"),
        (BERLIN, "2026-10-24", "2026-10-24 07:00"),
        (BERLIN, "2026-10-25", "2026-10-25 08:00"),
        (BERLIN, "2026-10-26", "2026-10-26 08:00"),
        # New York: EST (-5) until 2026-03-08, EDT (-4) until 2026-11-01, then EST.
        (NEW_YORK, "2026-03-07", "2026-03-07 14:00"),
        (NEW_YORK, "2026-03-08", "2026-03-08 13:00"),
        (NEW_YORK, "2026-03-09", "2026-03-09 13:00"),
        (NEW_YORK, "2026-10-31", "2026-10-31 13:00"),
        (NEW_YORK, "2026-11-01", "2026-11-01 14:00"),
        (NEW_YORK, "2026-11-02", "2026-11-02 14:00"),
    ],
)
def test_a_daily_window_keeps_its_wall_time_the_day_before_of_and_after_a_change(
    zone: ZoneInfo, day: str, start: str
) -> None:
    built = schedule(zone, weekly(WINDOW, "daily", "09:00", "09:30"))
    opens = z(start)
    assert windows_on(built, day) == [(opens, opens + timedelta(minutes=30))]
    assert built.mode_at(opens - SECOND) is Mode.CLOSED
    assert built.mode_at(opens) is Mode.WINDOW
    assert built.mode_at(opens + timedelta(minutes=30)) is Mode.CLOSED
    assert built.next_transition(opens - timedelta(hours=3)) == opens
    upcoming = built.next_window(opens - timedelta(hours=3))
    assert upcoming is not None
    assert (upcoming.start, upcoming.end) == (opens, opens + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("zone", "day", "start", "end"),
    [
        # Spring: 02:00-03:00 does not exist, so 01:30-03:30 shows one hour on the wall.
        (BERLIN, "2026-03-29", "2026-03-29 00:30", "2026-03-29 01:30"),
        (NEW_YORK, "2026-03-08", "2026-03-08 06:30", "2026-03-08 07:30"),
        # Autumn: 02:00-03:00 (Berlin) / 01:00-02:00 (New York) happens twice; 01:30 is its
        # first occurrence (summer time) and 03:30 is after the change: three hours.
        (BERLIN, "2026-10-25", "2026-10-24 23:30", "2026-10-25 02:30"),
        (NEW_YORK, "2026-11-01", "2026-11-01 05:30", "2026-11-01 08:30"),
    ],
)
def test_a_night_window_over_the_change_lasts_what_the_wall_clock_shows(
    zone: ZoneInfo, day: str, start: str, end: str
) -> None:
    built = schedule(zone, weekly(WINDOW, "daily", "01:30", "03:30"))
    assert windows_on(built, day) == [(z(start), z(end))]
    # The window crosses the moment the clocks change, and stays open across it.
    assert built.mode_at(z(start) - SECOND) is Mode.CLOSED
    assert built.mode_at(z(end) - SECOND) is Mode.WINDOW
    assert built.next_transition(z(start) - timedelta(hours=1)) == z(start)
    assert built.next_transition(z(start)) == z(end)
    current = built.current_window(z(end) - timedelta(minutes=45))
    assert current is not None
    assert (current.start, current.end) == (z(start), z(end))


def test_a_window_inside_the_spring_gap_is_empty_and_one_across_it_starts_at_the_jump() -> None:
    berlin = schedule(
        BERLIN,
        weekly(WINDOW, "sun", "02:00", "03:00"),
        weekly(DEEP, "sun", "03:00", "04:00"),
    )
    # 2026-03-29: the clocks jump from 02:00 CET (01:00Z) to 03:00 CEST.
    assert windows_on(berlin, "2026-03-29") == []
    assert berlin.mode_at(z("2026-03-29 00:59")) is Mode.CLOSED
    assert berlin.mode_at(z("2026-03-29 01:00")) is Mode.DEEP_WORK
    assert berlin.next_window(z("2026-03-28 12:00")) == Interval(
        WINDOW, z("2026-04-05 00:00"), z("2026-04-05 01:00"), "window sun 02:00-03:00"
    )
    later = schedule(BERLIN, weekly(WINDOW, "sun", "02:30", "03:30"))
    assert windows_on(later, "2026-03-29") == [(z("2026-03-29 01:00"), z("2026-03-29 01:30"))]
    new_york = schedule(NEW_YORK, weekly(WINDOW, "sun", "02:30", "03:15"))
    assert windows_on(new_york, "2026-03-08") == [(z("2026-03-08 07:00"), z("2026-03-08 07:15"))]


def test_a_repeated_time_means_its_first_occurrence() -> None:
    berlin = schedule(
        BERLIN,
        weekly(WINDOW, "sun", "02:00", "02:30"),
        weekly(DEEP, "sun", "02:30", "03:00"),
    )
    # 2026-10-25: 02:00-03:00 runs in CEST (00:00Z-01:00Z), then again in CET (01:00Z-02:00Z).
    assert windows_on(berlin, "2026-10-25") == [(z("2026-10-25 00:00"), z("2026-10-25 00:30"))]
    assert berlin.mode_at(z("2026-10-25 00:15")) is Mode.WINDOW
    # The deep-work block starts at the first 02:30 and ends at 03:00, after the repeat.
    assert berlin.mode_at(z("2026-10-25 01:15")) is Mode.DEEP_WORK  # the second 02:15
    assert berlin.next_transition(z("2026-10-25 00:15")) == z("2026-10-25 00:30")
    assert berlin.next_transition(z("2026-10-25 00:30")) == z("2026-10-25 02:00")
    new_york = schedule(NEW_YORK, weekly(WINDOW, "sun", "01:00", "01:30"))
    assert windows_on(new_york, "2026-11-01") == [(z("2026-11-01 05:00"), z("2026-11-01 05:30"))]
    assert new_york.mode_at(z("2026-11-01 06:15")) is Mode.CLOSED  # the second 01:15


@pytest.mark.parametrize(
    ("zone", "saturday_evening", "sunday_nine"),
    [
        (BERLIN, "2026-03-28 16:30", "2026-03-29 07:00"),
        (BERLIN, "2026-10-24 16:30", "2026-10-25 08:00"),
        (NEW_YORK, "2026-03-07 16:30", "2026-03-08 13:00"),
        (NEW_YORK, "2026-10-31 16:30", "2026-11-01 14:00"),
    ],
)
def test_modes_and_transitions_follow_the_wall_clock_across_the_change(
    zone: ZoneInfo, saturday_evening: str, sunday_nine: str
) -> None:
    built = schedule(
        zone,
        weekly(WINDOW, "daily", "09:00", "09:30"),
        weekly(DEEP, "daily", "09:30", "12:00"),
        weekly(WINDOW, "daily", "16:00", "16:30"),
    )
    evening = at(zone, saturday_evening)
    nine = z(sunday_nine)
    assert built.mode_at(evening) is Mode.CLOSED
    assert built.next_transition(evening) == nine
    upcoming = built.next_window(evening)
    assert upcoming is not None
    assert (upcoming.start, upcoming.end) == (nine, nine + timedelta(minutes=30))
    assert built.mode_at(nine) is Mode.WINDOW
    assert built.next_transition(nine) == nine + timedelta(minutes=30)
    assert built.mode_at(nine + timedelta(minutes=30)) is Mode.DEEP_WORK
    assert built.next_transition(nine + timedelta(minutes=30)) == nine + timedelta(hours=3)
    assert built.mode_at(nine + timedelta(hours=3)) is Mode.CLOSED
    assert built.next_transition(nine + timedelta(hours=3)) == nine + timedelta(hours=7)
    assert built.previous_window_end(nine + timedelta(hours=1)) == nine + timedelta(minutes=30)


# --- other zones: a 30-minute change, no DST, a skipped day, a change at midnight ---------


def test_lord_howe_moves_its_clocks_by_half_an_hour() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    built = schedule(
        lord_howe,
        weekly(WINDOW, "sun", "02:00", "03:00"),
        weekly(WINDOW, "sun", "01:30", "02:00"),
    )
    # 2026-10-04: 02:00 (+10:30, 15:30Z) jumps to 02:30 (+11): the 02:00 window keeps 30 min.
    assert windows_on(built, "2026-10-04") == [
        (z("2026-10-03 15:00"), z("2026-10-03 15:30")),
        (z("2026-10-03 15:30"), z("2026-10-03 16:00")),
    ]
    # Touching windows are one: open from 01:30 to 03:00 on the wall.
    assert built.next_transition(z("2026-10-03 15:00")) == z("2026-10-03 16:00")
    # 2026-04-05: 02:00 (+11) goes back to 01:30 (+10:30): 01:30-02:00 happens twice and the
    # 01:30 window runs from its first occurrence until 02:00, an hour on the wall.
    assert windows_on(built, "2026-04-05") == [
        (z("2026-04-04 14:30"), z("2026-04-04 15:30")),
        (z("2026-04-04 15:30"), z("2026-04-04 16:30")),
    ]


def test_kolkata_has_no_dst_and_a_half_hour_offset() -> None:
    built = schedule(ZoneInfo("Asia/Kolkata"), weekly(WINDOW, "mon-fri", "09:00", "09:30"))
    for day in ("2026-03-09", "2026-10-26", "2026-11-02"):  # Mondays after changes elsewhere
        assert windows_on(built, day) == [(z(f"{day} 03:30"), z(f"{day} 04:00"))]


def test_samoa_skipped_a_whole_day_and_the_next_window_is_the_one_after_it() -> None:
    apia = ZoneInfo("Pacific/Apia")
    built = schedule(apia, weekly(WINDOW, "daily", "09:00", "10:00"))
    # Thursday 2011-12-29 (-10) was followed by Saturday 2011-12-31 (+14).
    assert windows_on(built, "2011-12-29") == [(z("2011-12-29 19:00"), z("2011-12-29 20:00"))]
    assert windows_on(built, "2011-12-30") == []
    upcoming = built.next_window(z("2011-12-29 20:00"))
    assert upcoming is not None
    assert (upcoming.start, upcoming.end) == (z("2011-12-30 19:00"), z("2011-12-30 20:00"))
    assert built.next_transition(z("2011-12-29 20:00")) == z("2011-12-30 19:00")


def test_sao_paulo_skipped_midnight() -> None:
    built = schedule(
        ZoneInfo("America/Sao_Paulo"),
        weekly(WINDOW, "sun", "00:00", "00:45"),
        weekly(DEEP, "sun", "00:45", "02:00"),
    )
    # 2018-11-04: 00:00 (-3, 03:00Z) jumped to 01:00 (-2): the day began at 01:00.
    assert windows_on(built, "2018-11-04") == []
    assert built.mode_at(z("2018-11-04 03:00")) is Mode.DEEP_WORK
    assert built.next_transition(z("2018-11-04 02:00")) == z("2018-11-04 03:00")
    assert built.next_transition(z("2018-11-04 03:00")) == z("2018-11-04 04:00")


# --- a week with overrides ----------------------------------------------------------------

WEEK = ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28")


@pytest.fixture
def usual_week() -> Schedule:
    """Berlin, windows at 09:00 and 16:00 on weekdays, deep work 09:30-12:00 in between."""
    return schedule(
        BERLIN,
        weekly(WINDOW, "mon-fri", "09:00", "09:30"),
        weekly(DEEP, "mon-fri", "09:30", "12:00"),
        weekly(WINDOW, "mon-fri", "16:00", "16:30"),
    )


def test_a_week_with_a_skipped_window_a_saturday_window_and_a_holiday(
    usual_week: Schedule,
) -> None:
    week = (
        usual_week.with_skip(SkipWindow(date(2026, 11, 27), parse_clock("16:00")))
        .with_one_off(one_off(WINDOW, "2026-11-28", "10:00", "11:00"))
        .with_closed_day(date(2026, 11, 25))
    )

    def mode(local_time: str) -> Mode:
        return week.mode_at(at(BERLIN, local_time))

    # Tuesday is as usual.
    assert mode("2026-11-24 09:10") is Mode.WINDOW
    assert mode("2026-11-24 10:00") is Mode.DEEP_WORK
    assert mode("2026-11-24 16:10") is Mode.WINDOW
    # Wednesday is a holiday: no window, and no deep work either.
    for clock in ("09:10", "10:00", "16:10"):
        assert mode(f"2026-11-25 {clock}") is Mode.CLOSED
    upcoming = week.next_window(at(BERLIN, "2026-11-24 16:30"))
    assert upcoming is not None
    assert upcoming.start == at(BERLIN, "2026-11-26 09:00")
    # Friday keeps its morning but not its 16:00 window.
    assert mode("2026-11-27 09:10") is Mode.WINDOW
    assert mode("2026-11-27 10:00") is Mode.DEEP_WORK
    assert mode("2026-11-27 16:10") is Mode.CLOSED
    # After Friday's deep work the next opening is Saturday's one-off window.
    assert week.next_transition(at(BERLIN, "2026-11-27 11:00")) == at(BERLIN, "2026-11-27 12:00")
    assert week.next_transition(at(BERLIN, "2026-11-27 12:00")) == at(BERLIN, "2026-11-28 10:00")
    assert week.next_window(at(BERLIN, "2026-11-27 12:00")) == Interval(
        WINDOW,
        at(BERLIN, "2026-11-28 10:00"),
        at(BERLIN, "2026-11-28 11:00"),
        "one-off window 2026-11-28 10:00-11:00",
    )
    assert mode("2026-11-28 10:30") is Mode.WINDOW
    assert mode("2026-11-29 10:30") is Mode.CLOSED
    upcoming = week.next_window(at(BERLIN, "2026-11-28 11:00"))
    assert upcoming is not None
    assert upcoming.start == at(BERLIN, "2026-11-30 09:00")
    # The same days without the overrides.
    for day in WEEK:
        assert usual_week.mode_at(at(BERLIN, f"{day} 16:10")) is (
            Mode.CLOSED if day == "2026-11-28" else Mode.WINDOW
        )
    # Clearing Friday's override brings its 16:00 window back; the rest stays.
    restored = week.without_overrides_on(date(2026, 11, 27))
    assert restored.mode_at(at(BERLIN, "2026-11-27 16:10")) is Mode.WINDOW
    assert restored.mode_at(at(BERLIN, "2026-11-25 09:10")) is Mode.CLOSED


def test_skipping_every_window_of_a_day_keeps_its_deep_work(usual_week: Schedule) -> None:
    skipped = usual_week.with_skip(SkipWindow(date(2026, 11, 26)))
    assert skipped.mode_at(at(BERLIN, "2026-11-26 09:10")) is Mode.CLOSED
    assert skipped.mode_at(at(BERLIN, "2026-11-26 10:00")) is Mode.DEEP_WORK
    assert skipped.mode_at(at(BERLIN, "2026-11-26 16:10")) is Mode.CLOSED
    upcoming = skipped.next_window(at(BERLIN, "2026-11-25 17:00"))
    assert upcoming is not None
    assert upcoming.start == at(BERLIN, "2026-11-27 09:00")


def test_overrides_that_match_nothing_are_refused(usual_week: Schedule) -> None:
    with pytest.raises(BadInput, match=r"^cannot skip the 09:00 window on 2026-11-28: no weekly"):
        usual_week.with_skip(SkipWindow(date(2026, 11, 28), parse_clock("09:00")))
    with pytest.raises(BadInput, match="cannot skip the 10:00 window on 2026-11-27"):
        usual_week.with_skip(SkipWindow(date(2026, 11, 27), parse_clock("10:00")))
    with pytest.raises(BadInput, match=r"^there are no overrides on 2026-11-23 to clear$"):
        usual_week.without_overrides_on(date(2026, 11, 23))


# --- overlaps -------------------------------------------------------------------------------


def test_a_deep_work_block_over_a_window_is_refused_naming_both() -> None:
    built = schedule(BERLIN, weekly(WINDOW, "mon-fri", "16:00", "16:30"))
    with pytest.raises(BadInput) as refused:
        built.with_weekly(weekly(DEEP, "fri", "16:00", "16:40"))
    assert refused.value.message == (
        "deep-work block fri 16:00-16:40 overlaps window mon-fri 16:00-16:30"
    )
    with pytest.raises(BadInput) as refused:
        built.with_weekly(weekly(WINDOW, "wed,sat", "16:15", "17:00"))
    assert refused.value.message == (
        "window wed,sat 16:15-17:00 overlaps window mon-fri 16:00-16:30"
    )


def test_blocks_that_only_touch_or_share_no_day_are_accepted() -> None:
    built = schedule(
        BERLIN,
        weekly(WINDOW, "mon-fri", "16:00", "16:30"),
        weekly(DEEP, "mon-fri", "16:30", "18:00"),
        weekly(DEEP, "sat-sun", "16:00", "18:00"),
    )
    assert built.mode_at(at(BERLIN, "2026-11-23 16:29")) is Mode.WINDOW
    assert built.mode_at(at(BERLIN, "2026-11-23 16:30")) is Mode.DEEP_WORK
    assert built.mode_at(at(BERLIN, "2026-11-28 16:10")) is Mode.DEEP_WORK


def test_deep_work_blocks_may_overlap_and_merge() -> None:
    built = schedule(
        BERLIN,
        weekly(WINDOW, "mon-fri", "09:00", "09:30"),
        weekly(DEEP, "mon", "10:00", "12:00"),
        weekly(DEEP, "mon-tue", "11:00", "13:00"),
    )
    monday_ten = at(BERLIN, "2026-11-23 10:00")
    assert built.mode_at(at(BERLIN, "2026-11-23 12:30")) is Mode.DEEP_WORK
    assert built.next_transition(monday_ten) == at(BERLIN, "2026-11-23 13:00")


def test_one_off_blocks_are_checked_against_the_weekly_ones_of_their_day(
    usual_week: Schedule,
) -> None:
    friday_call = one_off(DEEP, "2026-11-27", "16:15", "17:00")
    with pytest.raises(BadInput) as refused:
        usual_week.with_one_off(friday_call)
    assert refused.value.message == (
        "one-off deep-work block 2026-11-27 16:15-17:00 overlaps window mon-fri 16:00-16:30"
    )
    # With Friday's 16:00 window skipped, the call fits.
    skipped = usual_week.with_skip(SkipWindow(date(2026, 11, 27), parse_clock("16:00")))
    fits = skipped.with_one_off(friday_call)
    assert fits.mode_at(at(BERLIN, "2026-11-27 16:20")) is Mode.DEEP_WORK
    # A weekly block added later meets the one-offs already there.
    saturday = usual_week.with_one_off(one_off(WINDOW, "2026-11-28", "10:00", "11:00"))
    with pytest.raises(BadInput) as refused:
        saturday.with_weekly(weekly(DEEP, "sat", "09:00", "12:00"))
    assert "one-off window 2026-11-28 10:00-11:00" in refused.value.message
    assert "deep-work block sat 09:00-12:00" in refused.value.message
    assert "\n" not in refused.value.message


# --- removing weekly blocks -----------------------------------------------------------------


def test_removing_friday_from_a_weekday_window_keeps_monday_to_thursday() -> None:
    built = schedule(BERLIN, weekly(WINDOW, "mon-fri", "09:00", "09:30"))
    fewer = built.without_weekly(WINDOW, parse_days("fri"), 540, 570)
    assert [b.describe() for b in fewer.weekly] == ["window mon-thu 09:00-09:30"]
    assert fewer.mode_at(at(BERLIN, "2026-11-26 09:10")) is Mode.WINDOW
    assert fewer.mode_at(at(BERLIN, "2026-11-27 09:10")) is Mode.CLOSED
    middle = built.without_weekly(WINDOW, parse_days("wed"), 540, 570)
    assert [b.describe() for b in middle.weekly] == ["window mon-tue,thu-fri 09:00-09:30"]
    # Removing every day removes the block, and with no window left the inbox is open.
    none_left = built.without_weekly(WINDOW, parse_days("daily"), 540, 570)
    assert none_left.weekly == ()
    assert none_left.mode_at(at(BERLIN, "2026-11-27 12:00")) is Mode.WINDOW


@pytest.mark.parametrize(
    ("kind", "days", "start", "end", "message"),
    [
        (WINDOW, "sat", "09:00", "09:30", "there is no window sat 09:00-09:30 to remove"),
        (DEEP, "fri", "09:00", "09:30", "there is no deep-work block fri 09:00-09:30 to remove"),
        (WINDOW, "fri", "09:00", "10:00", "there is no window fri 09:00-10:00 to remove"),
    ],
)
def test_removing_a_block_that_is_not_there_is_refused(
    kind: BlockKind, days: str, start: str, end: str, message: str
) -> None:
    built = schedule(BERLIN, weekly(WINDOW, "mon-fri", "09:00", "09:30"))
    with pytest.raises(BadInput) as refused:
        built.without_weekly(kind, parse_days(days), parse_clock(start), parse_clock(end))
    assert refused.value.message.startswith(message)


# --- parsing what the user types --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("sat-sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ("daily", set(range(7))),
        ("  Mon - Fri ", {0, 1, 2, 3, 4}),
        ("tues,thurs", {1, 3}),
        ("monday-wednesday,sunday", {0, 1, 2, 6}),
        ("sun", {6}),
    ],
)
def test_days_are_parsed(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    "text", ["", "weekdays", "mon-", "mon--fri", "mon-tue-wed", "mo", "satsun", "monkey", "mon;fri"]
)
def test_bad_days_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(BadInput, match=r"^not a list of days: .* \(write e\.g\. mon-fri") as bad:
        parse_days(text)
    assert "\n" not in bad.value.message


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ({0, 1, 2, 3, 4}, "mon-fri"),
        ({0, 2, 4}, "mon,wed,fri"),
        (set(range(7)), "daily"),
        ({5, 6}, "sat-sun"),
        ({0, 1, 3, 4}, "mon-tue,thu-fri"),
        ({6}, "sun"),
    ],
)
def test_days_are_written_shortly(days: set[int], text: str) -> None:
    assert format_days(days) == text


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("09:30", 570), ("9:30", 570), ("00:00", 0), ("23:59", 1439), (" 16:00 ", 960)],
)
def test_times_of_day_are_parsed(text: str, minutes: int) -> None:
    assert parse_clock(text) == minutes
    assert parse_clock(text, end=True) == minutes


def test_midnight_at_the_end_of_the_day_is_allowed_only_as_an_end() -> None:
    assert parse_clock("24:00", end=True) == 24 * 60
    with pytest.raises(BadInput, match="not a time of day: '24:00'"):
        parse_clock("24:00")
    evening = schedule(BERLIN, weekly(WINDOW, "fri", "22:00", "24:00"))
    assert windows_on(evening, "2026-11-27") == [(z("2026-11-27 21:00"), z("2026-11-27 23:00"))]


@pytest.mark.parametrize(
    "text", ["24:01", "25:00", "09:60", "9", "09:5", "9.30", "", "noon", "-1:00", "09:30:00"]
)
def test_bad_times_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(BadInput, match=r"^not a time of day: ") as bad:
        parse_clock(text, end=True)
    assert repr(text) in bad.value.message
    assert "\n" not in bad.value.message


def test_blocks_must_end_after_they_start_within_one_day() -> None:
    with pytest.raises(BadInput, match="the end 09:00 must be after the start 10:00"):
        check_range(600, 540)
    with pytest.raises(BadInput, match="cannot cross midnight"):
        WeeklyBlock(WINDOW, frozenset({0}), parse_clock("22:00"), parse_clock("02:00", end=True))
    with pytest.raises(BadInput, match="after the start"):
        OneOffBlock(DEEP, date(2026, 11, 27), 600, 600)
    # Minutes past 24:00 would cross midnight behind the overlap checks' back.
    with pytest.raises(BadInput, match="within one day"):
        WeeklyBlock(WINDOW, frozenset({0}), 23 * 60, 26 * 60)
    with pytest.raises(BadInput, match="within one day"):
        OneOffBlock(WINDOW, date(2026, 11, 27), -30, 60)
    with pytest.raises(BadInput, match="at least one day"):
        WeeklyBlock(WINDOW, frozenset(), 540, 570)
    with pytest.raises(BadInput, match="not weekdays"):
        WeeklyBlock(WINDOW, frozenset({7}), 540, 570)


# --- imported calendar blocks ---------------------------------------------------------------


def test_an_imported_block_is_deep_work_from_its_start_to_its_end(usual_week: Schedule) -> None:
    writing = ImportedBlock(
        at(BERLIN, "2026-11-23 13:00"), at(BERLIN, "2026-11-23 15:00"), "Writing"
    )
    built = usual_week.with_imported("work.ics", [writing])
    assert built.mode_at(writing.start - SECOND) is Mode.CLOSED
    assert built.mode_at(writing.start) is Mode.DEEP_WORK
    assert built.mode_at(writing.end - SECOND) is Mode.DEEP_WORK
    assert built.mode_at(writing.end) is Mode.CLOSED
    assert built.next_transition(at(BERLIN, "2026-11-23 12:00")) == writing.start
    assert built.next_transition(writing.start) == writing.end


def test_an_imported_block_may_overlap_weekly_deep_work_and_they_merge(
    usual_week: Schedule,
) -> None:
    longer = ImportedBlock(at(BERLIN, "2026-11-23 11:00"), at(BERLIN, "2026-11-23 13:00"))
    built = usual_week.with_imported("work.ics", [longer])
    assert built.mode_at(at(BERLIN, "2026-11-23 12:30")) is Mode.DEEP_WORK
    assert built.next_transition(at(BERLIN, "2026-11-23 10:00")) == at(BERLIN, "2026-11-23 13:00")


def test_importing_again_from_a_source_replaces_its_blocks_only(usual_week: Schedule) -> None:
    monday = ImportedBlock(at(BERLIN, "2026-11-23 13:00"), at(BERLIN, "2026-11-23 15:00"))
    tuesday = ImportedBlock(at(BERLIN, "2026-11-24 13:00"), at(BERLIN, "2026-11-24 15:00"))
    saturday = ImportedBlock(at(BERLIN, "2026-11-28 10:00"), at(BERLIN, "2026-11-28 12:00"))
    first = usual_week.with_imported("work.ics", [monday]).with_imported("home.ics", [saturday])
    second = first.with_imported("work.ics", [tuesday])
    assert second.mode_at(at(BERLIN, "2026-11-23 14:00")) is Mode.CLOSED
    assert second.mode_at(at(BERLIN, "2026-11-24 14:00")) is Mode.DEEP_WORK
    assert second.mode_at(at(BERLIN, "2026-11-28 11:00")) is Mode.DEEP_WORK
    assert [(b.start, b.source) for b in second.imported] == [
        (tuesday.start, "work.ics"),
        (saturday.start, "home.ics"),
    ]
    emptied = second.with_imported("work.ics", [])
    assert emptied.mode_at(at(BERLIN, "2026-11-24 14:00")) is Mode.CLOSED
    assert emptied.mode_at(at(BERLIN, "2026-11-28 11:00")) is Mode.DEEP_WORK


def test_an_imported_block_over_a_window_is_refused_naming_both(usual_week: Schedule) -> None:
    standup = ImportedBlock(
        at(BERLIN, "2026-11-23 09:15"), at(BERLIN, "2026-11-23 10:00"), "Standup"
    )
    with pytest.raises(BadInput) as refused:
        usual_week.with_imported("work.ics", [standup])
    assert refused.value.message == (
        "window mon-fri 09:00-09:30 overlaps imported deep-work block 'Standup' "
        "Mon 2026-11-23 09:15-10:00"
    )
    # The same clash the other way round: a window added over an imported block.
    writing = ImportedBlock(
        at(BERLIN, "2026-11-23 13:00"), at(BERLIN, "2026-11-23 15:00"), "Writing"
    )
    built = usual_week.with_imported("work.ics", [writing])
    with pytest.raises(BadInput) as refused:
        built.with_weekly(weekly(WINDOW, "mon", "14:00", "14:30"))
    assert "window mon 14:00-14:30" in refused.value.message
    assert "imported deep-work block 'Writing' Mon 2026-11-23 13:00-15:00" in (
        refused.value.message
    )


def test_changing_the_zone_moves_the_windows_and_rechecks_imports() -> None:
    built = schedule(BERLIN, weekly(WINDOW, "mon-fri", "09:00", "09:30"))
    # 14:00Z is 15:00 in Berlin (no clash) and 09:00 in New York (a clash).
    call = ImportedBlock(z("2026-11-23 14:00"), z("2026-11-23 15:00"), "Call")
    with_call = built.with_imported("work.ics", [call])
    with pytest.raises(BadInput) as refused:
        with_call.with_zone(NEW_YORK)
    assert "window mon-fri 09:00-09:30" in refused.value.message
    assert "imported deep-work block 'Call' Mon 2026-11-23 09:00-10:00" in refused.value.message
    moved = built.with_zone(NEW_YORK)
    assert windows_on(moved, "2026-11-23") == [(z("2026-11-23 14:00"), z("2026-11-23 14:30"))]


# --- no window: never locked out -----------------------------------------------------------


def test_a_schedule_without_windows_is_always_open() -> None:
    monday_ten = at(BERLIN, "2026-11-23 10:00")
    assert Schedule().mode_at(monday_ten) is Mode.WINDOW
    deep_only = schedule(BERLIN, weekly(DEEP, "mon-fri", "09:00", "17:00")).with_imported(
        "work.ics", [ImportedBlock(monday_ten, monday_ten + timedelta(hours=1))]
    )
    assert not deep_only.has_windows
    assert deep_only.mode_at(monday_ten) is Mode.WINDOW
    assert deep_only.next_transition(monday_ten) is None
    assert deep_only.next_window(monday_ten) is None
    windowed = deep_only.with_weekly(weekly(WINDOW, "mon-fri", "08:00", "09:00"))
    assert windowed.mode_at(monday_ten) is Mode.DEEP_WORK
    cleared = windowed.cleared()
    assert cleared.zone is BERLIN
    assert cleared.mode_at(monday_ten) is Mode.WINDOW


# --- windows that last longer than a day ----------------------------------------------------


def test_a_window_open_all_week_ends_when_the_week_does() -> None:
    built = schedule(BERLIN, weekly(WINDOW, "mon-fri", "00:00", "24:00"))
    monday = at(BERLIN, "2026-11-23 10:00")
    current = built.current_window(monday)
    assert current is not None
    assert (current.start, current.end) == (
        at(BERLIN, "2026-11-23 00:00"),
        at(BERLIN, "2026-11-28 00:00"),
    )
    assert built.next_transition(monday) == current.end
    upcoming = built.next_window(at(BERLIN, "2026-11-21 12:00"))
    assert upcoming is not None
    assert (upcoming.start, upcoming.end) == (current.start, current.end)


def test_the_next_window_after_a_long_open_stretch_is_after_the_holiday() -> None:
    built = schedule(BERLIN, weekly(WINDOW, "daily", "00:00", "24:00")).with_closed_day(
        date(2026, 12, 24)
    )
    now = at(BERLIN, "2026-11-21 12:00")
    current = built.current_window(now)
    assert current is not None
    assert current.end == at(BERLIN, "2026-12-24 00:00")
    assert built.next_transition(now) == current.end
    upcoming = built.next_window(now)
    assert upcoming is not None
    assert upcoming.start == at(BERLIN, "2026-12-25 00:00")


def test_a_window_split_at_midnight_is_one_window() -> None:
    built = schedule(
        BERLIN,
        weekly(WINDOW, "daily", "22:00", "24:00"),
        weekly(WINDOW, "daily", "00:00", "02:00"),
    )
    late = at(BERLIN, "2026-11-23 23:00")
    current = built.current_window(late)
    assert current is not None
    assert (current.start, current.end) == (
        at(BERLIN, "2026-11-23 22:00"),
        at(BERLIN, "2026-11-24 02:00"),
    )
    assert built.next_transition(late) == current.end
    # At midnight the window is still open: the last one that ended did so the night before.
    assert built.previous_window_end(at(BERLIN, "2026-11-24 00:00")) == at(
        BERLIN, "2026-11-23 02:00"
    )
    upcoming = built.next_window(late)
    assert upcoming is not None
    assert upcoming.start == at(BERLIN, "2026-11-24 22:00")
