"""Every user setting, declared once with its type, default and description.

The store keeps only values that differ from the default; anything reading a setting
goes through :data:`SETTINGS`, so an unknown name or a value of the wrong type is caught
here rather than deep inside a feature. Window geometry is the one piece of state that
lives elsewhere (Qt's QSettings in the profile directory).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from asyncdesk.core.errors import BadInput

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    type: type[T]
    default: T
    description: str
    check: Callable[[T], None] | None = None

    def parse(self, text: str) -> T:
        """Turn user text into a checked value, or raise :class:`BadInput`."""
        value: object
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered not in {"true", "false", "on", "off", "yes", "no", "1", "0"}:
                raise BadInput(f"{self.name} takes on or off, not {text!r}")
            value = lowered in {"true", "on", "yes", "1"}
        elif self.type is int:
            try:
                value = int(text)
            except ValueError:
                raise BadInput(f"{self.name} takes a whole number, not {text!r}") from None
        else:
            value = text.strip()
        return self.validate(value)

    def validate(self, value: object) -> T:
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise BadInput(f"{self.name} must be of type {self.type.__name__}")
        if self.check is not None:
            self.check(value)
        return value


def _check_timezone(name: str) -> None:
    if name == "":
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        raise BadInput(
            f"unknown time zone {name[:60]!r} (use an IANA name like Europe/Berlin)"
        ) from None


_PROFILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _check_profile_id(value: str) -> None:
    if value and not _PROFILE_ID.match(value):
        raise BadInput(f"profile.id must be 1-128 letters, digits, '.', '_' or '-', not {value!r}")


def _check_positive(value: int) -> None:
    if value <= 0:
        raise BadInput(f"must be greater than zero, not {value}")


def _check_not_negative(value: int) -> None:
    if value < 0:
        raise BadInput(f"must be zero or more, not {value}")


TIMEZONE: Setting[str] = Setting(
    "timezone",
    str,
    "",
    "IANA time zone of the schedule and of weekly stats; empty means the system's zone.",
    _check_timezone,
)
SLA_DEFAULT_MINUTES: Setting[int] = Setting(
    "sla.default_minutes",
    int,
    48 * 60,
    "The reply-by promise: minutes from receipt until a message that needs a reply is "
    "due, unless a rule for its sender, domain or account says otherwise "
    "(asyncdesk sla default 48h).",
    _check_positive,
)
SLA_WORKING_HOURS: Setting[str] = Setting(
    "sla.working_hours",
    str,
    "",
    "When set (e.g. 'mon-fri 09:00-17:00', in the profile's time zone), reply-by "
    "deadlines count only these hours; empty counts every hour.",
)
INBOX_PAGE_SIZE: Setting[int] = Setting(
    "ui.inbox_page_size",
    int,
    200,
    "How many inbox rows the window loads at a time as you scroll.",
    _check_positive,
)
PROFILE_ID: Setting[str] = Setting(
    "profile.id",
    str,
    "",
    "A stable random id of this profile, made on first need; it keeps the keyring "
    "entries of two profiles apart. Changing it loses access to the stored passwords.",
    _check_profile_id,
)

BODY_BUDGET_MB: Setting[int] = Setting(
    "sync.body_budget_mb",
    int,
    200,
    "Megabytes of each account's newest mail whose bodies are fetched in the background "
    "after a sync, so that search covers them; 0 turns background fetching off.",
    _check_not_negative,
)
BODY_MAX_MESSAGE_KB: Setting[int] = Setting(
    "sync.body_max_message_kb",
    int,
    2048,
    "Messages bigger than this many kilobytes are left out of the background fetch "
    "(opening one still fetches it).",
    _check_positive,
)

NOTIFY_REMINDER_MINUTES: Setting[int] = Setting(
    "notify.reminder_minutes",
    int,
    5,
    "Minutes before a communication window ends when one reminder is shown, if replies "
    "are due before the next window; 0 turns the reminder off.",
    _check_not_negative,
)


def _check_vip(value: str) -> None:
    # The policy owns the one parser of the list; imported here, when a value is
    # checked, so that reading the declarations does not load the schedule code.
    from asyncdesk.core.notify_policy import vip_addresses

    vip_addresses(value)


NOTIFY_VIP: Setting[str] = Setting(
    "notify.vip",
    str,
    "[]",
    'A JSON list of sender addresses (e.g. ["ceo@example.com"]) whose messages may '
    "notify while the inbox is closed; never during deep work.",
    _check_vip,
)

STATS_EXPORT_DIR: Setting[str] = Setting(
    "stats.export_dir",
    str,
    "",
    "A folder where the weekly report (HTML, JSON and CSV) is written on the first run "
    "after each week ends; empty turns the automatic export off.",
)


def _check_autoreply_template(value: str) -> None:
    # The one checker lives with the text it fills in; imported when a value is checked.
    from asyncdesk.core.availability import check_template

    check_template(value)


AUTOREPLY_ENABLED: Setting[bool] = Setting(
    "autoreply.enabled",
    bool,
    False,
    "Whether people who write while the inbox is closed are told when they will hear "
    "back (asyncdesk autoreply on|off). Off by default.",
)
AUTOREPLY_TEMPLATE: Setting[str] = Setting(
    "autoreply.template",
    str,
    "",
    "Your own text of the auto-reply's body, with the placeholders {windows} (e.g. "
    "'at 09:00 and 16:30 CET'), {by} (e.g. 'Thu 16:30') and {next_window}; empty uses "
    "the built-in text.",
    _check_autoreply_template,
)


def _video_previews(service: str, name: str) -> Setting[bool]:
    return Setting(
        f"video.previews.{service}",
        bool,
        False,
        f"Whether the preview picture of a {name} video linked in a message is loaded "
        f"as soon as the message is shown (which tells {name} you opened it); off asks "
        "first, every time.",
    )


VIDEO_PREVIEWS_YOUTUBE = _video_previews("youtube", "YouTube")
VIDEO_PREVIEWS_VIMEO = _video_previews("vimeo", "Vimeo")
VIDEO_PREVIEWS_LOOM = _video_previews("loom", "Loom")
VIDEO_RECORDINGS_DIR: Setting[str] = Setting(
    "video.recordings_dir",
    str,
    "",
    "The folder a recorded video reply was last saved to (Save to folder… starts there); "
    "empty starts in your home folder.",
)

SETTINGS: dict[str, Setting[object]] = {
    setting.name: setting  # type: ignore[misc]
    for setting in (
        TIMEZONE,
        SLA_DEFAULT_MINUTES,
        SLA_WORKING_HOURS,
        INBOX_PAGE_SIZE,
        PROFILE_ID,
        BODY_BUDGET_MB,
        BODY_MAX_MESSAGE_KB,
        STATS_EXPORT_DIR,
        NOTIFY_REMINDER_MINUTES,
        NOTIFY_VIP,
        AUTOREPLY_ENABLED,
        AUTOREPLY_TEMPLATE,
        VIDEO_PREVIEWS_YOUTUBE,
        VIDEO_PREVIEWS_VIMEO,
        VIDEO_PREVIEWS_LOOM,
        VIDEO_RECORDINGS_DIR,
    )
}


def lookup(name: str) -> Setting[object]:
    try:
        return SETTINGS[name]
    except KeyError:
        raise BadInput(f"unknown setting {name!r}") from None
