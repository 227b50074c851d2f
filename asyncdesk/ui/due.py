"""Where a message's reply-by promise stands, in words and a calm colour.

One place decides the badge that the inbox's "Reply by" column and the deadlines panel
show, so they always agree with each other and with ``deadlines``/``status``:

- **overdue**: open and past its due time (red);
- **before the next window**: open and due before the next communication window starts
  — the last chance to answer is the window you are in (amber, bold). With no window
  ahead, "soon" means within :data:`NO_WINDOW_HORIZON`, as ``status`` counts it;
- **later**: open and due after that (plain);
- **replied** / **replied late** (answered after the due time), **snoozed** (until an
  instant still ahead), **dismissed**: muted grey;
- nothing for a message that needs no reply.

A snooze that has run out is open again (as in ``store.promises``' open-at predicate).
Instants are UTC; texts are in the given zone. GUI thread only (colours follow the
application's palette). The words go through :meth:`QCoreApplication.translate`
(context ``"Due"``), with ``{name}`` placeholders filled by ``str.format``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QDate, QLocale
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from asyncdesk.core.messages import ReplyState
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui.colours import is_dark

# "Soon" when no window is scheduled ahead (the same span ``status`` uses).
NO_WINDOW_HORIZON = timedelta(hours=24)


class Due(StrEnum):
    """The badge of one message."""

    NONE = "none"  # needs no reply
    OVERDUE = "overdue"
    SOON = "soon"  # due before the next window
    LATER = "later"
    REPLIED = "replied"
    REPLIED_LATE = "replied_late"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"


# Open commitments: what the badge and the panel count as waiting for an answer.
OPEN_STATES = frozenset({Due.OVERDUE, Due.SOON, Due.LATER})


def soon_limit(now: datetime, horizon: datetime | None) -> datetime:
    """The instant before which an open commitment is "due before the next window"."""
    return horizon if horizon is not None else now + NO_WINDOW_HORIZON


def is_open(message: StoredMessage, now: datetime) -> bool:
    """Open at ``now``: needs a reply, not answered, not dismissed, not snoozed past now."""
    if not message.needs_reply:
        return False
    if message.state is ReplyState.OPEN:
        return True
    return message.state is ReplyState.SNOOZED and (
        message.snoozed_until is None or message.snoozed_until <= now
    )


def due_of(message: StoredMessage, now: datetime, horizon: datetime | None) -> Due:
    """The badge of ``message`` at ``now``; ``horizon`` is the next window's start."""
    if not message.needs_reply or message.state is None:
        return Due.NONE
    if message.state is ReplyState.REPLIED:
        late = (
            message.replied_at is not None
            and message.due_at is not None
            and message.replied_at > message.due_at
        )
        return Due.REPLIED_LATE if late else Due.REPLIED
    if message.state is ReplyState.DISMISSED:
        return Due.DISMISSED
    if not is_open(message, now):
        return Due.SNOOZED
    return due_at_state(message.due_at, now, horizon)


def due_at_state(due_at: datetime | None, now: datetime, horizon: datetime | None) -> Due:
    """Overdue, soon or later, for an open commitment due at ``due_at``."""
    if due_at is None:
        return Due.LATER
    if due_at < now:
        return Due.OVERDUE
    if due_at < soon_limit(now, horizon):
        return Due.SOON
    return Due.LATER


def when_text(instant: datetime, now: datetime, zone: tzinfo) -> str:
    """``16:30`` today, ``Thu 16:30`` within six days either way, ``3 Dec 16:30`` this
    year, ``3 Dec 2025`` before. Day and month names in the UI's locale."""
    local = instant.astimezone(zone)
    today = now.astimezone(zone).date()
    clock_time = f"{local.hour:02d}:{local.minute:02d}"
    days = (local.date() - today).days
    if days == 0:
        return clock_time
    day = QDate(local.year, local.month, local.day)
    locale = QLocale()
    if abs(days) < 7:
        return f"{locale.toString(day, 'ddd')} {clock_time}"
    if local.year == today.year:
        return f"{locale.toString(day, 'd MMM')} {clock_time}"
    return locale.toString(day, "d MMM yyyy")


def long_text(instant: datetime, zone: tzinfo) -> str:
    """``Thursday 26 November 2026 16:30 CET`` (for tooltips)."""
    local = instant.astimezone(zone)
    day = QDate(local.year, local.month, local.day)
    name = local.tzname() or ""
    return (
        f"{QLocale().toString(day, 'dddd d MMMM yyyy')} {local.hour:02d}:{local.minute:02d} {name}"
    ).strip()


def overdue_text(when: str) -> str:
    """``Overdue · Thu 16:30``: the badge of an overdue promise due ``when``."""
    return QCoreApplication.translate("Due", "Overdue · {when}").format(when=when)


def snoozed_text(when: str) -> str:
    """``Snoozed until Thu 16:30``: the badge of a promise snoozed until ``when``."""
    return QCoreApplication.translate("Due", "Snoozed until {when}").format(when=when)


def badge_text(message: StoredMessage, due: Due, now: datetime, zone: tzinfo) -> str:
    """What the "Reply by" column says for ``message`` with badge ``due``."""
    match due:
        case Due.NONE:
            return ""
        case Due.REPLIED:
            return QCoreApplication.translate("Due", "Replied")
        case Due.REPLIED_LATE:
            return QCoreApplication.translate("Due", "Replied late")
        case Due.DISMISSED:
            return QCoreApplication.translate("Due", "Dismissed")
        case Due.SNOOZED:
            until = message.snoozed_until
            if until is None:
                return QCoreApplication.translate("Due", "Snoozed")
            return snoozed_text(when_text(until, now, zone))
        case Due.OVERDUE:
            assert message.due_at is not None
            return overdue_text(when_text(message.due_at, now, zone))
        case _:
            return "" if message.due_at is None else when_text(message.due_at, now, zone)


def reason_line(message: StoredMessage) -> str | None:
    """``Needs a reply: Sent to you by a person`` / ``No reply needed: Mailing list ...``.

    The reason itself comes from the classifier (``core.classify``, shared with the
    command line) and stays as it is.
    """
    if not message.reason:
        return None
    if message.needs_reply:
        template = QCoreApplication.translate("Due", "Needs a reply: {reason}")
    else:
        template = QCoreApplication.translate("Due", "No reply needed: {reason}")
    return template.format(reason=message.reason)


def _dark() -> bool:
    return is_dark(QGuiApplication.palette())


def colour(due: Due) -> QColor | None:
    """The badge's text colour; ``None`` keeps the view's own (plain)."""
    if due is Due.OVERDUE:
        return QColor(0xEF, 0x9A, 0x9A) if _dark() else QColor(0xC6, 0x28, 0x28)
    if due is Due.SOON:
        return QColor(0xFF, 0xCC, 0x80) if _dark() else QColor(0xA0, 0x5F, 0x00)
    if due in (Due.REPLIED, Due.REPLIED_LATE, Due.SNOOZED, Due.DISMISSED):
        return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    return None


def emphasised(due: Due) -> bool:
    """Whether the badge is bold: only what must be answered in this window."""
    return due in (Due.OVERDUE, Due.SOON)
