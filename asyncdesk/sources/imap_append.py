"""Filing a sent message in the account's Sent folder over IMAP (APPEND): the thin glue.

SMTP only delivers; a copy in Sent is what the user's other mail programs (webmail, a
phone) show as "sent", and what the next sync of the Sent folder reads back as the
outbound message. This module puts that copy there, once.

Once, even when asked twice: a caller that crashed between the server's OK to APPEND
and recording it cannot know the copy is there, so :meth:`SentFolder.file` first looks
for a message with the same Message-ID in the folder (``SEARCH HEADER Message-ID``) and
appends only when there is none. (Providers that file what their SMTP server relays,
such as Gmail, are caught by the same look.)

The folder is found as :class:`~asyncdesk.sources.imap.ImapSource` finds it (the
``\\Sent`` special use, else a common name, :func:`~asyncdesk.sources.imap.find_sent_folder`);
nothing is ever created. The copy gets the ``\\Seen`` flag (the user wrote it) and the
message's Date as its INTERNALDATE, so it sorts where it was written and the sync reads
the same instant back.

Everything imapclient, ``ssl`` and ``socket`` raise stops here (STYLE.md habit 4):
callers see :class:`~asyncdesk.sources.base.ConnectionFailed` (and the other errors of
:func:`~asyncdesk.sources.imap.connect`), :class:`NoSentFolder` or
:class:`FilingRefused`, each one line without the password. A :class:`SentFolder` owns
one IMAP connection and is not thread-safe.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from types import TracebackType
from typing import Any

from imapclient import SEEN  # type: ignore[import-untyped]
from imapclient.exceptions import (  # type: ignore[import-untyped]
    IMAPClientAbortError,
    IMAPClientError,
)

from asyncdesk.sources.base import ConnectionFailed, SourceError
from asyncdesk.sources.imap import ImapSettings, connect, find_sent_folder, logout
from asyncdesk.sources.tls import network_reason

log = logging.getLogger(__name__)


class NoSentFolder(SourceError):
    """The account has no folder marked ``\\Sent`` and none with a usual Sent name."""


class FilingRefused(SourceError):
    """The server answered NO or BAD to looking for, or appending, the copy."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


class SentFolder:
    """The Sent folder of one account, for filing sent messages; connects on first use.

    Use as a context manager, or call :meth:`close`. Not thread-safe (one IMAPClient).
    """

    def __init__(self, settings: ImapSettings, password: str) -> None:
        self.settings = settings
        self._password = password
        self._client: Any = None
        self._folder: str | None = None

    def __repr__(self) -> str:  # no password, ever
        return f"<SentFolder {self.settings.url} {self._folder or '?'}>"

    @property
    def name(self) -> str | None:
        """The folder's name once found, else ``None``."""
        return self._folder

    def file(self, raw: bytes, message_id: str, date: datetime | None) -> bool:
        """Put ``raw`` (a whole message, CRLF line ends) into Sent, unless a message with
        ``message_id`` (normalised, without angle brackets) is there already.

        ``date`` (aware) becomes the copy's INTERNALDATE; ``None`` lets the server pick.
        Returns ``True`` when it appended, ``False`` when the copy was already there.
        """
        client = self._connected()
        folder = self._sent_folder(client)
        try:
            client.select_folder(folder, readonly=True)
            found = client.search(["HEADER", "Message-ID", message_id])
            if found:
                log.info("%s already holds %s: not appended again", folder, message_id)
                return False
            client.append(folder, raw, flags=(SEEN,), msg_time=date)
        except IMAPClientAbortError as error:  # the connection broke; before NO/BAD
            raise self._failed(error) from None
        except IMAPClientError as error:
            raise FilingRefused(
                f"{self.settings.host} refused to file the message in {folder}: "
                f"{_one_line(str(error)) or type(error).__name__}"
            ) from None
        except (OSError, EOFError) as error:
            raise self._failed(error) from None
        log.info("filed %s in %s", message_id, folder)
        return True

    def _connected(self) -> Any:
        if self._client is None:
            self._client = connect(self.settings, self._password)
        return self._client

    def _sent_folder(self, client: Any) -> str:
        if self._folder is None:
            try:
                folders = client.list_folders()
            except (OSError, EOFError, IMAPClientError) as error:
                raise self._failed(error) from None
            folder = find_sent_folder(folders)
            if folder is None:
                raise NoSentFolder(
                    f"{self.settings.url} has no Sent folder (none marked \\Sent, none named "
                    "Sent): the message was sent but not filed"
                )
            self._folder = folder
        return self._folder

    def _failed(self, error: BaseException) -> ConnectionFailed:
        """Translate a lost connection; it is dropped, so the next call starts afresh."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError, IMAPClientError, EOFError):
                client.shutdown()
        reason = network_reason(error)
        if reason is None:
            reason = (
                error.strerror
                if isinstance(error, OSError) and error.strerror
                else (_one_line(str(error)) or type(error).__name__)
            )
        return ConnectionFailed(
            f"cannot talk to {self.settings.host}:{self.settings.port}: {reason}"
        )

    def close(self) -> None:
        """Log out; safe to call twice."""
        client, self._client = self._client, None
        if client is not None:
            logout(client)

    def __enter__(self) -> SentFolder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def file_in_sent(
    settings: ImapSettings, password: str, raw: bytes, message_id: str, date: datetime | None
) -> bool:
    """One message into Sent over a connection of its own; see :meth:`SentFolder.file`."""
    with SentFolder(settings, password) as folder:
        return folder.file(raw, message_id, date)
