"""Reply-by deadlines: promise durations, SLA rules, and counting working hours only.

A message that needs a reply is due ``received_at + SLA``. The SLA comes from
:class:`SlaRules`: the most specific rule wins (sender > domain > account > default).
With :class:`WorkingHours` set, the SLA counts only working time, so "48h" with
Monday to Friday 09:00-17:00 means six working days.

Durations, as the user types them (:func:`parse_duration`): ``48h``, ``2d``, ``90m``,
``1h30m``, ``1w``, ``1d 12h``; units ``w``, ``d``, ``h``, ``m``, each at most once and
largest first, any case, spaces between parts. More than zero, at most 365 days.
:func:`format_duration` writes the form people state a promise in: **hours and
minutes only** (``48h``, ``1h30m``, ``45m``; a week is ``168h``), so a day never hides
whether it means 24 hours or a working day.

Working time (:func:`add_working_time`), with the local-time rules of
:mod:`asyncdesk.core.schedule`, so a working day and a schedule block read the same:

- Each working day has one period ``[start, end)`` of wall-clock time in the zone, on
  the given weekdays (0 = Monday). Working time is real elapsed time inside periods.
- A wall time that happens twice (clocks go back) means its first occurrence; one that
  does not exist (clocks go forward) means the instant the clocks jumped. So a period
  that contains a clock change lasts what the wall clock shows: 00:00-06:00 on the night
  Berlin springs forward is five hours of working time, on the night it falls back seven.
- Counting starts at ``start`` if it lies in a period, else at the next period. The
  result is the instant the amount is used up: inside a period or exactly at its end
  (never the start of the next one). An amount of zero returns ``start`` itself.
- Long amounts skip whole weeks arithmetically between the zone's offset changes;
  only the days around a change, and the first and last week, are walked one by one.
  Offset changes are found by sampling each UTC day (:func:`_offset_changes`), which
  assumes no zone changes its offset and back within one day: true of every zone in
  tzdata from 1900 to 2100 (the closest pairs are 4 days apart, Freetown 1939, and
  just under 7 days, Recife 2000 and Gaza's Ramadan pauses from 2040).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import (
    address_domain,
    most_specific_domain,
    normalize_address,
    normalize_domain,
)
from asyncdesk.core.schedule import DAY_NAMES, format_clock, format_days, local_instant

DEFAULT_SLA: Final = timedelta(hours=48)
MAX_DURATION: Final = timedelta(days=365)
#: Working time is not counted beyond this year: a promise that would take longer (a
#: year of working time in one minute a week) is refused with :class:`BadInput`.
LAST_YEAR: Final = 9000

_MINUTES: Final[Mapping[str, int]] = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
_UNIT_ORDER: Final = "wdhm"
_PART = re.compile(r"([0-9]+)\s*([wdhm])\s*")
_EXAMPLES: Final = "write e.g. 48h, 2d, 90m, 1h30m or 1w"
_TICK: Final = timedelta(microseconds=1)
_WEEK: Final = timedelta(weeks=1)
_DAY: Final = timedelta(days=1)


# --- durations ---------------------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """``"48h"``, ``"1h30m"``, ``"1d 12h"``, ``"2D"`` → a timedelta of whole minutes.

    Raises :class:`BadInput` (one line) for anything else: other units or forms, a unit
    twice or out of order, zero, negative, or more than 365 days.
    """
    cleaned = text.strip().lower()
    typed = text.strip()
    shown = repr(typed if len(typed) <= 40 else typed[:37] + "...")
    if cleaned.startswith("-"):
        raise BadInput(f"a duration must be longer than zero, not {shown}")
    minutes, position, last_unit = 0, 0, -1
    while position < len(cleaned):
        match = _PART.match(cleaned, position)
        if match is None:
            break
        unit = _UNIT_ORDER.index(match.group(2))
        if unit <= last_unit:
            raise BadInput(f"not a duration: {shown} (each unit once, largest first; {_EXAMPLES})")
        digits = match.group(1).lstrip("0")
        if len(digits) > 9:  # far beyond a year in any unit; spares int() a huge number
            raise BadInput(f"a duration may be at most 365 days, not {shown}")
        minutes += int(digits or "0") * _MINUTES[match.group(2)]
        last_unit, position = unit, match.end()
    if not cleaned or position < len(cleaned):
        raise BadInput(f"not a duration: {shown} ({_EXAMPLES})")
    if minutes == 0:
        raise BadInput(f"a duration must be longer than zero, not {shown}")
    if minutes > MAX_DURATION // timedelta(minutes=1):
        raise BadInput(f"a duration may be at most 365 days, not {shown}")
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    """Hours and minutes: ``48h``, ``1h30m``, ``45m``, ``168h``; ``0m``; ``-2h`` if negative.

    Seconds are dropped (towards zero). ``parse_duration(format_duration(d)) == d`` for
    every ``d`` that :func:`parse_duration` returns.
    """
    sign = "-" if delta < timedelta(0) else ""
    hours, minutes = divmod(abs(delta) // timedelta(minutes=1), 60)
    if hours and minutes:
        return f"{sign}{hours}h{minutes}m"
    if hours:
        return f"{sign}{hours}h"
    return f"{sign}{minutes}m" if minutes else "0m"


# --- working hours -----------------------------------------------------------------------


def _minute_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The hours an SLA counts: ``start`` to ``end`` on ``days`` (0 = Monday) in ``zone``.

    ``start`` and ``end`` are naive wall-clock times on whole minutes, ``start < end``
    (a period cannot cross midnight); at least one day. Raises :class:`BadInput`.
    """

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo

    def __post_init__(self) -> None:
        days = frozenset(self.days)
        object.__setattr__(self, "days", days)
        if not days:
            raise BadInput("working hours need at least one day")
        if not days <= frozenset(range(len(DAY_NAMES))):
            raise BadInput(f"not weekdays (0 = mon ... 6 = sun): {sorted(days)}")
        for moment in (self.start, self.end):
            if moment.tzinfo is not None or moment.second or moment.microsecond:
                raise BadInput(
                    f"working hours start and end on a whole minute of local time, not {moment}"
                )
        if not self.start < self.end:
            raise BadInput(
                f"working hours must end after they start, not "
                f"{self.start:%H:%M}-{self.end:%H:%M} (they cannot cross midnight)"
            )

    @property
    def daily(self) -> timedelta:
        """The wall-clock length of one working day."""
        return timedelta(minutes=_minute_of(self.end) - _minute_of(self.start))

    @property
    def weekly(self) -> timedelta:
        """Working time in a week without a clock change."""
        return self.daily * len(self.days)

    def describe(self) -> str:
        """``mon-fri 09:00-17:00 Europe/Berlin``."""
        start, end = format_clock(_minute_of(self.start)), format_clock(_minute_of(self.end))
        return f"{format_days(self.days)} {start}-{end} {self.zone}"

    def period_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working period of local date ``day`` as UTC instants ``[start, end)``.

        None if ``day`` is not a working day, or if its period falls entirely into the
        hour the clocks skip.
        """
        if day.weekday() not in self.days:
            return None
        begin = local_instant(day, _minute_of(self.start), self.zone)
        end = local_instant(day, _minute_of(self.end), self.zone)
        return (begin, end) if end > begin else None

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` (aware) lies in a working period."""
        instant = utc(instant)
        local_day = instant.astimezone(self.zone).date()
        for day in (local_day - _DAY, local_day, local_day + _DAY):
            period = self.period_on(day)
            if period is not None and period[0] <= instant < period[1]:
                return True
        return False


def add_working_time(start: datetime, amount: timedelta, hours: WorkingHours) -> datetime:
    """The UTC instant at which ``amount`` of working time has passed since ``start``.

    ``start`` must be aware; ``amount`` must not be negative (ValueError). The rules are
    in the module docstring. Raises :class:`BadInput` if the answer would lie beyond
    :data:`LAST_YEAR`.
    """
    cursor = utc(start)
    if amount < timedelta(0):
        raise ValueError(f"cannot count a negative amount of working time ({amount})")
    if not amount:
        return cursor
    weekly = hours.weekly
    limit = datetime(LAST_YEAR, 1, 1, tzinfo=UTC)
    if cursor >= limit or amount / weekly > (limit - cursor) / _WEEK:
        raise BadInput(
            f"{format_duration(amount)} of working time in {hours.describe()} "
            f"({format_duration(weekly)} a week) would end after the year {LAST_YEAR}"
        )
    remaining = amount
    first = cursor.astimezone(hours.zone).date()
    day = first - _DAY
    while True:
        if day > first and remaining > weekly:
            weeks = _steady_weeks(day, (remaining - _TICK) // weekly, hours.zone)
            if weeks:
                day += _WEEK * weeks
                remaining -= weekly * weeks
                continue
        period = hours.period_on(day)
        if period is not None:
            begin = max(period[0], cursor)
            if period[1] > begin:
                if remaining <= period[1] - begin:
                    return begin + remaining
                remaining -= period[1] - begin
        day += _DAY


def _steady_weeks(day: date, wanted: int, zone: ZoneInfo) -> int:
    """How many of the ``wanted`` weeks from local midnight of ``day`` on pass without an
    offset change, so that each holds exactly its wall-clock working time.

    A change at midnight itself counts: clocks that jump at 00:00 (Sao Paulo until 2019)
    shorten a period that starts in the skipped hour although no change falls inside it.
    """
    origin = local_instant(day, 0, zone)
    change = _next_offset_change(zone, origin - _TICK, origin + _WEEK * wanted)
    return wanted if change is None else min(wanted, (change - origin) // _WEEK)


def _next_offset_change(zone: ZoneInfo, after: datetime, before: datetime) -> datetime | None:
    """The first offset change of ``zone`` in ``(after, before)``, or None."""
    for year in range(after.year, before.year + 1):
        for change in _offset_changes(zone, year):
            if change > after:
                return change if change < before else None
    return None


@lru_cache(maxsize=4096)
def _offset_changes(zone: ZoneInfo, year: int) -> tuple[datetime, ...]:
    """The instants in ``(Jan 1, next Jan 1]`` of UTC ``year`` from which the zone's UTC
    offset differs from just before, to the second (tzdata changes on whole seconds).

    Sampled once a UTC day and bisected, so a change undone within a day would be missed
    (no zone does that; see the module docstring).
    """
    begin = datetime(year, 1, 1, tzinfo=UTC)
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    found: list[datetime] = []
    offset = begin.astimezone(zone).utcoffset()
    for index in range(1, days + 1):
        probe = begin + _DAY * index
        current = probe.astimezone(zone).utcoffset()
        if current == offset:
            continue
        low, high = (index - 1) * 86_400, index * 86_400  # seconds after ``begin``
        while high - low > 1:
            middle = (low + high) // 2
            if (begin + timedelta(seconds=middle)).astimezone(zone).utcoffset() == offset:
                low = middle
            else:
                high = middle
        found.append(begin + timedelta(seconds=high))
        offset = current
    return tuple(found)


# --- SLA rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlaRules:
    """The user's reply-by promises: a default and rules per sender, domain and account.

    Sender keys are addresses (normalised to lower case), domain keys domains (a rule
    for ``example.org`` covers ``mail.example.org``; ``@example.org`` and
    ``*.example.org`` are read as ``example.org``), account keys account names (exact).
    Every duration must be longer than zero (:class:`BadInput`).
    """

    default: timedelta = DEFAULT_SLA
    senders: Mapping[str, timedelta] = field(default_factory=dict)
    domains: Mapping[str, timedelta] = field(default_factory=dict)
    accounts: Mapping[str, timedelta] = field(default_factory=dict)
    working_hours: WorkingHours | None = None

    def __post_init__(self) -> None:
        senders = {normalize_address(key): value for key, value in self.senders.items()}
        domains = {normalize_domain(key): value for key, value in self.domains.items()}
        object.__setattr__(self, "senders", senders)
        object.__setattr__(self, "domains", domains)
        object.__setattr__(self, "accounts", dict(self.accounts))
        checks = [("the default", self.default)]
        checks += [(f"sender {key}", value) for key, value in senders.items()]
        checks += [(f"domain {key}", value) for key, value in domains.items()]
        checks += [(f"account {key}", value) for key, value in self.accounts.items()]
        for what, value in checks:
            if value <= timedelta(0):
                raise BadInput(f"the promise for {what} must be longer than zero")

    def sla_for(self, sender: str, account: str) -> tuple[timedelta, str]:
        """The promise for a message from ``sender`` in ``account``, and which rule gave it:
        ``"sender ada@example.org"``, ``"domain example.org"``, ``"account work"`` or
        ``"default"``. The most specific wins; among domains, the longest match."""
        address = normalize_address(sender)
        if address in self.senders:
            return self.senders[address], f"sender {address}"
        domain = most_specific_domain(address_domain(address), self.domains)
        if domain is not None:
            return self.domains[domain], f"domain {domain}"
        if account in self.accounts:
            return self.accounts[account], f"account {account}"
        return self.default, "default"

    def due_at(self, received_at: datetime, sender: str, account: str) -> datetime:
        """When a reply to this message is due, in UTC: ``received_at`` (aware) plus the
        promise, counted in working hours if they are set."""
        sla, _ = self.sla_for(sender, account)
        if self.working_hours is None:
            return utc(received_at) + sla
        return add_working_time(received_at, sla, self.working_hours)
