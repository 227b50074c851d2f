"""The window's link to the live sync: one background thread, signals on the GUI thread.

A whole sync is long (a first sync of a big mailbox, then IDLE for hours), so it does not
go through the task runner, whose workers run short tasks and are waited for at close.
It gets its own thread running :func:`asyncdesk.services.live_sync.keep_syncing`; every
report is handed to the GUI thread with :meth:`TaskRunner.run_on_gui` and re-emitted as
a signal. :meth:`stop` is prompt (IDLE polls its stop flag twice a second, and a sync
stops between committed batches) and is called before the store closes.

Signals (GUI thread):

- ``progress(str)``: a line for the status bar, e.g. "Syncing work: INBOX 500/2,000".
- ``synced(str, int)``: an account finished a sync; how many messages were new.
- ``failed(str, str)``: an account's sync failed; the one-line reason (it retries).
- ``idle()``: every account is caught up and waiting for news.

The lines are worded (and translated, ``self.tr``) on the GUI thread; the sync thread
only hands over the figures. The error itself comes from the services, as the command
line prints it, and is not translated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.services.accounts import profile_secrets, syncable_accounts
from asyncdesk.services.live_sync import LiveEvent, keep_syncing
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# How long closing the window waits for the sync thread to notice it should stop.
STOP_TIMEOUT = 10.0


class SyncController(QObject):
    progress = Signal(str)
    synced = Signal(str, int)
    failed = Signal(str, str)
    idle = Signal()

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started_at: dict[tuple[str, str], float] = {}
        self._busy: set[str] = set()
        self._listener: Callable[[LiveEvent], None] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, store: Store, listener: Callable[[LiveEvent], None] | None = None) -> None:
        """Start syncing the profile's email accounts (none: nothing happens).

        ``listener`` hears every live-sync event first, on the sync thread, right after
        what it reports was committed (the notifier needs that moment; see
        services.notifications); it must return quickly.
        """
        if self._thread is not None:
            return
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(store,), name="asyncdesk-sync", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the sync to stop and wait for it (GUI thread; before the store closes)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            log.warning("the sync thread did not stop within %.0f s", STOP_TIMEOUT)

    def _run(self, store: Store) -> None:
        try:
            accounts = syncable_accounts(store)
            if not accounts:
                return
            secrets = profile_secrets(store)
            self._busy = {account.name for account in accounts}
            keep_syncing(store, self._clock, secrets, accounts, self._stop, report=self._report)
        except AsyncDeskError as error:
            message = error.message
            log.warning("sync not started: %s", message)
            self._tasks.run_on_gui(lambda: self.failed.emit("", message))

    def _report(self, event: LiveEvent) -> None:
        """Sync thread: turn the event into a signal on the GUI thread."""
        if self._listener is not None:
            self._listener(event)
        if event.kind == "progress" and event.progress is not None:
            step = event.progress
            key = (step.account, step.stream)
            now = time.monotonic()
            started = self._started_at.setdefault(key, now)
            if step.total is None or step.done >= (step.total or 0):
                self._started_at.pop(key, None)
            rate = step.done / (now - started) if now > started else 0.0
            account, stream, done, total = step.account, step.stream, step.done, step.total
            self._tasks.run_on_gui(
                lambda: self.progress.emit(self._progress_text(account, stream, done, total, rate))
            )
        elif event.kind == "synced":
            self._busy.discard(event.account)
            everyone_done = not self._busy
            account, new = event.account, event.new_messages
            self._tasks.run_on_gui(lambda: self._emit_synced(account, new, everyone_done))
        elif event.kind == "failed":
            account, error, retry_in = event.account, event.error, event.retry_in
            self._tasks.run_on_gui(
                lambda: self.failed.emit(account, self._failure_text(error, retry_in))
            )

    def _progress_text(
        self, account: str, stream: str, done: int, total: int | None, rate: float
    ) -> str:
        """GUI thread: ``Syncing work: INBOX 500/2,000 (120/s)``."""
        figures = {
            "account": account,
            "stream": stream,
            "done": f"{done:,}",
            "total": f"{total:,}" if total else "",
            "rate": f"{rate:,.0f}",
        }
        if total and rate >= 1:
            template = self.tr("Syncing {account}: {stream} {done}/{total} ({rate}/s)")
        elif total:
            template = self.tr("Syncing {account}: {stream} {done}/{total}")
        elif rate >= 1:
            template = self.tr("Syncing {account}: {stream} ({rate}/s)")
        else:
            template = self.tr("Syncing {account}: {stream}")
        return template.format(**figures)

    def _failure_text(self, error: str | None, retry_in: float | None) -> str:
        """GUI thread: the services' reason, and when the sync tries again."""
        reason = error or self.tr("unknown error")
        if retry_in is None:
            return reason
        return self.tr("{reason} (retrying in {seconds} s)").format(
            reason=reason, seconds=f"{retry_in:.0f}"
        )

    def _emit_synced(self, account: str, new: int, everyone_done: bool) -> None:
        self.synced.emit(account, new)
        if everyone_done:
            self.idle.emit()
