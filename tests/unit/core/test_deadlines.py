"""Reply-by deadlines: durations, working-hours arithmetic on real calendars, SLA rules.

Expected instants are worked out by hand from the wall clock; the DST dates are those of
2026 (Europe/Berlin: 29 March and 25 October; America/New_York: 8 March and 1 November;
Australia/Lord_Howe: 5 April and 4 October).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.deadlines import (
    DEFAULT_SLA,
    SlaRules,
    WorkingHours,
    add_working_time,
    format_duration,
    parse_duration,
)
from asyncdesk.core.errors import BadInput

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def at(zone: ZoneInfo, text: str, fold: int = 0) -> datetime:
    """A wall-clock time in ``zone``: ``at(BERLIN, "2026-11-23 09:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def hours(
    start: str = "09:00",
    end: str = "17:00",
    days: frozenset[int] = WEEKDAYS,
    zone: ZoneInfo = BERLIN,
) -> WorkingHours:
    return WorkingHours(days, time.fromisoformat(start), time.fromisoformat(end), zone)


OFFICE = hours()


def add(start: datetime, amount: str, working: WorkingHours = OFFICE) -> datetime:
    return add_working_time(start, parse_duration(amount), working)


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("48h", 48 * 60),
        ("2d", 2 * 24 * 60),
        ("90m", 90),
        ("1h30m", 90),
        ("1w", 7 * 24 * 60),
        ("1d12h", 36 * 60),
        ("1d 12h", 36 * 60),
        (" 1 h 30 m ", 90),
        ("2D", 2 * 24 * 60),
        ("1W2D3H4M", ((7 + 2) * 24 + 3) * 60 + 4),
        ("0h30m", 30),
        ("365d", 365 * 24 * 60),
        ("52w", 52 * 7 * 24 * 60),
        ("8760h", 365 * 24 * 60),
    ],
)
def test_durations_people_type(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a duration"),
        ("   ", "not a duration"),
        ("48", "not a duration"),
        ("h", "not a duration"),
        ("1.5h", "not a duration"),
        ("1h30", "not a duration"),
        ("48 hours", "not a duration"),
        ("2 days", "not a duration"),
        ("1s", "not a duration"),
        ("1y", "not a duration"),
        ("+48h", "not a duration"),
        ("٤٨h", "not a duration"),  # Arabic-Indic digits: digits, but not ours
        ("30m1h", "largest first"),
        ("1h1h", "largest first"),
        ("0h", "longer than zero"),
        ("0d0h0m", "longer than zero"),
        ("-48h", "longer than zero"),
        ("366d", "at most 365 days"),
        ("53w", "at most 365 days"),
        ("365d1m", "at most 365 days"),
        ("9" * 5000 + "d", "at most 365 days"),
    ],
)
def test_anything_else_is_bad_input_in_one_line(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message) as refused:
        parse_duration(text)
    assert "\n" not in refused.value.message
    assert len(refused.value.message) < 200


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (48 * 60, "48h"),
        (90, "1h30m"),
        (45, "45m"),
        (36 * 60, "36h"),
        (7 * 24 * 60, "168h"),
        (365 * 24 * 60, "8760h"),
        (0, "0m"),
        (-150, "-2h30m"),
    ],
)
def test_durations_are_written_in_hours_and_minutes(minutes: int, text: str) -> None:
    assert format_duration(timedelta(minutes=minutes)) == text


def test_formatting_drops_seconds() -> None:
    assert format_duration(timedelta(hours=2, seconds=59)) == "2h"
    assert format_duration(timedelta(seconds=59)) == "0m"
    assert format_duration(-timedelta(minutes=5, seconds=30)) == "-5m"


# --- working hours ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        (frozenset(), "09:00", "17:00", "at least one day"),
        (frozenset({7}), "09:00", "17:00", "not weekdays"),
        (WEEKDAYS, "17:00", "09:00", "end after they start"),
        (WEEKDAYS, "09:00", "09:00", "end after they start"),
        (WEEKDAYS, "09:00:30", "17:00", "whole minute"),
        (WEEKDAYS, "09:00+01:00", "17:00", "whole minute"),
    ],
)
def test_working_hours_are_checked(
    days: frozenset[int], start: str, end: str, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        WorkingHours(days, time.fromisoformat(start), time.fromisoformat(end), BERLIN)


def test_working_hours_describe_themselves() -> None:
    assert OFFICE.describe() == "mon-fri 09:00-17:00 Europe/Berlin"
    assert OFFICE.daily == timedelta(hours=8)
    assert OFFICE.weekly == timedelta(hours=40)


def test_time_inside_one_period() -> None:
    assert add(at(BERLIN, "2026-11-23 10:00"), "2h") == at(BERLIN, "2026-11-23 12:00")


def test_the_rest_carries_over_a_weekend() -> None:
    friday = at(BERLIN, "2026-11-20 16:00")
    assert add(friday, "2h") == at(BERLIN, "2026-11-23 10:00")
    assert add(friday, "48h") == at(BERLIN, "2026-11-30 16:00")  # 1 + 5 x 8 + 7 hours


def test_a_start_outside_working_time_counts_from_the_next_period() -> None:
    assert add(at(BERLIN, "2026-11-21 11:00"), "1h") == at(BERLIN, "2026-11-23 10:00")  # Sat
    assert add(at(BERLIN, "2026-11-23 07:30"), "1h") == at(BERLIN, "2026-11-23 10:00")
    assert add(at(BERLIN, "2026-11-23 20:00"), "1h") == at(BERLIN, "2026-11-24 10:00")


def test_starts_exactly_at_period_boundaries() -> None:
    monday_nine = at(BERLIN, "2026-11-23 09:00")
    assert add(monday_nine, "8h") == at(BERLIN, "2026-11-23 17:00")  # the end, not Tue 09:00
    assert add(monday_nine, "8h1m") == at(BERLIN, "2026-11-24 09:01")
    monday_five = at(BERLIN, "2026-11-23 17:00")  # the end is not working time
    assert add(monday_five, "1m") == at(BERLIN, "2026-11-24 09:01")
    just_before = monday_five - timedelta(microseconds=1)
    assert add_working_time(just_before, timedelta(microseconds=1), OFFICE) == monday_five


def test_zero_is_the_start_itself_even_outside_working_time() -> None:
    saturday = at(BERLIN, "2026-11-21 11:00")
    assert add_working_time(saturday, timedelta(0), OFFICE) == saturday
    assert add_working_time(saturday, timedelta(0), OFFICE).tzinfo is UTC


def test_results_are_utc_and_starts_must_be_aware() -> None:
    assert add(at(BERLIN, "2026-11-23 10:00"), "1h").tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        add_working_time(datetime(2026, 11, 23, 10), timedelta(hours=1), OFFICE)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        add_working_time(at(BERLIN, "2026-11-23 10:00"), timedelta(minutes=-1), OFFICE)


def test_an_sla_longer_than_a_week() -> None:
    # A week of working time is 21 working days of 8 hours: four weeks and a day.
    assert add(at(BERLIN, "2026-11-23 09:00"), "1w") == at(BERLIN, "2026-12-21 17:00")
    # ... across the spring change, the wall clock still says 17:00.
    assert add(at(BERLIN, "2026-03-02 09:00"), "1w") == at(BERLIN, "2026-03-30 17:00")
    # A year of working time at 40 hours a week: 219 weeks.
    year = add(at(BERLIN, "2026-11-23 09:00"), "365d")
    assert year == at(BERLIN, "2031-01-31 17:00")  # a Friday


def test_office_hours_keep_their_wall_clock_across_dst_weekends() -> None:
    # Berlin springs forward in the night to Sunday 29 March, falls back on 25 October.
    assert add(at(BERLIN, "2026-03-27 16:00"), "2h") == at(BERLIN, "2026-03-30 10:00")
    assert add(at(BERLIN, "2026-03-27 16:00"), "2h") == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert add(at(BERLIN, "2026-10-23 16:00"), "2h") == datetime(2026, 10, 26, 9, tzinfo=UTC)
    new_york = hours(zone=NEW_YORK)
    assert add(at(NEW_YORK, "2026-03-06 16:00"), "2h", new_york) == at(NEW_YORK, "2026-03-09 10:00")
    assert add(at(NEW_YORK, "2026-10-30 16:00"), "2h", new_york) == at(NEW_YORK, "2026-11-02 10:00")


@pytest.mark.parametrize(
    ("zone", "day", "length"),
    [
        (BERLIN, "2026-03-29", timedelta(hours=5)),
        (BERLIN, "2026-10-25", timedelta(hours=7)),
        (NEW_YORK, "2026-03-08", timedelta(hours=5)),
        (NEW_YORK, "2026-11-01", timedelta(hours=7)),
        (LORD_HOWE, "2026-10-04", timedelta(hours=5, minutes=30)),
        (LORD_HOWE, "2026-04-05", timedelta(hours=6, minutes=30)),
        (BERLIN, "2026-03-28", timedelta(hours=6)),
    ],
)
def test_a_working_day_with_a_clock_change_lasts_what_the_wall_clock_shows(
    zone: ZoneInfo, day: str, length: timedelta
) -> None:
    night = hours("00:00", "06:00", EVERY_DAY, zone)
    period = night.period_on(date.fromisoformat(day))
    assert period is not None
    assert period[1] - period[0] == length
    start = at(zone, f"{day} 00:00")
    assert add_working_time(start, length, night) == at(zone, f"{day} 06:00")
    after = add_working_time(start, length + timedelta(minutes=1), night)
    assert after == at(zone, f"{day} 00:00") + timedelta(days=1, minutes=1)


def test_hours_the_clocks_skip_are_no_working_time() -> None:
    skipped = hours("02:00", "03:00", EVERY_DAY)
    assert skipped.period_on(date(2026, 3, 29)) is None
    saturday = at(BERLIN, "2026-03-28 02:30")
    assert add(saturday, "1h", skipped) == at(BERLIN, "2026-03-30 02:30")
    half = hours("02:30", "03:30", EVERY_DAY)
    assert half.period_on(date(2026, 3, 29)) == (
        datetime(2026, 3, 29, 1, tzinfo=UTC),  # the instant the clocks jumped
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    )


def test_hours_that_happen_twice_count_their_first_occurrence() -> None:
    twice = hours("02:00", "02:30", EVERY_DAY)
    assert twice.period_on(date(2026, 10, 25)) == (
        datetime(2026, 10, 25, 0, tzinfo=UTC),  # 02:00 CEST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    )
    # The second 02:15 (CET) is after the period: counting starts the next night.
    second = at(BERLIN, "2026-10-25 02:15", fold=1)
    assert add(second, "10m", twice) == at(BERLIN, "2026-10-26 02:10")


def test_a_zone_with_a_half_hour_offset() -> None:
    india = hours(zone=KOLKATA)
    monday = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 13:30 IST
    assert add_working_time(monday, timedelta(hours=4), india) == at(KOLKATA, "2026-11-24 09:30")
    assert at(KOLKATA, "2026-11-24 09:30") == datetime(2026, 11, 24, 4, tzinfo=UTC)


def test_contains() -> None:
    assert OFFICE.contains(at(BERLIN, "2026-11-23 09:00"))
    assert OFFICE.contains(at(BERLIN, "2026-11-23 16:59"))
    assert not OFFICE.contains(at(BERLIN, "2026-11-23 17:00"))
    assert not OFFICE.contains(at(BERLIN, "2026-11-21 12:00"))


def test_promises_that_would_end_beyond_the_calendar_are_refused() -> None:
    tiny = hours("09:00", "09:01", frozenset({0}))
    with pytest.raises(BadInput, match="after the year 9000"):
        add(at(BERLIN, "2026-11-23 09:00"), "365d", tiny)
    # An hour a week for a year still fits (168 years of calendar), and is quick.
    hourly = hours("09:00", "10:00", frozenset({0}), ZoneInfo("UTC"))
    assert add(at(BERLIN, "2026-11-23 09:00"), "365d", hourly).year == 2194


# --- SLA rules --------------------------------------------------------------------------------

RULES = SlaRules(
    default=timedelta(hours=48),
    senders={"Ada@Example.org": timedelta(hours=4)},
    domains={"example.org": timedelta(hours=24), "eng.example.org": timedelta(hours=8)},
    accounts={"work": timedelta(hours=12)},
)


@pytest.mark.parametrize(
    ("sender", "account", "sla", "which"),
    [
        ("ada@example.org", "work", timedelta(hours=4), "sender ada@example.org"),
        ("ADA@EXAMPLE.ORG", "home", timedelta(hours=4), "sender ada@example.org"),
        ("bob@example.org", "work", timedelta(hours=24), "domain example.org"),
        ("bob@mail.example.org", "work", timedelta(hours=24), "domain example.org"),
        ("cy@eng.example.org", "work", timedelta(hours=8), "domain eng.example.org"),
        ("cy@ci.eng.example.org", "work", timedelta(hours=8), "domain eng.example.org"),
        ("dee@badexample.org", "work", timedelta(hours=12), "account work"),
        ("dee@other.example", "work", timedelta(hours=12), "account work"),
        ("dee@other.example", "home", timedelta(hours=48), "default"),
        ("@eve:example.org", "matrix", timedelta(hours=24), "domain example.org"),
        ("U024BE7LH", "slack", timedelta(hours=48), "default"),
    ],
)
def test_the_most_specific_rule_wins(sender: str, account: str, sla: timedelta, which: str) -> None:
    assert RULES.sla_for(sender, account) == (sla, which)


def test_rules_default_to_the_48_hour_promise() -> None:
    assert SlaRules().sla_for("ada@example.org", "work") == (DEFAULT_SLA, "default")
    assert DEFAULT_SLA / timedelta(hours=1) == 48


def test_domain_keys_are_read_as_people_type_them() -> None:
    rules = SlaRules(
        domains={"@Example.COM": timedelta(hours=1), "*.b.example": timedelta(hours=2)}
    )
    assert rules.sla_for("x@mail.example.com", "a") == (timedelta(hours=1), "domain example.com")
    assert rules.sla_for("x@b.example", "a") == (timedelta(hours=2), "domain b.example")


@pytest.mark.parametrize(
    "changes",
    [
        {"default": timedelta(0)},
        {"senders": {"ada@example.org": timedelta(minutes=-1)}},
        {"domains": {"example.org": timedelta(0)}},
        {"accounts": {"work": timedelta(0)}},
    ],
)
def test_promises_must_be_longer_than_zero(changes: dict[str, object]) -> None:
    with pytest.raises(BadInput, match="longer than zero"):
        SlaRules(**changes)  # type: ignore[arg-type]


def test_due_at_adds_the_promise() -> None:
    received = at(BERLIN, "2026-11-20 16:00")
    due = RULES.due_at(received, "bob@example.org", "work")
    assert due == datetime(2026, 11, 21, 15, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_due_at_counts_working_hours_when_they_are_set() -> None:
    rules = SlaRules(default=timedelta(hours=48), working_hours=OFFICE)
    received = at(BERLIN, "2026-11-20 16:00")
    assert rules.due_at(received, "bob@example.org", "work") == at(BERLIN, "2026-11-30 16:00")
    # Plain 48 hours across the spring change are 48 real hours, not wall-clock hours.
    plain = SlaRules()
    assert plain.due_at(at(BERLIN, "2026-03-28 12:00"), "a@b.example", "w") == at(
        BERLIN, "2026-03-30 13:00"
    )
