"""Bringing a profile's schema to the version this build expects.

Opening a profile runs pending Alembic revisions in one immediate transaction, so two
processes opening the same old profile cannot both migrate it. The common case (already
current) is answered from ``alembic_version`` alone, without importing Alembic, to keep
start-up fast.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, text

from asyncdesk.core.errors import ProfileError

#: The newest revision in ``migrations/versions``; a test keeps it equal to Alembic's head.
HEAD_REVISION = "0011"
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def current_revision(connection: Connection) -> str | None:
    exists = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
    ).first()
    if exists is None:
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def needs_upgrade(revision: str | None) -> bool:
    """Whether opening a database at ``revision`` (None: a new one) runs a migration."""
    return revision != HEAD_REVISION and (revision is None or revision in KNOWN_REVISIONS)


def upgrade(engine: Engine, target: str = "head") -> None:
    """Apply every revision up to ``target``; a no-op when already there."""
    with engine.connect() as probe:
        revision = current_revision(probe)
        probe.rollback()
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise ProfileError(
            f"this profile was written by a newer AsyncDesk (schema {revision}); "
            "update AsyncDesk to open it"
        )
    if target == "head" and revision == HEAD_REVISION:
        return

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    connection = engine.connect().execution_options(begin="IMMEDIATE")
    with connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, target)
