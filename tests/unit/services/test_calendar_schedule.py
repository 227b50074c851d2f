"""Importing a calendar into a real profile's schedule."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import BlockKind, Mode, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.schedule import (
    change_schedule,
    import_calendar,
    load_schedule,
    set_timezone,
)
from asyncdesk.store.database import Store

CALENDARS = Path(__file__).with_name("calendars")
NOW = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "p")
    clock = FixedClock(NOW)
    set_timezone(store, clock, "Europe/Berlin")
    change_schedule(
        store,
        clock,
        lambda s: s.with_weekly(
            WeeklyBlock(
                BlockKind.WINDOW, parse_days("wed"), parse_clock("11:00"), parse_clock("11:30")
            )
        ),
    )
    return store


def test_timed_events_become_deep_work_and_overlaps_are_reported(
    store: Store, tmp_path: Path
) -> None:
    calendar = tmp_path / "google.ics"
    shutil.copy(CALENDARS / "google.ics", calendar)
    report = import_calendar(store, FixedClock(NOW), calendar)
    assert report.all_day_skipped >= 1
    assert report.overlapping, "Wednesday focus time overlaps the Wednesday window"
    assert all("overlaps window wed 11:00-11:30" in line for line in report.overlapping)
    schedule = load_schedule(store)
    # Monday 14 Oct 2024, 10:00 Berlin: inside the recurring "Focus time" 09:30-12:00.
    assert schedule.mode_at(datetime(2024, 10, 14, 8, 0, tzinfo=UTC)) is Mode.DEEP_WORK
    # Wednesday 16 Oct is an EXDATE: no block, so closed.
    assert schedule.mode_at(datetime(2024, 10, 16, 8, 0, tzinfo=UTC)) is Mode.CLOSED
    # Importing the same file again replaces its blocks instead of doubling them.
    again = import_calendar(store, FixedClock(NOW), calendar)
    assert again.imported == report.imported
    assert len(load_schedule(store).imported) == report.imported
    store.close()


def test_a_broken_calendar_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_calendar(store, FixedClock(NOW), CALENDARS / "google.ics")
    store.close()
    database = tmp_path / "p" / "asyncdesk.sqlite3"
    before = database.read_bytes()
    with Store.open(tmp_path / "p") as reopened, pytest.raises(BadInput) as error:
        import_calendar(reopened, FixedClock(NOW), CALENDARS / "broken.ics")
    assert "\n" not in str(error.value)
    assert database.read_bytes() == before
