"""Logging to the profile's log file.

Secrets never reach a log: sources log hosts and account names, never credentials,
and nothing here formats request bodies.
"""

from __future__ import annotations

import logging
import logging.handlers

from asyncdesk.store.profile import ProfilePaths

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def setup_logging(paths: ProfilePaths, level: int = logging.INFO) -> logging.Handler:
    """Send the ``asyncdesk`` loggers to ``paths.log_file`` (rotated, 1 MB x 3).

    Returns the handler so a caller (a test, a short-lived command) can remove it.
    """
    paths.ensure()
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger = logging.getLogger("asyncdesk")
    logger.setLevel(level)
    logger.addHandler(handler)
    return handler


def remove_logging(handler: logging.Handler) -> None:
    logging.getLogger("asyncdesk").removeHandler(handler)
    handler.close()
