"""The profile's database: one SQLite file in WAL mode, migrated when opened.

Threading contract: a :class:`Store` may be shared by threads; each ``reading()`` /
``writing()`` block takes its own pooled connection. ``writing()`` serialises writers
inside the process with a lock and across processes with ``BEGIN IMMEDIATE`` (SQLite
has one writer anyway; taking the write lock up front avoids deadlocking upgrades and
makes a busy profile wait, up to ``BUSY_TIMEOUT_MS``, instead of failing).

Failures of the disk or the file become one :class:`ProfileError` line that says what
happened and what to do, wherever they surface (opening, a read, a write): a damaged
database (:class:`DamagedDatabase`, naming the newest backup and ``asyncdesk profile
restore``), a full disk, a read-only profile. A write that fails that way is rolled back
whole, so nothing already saved is lost and a retried batch duplicates nothing.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.errors import ProfileError
from asyncdesk.store import backup, migrate
from asyncdesk.store.profile import ProfilePaths

BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed batch survives power loss too, not only a killed process.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(database: Path) -> Engine:
    engine = create_engine(f"sqlite:///{database}", pool_size=4, max_overflow=4)
    _configure_sqlite(engine)
    return engine


class DamagedDatabase(ProfileError):
    """The database file (or its write-ahead log) is damaged; ``backup`` is the newest
    backup to restore, if there is one."""

    def __init__(self, message: str, backup: Path | None) -> None:
        super().__init__(message)
        self.backup = backup


def damaged(paths: ProfilePaths, detail: str) -> DamagedDatabase:
    """The one message for every form of damage: what happened, and how to recover."""
    newest = backup.newest_backup(paths)
    what = f"the profile database {paths.database} is damaged ({detail})"
    if newest is None:
        return DamagedDatabase(
            f"{what} and there is no backup of it: quit AsyncDesk and move the file "
            "aside to start an empty profile (mail comes back with the next sync)",
            None,
        )
    command = f"asyncdesk --profile {shlex.quote(str(paths.root))} profile restore"
    return DamagedDatabase(
        f"{what}. The newest backup is from {backup.describe(newest)}: to restore it, "
        f"quit AsyncDesk and run `{command}`",
        newest.path,
    )


def storage_error(paths: ProfilePaths, error: BaseException | None) -> ProfileError | None:
    """The user's reading of a SQLite failure caused by the disk or the file, else None
    (a constraint or a bug is not the user's to fix)."""
    if not isinstance(error, sqlite3.Error):
        return None
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged(paths, str(error))
    if name == "SQLITE_FULL":
        return ProfileError(
            f"the disk holding profile {paths.root} is full: this change was not saved "
            "(nothing saved before is lost); free some space and try again"
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")):
        if name.startswith("SQLITE_READONLY") or not _writable(paths):
            return ProfileError(
                f"profile {paths.root} is read-only ({error}): AsyncDesk needs to write "
                "there; make it writable, or choose another folder with --profile"
            )
        return ProfileError(f"cannot read or write the database of profile {paths.root}: {error}")
    return None


def _writable(paths: ProfilePaths) -> bool:
    return all(
        os.access(path, os.W_OK)
        for path in (paths.root, paths.database, Path(f"{paths.database}-wal"))
        if path.exists()
    )


#: https://www.sqlite.org/fileformat.html#the_write_ahead_log
_WAL_MAGIC = (0x377F0682, 0x377F0683)


def wal_damage(database: Path) -> str | None:
    """What is wrong with the database's write-ahead log, if something is.

    SQLite silently ignores a WAL whose header is damaged: the profile would open
    without the transactions it holds (or, if they held all of it, as a new empty
    profile that the next write overwrites them with). Only the header is judged here,
    by its own checksum: frames past the last one SQLite accepts are what a crash
    before a commit leaves (or a kill between writing a commit and noting it in the
    wal-index, which recovery reads again), and a false "damaged" after a kill would
    send the user to an older backup for nothing.
    """
    wal = Path(f"{database}-wal")
    try:
        with open(wal, "rb") as file:
            header = file.read(32)
    except OSError:
        return None
    if len(header) < 32:
        return None
    magic, version, page_size = struct.unpack(">III", header[:12])
    if (
        magic not in _WAL_MAGIC
        or version != 3007000
        or page_size < 512
        or page_size & (page_size - 1)
        or _wal_checksum(header[:24], big_endian=bool(magic & 1)) != header[24:32]
    ):
        return "its write-ahead log is damaged"
    return None


def _wal_checksum(data: bytes, *, big_endian: bool) -> bytes:
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    s1 = s2 = 0
    for index in range(0, len(words), 2):
        s1 = (s1 + words[index] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[index + 1] + s1) & 0xFFFFFFFF
    return struct.pack(">II", s1, s2)


def _check_wal(paths: ProfilePaths) -> None:
    """:func:`wal_damage`, through a read-only connection: the last read-write one to
    close would checkpoint and delete the ``-wal``, and the frames SQLite ignored with it."""
    wal = Path(f"{paths.database}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        return
    try:
        probe = sqlite3.connect(f"{paths.database.absolute().as_uri()}?mode=ro", uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
            problem = wal_damage(paths.database)
        finally:
            probe.close()
    except sqlite3.Error as error:
        raise storage_error(paths, error) or ProfileError(
            f"cannot open the database of profile {paths.root}: {error}"
        ) from None
    if problem is not None:
        raise damaged(paths, problem)


class Store:
    """An open profile database. Create with :meth:`open`; close when done."""

    def __init__(self, paths: ProfilePaths, engine: Engine) -> None:
        self.paths = paths
        self.engine = engine
        self._write_lock = threading.Lock()
        self._closing = threading.Event()
        self._background: list[threading.Thread] = []

    @classmethod
    def open(cls, root: Path, clock: Clock | None = None) -> Store:
        """Open (creating if needed) the profile at ``root`` and migrate it to head.

        Damage found by the first reads (the file's header, the schema, the WAL) is a
        :class:`DamagedDatabase`; an existing database is backed up before a migration
        changes it (and not migrated if that backup cannot be made).
        """
        paths = ProfilePaths(root)
        paths.ensure()
        _check_wal(paths)
        engine = make_engine(paths.database)
        try:
            with engine.connect() as probe:
                probe.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                revision = migrate.current_revision(probe)
                probe.rollback()
            if migrate.needs_upgrade(revision) and revision is not None:
                try:
                    backup.make_backup(
                        paths,
                        clock or SystemClock(),
                        reason=f"before-schema-{migrate.HEAD_REVISION}",
                    )
                except ProfileError as error:
                    raise ProfileError(
                        f"{error.message}: the profile was not upgraded to this version "
                        "of AsyncDesk"
                    ) from None
            migrate.upgrade(engine)
        except (OperationalError, DatabaseError) as error:
            engine.dispose()
            raise storage_error(paths, error.orig) or ProfileError(
                f"cannot open the database of profile {root}: {error.orig}"
            ) from None
        except BaseException:
            engine.dispose()
            raise
        return cls(paths, engine)

    def back_up_in_background(self, clock: Clock) -> threading.Thread | None:
        """Start the daily backup (if one is due) on a thread of its own, so opening
        stays fast; :meth:`close` stops it. Failures are logged, never raised."""
        if self._closing.is_set() or not backup.is_due(self.paths, clock.now()):
            return None
        thread = threading.Thread(
            target=backup.backup_if_due,
            args=(self.paths, clock, self._closing),
            name="asyncdesk-backup",
            daemon=True,
        )
        self._background.append(thread)
        thread.start()
        return thread

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session on a consistent snapshot; rolled back at the end."""
        try:
            with Session(self.engine) as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except (DatabaseError, sqlite3.Error) as error:
            self._raise_for_user(error)
            raise

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed if the block returns, rolled back if it raises."""
        with self._write_lock:
            try:
                connection = self.engine.connect().execution_options(begin="IMMEDIATE")
                try:
                    with Session(bind=connection) as session, session.begin():
                        yield session
                finally:
                    connection.close()
            except (DatabaseError, sqlite3.Error) as error:
                # sqlite3's own errors too: some stores use the driver's cursor directly.
                self._raise_for_user(error)
                raise

    def _raise_for_user(self, error: DatabaseError | sqlite3.Error) -> None:
        """Raise the user's :class:`ProfileError` for a failure of the disk or the file."""
        cause = error.orig if isinstance(error, DatabaseError) else error
        mapped = storage_error(self.paths, cause)
        if mapped is not None:
            raise mapped from None

    def journal_mode(self) -> str:
        with self.engine.connect() as connection:
            return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())

    def close(self) -> None:
        self._closing.set()
        for thread in self._background:
            thread.join()
        self._background.clear()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
