"""Alembic environment: always run on a connection the store hands over, never a URL.

Developers create a revision with ``alembic -c asyncdesk/store/alembic.ini revision -m ...``
against a scratch database; the app itself upgrades through ``store.migrate``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from asyncdesk.store.schema import Base, managed_by_models

config = context.config


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_name=managed_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is None:
    # Command-line use by developers (``alembic revision --autogenerate``).
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as own_connection:
        _run_on(own_connection)
else:
    _run_on(given)
