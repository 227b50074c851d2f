"""Published availability: when the user reads messages and when a sender hears back.

Pure (no Qt, no I/O): from the :class:`~asyncdesk.core.schedule.Schedule`, the reply-by
promises (:class:`~asyncdesk.core.deadlines.SlaRules`) and an instant ``now`` (aware),
:func:`availability` computes what an auto-reply states:

- ``windows``: the start times of the weekly communication windows, grouped by the days
  that share them ("at 09:00, 13:00 and 16:30 CET", "on weekdays at 09:00 and 16:00 and
  on Saturdays at 10:00 CET"). One-off windows, skipped windows and closed days are not
  published (they are exceptions, not the routine people can plan around).
- ``reply_by``: the due time a message arriving at ``now`` from that sender would get:
  :meth:`SlaRules.due_at` itself, so the promise stated is the deadline tracked.
- ``next_window``: :meth:`Schedule.next_window` (inside a window, the one after it).

Local times are in the schedule's zone; the zone is named by its abbreviation at the
instant concerned (CET in winter, CEST in summer), or by its UTC offset (``UTC-03:00``)
when the zone has no abbreviation made of letters.

:func:`render_auto_reply` turns that into the subject and English body of the reply; the
user may replace the body by a template (:func:`check_template`) with the placeholders
``{windows}``, ``{by}`` and ``{next_window}``.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from asyncdesk.core.clock import utc
from asyncdesk.core.deadlines import SlaRules
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import (
    DAY_NAMES,
    BlockKind,
    Interval,
    Mode,
    Schedule,
    format_clock,
)

PLACEHOLDERS: Final = ("windows", "by", "next_window")
MAX_TEMPLATE: Final = 2000
#: Beyond this many days away, a time is written with its date ("Thu 3 Dec 16:30").
_NEAR: Final = timedelta(days=6)
_PLURAL: Final = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)
_WEEKDAYS: Final = frozenset(range(5))
_WEEKEND: Final = frozenset({5, 6})


@dataclass(frozen=True, slots=True)
class WindowTimes:
    """The days (0 = Monday) that share the same window start times (minutes after
    local midnight, ascending)."""

    days: frozenset[int]
    starts: tuple[int, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "days": [DAY_NAMES[day] for day in sorted(self.days)],
            "starts": [format_clock(start) for start in self.starts],
        }


@dataclass(frozen=True, slots=True)
class Availability:
    """What an auto-reply sent at ``at`` says. Instants are aware, in UTC."""

    at: datetime
    zone: ZoneInfo
    windows: tuple[WindowTimes, ...]
    reply_by: datetime
    next_window: Interval | None
    open_now: bool

    def zone_label(self, instant: datetime | None = None) -> str:
        """``CET``/``CEST``, or ``UTC+05:30`` style when the zone has no letters name."""
        return zone_label(self.zone, self.at if instant is None else instant)

    def windows_phrase(self) -> str:
        """``at 09:00, 13:00 and 16:30 CET``; ``on weekdays at 09:00 and 16:00 CET``;
        ``at no fixed times`` without weekly windows."""
        if not self.windows:
            return "at no fixed times"
        label = self.zone_label()
        if len(self.windows) == 1 and len(self.windows[0].days) == 7:
            return f"at {_join([format_clock(s) for s in self.windows[0].starts])} {label}"
        parts = [
            f"{_days_phrase(group.days)} at {_join([format_clock(s) for s in group.starts])}"
            for group in self.windows
        ]
        return f"{_join(parts)} {label}"

    def by_phrase(self) -> str:
        """``Thu 16:30`` (with the zone when it differs from the windows' one, or when no
        window is published; with the date when it is more than six days away)."""
        text = _when(self.reply_by, self.at, self.zone)
        label = self.zone_label(self.reply_by)
        if not self.windows or label != self.zone_label():
            text += f" {label}"
        return text

    def next_window_phrase(self) -> str:
        """``Thu 09:00`` (same rules as :meth:`by_phrase`), or ``not scheduled``."""
        if self.next_window is None:
            return "not scheduled"
        start = self.next_window.start
        text = _when(start, self.at, self.zone)
        label = self.zone_label(start)
        if label != self.zone_label():
            text += f" {label}"
        return text


def zone_label(zone: ZoneInfo, instant: datetime) -> str:
    """The zone's abbreviation at ``instant``, or ``UTC±HH:MM`` if it has no letters."""
    local = utc(instant).astimezone(zone)
    name = local.tzname() or ""
    if name and name.isalpha():
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_window_times(schedule: Schedule) -> tuple[WindowTimes, ...]:
    """The weekly windows' start times, grouped by the days that share them, in the
    order of each group's first day."""
    by_day: dict[int, tuple[int, ...]] = {}
    for day in range(7):
        starts = {
            block.start
            for block in schedule.weekly
            if block.kind is BlockKind.WINDOW and day in block.days
        }
        if starts:
            by_day[day] = tuple(sorted(starts))
    groups: dict[tuple[int, ...], set[int]] = {}
    for day, times in by_day.items():
        groups.setdefault(times, set()).add(day)
    found = [WindowTimes(frozenset(days), starts) for starts, days in groups.items()]
    return tuple(sorted(found, key=lambda group: min(group.days)))


def availability(
    schedule: Schedule, rules: SlaRules, now: datetime, sender: str = "", account: str = ""
) -> Availability:
    """What to tell ``sender`` (in ``account``) who writes at ``now`` (aware)."""
    now = utc(now)
    return Availability(
        at=now,
        zone=schedule.zone,
        windows=weekly_window_times(schedule),
        reply_by=rules.due_at(now, sender, account),
        next_window=schedule.next_window(now),
        open_now=schedule.mode_at(now) is Mode.WINDOW,
    )


# --- the reply ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AutoReply:
    subject: str
    body: str


DEFAULT_TEMPLATE: Final = (
    "Hello,\n"
    "\n"
    "thank you for your message. I read messages {windows}, so I do not see new "
    "ones straight away; the next time is {next_window}.\n"
    "\n"
    "You'll hear from me by {by}.\n"
    "\n"
    "(This is an automatic reply.)\n"
)


def check_template(template: str) -> None:
    """Raise :class:`BadInput` unless ``template`` is empty (the default text) or text
    with only the placeholders ``{windows}``, ``{by}`` and ``{next_window}`` (``{{`` and
    ``}}`` for braces), without conversions or formats, at most 2000 characters."""
    if len(template) > MAX_TEMPLATE:
        raise BadInput(f"the auto-reply text may be at most {MAX_TEMPLATE} characters")
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise BadInput(f"the auto-reply text has unbalanced braces ({error})") from None
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "")
            shown += (":" + spec if spec else "") + "}"
            raise BadInput(
                f"the auto-reply text may use only {allowed} (and {{{{ }}}} for braces), "
                f"not {shown[:40]!r}"
            )


def reply_subject(subject: str) -> str:
    """``Re: <subject>`` on one line; an existing ``Re:`` is not doubled."""
    cleaned = " ".join(subject.split())
    if not cleaned:
        return "Re: your message"
    if cleaned.lower().startswith("re:"):
        return cleaned
    return f"Re: {cleaned}"


def render_auto_reply(facts: Availability, subject: str, template: str = "") -> AutoReply:
    """The reply to a message titled ``subject``: the user's ``template`` (checked by
    :func:`check_template`; BadInput otherwise) or, when empty, the default text."""
    chosen = template if template.strip() else DEFAULT_TEMPLATE
    check_template(chosen)
    body = chosen.format(
        windows=facts.windows_phrase(),
        by=facts.by_phrase(),
        next_window=facts.next_window_phrase(),
    )
    return AutoReply(subject=reply_subject(subject), body=body)


# --- wording -----------------------------------------------------------------------------


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _days_phrase(days: frozenset[int]) -> str:
    """``on weekdays``, ``at weekends``, ``on Mondays``, ``Monday to Thursday``."""
    if days == _WEEKDAYS:
        return "on weekdays"
    if days == _WEEKEND:
        return "at weekends"
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = [
        f"{_DAY_WORDS[run[0]]} to {_DAY_WORDS[run[-1]]}" if len(run) >= 3 else _plural_names(run)
        for run in runs
    ]
    return f"on {_join(names)}"


_DAY_WORDS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _plural_names(run: list[int]) -> str:
    return _join([_PLURAL[day] for day in run])


def _when(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    if instant - now > _NEAR:
        return f"{local:%a} {local.day} {local:%b %H:%M}"
    return f"{local:%a %H:%M}"
