"""Where a profile lives on disk; every path the app writes goes through here.

A profile is one directory holding the database, logs and window state. It is
chosen by ``--profile DIR``, else ``$ASYNCDESK_PROFILE``, else the platform's user data
directory. It is created readable by the user alone (mode 0700): it holds mail.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from asyncdesk.core.errors import ProfileError

PROFILE_ENV = "ASYNCDESK_PROFILE"


def default_profile_dir() -> Path:
    return Path(platformdirs.user_data_dir("asyncdesk", appauthor=False)) / "default"


def resolve_profile_dir(explicit: str | os.PathLike[str] | None) -> Path:
    """``--profile`` wins over ``$ASYNCDESK_PROFILE``, which wins over the default."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(PROFILE_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return default_profile_dir()


@dataclass(frozen=True)
class ProfilePaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "asyncdesk.sqlite3"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "asyncdesk.log"

    @property
    def crash_file(self) -> Path:
        """faulthandler writes native crashes here; the next start reports them."""
        return self.logs / "crash.log"

    @property
    def ui_state(self) -> Path:
        """Window geometry and splitter positions (QSettings, ini format)."""
        return self.root / "ui-state.ini"

    @property
    def outbox_lock(self) -> Path:
        """Held (an OS file lock) by whichever process is flushing the outbox: the kernel
        drops it when that process dies, so a flush that gets it knows no send is in flight."""
        return self.root / "outbox.lock"

    @property
    def notifier_lock(self) -> Path:
        """Held (an OS file lock) by the one process that notifies for this profile, so
        the app and ``asyncdesk sync`` running together give one summary, not two."""
        return self.root / "notifier.lock"

    @property
    def drafts(self) -> Path:
        """Replies being written, one file per message answered (services.drafts)."""
        return self.root / "drafts"

    def exists(self) -> bool:
        return self.database.exists()

    def _private_database(self) -> None:
        """The database file exists with mode 0600 before SQLite opens it: SQLite would
        create it by the umask (0644), and gives its -wal and -shm the database's mode."""
        try:
            os.close(os.open(self.database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            for path in (self.database, *self._journals()):
                if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
                    path.chmod(0o600)

    def _journals(self) -> tuple[Path, Path]:
        return (
            self.database.with_name(self.database.name + "-wal"),
            self.database.with_name(self.database.name + "-shm"),
        )

    def ensure(self) -> None:
        """Create the profile directory (mode 0700) and its log folder."""
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.root.is_dir():
                raise ProfileError(f"profile {self.root} is not a directory")
            mode = stat.S_IMODE(self.root.stat().st_mode)
            if mode & 0o077:
                # An existing directory we created earlier, or one the user pointed us
                # at: tighten it rather than leave mail readable by others.
                self.root.chmod(0o700)
            self.logs.mkdir(mode=0o700, exist_ok=True)
            self._private_database()
        except PermissionError as error:
            raise ProfileError(f"cannot use profile {self.root}: {error.strerror}") from None
        except FileExistsError:
            raise ProfileError(f"profile {self.root} is not a directory") from None
        except NotADirectoryError:
            raise ProfileError(f"profile {self.root} is inside a file, not a directory") from None
        except OSError as error:  # a path that cannot exist (under /proc), too long, ...
            raise ProfileError(
                f"cannot use profile {self.root}: {error.strerror or error}"
            ) from None
