"""Errors the user can act on, each tied to the exit code the command line promises.

Anything that is not an :class:`AsyncDeskError` is a bug: the CLI lets it crash with a
traceback and the GUI's exception hook reports it.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_CLOSED = 3


class AsyncDeskError(Exception):
    """A failure with a one-line message meant for the user."""

    exit_code: int = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        # One line, always: scripts read the first line of stderr.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self.args[0])


class BadInput(AsyncDeskError):
    """The user asked for something malformed or impossible; nothing was written."""


class ProfileError(AsyncDeskError):
    """The profile directory or database cannot be used (permissions, newer schema, damage)."""


class InboxClosed(AsyncDeskError):
    """The inbox is gated: outside a communication window and no break-glass given."""

    exit_code = EXIT_CLOSED
