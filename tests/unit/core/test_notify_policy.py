"""The notification policy, rule by rule, with instants given (no clock needed).

Expected instants are written in UTC, worked out by hand from the schedule's DST rules
(core.schedule): Berlin is UTC+1 in winter and UTC+2 from the last Sunday of March
(2026-03-29, 02:00 → 03:00) to the last Sunday of October (2026-10-25, 03:00 → 02:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core import settings
from asyncdesk.core.errors import BadInput
from asyncdesk.core.notify_policy import (
    Arrival,
    Counts,
    NoticeKind,
    NotifyRules,
    Wakeup,
    decide_arrivals,
    decide_wakeup,
    next_wakeup,
    vip_addresses,
    wakeups_between,
)
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
WINDOW, DEEP = BlockKind.WINDOW, BlockKind.DEEP_WORK
RULES = NotifyRules()


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(zone: ZoneInfo, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


def block(kind: BlockKind, days: str, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end, end=True))


def working_day(zone: ZoneInfo = BERLIN) -> Schedule:
    """Three windows on weekdays, deep work between (the demo's schedule)."""
    built = Schedule(zone=zone)
    for weekly in (
        block(WINDOW, "mon-fri", "09:00", "09:30"),
        block(DEEP, "mon-fri", "09:30", "12:00"),
        block(WINDOW, "mon-fri", "13:00", "13:30"),
        block(DEEP, "mon-fri", "13:30", "16:00"),
        block(WINDOW, "mon-fri", "16:30", "17:00"),
    ):
        built = built.with_weekly(weekly)
    return built


def kinds_and_times(wakeups: list[Wakeup]) -> list[tuple[str, datetime]]:
    return [(w.kind.value, w.at) for w in wakeups]


# --- when ---------------------------------------------------------------------------------


def test_a_working_day_has_a_summary_at_each_start_and_a_reminder_before_each_end() -> None:
    day = working_day()
    monday = z("2026-11-23 00:00")  # Berlin is UTC+1
    found = wakeups_between(day, monday, monday + timedelta(days=1), RULES)
    assert kinds_and_times(found) == [
        ("summary", z("2026-11-23 08:00")),
        ("reminder", z("2026-11-23 08:25")),
        ("summary", z("2026-11-23 12:00")),
        ("reminder", z("2026-11-23 12:25")),
        ("summary", z("2026-11-23 15:30")),
        ("reminder", z("2026-11-23 15:55")),
    ]


def test_the_next_instant_is_strictly_after_now() -> None:
    day = working_day()
    start = z("2026-11-23 08:00")
    at_start = next_wakeup(day, start, RULES)
    assert at_start is not None
    assert (at_start.kind, at_start.at) == (NoticeKind.REMINDER, z("2026-11-23 08:25"))
    after_reminder = next_wakeup(day, z("2026-11-23 08:25"), RULES)
    assert after_reminder is not None
    assert (after_reminder.kind, after_reminder.at) == (NoticeKind.SUMMARY, z("2026-11-23 12:00"))
    # Friday's last window over: Monday 09:00.
    weekend = next_wakeup(day, z("2026-11-27 16:00"), RULES)
    assert weekend is not None
    assert weekend.at == z("2026-11-30 08:00")


def test_reminders_follow_the_setting_and_skip_windows_too_short_for_them() -> None:
    day = working_day()
    monday = z("2026-11-23 00:00")
    span = (monday, monday + timedelta(days=1))
    ten = wakeups_between(day, *span, NotifyRules(reminder_minutes=10))
    assert next(w.at for w in ten if w.kind is NoticeKind.REMINDER) == z("2026-11-23 08:20")
    assert all(w.kind is NoticeKind.SUMMARY for w in wakeups_between(day, *span, NotifyRules(0)))
    # A 30-minute window and a 30-minute reminder: the summary says it all.
    assert all(w.kind is NoticeKind.SUMMARY for w in wakeups_between(day, *span, NotifyRules(30)))


def test_windows_that_touch_are_one_window_with_one_start() -> None:
    day = Schedule(zone=BERLIN).with_weekly(block(WINDOW, "mon", "09:00", "09:30"))
    day = day.with_weekly(block(WINDOW, "mon", "09:30", "10:00"))
    monday = z("2026-11-23 00:00")
    found = wakeups_between(day, monday, monday + timedelta(days=1), RULES)
    assert kinds_and_times(found) == [
        ("summary", z("2026-11-23 08:00")),
        ("reminder", z("2026-11-23 08:55")),
    ]


def test_no_window_means_always_open_and_nothing_to_wake_for() -> None:
    assert next_wakeup(Schedule(zone=BERLIN), z("2026-11-23 08:00"), RULES) is None
    assert decide_arrivals(Schedule(), z("2026-11-23 08:00"), [Arrival("a@x.org")], RULES) == []


def test_summaries_keep_the_wall_clock_across_both_dst_changes() -> None:
    day = Schedule(zone=BERLIN).with_weekly(block(WINDOW, "daily", "09:00", "09:30"))
    spring = wakeups_between(day, z("2026-03-28 00:00"), z("2026-03-30 00:00"), RULES)
    assert kinds_and_times(spring) == [
        ("summary", z("2026-03-28 08:00")),  # CET
        ("reminder", z("2026-03-28 08:25")),
        ("summary", z("2026-03-29 07:00")),  # CEST from 02:00 that night
        ("reminder", z("2026-03-29 07:25")),
    ]
    autumn = wakeups_between(day, z("2026-10-24 00:00"), z("2026-10-26 00:00"), RULES)
    assert [w.at for w in autumn if w.kind is NoticeKind.SUMMARY] == [
        z("2026-10-24 07:00"),  # CEST
        z("2026-10-25 08:00"),  # CET again
    ]


def test_a_window_in_the_night_the_clocks_jump_starts_when_they_jumped() -> None:
    # 02:30-03:30 on 2026-03-29: 02:30 does not exist, so it opens at 03:00 CEST
    # (01:00 UTC) and lasts 30 minutes; the reminder is 5 real minutes before its end.
    night = Schedule(zone=BERLIN).with_one_off(
        OneOffBlock(WINDOW, date(2026, 3, 29), parse_clock("02:30"), parse_clock("03:30"))
    )
    found = wakeups_between(night, z("2026-03-28 12:00"), z("2026-03-29 12:00"), RULES)
    assert kinds_and_times(found) == [
        ("summary", z("2026-03-29 01:00")),
        ("reminder", z("2026-03-29 01:25")),
    ]
    # 02:00-02:30 on the night the clocks go back means its first occurrence (CEST).
    repeated = Schedule(zone=BERLIN).with_one_off(
        OneOffBlock(WINDOW, date(2026, 10, 25), parse_clock("02:00"), parse_clock("02:30"))
    )
    found = wakeups_between(repeated, z("2026-10-24 12:00"), z("2026-10-25 12:00"), RULES)
    assert kinds_and_times(found) == [
        ("summary", z("2026-10-25 00:00")),
        ("reminder", z("2026-10-25 00:25")),
    ]


@pytest.mark.parametrize(
    ("zone", "utc_start"),
    [
        ("America/New_York", "2026-11-23 14:00"),  # UTC-5
        ("Asia/Kolkata", "2026-11-23 03:30"),  # UTC+5:30
        ("Pacific/Chatham", "2026-11-22 19:15"),  # UTC+13:45 in its summer
    ],
)
def test_the_same_schedule_in_another_zone_wakes_at_its_local_times(
    zone: str, utc_start: str
) -> None:
    day = working_day(ZoneInfo(zone))
    first = next_wakeup(day, z(utc_start) - timedelta(hours=1), RULES)
    assert first is not None
    assert first.at == z(utc_start)
    decision = decide_wakeup(day, first, first.at, Counts(1, 0), RULES)
    assert decision is not None
    assert decision.title == "Inbox open until 09:30"  # the local end, in that zone


# --- what ------------------------------------------------------------------------------------


def summary_at(day: Schedule, instant: datetime, counts: Counts) -> tuple[str, str, bool]:
    wakeup = next_wakeup(day, instant - timedelta(seconds=1), RULES)
    assert wakeup is not None
    assert wakeup.kind is NoticeKind.SUMMARY
    decision = decide_wakeup(day, wakeup, instant, counts, RULES)
    assert decision is not None
    assert decision.mode is Mode.WINDOW
    return decision.title, decision.body, decision.send


def test_a_window_start_always_says_one_thing_even_when_nothing_waits() -> None:
    day = working_day()
    nine = local(BERLIN, "2026-11-23 09:00")
    assert summary_at(day, nine, Counts(23, 4)) == (
        "Inbox open until 09:30",
        "23 waiting · 4 due before the next window",
        True,
    )
    assert summary_at(day, nine, Counts(23, 0))[1] == "23 waiting"
    assert (
        summary_at(day, nine, Counts(0, 2))[1] == "Nothing waiting · 2 due before the next window"
    )
    assert summary_at(day, nine, Counts(0, 0))[1] == "Nothing waiting"


def test_a_reminder_only_when_replies_are_due_before_the_next_window() -> None:
    day = working_day()
    reminder = next_wakeup(day, local(BERLIN, "2026-11-23 09:10"), RULES)
    assert reminder is not None
    assert reminder.kind is NoticeKind.REMINDER
    assert decide_wakeup(day, reminder, reminder.at, Counts(5, 0), RULES) is None
    decision = decide_wakeup(day, reminder, reminder.at, Counts(5, 1), RULES)
    assert decision is not None
    assert decision.send
    assert (decision.title, decision.body) == (
        "Window closes at 09:30",
        "1 reply due before the next window (13:00)",
    )
    # Friday's last window: the next one is on Monday, and says so.
    friday = next_wakeup(day, local(BERLIN, "2026-11-27 16:40"), RULES)
    assert friday is not None
    decision = decide_wakeup(day, friday, friday.at, Counts(0, 3), RULES)
    assert decision is not None
    assert decision.body == "3 replies due before the next window (Mon 09:00)"


def test_a_wakeup_looked_at_late_counts_while_its_window_is_open_only() -> None:
    day = working_day()
    wakeup = next_wakeup(day, local(BERLIN, "2026-11-23 08:00"), RULES)
    assert wakeup is not None
    late = decide_wakeup(day, wakeup, local(BERLIN, "2026-11-23 09:20"), Counts(1, 0), RULES)
    assert late is not None
    assert late.send
    assert (
        decide_wakeup(day, wakeup, local(BERLIN, "2026-11-23 09:30"), Counts(1, 0), RULES) is None
    )


def test_deep_work_holds_back_everything_even_a_vip() -> None:
    day = working_day()
    rules = NotifyRules(vip=frozenset({"ceo@example.com"}))
    arrivals = [Arrival("CEO@example.com", "The CEO", "Now!"), Arrival("a@example.org")]
    decisions = decide_arrivals(day, local(BERLIN, "2026-11-23 10:00"), arrivals, rules)
    assert [(d.send, d.messages, d.mode) for d in decisions] == [(False, 2, Mode.DEEP_WORK)]


def test_closed_holds_back_all_but_vips_who_get_one_notification_per_batch() -> None:
    day = working_day()
    evening = local(BERLIN, "2026-11-23 19:00")
    arrivals = [
        Arrival("ceo@example.com", "The CEO", "Board meeting moved"),
        Arrival("a@example.org", "", "Newsletter"),
        Arrival("b@example.org", "Bea", "Lunch?"),
    ]
    held = decide_arrivals(day, evening, arrivals, RULES)
    assert [(d.send, d.messages, d.mode) for d in held] == [(False, 3, Mode.CLOSED)]
    assert held[0].title == "3 new messages"
    assert held[0].body == "From The CEO, a@example.org, Bea"

    rules = NotifyRules(vip=vip_addresses('["Ceo@Example.com"]'))
    vip, rest = decide_arrivals(day, evening, arrivals, rules)
    assert (vip.send, vip.messages, vip.title, vip.body) == (
        True,
        1,
        "The CEO",
        "Board meeting moved",
    )
    assert (rest.send, rest.messages) == (False, 2)


def test_inside_a_window_new_mail_is_no_notification_at_all() -> None:
    day = working_day()
    decisions = decide_arrivals(
        day, local(BERLIN, "2026-11-23 09:10"), [Arrival("ceo@example.com")], RULES
    )
    assert decisions == []
    assert decide_arrivals(day, local(BERLIN, "2026-11-23 10:00"), [], RULES) == []


def test_the_vip_setting_is_a_json_list_of_addresses() -> None:
    assert vip_addresses("") == frozenset()
    assert vip_addresses('[" Ada@Example.org "]') == {"ada@example.org"}
    for bad in ("ada@example.org", '{"a": 1}', "[1]", '["not an address"]', '["@x.org"]'):
        with pytest.raises(BadInput, match=r"notify\.vip"):
            vip_addresses(bad)
    assert settings.NOTIFY_VIP.parse('["ceo@example.com"]') == '["ceo@example.com"]'
    with pytest.raises(BadInput, match="JSON list"):
        settings.NOTIFY_VIP.parse("ceo@example.com")
    assert settings.NOTIFY_REMINDER_MINUTES.default == 5
    with pytest.raises(BadInput, match="zero or more"):
        settings.NOTIFY_REMINDER_MINUTES.parse("-1")
