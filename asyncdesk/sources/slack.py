"""Slack as :class:`~asyncdesk.core.messages.Message` values, over the official slack-sdk.

The thin glue (himalaya): everything slack-sdk returns or raises stops here (STYLE.md
habit 4). Callers see ``Message``, :class:`~asyncdesk.sources.base.SyncBatch` and the
:class:`~asyncdesk.sources.base.SourceError` subclasses, each with a one-line message
that never holds the token. The token is the user's own (``xoxp-``), handed in by the
caller from the keyring; it is sent only in the ``Authorization`` header.

Streams: one per conversation the user is in (``users.conversations``: public and
private channels, group DMs, DMs), named ``"slack:<channel id>"``.

Identity: ``remote_id`` is ``"<channel id>:<ts>"``; Slack's ``ts`` is unique within a
channel and never changes. ``ts`` values stay the exact strings Slack sent
(``"1700000000.123456"``): they are compared as :class:`~decimal.Decimal` and turned
into instants by integer arithmetic, never through a float.

Cursor (opaque to everyone else), JSON::

    {"oldest": "<ts>" | null,
     "threads": {"<root ts>": ["<seen ts>", "<latest reply ts>"], ...},
     "changes": {"<ts>": "<edited ts>" | "deleted", ...}}

``oldest`` is the newest top-level ``ts`` delivered (every top-level message up to it
is in); ``threads`` says, per thread root, up to which reply ``ts`` the replies are in
(``seen``) and the newest reply Slack has announced (``latest``); ``changes`` (left out
when empty) is what the last re-read found edited or deleted (see below), so each
change is reported once. Batches come oldest first and each one's cursor covers
exactly what it and the earlier ones hold, so resuming from any of them loses and
repeats nothing.

Threads: ``conversations.history`` lists only top-level messages (and replies "also sent
to the channel"); replies come from ``conversations.replies``. A reply can land on any
earlier message, including one delivered long ago with no replies, and the user's own
reply in a thread is what clears a reply-by deadline. So every sync reads the history
again back to ``thread_watch_days`` ago (one or two pages for most channels): the
roots there say, in ``latest_reply``, whether their thread moved since ``seen``, and only
those threads are fetched. Threads whose root is older than that window are polled
directly while their last reply is inside it; a thread that went quiet for longer and
starts again under an old root is not noticed (raise ``thread_watch_days`` to look
further back). A first sync reaches back ``history_days`` (default 30), not to the
channel's creation: each thread costs one request, and Slack answers about 50 a minute.

Edits and deletions: Slack's history shows a message as it is now. An edited one
carries ``edited: {"user": ..., "ts": <when>}`` and its current text; a deleted one
that had thread replies stays as a ``subtype: "tombstone"`` ("This message was
deleted."). The history re-read above (the last ``thread_watch_days``) therefore sees
edits and such deletions of messages already delivered, at no extra request: they come
as :class:`~asyncdesk.sources.base.Edit` values (the current text, the sender's id as
the condition) and ``redactions``, in the first batch of the sync, and the cursor's
``changes`` keeps them from being reported again. A ``message_changed`` event, which
the history holds only in some cases, is read the same way through the message it
carries. What this cannot see:

- edits and deletions of messages older than the watch window (raise
  ``thread_watch_days`` to look further back, at the cost of longer re-reads);
- edits and deletions of thread replies (unless also sent to the channel): a thread
  is read only from its last delivered reply on, and only when it has new replies;
- deletions of messages without thread replies: Slack removes them from the history
  without a trace, and telling a vanished message from one outside the page read would
  mean keeping every delivered ``ts``. Such a message stays in the store as it was.

Bots: a bot's message (``subtype: "bot_message"``, a ``bot_profile``, or a ``bot_id``
without a user) carries the ``x-chat-bot`` header
(:data:`~asyncdesk.core.classify.CHAT_BOT_HEADER`) naming the bot; ``is_direct`` and
``mentions_me`` still say what is true, and the classifier is the one that says a bot
needs no reply (a bot cannot read an answer).

Rate limits: slack-sdk's own retry handlers are installed: one for connection errors,
and one that waits out ``HTTP 429`` for the ``Retry-After`` seconds Slack asks for, as
long as that is at most ``max_retry_wait``; a longer wait raises :class:`RateLimited`
at once rather than blocking a worker for minutes.

Published availability: :meth:`SlackSource.set_status` (``users.profile.set``: the
status text, emoji and expiration), :meth:`SlackSource.snooze` and
:meth:`SlackSource.end_snooze` (``dnd.setSnooze``, ``dnd.endSnooze``). They need the
``users.profile:write`` and ``dnd:write`` scopes; a token without one gets a
:class:`SlackError` naming the scope to add.

Threads of execution: a :class:`SlackSource` caches names and conversations; use each
from one worker thread at a time. The published-availability calls touch no cache (each
is one HTTP exchange), so the presence thread may make them beside a sync.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import ssl
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.client import HTTPException
from typing import Any, Final, Literal
from urllib.error import URLError
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryState,
)

from asyncdesk.core.accounts import Account
from asyncdesk.core.classify import CHAT_BOT_HEADER
from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, normalize_address
from asyncdesk.sources.base import (
    AuthFailed,
    CertificateRejected,
    ConnectionFailed,
    Edit,
    SourceError,
    SyncBatch,
)
from asyncdesk.sources.tls import network_reason

log = logging.getLogger(__name__)

#: Slack's own endpoint; ``account.config["api_url"]`` may name a Slack-compatible one.
SLACK_API_URL: Final = "https://slack.com/api/"
STREAM_PREFIX: Final = "slack:"
#: What ``users.conversations`` lists: every kind of conversation a user can be in.
CONVERSATION_TYPES: Final = "public_channel,private_channel,mpim,im"
#: Items asked for per request (Slack recommends at most 200).
PAGE_SIZE: Final = 200
#: Messages per :class:`SyncBatch`.
BATCH_SIZE: Final = 500
#: How far back a first sync reaches, in days.
HISTORY_DAYS: Final = 30.0
#: How far back each sync looks for threads that moved, in days (see the module doc).
THREAD_WATCH_DAYS: Final = 7.0
#: Retries of a rate-limited request, and the longest ``Retry-After`` waited out (s).
RATE_LIMIT_RETRIES: Final = 3
MAX_RETRY_WAIT: Final = 60.0
#: Retries of a request whose connection failed (slack-sdk backs off ~0.5 s, doubling).
CONNECTION_RETRIES: Final = 1

#: Slack error codes that mean the token is no good: the user must give a new one.
AUTH_ERRORS: Final = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
#: Message subtypes that are someone's words; the rest (``channel_join``,
#: ``channel_topic``, ``pinned_item``, ...) are the room talking about itself.
CONTENT_SUBTYPES: Final = frozenset(
    {"", "bot_message", "thread_broadcast", "file_share", "me_message"}
)
#: The scope each published-availability method needs (Slack's ``missing_scope``).
PRESENCE_SCOPES: Final = {
    "users.profile.set": "users.profile:write",
    "dnd.setSnooze": "dnd:write",
    "dnd.endSnooze": "dnd:write",
}
#: What the cursor's ``changes`` says of a message shown as a tombstone.
DELETED: Final = "deleted"

_TS = re.compile(r"^[0-9]{1,12}(?:\.[0-9]{1,9})?$")
_ERROR_CODE = re.compile(r"^[a-z0-9_.]{1,64}$")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_ENTITY = re.compile(r"<([^<>]*)>")
_BROADCASTS: Final = frozenset({"here", "channel", "everyone"})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

ChannelKind = Literal["public", "private", "mpim", "im"]


class SlackError(SourceError):
    """Slack answered ``method`` with the error ``code`` (``channel_not_found``, ...)."""

    def __init__(self, message: str, *, method: str, code: str) -> None:
        super().__init__(message)
        self.method = method
        self.code = code


class RateLimited(SlackError):
    """Slack kept answering ``ratelimited``, or asked for a longer wait than allowed.

    ``retry_after`` is the wait Slack asked for, in seconds, when it said.
    """

    def __init__(self, message: str, *, method: str, retry_after: int | None) -> None:
        super().__init__(message, method=method, code="ratelimited")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class SlackIdentity:
    """Who the token belongs to (``auth.test``): ``user_id`` is the account's identity."""

    user_id: str
    user: str
    team_id: str
    team: str
    url: str


# ------------------------------------------------------------------------ small helpers


def stream_name(channel_id: str) -> str:
    """``"C0123"`` → ``"slack:C0123"``."""
    return f"{STREAM_PREFIX}{channel_id}"


def channel_of(stream: str) -> str:
    """``"slack:C0123"`` → ``"C0123"``; :class:`SourceError` for anything else."""
    if not stream.startswith(STREAM_PREFIX) or len(stream) == len(STREAM_PREFIX):
        raise SourceError(f"not a Slack stream: {stream!r}")
    return stream[len(STREAM_PREFIX) :]


def ts_to_datetime(ts: str) -> datetime:
    """A Slack ``ts`` (``"1700000000.123456"``) as a UTC instant, to the microsecond.

    Integer arithmetic only: a float would round some microseconds away.
    """
    if not _TS.match(ts):
        raise ValueError(f"not a Slack timestamp: {ts!r}")
    seconds, _, fraction = ts.partition(".")
    micros = int((fraction + "000000")[:6])
    return _EPOCH + timedelta(seconds=int(seconds), microseconds=micros)


def datetime_to_ts(instant: datetime) -> str:
    """A UTC instant as a Slack ``ts`` (whole seconds, rounded down)."""
    return f"{(instant - _EPOCH) // timedelta(seconds=1)}.000000"


def _key(ts: str) -> Decimal:
    return Decimal(ts)


def _newer(a: str | None, b: str | None) -> str | None:
    """The later of two ``ts`` strings (either may be ``None``)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if _key(a) >= _key(b) else b


def _ts(raw: Mapping[str, Any], name: str = "ts") -> str | None:
    value = raw.get(name)
    return value if isinstance(value, str) and _TS.match(value) else None


def split_remote_id(remote_id: str) -> tuple[str, str]:
    """``"C0123:1700000000.000100"`` → ``("C0123", "1700000000.000100")``."""
    channel, _, ts = remote_id.partition(":")
    if not channel or not _TS.match(ts):
        raise SourceError(f"not a Slack message id: {remote_id!r}")
    return channel, ts


def reply_target(message: Message, *, thread_has_replies: bool = False) -> tuple[str, str | None]:
    """Where an answer to ``message`` goes: ``(channel, thread_ts)`` for :meth:`send_reply`.

    In the thread when ``message`` is in one (``thread`` is set), or when it is a root
    whose thread has replies (Slack said so at sync time, in ``x-slack-reply-count``, or
    the caller knows of stored replies: ``thread_has_replies``): the conversation goes
    on there, and the store counts a reply inside a thread as answering its root too.
    Otherwise at the top level of the room, as people answer in a DM; in the store's
    terms that answers every earlier top-level message of the room, which is what a
    top-level answer means.
    """
    channel, ts = split_remote_id(message.remote_id)
    if message.thread is not None:
        return channel, split_remote_id(message.thread)[1]
    count = message.headers.get("x-slack-reply-count", "0")
    if thread_has_replies or (count.isdigit() and int(count) > 0):
        return channel, ts
    return channel, None


def escape_text(text: str) -> str:
    """Plain text as Slack wants it in ``text``: ``&``, ``<``, ``>`` as entities, so a
    ``<`` the user typed is not read as the start of a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mentioned_users(text: str) -> set[str]:
    """User ids mentioned as ``<@U123>`` or ``<@U123|name>``."""
    return set(_MENTION.findall(text))


def render_text(text: str, names: Mapping[str, str]) -> str:
    """Slack's markup as plain text: ``<@U1>`` → ``@Ada`` (``names``; else the label or
    the id), ``<#C1|general>`` → ``#general``, ``<!here>`` → ``@here``, ``<url|label>`` →
    ``label (url)``; ``&amp;``/``&lt;``/``&gt;`` back to characters."""

    def entity(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user = target[1:]
            return "@" + (names.get(user) or label or user)
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            command = target[1:]
            if command in _BROADCASTS:
                return "@" + command
            return label or ("@" + command.partition("^")[0])
        if label and label != target.removeprefix("mailto:"):
            return f"{label} ({target})"
        return label or target

    rendered = _ENTITY.sub(entity, text)
    return rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# ------------------------------------------------------------------------------ cursor


@dataclass(slots=True)
class _Cursor:
    """Where a channel stopped; see the module doc."""

    oldest: str | None = None
    #: root ts -> (seen: replies up to here are in, latest: newest reply Slack announced)
    threads: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: ts -> what the last re-read found: the ``edited.ts``, or :data:`DELETED`
    changes: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        threads = {root: [seen, latest] for root, (seen, latest) in self.threads.items()}
        data: dict[str, Any] = {"oldest": self.oldest, "threads": threads}
        if self.changes:
            data["changes"] = self.changes
        return json.dumps(data, sort_keys=True)

    @classmethod
    def load(cls, text: str | None) -> _Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            oldest = data["oldest"]
            if oldest is not None and not (isinstance(oldest, str) and _TS.match(oldest)):
                raise ValueError("oldest")
            threads: dict[str, tuple[str, str]] = {}
            for root, (seen, latest) in data["threads"].items():
                if not all(isinstance(v, str) and _TS.match(v) for v in (root, seen, latest)):
                    raise ValueError("threads")
                threads[root] = (seen, latest)
            changes: dict[str, str] = {}
            for ts, mark in (data.get("changes") or {}).items():
                if not (isinstance(ts, str) and _TS.match(ts)):
                    raise ValueError("changes")
                if not (isinstance(mark, str) and (mark == DELETED or _TS.match(mark))):
                    raise ValueError("changes")
                changes[ts] = mark
            return cls(oldest, threads, changes)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("unreadable Slack cursor: syncing the channel from the start")
            return cls()


@dataclass(slots=True)
class _Entry:
    """One message read in a sync: from the history (``top``), a thread (``root``), or
    both (a reply also sent to the channel). ``deliver`` is False for one that an
    earlier sync already delivered through the history."""

    ts: str
    raw: Mapping[str, Any]
    top: bool = False
    root: str | None = None
    deliver: bool = True


@dataclass(slots=True)
class _Changes:
    """Edits and deletions the history re-read found, by message ``ts``: the mark for
    the cursor (``edited.ts`` or :data:`DELETED`) and the message as Slack shows it."""

    found: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)

    def note(self, raw: Mapping[str, Any]) -> None:
        """Take ``raw`` (a history item) into account, if it shows a change."""
        if raw.get("subtype") == "message_changed":
            inner = raw.get("message")
            if not isinstance(inner, Mapping):
                return
            raw = inner
        ts = _ts(raw)
        if ts is None:
            return
        subtype = str(raw.get("subtype") or "")
        edited = raw.get("edited")
        if subtype == "tombstone":
            mark = DELETED
        elif subtype in CONTENT_SUBTYPES and isinstance(edited, Mapping) and _ts(edited):
            mark = str(edited["ts"])
        else:
            return
        before = self.found.get(ts)
        if before is not None and (
            before[0] == DELETED or (mark != DELETED and _key(before[0]) >= _key(mark))
        ):
            return  # what is known already is as new (a message_changed event is older)
        self.found[ts] = (mark, raw)

    def record(self) -> dict[str, str]:
        return {ts: mark for ts, (mark, _) in self.found.items()}


@dataclass(frozen=True, slots=True)
class _Channel:
    id: str
    kind: ChannelKind
    name: str = ""
    #: The other person of a DM.
    user: str | None = None

    @property
    def direct(self) -> bool:
        return self.kind in ("im", "mpim")


def _channel(raw: Mapping[str, Any]) -> _Channel | None:
    channel_id = raw.get("id")
    if not isinstance(channel_id, str) or not channel_id:
        return None
    name = str(raw.get("name") or "")
    if raw.get("is_im"):
        user = raw.get("user")
        return _Channel(channel_id, "im", name, user if isinstance(user, str) else None)
    if raw.get("is_mpim"):
        return _Channel(channel_id, "mpim", name)
    private = bool(raw.get("is_private") or raw.get("is_group"))
    return _Channel(channel_id, "private" if private else "public", name)


def _mpim_members(name: str) -> list[str]:
    """``"mpdm-ada--bob--alex-1"`` → ``["ada", "bob", "alex"]`` (Slack's naming)."""
    if not name.startswith("mpdm-"):
        return []
    body = name[len("mpdm-") :]
    body = re.sub(r"-\d+$", "", body)
    return [part for part in body.split("--") if part]


# ---------------------------------------------------------------------- rate limiting


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def _retry_after(headers: Mapping[str, Any]) -> int | None:
    value = _header(headers, "retry-after")
    try:
        return None if value is None else int(value.strip())
    except ValueError:
        return None


class _RateLimitRetry(RateLimitErrorRetryHandler):
    """slack-sdk's handler for HTTP 429, refusing waits longer than ``max_wait`` seconds
    (and ``Retry-After`` values it could not read: the SDK's ``int()`` would raise)."""

    def __init__(self, max_retry_count: int, max_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or not super()._can_retry(
            state=state, request=request, response=response, error=error
        ):
            return False
        wait = _retry_after(response.headers)
        return wait is not None and wait <= self.max_wait


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _config_number(account: Account, key: str, default: float | None) -> float | None:
    """A number from the account's config (``None`` if set to null), or ``default``."""
    if key not in account.config:
        return default
    value = account.config[key]
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number >= 0:
        raise SourceError(f"account {account.name}: {key} must be a number >= 0, not {value!r}")
    return number


# ------------------------------------------------------------------------------ source


class SlackSource:
    """One Slack account (one workspace, one user token) as a
    :class:`~asyncdesk.sources.base.Source`; see the module doc.

    ``account.config`` may hold ``api_url`` (the base under which the methods live,
    ``https://slack.com/api/`` by default; plain ``http`` only to this machine),
    ``user_id`` (the user's own Slack id; asked of ``auth.test`` when missing),
    ``timeout`` (seconds per request, default 30), ``history_days`` and
    ``thread_watch_days`` (see the module doc; ``history_days: null`` reads the whole
    history). The keyword arguments tune paging, batching and retries
    (``max_retry_wait`` in seconds); ``clock`` says when "now" is, for those windows.
    """

    def __init__(
        self,
        account: Account,
        token: str,
        *,
        clock: Clock | None = None,
        page_size: int = PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
        max_retry_wait: float = MAX_RETRY_WAIT,
        connection_retries: int = CONNECTION_RETRIES,
    ) -> None:
        self.account = account
        config = account.config
        self.api_url = str(config.get("api_url") or SLACK_API_URL)
        parts = urlsplit(self.api_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise SourceError(
                f"account {account.name}: api_url must be an https URL, not {self.api_url!r}"
            )
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise SourceError(
                f"account {account.name}: api_url {self.api_url} is plain http; the token "
                "would cross the network unencrypted (use https)"
            )
        self._host = parts.hostname
        history = _config_number(account, "history_days", HISTORY_DAYS)
        watch = _config_number(account, "thread_watch_days", THREAD_WATCH_DAYS) or 0.0
        timeout = _config_number(account, "timeout", 30.0) or 30.0
        self._history = None if history is None else timedelta(days=history)
        self._watch = timedelta(days=watch)
        self._clock: Clock = clock or SystemClock()
        self._page_size = page_size
        self._batch_size = batch_size
        user_id = config.get("user_id")
        self._me: str | None = str(user_id) if user_id else None
        self._handle: str | None = None
        self._asked_handle = False
        self._channels: dict[str, _Channel] | None = None
        self._names: dict[str, str | None] = {}
        self._closed = False
        self._client = WebClient(
            token=token,
            base_url=self.api_url,
            timeout=max(1, round(timeout)),
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=connection_retries),
                _RateLimitRetry(rate_limit_retries, max_retry_wait),
            ],
        )

    def __repr__(self) -> str:  # no token, ever
        return f"<SlackSource {self.account.name} {self.api_url}>"

    # -------------------------------------------------------------------- the wire

    def _api(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``method`` (a form-encoded POST); Slack's answer, or our error."""
        if self._closed:
            raise SourceError(f"the Slack source of {self.account.name} is closed")
        params = {name: value for name, value in params.items() if value is not None}
        try:
            response = self._client.api_call(method, params=params)
        except SlackApiError as error:
            raise self._api_error(method, error) from None
        except (OSError, HTTPException) as error:
            raise self._network_error(error) from None
        except SlackClientError as error:
            first = (str(error).splitlines() or [type(error).__name__])[0]
            raise SourceError(f"Slack {method} failed: {first}") from None
        data = response.data
        if not isinstance(data, dict):
            raise SourceError(f"Slack {method} failed: the answer is not a JSON object")
        return data

    def _api_error(self, method: str, error: SlackApiError) -> SourceError:
        response = error.response
        status = getattr(response, "status_code", None)
        data = getattr(response, "data", None)
        code = data.get("error") if isinstance(data, dict) else None
        if code in AUTH_ERRORS:
            return AuthFailed(
                f"Slack refused the token of account {self.account.name} ({code}): "
                "give the account a new token"
            )
        if status == 429 or code == "ratelimited":
            wait = _retry_after(getattr(response, "headers", None) or {})
            later = f"; it asks to wait {wait} s" if wait is not None else ""
            return RateLimited(
                f"Slack is rate limiting {method}{later}", method=method, retry_after=wait
            )
        if not (isinstance(code, str) and _ERROR_CODE.match(code)):
            # Not Slack talking (a proxy's error page, a half-written answer).
            return SourceError(f"Slack {method} failed: unexpected answer (HTTP {status})")
        needed = data.get("needed") if isinstance(data, dict) else None
        extra = f" (needs the {needed} scope)" if code == "missing_scope" and needed else ""
        return SlackError(f"Slack {method} failed: {code}{extra}", method=method, code=code)

    def _network_error(self, error: BaseException) -> SourceError:
        cause: BaseException = error
        if isinstance(error, URLError) and isinstance(error.reason, BaseException):
            cause = error.reason
        if isinstance(cause, ssl.SSLCertVerificationError):
            return CertificateRejected(
                f"the certificate of {self._host} is not trusted: "
                f"{cause.verify_message or cause.reason or 'verification failed'}"
            )
        reason = network_reason(cause)
        if reason is None:
            if isinstance(cause, OSError) and cause.strerror:
                reason = cause.strerror
            elif isinstance(error, URLError) and isinstance(error.reason, str):
                reason = error.reason
            else:
                reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        return ConnectionFailed(f"cannot reach Slack at {self.api_url}: {reason}")

    def _pages(self, method: str, key: str, **params: Any) -> Iterator[Mapping[str, Any]]:
        """Every item under ``key`` of every page (``response_metadata.next_cursor``)."""
        cursor: str | None = None
        used: set[str] = set()
        while True:
            data = self._api(method, **params, cursor=cursor)
            items = data.get(key) or []
            yield from (item for item in items if isinstance(item, dict))
            metadata = data.get("response_metadata")
            cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
            if not cursor:
                return
            if cursor in used:
                raise SourceError(f"Slack {method} failed: the same page cursor came back")
            used.add(cursor)

    # ---------------------------------------------------------------- who and where

    def verify(self) -> SlackIdentity:
        """Ask ``auth.test`` whose token this is; raises :class:`AuthFailed` if nobody's.

        The answer's ``user_id`` is the account's identity (and ``config["user_id"]``).
        """
        data = self._api("auth.test")
        identity = SlackIdentity(
            user_id=str(data.get("user_id") or ""),
            user=str(data.get("user") or ""),
            team_id=str(data.get("team_id") or ""),
            team=str(data.get("team") or ""),
            url=str(data.get("url") or ""),
        )
        if not identity.user_id:
            raise SourceError("Slack auth.test failed: the answer names no user")
        self._me = identity.user_id
        self._handle = identity.user or None
        return identity

    def _my_id(self) -> str:
        if self._me is None:
            self.verify()
        assert self._me is not None
        return self._me

    def _my_handle(self) -> str | None:
        """The user's own handle (``alex``), which Slack puts in group DM names."""
        if self._handle is None and not self._asked_handle:
            self._asked_handle = True
            self.verify()
        return self._handle

    def streams(self) -> Sequence[str]:
        if self._channels is None:
            channels: dict[str, _Channel] = {}
            for raw in self._pages(
                "users.conversations",
                "channels",
                types=CONVERSATION_TYPES,
                exclude_archived=True,
                limit=self._page_size,
            ):
                channel = _channel(raw)
                if channel is not None:
                    channels[channel.id] = channel
            self._channels = channels
        return [stream_name(channel_id) for channel_id in self._channels]

    def _channel(self, stream: str) -> _Channel:
        channel_id = channel_of(stream)
        if self._channels is None:
            self.streams()
        assert self._channels is not None
        channel = self._channels.get(channel_id)
        if channel is None:
            raise SourceError(
                f"{stream} is not a conversation of account {self.account.name} "
                "(left, archived, or never joined)"
            )
        return channel

    def _name(self, user_id: str) -> str | None:
        """A person's display name (``users.info``, once per id); ``None`` if Slack will
        not say (no ``users:read`` scope, unknown user): the id is shown instead."""
        if user_id not in self._names:
            try:
                data = self._api("users.info", user=user_id)
            except (AuthFailed, ConnectionFailed, RateLimited):
                raise
            except SourceError as error:
                log.debug("no name for Slack user %s: %s", user_id, error)
                self._names[user_id] = None
            else:
                user = data.get("user") or {}
                profile = user.get("profile") or {}
                name = (
                    profile.get("display_name")
                    or profile.get("real_name")
                    or user.get("real_name")
                    or user.get("name")
                )
                self._names[user_id] = str(name) if name else None
        return self._names[user_id]

    def _subject(self, channel: _Channel) -> str:
        """``#general``; a DM: the other person's name; a group DM: the others' names."""
        if channel.kind == "im":
            if channel.user is None:
                return channel.name or channel.id
            return self._name(channel.user) or channel.user
        if channel.kind == "mpim":
            members = _mpim_members(channel.name)
            others = [member for member in members if member != self._my_handle()]
            return ", ".join(others or members) or channel.name or channel.id
        return f"#{channel.name}" if channel.name else channel.id

    # ----------------------------------------------------------------------- sync

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        """What is new in one conversation since ``cursor``, oldest first, in batches."""
        channel = self._channel(stream)
        previous = _Cursor.load(cursor)
        now = self._clock.now()
        watch_start = datetime_to_ts(now - self._watch)
        changes = _Changes()
        start, entries, threads = self._read(channel, previous, now, watch_start, changes)
        edits, redactions = self._changes(channel, previous, changes)
        state = _Cursor(start, threads, changes.record())
        yield from self._batches(stream, channel, state, entries, cursor, edits, redactions)

    def _read(
        self,
        channel: _Channel,
        previous: _Cursor,
        now: datetime,
        watch_start: str,
        changes: _Changes,
    ) -> tuple[str | None, dict[str, _Entry], dict[str, tuple[str, str]]]:
        """Every request of a sync: the history since ``oldest`` (and back to the watch
        window), then the threads that moved. Returns where ``oldest`` starts, what was
        read by ``ts``, and the thread table to build cursors from; the edits and
        deletions the history shows go into ``changes``."""
        if previous.oldest is None:
            since = None if self._history is None else datetime_to_ts(now - self._history)
            start = since
        else:
            since = min(previous.oldest, watch_start, key=_key)
            start = previous.oldest
        threads = dict(previous.threads)
        fetch: dict[str, str] = {}  # root ts -> replies after this ts are wanted
        entries: dict[str, _Entry] = {}
        for raw in self._pages(
            "conversations.history",
            "messages",
            channel=channel.id,
            oldest=since,
            inclusive=False,
            limit=self._page_size,
        ):
            ts = _ts(raw)
            if ts is None:
                log.warning("skipped a Slack message without a usable ts in %s", channel.id)
                continue
            changes.note(raw)
            if previous.oldest is None or _key(ts) > _key(previous.oldest):
                entries[ts] = _Entry(ts, raw, top=True)
            if raw.get("thread_ts") == ts and (raw.get("reply_count") or raw.get("latest_reply")):
                seen, latest = threads.get(ts, (ts, ts))
                announced = _ts(raw, "latest_reply")
                # No latest_reply (a Slack-compatible server may omit it): ask anyway.
                if announced is None or _key(announced) > _key(seen):
                    fetch[ts] = seen
                threads[ts] = (seen, _newer(latest, announced) or ts)
        for root, (seen, latest) in previous.threads.items():
            covered = since is None or _key(root) > _key(since)
            if not covered and (_key(seen) < _key(latest) or _key(seen) >= _key(watch_start)):
                fetch[root] = seen
        for root, (seen, latest) in list(threads.items()):
            quiet = _key(seen) >= _key(latest) and _key(seen) < _key(watch_start)
            if quiet and _key(root) < _key(watch_start) and root not in fetch:
                del threads[root]  # neither re-read nor polled any more
        for root in sorted(fetch, key=_key):
            self._read_thread(channel, root, fetch[root], previous, entries, threads)
        return start, entries, threads

    def _read_thread(
        self,
        channel: _Channel,
        root: str,
        after: str,
        previous: _Cursor,
        entries: dict[str, _Entry],
        threads: dict[str, tuple[str, str]],
    ) -> None:
        """The replies of one thread after ``after`` into ``entries``."""
        try:
            for raw in self._pages(
                "conversations.replies",
                "messages",
                channel=channel.id,
                ts=root,
                oldest=after,
                inclusive=False,
                limit=self._page_size,
            ):
                ts = _ts(raw)
                # The root comes first on every page; older replies may come with it.
                if ts is None or ts == root or _key(ts) <= _key(after):
                    continue
                seen, latest = threads.get(root, (after, after))
                threads[root] = (seen, _newer(latest, ts) or ts)
                entry = entries.get(ts)
                if entry is not None:  # a reply also sent to the channel, read twice
                    entry.root = root
                    continue
                delivered = (
                    raw.get("subtype") == "thread_broadcast"
                    and previous.oldest is not None
                    and _key(ts) <= _key(previous.oldest)
                )
                entries[ts] = _Entry(ts, raw, root=root, deliver=not delivered)
        except SlackError as error:
            if error.code != "thread_not_found":
                raise
            log.info("Slack thread %s:%s is gone; no longer following it", channel.id, root)
            threads.pop(root, None)

    def _changes(
        self, channel: _Channel, previous: _Cursor, changes: _Changes
    ) -> tuple[list[Edit], list[str]]:
        """The edits and deletions of delivered messages (``ts`` up to the previous
        ``oldest``) that the previous cursor has not recorded yet, oldest message first.

        An edit names the message's sender as :class:`Message` does (the user id, or a
        bot's id, lower-cased), so only an edit of the sender's own message applies."""
        edits: list[Edit] = []
        redactions: list[str] = []
        if previous.oldest is None:
            return edits, redactions
        for ts, (mark, raw) in sorted(changes.found.items(), key=lambda item: _key(item[0])):
            if _key(ts) > _key(previous.oldest) or previous.changes.get(ts) == mark:
                continue  # delivered in this sync as it is now, or reported already
            remote_id = f"{channel.id}:{ts}"
            if mark == DELETED:
                redactions.append(remote_id)
            else:
                user, bot = self._author(raw)
                edits.append(Edit(remote_id, self._text(raw), sender=_address(raw, user, bot)))
        return edits, redactions

    def _batches(
        self,
        stream: str,
        channel: _Channel,
        state: _Cursor,
        entries: dict[str, _Entry],
        raw_cursor: str | None,
        edits: list[Edit],
        redactions: list[str],
    ) -> Iterator[SyncBatch]:
        """What was read, oldest first, in batches; each batch's cursor covers exactly
        what it and the batches before it hold (top-level ``ts`` up to ``oldest``, each
        thread's replies up to its ``seen``), so a resume repeats and loses nothing.

        ``edits`` and ``redactions`` concern messages stored before this sync: they
        go in the first batch, whose cursor records them (``state.changes``), even a
        batch with no messages."""
        ordered = sorted(entries.values(), key=lambda entry: _key(entry.ts))
        messages: list[Message] = []
        last: str | None = raw_cursor
        for done, entry in enumerate(ordered, start=1):
            if entry.top:
                state.oldest = _newer(state.oldest, entry.ts)
            if entry.root is not None:
                seen, latest = state.threads.get(entry.root, (entry.ts, entry.ts))
                state.threads[entry.root] = (_newer(seen, entry.ts) or seen, latest)
            if entry.deliver:
                message = self._message(channel, entry.raw)
                if message is not None:
                    messages.append(message)
            if len(messages) >= self._batch_size:
                last = state.dump()
                yield SyncBatch(
                    stream,
                    messages,
                    last,
                    done=done,
                    total=len(ordered),
                    edits=edits,
                    redactions=redactions,
                )
                messages, edits, redactions = [], [], []
        final = state.dump()
        if messages or final != last or edits or redactions:
            yield SyncBatch(
                stream,
                messages,
                final,
                done=len(ordered),
                total=len(ordered),
                edits=edits,
                redactions=redactions,
            )

    # -------------------------------------------------------------------- mapping

    def _message(self, channel: _Channel, raw: Mapping[str, Any]) -> Message | None:
        """One Slack message as a :class:`Message`; ``None`` for the room's own notices.

        Decisions (the needs-reply rules read ``is_direct`` and ``mentions_me`` on chat):

        - A group DM is direct, like a DM: it is a private conversation among a few
          named people, Slack notifies each of them of every message, and an email to
          a few people with the user in To needs a reply too.
        - ``mentions_me`` is the user's own ``<@id>`` only. ``@here``, ``@channel`` and
          ``@everyone`` notify everyone in the room: taking them as mentions would turn
          every announcement into a reply-by promise for every member, which is the
          noise this app exists to remove. (A user-group mention names a group, not
          the user.) Rules per channel or sender can still ask for replies.
        - A bot's message is an FYI: a bot cannot read an answer. It carries
          :data:`~asyncdesk.core.classify.CHAT_BOT_HEADER` with the bot's name (its
          ``bot_profile`` name, else the ``username`` it posted as, else its
          ``bot_id``), and the classifier says it needs no reply, even in a DM with the
          bot or when it mentions the user. ``is_direct`` and ``mentions_me`` keep
          saying what is true of it.
        """
        subtype = str(raw.get("subtype") or "")
        if subtype not in CONTENT_SUBTYPES:
            return None
        ts = _ts(raw)
        if ts is None:
            return None
        me = self._my_id()
        user, bot = self._author(raw)
        outbound = user is not None and user == me
        text = str(raw.get("text") or "")
        headers: dict[str, str] = {CHAT_BOT_HEADER: _bot_name(raw, user)} if bot else {}
        reply_count = raw.get("reply_count")
        if raw.get("thread_ts") == ts and isinstance(reply_count, int) and reply_count > 0:
            headers["x-slack-reply-count"] = str(reply_count)
        thread_ts = _ts(raw, "thread_ts")
        return Message(
            remote_id=f"{channel.id}:{ts}",
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            medium=Medium.CHAT,
            conversation=channel.id,
            sender=self._sender(raw, user, bot),
            subject=self._subject(channel),
            received_at=ts_to_datetime(ts),
            body_text=self._text(raw),
            thread=f"{channel.id}:{thread_ts}" if thread_ts and thread_ts != ts else None,
            headers=headers,
            is_direct=channel.direct,
            mentions_me=not outbound and me in mentioned_users(text),
        )

    def _author(self, raw: Mapping[str, Any]) -> tuple[str | None, bool]:
        """Who wrote ``raw``: the user id (``None`` for a classic bot message), and
        whether a bot did (never the user's own message)."""
        user = raw.get("user") if isinstance(raw.get("user"), str) else None
        if user is not None and user == self._my_id():
            return user, False
        bot = (
            raw.get("subtype") == "bot_message"
            or bool(raw.get("bot_profile"))
            or (bool(raw.get("bot_id")) and user is None)
        )
        return user, bot

    def _text(self, raw: Mapping[str, Any]) -> str:
        """The message's text as plain text (names for mentions), with its files."""
        text = str(raw.get("text") or "")
        names = {uid: name for uid in mentioned_users(text) if (name := self._name(uid))}
        return _body(render_text(text, names), raw)

    def _sender(self, raw: Mapping[str, Any], user: str | None, bot: bool) -> Sender:
        address = _address(raw, user, bot)
        if bot:
            profile = raw.get("bot_profile") or {}
            name = raw.get("username") or (profile.get("name") if isinstance(profile, dict) else "")
            return Sender(address, str(name or (user and self._name(user)) or ""))
        if user is None:
            return Sender(address)
        return Sender(address, self._name(user) or "")

    # -------------------------------------------------------------------- sending

    def send_reply(self, channel: str, text: str, thread_ts: str | None = None) -> str:
        """Post ``text`` (plain text, escaped) to ``channel``, in the thread ``thread_ts``
        if given (:func:`reply_target` says where); returns the new message's
        ``remote_id``, the one the next sync reports it under (as an outbound message)."""
        data = self._api(
            "chat.postMessage", channel=channel, text=escape_text(text), thread_ts=thread_ts
        )
        ts = _ts(data)
        posted = data.get("channel") if isinstance(data.get("channel"), str) else channel
        if ts is None:
            raise SourceError("Slack chat.postMessage failed: the answer has no ts")
        return f"{posted}:{ts}"

    # ------------------------------------------------------------ published availability

    def set_status(self, text: str, emoji: str, expires: datetime | None) -> None:
        """The user's status (``users.profile.set``): ``text`` (at most 100 characters),
        ``emoji`` (``:no_bell:``), and when Slack clears it by itself (``None``: never).
        Empty text and emoji clear the status. Needs the ``users.profile:write`` scope."""
        expiration = 0 if expires is None else max(0, int(expires.timestamp()))
        profile = {
            "status_text": text[:100],
            "status_emoji": emoji,
            "status_expiration": expiration,
        }
        self._scoped("users.profile.set", profile=json.dumps(profile, ensure_ascii=False))

    def snooze(self, minutes: int) -> datetime | None:
        """Do not disturb for ``minutes`` from now (``dnd.setSnooze``); when Slack says the
        snooze ends. Needs the ``dnd:write`` scope."""
        data = self._scoped("dnd.setSnooze", num_minutes=max(1, minutes))
        end = data.get("snooze_endtime")
        if isinstance(end, int) and not isinstance(end, bool) and end > 0:
            return _EPOCH + timedelta(seconds=end)
        return None

    def end_snooze(self) -> None:
        """End the do-not-disturb snooze now (``dnd.endSnooze``); none running is fine."""
        try:
            self._scoped("dnd.endSnooze")
        except SlackError as error:
            if error.code != "snooze_not_active":
                raise

    def _scoped(self, method: str, **params: Any) -> dict[str, Any]:
        """``method``, whose refusal for want of a scope names the scope to add."""
        try:
            return self._api(method, **params)
        except SlackError as error:
            if error.code != "missing_scope":
                raise
            scope = PRESENCE_SCOPES[method]
            raise SlackError(
                f"Slack {method} failed: the token of account {self.account.name} lacks "
                f"the {scope} scope (add it to the Slack app and install it again)",
                method=method,
                code=error.code,
            ) from None

    def close(self) -> None:
        """Nothing stays open between requests (each is its own HTTP exchange); after
        this, every call raises :class:`SourceError`. Safe to call twice."""
        self._closed = True
        self._names.clear()


def _address(raw: Mapping[str, Any], user: str | None, bot: bool) -> str:
    """The sender's address as :class:`Sender` keeps it: the user id, else a bot's
    ``bot_id``, lower-cased."""
    if user is not None:
        return normalize_address(user)
    return normalize_address(str(raw.get("bot_id") or "bot") if bot else "unknown")


def _bot_name(raw: Mapping[str, Any], user: str | None) -> str:
    """What :data:`~asyncdesk.core.classify.CHAT_BOT_HEADER` says: the bot's name
    (``bot_profile.name``, else the ``username`` it posted as), else its ``bot_id``."""
    profile = raw.get("bot_profile")
    name = profile.get("name") if isinstance(profile, Mapping) else None
    for value in (name, raw.get("username"), raw.get("bot_id"), user):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "bot"


def _body(text: str, raw: Mapping[str, Any]) -> str:
    """The text, and a line per attached file (its title), so a file is not lost."""
    lines = [text] if text else []
    for item in raw.get("files") or ():
        if isinstance(item, dict):
            title = item.get("title") or item.get("name")
            if title:
                lines.append(f"[file: {title}]")
    return "\n".join(lines)
