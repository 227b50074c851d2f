"""The notification policy: what may reach the user, and when (DESIGN.md, "Notification
policy"). Pure: no Qt, no I/O. The instant comes in as an argument and the schedule is
a value, so a simulated year runs in seconds and every rule is testable to the second.

The rules, as implemented (docs/CLI.md, ``sync``, says the same for users):

1. **Deep work: nothing at all.** Every would-be notification is held back: new
   messages, a VIP's included. Each held-back decision says how many messages it
   holds (``Decision.messages``), so the stats can count them; the next window's
   summary says what waits.
2. **A window's start: exactly one summary**, always, also when nothing waits
   ("Nothing waiting"): the start of a window is itself the news, and "exactly one
   per window start" is a promise a user can rely on. Windows that touch merge into
   one window with one start (as in :meth:`Schedule.next_window`).
3. **Before a window ends**: ``reminder_minutes`` (setting ``notify.reminder_minutes``,
   default 5; 0 turns reminders off) before the end, one reminder *if* replies are due
   before the next window; otherwise nothing is said, and nothing is recorded (no
   notification was wanted, so none was held back). A window not longer than
   ``reminder_minutes`` gets none: its summary has just said what is due.
4. **Closed (neither window nor deep work): nothing by default.** New messages are
   held back, except those whose sender is on the VIP list (setting ``notify.vip``):
   one notification per batch of VIP messages. VIPs never reach deep work (rule 1).
5. **In a window, new messages do not notify and are not counted**: the inbox is open
   and shows them; a pop-up per message is the interruption the app exists to prevent.
   A profile with no window at all is always open, so it never notifies.
6. **Late wake-ups**: a summary or reminder whose instant passed while nobody looked
   (the machine slept) is still given while its window is open, and dropped after.

Instants are aware UTC ``datetime``s; local times appear only in the texts, in the
schedule's zone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import Interval, Mode, Schedule

#: The default of ``notify.reminder_minutes``.
DEFAULT_REMINDER_MINUTES = 5


class NoticeKind(StrEnum):
    """What a decision is about."""

    SUMMARY = "summary"  # a window started: what waits
    REMINDER = "reminder"  # a window is about to end and replies are due
    NEW_MAIL = "new_mail"  # messages arrived outside a window


def vip_addresses(text: str) -> frozenset[str]:
    """Parse ``notify.vip``: a JSON list of e-mail addresses, compared case-insensitively.

    Raises :class:`BadInput` for anything else, so a bad setting is refused when it is
    written, not discovered at the first VIP message.
    """
    try:
        value = json.loads(text) if text.strip() else []
    except json.JSONDecodeError:
        raise BadInput(
            f'notify.vip must be a JSON list of addresses, e.g. ["ceo@example.com"], not {text!r}'
        ) from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInput('notify.vip must be a JSON list of addresses, e.g. ["ceo@example.com"]')
    addresses = {item.strip().lower() for item in value}
    bad = sorted(a for a in addresses if a.count("@") != 1 or a.startswith("@") or " " in a)
    if bad:
        raise BadInput(f"notify.vip: not an e-mail address: {bad[0]!r}")
    return frozenset(addresses)


@dataclass(frozen=True, slots=True)
class NotifyRules:
    """The user's notification settings, as values."""

    reminder_minutes: int = DEFAULT_REMINDER_MINUTES
    vip: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.reminder_minutes < 0:
            raise BadInput(f"reminder minutes must be zero or more, not {self.reminder_minutes}")

    @classmethod
    def from_settings(cls, reminder_minutes: int, vip_json: str) -> NotifyRules:
        return cls(reminder_minutes, vip_addresses(vip_json))

    def is_vip(self, address: str) -> bool:
        return address.strip().lower() in self.vip


@dataclass(frozen=True, slots=True)
class Arrival:
    """One new inbound message, as much of it as a notification may show."""

    sender: str  # the address
    sender_name: str = ""
    subject: str = ""

    @property
    def who(self) -> str:
        return self.sender_name or self.sender


@dataclass(frozen=True, slots=True)
class Counts:
    """What waits, as ``status`` counts it at the instant of a summary or reminder:
    messages received since the last window ended, and open replies due before the
    next window starts (see services.schedule)."""

    waiting: int
    due_before_next_window: int


@dataclass(frozen=True, slots=True)
class Wakeup:
    """An instant the policy has something to consider: a window's start (``SUMMARY``)
    or ``reminder_minutes`` before its end (``REMINDER``). ``window`` is the (merged)
    window it belongs to."""

    at: datetime
    kind: NoticeKind
    window: Interval


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy decided at ``at``: show (``send``) a notification with ``title``
    and ``body``, or hold it back (``send`` false; the texts say what would have been
    shown). ``messages`` is how many new messages a ``NEW_MAIL`` decision is about;
    ``counts`` and ``window`` are set for summaries and reminders."""

    kind: NoticeKind
    at: datetime
    mode: Mode
    send: bool
    title: str
    body: str
    messages: int = 0
    counts: Counts | None = None
    window: Interval | None = None


# --- when to wake up --------------------------------------------------------------------


def next_wakeup(schedule: Schedule, now: datetime, rules: NotifyRules) -> Wakeup | None:
    """The first summary or reminder instant strictly after ``now``; None if there is
    none within the schedule's horizon (no window at all: always open, nothing to say).
    """
    if not schedule.has_windows:
        return None
    now = utc(now)
    candidates: list[Wakeup] = []
    current = schedule.current_window(now)
    if current is not None:
        reminder = _reminder_at(current, rules)
        if reminder is not None and reminder > now:
            candidates.append(Wakeup(reminder, NoticeKind.REMINDER, current))
    upcoming = schedule.next_window(now)
    if upcoming is not None:
        candidates.append(Wakeup(upcoming.start, NoticeKind.SUMMARY, upcoming))
    return min(candidates, key=lambda wakeup: wakeup.at, default=None)


def wakeups_between(
    schedule: Schedule, after: datetime, until: datetime, rules: NotifyRules
) -> list[Wakeup]:
    """Every summary and reminder instant in ``(after, until]``, in order."""
    found: list[Wakeup] = []
    cursor = utc(after)
    until = utc(until)
    while True:
        wakeup = next_wakeup(schedule, cursor, rules)
        if wakeup is None or wakeup.at > until:
            return found
        found.append(wakeup)
        cursor = wakeup.at


def _reminder_at(window: Interval, rules: NotifyRules) -> datetime | None:
    if rules.reminder_minutes == 0:
        return None
    at = window.end - timedelta(minutes=rules.reminder_minutes)
    return at if at > window.start else None


# --- what to say ------------------------------------------------------------------------


def decide_wakeup(
    schedule: Schedule, wakeup: Wakeup, now: datetime, counts: Counts, rules: NotifyRules
) -> Decision | None:
    """The summary or reminder due at ``wakeup``, looked at ``now`` (at or after it).

    None when there is nothing to say: a reminder with no reply due, or a wake-up whose
    window has ended (rule 6).
    """
    now = utc(now)
    if now >= wakeup.window.end:
        return None
    mode = schedule.mode_at(now)
    window = wakeup.window
    if wakeup.kind is NoticeKind.SUMMARY:
        title = f"Inbox open until {_local_when(window.end, now, schedule.zone)}"
        body = summary_body(counts)
    else:
        if counts.due_before_next_window == 0:
            return None
        title = f"Window closes at {_local_when(window.end, now, schedule.zone)}"
        body = reminder_body(counts, schedule.next_window(now), now, schedule.zone)
    # Windows and deep work never overlap (Schedule.checked), so this holds by
    # construction; the check keeps rule 1 true even for a schedule that slipped past.
    send = mode is Mode.WINDOW
    return Decision(wakeup.kind, now, mode, send, title, body, counts=counts, window=window)


def decide_arrivals(
    schedule: Schedule, at: datetime, arrivals: Sequence[Arrival], rules: NotifyRules
) -> list[Decision]:
    """What to do about messages that arrived at ``at``: at most one notification (VIPs,
    while closed) and at most one held-back decision (the rest, outside a window)."""
    if not arrivals:
        return []
    at = utc(at)
    mode = schedule.mode_at(at)
    if mode is Mode.WINDOW:
        return []  # rule 5: the inbox is open and shows them
    vips: list[Arrival] = []
    rest: list[Arrival] = []
    for arrival in arrivals:
        may_notify = mode is Mode.CLOSED and rules.is_vip(arrival.sender)
        (vips if may_notify else rest).append(arrival)
    decisions: list[Decision] = []
    if vips:
        title, body = _new_mail_text(vips)
        decisions.append(Decision(NoticeKind.NEW_MAIL, at, mode, True, title, body, len(vips)))
    if rest:
        title, body = _new_mail_text(rest)
        decisions.append(Decision(NoticeKind.NEW_MAIL, at, mode, False, title, body, len(rest)))
    return decisions


def summary_body(counts: Counts) -> str:
    """``23 waiting · 4 due before the next window``; ``Nothing waiting`` when empty."""
    parts = [f"{counts.waiting} waiting" if counts.waiting else "Nothing waiting"]
    if counts.due_before_next_window:
        parts.append(f"{counts.due_before_next_window} due before the next window")
    return " · ".join(parts)


def reminder_body(counts: Counts, upcoming: Interval | None, now: datetime, zone: ZoneInfo) -> str:
    """``4 replies due before the next window (13:00)``."""
    due = counts.due_before_next_window
    noun = "reply" if due == 1 else "replies"
    if upcoming is None:
        return f"{due} {noun} due within a day; no window is scheduled"
    return f"{due} {noun} due before the next window ({_local_when(upcoming.start, now, zone)})"


def _new_mail_text(arrivals: Sequence[Arrival]) -> tuple[str, str]:
    if len(arrivals) == 1:
        only = arrivals[0]
        return only.who, only.subject or "(no subject)"
    names = list(dict.fromkeys(a.who for a in arrivals))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{len(arrivals)} new messages", f"From {shown}"


def _local_when(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``09:30`` today, ``Tue 09:30`` on another day (in the schedule's zone)."""
    local = instant.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%a %H:%M}"
