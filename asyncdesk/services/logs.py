"""Logging to the profile's log file.

Secrets never reach a log: sources log hosts and account names, never credentials,
and nothing here formats request bodies. Should a line carry one by mistake anyway (a
URL with a password in it, a token in an exception's text), :class:`RedactingFormatter`
blanks it out before the line is written. The file is readable by the user alone
(0600), like the rest of the profile, and is only created when the first line is
written, so a command that logs nothing (one refused for bad input) leaves no file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from typing import Any

from asyncdesk.store.profile import ProfilePaths

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

REDACTED = "[redacted]"

# What a secret looks like in text, each with the part to keep around the hidden one.
_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # userinfo of a URL: imaps://me:secret@host -> imaps://me:[redacted]@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s/@]+(@)", re.IGNORECASE), r"\1{}\2"),
    # Slack tokens: xoxp- (user), xoxb- (bot), xoxa-/xoxr-/xoxs-/xoxe- and app xapp-
    (re.compile(r"\b(?:xox[abeprs]|xapp)-[A-Za-z0-9-]+"), "{}"),
    # Matrix access tokens (Synapse): syt_<user>_<random>_<crc>
    (re.compile(r"\bsyt_[A-Za-z0-9_-]+"), "{}"),
    # HTTP authorisation headers, whatever the scheme
    (
        re.compile(
            r"(\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:Bearer|Basic|Token)?\s*)[^\s\"',}]+",
            re.IGNORECASE,
        ),
        r"\1{}",
    ),
    (re.compile(r"(\bBearer\s+)[^\s\"',}]+", re.IGNORECASE), r"\1{}"),
    # password=..., "access_token": "...", token: ..., passwd, secret
    (
        re.compile(
            r"(\b(?:password|passwd|pass|pwd|secret|access_token|refresh_token|token)"
            r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+",
            re.IGNORECASE,
        ),
        r"\1{}",
    ),
)


def redact(text: str) -> str:
    """``text`` with every password and token this module recognises blanked out."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement.format(REDACTED), text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line: the message, its arguments, an
    exception's text and its traceback all pass through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (not by the umask)."""

    def _open(self) -> Any:
        def opener(path: str, flags: int) -> int:
            return os.open(path, flags, 0o600)

        stream = open(  # noqa: SIM115 - the handler owns and closes it
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=opener
        )
        os.chmod(self.baseFilename, 0o600)  # one made earlier by an older version
        return stream


def setup_logging(paths: ProfilePaths, level: int = logging.INFO) -> logging.Handler:
    """Send the ``asyncdesk`` loggers to ``paths.log_file`` (rotated, 1 MB x 3).

    Returns the handler so a caller (a test, a short-lived command) can remove it.
    """
    paths.ensure()
    handler = _PrivateFileHandler(
        paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(RedactingFormatter(_FORMAT))
    logger = logging.getLogger("asyncdesk")
    logger.setLevel(level)
    logger.addHandler(handler)
    return handler


def remove_logging(handler: logging.Handler) -> None:
    logging.getLogger("asyncdesk").removeHandler(handler)
    handler.close()
