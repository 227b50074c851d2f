"""The chat status that publishes the user's availability: what it says, and until when.

Pure (no Qt, no I/O): from the :class:`~asyncdesk.core.schedule.Schedule` and an aware
instant, :func:`presence_at` says what a Matrix or Slack status shows at that instant:

- in a window: ``Reading messages now, until 13:30 CET``;
- in deep work: ``Deep work until 12:00 — reading messages at 13:00 CET`` (and Slack's
  do-not-disturb until the block ends, :attr:`Presence.snooze_until`);
- closed: ``Reading messages next at Wed 13:00 CET``.

A time on the local day of ``now`` is written bare (``13:00``), one on another day
with its weekday (``Wed 13:00``), one more than six days away with its date
(``Thu 3 Dec 13:00``), as the auto-reply does (:mod:`asyncdesk.core.availability`).
The zone is named by its abbreviation at the instant named (CET in winter, CEST in
summer), so a status set on the Saturday before the clocks go forward says
``Mon 09:00 CEST``. The text is at most :data:`MAX_TEXT` characters, Slack's limit.

:attr:`Presence.until` is the next instant the status must change: the next mode
change of the schedule (the text names only times at mode changes, so nothing else
makes it stale). The sync sleeps until then, and Slack is told to expire the status
at that instant, so a status is not left stale when AsyncDesk is not running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from asyncdesk.core.availability import zone_label
from asyncdesk.core.clock import utc
from asyncdesk.core.schedule import Mode, Schedule

#: Slack's longest ``status_text``.
MAX_TEXT: Final = 100
#: Beyond this many days away, a time is written with its date.
_NEAR: Final = timedelta(days=6)

#: The Slack emoji of each mode (Matrix has none).
EMOJI: Final = {
    Mode.WINDOW: ":speech_balloon:",
    Mode.DEEP_WORK: ":no_bell:",
    Mode.CLOSED: ":calendar:",
}
#: The Matrix presence of each mode: ``online`` only while the user reads messages.
MATRIX_PRESENCE: Final = {
    Mode.WINDOW: "online",
    Mode.DEEP_WORK: "unavailable",
    Mode.CLOSED: "unavailable",
}


@dataclass(frozen=True, slots=True)
class Presence:
    """The status at ``at`` (instants aware, UTC).

    ``until`` is when it must change (None: never, e.g. a schedule without windows);
    ``snooze_until`` is when the deep-work block ends (None outside deep work)."""

    at: datetime
    mode: Mode
    text: str
    until: datetime | None
    snooze_until: datetime | None
    next_window: datetime | None

    @property
    def emoji(self) -> str:
        return EMOJI[self.mode]

    @property
    def matrix_presence(self) -> str:
        return MATRIX_PRESENCE[self.mode]

    def snooze_minutes(self) -> int:
        """Whole minutes of do-not-disturb left (rounded up, at least 1; 0 outside deep
        work): ``dnd.setSnooze`` takes minutes."""
        if self.snooze_until is None:
            return 0
        seconds = (self.snooze_until - self.at).total_seconds()
        return max(1, -int(-seconds // 60))


def presence_at(schedule: Schedule, now: datetime) -> Presence:
    """What the status says at ``now`` (aware); see the module docstring."""
    now = utc(now)
    zone = schedule.zone
    mode = schedule.mode_at(now)
    until = schedule.next_transition(now)
    upcoming = schedule.next_window(now)
    next_start = None if upcoming is None else upcoming.start
    if mode is Mode.WINDOW:
        current = schedule.current_window(now)
        end = until if current is None else current.end
        if end is None:
            text = "Reading messages now"
        else:
            text = f"Reading messages now, until {_times(zone, now, end)}"
        return Presence(now, mode, _fit(text), until, None, next_start)
    if mode is Mode.DEEP_WORK:
        # The block ends at the next mode change (adjacent blocks merged).
        if until is None:
            text = "Deep work"
        elif next_start is None:
            text = f"Deep work until {_times(zone, now, until)}"
        elif next_start == until:
            text = f"Deep work — reading messages at {_times(zone, now, next_start)}"
        else:
            ends, starts = _times(zone, now, until, next_start).split("\x00")
            text = f"Deep work until {ends} — reading messages at {starts}"
        return Presence(now, mode, _fit(text), until, until, next_start)
    if next_start is None:
        text = "Not reading messages; no time is scheduled"
    else:
        text = f"Reading messages next at {_times(zone, now, next_start)}"
    return Presence(now, mode, _fit(text), until, None, next_start)


def _times(zone: ZoneInfo, now: datetime, *instants: datetime) -> str:
    """``13:00 CET`` for one instant; for two, both joined by NUL, the zone named after
    the last only (after each when they differ: ``01:30 CEST`` and ``03:00 CET``)."""
    labels = [zone_label(zone, instant) for instant in instants]
    same = len(set(labels)) == 1
    parts = []
    for index, instant in enumerate(instants):
        text = _when(instant, now, zone)
        if not same or index == len(instants) - 1:
            text += f" {labels[index]}"
        parts.append(text)
    return "\x00".join(parts)


def _when(instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    if instant - now > _NEAR:
        return f"{local:%a} {local.day} {local:%b %H:%M}"
    return f"{local:%a %H:%M}"


def _fit(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
