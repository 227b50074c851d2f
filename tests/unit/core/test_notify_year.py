"""A simulated year through the notification policy: 2026 in Berlin (both DST changes),
the demo's working day, messages arriving at random (seeded) instants, some exactly on
the edges of blocks. The simulation steps from one instant to the next (each arrival,
each summary or reminder instant), as the notifier's thread does, with no sleeping.

The expectations are computed independently of the schedule code: window starts and
deep-work spans are placed with ``zoneinfo`` from the wall-clock times below.
``ASYNCDESK_TEST_SEED`` picks another year of arrivals.
"""

from __future__ import annotations

import os
import random
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from asyncdesk.core.notify_policy import (
    Arrival,
    Counts,
    Decision,
    NoticeKind,
    NotifyRules,
    decide_arrivals,
    decide_wakeup,
    next_wakeup,
)
from asyncdesk.core.schedule import BlockKind, Mode, Schedule, WeeklyBlock, parse_clock, parse_days

BERLIN = ZoneInfo("Europe/Berlin")
YEAR_START = datetime(2026, 1, 1, tzinfo=BERLIN).astimezone(UTC)
YEAR_END = datetime(2027, 1, 1, tzinfo=BERLIN).astimezone(UTC)
WINDOWS = [("09:00", "09:30"), ("13:00", "13:30"), ("16:30", "17:00")]
DEEP_WORK = [("09:30", "12:00"), ("13:30", "16:00")]
ARRIVALS = 6000
VIP = "ceo@example.com"
SENDERS = [VIP, "ada@example.org", "grace@example.org", "news@example.net", "bot@ci.example"]


def schedule() -> Schedule:
    built = Schedule(zone=BERLIN)
    for kind, spans in ((BlockKind.WINDOW, WINDOWS), (BlockKind.DEEP_WORK, DEEP_WORK)):
        for start, end in spans:
            built = built.with_weekly(
                WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))
            )
    return built


def _weekdays() -> list[date]:
    day, last = date(2026, 1, 1), date(2026, 12, 31)
    found = []
    while day <= last:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return found


def _instant(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, clock_time(hours, minutes), BERLIN).astimezone(UTC)


def spans(which: list[tuple[str, str]]) -> list[tuple[datetime, datetime]]:
    return [(_instant(d, s), _instant(d, e)) for d in _weekdays() for s, e in which]


WINDOW_SPANS = spans(WINDOWS)
DEEP_SPANS = spans(DEEP_WORK)
WINDOW_ENDS = sorted(end for _, end in WINDOW_SPANS)


def inside(instant: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(start <= instant < end for start, end in spans)


def arrivals(seed: int) -> list[tuple[datetime, str]]:
    """Random instants over the year, plus some exactly on block edges."""
    rng = random.Random(seed)
    length = (YEAR_END - YEAR_START).total_seconds()
    found = [
        (YEAR_START + timedelta(seconds=rng.uniform(0, length)), rng.choice(SENDERS))
        for _ in range(ARRIVALS)
    ]
    edges = [edge for span in WINDOW_SPANS + DEEP_SPANS for edge in span]
    found += [(edge, rng.choice(SENDERS)) for edge in rng.sample(edges, 300)]
    return sorted(found)


@dataclass
class Run:
    decisions: list[Decision] = field(default_factory=list)
    seconds: float = 0.0


def simulate(rules: NotifyRules, incoming: list[tuple[datetime, str]]) -> Run:
    """Step through every arrival and every instant the policy wakes for."""
    day = schedule()
    run = Run()
    started = time.perf_counter()
    received: list[datetime] = []
    looked = YEAR_START
    wakeup = next_wakeup(day, looked, rules)
    index = 0
    while True:
        arrival = incoming[index] if index < len(incoming) else None
        if arrival is not None and (wakeup is None or arrival[0] < wakeup.at):
            at, sender = arrival
            received.append(at)
            run.decisions += decide_arrivals(day, at, [Arrival(sender, subject="hello")], rules)
            index += 1
            continue
        if wakeup is None or wakeup.at >= YEAR_END:
            break
        now = wakeup.at
        # What status would count: waiting since the last window ended; "due" here is a
        # stand-in that is sometimes zero (messages of 40-48 hours ago, every third one).
        ended = bisect_right(WINDOW_ENDS, now)
        last_end = WINDOW_ENDS[ended - 1] if ended else YEAR_START
        waiting = bisect_left(received, now) - bisect_left(received, last_end)
        due = len(
            range(
                _next_third(bisect_left(received, now - timedelta(hours=48))),
                bisect_left(received, now - timedelta(hours=40)),
                3,
            )
        )
        said = decide_wakeup(day, wakeup, now, Counts(waiting, due), rules)
        if said is not None:
            run.decisions.append(said)
        looked = now
        wakeup = next_wakeup(day, looked, rules)
    run.seconds = time.perf_counter() - started
    return run


def _next_third(index: int) -> int:
    return index + (-index % 3)


SEED = int(os.environ.get("ASYNCDESK_TEST_SEED", "2026"))


@pytest.fixture(scope="module")
def incoming() -> list[tuple[datetime, str]]:
    return arrivals(SEED)


@pytest.mark.parametrize("vips", [frozenset(), frozenset({VIP})], ids=["no-vip", "vip"])
def test_a_year_of_mail_never_reaches_deep_work_and_each_window_opens_once(
    incoming: list[tuple[datetime, str]], vips: frozenset[str]
) -> None:
    rules = NotifyRules(reminder_minutes=5, vip=vips)
    run = simulate(rules, incoming)
    sent = [d for d in run.decisions if d.send]
    held = [d for d in run.decisions if not d.send]

    # Zero notifications inside deep work, by the independent placement of its spans.
    assert [d for d in sent if inside(d.at, DEEP_SPANS)] == []
    assert all(d.mode is not Mode.DEEP_WORK for d in sent)

    # Exactly one summary per window start, at the start, and no other summaries.
    summaries = [d for d in sent if d.kind is NoticeKind.SUMMARY]
    starts = [start for start, _ in WINDOW_SPANS]
    assert len(starts) == 3 * 261  # 2026 has 261 weekdays
    assert [d.at for d in summaries] == starts
    assert [d.window.start for d in summaries if d.window is not None] == starts
    # Summaries and reminders are the only notifications inside windows.
    assert all(
        d.kind in (NoticeKind.SUMMARY, NoticeKind.REMINDER)
        for d in sent
        if inside(d.at, WINDOW_SPANS)
    )

    # At most one reminder per window, 5 minutes before its end, only when replies are due.
    reminders = [d for d in sent if d.kind is NoticeKind.REMINDER]
    ends = {end for _, end in WINDOW_SPANS}
    assert all(
        d.window is not None and d.at == d.window.end - timedelta(minutes=5) for d in reminders
    )
    assert all(d.window is not None and d.window.end in ends for d in reminders)
    assert len({d.at for d in reminders}) == len(reminders)
    assert all(d.counts is not None and d.counts.due_before_next_window > 0 for d in reminders)
    assert 0 < len(reminders) < len(starts)

    # Held back: one per message outside windows, every one in deep work; VIPs in
    # closed time are the only messages that notify.
    in_deep = [(at, s) for at, s in incoming if inside(at, DEEP_SPANS)]
    in_window = [(at, s) for at, s in incoming if inside(at, WINDOW_SPANS)]
    closed = [(at, s) for at, s in incoming if (at, s) not in in_deep and (at, s) not in in_window]
    vip_closed = [a for a in closed if a[1] in vips]
    assert sum(d.messages for d in held if d.mode is Mode.DEEP_WORK) == len(in_deep)
    assert sum(d.messages for d in held if d.mode is Mode.CLOSED) == len(closed) - len(vip_closed)
    assert sum(d.messages for d in held) == len(in_deep) + len(closed) - len(vip_closed)
    vip_sent = [d for d in sent if d.kind is NoticeKind.NEW_MAIL]
    assert len(vip_sent) == len(vip_closed)
    assert all(d.mode is Mode.CLOSED for d in vip_sent)
    assert all(d.kind is NoticeKind.NEW_MAIL for d in held)
    assert len(in_deep) > 500
    assert len(closed) > 500
    print(
        f"\nsimulated year ({'VIP' if vips else 'no VIP'}): {len(incoming)} arrivals, "
        f"{len(starts)} windows, {len(sent)} notifications ({len(summaries)} summaries, "
        f"{len(reminders)} reminders, {len(vip_sent)} VIP), "
        f"{sum(d.messages for d in held)} held back ({len(in_deep)} in deep work), "
        f"{run.seconds:.2f} s"
    )
