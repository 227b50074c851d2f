"""The facts the weekly stats are computed from, read in two queries per week.

The first reply of each inbound message is found here rather than stored: the reply
detection at sync time (store.messages) keeps ``replied_at`` only for messages that
need a reply, and the stats count every reply. The rule is the same one: an outbound
message of the conversation after it, top-level for top-level messages (or inside the
message's own thread, for a thread root), inside the thread for thread replies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from asyncdesk.core.stats import InboundFact
from asyncdesk.store.columns import instant_from_db, instant_to_db

# The reply rule of store.messages._APPLY_REPLIES, as a correlated subquery that walks
# the partial index ix_messages_replies (outbound messages by conversation and time)
# from the message on: the first match is the answer, so it stays cheap even in chat
# rooms with years of messages after it.
_FACTS = text(
    "SELECT a.name, m.received_at, m.needs_reply, m.due_at, m.state, ("
    "  SELECT min(o.received_at) FROM messages AS o"
    "  WHERE o.account_id = m.account_id AND o.conversation = m.conversation"
    "    AND o.direction = 'outbound' AND o.received_at > m.received_at"
    "    AND ((o.thread IS NULL AND m.thread IS NULL)"
    "         OR (o.thread IS NOT NULL AND (o.thread = m.thread OR o.thread = m.remote_id)))"
    ") FROM messages AS m JOIN accounts AS a ON a.id = m.account_id "
    "WHERE m.direction = 'inbound' AND m.received_at >= :start AND m.received_at < :end"
)


def inbound_facts(session: Session, start: datetime, end: datetime) -> list[InboundFact]:
    """Every inbound message received in ``[start, end)``, with its first reply."""
    rows = session.connection().exec_driver_sql(
        _FACTS.text, {"start": instant_to_db(start), "end": instant_to_db(end)}
    )
    return [
        InboundFact(
            account=str(name),
            received_at=instant_from_db(received),
            needs_reply=bool(needs),
            due_at=None if due is None else instant_from_db(due),
            dismissed=state == "dismissed",
            first_reply_at=None if first is None else instant_from_db(first),
        )
        for name, received, needs, due, state, first in rows
    ]
