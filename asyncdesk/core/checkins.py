"""Check-ins: a recurring question sent to a list of people, their answers gathered.

Pure (no Qt, no I/O). A check-in is asked on some weekdays at a wall-clock time of the
schedule's zone ("fri 15:00"): 15:00 stays 15:00 local across a DST change, a time the
clocks skip is asked when they jump (as a window starting then would open), and a
time that happens twice is asked the first time. :func:`due_instant` says which run,
if any, should go out at an instant: the latest one not after it, if it is at most
:data:`MAX_LATE` old and later than the check-in's creation. A laptop asleep all
Friday sends Friday's 15:00 run on Saturday morning, not on Monday: by then the
question is stale and the next run is near.

A run sends one message per person (so answers are private, and each message's own id
tells whose answer a reply is): :func:`message_text` is the question and one line
saying where the answer goes. :func:`answers_email` matches a reply by its
``In-Reply-To`` / ``References``; :func:`answer_preview` is the reply without its
quoted part, for the list of answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from asyncdesk.core.clock import utc
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import normalize_message_id
from asyncdesk.core.quoting import own_lines
from asyncdesk.core.schedule import DAY_NAMES, format_clock, format_days, local_instant

#: A run found later than this after its time is skipped, never sent.
MAX_LATE: Final = timedelta(hours=24)
#: People one check-in may ask: more is a mailing list, not a team.
MAX_RECIPIENTS: Final = 100
MAX_NAME_CHARS: Final = 64
MAX_QUESTION_CHARS: Final = 10_000
#: Characters of an answer shown in the list of answers.
PREVIEW_CHARS: Final = 300

_NAME: Final = re.compile(r"^[\w][\w .\-]*$")
_EMAIL: Final = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$"
)
_MATRIX_USER: Final = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
_MATRIX_ROOM: Final = re.compile(r"^![A-Za-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
_SLACK_USER: Final = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL: Final = re.compile(r"^[CDG][A-Z0-9]{2,}$")


class Medium(StrEnum):
    """How a check-in reaches people: the sending account's kind."""

    EMAIL = "email"
    MATRIX = "matrix"
    SLACK = "slack"


def check_name(name: str) -> str:
    """The check-in's name, stripped; :class:`BadInput` unless it is a short word or
    phrase (letters, digits, space, ``.``, ``-``, ``_``)."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_CHARS or not _NAME.match(cleaned):
        raise BadInput(
            f"not a check-in name: {name!r} (letters, digits, spaces, '.', '-', '_'; "
            f"at most {MAX_NAME_CHARS} characters)"
        )
    return cleaned


def check_question(text: str) -> str:
    """The question as it will be sent (trailing blank lines dropped)."""
    question = text.strip("\n").rstrip()
    if not question.strip():
        raise BadInput("the question is empty: write it on standard input")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    return question


def parse_recipients(text: str, medium: Medium) -> tuple[str, ...]:
    """``--to``: comma-separated, each once (case-insensitively for email). Email wants
    addresses; Matrix user ids (``@u:server``, asked in your direct conversation with
    them) or room ids (``!r:server``); Slack user ids (``U…``) or channel ids (``C…``,
    ``D…``, ``G…``). :class:`BadInput` names the first that is not one."""
    found: list[str] = []
    seen: set[str] = set()
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        if medium is Medium.EMAIL:
            ok = bool(_EMAIL.match(item))
            key = item.lower()
            expected = "an email address"
        elif medium is Medium.MATRIX:
            ok = bool(_MATRIX_USER.match(item) or _MATRIX_ROOM.match(item))
            key = item
            expected = "a Matrix user id (@name:server) or room id (!room:server)"
        else:
            item = item.upper()
            ok = bool(_SLACK_USER.match(item) or _SLACK_CHANNEL.match(item))
            key = item
            expected = "a Slack user id (U…) or channel id (C…)"
        if not ok:
            raise BadInput(f"--to: {item!r} is not {expected}")
        if key not in seen:
            seen.add(key)
            found.append(item.lower() if medium is Medium.EMAIL else item)
    if not found:
        raise BadInput("--to names nobody: give at least one recipient")
    if len(found) > MAX_RECIPIENTS:
        raise BadInput(f"--to names more than {MAX_RECIPIENTS} recipients")
    return tuple(found)


def is_room(recipient: str) -> bool:
    """Whether a chat recipient is a room or channel (asked there) rather than a person
    (asked in the direct conversation with them)."""
    return bool(_MATRIX_ROOM.match(recipient) or _SLACK_CHANNEL.match(recipient))


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a check-in is asked: weekdays (0 = Monday) at ``minute`` after local
    midnight of the schedule's zone."""

    days: frozenset[int]
    minute: int

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("a cadence needs at least one weekday")
        if not 0 <= self.minute < 24 * 60:
            raise ValueError("minute out of range")

    def describe(self) -> str:
        """``fri 15:00``, ``mon-fri 09:30``."""
        return f"{format_days(self.days)} {format_clock(self.minute)}"

    def _on(self, day: date, zone: ZoneInfo) -> datetime | None:
        if day.weekday() not in self.days:
            return None
        return local_instant(day, self.minute, zone)

    def next_after(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """The first run strictly after ``instant`` (UTC)."""
        start = utc(instant).astimezone(zone).date() - timedelta(days=1)
        for offset in range(9):
            due = self._on(start + timedelta(days=offset), zone)
            if due is not None and due > instant:
                return due
        raise AssertionError("a weekday recurs within nine days")

    def last_at_or_before(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """The latest run at or before ``instant`` (UTC)."""
        start = utc(instant).astimezone(zone).date() + timedelta(days=1)
        for offset in range(9):
            due = self._on(start - timedelta(days=offset), zone)
            if due is not None and due <= instant:
                return due
        raise AssertionError("a weekday recurs within nine days")


def due_instant(
    cadence: Cadence, zone: ZoneInfo, now: datetime, created_at: datetime
) -> datetime | None:
    """The run to send at ``now``: the latest not after it, if it came after the
    check-in was made and is at most :data:`MAX_LATE` old; else ``None``."""
    due = cadence.last_at_or_before(utc(now), zone)
    if due <= utc(created_at) or utc(now) - due > MAX_LATE:
        return None
    return due


def subject(name: str, due: datetime, zone: ZoneInfo) -> str:
    """``Check-in: weekly (Fri 27 Nov)``: each run its own thread in a mail client."""
    local = due.astimezone(zone)
    day = DAY_NAMES[local.weekday()].capitalize()
    return f"Check-in: {name} ({day} {local.day} {local.strftime('%b')})"


def message_text(question: str, user: str) -> str:
    """What each person receives: the question, then where their answer goes."""
    return (
        f"{question.rstrip()}\n\n"
        f"Reply to this message; your answer is gathered for {user}'s next reading time.\n"
    )


def answers_email(
    our_ids: Iterable[str], in_reply_to: str | None, references: Sequence[str]
) -> str | None:
    """Which of ``our_ids`` (Message-IDs of a run's messages) a reply answers, by its
    ``In-Reply-To`` first, then its ``References`` (nearest first); ``None``: none."""
    wanted = {normalize_message_id(i) for i in our_ids} - {None}
    for candidate in (in_reply_to, *reversed(tuple(references))):
        normal = normalize_message_id(candidate)
        if normal is not None and normal in wanted:
            return normal
    return None


def answer_preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The reply's own words: quoted lines (``>``), the "On … wrote:" line before them
    and a signature after ``-- `` dropped, whitespace folded, at most ``limit``
    characters (an ellipsis when cut)."""
    folded = " ".join(" ".join(own_lines(text)).split())
    if not folded:
        folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"
