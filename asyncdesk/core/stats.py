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


def message_stats(facts: Iterable[InboundFact], now: datetime) -> tuple[MessageStats, list[float]]:
    """The message numbers of ``facts`` at the export instant ``now``; also every
    response time in minutes."""
    received = needs = replied = overdue = kept = promises = pending = 0
    minutes: list[float] = []
    for fact in facts:
        received += 1
        reply = fact.first_reply_at
        answered = reply is not None and reply <= now
        if answered and reply is not None:
            replied += 1
            minutes.append((reply - fact.received_at).total_seconds() / 60)
        if not fact.needs_reply:
            continue
        needs += 1
        if fact.dismissed or fact.due_at is None:
            continue
        due = fact.due_at
        if answered or due < now:
            promises += 1
            if answered and reply is not None and reply <= due:
                kept += 1
        else:
            pending += 1
        if not answered and due < now:
            overdue += 1
    median, p90 = percentile_pair(minutes)
    stats = MessageStats(
        received=received,
        needs_reply=needs,
        replied=replied,
        median_response_minutes=median,
        p90_response_minutes=p90,
        commitment_kept_pct=None if promises == 0 else 100.0 * kept / promises,
        overdue_open=overdue,
        promises_kept=kept,
        promises_missed=promises - kept,
        promises_pending=pending,
    )
    return stats, minutes


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
    start, end = week.start, week.end
    inside = [fact for fact in facts if start <= fact.received_at < end]
    totals, minutes = message_stats(inside, now)
    by_account = {
        name: message_stats([f for f in inside if f.account == name], now)[0]
        for name in sorted({*accounts, *(f.account for f in inside)})
    }
    by_day = []
    for day in week.days:
        day_start = week.day_start(day)
        day_end = week.day_start(day + timedelta(days=1))
        stats, _ = message_stats([f for f in inside if day_start <= f.received_at < day_end], now)
        by_day.append((day, stats))
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
        totals=totals,
        by_account=by_account,
        by_day=by_day,
        windows=windows,
        window_minutes=window_minutes,
        deep_work_minutes=deep_minutes,
        notifications_deferred=notifications_deferred,
        break_glass_reasons=list(break_glass_reasons),
        response_minutes=minutes,
        generated_at=now,
    )
