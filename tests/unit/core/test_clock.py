"""Instants: always aware UTC inside, ISO 8601 with Z outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asyncdesk.core.clock import FixedClock, SystemClock, parse_instant, to_iso_z, utc


def test_offsets_are_converted_to_utc() -> None:
    assert parse_instant("2026-11-23T09:10:00+01:00") == datetime(2026, 11, 23, 8, 10, tzinfo=UTC)
    assert parse_instant("2026-11-23T08:10:00Z") == datetime(2026, 11, 23, 8, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-11-23T09:10:00", "tomorrow", "", "2026-13-01T00:00Z"])
def test_instants_without_offset_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"offset|ISO 8601"):
        parse_instant(text)


def test_naive_datetimes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2026, 1, 1))  # noqa: DTZ001


def test_json_form_is_utc_with_z_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 local happens twice on 2026-10-25; fold picks the second (CET, +01:00).
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin)
    first = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=berlin)
    assert to_iso_z(first) == "2026-10-25T00:30:00Z"
    assert to_iso_z(second) == "2026-10-25T01:30:00Z"


# parse_instant keeps 400 days of room at both ends of what datetime holds.
# (hypothesis takes naive bounds and applies the time zones itself)
EARLIEST = datetime(2, 3, 1)  # noqa: DTZ001
LATEST = datetime(9998, 11, 1)  # noqa: DTZ001


@given(st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)))
def test_iso_z_round_trips_to_the_second(instant: datetime) -> None:
    assert parse_instant(to_iso_z(instant)) == instant.replace(microsecond=0)


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_instants_at_the_calendars_ends_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="too far in the past or the future"):
        parse_instant(text)


def test_clocks_are_aware_and_fixed_clock_moves_only_when_told() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)
    clock = FixedClock(datetime(2026, 3, 29, 3, 0, tzinfo=timezone(timedelta(hours=2))))
    assert clock.now() == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 3, 29, 1, 5, tzinfo=UTC)
