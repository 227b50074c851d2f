"""Reading deep-work blocks out of an iCalendar (``.ics``) file.

:func:`parse_calendar` turns the bytes of a calendar exported by Google Calendar,
Outlook, Apple Calendar (or anything else that writes RFC 5545) into whole timed
occurrences in UTC that intersect a window; the caller decides what to store.

What becomes a block, and what does not:

- Every *timed* ``VEVENT`` (its ``DTSTART`` is a DATE-TIME) becomes one
  :class:`CalendarEvent` per occurrence. Recurrences are expanded with
  ``recurring-ical-events``: ``RRULE``, ``RDATE``, ``EXDATE`` and moved occurrences
  (``RECURRENCE-ID`` overrides, including ``RANGE=THISANDFUTURE``).
- ``STATUS:CANCELLED`` events and cancelled occurrences (an override with that
  status) are left out.
- ``TRANSP:TRANSPARENT`` ("show me as free") events are kept: people who block focus
  time often mark it free so that colleagues can still book them.
- *All-day* events (a DATE ``DTSTART``) are not blocks: they are holidays, birthdays,
  "working from home" markers, not focus time. The occurrences that intersect the
  window are counted in :attr:`CalendarImport.all_day_skipped` so the UI can say so.
- An event without ``DTEND`` lasts its ``DURATION``; without either it has no length
  and, like any event whose end is not after its start, blocks nothing: it is skipped
  (a bad override skips only its own occurrence).

Time zones, per value:

- ``TZID=`` names an IANA zone (``Europe/Berlin``), or a ``VTIMEZONE`` in the same file
  (Outlook writes ``W. Europe Standard Time`` or ``Customized Time Zone`` with its own
  rules), or failing both a Windows zone name known to CLDR, or a libical-style
  ``/vendor/Europe/Berlin``. Anything else is an error, not a guess. Each file's
  ``VTIMEZONE`` definitions are resolved for that file alone: icalendar keeps the
  first definition of a custom TZID process-wide, so a second file reusing the name
  with other rules would otherwise get the first one's.
- ``...Z`` values are UTC.
- Floating values (no ``TZID``, no ``Z``) are in the calendar's ``X-WR-TIMEZONE``
  (Google, Apple) if it has one, else in the user's ``zone``. As Google Calendar shows
  them, UTC values in an ``X-WR-TIMEZONE`` calendar repeat at that zone's wall clock
  (a weekly 09:00Z series stays at the same local hour across a DST change).

Limits, so that no file can hang an import or fill memory (each refusal is one line
of :class:`~asyncdesk.core.errors.BadInput`): files up to :data:`MAX_FILE_BYTES` with
up to :data:`MAX_COMPONENTS` components; an RRULE may repeat up to
:data:`MAX_REPETITIONS` times from its DTSTART to the end of the window (expanding it
costs that much, whatever falls in the window: every second, or daily since year 1,
is refused) and needs an INTERVAL of 1 or more; at most :data:`MAX_OCCURRENCES`
occurrences are expanded around the window, lazily, series by series.

A file that cannot be read raises :class:`~asyncdesk.core.errors.BadInput` with one
line saying what is wrong; so does one unreadable event (a partial import would be
silently incomplete). The caller may prefix the file name.
"""

from __future__ import annotations

import codecs
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar, Component, Timezone
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.prop import vDDDLists, vDDDTypes
from icalendar.timezone import TZP
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import BadInput

__all__ = ["CalendarEvent", "CalendarImport", "parse_calendar"]

# What the libraries raise for malformed input (their own errors subclass ValueError).
_LIBRARY_ERRORS = (ValueError, KeyError, IndexError, TypeError, ArithmeticError)
# The date-valued properties of a VEVENT that decide when it happens.
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")
_READ_PROPERTIES = frozenset({*_TIME_PROPERTIES, "DURATION", "RRULE", "EXRULE"})
# Set on a component whose end precedes its start; its occurrences are dropped.
_SKIP_MARK = "X-ASYNCDESK-NO-LENGTH"
# Expansion compares all-day dates at UTC midnight; widen the query, then filter exactly.
_QUERY_MARGIN = timedelta(days=2)
_MAX_DETAIL = 120
#: Occurrences expanded around the import window before the file is refused: a year of
#: three focus blocks a day is about 1,100; a series every minute would be 600,000.
MAX_OCCURRENCES = 20_000
#: Components (events, alarms, zones) in a file: reading one takes ~0.3 ms and 6 KB,
#: so this bounds an import at about 15 s and 300 MB; a decade of a busy calendar fits.
MAX_COMPONENTS = 50_000
#: Bytes of a file: a Google export of ten busy years is a few MB.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Repetitions of one RRULE from its DTSTART to the end of the window (the work of
#: expanding it): a daily series since 1750 is about 100,000.
MAX_REPETITIONS = 100_000


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One occurrence of a timed event."""

    uid: str  # the event's UID; "" if it has none
    summary: str  # "" if none
    start: datetime  # timezone-aware, UTC
    end: datetime  # timezone-aware, UTC, after start


@dataclass(frozen=True, slots=True)
class CalendarImport:
    events: list[CalendarEvent]  # sorted by start, then end, then summary
    all_day_skipped: int  # all-day occurrences in the window (not deep work)
    calendar_name: str | None  # X-WR-CALNAME if present


def parse_calendar(
    data: bytes, *, zone: ZoneInfo, start: datetime, end: datetime
) -> CalendarImport:
    """The timed occurrences in ``data`` that intersect ``[start, end)``, whole and in UTC.

    ``zone`` is the user's zone, for floating times in a calendar without
    ``X-WR-TIMEZONE``. Raises :class:`BadInput` (one line) if the file cannot be read.
    """
    window_start, window_end = utc(start), utc(end)
    if window_end <= window_start:
        raise ValueError(f"empty window: {start.isoformat()} to {end.isoformat()}")
    text = _decode(data)
    _check_structure(text)
    with warnings.catch_warnings():
        # A TZID like /vendor/Europe/Berlin without VTIMEZONE: we resolve it ourselves.
        warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
        try:
            calendar = Calendar.from_ical(text)
        except _LIBRARY_ERRORS as error:
            raise BadInput(f"not a valid iCalendar file: {_detail(error)}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise BadInput("not an iCalendar file: expected BEGIN:VCALENDAR")

    zones = _Zones(calendar)
    floating: tzinfo = zone
    wr_timezone = _text(calendar.get("X-WR-TIMEZONE"))
    if wr_timezone:
        found = zones.resolve(wr_timezone)
        if found is None:
            raise BadInput(f"unknown time zone in X-WR-TIMEZONE: {wr_timezone!r}")
        floating = found
        # Every value is made explicit below; recurring-ical-events would otherwise
        # apply X-WR-TIMEZONE again, to custom zones without TZNAME too (x-wr-timezone
        # takes a tzinfo whose tzname() is None for a floating time).
        del calendar["X-WR-TIMEZONE"]
    for event in calendar.walk("VEVENT"):
        _prepare_event(event, zones, floating, wr_timezone=bool(wr_timezone))
        _check_repetitions(event, floating, window_end + _QUERY_MARGIN)

    events: set[CalendarEvent] = set()
    all_day = 0
    margin = _QUERY_MARGIN
    for occurrence in _occurrences(calendar, window_start - margin, window_end + margin):
        if _text(occurrence.get("STATUS")).upper() == "CANCELLED" or _SKIP_MARK in occurrence:
            continue
        first, last = occurrence["DTSTART"].dt, occurrence["DTEND"].dt
        first_utc, last_utc = _instant(first, floating), _instant(last, floating)
        if not (first_utc < window_end and last_utc > window_start):
            continue
        if not isinstance(first, datetime):
            all_day += 1
        elif first_utc < last_utc:
            uid, summary = _text(occurrence.get("UID")), _text(occurrence.get("SUMMARY"))
            events.add(CalendarEvent(uid, summary, first_utc, last_utc))
    return CalendarImport(
        events=sorted(events, key=lambda e: (e.start, e.end, e.summary, e.uid)),
        all_day_skipped=all_day,
        calendar_name=_text(calendar.get("X-WR-CALNAME")).strip() or None,
    )


def _occurrences(calendar: Calendar, start: datetime, end: datetime) -> list[Any]:
    """The occurrences in ``[start, end)``: at most :data:`MAX_OCCURRENCES`, else
    :class:`BadInput` (one line, naming the event that went over).

    A series repeating every second, or every minute for a year, is refused after a
    bounded amount of work instead of being expanded whole into memory first.
    """
    found: list[Any] = []
    try:
        query = recurring_ical_events.of(calendar)
        # Each series is a generator over its occurrences in the span: stop pulling at
        # the cap (``between`` would first make a list of all of them).
        for series in query.series:
            for occurrence in series.between(start, end):
                if len(found) == MAX_OCCURRENCES:
                    component = occurrence.as_component(False)
                    raise BadInput(
                        f"too many events: over {MAX_OCCURRENCES:,} occurrences in the "
                        f"{(end - start).days} days imported (event {_label(component)} "
                        "repeats too often for deep-work blocks)"
                    )
                found.append(occurrence.as_component(query.keep_recurrence_attributes))
    except _LIBRARY_ERRORS as error:
        raise BadInput(f"cannot expand the recurring events: {_detail(error)}") from None
    return found


def _decode(data: bytes) -> str:
    """The file as text: UTF-8 (BOM optional), or UTF-16 with a BOM (Windows tools)."""
    if not data.strip():
        raise BadInput("not an iCalendar file: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(
            f"the calendar file is {len(data) / 1024 / 1024:.0f} MB: files over "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB are not imported (export a shorter stretch)"
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput("not an iCalendar file: damaged UTF-16 text") from None
    body = data.removeprefix(codecs.BOM_UTF8)
    if not body.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise BadInput("not an iCalendar file: expected BEGIN:VCALENDAR")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            raise BadInput("the iCalendar file is truncated (it ends mid-character)") from None
        line = body.count(b"\n", 0, error.start) + 1
        raise BadInput(
            f"the iCalendar file is not UTF-8 text: byte 0x{body[error.start]:02X} "
            f"on line {line}; export or save it as UTF-8"
        ) from None


def _check_structure(text: str) -> None:
    """BEGIN and END lines pair up into exactly one VCALENDAR, or say where they do not."""
    stack: list[tuple[str, int]] = []
    calendars = components = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        keyword, _, value = line.partition(":")
        keyword = keyword.upper()  # a folded continuation starts with a space: not a match
        if keyword not in ("BEGIN", "END"):
            continue
        name = value.strip().upper()
        if keyword == "BEGIN":
            if not stack and calendars:
                raise BadInput(f"line {number}: a second calendar begins; expected one per file")
            if not stack and name != "VCALENDAR":
                raise BadInput(f"line {number}: expected BEGIN:VCALENDAR, found BEGIN:{name}")
            stack.append((name, number))
            components += 1
            if components > MAX_COMPONENTS:
                raise BadInput(
                    f"too many events: over {MAX_COMPONENTS:,} components in the file "
                    "(import a shorter stretch of the calendar)"
                )
            continue
        if not stack:
            raise BadInput(f"line {number}: END:{name} without a matching BEGIN")
        opened, opened_at = stack.pop()
        if opened != name:
            raise BadInput(
                f"line {number}: END:{name} does not close BEGIN:{opened} from line {opened_at}"
            )
        if not stack:
            calendars += 1
    if not calendars and not stack:
        raise BadInput("not an iCalendar file: expected BEGIN:VCALENDAR")
    if stack:
        opened, opened_at = stack[-1]
        raise BadInput(
            f"the iCalendar file is truncated: BEGIN:{opened} on line {opened_at} is never closed"
        )


class _Zones:
    """TZID resolution for one file: IANA, its VTIMEZONE, Windows name, /vendor/ prefix."""

    def __init__(self, calendar: Calendar) -> None:
        self._definitions = {
            str(tz.get("TZID", "")): tz
            for tz in calendar.walk("VTIMEZONE")
            if isinstance(tz, Timezone)
        }
        self._resolved: dict[str, tzinfo | None] = {}
        # A private provider: no process-wide cache, and zoneinfo semantics
        # (localizing is replace(tzinfo=...)) whatever the rest of the process chose.
        self._provider = TZP("zoneinfo")

    def resolve(self, tzid: str) -> tzinfo | None:
        if tzid not in self._resolved:
            self._resolved[tzid] = self._lookup(tzid)
        return self._resolved[tzid]

    def _lookup(self, tzid: str) -> tzinfo | None:
        iana = _iana(tzid.strip())
        if iana is not None:
            return iana
        definition = self._definitions.get(tzid)
        if definition is not None:
            try:
                found: tzinfo = definition.to_tz(self._provider, lookup_tzid=False)
                return found
            except _LIBRARY_ERRORS as error:
                raise BadInput(f"cannot read time zone {tzid!r}: {_detail(error)}") from None
        olson = WINDOWS_TO_OLSON.get(tzid.strip())
        if olson:
            return _iana(olson)
        # A "globally unique" TZID without its VTIMEZONE (libical, Evolution,
        # Lightning): /freeassociation.sourceforge.net/Europe/Berlin.
        parts = tzid.strip().strip("/").split("/") if tzid.startswith("/") else []
        for first in range(1, len(parts)):
            guess = _iana("/".join(parts[first:]))
            if guess is not None:
                return guess
        return None


def _iana(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _prepare_event(event: Component, zones: _Zones, floating: tzinfo, *, wr_timezone: bool) -> None:
    """Check the event's time properties and make every date-time in them aware.

    Dates (all-day) stay dates. Marks the event with :data:`_SKIP_MARK` if it ends
    before it starts (recurring-ical-events would silently swap the two).
    """
    label = _label(event)
    for name, message in getattr(event, "errors", ()):
        if name in _READ_PROPERTIES:
            raise BadInput(f"cannot read event {label}: {name}: {_shorten(str(message))}")
    if "DTSTART" not in event:
        raise BadInput(f"cannot read event {label}: it has no DTSTART")

    def aware(value: Any, tzid: str | None) -> Any:
        if isinstance(value, tuple):  # an RDATE period: (start, end or duration)
            return tuple(aware(part, tzid) for part in value)
        if not isinstance(value, datetime):
            return value
        if tzid:
            found = zones.resolve(tzid)
            if found is None:
                raise BadInput(
                    f"cannot read event {label}: unknown time zone {tzid!r} "
                    f"(not an IANA name and no VTIMEZONE in the file defines it)"
                )
            return value.replace(tzinfo=found)
        if value.tzinfo is not None:  # ...Z
            return value.astimezone(floating) if wr_timezone else value
        return value.replace(tzinfo=floating)

    try:
        for name in _TIME_PROPERTIES:
            entries = event.get(name)
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, vDDDTypes):
                    entry.dt = aware(entry.dt, entry.params.get("TZID"))
                elif isinstance(entry, vDDDLists):
                    tzid = entry.params.get("TZID")
                    for item in entry.dts:
                        # One TZID per property line: the items' own are derived ones.
                        item.dt = aware(item.dt, tzid)
        begin = _value(event, "DTSTART")
        if not isinstance(begin, date):
            raise BadInput(f"cannot read event {label}: DTSTART is not a date or date-time")
        finish = _value(event, "DTEND") if "DTEND" in event else None
        if finish is not None:
            if type(finish) is not type(begin):
                raise BadInput(
                    f"cannot read event {label}: DTSTART and DTEND are not both dates "
                    f"or both date-times"
                )
        elif "DURATION" in event:
            length = _value(event, "DURATION")
            if not isinstance(length, timedelta):
                raise BadInput(f"cannot read event {label}: DURATION is not a duration")
            finish = begin + length
        if finish is not None and _instant(finish, floating) < _instant(begin, floating):
            event[_SKIP_MARK] = "TRUE"
    except _LIBRARY_ERRORS as error:
        raise BadInput(f"cannot read event {label}: {_detail(error)}") from None


# Seconds of one step of each RRULE frequency (months and years on average).
_FREQUENCY_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86_400,
    "WEEKLY": 7 * 86_400,
    "MONTHLY": 2_629_746,
    "YEARLY": 31_556_952,
}
_DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _check_repetitions(event: Component, floating: tzinfo, until: datetime) -> None:
    """Refuse an RRULE that would repeat more than :data:`MAX_REPETITIONS` times from
    its DTSTART to ``until`` (or its own UNTIL or COUNT): expanding it is work
    proportional to that, even for the few occurrences in the import window
    (every second since year 1 would never finish)."""
    rules = event.get("RRULE")
    begin = _instant(_value(event, "DTSTART"), floating)
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        unit = _FREQUENCY_SECONDS.get(frequency)
        if unit is None:
            continue
        interval = int((rule.get("INTERVAL") or [1])[0])
        if interval < 1:  # dateutil would loop forever on the same instant
            raise BadInput(f"cannot read event {_label(event)}: RRULE INTERVAL must be 1 or more")
        per_step = 1
        for part, finer in (("BYSECOND", 1), ("BYMINUTE", 60), ("BYHOUR", 3600)):
            if unit > finer:
                per_step *= max(1, len(rule.get(part) or ()))
        if unit > 86_400 and any(rule.get(part) for part in _DAY_PARTS):
            per_step *= unit // 86_400 + 1  # at most every day of the week/month/year
        end = until
        if rule.get("UNTIL"):
            end = min(end, _instant(rule["UNTIL"][0], floating))
        steps = max(0.0, (end - begin).total_seconds()) / (unit * interval) + 1
        repetitions = steps * per_step
        if rule.get("COUNT"):
            repetitions = min(repetitions, int(rule["COUNT"][0]))
        if repetitions > MAX_REPETITIONS:
            raise BadInput(
                f"cannot read event {_label(event)}: its RRULE repeats about "
                f"{repetitions:,.0f} times by {end:%Y-%m-%d}, too often for deep-work blocks"
            )


def _value(component: Component, name: str) -> Any:
    """The parsed value of a date, date-time or duration property (``.dt``)."""
    prop: Any = component[name]
    return prop.dt


def _instant(value: date, floating: tzinfo) -> datetime:
    """A DTSTART/DTEND value as a UTC instant; dates start at midnight, floating local."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - made aware below
    if value.tzinfo is None:
        value = value.replace(tzinfo=floating)
    return value.astimezone(UTC)


def _text(value: object) -> str:
    """A text property as ``str`` ("" if absent; the first one if repeated)."""
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)


def _label(event: Component) -> str:
    name = _text(event.get("SUMMARY")).strip() or _text(event.get("UID")).strip()
    return repr(_shorten(name, 60)) if name else "(no SUMMARY or UID)"


def _detail(error: BaseException) -> str:
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return _shorten(text or type(error).__name__)


def _shorten(text: str, limit: int = _MAX_DETAIL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
