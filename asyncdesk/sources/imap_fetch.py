"""Whole IMAP messages by UID: what opening a message and the background fetch read.

The sync (:mod:`asyncdesk.sources.imap`) fetches headers only. :class:`BodyFetcher`
fetches whole messages (``BODY.PEEK[]``) of given UIDs in a folder and hands back
:class:`FetchedBody` values, each read by :func:`~asyncdesk.sources.mail_body.parse_body`:
the thin glue again (STYLE.md habit 4), so nothing past here sees an imapclient tuple
or error. :meth:`BodyFetcher.fetch_raw` hands back one message's bytes unparsed
(:class:`FetchedRaw`), for reading its attachments
(:mod:`~asyncdesk.sources.mail_attachments`).

Never marks a message read: the folder is opened with EXAMINE (read-only) and every
fetch is ``BODY.PEEK[]``, so the server never sets ``\\Seen``.

Batches are bounded by bytes, not by count: the server's sizes (``RFC822.SIZE``) are
asked first, which also tells which UIDs are gone (expunged since the last sync), then
the bodies are fetched about :data:`BATCH_BYTES` at a time (a bigger message alone).
A message over ``max_bytes`` is fetched partially (``BODY.PEEK[]<0.max_bytes>``): its
text usually comes first, and what is cut is named in its problems.

Failures: one bad message never stops the rest. If the server refuses a batch (``NO``,
``BAD``, an unreadable response), each of its UIDs is fetched alone and the ones that
still fail are reported in :attr:`FetchBatch.failed`. Some servers hang up instead:
Dovecot answers a message it cannot read with ``* BYE`` and closes the connection. A
fetcher that opened its own connection (:meth:`BodyFetcher.open`) then reconnects, up
to :data:`MAX_RECONNECTS` times per :meth:`~BodyFetcher.fetch`, and goes on one message
at a time, so only the bad message is reported; one that borrowed a client cannot, and
raises. A folder that cannot be opened (deleted, renamed) reports its UIDs as missing.
A connection that cannot be had again raises
:class:`~asyncdesk.sources.base.ConnectionFailed`: nothing more can be fetched then.

Identity: a UID names a message only within one UIDVALIDITY of a folder; after a reset
the same UID may be another message. :meth:`FetchedBody.matches` compares what was
fetched with the stored message's remote id (built by the IMAP source from the
Message-ID, or from the content hash when there is none), so a caller never attaches a
body to the wrong message.

Threads: a :class:`BodyFetcher` uses one IMAPClient, which is not thread-safe; use each
fetcher from one worker thread at a time.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from imapclient.exceptions import IMAPClientAbortError, IMAPClientError  # type: ignore[import-untyped]

from asyncdesk.core.mail_identity import is_identity_of
from asyncdesk.sources.base import ConnectionFailed, SourceError
from asyncdesk.sources.imap import ImapSettings, connect, logout
from asyncdesk.sources.mail_body import ParsedBody, parse_body
from asyncdesk.sources.mail_headers import content_hash, parse_headers
from asyncdesk.sources.tls import network_reason

log = logging.getLogger(__name__)

#: Bytes of messages asked for in one FETCH (a bigger message is fetched alone).
BATCH_BYTES: Final = 4 * 1024 * 1024
#: UIDs in one FETCH at most, to keep command lines short.
BATCH_UIDS: Final = 200
#: UIDs whose sizes are asked for in one FETCH.
SIZE_UIDS: Final = 1000
#: Reconnections one call of :meth:`BodyFetcher.fetch` may make after the server hung up.
MAX_RECONNECTS: Final = 10

_WHOLE: Final = "BODY.PEEK[]"


@dataclass(frozen=True, slots=True)
class FetchedBody:
    """One fetched message: its UID, its size on the server in bytes, its identity
    (normalised Message-ID, else the content hash of its headers), its body, and the
    sender and subject that tell it from another message reusing its identity.

    ``partial`` is true when only the first ``max_bytes`` were fetched.
    """

    uid: int
    size: int
    identity: str
    body: ParsedBody
    partial: bool = False
    sender: str = ""
    subject: str = ""

    def matches(self, remote_id: str) -> bool:
        """Whether this is the message stored with ``remote_id`` (``"in:<identity>"`` or
        ``"sent:<identity>"``, as the IMAP source makes it)."""
        return is_identity_of(remote_id, self.identity, self.sender, self.subject, self.size)


@dataclass(frozen=True, slots=True)
class FetchBatch:
    """What one round trip brought: bodies, UIDs no longer in the folder (expunged, or
    the folder is gone), and UIDs the server would not return, each with why."""

    folder: str
    bodies: Sequence[FetchedBody] = ()
    missing: Sequence[int] = ()
    failed: Sequence[tuple[int, str]] = ()


@dataclass(frozen=True, slots=True)
class FetchedRaw:
    """One message's bytes as the server holds them (``BODY[]``), for reading its
    attachments: its UID, size on the server, identity (as :class:`FetchedBody`'s) and
    bytes. ``partial`` is true when only the first ``max_bytes`` were fetched."""

    uid: int
    size: int
    identity: str
    raw: bytes = field(repr=False)
    partial: bool = False
    sender: str = ""
    subject: str = ""

    def matches(self, remote_id: str) -> bool:
        """Whether this is the message stored with ``remote_id`` (see :class:`FetchedBody`)."""
        return is_identity_of(remote_id, self.identity, self.sender, self.subject, self.size)


class MessageRefused(SourceError):
    """The server would not return one message (``NO``, ``BAD``, or it hung up on it)."""


class BodyFetcher:
    """Fetches whole messages over one logged-in IMAP connection; see the module doc.

    Make one with :meth:`open` (connects, reconnects when the server hangs up, logs out
    on :meth:`close`) or :meth:`over` (borrows a client from
    :func:`~asyncdesk.sources.imap.connect`; closing the fetcher leaves it open).
    ``batch_bytes`` is the default bytes per FETCH. Not thread-safe.
    """

    def __init__(
        self,
        client: Any,
        *,
        where: str,
        settings: ImapSettings | None = None,
        password: str | None = None,
        batch_bytes: int = BATCH_BYTES,
    ) -> None:
        self._client = client
        self._where = where
        self._settings = settings  # set only for a fetcher that owns its connection
        self._password = password
        self._batch_bytes = batch_bytes
        self._selected: str | None = None
        self._reconnects = 0
        self._closed = False

    @classmethod
    def open(
        cls, settings: ImapSettings, password: str, *, batch_bytes: int = BATCH_BYTES
    ) -> BodyFetcher:
        """Connect and log in; raises what :func:`~asyncdesk.sources.imap.connect` raises."""
        client = connect(settings, password)
        return cls(
            client,
            where=_where(settings),
            settings=settings,
            password=password,
            batch_bytes=batch_bytes,
        )

    @classmethod
    def over(cls, client: Any, *, batch_bytes: int = BATCH_BYTES) -> BodyFetcher:
        """Use a client that is already logged in (it stays the caller's to close)."""
        host, port = getattr(client, "host", "?"), getattr(client, "port", "?")
        return cls(client, where=f"{host}:{port}", batch_bytes=batch_bytes)

    def __repr__(self) -> str:  # no password, ever
        return f"<BodyFetcher {self._where}>"

    def __enter__(self) -> BodyFetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out if this fetcher opened the connection; safe to call twice."""
        self._closed = True
        client, self._client = self._client, None
        if client is not None and self._settings is not None:
            logout(client)

    # -- fetching ------------------------------------------------------------------

    def fetch(
        self,
        folder: str,
        uids: Sequence[int],
        *,
        batch_bytes: int | None = None,
        max_bytes: int | None = None,
    ) -> Iterator[FetchBatch]:
        """Fetch the whole messages at ``uids`` of ``folder``, a batch at a time.

        Yields after each round trip, so the caller can store a batch and stop between
        batches. Messages come in the order of ``uids``. ``max_bytes`` (if given) fetches
        bigger messages partially. Raises :class:`ConnectionFailed` if no connection can
        be had; every other failure is reported in the batches.
        """
        if self._closed:
            raise ConnectionFailed(f"{self._where}: the connection was closed")
        wanted = list(dict.fromkeys(int(uid) for uid in uids))
        if not wanted:
            return
        self._reconnects = 0
        try:
            yield from self._fetch(folder, wanted, batch_bytes or self._batch_bytes, max_bytes)
        except _LOST as error:
            self._drop()
            raise _connection_failed(self._where, error) from None

    def fetch_raw(
        self, folder: str, uid: int, *, max_bytes: int | None = None
    ) -> FetchedRaw | None:
        """The bytes of one message (``BODY.PEEK[]``: never marks it read), unparsed.

        ``None`` if ``uid`` is not in ``folder`` (expunged, or the folder is gone). A
        message over ``max_bytes`` is fetched partially. Raises :class:`MessageRefused`
        if the server will not return it, :class:`ConnectionFailed` if no connection can
        be had (both one line; ``ConnectionFailed`` is not a ``MessageRefused``).
        """
        if self._closed:
            raise ConnectionFailed(f"{self._where}: the connection was closed")
        self._reconnects = 0
        refused: str | None = None
        try:
            try:
                self._ready(folder)
            except _LOST:
                raise
            except IMAPClientError as error:
                log.info("cannot open %s to fetch a message: %s", folder, _first_line(error))
                return None
            size = self._sizes(folder, [uid]).get(uid)
            if size is None:
                return None
            partial = max_bytes is not None and size > max_bytes
            item = f"{_WHOLE}<0.{max_bytes}>" if partial else _WHOLE
            try:
                answer = self._ready(folder).fetch([uid], [item])
            except (*_LOST, IMAPClientError) as error:
                if isinstance(error, _LOST):
                    self._drop()
                    if self._settings is None:  # a borrowed client cannot be reopened
                        raise
                refused = _first_line(error)
                answer = {}
        except _LOST as error:
            self._drop()
            raise _connection_failed(self._where, error) from None
        if refused is not None:
            log.info("UID %d of %s not fetched: %s", uid, folder, refused)
            raise MessageRefused(refused)
        data = answer.get(uid)
        if data is None:  # expunged between the size and the body
            return None
        raw = _body_bytes(data)
        if raw is None:
            raise MessageRefused("the server sent no body")
        parsed = parse_headers(raw)
        return FetchedRaw(
            uid=uid,
            size=size,
            identity=parsed.message_id or content_hash(parsed),
            raw=raw,
            partial=partial and size > len(raw),
            sender=parsed.sender.address,
            subject=parsed.subject,
        )

    def _fetch(
        self, folder: str, uids: list[int], batch_bytes: int, max_bytes: int | None
    ) -> Iterator[FetchBatch]:
        try:
            self._ready(folder)
        except _LOST:
            raise
        except IMAPClientError as error:
            log.info("cannot open %s to fetch bodies: %s", folder, _first_line(error))
            yield FetchBatch(folder, missing=uids)
            return
        sizes = self._sizes(folder, uids)
        missing = [uid for uid in uids if uid not in sizes]
        if missing:
            yield FetchBatch(folder, missing=missing)
        batch: list[int] = []
        batch_size = 0
        for uid in uids:
            if uid not in sizes:
                continue
            size = sizes[uid]
            if max_bytes is not None and size > max_bytes:
                yield self._fetch_batch(folder, [uid], sizes, max_bytes)
                continue
            if batch and (batch_size + size > batch_bytes or len(batch) >= BATCH_UIDS):
                yield self._fetch_batch(folder, batch, sizes, None)
                batch, batch_size = [], 0
            batch.append(uid)
            batch_size += size
        if batch:
            yield self._fetch_batch(folder, batch, sizes, None)

    def _ready(self, folder: str) -> Any:
        """The client with ``folder`` open read-only; reconnects after a hang-up (if this
        fetcher owns its connection, and not too often)."""
        if self._client is None:
            if self._settings is None or self._password is None:
                raise ConnectionFailed(f"cannot talk to {self._where}: the connection was lost")
            if self._reconnects >= MAX_RECONNECTS:
                raise ConnectionFailed(
                    f"cannot talk to {self._where}: the server hung up {MAX_RECONNECTS} times"
                )
            self._reconnects += 1
            self._client = connect(self._settings, self._password)
            self._selected = None
        if self._selected != folder:
            self._client.select_folder(folder, readonly=True)  # EXAMINE: nothing marked read
            self._selected = folder
        return self._client

    def _drop(self) -> None:
        client, self._client = self._client, None
        self._selected = None
        if client is not None and self._settings is not None:
            _shutdown(client)

    def _sizes(self, folder: str, uids: list[int]) -> dict[int, int]:
        """The size in bytes of each UID still in the folder (the rest are gone)."""
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), SIZE_UIDS):
            chunk = uids[start : start + SIZE_UIDS]
            try:
                answer = self._ready(folder).fetch(chunk, ["RFC822.SIZE"])
            except _LOST:
                raise
            except IMAPClientError as error:  # sizes we cannot learn: assume them small
                log.info("no sizes for %d messages: %s", len(chunk), _first_line(error))
                answer = {uid: {b"RFC822.SIZE": 0} for uid in chunk}
            for uid, data in answer.items():
                if uid in chunk:
                    size = data.get(b"RFC822.SIZE")
                    sizes[uid] = size if isinstance(size, int) and size >= 0 else 0
        return sizes

    def _fetch_batch(
        self, folder: str, uids: list[int], sizes: dict[int, int], max_bytes: int | None
    ) -> FetchBatch:
        item = _WHOLE if max_bytes is None else f"{_WHOLE}<0.{max_bytes}>"
        try:
            answer = self._ready(folder).fetch(uids, [item])
        except (*_LOST, IMAPClientError) as error:
            if isinstance(error, _LOST):
                self._drop()
                if self._settings is None:  # a borrowed client cannot be reopened
                    raise
            if len(uids) == 1:
                log.info("UID %d of %s not fetched: %s", uids[0], folder, _first_line(error))
                return FetchBatch(folder, failed=[(uids[0], _first_line(error))])
            log.info("a batch of %d bodies failed (%s): one by one", len(uids), _first_line(error))
            parts = [self._fetch_batch(folder, [uid], sizes, max_bytes) for uid in uids]
            return FetchBatch(
                folder,
                bodies=[body for part in parts for body in part.bodies],
                missing=[uid for part in parts for uid in part.missing],
                failed=[failure for part in parts for failure in part.failed],
            )
        bodies: list[FetchedBody] = []
        missing: list[int] = []
        failed: list[tuple[int, str]] = []
        for uid in uids:
            data = answer.get(uid)
            if data is None:  # expunged between the size and the body
                missing.append(uid)
                continue
            raw = _body_bytes(data)
            if raw is None:
                failed.append((uid, "the server sent no body"))
                continue
            try:
                partial = max_bytes is not None
                bodies.append(_read(uid, raw, sizes.get(uid, len(raw)), partial=partial))
            except Exception as error:  # one bad message never stops the rest
                log.warning("could not read the body of UID %d: %s", uid, type(error).__name__)
                failed.append((uid, f"unreadable: {type(error).__name__}"))
        return FetchBatch(folder, bodies=bodies, missing=missing, failed=failed)


# What a lost connection raises: the server hung up (imaplib's abort), or the socket failed.
_LOST: Final = (IMAPClientAbortError, OSError, EOFError)


def _shutdown(client: Any) -> None:
    with contextlib.suppress(OSError, IMAPClientError, EOFError):
        client.shutdown()


def _connection_failed(where: str, error: BaseException) -> ConnectionFailed:
    reason = network_reason(error)
    if reason is None:
        strerror = error.strerror if isinstance(error, OSError) else None
        reason = strerror or _first_line(error)
    return ConnectionFailed(f"cannot talk to {where}: {reason}")


def _where(settings: ImapSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _body_bytes(data: dict[bytes, Any]) -> bytes | None:
    """The ``BODY[]`` (or partial ``BODY[]<0>``) item of one FETCH response."""
    for key, value in data.items():
        if isinstance(key, bytes) and key.startswith(b"BODY[]"):
            if isinstance(value, bytes):
                return value
            if isinstance(value, str):
                return value.encode("latin-1", "replace")
            return None
    return None


def _read(uid: int, raw: bytes, size: int, *, partial: bool) -> FetchedBody:
    parsed = parse_headers(raw)
    body = parse_body(raw)
    if partial and size > len(raw):
        body = ParsedBody(
            text=f"{body.text}\n\n[… only the first {len(raw) // 1024} KB of this "
            f"{size // 1024} KB message were fetched]".lstrip("\n"),
            html=body.html,
            attachments=body.attachments,
            problems=(*body.problems, f"only the first {len(raw)} of {size} bytes fetched"),
        )
    return FetchedBody(
        uid=uid,
        size=size,
        identity=parsed.message_id or content_hash(parsed),
        body=body,
        partial=partial and size > len(raw),
        sender=parsed.sender.address,
        subject=parsed.subject,
    )
