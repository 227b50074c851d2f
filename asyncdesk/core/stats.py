"""Weekly communication stats, exactly as DESIGN.md defines them ("Weekly stats").

Pure: the store hands over facts (one :class:`InboundFact` per inbound message, with
the instant of its first reply already found), the schedule's intervals and the
recorded events; this module does the arithmetic. Every instant is UTC; the week and
its days are local to the user's zone, so a week with a DST change has 167 or 169
hours and its days are still the seven local dates.

Decisions the definitions leave open, each also a test:
- ``replied``: an outbound reply in the conversation after the message, sent by the
  export instant (``now``).
- A dismissed message ("no reply needed", the user's call) still counts in
  ``needs_reply`` (as ``inbox --json`` shows it), but holds no promise: it is in neither
  ``commitment_kept_pct`` nor ``overdue_open``. A snoozed one is still a promise.
- Response minutes are exact (seconds / 60), not rounded; percentiles use
  ``statistics.quantiles(xs, n=10, method="inclusive")`` (the median is its 5th cut, which
  equals the usual median); one reply gives that reply for both.
- ``windows``/``window_minutes``/``deep_work_minutes`` count the scheduled intervals
  (a profile without windows, always open, has none); ``notifications_deferred``
  counts the messages held back.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from asyncdesk.core.errors import BadInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in a zone: ``[start, end)`` from local Monday 00:00 to the next."""

    year: int
    number: int
    zone: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def days(self) -> list[date]:
        monday = date.fromisocalendar(self.year, self.number, 1)
        return [monday + timedelta(days=offset) for offset in range(7)]

    def day_start(self, day: date) -> datetime:
        """Local midnight of ``day`` as a UTC instant (DST-correct)."""
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self.day_start(self.days[0])

    @property
    def end(self) -> datetime:
        return self.day_start(self.days[0] + timedelta(days=7))

    def next(self) -> Week:
        later = self.days[0] + timedelta(days=7)
        year, number, _ = later.isocalendar()
        return Week(year, number, self.zone)

    def previous(self) -> Week:
        earlier = self.days[0] - timedelta(days=7)
        year, number, _ = earlier.isocalendar()
        return Week(year, number, self.zone)


def parse_week(text: str, zone: ZoneInfo) -> Week:
    """``"2026-W47"`` → :class:`Week`; a week that does not exist is bad input."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise BadInput(f"--week takes an ISO week like 2026-W47, not {text!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise BadInput(f"{year} has no week {number}") from None
    return Week(year, number, zone)


def week_of(instant: datetime, zone: ZoneInfo) -> Week:
    year, number, _ = instant.astimezone(zone).isocalendar()
    return Week(year, number, zone)


def last_complete_week(now: datetime, zone: ZoneInfo) -> Week:
    """The default of ``stats``: the newest week that has ended at ``now``."""
    return week_of(now, zone).previous()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(instant: datetime) -> int:
    """A UTC instant as whole microseconds since the epoch: exact, and cheap to compare
    and subtract a hundred thousand times."""
    return (instant - _EPOCH) // _MICROSECOND


#: One inbound message for the arithmetic, as the store reads it in bulk: account,
#: received, needs reply, due, dismissed, first reply; instants as :func:`micros`.
FactRow = tuple[str, int, bool, int | None, bool, int | None]


@dataclass(frozen=True, slots=True)
class InboundFact:
    """One inbound message as the stats need it; instants in UTC."""

    account: str
    received_at: datetime
    needs_reply: bool
    due_at: datetime | None
    dismissed: bool
    #: The first outbound message of its conversation after it, at any time.
    first_reply_at: datetime | None

    def row(self) -> FactRow:
        return (
            self.account,
            micros(self.received_at),
            self.needs_reply,
            None if self.due_at is None else micros(self.due_at),
            self.dismissed,
            None if self.first_reply_at is None else micros(self.first_reply_at),
        )


@dataclass(frozen=True, slots=True)
class MessageStats:
    """The message-derived numbers, for the week, an account or a day."""

    received: int
    needs_reply: int
    replied: int
    median_response_minutes: float | None
    p90_response_minutes: float | None
    commitment_kept_pct: float | None
    overdue_open: int
    #: The counts behind ``commitment_kept_pct``: kept, missed (due and not kept),
    #: and still pending (neither answered nor due at the export).
    promises_kept: int = 0
    promises_missed: int = 0
    promises_pending: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "received": self.received,
            "needs_reply": self.needs_reply,
            "replied": self.replied,
            "median_response_minutes": self.median_response_minutes,
            "p90_response_minutes": self.p90_response_minutes,
            "commitment_kept_pct": self.commitment_kept_pct,
            "overdue_open": self.overdue_open,
            "promises_kept": self.promises_kept,
            "promises_missed": self.promises_missed,
            "promises_pending": self.promises_pending,
        }


@dataclass(frozen=True, slots=True)
class WeekStats:
    week: Week
    totals: MessageStats
    by_account: dict[str, MessageStats]
    by_day: list[tuple[date, MessageStats]]
    windows: int
    window_minutes: float
    deep_work_minutes: float
    notifications_deferred: int
    break_glass_reasons: list[str]
    #: Every response time of the week, in minutes (for the distribution chart).
    response_minutes: list[float] = field(default_factory=list)
    generated_at: datetime | None = None

    @property
    def break_glass(self) -> int:
        return len(self.break_glass_reasons)

    def as_json(self) -> dict[str, object]:
        result: dict[str, object] = {"week": self.week.label}
        result.update(self.totals.as_json())
        result.update(
            {
                "windows": self.windows,
                "window_minutes": self.window_minutes,
                "deep_work_minutes": self.deep_work_minutes,
                "notifications_deferred": self.notifications_deferred,
                "break_glass": self.break_glass,
                "break_glass_reasons": list(self.break_glass_reasons),
                "by_account": {
                    name: stats.as_json() for name, stats in sorted(self.by_account.items())
                },
                "by_day": [
                    {"date": day.isoformat(), **stats.as_json()} for day, stats in self.by_day
                ],
                "timezone": self.week.zone.key,
                "start": _iso_z(self.week.start),
                "end": _iso_z(self.week.end),
            }
        )
        if self.generated_at is not None:
            result["generated_at"] = _iso_z(self.generated_at)
        return result


def _iso_z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def percentile_pair(values: Sequence[float]) -> tuple[float | None, float | None]:
    """``(median, p90)`` by ``statistics.quantiles(n=10, method="inclusive")``."""
    if not values:
        return None, None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return cuts[4], cuts[8]


@dataclass(slots=True)
class _Tally:
    """The counts of a group of messages, before percentiles; groups add up."""

    received: int = 0
    needs: int = 0
    replied: int = 0
    overdue: int = 0
    kept: int = 0
    promises: int = 0
    pending: int = 0
    minutes: list[float] = field(default_factory=list)

    def add(self, other: _Tally) -> None:
        self.received += other.received
        self.needs += other.needs
        self.replied += other.replied
        self.overdue += other.overdue
        self.kept += other.kept
        self.promises += other.promises
        self.pending += other.pending
        self.minutes.extend(other.minutes)

    def stats(self) -> MessageStats:
        median, p90 = percentile_pair(self.minutes)
        return MessageStats(
            received=self.received,
            needs_reply=self.needs,
            replied=self.replied,
            median_response_minutes=median,
            p90_response_minutes=p90,
            commitment_kept_pct=(None if self.promises == 0 else 100.0 * self.kept / self.promises),
            overdue_open=self.overdue,
            promises_kept=self.kept,
            promises_missed=self.promises - self.kept,
            promises_pending=self.pending,
        )


def _tally(rows: Iterable[FactRow], now: int) -> _Tally:
    """The definitions, applied to each message (one tight loop: it runs for every
    message of every week reported)."""
    received = needs = replied = overdue = kept = promises = pending = 0
    minutes: list[float] = []
    for _, at, needs_reply, due, dismissed, reply in rows:
        received += 1
        answered = reply if reply is not None and reply <= now else None
        if answered is not None:
            replied += 1
            minutes.append((answered - at) / 1_000_000 / 60)
        if not needs_reply:
            continue
        needs += 1
        if dismissed or due is None:
            continue
        if answered is not None or due < now:
            promises += 1
            if answered is not None and answered <= due:
                kept += 1
        else:
            pending += 1
        if answered is None and due < now:
            overdue += 1
    return _Tally(received, needs, replied, overdue, kept, promises, pending, minutes)


def message_stats(facts: Iterable[InboundFact], now: datetime) -> tuple[MessageStats, list[float]]:
    """The message numbers of ``facts`` at the export instant ``now``; also every
    response time in minutes."""
    tally = _tally((fact.row() for fact in facts), micros(now))
    return tally.stats(), tally.minutes


@dataclass(frozen=True, slots=True)
class Span:
    """A scheduled interval (``kind`` is ``window`` or ``deep_work``)."""

    kind: str
    start: datetime
    end: datetime


def week_stats(
    week: Week,
    facts: Sequence[InboundFact],
    now: datetime,
    *,
    spans: Sequence[Span] = (),
    notifications_deferred: int = 0,
    break_glass_reasons: Sequence[str] = (),
    accounts: Sequence[str] = (),
) -> WeekStats:
    """The stats of ``week`` from the facts of messages received in it.

    ``accounts`` lists accounts to report even with no message that week (as zeros).
    """
    return week_stats_of_rows(
        week,
        [fact.row() for fact in facts],
        now,
        spans=spans,
        notifications_deferred=notifications_deferred,
        break_glass_reasons=break_glass_reasons,
        accounts=accounts,
    )


def week_stats_of_rows(
    week: Week,
    rows: Iterable[FactRow],
    now: datetime,
    *,
    spans: Sequence[Span] = (),
    notifications_deferred: int = 0,
    break_glass_reasons: Sequence[str] = (),
    accounts: Sequence[str] = (),
) -> WeekStats:
    """:func:`week_stats` over rows as the store reads them. Each message is counted
    once, in its (account, local day) group; the week, each account and each day are
    sums of groups."""
    start, end = week.start, week.end
    days = week.days
    bounds = [micros(week.day_start(day)) for day in days]
    first, last = bounds[0], micros(end)
    groups: dict[tuple[str, int], list[FactRow]] = {}
    for row in rows:
        at = row[1]
        if first <= at < last:
            key = (row[0], bisect_right(bounds, at) - 1)
            group = groups.get(key)
            if group is None:
                groups[key] = [row]
            else:
                group.append(row)
    now_us = micros(now)
    names = sorted({*accounts, *(name for name, _ in groups)})
    per_account = {name: _Tally() for name in names}
    per_day = [_Tally() for _ in days]
    totals = _Tally()
    for (name, day), group in sorted(groups.items()):
        tally = _tally(group, now_us)
        per_account[name].add(tally)
        per_day[day].add(tally)
        totals.add(tally)
    window_minutes = deep_minutes = 0.0
    windows = 0
    for span in spans:
        clipped = (min(span.end, end) - max(span.start, start)).total_seconds() / 60
        if clipped <= 0:
            continue
        if span.kind == "window":
            windows += 1
            window_minutes += clipped
        elif span.kind == "deep_work":
            deep_minutes += clipped
    return WeekStats(
        week=week,
        totals=totals.stats(),
        by_account={name: tally.stats() for name, tally in per_account.items()},
        by_day=[(day, tally.stats()) for day, tally in zip(days, per_day, strict=True)],
        windows=windows,
        window_minutes=window_minutes,
        deep_work_minutes=deep_minutes,
        notifications_deferred=notifications_deferred,
        break_glass_reasons=list(break_glass_reasons),
        response_minutes=totals.minutes,
        generated_at=now,
    )
