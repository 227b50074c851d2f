"""Advisory file locks between AsyncDesk processes of one profile (outbox, notifier).

The kernel drops a lock when its holder dies, so "I got the lock" also means "nobody
else is in the middle of this": what a crashed holder left behind is safe to take over.
"""

from __future__ import annotations

import sys


def try_lock(fd: int) -> bool:
    """Take the exclusive lock on the open file ``fd`` without waiting; False if held."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
