"""Column types that keep the store's invariants: every instant in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from asyncdesk.core.clock import utc


def instant_to_db(value: datetime) -> str:
    """Fixed-width UTC text: sorts chronologically as a string, readable in sqlite3."""
    return utc(value).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def instant_from_db(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


class UTCInstant(TypeDecorator[datetime]):
    """A timezone-aware UTC ``datetime`` stored as fixed-width text; naive values rejected."""

    impl = String(26)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else instant_to_db(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else instant_from_db(str(value))
