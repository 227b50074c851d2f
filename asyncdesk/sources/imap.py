"""IMAP mail as :class:`~asyncdesk.core.messages.Message` values: the thin glue (himalaya).

Everything imapclient returns or raises stops here (STYLE.md habit 4): callers see
``Message``, :class:`~asyncdesk.sources.base.SyncBatch` and the :class:`SourceError`
subclasses below, each with a one-line message that never holds the password.

Trust: implicit TLS and STARTTLS verify the certificate chain and host name with the
system trust store by default. An account may instead pin one certificate by the
SHA-256 of its DER form (``trusted_cert_sha256``): then the chain is not checked, and
the fingerprint is compared right after the handshake, refusing any other certificate.
``security = "plain"`` is the only way to talk without TLS.

Identity: ``remote_id`` is ``"in:"`` or ``"sent:"`` followed by the normalised
Message-ID, or by :func:`~asyncdesk.sources.mail_headers.content_hash` when there is
none. It does not depend on UIDs, so after a UIDVALIDITY change a full refetch
re-matches the stored messages instead of duplicating them. A different message that
reuses an identity is stored under a variant of it (the sync's commit decides, see
:mod:`asyncdesk.core.mail_identity`).

Cursor (opaque to everyone else): JSON ``{"uidvalidity": int, "uidnext": int,
"highestmodseq": int | null}``.

Threads: an :class:`ImapSource` owns one IMAPClient, which is not thread-safe; use each
source from one worker thread at a time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

from imapclient import IMAPClient, SocketTimeout  # type: ignore[import-untyped]
from imapclient.exceptions import IMAPClientError, LoginError  # type: ignore[import-untyped]

from asyncdesk.core.accounts import Account
from asyncdesk.core.messages import Direction, Medium, Message
from asyncdesk.sources.base import (
    AuthFailed,
    CertificateRejected,
    ConnectionFailed,
    Flags,
    SourceError,
    SyncBatch,
)
from asyncdesk.sources.imap_wire import FetchedHeader, fetch_headers
from asyncdesk.sources.mail_headers import (
    HEADER_FIELDS,
    ParsedHeaders,
    content_hash,
    conversation_key,
    normalize_mail_address,
    parse_headers,
)
from asyncdesk.sources.tls import (
    SECURITIES,
    Security,
    check_pin,
    client_context,
    network_reason,
    normalize_fingerprint,
    peer_fingerprint,
    unverified_context,
)

log = logging.getLogger(__name__)


#: Seconds of the first IDLE of each wait (see ImapSource.wait_for_change).
FIRST_IDLE_SECONDS: Final = 2.0
#: UIDs fetched per round trip, and per :class:`SyncBatch`.
BATCH_SIZE: Final = 2000
#: Names tried for the Sent folder when no folder carries the ``\Sent`` special use.
SENT_NAMES: Final = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "[Gmail]/Sent Mail")
INBOX: Final = "INBOX"

_HEADER_ITEM: Final = "BODY.PEEK[HEADER.FIELDS ({})]".format(" ".join(HEADER_FIELDS).upper())
_FETCH_ITEMS: Final = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", _HEADER_ITEM]


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Where and how to reach an IMAP server; ``timeout`` is in seconds (connect and read).

    ``trusted_cert_sha256`` is lowercase or uppercase hex, colons allowed.
    """

    host: str
    port: int
    security: Security
    user: str
    trusted_cert_sha256: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_account(cls, account: Account) -> ImapSettings:
        config = account.config
        security = str(config.get("security", "tls")).lower()
        if security not in SECURITIES:
            raise SourceError(
                f"account {account.name}: security must be tls, starttls or plain, not {security!r}"
            )
        try:
            host = str(config["host"])
            user = str(config["user"])
        except KeyError as missing:
            raise SourceError(f"account {account.name}: no {missing.args[0]} configured") from None
        default_port = 993 if security == "tls" else 143
        fingerprint = config.get("trusted_cert_sha256")
        return cls(
            host=host,
            port=int(config.get("port", default_port)),
            security=cast(Security, security),
            user=user,
            trusted_cert_sha256=normalize_fingerprint(fingerprint) if fingerprint else None,
            timeout=float(config.get("timeout", 30.0)),
        )

    @property
    def url(self) -> str:
        return f"imap://{self.user}@{self.host}:{self.port}"


# ------------------------------------------------------------------------- connecting


def _open(settings: ImapSettings, context: ssl.SSLContext) -> Any:
    """Connect and secure the channel as ``settings.security`` says; no login yet."""
    timeout = SocketTimeout(connect=settings.timeout, read=settings.timeout)
    client = IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.security == "tls",
        ssl_context=context,
        timeout=timeout,
    )
    try:
        if settings.security == "starttls":
            client.starttls(context)
    except BaseException:
        _quiet_shutdown(client)
        raise
    return client


def _fetch_fingerprint(settings: ImapSettings) -> str:
    """The SHA-256 of the server's certificate, read over an unverified connection."""
    try:
        client = _open(settings, unverified_context())
    except (OSError, IMAPClientError):
        return ""
    try:
        return peer_fingerprint(client.socket())
    finally:
        _quiet_shutdown(client)


def _quiet_shutdown(client: Any) -> None:
    with contextlib.suppress(OSError, IMAPClientError, EOFError):
        client.shutdown()


def logout(client: Any) -> None:
    """Log out politely; a connection that is already broken is just closed."""
    try:
        client.logout()
    except (OSError, IMAPClientError, EOFError):
        _quiet_shutdown(client)


def _reason(error: BaseException) -> str:
    reason = network_reason(error)
    if reason is not None:
        return reason
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _connection_failed(settings: ImapSettings, error: BaseException) -> ConnectionFailed:
    return ConnectionFailed(f"cannot talk to {settings.host}:{settings.port}: {_reason(error)}")


def connect(settings: ImapSettings, password: str) -> Any:
    """Connect, secure and log in; returns a logged-in ``IMAPClient``.

    Raises :class:`CertificateRejected`, :class:`AuthFailed` or
    :class:`ConnectionFailed`; never anything from imapclient or ``ssl``.
    """
    try:
        client = _open(settings, client_context(settings.trusted_cert_sha256))
    except ssl.SSLCertVerificationError:
        fingerprint = _fetch_fingerprint(settings) or "unknown"
        raise CertificateRejected(
            f"the server's certificate is not trusted (self-signed?): {settings.host}:"
            f"{settings.port} presented a certificate the system does not trust; its "
            f"SHA-256 fingerprint is {fingerprint}; if you know it is the server's, trust it "
            f"explicitly (asyncdesk account add imap ... --trust-cert {fingerprint})"
        ) from None
    except (OSError, IMAPClientError, EOFError) as error:
        raise _connection_failed(settings, error) from None
    try:
        check_pin(client.socket(), settings.trusted_cert_sha256, f"{settings.host}:{settings.port}")
        client.normalise_times = False
        try:
            if client.has_capability("AUTH=PLAIN"):
                client.plain_login(settings.user, password)
            elif not password.isascii():
                raise AuthFailed(
                    f"{settings.url} offers no AUTH=PLAIN, which a password with "
                    "non-ASCII characters needs"
                )
            else:
                client.login(settings.user, password)
        except LoginError:
            raise AuthFailed(f"wrong user name or password for {settings.url}") from None
        except (OSError, IMAPClientError, EOFError) as error:
            raise _connection_failed(settings, error) from None
    except BaseException:
        _quiet_shutdown(client)
        raise
    return client


# --------------------------------------------------------------------------- folders


def find_sent_folder(folders: Sequence[tuple[Sequence[bytes], Any, str]]) -> str | None:
    """The Sent folder: the one flagged ``\\Sent`` (RFC 6154), else a common name."""
    names = []
    for flags, _delimiter, name in folders:
        if any(flag.lower() == b"\\sent" for flag in flags):
            return name
        names.append(name)
    lowered = {name.lower(): name for name in names}
    for candidate in SENT_NAMES:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


# ------------------------------------------------------------------------------ cursor


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where a folder stopped: UIDVALIDITY, the next UID, the CONDSTORE mod-sequence
    (``None`` on servers without it) and how many messages the folder held, which
    reveals expunges without listing every UID on each sync."""

    uidvalidity: int
    uidnext: int
    highestmodseq: int | None = None
    exists: int | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                "uidvalidity": self.uidvalidity,
                "uidnext": self.uidnext,
                "highestmodseq": self.highestmodseq,
                "exists": self.exists,
            }
        )

    @classmethod
    def load(cls, text: str | None) -> _Cursor | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            modseq, exists = data.get("highestmodseq"), data.get("exists")
            return cls(
                int(data["uidvalidity"]),
                int(data["uidnext"]),
                None if modseq is None else int(modseq),
                None if exists is None else int(exists),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("unreadable IMAP cursor: syncing the folder from the start")
            return None


def _flags(uid: int, raw: Sequence[Any]) -> Flags:
    flags = {flag.lower() for flag in raw if isinstance(flag, bytes)}
    return Flags(uid, seen=b"\\seen" in flags, flagged=b"\\flagged" in flags)


def _is_change(response: Any) -> bool:
    """An untagged ``* n EXISTS`` / ``EXPUNGE`` / ``FETCH`` / ``VANISHED`` during IDLE."""
    if not isinstance(response, tuple) or len(response) < 2:
        return False
    if response[0] == b"VANISHED":
        return True
    return isinstance(response[0], int) and response[1] in (b"EXISTS", b"EXPUNGE", b"FETCH")


def _folder_state(status: dict[bytes, Any], condstore: bool) -> tuple[int | None, ...]:
    """What tells that a folder changed: UIDNEXT, EXISTS and (with CONDSTORE) its
    mod-sequence."""
    modseq = _status_int(status, b"HIGHESTMODSEQ") if condstore else None
    return (_status_int(status, b"UIDNEXT"), _status_int(status, b"EXISTS"), modseq)


def _status_int(status: dict[bytes, Any], key: bytes) -> int | None:
    value = status.get(key)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------ source


class ImapSource:
    """One IMAP account as a :class:`~asyncdesk.sources.base.Source`; see the module doc.

    Connects lazily on first use; ``close()`` logs out. Not thread-safe.
    """

    def __init__(
        self,
        account: Account,
        password: str,
        *,
        settings: ImapSettings | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.account = account
        self.settings = settings or ImapSettings.from_account(account)
        self._password = password
        self._batch_size = batch_size
        self._client: Any = None
        # Set by interrupt(), for good: a wait that starts after it returns at once.
        self._interrupted = False
        self._sent: str | None = None
        self._streams: list[str] | None = None
        self._condstore = False
        # Per folder, what SELECT said at the last sync (see wait_for_change).
        self._seen: dict[str, tuple[int | None, ...]] = {}
        self._identities = frozenset(
            normalize_mail_address(identity) for identity in account.identities
        )

    def __repr__(self) -> str:  # no password, ever
        return f"<ImapSource {self.account.name} {self.settings.url}>"

    def _connected(self) -> Any:
        if self._client is None:
            client = connect(self.settings, self._password)
            try:
                # CONDSTORE (RFC 7162): mod-sequences in SELECT, CHANGEDSINCE in FETCH.
                self._condstore = bool(client.has_capability("CONDSTORE"))
                if self._condstore and client.has_capability("ENABLE"):
                    client.enable("CONDSTORE")
            except (OSError, IMAPClientError, EOFError) as error:
                _quiet_shutdown(client)
                raise _connection_failed(self.settings, error) from None
            self._client = client
        return self._client

    def _failed(self, error: BaseException) -> SourceError:
        """Translate a failure after login; the connection is dropped for a fresh retry."""
        client, self._client = self._client, None
        if client is not None:
            _quiet_shutdown(client)
        return _connection_failed(self.settings, error)

    def streams(self) -> Sequence[str]:
        if self._streams is None:
            client = self._connected()
            try:
                folders = client.list_folders()
            except (OSError, IMAPClientError, EOFError) as error:
                raise self._failed(error) from None
            self._sent = find_sent_folder(folders)
            streams = [INBOX] if self._sent is None else [INBOX, self._sent]
            names = {name for _flags, _delimiter, name in folders}
            for extra in self.account.config.get("folders", ()):
                if extra in streams:
                    continue
                if extra in names:
                    streams.append(extra)
                else:
                    log.warning("folder %r of %s is not on the server", extra, self.account.name)
            self._streams = streams
        return list(self._streams)

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        if self._streams is None:
            self.streams()
        try:
            yield from self._sync(stream, _Cursor.load(cursor), cursor)
        except (OSError, IMAPClientError, EOFError) as error:
            raise self._failed(error) from None

    def _sync(
        self, folder: str, previous: _Cursor | None, raw_cursor: str | None
    ) -> Iterator[SyncBatch]:
        """New messages in batches (each with its flags), then, for a folder seen
        before, flag changes (CHANGEDSINCE when the server has CONDSTORE, else every
        flag) and expunges (found by the message count, then confirmed by the UID list),
        all with the cursor that follows them."""
        client = self._connected()
        status = client.select_folder(folder, readonly=True)
        uidvalidity = _status_int(status, b"UIDVALIDITY") or 0
        server_uidnext = _status_int(status, b"UIDNEXT") or 1
        modseq = _status_int(status, b"HIGHESTMODSEQ") if self._condstore else None
        exists = _status_int(status, b"EXISTS")
        self._seen[folder] = _folder_state(status, self._condstore)
        known = previous if previous is not None and previous.uidvalidity == uidvalidity else None
        reset = previous is not None and known is None
        if reset and previous is not None:
            log.info(
                "UIDVALIDITY of %s changed (%d -> %d): refetching it",
                folder,
                previous.uidvalidity,
                uidvalidity,
            )
        start = known.uidnext if known is not None else 1
        # "n:*" always matches the highest UID, even below n: filter.
        uids = sorted(uid for uid in client.search(["UID", f"{start}:*"]) if uid >= start)
        uidnext = max(start, server_uidnext, uids[-1] + 1 if uids else 1)
        kind = "sent" if folder == self._sent else "in"

        changed: list[Flags] = []
        present: list[int] | None = None
        count = len(uids)
        if known is not None:
            changed = self._changed_flags(client, known, modseq, start)
            expected = None if known.exists is None else known.exists + len(uids)
            if expected is None or exists != expected:
                present = sorted(client.search(["ALL"]))
                count = sum(1 for uid in present if uid < uidnext)
            else:
                count = expected
        final = _Cursor(uidvalidity, uidnext, modseq, count).dump()
        tail = bool(changed) or present is not None

        done = 0
        for offset in range(0, len(uids), self._batch_size):
            chunk = uids[offset : offset + self._batch_size]
            messages: list[Message] = []
            positions: list[int] = []
            flags: list[Flags] = []
            # Expunged meanwhile: simply not in the answer.
            for fetched in fetch_headers(client, chunk, _FETCH_ITEMS):
                flags.append(_flags(fetched.uid, fetched.flags))
                message = self._message(fetched, kind)
                if message is not None:
                    messages.append(message)
                    positions.append(fetched.uid)
            done += len(chunk)
            last = offset + self._batch_size >= len(uids)
            if last and not tail:
                cursor = final
            else:
                # Resuming here after a crash: changes up to the old mod-sequence are in;
                # the unknown count makes the next sync list UIDs to find expunges.
                old_modseq = known.highestmodseq if known is not None else None
                cursor = _Cursor(uidvalidity, chunk[-1] + 1, old_modseq, None).dump()
            yield SyncBatch(
                stream=folder,
                messages=messages,
                cursor=cursor,
                done=done,
                total=len(uids),
                positions=positions,
                flags=flags,
                reset=reset,
            )
            reset = False
        if tail or reset or (not uids and final != raw_cursor):
            yield SyncBatch(
                stream=folder,
                messages=[],
                cursor=final,
                done=done,
                total=len(uids),
                flags=changed,
                present=present,
                reset=reset,
            )

    def _changed_flags(
        self, client: Any, previous: _Cursor, modseq: int | None, start: int
    ) -> list[Flags]:
        """Flags of messages below ``start`` that changed since the last sync: SEARCH
        MODSEQ when the server has CONDSTORE, else every flag (the store skips equal
        ones). Explicit UID lists, since imapclient's fetch drops range results."""
        if start <= 1:
            return []
        if modseq is not None and previous.highestmodseq is not None:
            if modseq <= previous.highestmodseq:
                return []
            wanted = client.search(["MODSEQ", str(previous.highestmodseq + 1)])
        else:
            wanted = client.search(["ALL"])
        uids = sorted(uid for uid in wanted if uid < start)
        changed: list[Flags] = []
        for offset in range(0, len(uids), self._batch_size):
            chunk = uids[offset : offset + self._batch_size]
            fetched = client.fetch(chunk, ["UID", "FLAGS"])
            changed.extend(
                _flags(uid, fetched[uid].get(b"FLAGS", ())) for uid in chunk if uid in fetched
            )
        return changed

    def _message(self, fetched: FetchedHeader, kind: str) -> Message | None:
        """One fetched message as a :class:`Message`; ``None`` (logged) if it cannot be."""
        try:
            parsed = parse_headers(fetched.header)
            return self._build(parsed, fetched.internaldate, kind, fetched.size)
        except Exception as error:  # one bad message must never stop a sync
            log.warning("skipped IMAP message UID %d: %s", fetched.uid, type(error).__name__)
            return None

    def _build(
        self, parsed: ParsedHeaders, internaldate: datetime | None, kind: str, size: int | None
    ) -> Message:
        digest = content_hash(parsed)
        identity = parsed.message_id or digest
        outbound = kind == "sent" or parsed.sender.address in self._identities
        return Message(
            remote_id=f"{kind}:{identity}",
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            medium=Medium.EMAIL,
            conversation=conversation_key(parsed, fallback=digest),
            sender=parsed.sender,
            subject=parsed.subject,
            received_at=_received_at(internaldate, parsed),
            to=parsed.to,
            cc=parsed.cc,
            message_id=parsed.message_id,
            in_reply_to=parsed.in_reply_to,
            references=parsed.references,
            headers=_headers(parsed),
            size=size,
        )

    def wait_for_change(
        self,
        seconds: float,
        should_stop: Callable[[], bool] = lambda: False,
        *,
        folder: str = INBOX,
        tick: float = 0.5,
    ) -> bool:
        """Block until the server reports a change in ``folder`` (new mail, an expunge,
        a flag change), ``seconds`` pass, or ``should_stop()`` says so (polled every
        ``tick``). True when something changed.

        Uses IDLE (RFC 2177); callers re-issue it well inside the 29 minutes after which
        servers may drop an idle client. A server without IDLE is polled: this simply
        waits and returns False, and the caller syncs anyway.
        """
        client = self._connected()
        deadline = time.monotonic() + seconds
        stopping = self._stopping(should_stop)
        try:
            if not client.has_capability("IDLE"):
                while not stopping() and time.monotonic() < deadline:
                    time.sleep(min(tick, max(0.0, deadline - time.monotonic())))
                return False
            status = client.select_folder(folder, readonly=True)
            # Mail that came after the last sync looked, and before IDLE began, is told
            # by no IDLE response: compare what SELECT says with what that sync saw.
            if (
                folder in self._seen
                and _folder_state(status, self._condstore) != self._seen[folder]
            ):
                return True
            changed = False
            # The first IDLE is short: mail delivered between that SELECT and the
            # server's watch starting may be told by no IDLE response (Dovecot then
            # notices it only at its next check, 30 s later); ending IDLE makes the
            # server look, and DONE's responses tell.
            first = min(deadline, time.monotonic() + FIRST_IDLE_SECONDS)
            while not changed and not stopping() and time.monotonic() < deadline:
                changed, goodbye = self._idle_once(client, first, stopping, tick)
                first = deadline
                if goodbye is not None:
                    raise self._failed(EOFError(f"the server said goodbye ({goodbye})"))
            return changed
        except (OSError, IMAPClientError, EOFError) as error:
            raise self._failed(error) from None

    @staticmethod
    def _idle_once(
        client: Any, deadline: float, should_stop: Callable[[], bool], tick: float
    ) -> tuple[bool, str | None]:
        """One IDLE command: ``(changed, goodbye)``; ``goodbye`` is the server's BYE text.

        A wake-up with nothing to read ends the command early: the DONE that follows
        either works (noise; IDLE is issued again) or fails on a dead connection.
        """
        client.idle()
        goodbye: str | None = None
        changed = False
        try:
            while not should_stop():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                wait = min(tick, left)
                started = time.monotonic()
                responses = client.idle_check(timeout=wait)
                for response in responses:
                    if isinstance(response, tuple) and response and response[0] == b"BYE":
                        text = response[1] if len(response) > 1 else b""
                        goodbye = text.decode("utf-8", "replace") if isinstance(text, bytes) else ""
                if goodbye is not None:
                    break
                if any(_is_change(response) for response in responses):
                    changed = True
                    break
                if not responses and time.monotonic() - started < wait / 2:
                    break
        finally:
            if goodbye is None:
                _text, responses = client.idle_done()
                changed = changed or any(_is_change(response) for response in responses)
        return changed, goodbye

    def _stopping(self, should_stop: Callable[[], bool]) -> Callable[[], bool]:
        return lambda: self._interrupted or should_stop()

    def interrupt(self) -> None:
        """End a :meth:`wait_for_change` blocked in IDLE now, from another thread (the
        stop of a running sync): the connection's socket is shut down, so the wait
        returns at once instead of having to look at ``should_stop`` every tick; and a
        wait that had not begun yet (no connection at that moment) will not begin. The
        source is closed afterwards; it is not used again."""
        self._interrupted = True  # first: a wait that connects after this sees it
        client = self._client
        if client is None:
            return
        with contextlib.suppress(OSError, AttributeError):
            # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would drop
            # its SSL object under the reading thread's feet.
            socket.socket.shutdown(client.socket(), socket.SHUT_RDWR)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            logout(client)


def _headers(parsed: ParsedHeaders) -> dict[str, str]:
    """What the classifier reads, Reply-To for answering without the server, and the raw
    block when it could not be read cleanly (kept, never dropped; as Latin-1 text, so
    ``.encode("latin-1")`` gives back the exact bytes)."""
    headers = dict(parsed.classify_headers)
    if parsed.reply_to:
        headers["reply-to"] = ", ".join(parsed.reply_to)
    if parsed.problems:
        headers["x-raw-header"] = parsed.raw[:16384].decode("latin-1")
    return headers


def _received_at(internaldate: datetime | None, parsed: ParsedHeaders) -> datetime:
    """INTERNALDATE (already UTC); the Date header if the server sent none."""
    if internaldate is not None:
        return internaldate
    if parsed.date is not None:
        return parsed.date
    return datetime.now(UTC)
