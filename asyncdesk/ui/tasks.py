"""The one way the UI runs background work (after Anki's ``qt/aqt/taskman.py``).

Threading contract:

- :meth:`TaskRunner.run_db` runs ``task`` on a single worker thread that owns every use
  of the profile database. One worker means one writer and a FIFO order: a task queued
  after another sees what the earlier one wrote, and closing the store can be queued
  behind whatever still reads it.
- :meth:`TaskRunner.run_net` runs ``task`` on a small pool, for work that does not touch
  the database (network, parsing files).
- ``task`` runs on the worker and must never touch a widget or a model; it gets its
  inputs as arguments (closures) and returns a value.
- ``success(result)`` and ``failure(exception)`` always run later on the GUI thread:
  the worker appends a closure to a locked queue and emits a signal whose queued
  connection drains the queue in the GUI thread's event loop. They never run inside
  ``run_db``/``run_net`` themselves, even when the task is instant.
- An exception without a ``failure`` callback goes to :func:`sys.excepthook` on the GUI
  thread, where the crash hook (:mod:`asyncdesk.ui.crash`) logs it and tells the user.
- ``is_current`` (checked on the GUI thread just before delivery) lets a caller drop
  results of superseded work, e.g. a page of a model that has since been reset: when
  it returns ``False`` neither callback runs.
- :meth:`TaskRunner.shutdown` (GUI thread, at window close) waits for running tasks,
  cancels queued ones and drops every result not yet delivered, so no callback lands
  on a window that is going away.
- The callbacks are also *released* on the GUI thread (once delivered, or at
  shutdown), never by a worker: a callback is often a widget's bound method or a lambda
  over ``self``, and a widget whose last reference a worker drops is destroyed on that
  worker, which crashes Qt. ``task`` itself is released on the worker, which is one
  more reason it must not capture widgets.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

T = TypeVar("T")

log = logging.getLogger(__name__)

NET_WORKERS = 4


class _Callbacks:
    """A task's callbacks, which only the GUI thread reads, calls and lets go of.

    The worker's side (the future's done-callback, the posted closure) holds this box,
    never the callbacks themselves, so whichever thread drops the box last, the
    callbacks were already dropped on the GUI thread by :meth:`take`.
    """

    __slots__ = ("failure", "is_current", "success")

    def __init__(
        self,
        success: Callable[[Any], None] | None,
        failure: Callable[[BaseException], None] | None,
        is_current: Callable[[], bool] | None,
    ) -> None:
        self.success = success
        self.failure = failure
        self.is_current = is_current

    def take(
        self,
    ) -> tuple[
        Callable[[Any], None] | None,
        Callable[[BaseException], None] | None,
        Callable[[], bool] | None,
    ]:
        """GUI thread: hand the callbacks over and keep no reference to them."""
        taken = (self.success, self.failure, self.is_current)
        self.success = self.failure = self.is_current = None
        return taken


class TaskRunner(QObject):
    """Runs work off the GUI thread and hands results back on it (see module docstring).

    Create it on the GUI thread; call every method from the GUI thread.
    """

    # Emitted (from any thread) when closures wait to run on the GUI thread. Private:
    # the queued connection to our own slot is what moves work across threads.
    _closures_pending = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asyncdesk-db")
        self._net_executor = ThreadPoolExecutor(
            max_workers=NET_WORKERS, thread_name_prefix="asyncdesk-net"
        )
        self._lock = threading.Lock()
        self._closures: list[Callable[[], None]] = []
        # Callbacks of submitted tasks not yet delivered; GUI thread only.
        self._waiting: set[_Callbacks] = set()
        self._closed = False
        self._closures_pending.connect(
            self._on_closures_pending, Qt.ConnectionType.QueuedConnection
        )

    @property
    def is_shut_down(self) -> bool:
        return self._closed

    def run_db(
        self,
        task: Callable[[], T],
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        *,
        is_current: Callable[[], bool] | None = None,
    ) -> Future[T]:
        """Run ``task`` on the database worker; see the module docstring for callbacks.

        Returns the future (mostly for tests); after :meth:`shutdown` the task is not
        run and the returned future is already cancelled.
        """
        return self._submit(self._db_executor, task, success, failure, is_current)

    def run_net(
        self,
        task: Callable[[], T],
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        *,
        is_current: Callable[[], bool] | None = None,
    ) -> Future[T]:
        """Run ``task`` on the pool for work that never touches the profile database."""
        return self._submit(self._net_executor, task, success, failure, is_current)

    def run_on_gui(self, closure: Callable[[], None]) -> None:
        """Queue ``closure`` to run on the GUI thread; callable from any thread."""
        with self._lock:
            if self._closed:
                return
            self._closures.append(closure)
        self._closures_pending.emit()

    def shutdown(self) -> None:
        """Wait for running tasks, cancel queued ones, drop undelivered results.

        GUI thread only; idempotent. Blocks for as long as the running tasks take, which
        is why tasks should be short (one page, one count), not whole syncs.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._closures.clear()
        log.debug("task runner shutting down")
        # Let go of every undelivered callback here, on the GUI thread (module docstring).
        waiting, self._waiting = self._waiting, set()
        for callbacks in waiting:
            callbacks.take()
        del waiting
        self._db_executor.shutdown(wait=True, cancel_futures=True)
        self._net_executor.shutdown(wait=True, cancel_futures=True)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        task: Callable[[], T],
        success: Callable[[T], None] | None,
        failure: Callable[[BaseException], None] | None,
        is_current: Callable[[], bool] | None,
    ) -> Future[T]:
        if self._closed:
            log.debug("task %r dropped: the task runner is shut down", task)
            future: Future[T] = Future()
            future.cancel()
            return future
        callbacks = _Callbacks(success, failure, is_current)
        del success, failure, is_current  # from here on, only the box holds them
        self._waiting.add(callbacks)
        future = executor.submit(task)

        def deliver(done: Future[T]) -> None:
            # Runs on the worker (or here, if already done): only queue, never call.
            self.run_on_gui(lambda: self._deliver(done, callbacks))

        future.add_done_callback(deliver)
        return future

    def _deliver(self, future: Future[Any], callbacks: _Callbacks) -> None:
        """GUI thread: hand a finished task's outcome to its callbacks, then drop them."""
        self._waiting.discard(callbacks)
        success, failure, is_current = callbacks.take()
        if future.cancelled():
            return
        if is_current is not None and not is_current():
            log.debug("dropping the result of a superseded task")
            return
        try:
            error = future.exception()
        except CancelledError:  # pragma: no cover - checked above; raced only in theory
            return
        if error is None:
            if success is not None:
                success(future.result())
        elif failure is not None:
            failure(error)
        else:
            sys.excepthook(type(error), error, error.__traceback__)

    def _on_closures_pending(self) -> None:
        """GUI thread: run everything queued so far, in order."""
        with self._lock:
            closures, self._closures = self._closures, []
        for closure in closures:
            try:
                closure()
            except Exception as error:
                # A callback's bug: report it, keep draining the others.
                sys.excepthook(type(error), error, error.__traceback__)
