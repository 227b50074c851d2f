"""A Matrix account as a source, over matrix-nio.

matrix-nio is asyncio-only; the rest of AsyncDesk is threads. The source keeps one
event loop on a thread of its own and runs each request there
(:class:`_Loop`), so the sync engine calls it like any other source and nothing else
in the process sees asyncio.

Sync: one stream, ``matrix``. The cursor (JSON) holds the ``/sync`` since-token and the
rooms still to page back through, each with its pagination token; the engine commits
each batch with its cursor, so a crash at any moment resumes without loss, and
identity (account, event id) absorbs whatever is fetched twice. Each call:

1. Learns the rooms once per source (a state-only ``/sync``: names, members, the
   user's ``m.direct``), since a since-token ``/sync`` only says what changed.
2. One ``/sync`` from the since-token: every joined room's new events (a batch), and
   for rooms whose timeline came back ``limited`` (a first sync, or a gap) their
   ``prev_batch`` token goes into the cursor to page back from.
3. Pages back through those rooms (``/messages``, newest first), a batch a page,
   until the room's start, or the history horizon (``history_days`` for a first sync;
   the last sync's time for a gap).

Invites are kept for the user to accept (:meth:`MatrixSource.invites`,
:meth:`MatrixSource.join`). Published availability sets the user's presence and status
message (:meth:`MatrixSource.set_status`); every later ``/sync`` of the source carries
that presence (``set_presence``), since a sync without it tells the server "online".

The password is used once, by :func:`login`; the source
works with the access token and device id, which the caller keeps in the keyring.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    LoginResponse,
    MessageDirection,
    RoomMessagesResponse,
    RoomSendResponse,
    SyncResponse,
)

from asyncdesk.core.accounts import Account
from asyncdesk.sources.base import (
    AuthFailed,
    ConnectionFailed,
    Invitation,
    SourceError,
    SyncBatch,
)
from asyncdesk.sources.matrix_events import Mapped, Room, map_events

log = logging.getLogger(__name__)

T = TypeVar("T")

STREAM = "matrix"
#: How many events of each room the first ``/sync`` brings; older ones are paged.
TIMELINE_LIMIT = 50
PAGE_SIZE = 250
DEFAULT_HISTORY_DAYS = 30
#: The presence states a client may set (``offline`` would stop the status showing).
PRESENCE_STATES = frozenset({"online", "unavailable"})
_AUTH_ERRORS = {"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN", "M_USER_DEACTIVATED"}


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login gives: kept in the keyring, never in the profile."""

    user_id: str
    access_token: str
    device_id: str


@dataclass(frozen=True, slots=True)
class Invite:
    room_id: str
    name: str
    inviter: str


class _Loop:
    """An asyncio event loop on its own thread; :meth:`run` waits for a coroutine."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="matrix-loop", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise ConnectionFailed(
                f"the homeserver did not answer within {timeout:.0f} s"
            ) from None

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()


def _client(homeserver: str, user: str, device_id: str, timeout: float) -> AsyncClient:
    config = AsyncClientConfig(
        encryption_enabled=False,
        store_sync_tokens=False,
        request_timeout=timeout,
        max_timeouts=1,
        max_limit_exceeded=3,
    )
    # ssl=None: aiohttp's default context, certificates verified.
    return AsyncClient(homeserver, user, device_id=device_id, config=config, ssl=None)


async def _guard(coroutine: Coroutine[Any, Any, T], what: str) -> T:
    """Library and network errors as source errors, at the edge."""
    try:
        return await coroutine
    except (aiohttp.ClientConnectionError, OSError) as error:
        raise ConnectionFailed(f"cannot reach the homeserver ({what}): {error}") from None
    except aiohttp.ClientError as error:
        raise ConnectionFailed(f"the homeserver failed ({what}): {error}") from None


def _check(response: object, what: str) -> None:
    if isinstance(response, ErrorResponse):
        code = response.status_code or "error"
        text = f"{what}: {response.message} ({code})"
        if code in _AUTH_ERRORS:
            raise AuthFailed(f"the homeserver refused the login: {text}")
        raise SourceError(f"the homeserver said no to {text}")


def login(
    homeserver: str,
    user: str,
    password: str,
    *,
    device_name: str = "AsyncDesk",
    timeout: float = 30.0,
) -> Credentials:
    """Log in once with the password; the access token and device id are what to keep."""
    loop = _Loop()
    client = _client(homeserver, user, "", timeout)
    try:

        async def go() -> LoginResponse:
            try:
                response = await _guard(client.login(password, device_name=device_name), "login")
                if isinstance(response, ErrorResponse):
                    code = response.status_code or "error"
                    if code in _AUTH_ERRORS:
                        raise AuthFailed(
                            f"{homeserver} refused the user name or password for {user}"
                        )
                    _check(response, "login")
                assert isinstance(response, LoginResponse)
                return response
            finally:
                await client.close()

        answer = loop.run(go(), timeout + 5)
    finally:
        loop.close()
    return Credentials(answer.user_id, answer.access_token, answer.device_id)


@dataclass
class _Cursor:
    since: str | None = None
    #: Rooms to page back through: their pagination token and the horizon (ms).
    backfill: dict[str, list[Any]] = field(default_factory=dict)
    #: When the last ``/sync`` answered (ms since the epoch), the horizon of a gap.
    synced_at: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> _Cursor:
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(data.get("since"), dict(data.get("backfill") or {}), data.get("synced_at"))
        except (ValueError, TypeError, AttributeError):
            log.warning("a Matrix cursor could not be read; syncing from the start")
            return cls()

    def dump(self) -> str:
        return json.dumps(
            {"since": self.since, "backfill": self.backfill, "synced_at": self.synced_at},
            sort_keys=True,
        )


class MatrixSource:
    """One Matrix account (see the module docstring)."""

    def __init__(
        self,
        account: Account,
        credentials: Credentials,
        *,
        homeserver: str,
        history_days: int = DEFAULT_HISTORY_DAYS,
        timeout: float = 30.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.account = account
        self._credentials = credentials
        self._homeserver = homeserver
        self._history_ms = history_days * 86_400_000
        self._timeout = timeout
        self._page_size = page_size
        self._loop: _Loop | None = None
        self._nio: AsyncClient | None = None
        self._rooms: dict[str, Room] | None = None
        self._direct: set[str] = set()
        self._invites: list[Invite] = []
        self._since: str | None = None
        # What the next batch says about invitations (see SyncBatch).
        self._invitations: list[Invite] = []
        self._uninvited: set[str] = set()
        self._invitations_complete = False
        self._closed = False
        # The long-poll a wait_for_change is blocked on (interrupt() cancels it).
        self._waiting: concurrent.futures.Future[Any] | None = None
        self._interrupted = False
        # The presence every /sync states (None: the server's default, online).
        self._presence: str | None = None

    @property
    def me(self) -> str:
        return self._credentials.user_id

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T], what: str) -> T:
        if self._closed:
            coroutine.close()
            raise SourceError("the Matrix source is closed")
        if self._loop is None:
            self._loop = _Loop()
        return self._loop.run(_guard(coroutine, what), self._timeout + 10)

    def _connected(self) -> AsyncClient:
        if self._nio is None:
            client = _client(self._homeserver, self.me, self._credentials.device_id, self._timeout)
            client.restore_login(
                self.me, self._credentials.device_id, self._credentials.access_token
            )
            self._nio = client
        return self._nio

    def _sync(self, since: str | None, limit: int, full_state: bool) -> SyncResponse:
        client = self._connected()
        sync_filter = {
            "room": {
                "timeline": {"limit": limit},
                "state": {"lazy_load_members": False},
                "ephemeral": {"types": []},
            },
            "presence": {"types": []},
        }
        response = self._run(
            client.sync(
                timeout=0,
                sync_filter=sync_filter,
                since=since,
                full_state=full_state,
                set_presence=self._presence,
            ),
            "sync",
        )
        _check(response, "sync")
        assert isinstance(response, SyncResponse)
        self._learn(response)
        return response

    def _learn(self, response: SyncResponse) -> None:
        """Rooms, direct rooms and invites from a ``/sync`` answer (nio keeps rooms)."""
        for event in response.account_data_events:
            # nio keeps unknown account data (m.direct among it) as type + content.
            content = getattr(event, "content", None)
            if getattr(event, "type", None) == "m.direct" and isinstance(content, Mapping):
                self._direct = {
                    room for rooms in content.values() if isinstance(rooms, list) for room in rooms
                }
        client = self._connected()
        self._rooms = {}
        for room_id, room in client.rooms.items():
            members = {user_id: (user.display_name or "") for user_id, user in room.users.items()}
            self._rooms[room_id] = Room(
                room_id,
                room.display_name or room_id,
                is_direct=room_id in self._direct,
                members=members,
            )
        invites = [
            Invite(
                room_id,
                _invite_name(info.invite_state) or room_id,
                _inviter(info.invite_state, self.me),
            )
            for room_id, info in response.rooms.invite.items()
        ]
        self._invites = invites
        self._invitations.extend(invites)
        self._uninvited.update(response.rooms.join)
        self._uninvited.update(response.rooms.leave)

    def _room(self, room_id: str) -> Room:
        assert self._rooms is not None
        return self._rooms.get(room_id) or Room(room_id, room_id)

    # -- the source -------------------------------------------------------------------------

    def streams(self) -> Sequence[str]:
        return [STREAM]

    def sync(self, stream: str, cursor: str | None) -> Iterator[SyncBatch]:
        state = _Cursor.parse(cursor)
        self._invitations, self._uninvited = [], set()
        if self._rooms is None and state.since is not None:
            self._sync(None, 0, True)  # learn the rooms; the messages come next
            self._invitations_complete = True  # a full state: every pending invitation
        else:
            self._invitations_complete = state.since is None
        now_ms = int(time.time() * 1000)
        response = self._sync(state.since, TIMELINE_LIMIT, state.since is None)
        horizon = (
            now_ms - self._history_ms
            if state.since is None or state.synced_at is None
            else state.synced_at - 3_600_000
        )
        mapped = Mapped()
        for room_id, info in sorted(response.rooms.join.items()):
            events = [event.source for event in info.timeline.events]
            mapped.extend(map_events(events, self._room(room_id), self.me))
            if info.timeline.limited and info.timeline.prev_batch:
                state.backfill[room_id] = [info.timeline.prev_batch, horizon]
        state.since = response.next_batch
        state.synced_at = now_ms
        self._since = state.since
        pending = {invite.room_id: invite for invite in self._invitations}
        yield SyncBatch(
            stream,
            _oldest_first(mapped.messages),
            state.dump(),
            edits=mapped.edits,
            redactions=mapped.redactions,
            invitations=[
                Invitation(i.room_id, i.name, i.inviter)
                for room, i in sorted(pending.items())
                if room not in self._uninvited or room in response.rooms.invite
            ],
            invitations_complete=self._invitations_complete,
            uninvited=sorted(self._uninvited - set(response.rooms.invite)),
        )
        yield from self._backfill(stream, state)

    def _backfill(self, stream: str, state: _Cursor) -> Iterator[SyncBatch]:
        client = self._connected()
        for room_id in sorted(state.backfill):
            token, horizon = state.backfill[room_id]
            edits: list[Any] = []  # an edit arrives before its original when paging back
            while True:
                response = self._run(
                    client.room_messages(
                        room_id, start=token, direction=MessageDirection.back, limit=self._page_size
                    ),
                    "messages",
                )
                _check(response, f"the history of {room_id}")
                assert isinstance(response, RoomMessagesResponse)
                events = [event.source for event in response.chunk]
                mapped = map_events(events, self._room(room_id), self.me)
                edits.extend(mapped.edits)
                oldest = min((int(e.get("origin_server_ts") or 0) for e in events), default=horizon)
                # The room's creation is its first event: no page before it (Synapse
                # still gives an ``end`` token there, which would cost an empty page).
                created = any(event.get("type") == "m.room.create" for event in events)
                finished = not events or not response.end or oldest < horizon or created
                if finished:
                    del state.backfill[room_id]
                else:
                    token = response.end
                    state.backfill[room_id] = [token, horizon]
                messages = [m for m in mapped.messages if _ms(m.received_at) >= horizon]
                yield SyncBatch(
                    stream,
                    _oldest_first(messages),
                    state.dump(),
                    edits=list(edits),
                    redactions=mapped.redactions,
                )
                if finished:
                    break

    def wait_for_change(
        self, seconds: float, should_stop: Callable[[], bool] = lambda: False, *, tick: float = 0.5
    ) -> bool:
        """Block until the homeserver has something new since the last sync (a long-poll
        ``/sync``: the server answers when an event comes), ``seconds`` pass, or
        ``should_stop()`` (polled every ``tick``; the request is then cancelled). True
        when something came. The next :meth:`sync` fetches it from the saved token."""
        if self._since is None or self._closed:
            return False
        if self._loop is None:
            self._loop = _Loop()
        client = self._connected()
        wait_ms = int(max(0.0, min(seconds, 25 * 60)) * 1000)
        sync_filter = {"room": {"timeline": {"limit": 1}}, "presence": {"types": []}}
        future = self._loop.submit(
            _guard(
                client.sync(
                    timeout=wait_ms,
                    sync_filter=sync_filter,
                    since=self._since,
                    set_presence=self._presence,
                ),
                "wait",
            )
        )
        self._waiting = future
        deadline = time.monotonic() + seconds + self._timeout
        try:
            while True:
                # (interrupt() sets the flag, then cancels what it finds waiting: one of
                # the two sees the other, whichever thread comes first)
                if self._interrupted or should_stop():
                    return False
                try:
                    response = future.result(timeout=tick)
                except concurrent.futures.TimeoutError:
                    if time.monotonic() > deadline:
                        return False
                    continue
                except concurrent.futures.CancelledError:
                    return False  # interrupted
                _check(response, "sync")
                rooms = response.rooms
                return bool(rooms.join or rooms.invite or rooms.leave)
        finally:
            self._waiting = None
            future.cancel()

    def interrupt(self) -> None:
        """End a :meth:`wait_for_change` now, from another thread (the stop of a running
        sync): its long-poll is cancelled, so the wait needs no ``should_stop`` ticks."""
        self._interrupted = True
        waiting = self._waiting
        if waiting is not None:
            waiting.cancel()

    # -- acting ---------------------------------------------------------------------------

    def invites(self) -> list[Invite]:
        """Rooms the user was invited to, as of the last sync."""
        return list(self._invites)

    def join(self, room_id: str) -> None:
        response = self._run(self._connected().join(room_id), "join")
        _check(response, f"joining {room_id}")

    def leave(self, room_id: str) -> None:
        """Leave a room, or decline the invitation to it."""
        response = self._run(self._connected().room_leave(room_id), "leave")
        _check(response, f"leaving {room_id}")

    def send_reply(
        self, room_id: str, text: str, *, reply_to: str | None = None, thread: str | None = None
    ) -> str:
        """Send ``text`` to the room: in ``thread`` (the root's event id) when the message
        answered is in one, else as a reply to ``reply_to``. Returns the event id, the
        remote id the next sync gives the message (so it is not added twice)."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if thread is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": reply_to or thread},
            }
        elif reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        response = self._run(
            self._connected().room_send(room_id, "m.room.message", content), "send"
        )
        _check(response, f"sending to {room_id}")
        assert isinstance(response, RoomSendResponse)
        return str(response.event_id)

    def set_status(self, presence: str, status_msg: str) -> None:
        """Set the user's presence (``online``, ``unavailable``) and status message (""
        clears it) with ``PUT /presence/{userId}/status``; later syncs carry the same
        presence (:meth:`hold_presence`). A server with presence turned off accepts the
        request and keeps nothing: that is the server's choice, not an error."""
        if presence not in PRESENCE_STATES:
            raise SourceError(f"not a Matrix presence: {presence!r}")
        response = self._run(
            self._connected().set_presence(presence, status_msg or None), "presence"
        )
        _check(response, "setting the presence")
        self._presence = presence

    def hold_presence(self, presence: str | None) -> None:
        """State ``presence`` in every later ``/sync`` without a request of its own (a
        source opened after the status was set: its syncs must not say "online")."""
        if presence is not None and presence not in PRESENCE_STATES:
            raise SourceError(f"not a Matrix presence: {presence!r}")
        self._presence = presence

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._nio is not None and self._loop is not None:
            with contextlib.suppress(SourceError, RuntimeError):
                self._loop.run(self._nio.close(), 5)
        if self._loop is not None:
            self._loop.close()


def _oldest_first(messages: list[Any]) -> list[Any]:
    return sorted(messages, key=lambda message: message.received_at)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _invite_name(invite_state: list[Any]) -> str:
    for event in invite_state:
        source = getattr(event, "source", event)
        if isinstance(source, Mapping) and source.get("type") == "m.room.name":
            name = (source.get("content") or {}).get("name")
            if isinstance(name, str):
                return name
    return ""


def _inviter(invite_state: list[Any], me: str) -> str:
    for event in invite_state:
        source = getattr(event, "source", event)
        if (
            isinstance(source, Mapping)
            and source.get("type") == "m.room.member"
            and source.get("state_key") == me
        ):
            return str(source.get("sender", ""))
    return ""
