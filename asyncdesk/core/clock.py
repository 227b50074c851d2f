"""The one source of "now". Core logic takes a :class:`Clock` so tests can pin time.

Every instant handled by AsyncDesk is a timezone-aware ``datetime`` in UTC; local time
exists only at the edges (display, schedule definitions). :func:`utc` enforces that.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and for ``--at``."""

    def __init__(self, at: datetime) -> None:
        self._at = utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = utc(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def utc(instant: datetime) -> datetime:
    """Return ``instant`` in UTC; a naive datetime is a programming error, not UTC."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()} has no time zone")
    return instant.astimezone(UTC)


def to_iso_z(instant: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, second precision: the form every JSON output uses."""
    return utc(instant).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant that carries an offset (``Z`` or ``+01:00``).

    Raises ValueError with a readable message for anything else, including local
    times without an offset, which would be ambiguous.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"not an ISO 8601 instant: {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. {text}+01:00 or {text}Z)")
    try:
        instant = utc(parsed)
        # Every later step adds days or weeks to it (windows, deadlines, a week's end):
        # keep a year of room at both ends of what datetime can hold.
        instant + timedelta(days=400)
        instant - timedelta(days=400)
    except OverflowError:
        raise ValueError(f"{text!r} is too far in the past or the future") from None
    return instant


class ShiftedClock:
    """Real time, shifted to start at ``at``: it runs, unlike :class:`FixedClock`.

    For a GUI opened "as if it were" another instant, and for tests that wait for a
    timer to reach a transition a few seconds away.
    """

    def __init__(self, at: datetime) -> None:
        import time

        self._monotonic = time.monotonic
        self._origin = self._monotonic()
        self._at = utc(at)

    def now(self) -> datetime:
        return self._at + timedelta(seconds=self._monotonic() - self._origin)
