"""Published availability in chat: the Matrix and Slack status, and Slack's do-not-disturb.

When published availability is on (the switch of the auto-reply, ``autoreply on``), every
Matrix and Slack account shows what :func:`asyncdesk.core.presence.presence_at` says:

- Matrix: the presence (``online`` in a window, ``unavailable`` otherwise) and the
  status message, with ``PUT /presence/{userId}/status``;
- Slack: the status (``users.profile.set``: text, emoji, and an expiration at the next
  change, so Slack clears it by itself if AsyncDesk is not running then) and, during
  deep work, do-not-disturb until the block ends (``dnd.setSnooze``); a snooze is ended
  (``dnd.endSnooze``) when the block ends early (the schedule changed) or the feature
  is turned off.

Turning it off clears what was set (Matrix: ``online`` without a message; Slack: an
empty status, the snooze ended), and only what AsyncDesk set: an account it never set
anything on is not touched.

What was last set on each account is remembered in the profile's ``events`` table (kind
:data:`EVENT`, one row per change: the account, the state set, an error), so the server
is called only when something changed, across restarts too, and no migration is
needed. Those rows are also the visible record (:func:`recent_statuses`, shown by
``autoreply show``). A change is compared by what it is made of (the mode, the instants
named), not by its words, so a status computed again after midnight, which would write
``09:00`` instead of ``Wed 09:00``, is not sent twice.

Failures are one log line and one recorded row, and never stop a sync. A refusal
(a missing scope, the server said no) is not tried again until the wanted status
changes; a connection failure is tried again at the next wake.

The calendar feed: ``autoreply feed FILE`` and Settings ▸ Save calendar feed… remember
the file (:func:`remember_feed`); while published availability is on, the status
thread and ``sync --once`` write it again (:func:`refresh_feed`) when what it says
changed: the schedule, or the day it starts from (so at most once a day otherwise). A
file the user deleted is not made again: deleting it stops the refresh.

Thread contract: :func:`keep_publishing` runs on a thread of its own beside the account
loops (:mod:`asyncdesk.services.live_sync`), sleeping until the next mode change (or
:data:`RECHECK_SECONDS`, to see a switch or schedule changed by another process), and
woken at once by :func:`nudge` (the Settings switch) or when an account's source comes
up. It calls the account loops' own sources: a Matrix source must state the presence
in its own ``/sync`` calls, or every sync would say "online" again.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock, to_iso_z, utc
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.presence import Presence, presence_at
from asyncdesk.services.autoreply import is_enabled
from asyncdesk.services.schedule import load_schedule
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import ConnectionFailed
from asyncdesk.store.database import Store
from asyncdesk.store.schedule import add_event, events_between

log = logging.getLogger(__name__)

#: The ``events`` kind of a status change.
EVENT: Final = "presence"
#: The ``events`` kind of a calendar feed written to a file the user chose.
FEED_EVENT: Final = "availability_feed"
#: The longest sleep between two looks at the switch and the schedule.
RECHECK_SECONDS: Final = 300.0
#: How far back the last state of an account is looked for.
MEMORY: Final = timedelta(days=400)
#: Statuses ``autoreply show`` lists.
RECENT: Final = 20
CHAT_KINDS: Final = (AccountKind.MATRIX, AccountKind.SLACK)
_FAR: Final = datetime(9999, 1, 1, tzinfo=UTC)


class MatrixTarget(Protocol):
    def set_status(self, presence: str, status_msg: str) -> None: ...

    def hold_presence(self, presence: str | None) -> None: ...


class SlackTarget(Protocol):
    def set_status(self, text: str, emoji: str, expires: datetime | None) -> None: ...

    def snooze(self, minutes: int) -> datetime | None: ...

    def end_snooze(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """One change made (or tried) on an account: ``text`` is what the account shows
    now ("" when cleared); a failed try has its ``error`` and what was ``wanted``."""

    at: datetime
    account: str
    kind: str
    text: str
    presence: str | None
    snooze_until: datetime | None
    error: str | None
    wanted: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "at": to_iso_z(self.at),
            "account": self.account,
            "kind": self.kind,
            "text": self.text,
            "presence": self.presence,
            "snooze_until": None if self.snooze_until is None else to_iso_z(self.snooze_until),
            "error": self.error,
            "wanted": self.wanted,
        }

    def line(self) -> str:
        """``team: status '…', do not disturb until …``, ``team: status cleared``, or
        ``team: status '…': <error>`` for a try that failed (in part)."""
        if self.error:
            wanted = f"status {self.wanted!r}" if self.wanted else "clearing the status"
            return f"{self.account}: {wanted}: {self.error}"
        what = f"status {self.text!r}" if self.text else "status cleared"
        if self.presence is not None and self.text:
            what += f", {self.presence}"
        if self.snooze_until is not None and self.snooze_until > self.at:
            what += f", do not disturb until {to_iso_z(self.snooze_until)}"
        return f"{self.account}: {what}"


# --- what an account should show --------------------------------------------------------


def wanted_state(kind: AccountKind, presence: Presence | None) -> dict[str, Any]:
    """The state to set on an account of ``kind`` (``{}``: nothing, the feature is off).

    ``key`` is what the change is made of; the rest is what is sent."""
    if presence is None:
        return {}
    until = None if presence.until is None else to_iso_z(presence.until)
    key = [
        presence.mode.value,
        until,
        None if presence.next_window is None else to_iso_z(presence.next_window),
    ]
    if kind is AccountKind.MATRIX:
        return {"key": key, "text": presence.text, "presence": presence.matrix_presence}
    snooze = None if presence.snooze_until is None else to_iso_z(presence.snooze_until)
    return {
        "key": key,
        "text": presence.text,
        "emoji": presence.emoji,
        "expires": until,
        "snooze_until": snooze,
    }


def status_now(store: Store, now: datetime) -> Presence:
    """What the status says at ``now`` (whether or not it is published)."""
    return presence_at(load_schedule(store), now)


# --- the record -------------------------------------------------------------------------


def last_states(store: Store, now: datetime) -> dict[str, dict[str, Any]]:
    """What was last set on each account (``{}`` when cleared), from the record."""
    with store.reading() as session:
        rows = events_between(session, EVENT, utc(now) - MEMORY, _FAR)
    states: dict[str, dict[str, Any]] = {}
    for _, data in rows:
        account = data.get("account")
        state = data.get("state")
        if isinstance(account, str) and isinstance(state, dict):
            states[account] = state
    return states


def recent_statuses(
    store: Store, limit: int = RECENT, *, now: datetime | None = None
) -> list[StatusRecord]:
    """The newest ``limit`` changes, newest first."""
    start = (now or datetime.now(UTC)) - MEMORY
    with store.reading() as session:
        rows = events_between(session, EVENT, start, _FAR)
    records = [_record(at, data) for at, data in rows]
    return [record for record in reversed(records) if record is not None][:limit]


def _record(at: datetime, data: Mapping[str, Any]) -> StatusRecord | None:
    state = data.get("state")
    if not isinstance(state, dict):
        return None
    snooze = state.get("snooze_until")
    error = data.get("error")
    wanted = data.get("wanted")
    presence = state.get("presence")
    return StatusRecord(
        at=at,
        account=str(data.get("account", "")),
        kind=str(data.get("kind", "")),
        text=str(state.get("text", "")),
        presence=presence if isinstance(presence, str) else None,
        snooze_until=_instant(snooze),
        error=error if isinstance(error, str) else None,
        wanted=wanted if isinstance(wanted, str) else None,
    )


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# --- applying ---------------------------------------------------------------------------


class Publisher:
    """Sets each account's status when it must change; remembers refusals in memory."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        # account -> the wanted key a refusal answered (not tried again until it changes)
        self._refused: dict[str, object] = {}
        # account -> the last error recorded for it
        self._errors: dict[str, str | None] = {}

    def apply(self, sources: Mapping[str, tuple[Account, object]]) -> list[StatusRecord]:
        """One pass over ``sources`` (account name → (account, its source)); the changes
        made or tried. Never raises for an account's failure."""
        now = self._clock.now()
        try:
            published = is_enabled(self._store)
            presence = status_now(self._store, now) if published else None
            old_states = last_states(self._store, now)
        except AsyncDeskError as error:
            log.warning("published availability: cannot read the profile: %s", error.message)
            return []
        changes = []
        for name, (account, source) in sorted(sources.items(), key=lambda item: item[0]):
            if account.kind not in CHAT_KINDS:
                continue
            old = old_states.get(name, {})
            new = wanted_state(account.kind, presence)
            if not _differs(old, new, now):
                self._refused.pop(name, None)
                continue
            if self._refused.get(name) == new.get("key", "off"):
                continue
            applied, failure, refused = _apply(account.kind, source, old, new, now)
            if refused:
                self._refused[name] = new.get("key", "off")
            data = {
                "account": name,
                "kind": account.kind.value,
                "state": applied,
                "error": failure,
            }
            if failure is not None:
                data["wanted"] = new.get("text", "")
            record = _record(now, data)
            assert record is not None
            # A failure is recorded once (an outage would write a row every recheck).
            if failure is None or applied != old or self._errors.get(name) != failure:
                self._remember(now, data)
            self._errors[name] = failure
            if failure is None:
                log.info("published availability: %s", record.line())
            else:
                log.warning("published availability: %s", record.line())
            changes.append(record)
        return changes

    def _remember(self, now: datetime, data: dict[str, Any]) -> None:
        try:
            with self._store.writing() as session:
                add_event(session, EVENT, now, data)
        except AsyncDeskError as error:
            log.warning("published availability: cannot record a change: %s", error.message)

    def seconds_to_change(self) -> float:
        """Until the status must change next (at most :data:`RECHECK_SECONDS`)."""
        now = self._clock.now()
        try:
            until = status_now(self._store, now).until
        except AsyncDeskError:
            return RECHECK_SECONDS
        if until is None:
            return RECHECK_SECONDS
        # A little past the change, so that the mode read then is the new one.
        return max(1.0, min(RECHECK_SECONDS, (until - now).total_seconds() + 0.5))


def _differs(old: Mapping[str, Any], new: Mapping[str, Any], now: datetime) -> bool:
    if not new:
        return bool(old) and (bool(old.get("text")) or _snoozing(old, now))
    return old.get("key") != new.get("key")


def _snoozing(state: Mapping[str, Any], now: datetime) -> bool:
    until = _instant(state.get("snooze_until"))
    return until is not None and until > now


def _apply(
    kind: AccountKind, source: object, old: dict[str, Any], new: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], str | None, bool]:
    """Make the calls; returns the state now set (the wanted ``key`` only once every
    call went through, so a part that failed is tried again), the first error, and
    whether it was a refusal rather than a connection failure."""
    applied = dict(old)
    try:
        if kind is AccountKind.MATRIX:
            matrix: MatrixTarget = source  # type: ignore[assignment]
            matrix.set_status(new.get("presence", "online"), new.get("text", ""))
            return dict(new), None, False
        slack: SlackTarget = source  # type: ignore[assignment]
        profile = ("text", "emoji", "expires")
        if not new or any(old.get(field) != new.get(field) for field in profile):
            slack.set_status(
                new.get("text", ""), new.get("emoji", ""), _instant(new.get("expires"))
            )
            applied.update({field: new.get(field) for field in profile})
        wanted_until = _instant(new.get("snooze_until"))
        if wanted_until is not None and new.get("snooze_until") != old.get("snooze_until"):
            minutes = max(1, -int(-(wanted_until - now).total_seconds() // 60))
            slack.snooze(minutes)
        elif wanted_until is None and _snoozing(old, now):
            slack.end_snooze()
        return dict(new), None, False
    except ConnectionFailed as error:
        return applied, error.message, False
    except AsyncDeskError as error:
        return applied, error.message, True


# --- running ----------------------------------------------------------------------------

_RUNNING: weakref.WeakSet[Targets] = weakref.WeakSet()
_RUNNING_LOCK = threading.Lock()


class Targets:
    """The account loops' sources the presence thread may use, and its wake-up.

    An account loop calls :meth:`opened` as soon as its source exists (a Matrix source
    then states the presence last set in its first ``/sync``), :meth:`ready` after its
    first sync (the source works: the status may be set), :meth:`closed` when it ends.
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self._ready: dict[str, tuple[Account, object]] = {}
        self._wake = threading.Event()
        with _RUNNING_LOCK:
            _RUNNING.add(self)

    def opened(self, account: Account, source: object) -> None:
        if account.kind is not AccountKind.MATRIX:
            return
        hold: Callable[[str | None], None] | None = getattr(source, "hold_presence", None)
        if hold is None:
            return
        try:
            state = last_states(self._store, self._clock.now()).get(account.name, {})
            presence = state.get("presence")
            hold(presence if isinstance(presence, str) and state.get("text") else None)
        except AsyncDeskError as error:
            log.warning("published availability: %s", error.message)

    def ready(self, account: Account, source: object) -> None:
        if account.kind not in CHAT_KINDS:
            return
        with self._lock:
            known = account.name in self._ready
            self._ready[account.name] = (account, source)
        if not known:
            self.wake()

    def closed(self, account: Account) -> None:
        with self._lock:
            self._ready.pop(account.name, None)

    def sources(self) -> dict[str, tuple[Account, object]]:
        with self._lock:
            return dict(self._ready)

    def wake(self) -> None:
        self._wake.set()

    def sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()


def nudge() -> None:
    """Apply the status now in every running sync of this process (the switch changed,
    or the schedule did)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for targets in running:
        targets.wake()


def keep_publishing(
    store: Store,
    clock: Clock,
    stop: threading.Event,
    targets: Targets,
    *,
    report: Callable[[StatusRecord], None] = lambda record: None,
) -> None:
    """Until ``stop`` (whoever sets it also calls ``targets.wake()``): apply the status
    to the ready sources, sleep until the next change, again."""
    publisher = Publisher(store, clock)
    while not stop.is_set():
        sources = targets.sources()
        if sources:
            for record in publisher.apply(sources):
                report(record)
        refresh_feed(store, clock)
        if stop.is_set():
            break
        targets.sleep(publisher.seconds_to_change())


def apply_once(
    store: Store, clock: Clock, secrets: Secrets, accounts: list[Account]
) -> list[StatusRecord]:
    """``sync --once``: open each chat account's source, set its status if it must
    change, close it. A source that cannot be opened is one record with its error."""
    from asyncdesk.services.chat_accounts import open_source

    refresh_feed(store, clock)
    chat = [account for account in accounts if account.kind in CHAT_KINDS]
    if not chat:
        return []
    publisher = Publisher(store, clock)
    records: list[StatusRecord] = []
    for account in chat:
        try:
            source = open_source(account, secrets)
        except AsyncDeskError as error:
            log.warning("published availability: %s: %s", account.name, error.message)
            continue
        try:
            records += publisher.apply({account.name: (account, source)})
        finally:
            source.close()
    return records


# --- the calendar feed ------------------------------------------------------------------


def remember_feed(store: Store, clock: Clock, path: Path) -> None:
    """Note that the feed was written to ``path``: the sync keeps that file current."""
    with store.writing() as session:
        add_event(session, FEED_EVENT, clock.now(), {"path": str(path.absolute())})


def refresh_feed(store: Store, clock: Clock) -> Path | None:
    """Write the remembered feed file again if published availability is on, the file
    is still there and what it says changed; the path written, else None. A failure is
    one log line."""
    from asyncdesk.services.availability_feed import build_feed
    from asyncdesk.services.stats import write_atomically

    now = clock.now()
    try:
        if not is_enabled(store):
            return None
        with store.reading() as session:
            rows = events_between(session, FEED_EVENT, now - MEMORY, _FAR)
        if not rows or not isinstance(rows[-1][1].get("path"), str):
            return None
        path = Path(rows[-1][1]["path"])
        if not path.is_file():
            return None
        content = build_feed(load_schedule(store), now)
        if _unstamped(path.read_bytes()) == _unstamped(content):
            return None
        write_atomically(path, content.decode("utf-8"))
    except AsyncDeskError as error:
        log.warning("calendar feed not refreshed: %s", error.message)
        return None
    except OSError as error:
        log.warning("calendar feed not refreshed: %s", error.strerror or error)
        return None
    log.info("refreshed the calendar feed %s", path)
    return path


def _unstamped(content: bytes) -> list[bytes]:
    """The feed's lines without DTSTAMP (the instant it was written, not what it says)."""
    return [line for line in content.splitlines() if not line.startswith(b"DTSTAMP")]
