"""Who gets the published-availability auto-reply (core.auto_reply): pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import ME, email

from asyncdesk.core.auto_reply import (
    MAX_AGE,
    closed_period_key,
    recipient_problem,
    skip_reason,
)
from asyncdesk.core.messages import Direction
from asyncdesk.core.schedule import BlockKind, Schedule, WeeklyBlock

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = frozenset(range(7))
SCHEDULE = Schedule(
    zone=BERLIN,
    weekly=(
        WeeklyBlock(BlockKind.WINDOW, EVERY_DAY, 9 * 60, 9 * 60 + 30),
        WeeklyBlock(BlockKind.WINDOW, EVERY_DAY, 16 * 60 + 30, 17 * 60),
    ),
)
WED_1200 = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # 12:00 CET
WED_1630 = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)


def test_a_person_writing_to_me_may_get_one() -> None:
    assert skip_reason(email("a"), [ME], needs_reply=True) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"list-id": "<dev.lists.example>"}, "Mailing list (List-Id: dev.lists.example)"),
        ({"list-unsubscribe": "<mailto:x@y>"}, "Mailing list or newsletter (List-Unsubscribe)"),
        ({"precedence": "bulk"}, "Bulk mail (Precedence: bulk)"),
        ({"precedence": "list"}, "Bulk mail (Precedence: list)"),
        ({"precedence": "junk"}, "Bulk mail (Precedence: junk)"),
        ({"auto-submitted": "auto-generated"}, "automated (Auto-Submitted: auto-generated)"),
        ({"auto-submitted": "auto-replied"}, "automated (Auto-Submitted: auto-replied)"),
        ({"x-asyncdesk-auto-reply": "1"}, "an AsyncDesk auto-reply"),
        ({"return-path": "<>"}, "empty Return-Path (a bounce or automatic mail)"),
        ({"return-path": " < > "}, "empty Return-Path (a bounce or automatic mail)"),
        ({"x-autoreply": "yes"}, "Automated (X-Autoreply: yes)"),
    ],
)
def test_lists_bulk_and_automated_mail_get_none(headers: dict[str, str], expected: str) -> None:
    assert skip_reason(email("a", headers=headers), [ME], needs_reply=True) == expected


@pytest.mark.parametrize(
    "headers",
    [{"auto-submitted": "no"}, {"return-path": "<ada@example.org>"}, {"precedence": "first-class"}],
)
def test_ordinary_headers_do_not_stop_it(headers: dict[str, str]) -> None:
    assert skip_reason(email("a", headers=headers), [ME], needs_reply=True) is None


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@shop.example",
        "no-reply@shop.example",
        "do-not-reply@shop.example",
        "MAILER-DAEMON@mx.example",
        "postmaster@mx.example",
        "notifications@github.com",
    ],
)
def test_machine_senders_get_none(sender: str) -> None:
    assert skip_reason(email("a", sender=sender), [ME], needs_reply=True) is not None


def test_an_auto_reply_subject_gets_none() -> None:
    message = email("a", subject="Automatic reply: Offer")
    assert skip_reason(message, [ME], needs_reply=True) == "Automated (subject: Automatic reply)"


def test_my_own_mail_fyi_and_outbound_get_none() -> None:
    assert skip_reason(email("a", sender=ME.upper()), [ME], True) == "your own address"
    assert skip_reason(email("a"), [ME], needs_reply=False) == "needs no reply"
    outbound = email("a", direction=Direction.OUTBOUND)
    assert skip_reason(outbound, [ME], needs_reply=True) == "not an inbound email"
    assert skip_reason(email("a", sender=""), [ME], needs_reply=True) == "no sender address"


def test_recipients_never_mine_nor_no_reply() -> None:
    assert recipient_problem(["ada@example.org"], [ME]) is None
    assert recipient_problem([], [ME]) == "no address to reply to"
    assert recipient_problem(["Me@Example.com"], [ME]) == (
        "the reply would go to your own address me@example.com"
    )
    assert recipient_problem(["ada@example.org", "noreply@example.org"], [ME]) == (
        "the reply would go to a no-reply address noreply@example.org"
    )


def test_the_key_is_the_next_window_of_this_closed_period() -> None:
    key = closed_period_key(SCHEDULE, WED_1200, WED_1200 + timedelta(minutes=5))
    assert key == WED_1630
    # Arrived in the morning window, synced after it: it was seen then.
    assert closed_period_key(SCHEDULE, WED_1200 - timedelta(hours=2, minutes=50), WED_1200) is None
    # Arrived before the morning window: another closed period.
    assert closed_period_key(SCHEDULE, WED_1200 - timedelta(hours=5), WED_1200) is None
    # Inside a window: none.
    inside = WED_1630 + timedelta(minutes=10)
    assert closed_period_key(SCHEDULE, inside, inside) is None


def test_the_key_across_the_dst_change() -> None:
    saturday = datetime(2026, 10, 24, 16, 0, tzinfo=UTC)  # 18:00 CEST
    key = closed_period_key(SCHEDULE, saturday, saturday + timedelta(minutes=1))
    assert key == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # Sunday 09:00 CET


def test_no_key_for_old_mail_or_without_windows() -> None:
    closed_long = Schedule(
        zone=BERLIN, weekly=(WeeklyBlock(BlockKind.WINDOW, frozenset({0}), 9 * 60, 10 * 60),)
    )
    tuesday = datetime(2026, 11, 17, 10, 0, tzinfo=UTC)
    assert closed_period_key(closed_long, tuesday, tuesday + MAX_AGE) is not None
    late = tuesday + MAX_AGE + timedelta(seconds=1)
    assert closed_period_key(closed_long, tuesday, late) is None
    assert closed_period_key(Schedule(zone=BERLIN), WED_1200, WED_1200) is None  # always open


def test_a_message_dated_in_the_future_counts_as_now() -> None:
    now = WED_1200
    assert closed_period_key(SCHEDULE, now + timedelta(hours=6), now) == WED_1630
