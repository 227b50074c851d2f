"""The profile's database: one SQLite file in WAL mode, migrated when opened.

Threading contract: a :class:`Store` may be shared by threads; each ``reading()`` /
``writing()`` block takes its own pooled connection. ``writing()`` serialises writers
inside the process with a lock and across processes with ``BEGIN IMMEDIATE`` (SQLite
has one writer anyway; taking the write lock up front avoids deadlocking upgrades and
makes a busy profile wait, up to ``BUSY_TIMEOUT_MS``, instead of failing).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from asyncdesk.core.errors import ProfileError
from asyncdesk.store import migrate
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


class Store:
    """An open profile database. Create with :meth:`open`; close when done."""

    def __init__(self, paths: ProfilePaths, engine: Engine) -> None:
        self.paths = paths
        self.engine = engine
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, root: Path) -> Store:
        """Open (creating if needed) the profile at ``root`` and migrate it to head."""
        paths = ProfilePaths(root)
        paths.ensure()
        engine = make_engine(paths.database)
        try:
            migrate.upgrade(engine)
        except (OperationalError, DatabaseError) as error:
            engine.dispose()
            raise ProfileError(
                f"cannot open the database of profile {root}: {error.orig}"
            ) from None
        except BaseException:
            engine.dispose()
            raise
        return cls(paths, engine)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session on a consistent snapshot; rolled back at the end."""
        with Session(self.engine) as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed if the block returns, rolled back if it raises."""
        with self._write_lock:
            connection = self.engine.connect().execution_options(begin="IMMEDIATE")
            try:
                with Session(bind=connection) as session, session.begin():
                    yield session
            finally:
                connection.close()

    def journal_mode(self) -> str:
        with self.engine.connect() as connection:
            return str(connection.exec_driver_sql("PRAGMA journal_mode").scalar())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
