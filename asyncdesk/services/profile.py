"""Opening a profile: the store, its settings, its logging, its backups."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.settings import Setting
from asyncdesk.store import backup
from asyncdesk.store.backup import Backup
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths, resolve_profile_dir
from asyncdesk.store.settings import get_setting, set_setting

T = TypeVar("T")


def open_profile(
    explicit: str | os.PathLike[str] | None = None, clock: Clock | None = None
) -> Store:
    """Open (creating and migrating as needed) the profile chosen by the user, and start
    its daily backup in the background (the app's way in; ``asyncdesk sync`` calls
    :meth:`Store.back_up_in_background` itself)."""
    clock = clock or SystemClock()
    store = Store.open(resolve_profile_dir(explicit), clock)
    store.back_up_in_background(clock)
    return store


def list_backups(root: Path) -> list[Backup]:
    """The profile's backups, newest first."""
    return backup.list_backups(ProfilePaths(root))


def restore_backup(root: Path, clock: Clock, chosen: str | None = None) -> tuple[Backup, Path]:
    """Put a backup (the newest, or ``chosen``: a file, or a name in ``backups/``) in
    place of the profile's database; return it and where the old database was kept.

    BadInput (nothing changed) when there is no such backup, it is not sound, or the
    profile is in use.
    """
    paths = ProfilePaths(root)
    backups = backup.list_backups(paths)
    if chosen is None:
        if not backups:
            raise BadInput(f"profile {root} has no backups (in {backup.backups_dir(paths)})")
        picked = backups[0]
    else:
        path = Path(chosen).expanduser()
        if not path.exists() and (backup.backups_dir(paths) / chosen).exists():
            path = backup.backups_dir(paths) / chosen
        known = {b.path.resolve(): b for b in backups}
        picked = known.get(path.resolve()) or Backup(path, clock.now())
    aside = backup.restore(paths, picked.path, clock)
    return picked, aside


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
