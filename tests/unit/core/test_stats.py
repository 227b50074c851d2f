"""Weekly stats against fixtures computed by hand (DESIGN.md, "Weekly stats")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.errors import BadInput
from asyncdesk.core.stats import (
    InboundFact,
    Span,
    Week,
    last_complete_week,
    parse_week,
    percentile_pair,
    week_stats,
)

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
M = timedelta(minutes=1)
W47 = Week(2026, 47, BERLIN)  # Mon 16 Nov - Sun 22 Nov 2026, UTC+1 all week


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """An instant given in Berlin wall-clock time (2026)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def fact(
    received: datetime,
    *,
    account: str = "work",
    needs: bool = True,
    reply: datetime | None = None,
    sla: timedelta = 48 * H,
    dismissed: bool = False,
) -> InboundFact:
    return InboundFact(
        account=account,
        received_at=received,
        needs_reply=needs,
        due_at=received + sla if needs else None,
        dismissed=dismissed,
        first_reply_at=reply,
    )


NOW = local(23, 12)  # the Monday after, noon

NORMAL = [
    # Kept: answered after an hour.
    fact(local(16, 10), reply=local(16, 11)),
    # Replied late: due Thu 09:00, answered Fri 09:00 (72 h): replied, not kept.
    fact(local(17, 9), reply=local(20, 9)),
    # A newsletter: no reply needed, none given.
    fact(local(18, 12), needs=False),
    # Overdue: due Sat 08:00, never answered.
    fact(local(19, 8)),
    # Due Tue 23:30, after the export: neither kept nor missed yet.
    fact(local(22, 23, 30)),
    # Chat, no reply needed, answered anyway after 30 minutes: counts as replied.
    fact(local(20, 15), account="team", needs=False, reply=local(20, 15, 30)),
]


def test_a_normal_week_by_hand() -> None:
    stats = week_stats(W47, NORMAL, NOW)
    totals = stats.totals
    assert (totals.received, totals.needs_reply, totals.replied) == (6, 4, 3)
    # Response minutes 60, 4320, 30 -> sorted 30, 60, 4320; inclusive quantiles.
    assert totals.median_response_minutes == 60.0
    assert totals.p90_response_minutes == pytest.approx(3468.0)
    # Promises due or answered: the kept one, the late one, the overdue one.
    assert totals.commitment_kept_pct == pytest.approx(100 / 3)
    assert totals.overdue_open == 1
    assert (totals.promises_kept, totals.promises_missed, totals.promises_pending) == (1, 2, 1)
    assert sorted(stats.by_account) == ["team", "work"]
    assert stats.by_account["team"].replied == 1
    assert stats.by_account["work"].received == 5
    days = {day: numbers.received for day, numbers in stats.by_day}
    per_day = [1, 1, 1, 1, 1, 0, 1]  # Mon..Sun; the chat message is on Friday
    assert days == {date(2026, 11, 16 + i): n for i, n in enumerate(per_day)}


def test_json_has_the_contract_keys() -> None:
    shown = week_stats(W47, NORMAL, NOW, accounts=["idle"]).as_json()
    for key in (
        "week",
        "received",
        "needs_reply",
        "replied",
        "median_response_minutes",
        "p90_response_minutes",
        "commitment_kept_pct",
        "overdue_open",
        "windows",
        "window_minutes",
        "deep_work_minutes",
        "notifications_deferred",
        "break_glass",
        "break_glass_reasons",
        "by_account",
        "by_day",
    ):
        assert key in shown
    assert shown["week"] == "2026-W47"
    assert shown["by_account"]["idle"]["received"] == 0  # type: ignore[index]
    assert len(shown["by_day"]) == 7  # type: ignore[arg-type]


def test_a_week_with_no_replies_has_nulls() -> None:
    stats = week_stats(W47, [fact(local(18, 10), sla=timedelta(days=30))], NOW)
    assert stats.totals.median_response_minutes is None
    assert stats.totals.p90_response_minutes is None
    # The one promise is neither due nor answered: no share to give.
    assert stats.totals.commitment_kept_pct is None
    empty = week_stats(W47, [], NOW)
    assert (empty.totals.received, empty.totals.replied) == (0, 0)
    assert empty.as_json()["median_response_minutes"] is None


def test_replies_after_the_week_count_up_to_the_export() -> None:
    sunday_night = fact(local(22, 20), reply=local(23, 10))  # answered Monday 10:00
    assert week_stats(W47, [sunday_night], NOW).totals.replied == 1
    assert week_stats(W47, [sunday_night], local(23, 9)).totals.replied == 0
    assert week_stats(W47, [sunday_night], NOW).totals.median_response_minutes == 14 * 60


def test_messages_outside_the_week_are_not_counted() -> None:
    before = fact(local(15, 23, 59))  # Sunday before
    after = fact(local(23, 0, 0))  # next Monday 00:00 local
    first = fact(local(16, 0, 0))  # Monday 00:00 local: the first instant
    assert week_stats(W47, [before, after, first], NOW).totals.received == 1


def test_dismissed_holds_no_promise_and_a_single_reply_is_both_percentiles() -> None:
    dismissed = fact(local(16, 9), dismissed=True)
    answered = fact(local(16, 10), reply=local(16, 10, 45))
    stats = week_stats(W47, [dismissed, answered], NOW)
    assert stats.totals.needs_reply == 2
    assert stats.totals.commitment_kept_pct == 100.0
    assert stats.totals.overdue_open == 0
    assert percentile_pair([45.0]) == (45.0, 45.0)


def test_mixing_email_and_chat_accounts() -> None:
    facts = [
        fact(local(16, 9), account="mail", reply=local(16, 10)),
        fact(local(16, 9), account="matrix", reply=local(16, 9, 5)),
        fact(local(16, 9), account="slack", needs=False),
    ]
    stats = week_stats(W47, facts, NOW)
    assert stats.by_account["mail"].median_response_minutes == 60
    assert stats.by_account["matrix"].median_response_minutes == 5
    assert stats.by_account["slack"].replied == 0
    assert stats.totals.median_response_minutes == pytest.approx(32.5)


@pytest.mark.parametrize(
    ("week", "hours", "first_day"),
    [
        (Week(2026, 43, BERLIN), 169, date(2026, 10, 19)),  # clocks go back Sun 25 Oct
        (Week(2026, 13, BERLIN), 167, date(2026, 3, 23)),  # clocks go forward Sun 29 Mar
        (Week(2026, 47, BERLIN), 168, date(2026, 11, 16)),
    ],
)
def test_dst_weeks_have_their_hours_and_seven_local_days(
    week: Week, hours: int, first_day: date
) -> None:
    assert week.end - week.start == timedelta(hours=hours)
    assert week.days[0] == first_day
    assert len(week.days) == 7


def test_a_dst_week_counts_by_local_day() -> None:
    week = Week(2026, 43, BERLIN)
    late_sunday = datetime(2026, 10, 25, 23, 30, tzinfo=BERLIN).astimezone(UTC)  # 22:30Z
    next_monday = datetime(2026, 10, 26, 0, 30, tzinfo=BERLIN).astimezone(UTC)  # 23:30Z Sunday
    # The repeated hour: 02:30 happens twice on 25 Oct; both are Sunday.
    first_0230 = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_0230 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    stats = week_stats(
        week,
        [fact(late_sunday), fact(next_monday), fact(first_0230), fact(second_0230)],
        datetime(2026, 11, 2, tzinfo=UTC),
    )
    assert stats.totals.received == 3
    assert dict((day, n.received) for day, n in stats.by_day)[date(2026, 10, 25)] == 3


def test_windows_deep_work_events() -> None:
    spans = [
        Span("window", local(16, 9), local(16, 9, 30)),
        Span("deep_work", local(16, 9, 30), local(16, 12)),
        Span("window", local(16, 16), local(16, 16, 30)),
        # Clipped at the week's end: only its first 30 minutes count.
        Span("deep_work", local(22, 23, 30), local(23, 1)),
        Span("window", local(23, 9), local(23, 9, 30)),  # next week: not counted
    ]
    stats = week_stats(
        W47,
        [],
        NOW,
        spans=spans,
        notifications_deferred=7,
        break_glass_reasons=["client outage", "payroll"],
    )
    shown = stats.as_json()
    assert (shown["windows"], shown["window_minutes"], shown["deep_work_minutes"]) == (
        2,
        60.0,
        180.0,
    )
    assert shown["notifications_deferred"] == 7
    assert (shown["break_glass"], shown["break_glass_reasons"]) == (
        2,
        ["client outage", "payroll"],
    )


def test_weeks_parse_and_default() -> None:
    assert parse_week("2026-W47", BERLIN) == W47
    assert parse_week("2020-W53", BERLIN).days[-1] == date(2021, 1, 3)
    for bad in ("2026-47", "2026-W54", "2025-W53", "last week", "2026-W00"):
        with pytest.raises(BadInput):
            parse_week(bad, BERLIN)
    assert last_complete_week(NOW, BERLIN) == W47
    # On Monday 00:30 local the week just ended is the default.
    assert last_complete_week(local(23, 0, 30), BERLIN) == W47
    assert last_complete_week(local(22, 23, 59), BERLIN) == Week(2026, 46, BERLIN)
