"""The notifier: the notification policy (core.notify_policy) run against a profile,
shared by the app and ``asyncdesk sync``.

What it does, and from which thread:

- :meth:`Notifier.sync_report` is handed every :class:`LiveEvent` of the live sync, on
  the account's sync thread, after the batch it reports was committed. The first
  ``synced`` of an account is its catch-up: what it brought arrived while nobody was
  running, so it only marks where arrivals start (a read, on that thread, before the
  account can sync again, so no later message slips into it). Later ones queue the
  account for a look at its new rows; nothing else happens on the sync thread.
- One notifier thread (:meth:`start`) reads the new rows, asks the policy, shows what it
  allows through plyer, records every decision as an event (``notification_sent``,
  ``notification_deferred``; see store.notifications), and sleeps until the policy's next
  instant (a window's start, a reminder) or the next arrival. It looks again at least
  every :data:`MAX_SLEEP` seconds, so a schedule changed elsewhere, or a machine that
  slept, is noticed within a minute (a window whose start was slept through still gets
  its summary while it is open).
- :meth:`process` is that thread's one step; tests call it directly with a pinned clock.

One notifier per profile: a process notifies only while it holds the profile's
notifier lock (an OS file lock, dropped by the kernel when the process dies). The app
and ``asyncdesk sync`` running side by side therefore give one summary per window,
not two; the other stays quiet and takes over if the first one stops.

Showing a notification never fails the app: plyer raises ``DBusException`` without a
notification daemon, ``NotImplementedError`` without any backend, and whatever else a
platform backend may raise. The first failure of an outage is logged once as a warning
(and reported); the decision is still recorded, with ``delivered`` false.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import Clock, FixedClock, to_iso_z
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.notify_policy import (
    Arrival,
    Counts,
    Decision,
    NotifyRules,
    decide_arrivals,
    decide_wakeup,
    next_wakeup,
    wakeups_between,
)
from asyncdesk.services.live_sync import LiveEvent
from asyncdesk.services.locks import try_lock
from asyncdesk.services.schedule import load_schedule, status
from asyncdesk.store.database import Store
from asyncdesk.store.notifications import (
    NOTIFICATION_DEFERRED,
    NOTIFICATION_SENT,
    NotificationTotals,
    arrivals_after,
    newest_message_id,
    notification_totals,
)
from asyncdesk.store.schedule import add_event
from asyncdesk.store.settings import get_setting

log = logging.getLogger(__name__)

APP_NAME: Final = "AsyncDesk"
#: The longest the notifier sleeps without looking at the schedule again (seconds).
MAX_SLEEP: Final = 60.0
#: How long :meth:`Notifier.stop` waits for the thread (a D-Bus call may be in flight).
STOP_TIMEOUT: Final = 10.0
#: How long a notification stays on screen, in seconds (the daemon may decide otherwise).
SHOW_SECONDS: Final = 10

#: Shows one notification (title, body); raises when the desktop cannot show it.
Show = Callable[[str, str], None]


def _icon_path() -> str:
    """The app icon as a file path, for the notification daemon ('' if not installed as
    a plain file). Looked up as package data: services do not import the ui package."""
    icon = resources.files("asyncdesk").joinpath("ui", "resources", "asyncdesk-256.png")
    return str(icon) if isinstance(icon, Path) and icon.is_file() else ""


def show_with_plyer(title: str, body: str) -> None:
    """Show a desktop notification through plyer (on Linux: D-Bus
    ``org.freedesktop.Notifications`` when dbus-python is installed, else
    ``notify-send``). Imported on first use: plyer costs start-up time."""
    from plyer import notification  # type: ignore[import-untyped]  # plyer has no types

    notification.notify(
        title=title,
        message=body,
        app_name=APP_NAME,
        app_icon=_icon_path(),
        timeout=SHOW_SECONDS,
    )


@dataclass(frozen=True, slots=True)
class Shown:
    """A decision to show a notification, after trying: ``delivered`` says whether the
    desktop took it; ``problem`` is set once per outage (the first failure), saying why."""

    decision: Decision
    delivered: bool
    problem: str | None = None


class _ProfileLock:
    """A non-blocking OS file lock, held until :meth:`release` or the process's end."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        if try_lock(fd):
            self._fd = fd
            return True
        os.close(fd)
        return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock


@dataclass(frozen=True, slots=True)
class _Arrived:
    account: str
    at: datetime  # when the sync that brought them committed


class Notifier:
    """Runs the notification policy for one open profile (see the module docstring).

    ``show`` displays a notification (default: plyer); ``report`` hears, on the notifier
    thread, about every notification the policy decided to show (the CLI prints them).
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        show: Show | None = None,
        report: Callable[[Shown], None] | None = None,
        max_sleep: float = MAX_SLEEP,
    ) -> None:
        self._store = store
        self._clock = clock
        self._show = show if show is not None else show_with_plyer
        self._report = report
        self._max_sleep = max_sleep
        self._lock = _ProfileLock(store.paths.notifier_lock)
        self._mutex = threading.Lock()
        self._queue: list[_Arrived] = []
        self._baselines: dict[str, int] = {}  # account -> last row id looked at
        self._looked_until: datetime | None = None
        self._failing = False  # in an outage of the notification service
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the thread -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the notifier thread (once)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="asyncdesk-notifier", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the thread and release the lock; call before the store closes."""
        thread, self._thread = self._thread, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("the notifier did not stop within %.0f s", timeout)
                return  # it still holds the lock; the process's end releases it
        self._lock.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.process()
            except AsyncDeskError as error:
                log.warning("notifications: %s; trying again shortly", error.message)
                delay = self._max_sleep
            except Exception:  # a bug: say so, and keep the app (and the sync) alive
                log.exception("the notifier failed; trying again shortly")
                delay = self._max_sleep
            # A hair more than the delay: the clock must have passed the instant.
            self._wake.wait(min(delay + 0.001, self._max_sleep))
            self._wake.clear()

    # -- what the sync tells it -----------------------------------------------------------

    def sync_report(self, event: LiveEvent) -> None:
        """Hand over a live-sync event (on the account's sync thread; returns at once,
        apart from one small read after the account's first sync)."""
        if event.kind != "synced":
            return
        with self._mutex:
            known = event.account in self._baselines
        if not known:
            # The catch-up: its messages came while nothing ran, so they are not
            # arrivals to hold back; the next window's summary counts them as waiting.
            with self._store.reading() as session:
                newest = newest_message_id(session, event.account)
            with self._mutex:
                self._baselines[event.account] = newest
            return
        if event.new_messages:
            with self._mutex:
                self._queue.append(_Arrived(event.account, self._clock.now()))
            self._wake.set()

    # -- one step -------------------------------------------------------------------------

    def process(self) -> float:
        """Handle queued arrivals and every summary/reminder instant since the last step;
        return the seconds until the next instant the policy cares about."""
        now = self._clock.now()
        with self._mutex:
            arrived, self._queue = self._queue, []
        schedule = load_schedule(self._store)
        with self._store.reading() as session:
            rules = NotifyRules.from_settings(
                get_setting(session, declared.NOTIFY_REMINDER_MINUTES),
                get_setting(session, declared.NOTIFY_VIP),
            )
        # Only the holder of the profile's lock decides; another process may hold it.
        active = self._lock.try_acquire()
        for item in arrived:
            arrivals = self._take_arrivals(item.account)
            if active:
                for decision in decide_arrivals(schedule, item.at, arrivals, rules):
                    self._carry_out(decision)
        if active and self._looked_until is not None:
            for wakeup in wakeups_between(schedule, self._looked_until, now, rules):
                said = decide_wakeup(schedule, wakeup, now, self._counts(now), rules)
                if said is not None:
                    self._carry_out(said)
                # Step by step: a failure later in this loop does not repeat this one.
                self._looked_until = wakeup.at
        self._looked_until = now
        upcoming = next_wakeup(schedule, now, rules)
        if upcoming is None:
            return self._max_sleep
        return max(0.0, (upcoming.at - now).total_seconds())

    def _take_arrivals(self, account: str) -> list[Arrival]:
        with self._mutex:
            after = self._baselines.get(account, 0)
        with self._store.reading() as session:
            arrivals, newest = arrivals_after(session, account, after)
        with self._mutex:
            self._baselines[account] = max(newest, self._baselines.get(account, 0))
        return arrivals

    def _counts(self, now: datetime) -> Counts:
        seen = status(self._store, FixedClock(now))
        return Counts(seen.waiting, seen.due_before_next_window)

    def _carry_out(self, decision: Decision) -> None:
        """Show what the policy allows, then record the decision (shown or held back)."""
        data: dict[str, Any] = {"kind": decision.kind.value, "mode": decision.mode.value}
        if decision.messages:
            data["messages"] = decision.messages
        if decision.counts is not None:
            data["waiting"] = decision.counts.waiting
            data["due"] = decision.counts.due_before_next_window
        if decision.window is not None:
            data["window_start"] = to_iso_z(decision.window.start)
        shown: Shown | None = None
        if decision.send:
            shown = self._deliver(decision)
            data["delivered"] = shown.delivered
        with self._store.writing() as session:
            kind = NOTIFICATION_SENT if decision.send else NOTIFICATION_DEFERRED
            add_event(session, kind, decision.at, data)
        # Kinds and counts only: titles name senders and subjects, which stay out of logs.
        if decision.send:
            log.info("notification shown: %s during %s", decision.kind.value, decision.mode.value)
        else:
            log.info(
                "held back: %s (%d messages) during %s",
                decision.kind.value,
                decision.messages,
                decision.mode.value,
            )
        if shown is not None and self._report is not None:
            self._report(shown)

    def _deliver(self, decision: Decision) -> Shown:
        try:
            self._show(decision.title, decision.body)
        except Exception as error:  # plyer raises anything; see the module docstring
            detail = " ".join(str(error).split())
            problem = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
            if self._failing:
                log.debug("notification not shown: %s", problem)
                return Shown(decision, delivered=False)
            self._failing = True
            log.warning("cannot show notifications (they are still counted): %s", problem)
            return Shown(decision, delivered=False, problem=problem)
        if self._failing:
            log.info("notifications can be shown again")
            self._failing = False
        return Shown(decision, delivered=True)


def notification_counts(store: Store, start: datetime, end: datetime) -> NotificationTotals:
    """Notifications shown and held back in ``[start, end)``, for the weekly stats."""
    with store.reading() as session:
        return notification_totals(session, start, end)
