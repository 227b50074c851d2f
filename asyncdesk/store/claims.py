"""What the tables of things sent at most once share: the outbox, auto-replies and
check-in runs each claim a row before anything reaches a server, and keep the
server's refusal on it as one line.

A row still ``queued`` :data:`STALE_AFTER` after its claim belonged to a process that
died between the claim and the server's answer: it is marked failed with
:data:`INTERRUPTED` and never sent again (at most once beats at least once for a
message a person reads).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

__all__ = ["INTERRUPTED", "MAX_ERROR_CHARS", "STALE_AFTER", "one_line_error"]

#: The longest error text kept on a row (one line; the log has the rest).
MAX_ERROR_CHARS: Final = 500
#: A claim older than this still ``queued`` belongs to a process that died.
STALE_AFTER: Final = timedelta(minutes=15)
INTERRUPTED: Final = (
    "interrupted before the server confirmed it: it may or may not have been sent; "
    "it is not sent again"
)


def one_line_error(error: str) -> str:
    """``error`` on one line, cut to :data:`MAX_ERROR_CHARS` (an ellipsis when cut)."""
    line = " ".join(error.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"
