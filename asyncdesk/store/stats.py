"""The facts the weekly stats are computed from, read for a week in one query.

Each inbound message's first reply is kept in the row (``first_reply_at``, maintained
by store.messages as messages are stored), so a week is one range scan of the covering
index ix_messages_stats. Instants come out as whole microseconds since the epoch,
computed by SQLite from the fixed-width text, exact and without a ``datetime`` per
value: a year of weeks at 100,000 messages reads in well under a tenth of a second.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from asyncdesk.core.stats import FactRow, InboundFact
from asyncdesk.store.columns import instant_to_db


def _micros(column: str) -> str:
    # "YYYY-MM-DD HH:MM:SS.ffffff": whole seconds by strftime, microseconds by text.
    return (
        f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
        f" + CAST(substr({column}, 21, 6) AS INTEGER))"
    )


# ``m.direction = 'inbound'`` is spelled as in the partial index, so SQLite uses it.
_FACTS = (
    f"SELECT a.name, {_micros('m.received_at')}, m.needs_reply, {_micros('m.due_at')},"
    f" m.state = 'dismissed', {_micros('m.first_reply_at')}"
    " FROM messages AS m INDEXED BY ix_messages_stats JOIN accounts AS a ON a.id = m.account_id"
    " WHERE m.direction = 'inbound' AND m.received_at >= ? AND m.received_at < ?"
)


def fact_rows(session: Session, start: datetime, end: datetime) -> list[FactRow]:
    """Every inbound message received in ``[start, end)``, with its first reply."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_FACTS, (instant_to_db(start), instant_to_db(end)))
        rows: list[FactRow] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


def inbound_facts(session: Session, start: datetime, end: datetime) -> list[InboundFact]:
    """:func:`fact_rows` as facts with ``datetime`` instants (for a look at a few)."""
    from datetime import UTC, timedelta

    def instant(value: int | None) -> datetime | None:
        return (
            None
            if value is None
            else datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)
        )

    facts = []
    for name, received, needs, due, dismissed, first in fact_rows(session, start, end):
        at = instant(received)
        assert at is not None
        facts.append(
            InboundFact(
                account=name,
                received_at=at,
                needs_reply=bool(needs),
                due_at=instant(due),
                dismissed=bool(dismissed),
                first_reply_at=instant(first),
            )
        )
    return facts
