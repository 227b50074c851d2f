"""The chat status of published availability: its words, and when it must change next,
on an ordinary week and across both DST changes in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.presence import MAX_TEXT, presence_at
from asyncdesk.core.schedule import (
    BlockKind,
    Mode,
    OneOffBlock,
    Schedule,
    WeeklyBlock,
    parse_clock,
    parse_days,
)

BERLIN = ZoneInfo("Europe/Berlin")


def block(kind: BlockKind, days: str, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end, end=True))


# Weekdays: windows 09:00-09:30 and 13:00-13:30, deep work 10:00-12:00.
WEEK = (
    Schedule(zone=BERLIN)
    .with_weekly(block(BlockKind.WINDOW, "mon-fri", "09:00", "09:30"))
    .with_weekly(block(BlockKind.WINDOW, "mon-fri", "13:00", "13:30"))
    .with_weekly(block(BlockKind.DEEP_WORK, "mon-fri", "10:00", "12:00"))
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("at", "mode", "text", "until"),
    [
        # Wednesday 25 November 2026 (CET, UTC+1).
        ("2026-11-25T08:00", Mode.CLOSED, "Reading messages next at 09:00 CET", "09:00"),
        ("2026-11-25T09:10", Mode.WINDOW, "Reading messages now, until 09:30 CET", "09:30"),
        (
            "2026-11-25T10:30",
            Mode.DEEP_WORK,
            "Deep work until 12:00 — reading messages at 13:00 CET",
            "12:00",
        ),
        ("2026-11-25T12:30", Mode.CLOSED, "Reading messages next at 13:00 CET", "13:00"),
        ("2026-11-25T18:00", Mode.CLOSED, "Reading messages next at Thu 09:00 CET", None),
        # Friday evening: the next window is on Monday.
        ("2026-11-27T18:00", Mode.CLOSED, "Reading messages next at Mon 09:00 CET", None),
    ],
)
def test_each_mode_says_what_the_user_does_and_when_they_read_next(
    at: str, mode: Mode, text: str, until: str | None
) -> None:
    shown = presence_at(WEEK, local(at))
    assert shown.mode is mode
    assert shown.text == text
    assert len(shown.text) <= MAX_TEXT
    if until is not None:
        assert shown.until == local(f"{at[:10]}T{until}").astimezone(UTC)


def test_deep_work_snoozes_until_its_end_and_windows_are_online() -> None:
    deep = presence_at(WEEK, local("2026-11-25T10:30"))
    assert deep.snooze_until == local("2026-11-25T12:00").astimezone(UTC)
    assert deep.snooze_minutes() == 90
    assert deep.matrix_presence == "unavailable"
    assert deep.emoji == ":no_bell:"
    window = presence_at(WEEK, local("2026-11-25T09:10"))
    assert (window.snooze_until, window.snooze_minutes(), window.matrix_presence) == (
        None,
        0,
        "online",
    )
    closed = presence_at(WEEK, local("2026-11-25T12:30"))
    assert (closed.snooze_until, closed.matrix_presence) == (None, "unavailable")


def test_a_partial_minute_of_deep_work_rounds_up() -> None:
    shown = presence_at(WEEK, local("2026-11-25T11:59:30"))
    assert shown.snooze_minutes() == 1


def test_the_next_change_follows_the_day_through_every_mode() -> None:
    """Walking from change to change visits window, deep work, closed, window, closed."""
    at = local("2026-11-25T08:00").astimezone(UTC)
    seen = []
    for _ in range(6):
        shown = presence_at(WEEK, at)
        seen.append((shown.mode, shown.at.astimezone(BERLIN).strftime("%H:%M")))
        assert shown.until is not None
        at = shown.until
    assert seen == [
        (Mode.CLOSED, "08:00"),
        (Mode.WINDOW, "09:00"),
        (Mode.CLOSED, "09:30"),
        (Mode.DEEP_WORK, "10:00"),
        (Mode.CLOSED, "12:00"),
        (Mode.WINDOW, "13:00"),
    ]


def test_spring_forward_names_the_summer_zone_and_the_right_instant() -> None:
    """Saturday 27 March 2027, before the clocks go forward on Sunday: Monday's window
    is at 09:00 CEST, 07:00 UTC (not 08:00)."""
    shown = presence_at(WEEK, local("2027-03-27T12:00"))
    assert shown.text == "Reading messages next at Mon 09:00 CEST"
    assert shown.until == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_fall_back_names_the_winter_zone() -> None:
    """Saturday 24 October 2026; the clocks go back on Sunday: 09:00 CET is 08:00 UTC."""
    shown = presence_at(WEEK, local("2026-10-24T12:00"))
    assert shown.text == "Reading messages next at Mon 09:00 CET"
    assert shown.until == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_deep_work_across_the_change_of_zone_names_both() -> None:
    """A Sunday block 01:00-02:30 on the night the clocks go back: it ends at the first
    02:30 (CEST, the schedule's rule for a time that happens twice) and the window is
    at 09:00 CET: each time says its own zone."""
    night = (
        Schedule(zone=BERLIN)
        .with_weekly(block(BlockKind.WINDOW, "sun", "09:00", "09:30"))
        .with_one_off(
            OneOffBlock(
                BlockKind.DEEP_WORK,
                local("2026-10-25T00:00").date(),
                parse_clock("01:00"),
                parse_clock("02:30"),
            )
        )
    )
    at = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 01:30 CEST
    shown = presence_at(night, at)
    assert shown.mode is Mode.DEEP_WORK
    assert shown.text == "Deep work until 02:30 CEST — reading messages at 09:00 CET"
    assert shown.snooze_until == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert shown.snooze_minutes() == 60
    earlier = presence_at(night, at - timedelta(hours=23, minutes=30))  # Sat 02:00 CEST
    assert earlier.text == "Reading messages next at Sun 09:00 CET"


def test_a_far_window_is_written_with_its_date() -> None:
    sparse = Schedule(zone=BERLIN).with_weekly(block(BlockKind.WINDOW, "mon", "09:00", "10:00"))
    closed_week = sparse.with_closed_day(local("2026-11-30T00:00").date())
    shown = presence_at(closed_week, local("2026-11-23T10:30"))
    assert shown.text == "Reading messages next at Mon 7 Dec 09:00 CET"


def test_deep_work_running_into_a_window_says_it_once() -> None:
    joined = (
        Schedule(zone=BERLIN)
        .with_weekly(block(BlockKind.DEEP_WORK, "daily", "08:00", "09:00"))
        .with_weekly(block(BlockKind.WINDOW, "daily", "09:00", "09:30"))
    )
    shown = presence_at(joined, local("2026-11-25T08:15"))
    assert shown.text == "Deep work — reading messages at 09:00 CET"
    assert shown.snooze_minutes() == 45


def test_without_windows_the_user_is_always_reading() -> None:
    shown = presence_at(Schedule(zone=BERLIN), local("2026-11-25T08:00"))
    assert (shown.mode, shown.text, shown.until) == (Mode.WINDOW, "Reading messages now", None)


def test_every_status_fits_slack() -> None:
    """A zone without letter names and dates on both sides still fits 100 characters."""
    zone = ZoneInfo("America/Sao_Paulo")  # abbreviations are "-03": written UTC-03:00
    far = (
        Schedule(zone=zone)
        .with_weekly(block(BlockKind.WINDOW, "mon", "09:00", "10:00"))
        .with_one_off(
            OneOffBlock(
                BlockKind.DEEP_WORK,
                date(2026, 11, 24),
                parse_clock("00:00"),
                parse_clock("24:00", end=True),
            )
        )
    )
    for hours in range(0, 24 * 14, 5):
        shown = presence_at(far, datetime(2026, 11, 20, tzinfo=UTC) + timedelta(hours=hours))
        assert len(shown.text) <= MAX_TEXT
    shown = presence_at(far, datetime(2026, 11, 24, 12, tzinfo=UTC))
    assert shown.text == "Deep work until Wed 00:00 — reading messages at Mon 09:00 UTC-03:00"
