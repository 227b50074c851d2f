"""Keeping accounts in step while the app (or ``asyncdesk sync``) runs.

Each account gets its own worker thread with its own connection (an IMAP client is not
thread-safe, and IDLE holds a connection): catch up, then wait in IDLE until the server
says something changed, and catch up again. IDLE is re-issued every ``idle_seconds``
(well inside the 29 minutes after which servers may drop an idle client), and each
re-issue also syncs the folders IDLE does not watch (Sent), so a reply sent from the
phone clears its deadline within that time at worst.

Chat accounts run the same loop: a Matrix source waits in a long-poll ``/sync`` (the
server answers when something happens); Slack offers a user token no push, so a Slack
account is synced every ``SLACK_POLL_SECONDS``. Only email accounts fetch bodies and
flush an outbox (chat replies are sent at once, and a sent one comes back by sync).

Published availability (:mod:`asyncdesk.services.presence`): one more thread sets the
Matrix and Slack accounts' status at the start and at each mode change, sleeping until
then, through the account loops' own sources, and keeps a saved calendar feed current.

Failures never end the loop: the account reports them and retries with exponential
backoff (with jitter, so many clients do not return at once), until ``stop`` is set.
Stopping is prompt: waits poll ``stop``, and a sync stops between batches, each of which
is committed with its cursor, so nothing is lost or half-written.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.services.bodies import bodies_waiting, fetch_bodies_in_background, open_fetcher
from asyncdesk.services.chat_accounts import open_source
from asyncdesk.services.presence import StatusRecord, Targets, keep_publishing
from asyncdesk.services.reply import flush_if_waiting
from asyncdesk.services.secrets import Secrets
from asyncdesk.services.sync import SyncProgress, sync_source
from asyncdesk.sources.base import Source
from asyncdesk.store.database import Store

log = logging.getLogger(__name__)

#: How long one IDLE lasts before it is re-issued and every folder is synced.
IDLE_SECONDS: Final = 300.0
#: How often a Slack account is synced (its Web API has no push for a user token).
SLACK_POLL_SECONDS: Final = 120.0
# How often a wait that the stop interrupts (IMAP IDLE, the Matrix long-poll) also
# looks at the stop flag itself: a safety net only, so rarely.
STOP_TICK_SECONDS: Final = 60.0
#: How long the end of a sync waits for the status thread (it may be mid-request).
PRESENCE_STOP_SECONDS: Final = 5.0
#: First and longest wait before retrying a failed account.
BACKOFF_FIRST: Final = 1.0
BACKOFF_MAX: Final = 300.0


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """What one account's loop has to say; ``kind`` is ``progress``, ``synced``,
    ``replies`` (``new_messages`` queued replies went out), ``bodies`` (that many
    bodies were fetched for search) or ``failed`` (then ``error``
    is one line and ``retry_in`` the seconds until the next try, ``None`` when the
    account gave up, e.g. without a password, or for an outbox problem)."""

    account: str
    kind: str
    new_messages: int = 0
    seconds: float = 0.0
    progress: SyncProgress | None = None
    error: str | None = None
    retry_in: float | None = None


class Backoff:
    """Doubling delays from ``first`` up to ``maximum``, each within ±20 %."""

    def __init__(
        self,
        first: float = BACKOFF_FIRST,
        maximum: float = BACKOFF_MAX,
        rng: random.Random | None = None,
    ) -> None:
        self._first, self._maximum = first, maximum
        self._rng = rng or random.Random()
        self._failures = 0

    def next(self) -> float:
        delay: float = min(self._maximum, self._first * 2.0 ** min(self._failures, 30))
        self._failures += 1
        return delay * self._rng.uniform(0.8, 1.2)

    def reset(self) -> None:
        self._failures = 0


AfterSync = Callable[[Account, Source], None]


def keep_syncing(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    accounts: list[Account],
    stop: threading.Event,
    *,
    report: Callable[[LiveEvent], None] = lambda event: None,
    after_sync: AfterSync | None = None,
    idle_seconds: float = IDLE_SECONDS,
    statuses: Callable[[StatusRecord], None] = lambda record: None,
) -> None:
    """Run every account's loop until ``stop`` is set; returns when all have ended.

    ``report`` and ``after_sync`` are called on the account's worker thread;
    ``statuses`` hears each chat status set (or failed), on the status thread.
    """
    targets = Targets(store, clock)
    threads = [
        threading.Thread(
            target=_account_loop,
            args=(store, clock, secrets, account, stop, report, after_sync, idle_seconds),
            kwargs={"targets": targets},
            name=f"sync-{account.name}",
            daemon=True,
        )
        for account in accounts
    ]
    # The status thread ends with the accounts' loops, not only on ``stop``: loops that
    # end by themselves (no password, every account gone) must not leave it running.
    accounts_done = threading.Event()
    publishing = threading.Thread(
        target=keep_publishing,
        args=(store, clock, accounts_done, targets),
        kwargs={"report": statuses},
        name="sync-presence",
        daemon=True,
    )
    publishing.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    accounts_done.set()
    targets.wake()
    publishing.join(PRESENCE_STOP_SECONDS)


def _flush_outbox(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    report: Callable[[LiveEvent], None],
) -> None:
    """Replies queued while offline go out once the account is reachable again."""
    flushed = flush_if_waiting(store, clock, secrets, account.name)
    if flushed is None:
        return
    if flushed.sent:
        report(LiveEvent(account.name, "replies", new_messages=flushed.sent))
    for error in flushed.errors:
        report(LiveEvent(account.name, "failed", error=f"outbox: {error}"))


_EXPORT_LOCK = threading.Lock()


def _export_report(store: Store, clock: Clock) -> None:
    """The weekly report, when one is due (services.stats); accounts share one report,
    and the first to get here writes it."""
    # Imported here: services.stats reaches this module through the notifier.
    from asyncdesk.services.stats import export_due_report

    with _EXPORT_LOCK:
        export_due_report(store, clock)


def _fetch_bodies(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    stop: threading.Event,
    report: Callable[[LiveEvent], None],
) -> None:
    """Bodies of the newest mail, within the budget, so search finds their words. On a
    second connection (it may reconnect past a message the server cannot read); its
    failure is reported and waits for the next cycle instead of holding up new mail."""
    if not bodies_waiting(store, account):
        return
    try:
        with open_fetcher(secrets, account) as fetcher:
            done = fetch_bodies_in_background(
                store, clock, fetcher, account, should_stop=stop.is_set
            )
    except AsyncDeskError as error:
        log.warning("fetching bodies of %s failed: %s", account.name, error.message)
        report(LiveEvent(account.name, "failed", error=f"bodies: {error.message}"))
        return
    if done.messages:
        report(LiveEvent(account.name, "bodies", new_messages=done.messages))


def _wait_for_change(source: Source, idle_seconds: float, stop: threading.Event) -> None:
    """Until the server says something changed (IMAP IDLE, Matrix long-poll), or the
    poll interval passed (Slack), or ``stop``.

    A source that can be interrupted is woken by the stop itself (see
    :class:`_StopWaker`), so it looks at ``stop`` only every :data:`STOP_TICK_SECONDS`:
    an idle sync wakes when its servers speak, not twice a second per account."""
    wait = getattr(source, "wait_for_change", None)
    if wait is None:
        stop.wait(SLACK_POLL_SECONDS)
    elif hasattr(source, "interrupt"):
        wait(idle_seconds, stop.is_set, tick=STOP_TICK_SECONDS)
    else:
        wait(idle_seconds, stop.is_set)


class _StopWaker:
    """Interrupts the account's current source when ``stop`` is set: one thread that
    sleeps in ``stop.wait()`` (no wake-ups of its own) for the account loop's life."""

    def __init__(self, stop: threading.Event, name: str) -> None:
        self._stop = stop
        self.source: Source | None = None
        self._done = False
        threading.Thread(target=self._watch, name=f"stop-{name}", daemon=True).start()

    def _watch(self) -> None:
        self._stop.wait()
        interrupt = getattr(self.source, "interrupt", None)
        if interrupt is not None and not self._done:
            try:
                interrupt()
            except Exception:  # the loop is ending anyway; never let this thread raise
                log.debug("interrupting the wait failed", exc_info=True)

    def finish(self) -> None:
        self._done = True


def _account_loop(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    stop: threading.Event,
    report: Callable[[LiveEvent], None],
    after_sync: AfterSync | None,
    idle_seconds: float,
    *,
    targets: Targets | None = None,
) -> None:
    backoff = Backoff()
    source: Source | None = None
    email = account.kind is AccountKind.EMAIL
    waker = _StopWaker(stop, account.name)
    try:
        while not stop.is_set():
            try:
                if source is None:
                    source = open_source(account, secrets)
                    waker.source = source
                    if targets is not None:
                        targets.opened(account, source)
                started = time.monotonic()
                result = sync_source(
                    store,
                    source,
                    clock,
                    progress=lambda step: report(
                        LiveEvent(account.name, "progress", progress=step)
                    ),
                    should_stop=stop.is_set,
                    secrets=secrets,
                )
                report(
                    LiveEvent(
                        account.name,
                        "synced",
                        new_messages=result.new_messages,
                        seconds=time.monotonic() - started,
                    )
                )
                if email and not stop.is_set():
                    _flush_outbox(store, clock, secrets, account, report)
                if email and not stop.is_set():
                    _fetch_bodies(store, clock, secrets, account, stop, report)
                if not stop.is_set():
                    _export_report(store, clock)
                if after_sync is not None and not stop.is_set():
                    after_sync(account, source)
                if targets is not None:
                    targets.ready(account, source)
                backoff.reset()
                if not stop.is_set():
                    _wait_for_change(source, idle_seconds, stop)
            except BadInput as error:  # nothing to retry with (no password): give up
                log.warning("sync of %s stopped: %s", account.name, error.message)
                report(LiveEvent(account.name, "failed", error=error.message))
                return
            except AsyncDeskError as error:
                if stop.is_set():
                    break  # the stop interrupted it: nothing failed
                delay = backoff.next()
                log.warning(
                    "sync of %s failed, retrying in %.0f s: %s", account.name, delay, error.message
                )
                report(LiveEvent(account.name, "failed", error=error.message, retry_in=delay))
                stop.wait(delay)
    finally:
        waker.finish()
        if targets is not None:
            targets.closed(account)
        if source is not None:
            source.close()
