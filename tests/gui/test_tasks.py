"""The task runner: work off the GUI thread, results and errors back on it."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from types import TracebackType

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from asyncdesk.ui.tasks import TaskRunner


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _on_gui_thread(qapp: QApplication) -> bool:
    return QThread.currentThread() == qapp.thread()


def test_success_runs_on_the_gui_thread_and_the_task_does_not(
    qtbot: QtBot, qapp: QApplication, runner: TaskRunner
) -> None:
    def task() -> tuple[str, bool]:
        return threading.current_thread().name, _on_gui_thread(qapp)

    with qtbot.waitCallback() as callback:
        runner.run_db(task, success=lambda result: callback(result, _on_gui_thread(qapp)))

    (worker_name, task_on_gui), delivered_on_gui = callback.args
    assert worker_name.startswith("asyncdesk-db")
    assert not task_on_gui
    assert delivered_on_gui


def test_net_tasks_run_on_the_pool(qtbot: QtBot, qapp: QApplication, runner: TaskRunner) -> None:
    with qtbot.waitCallback() as callback:
        runner.run_net(
            lambda: threading.current_thread().name,
            success=lambda name: callback(name, _on_gui_thread(qapp)),
        )
    name, delivered_on_gui = callback.args
    assert name.startswith("asyncdesk-net")
    assert delivered_on_gui


def test_an_exception_goes_to_failure_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, runner: TaskRunner
) -> None:
    def task() -> None:
        raise ValueError("no such page")

    succeeded: list[object] = []
    with qtbot.waitCallback() as callback:
        runner.run_db(
            task,
            success=succeeded.append,
            failure=lambda error: callback(error, _on_gui_thread(qapp)),
        )
    error, delivered_on_gui = callback.args
    assert isinstance(error, ValueError)
    assert str(error) == "no such page"
    assert delivered_on_gui
    assert succeeded == []


def test_an_exception_without_failure_goes_to_the_exception_hook(
    qtbot: QtBot, qapp: QApplication, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def task() -> None:
        raise KeyError("lost")

    with qtbot.waitCallback() as callback:

        def hook(
            exc_type: type[BaseException], value: BaseException, tb: TracebackType | None
        ) -> None:
            callback(value, tb, _on_gui_thread(qapp))

        monkeypatch.setattr(sys, "excepthook", hook)
        runner.run_db(task)

    value, tb, on_gui = callback.args
    assert isinstance(value, KeyError)
    assert tb is not None  # the worker's traceback travels with it
    assert on_gui


def test_results_of_superseded_work_are_dropped(qtbot: QtBot, runner: TaskRunner) -> None:
    generation = 1
    delivered: list[str] = []

    def current(expected: int) -> bool:
        return generation == expected

    runner.run_db(lambda: "old", success=delivered.append, is_current=lambda: current(1))
    generation = 2
    # The database worker is FIFO, and so is delivery: once "new" arrives, "old" was
    # already considered (and dropped).
    with qtbot.waitCallback() as callback:
        runner.run_db(lambda: "new", success=callback, is_current=lambda: current(2))
    assert callback.args == ["new"]
    assert delivered == []


def test_database_tasks_run_one_at_a_time_in_order(qtbot: QtBot, runner: TaskRunner) -> None:
    order: list[int] = []
    for number in range(20):
        runner.run_db(lambda number=number: order.append(number))
    with qtbot.waitCallback() as callback:
        runner.run_db(lambda: None, success=callback)
    assert order == list(range(20))


def test_shutdown_waits_for_running_work_and_drops_its_result(
    qapp: QApplication, runner: TaskRunner
) -> None:
    started = threading.Event()
    release = threading.Event()
    finished: list[bool] = []
    delivered: list[object] = []

    def task() -> str:
        started.set()
        release.wait(timeout=10)
        finished.append(True)
        return "late"

    future = runner.run_db(task, success=delivered.append)
    assert started.wait(timeout=10)
    queued = runner.run_db(lambda: "never", success=delivered.append)
    release.set()
    runner.shutdown()

    assert finished == [True]  # shutdown returned only after the running task ended
    assert future.result() == "late"
    assert queued.cancelled()
    qapp.processEvents()
    assert delivered == []  # nothing lands on a window that is going away
    assert runner.run_db(lambda: "after").cancelled()


def test_an_error_in_a_callback_reaches_the_hook_and_later_callbacks_still_run(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _t, value, _tb: hooked.append(value))

    def broken(_result: object) -> None:
        raise RuntimeError("bug in a callback")

    runner.run_db(lambda: 1, success=broken)
    with qtbot.waitCallback() as callback:
        runner.run_db(lambda: 2, success=callback)
    assert callback.args == [2]
    assert [str(error) for error in hooked] == ["bug in a callback"]


class _Owner:
    """Stands for a widget whose bound methods are a task's callbacks."""

    def __init__(self, delivered: threading.Event, released_on: list[str]) -> None:
        self._delivered = delivered
        self._released_on = released_on

    def on_success(self, result: object) -> None:
        self._delivered.set()

    def __del__(self) -> None:
        self._released_on.append(threading.current_thread().name)


def test_callbacks_are_released_on_the_gui_thread_not_on_the_worker(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    """A window whose last reference is a task's callback must die on the GUI thread:
    a widget destroyed on a worker crashes Qt (seen: ~QAbstractItemView on asyncdesk-db,
    when a test's window outlived its test only through an ``is_current`` lambda)."""
    go, delivered = threading.Event(), threading.Event()
    released_on: list[str] = []
    owner = _Owner(delivered, released_on)
    future = runner.run_db(lambda: go.wait(10), success=owner.on_success, is_current=lambda: True)
    # Keep the worker holding its work item (and so the future) until the GUI thread
    # has delivered: the worker, not the GUI, then drops the last reference it keeps.
    future.add_done_callback(lambda _done: delivered.wait(10))
    del owner, future
    go.set()

    qtbot.waitUntil(lambda: bool(released_on), timeout=10_000)
    assert released_on == [threading.main_thread().name]


def test_shutdown_releases_undelivered_callbacks_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication
) -> None:
    runner = TaskRunner()
    started, release = threading.Event(), threading.Event()
    released_on: list[str] = []
    owner = _Owner(threading.Event(), released_on)

    def task() -> None:
        started.set()
        release.wait(10)

    runner.run_db(task, success=owner.on_success)
    del owner
    assert started.wait(10)
    threading.Timer(0.2, release.set).start()
    runner.shutdown()  # waits for the task; its result (and callbacks) are dropped
    assert released_on == [threading.main_thread().name]
