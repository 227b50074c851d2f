"""Where messages sit on the server, and what follows from it: flags and removals.

Servers report flag changes and expunges by position (an IMAP UID within a folder), so
each synced message's position is recorded in ``message_locations``. A message whose
last position vanishes is marked removed (``removed_at``): it leaves the inbox but keeps
its row, its user state and its place in the week's stats; if it turns up again (moved
back, or re-found after a UIDVALIDITY change) it is placed and shown again.

All functions run inside the caller's ``Store.writing()`` block, next to the batch they
belong to, so positions and messages never disagree after a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from asyncdesk.store.columns import instant_to_db

# Plain DB-API statements for the per-message hot path (see store.messages).
_PLACE = (
    "INSERT OR REPLACE INTO message_locations (account_id, stream, position, message_pk) "
    "SELECT m.account_id, ?, p.value ->> 1, m.id FROM json_each(?) AS p CROSS "
    "JOIN messages AS m ON m.account_id = ? AND m.remote_id = p.value ->> 0"
)
_UNREMOVE = (
    "UPDATE messages SET removed_at = NULL WHERE account_id = ? "
    "AND remote_id IN (SELECT value FROM json_each(?)) AND removed_at IS NOT NULL"
)
_PKS_AT = text(
    "SELECT message_pk FROM message_locations "
    "WHERE account_id = :account_id AND stream = :stream "
    "AND position IN (SELECT value FROM json_each(:positions))"
)
_FORGET_AT = text(
    "DELETE FROM message_locations "
    "WHERE account_id = :account_id AND stream = :stream "
    "AND position IN (SELECT value FROM json_each(:positions))"
)
_PKS_OF_STREAM = text(
    "SELECT message_pk FROM message_locations WHERE account_id = :account_id AND stream = :stream"
)
_FORGET_STREAM = text(
    "DELETE FROM message_locations WHERE account_id = :account_id AND stream = :stream"
)
_POSITIONS_OF_STREAM = text(
    "SELECT position FROM message_locations WHERE account_id = :account_id AND stream = :stream"
)
# Only messages that sit nowhere any more are removed.
_REMOVE_UNPLACED = text(
    "UPDATE messages SET removed_at = :now "
    "WHERE id IN (SELECT value FROM json_each(:pks)) AND removed_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM message_locations AS l WHERE l.message_pk = messages.id)"
)
_SET_FLAGS = text(
    "UPDATE messages SET seen = :seen, flagged = :flagged "
    "WHERE id = (SELECT message_pk FROM message_locations "
    "            WHERE account_id = :account_id AND stream = :stream AND position = :position) "
    "AND (seen != :seen OR flagged != :flagged)"
)

#: Positions per statement: json_each keeps any count legal; this keeps memory flat.
_CHUNK = 5000


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def place(
    session: Session, account_id: int, stream: str, placed: Sequence[tuple[str, int]]
) -> None:
    """Record that the message with each remote id sits at each position; a remote id
    with no stored row (a message the source could not read) is skipped."""
    if not placed:
        return
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_PLACE, (stream, json.dumps(placed), account_id))
        cursor.execute(_UNREMOVE, (account_id, json.dumps([remote_id for remote_id, _ in placed])))
    finally:
        cursor.close()


def set_flags(
    session: Session, account_id: int, stream: str, flags: Sequence[tuple[int, bool, bool]]
) -> None:
    """Apply ``(position, seen, flagged)`` triples; unknown positions are ignored."""
    if flags:
        session.execute(
            _SET_FLAGS,
            [
                {
                    "account_id": account_id,
                    "stream": stream,
                    "position": position,
                    "seen": seen,
                    "flagged": flagged,
                }
                for position, seen, flagged in flags
            ],
        )


def vanish(
    session: Session, account_id: int, stream: str, positions: Sequence[int], now: datetime
) -> int:
    """Forget these positions; messages left with no position are removed. Returns how
    many messages were removed."""
    removed = 0
    for chunk in _chunks(positions):
        params = {"account_id": account_id, "stream": stream, "positions": json.dumps(chunk)}
        pks = list(session.scalars(_PKS_AT, params))
        if not pks:
            continue
        session.execute(_FORGET_AT, params)
        result = session.execute(
            _REMOVE_UNPLACED, {"pks": json.dumps(pks), "now": instant_to_db(now)}
        )
        removed += max(0, result.rowcount)  # type: ignore[attr-defined]
    return removed


def keep_only(
    session: Session, account_id: int, stream: str, present: Iterable[int], now: datetime
) -> int:
    """Every known position of the stream that is not in ``present`` has vanished."""
    known = set(session.scalars(_POSITIONS_OF_STREAM, {"account_id": account_id, "stream": stream}))
    gone = sorted(known.difference(present))
    return vanish(session, account_id, stream, gone, now) if gone else 0


def reset_stream(session: Session, account_id: int, stream: str, now: datetime) -> None:
    """Void every position of the stream; its messages count as removed until placed."""
    params = {"account_id": account_id, "stream": stream}
    pks = list(session.scalars(_PKS_OF_STREAM, params))
    session.execute(_FORGET_STREAM, params)
    if pks:
        session.execute(_REMOVE_UNPLACED, {"pks": json.dumps(pks), "now": instant_to_db(now)})


def positions_of(session: Session, message_pk: int) -> list[tuple[str, int]]:
    """Every ``(stream, position)`` where the message sits, for fetching it again."""
    rows = session.execute(
        text(
            "SELECT stream, position FROM message_locations WHERE message_pk = :pk "
            "ORDER BY stream, position"
        ),
        {"pk": message_pk},
    )
    return [(str(stream), int(position)) for stream, position in rows]
