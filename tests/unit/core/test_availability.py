"""Published availability: the windows, the promise and the next window an auto-reply states."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core import settings
from asyncdesk.core.availability import (
    DEFAULT_TEMPLATE,
    availability,
    check_template,
    render_auto_reply,
    reply_subject,
    weekly_window_times,
    zone_label,
)
from asyncdesk.core.deadlines import SlaRules, WorkingHours
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import BlockKind, Schedule, WeeklyBlock, parse_clock, parse_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
THREE_A_DAY = [
    ("daily", "09:00", "09:30"),
    ("daily", "13:00", "13:30"),
    ("daily", "16:30", "17:00"),
]


def schedule(zone: ZoneInfo, blocks: list[tuple[str, str, str]], deep: bool = False) -> Schedule:
    made = Schedule(zone=zone)
    for days, start, end in blocks:
        made = made.with_weekly(
            WeeklyBlock(BlockKind.WINDOW, parse_days(days), parse_clock(start), parse_clock(end))
        )
    if deep:
        made = made.with_weekly(
            WeeklyBlock(BlockKind.DEEP_WORK, parse_days("mon-fri"), 10 * 60, 12 * 60)
        )
    return made


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def office(zone: ZoneInfo = BERLIN) -> WorkingHours:
    return WorkingHours(frozenset(range(5)), time(9), time(17), zone)


def test_berlin_in_winter_states_cet_the_promise_and_the_next_window() -> None:
    now = at("2026-11-24T11:00:00+01:00")  # Tuesday
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), now)
    assert facts.windows_phrase() == "at 09:00, 13:00 and 16:30 CET"
    assert facts.reply_by == at("2026-11-26T11:00:00+01:00")
    assert facts.by_phrase() == "Thu 11:00"
    assert facts.next_window is not None
    assert facts.next_window.start == at("2026-11-24T13:00:00+01:00")
    assert facts.next_window_phrase() == "Tue 13:00"
    assert not facts.open_now
    reply = render_auto_reply(facts, "Quarterly numbers")
    assert reply.subject == "Re: Quarterly numbers"
    assert "I read messages at 09:00, 13:00 and 16:30 CET" in reply.body
    assert "You'll hear from me by Thu 11:00." in reply.body
    assert "the next time is Tue 13:00" in reply.body


def test_the_promise_is_the_deadline_the_message_would_get() -> None:
    rules = SlaRules(senders={"vip@example.org": timedelta(hours=4)}, working_hours=office())
    now = at("2026-11-26T15:00:00+01:00")
    plan = schedule(BERLIN, THREE_A_DAY)
    for sender in ("vip@example.org", "someone@example.com"):
        facts = availability(plan, rules, now, sender, "work")
        assert facts.reply_by == rules.due_at(now, sender, "work")
    # 4 working hours from Thu 15:00: two on Thursday, two on Friday morning.
    assert availability(plan, rules, now, "VIP@example.org").by_phrase() == "Fri 11:00"


def test_summer_time_ending_names_the_zone_of_the_deadline() -> None:
    now = at("2026-10-23T14:00:00+02:00")  # Friday, CEST; clocks go back on Sunday 25th
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), now)
    assert facts.windows_phrase() == "at 09:00, 13:00 and 16:30 CEST"
    assert facts.reply_by == at("2026-10-25T13:00:00+01:00")
    assert facts.by_phrase() == "Sun 13:00 CET"


def test_summer_time_starting_names_the_zone_of_the_deadline() -> None:
    now = at("2026-03-27T13:00:00+01:00")  # Friday, CET; clocks go forward on Sunday 29th
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), now)
    assert facts.windows_phrase() == "at 09:00, 13:00 and 16:30 CET"
    assert facts.reply_by == at("2026-03-29T14:00:00+02:00")
    assert facts.by_phrase() == "Sun 14:00 CEST"


def test_the_next_window_after_the_clock_change_keeps_its_wall_time() -> None:
    now = at("2026-10-24T17:30:00+02:00")  # Saturday evening; next window Sunday 09:00 CET
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), now)
    assert facts.next_window is not None
    assert facts.next_window.start == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert facts.next_window_phrase() == "Sun 09:00 CET"


def test_new_york_weekdays_with_working_hours() -> None:
    plan = schedule(NEW_YORK, [("mon-fri", "09:00", "09:30"), ("mon-fri", "16:00", "16:30")])
    rules = SlaRules(default=timedelta(hours=8), working_hours=office(NEW_YORK))
    now = at("2026-11-27T18:00:00-05:00")  # Friday evening, after working hours
    facts = availability(plan, rules, now)
    assert facts.windows_phrase() == "on weekdays at 09:00 and 16:00 EST"
    assert facts.reply_by == at("2026-11-30T17:00:00-05:00")
    assert facts.by_phrase() == "Mon 17:00"
    assert facts.next_window_phrase() == "Mon 09:00"


def test_kolkata_half_hour_offset() -> None:
    now = at("2026-11-24T11:30:00+05:30")
    facts = availability(schedule(KOLKATA, THREE_A_DAY), SlaRules(), now)
    assert facts.windows_phrase() == "at 09:00, 13:00 and 16:30 IST"
    assert facts.reply_by == datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
    assert facts.by_phrase() == "Thu 11:30"
    assert facts.next_window is not None
    assert facts.next_window.start == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def test_a_zone_without_a_letters_abbreviation_is_named_by_its_offset() -> None:
    instant = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert zone_label(ZoneInfo("America/Sao_Paulo"), instant) == "UTC-03:00"
    assert zone_label(ZoneInfo("Asia/Kabul"), instant) == "UTC+04:30"
    assert zone_label(ZoneInfo("UTC"), instant) == "UTC"
    plan = schedule(ZoneInfo("America/Sao_Paulo"), [("daily", "10:00", "10:30")])
    assert availability(plan, SlaRules(), instant).windows_phrase() == "at 10:00 UTC-03:00"


def test_no_windows_means_no_fixed_times_and_the_zone_on_the_promise() -> None:
    now = at("2026-11-24T11:00:00+01:00")
    facts = availability(Schedule(zone=BERLIN), SlaRules(), now)
    assert facts.windows == ()
    assert facts.open_now
    assert facts.next_window is None
    assert facts.windows_phrase() == "at no fixed times"
    assert facts.next_window_phrase() == "not scheduled"
    assert facts.by_phrase() == "Thu 11:00 CET"
    assert "not scheduled" in render_auto_reply(facts, "x").body


def test_at_the_weekend_the_next_window_and_working_hours_are_on_monday() -> None:
    plan = schedule(BERLIN, [("mon-fri", "09:00", "09:30"), ("mon-fri", "16:00", "16:30")], True)
    rules = SlaRules(default=timedelta(hours=8), working_hours=office())
    now = at("2026-11-28T11:00:00+01:00")  # Saturday
    facts = availability(plan, rules, now)
    assert facts.windows_phrase() == "on weekdays at 09:00 and 16:00 CET"
    assert facts.next_window_phrase() == "Mon 09:00"
    assert facts.reply_by == at("2026-11-30T17:00:00+01:00")
    assert facts.by_phrase() == "Mon 17:00"


def test_a_window_open_now_is_said_and_the_next_one_is_after_it() -> None:
    now = at("2026-11-24T09:10:00+01:00")
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), now)
    assert facts.open_now
    assert facts.next_window is not None
    assert facts.next_window.start == at("2026-11-24T13:00:00+01:00")


def test_a_far_deadline_carries_its_date() -> None:
    now = at("2026-11-24T11:00:00+01:00")
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(default=timedelta(hours=168)), now)
    assert facts.by_phrase() == "Tue 1 Dec 11:00"


def test_days_that_differ_are_named() -> None:
    plan = schedule(
        BERLIN,
        [
            ("mon-fri", "09:00", "09:30"),
            ("mon-fri", "16:00", "16:30"),
            ("sat", "10:00", "10:30"),
        ],
    )
    facts = availability(plan, SlaRules(), at("2026-11-24T11:00:00+01:00"))
    assert facts.windows_phrase() == (
        "on weekdays at 09:00 and 16:00 and on Saturdays at 10:00 CET"
    )
    assert [group.as_json() for group in facts.windows] == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "starts": ["09:00", "16:00"]},
        {"days": ["sat"], "starts": ["10:00"]},
    ]
    other = schedule(BERLIN, [("mon,wed,fri", "09:00", "09:30"), ("tue-thu", "14:00", "14:30")])
    assert [(sorted(g.days), g.starts) for g in weekly_window_times(other)] == [
        ([0, 4], (540,)),
        ([1, 3], (840,)),
        ([2], (540, 840)),
    ]
    phrase = availability(other, SlaRules(), at("2026-11-24T11:00:00+01:00")).windows_phrase()
    assert phrase == (
        "on Mondays and Fridays at 09:00, on Tuesdays and Thursdays at 14:00 "
        "and on Wednesdays at 09:00 and 14:00 CET"
    )
    weekend = schedule(BERLIN, [("mon-thu", "09:00", "09:30"), ("sat-sun", "11:00", "11:30")])
    phrase = availability(weekend, SlaRules(), at("2026-11-24T11:00:00+01:00")).windows_phrase()
    assert phrase == "on Monday to Thursday at 09:00 and at weekends at 11:00 CET"


def test_the_users_template_replaces_the_body() -> None:
    facts = availability(schedule(BERLIN, THREE_A_DAY), SlaRules(), at("2026-11-24T11:00:00+01:00"))
    reply = render_auto_reply(facts, "Hi", "Back {by} {{not a field}}; I read {windows}.")
    assert reply.body == "Back Thu 11:00 {not a field}; I read at 09:00, 13:00 and 16:30 CET."
    assert render_auto_reply(facts, "Hi", "  ").body == render_auto_reply(facts, "Hi").body
    check_template(DEFAULT_TEMPLATE)


@pytest.mark.parametrize(
    "template",
    ["{name}", "{by!r}", "{by:>9}", "{", "}", "{0}", "{}", "{by.real}", "{by[0]}", "x" * 2001],
)
def test_a_template_with_anything_but_the_three_placeholders_is_refused(template: str) -> None:
    with pytest.raises(BadInput) as refused:
        check_template(template)
    assert "\n" not in refused.value.message
    with pytest.raises(BadInput):
        settings.AUTOREPLY_TEMPLATE.validate(template)


def test_the_declared_settings() -> None:
    assert settings.AUTOREPLY_ENABLED.default is False
    assert settings.AUTOREPLY_ENABLED.parse("on") is True
    assert settings.lookup("autoreply.template").default == ""
    assert settings.AUTOREPLY_TEMPLATE.parse(" {windows} ") == "{windows}"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Numbers", "Re: Numbers"),
        ("Re: Numbers", "Re: Numbers"),
        ("RE: Numbers", "RE: Numbers"),
        ("", "Re: your message"),
        ("two\r\nlines", "Re: two lines"),
    ],
)
def test_the_subject_answers_the_message(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected
