"""Opening a profile: the store, its settings, its logging."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from asyncdesk.core import settings as declared
from asyncdesk.core.settings import Setting
from asyncdesk.store.database import Store
from asyncdesk.store.profile import resolve_profile_dir
from asyncdesk.store.settings import get_setting, set_setting

T = TypeVar("T")


def open_profile(explicit: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating and migrating as needed) the profile chosen by the user."""
    return Store.open(resolve_profile_dir(explicit))


def read_setting(store: Store, setting: Setting[T]) -> T:
    with store.reading() as session:
        return get_setting(session, setting)


def write_setting(store: Store, setting: Setting[T], value: T) -> None:
    with store.writing() as session:
        set_setting(session, setting, value)


def system_timezone_name() -> str:
    """The IANA name of the machine's zone, or ``UTC`` when it cannot be told."""
    from_env = os.environ.get("TZ", "").lstrip(":")
    if from_env and _is_zone(from_env):
        return from_env
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        name = target.split("zoneinfo/", 1)[1]
        if _is_zone(name):
            return name
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return name if name and _is_zone(name) else "UTC"


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return False
    return True


def user_timezone(store: Store) -> ZoneInfo:
    """The zone schedules and stats use: the setting, else the system's."""
    name = read_setting(store, declared.TIMEZONE) or system_timezone_name()
    return ZoneInfo(name)
