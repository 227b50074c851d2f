"""When a check-in is asked (DST in Berlin and New York), what it says, and which
replies are its answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.checkins import (
    MAX_LATE,
    Cadence,
    Medium,
    answer_preview,
    answers_email,
    check_name,
    check_question,
    due_instant,
    is_room,
    message_text,
    parse_recipients,
    subject,
)
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import parse_clock, parse_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def cadence(days: str, clock: str) -> Cadence:
    return Cadence(parse_days(days), parse_clock(clock))


def test_friday_1500_stays_1500_in_berlin_across_the_autumn_change() -> None:
    weekly = cadence("fri", "15:00")
    before = weekly.next_after(at("2026-10-20T00:00:00+00:00"), BERLIN)
    after = weekly.next_after(before, BERLIN)
    assert before == at("2026-10-23T15:00:00+02:00")  # CEST: 13:00 UTC
    assert after == at("2026-10-30T15:00:00+01:00")  # CET: 14:00 UTC
    assert after - before == timedelta(days=7, hours=1)
    assert weekly.last_at_or_before(after, BERLIN) == after  # "at or before" includes it
    assert weekly.last_at_or_before(after - timedelta(seconds=1), BERLIN) == before


def test_weekdays_0900_in_new_york_across_both_changes() -> None:
    daily = cadence("mon-fri", "09:00")
    friday = daily.next_after(at("2026-10-30T12:00:00+00:00"), NEW_YORK)
    monday = daily.next_after(friday, NEW_YORK)
    assert friday == at("2026-10-30T09:00:00-04:00")  # EDT
    assert monday == at("2026-11-02T09:00:00-05:00")  # EST, the weekend skipped
    spring = daily.next_after(at("2026-03-06T15:00:00+00:00"), NEW_YORK)
    assert spring == at("2026-03-09T09:00:00-04:00")  # Monday after the change (8 March)


def test_a_time_the_clocks_skip_is_asked_when_they_jump_and_a_doubled_one_once() -> None:
    sunday = cadence("sun", "02:30")
    spring = sunday.next_after(at("2026-03-27T00:00:00+00:00"), BERLIN)
    assert spring == at("2026-03-29T03:00:00+02:00")  # 02:00 -> 03:00: asked at the jump
    autumn = sunday.next_after(at("2026-10-23T00:00:00+00:00"), BERLIN)
    assert autumn == at("2026-10-25T02:30:00+02:00")  # the first 02:30 (still CEST)
    assert sunday.next_after(autumn, BERLIN) == at("2026-11-01T02:30:00+01:00")


@pytest.mark.parametrize(
    ("days", "weekdays"),
    [("fri", {4}), ("mon-fri", {0, 1, 2, 3, 4}), ("mon,wed", {0, 2}), ("fri-mon", {4, 5, 6, 0})],
)
def test_days_use_the_schedule_syntax(days: str, weekdays: set[int]) -> None:
    assert cadence(days, "15:00").days == weekdays
    assert cadence(days, "15:00").describe().endswith(" 15:00")


def test_the_due_run_is_the_latest_at_most_a_day_old_and_after_creation() -> None:
    weekly = cadence("fri", "15:00")
    created = at("2026-11-26T10:00:00+01:00")  # a Thursday
    friday = at("2026-11-27T15:00:00+01:00")
    assert due_instant(weekly, BERLIN, friday - timedelta(seconds=1), created) is None
    assert due_instant(weekly, BERLIN, friday, created) == friday
    # Asleep all Friday: sent on Saturday morning, not on Monday.
    assert due_instant(weekly, BERLIN, friday + timedelta(hours=18), created) == friday
    assert due_instant(weekly, BERLIN, friday + MAX_LATE + timedelta(minutes=1), created) is None
    # Added on Friday at 16:00: this Friday's 15:00 is not sent after the fact.
    late = at("2026-11-27T16:00:00+01:00")
    assert due_instant(weekly, BERLIN, late + timedelta(minutes=5), late) is None


def test_recipients_by_medium() -> None:
    emails = parse_recipients(" Ana@Example.com, bo@example.org,ana@example.com ", Medium.EMAIL)
    assert emails == ("ana@example.com", "bo@example.org")
    assert parse_recipients("@ana:example.org,!team:example.org", Medium.MATRIX) == (
        "@ana:example.org",
        "!team:example.org",
    )
    assert parse_recipients("u012ab,C0TEAM", Medium.SLACK) == ("U012AB", "C0TEAM")
    assert is_room("!team:example.org")
    assert is_room("C0TEAM")
    assert not is_room("@ana:example.org")
    assert not is_room("U012AB")


@pytest.mark.parametrize(
    ("text", "medium", "said"),
    [
        ("ana", Medium.EMAIL, "'ana' is not an email address"),
        ("ana@example.com,@bo:x.org", Medium.EMAIL, "'@bo:x.org' is not an email address"),
        ("ana@example.com", Medium.MATRIX, "not a Matrix user id"),
        ("@ana:example.org", Medium.SLACK, "not a Slack user id"),
        (" , ", Medium.EMAIL, "names nobody"),
    ],
)
def test_bad_recipients_are_one_line(text: str, medium: Medium, said: str) -> None:
    with pytest.raises(BadInput, match=said):
        parse_recipients(text, medium)


def test_names_and_questions_are_checked() -> None:
    assert check_name("  weekly  ") == "weekly"
    with pytest.raises(BadInput, match="not a check-in name"):
        check_name("we/ekly")
    with pytest.raises(BadInput, match="question is empty"):
        check_question("\n  \n")
    assert check_question("What did you finish?\n\n") == "What did you finish?"


def test_the_message_is_the_question_and_where_the_answer_goes() -> None:
    text = message_text("What did you finish this week?\nWhat is blocked?", "Ana")
    assert text.startswith("What did you finish this week?\nWhat is blocked?\n\n")
    assert "Reply to this message; your answer is gathered for Ana's next reading time." in text
    assert subject("weekly", at("2026-11-27T15:00:00+01:00"), BERLIN) == (
        "Check-in: weekly (Fri 27 Nov)"
    )


def test_a_reply_is_matched_by_in_reply_to_then_references() -> None:
    ours = ["a1@desk.example", "b2@desk.example"]
    assert answers_email(ours, "<b2@desk.example>", []) == "b2@desk.example"
    assert answers_email(ours, "other@x", ["root@x", "a1@desk.example"]) == "a1@desk.example"
    assert answers_email(ours, None, ["root@x"]) is None


def test_the_preview_is_the_answer_without_the_quote_and_signature() -> None:
    reply = (
        "Finished the export.\nBlocked on the API key.\n\n"
        "On Fri, 27 Nov 2026 at 15:00, Ana wrote:\n> What did you finish?\n-- \nBo"
    )
    assert answer_preview(reply) == "Finished the export. Blocked on the API key."
    assert answer_preview("x" * 400).endswith("…")
    assert len(answer_preview("x" * 400)) == 300
