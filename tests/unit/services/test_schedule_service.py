"""The schedule in a real profile: versions keep the past exact; changes are atomic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import BlockKind, Mode, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.schedule import (
    change_schedule,
    clear_schedule,
    format_duration,
    load_schedule,
    schedule_at,
    set_timezone,
    timeline,
)
from asyncdesk.store.database import Store

MONDAY = datetime(2026, 11, 16, tzinfo=UTC)


def window(days: str, start: str, end: str, kind: BlockKind = BlockKind.WINDOW) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end))


def test_past_days_keep_the_schedule_they_had(tmp_path: Path) -> None:
    clock = FixedClock(MONDAY - timedelta(days=7))
    with Store.open(tmp_path / "p") as store:
        set_timezone(store, clock, "Europe/Berlin")
        change_schedule(store, clock, lambda s: s.with_weekly(window("mon-fri", "09:00", "10:00")))
        change_schedule(
            store,
            clock,
            lambda s: s.with_weekly(window("mon-fri", "10:00", "12:00", BlockKind.DEEP_WORK)),
        )
        clock.set(MONDAY + timedelta(days=2, hours=12))  # Wednesday noon: the user clears
        clear_schedule(store, clock)

        monday = timeline(store, MONDAY, MONDAY + timedelta(days=1))
        assert [(i.kind, i.start.hour, i.end.hour) for i in monday] == [
            (BlockKind.WINDOW, 8, 9),  # 09:00-10:00 Berlin = 08:00-09:00 UTC
            (BlockKind.DEEP_WORK, 9, 11),
        ]
        friday = MONDAY + timedelta(days=4)
        assert timeline(store, friday, friday + timedelta(days=1)) == []
        assert (
            schedule_at(store, MONDAY + timedelta(hours=8, minutes=30)).mode_at(
                MONDAY + timedelta(hours=8, minutes=30)
            )
            is Mode.WINDOW
        )
        assert load_schedule(store).has_windows is False


def test_a_change_that_is_refused_writes_nothing(tmp_path: Path) -> None:
    clock = FixedClock(MONDAY)
    with Store.open(tmp_path / "p") as store:
        change_schedule(store, clock, lambda s: s.with_weekly(window("mon", "09:00", "10:00")))
    before = (tmp_path / "p" / "asyncdesk.sqlite3").read_bytes()
    with Store.open(tmp_path / "p") as store:
        with pytest.raises(BadInput, match="overlaps window mon 09:00-10:00"):
            change_schedule(store, clock, lambda s: s.with_weekly(window("mon", "09:30", "11:00")))
        assert len(load_schedule(store).weekly) == 1
    assert (tmp_path / "p" / "asyncdesk.sqlite3").read_bytes() == before


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "under a minute"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=2, minutes=13, seconds=40), "2 h 14 min"),  # as the wall clock
        (timedelta(hours=3), "3 h"),
        (timedelta(days=1, hours=18), "1 d 18 h"),
        (timedelta(days=2), "2 d"),
    ],
)
def test_waits_read_like_a_clock_counting_down(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
