"""The lazy inbox model over a real profile: pages, order, columns, resets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.inbox_model import Column, InboxModel
from asyncdesk.ui.roles import ItemRole
from asyncdesk.ui.tasks import TaskRunner

BERLIN = ZoneInfo("Europe/Berlin")
ROOT = QModelIndex()


@pytest.fixture
def runner(qapp: object) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def model_for(
    runner: TaskRunner,
    clock: FixedClock,
    make_profile: Callable[..., ProfilePaths],
    open_store: Callable[[Path], Store],
) -> Callable[..., tuple[InboxModel, Store]]:
    """``model_for(count, page_size=..., replied=...)``: a model on a filled profile,
    not yet loading (call ``set_store``)."""

    def build(
        count: int, *, page_size: int = 200, replied: tuple[int, ...] = ()
    ) -> tuple[InboxModel, Store]:
        paths = make_profile(count, replied=replied)
        return InboxModel(runner, clock, page_size=page_size), open_store(paths.root)

    return build


def _load_first_page(qtbot: QtBot, model: InboxModel, store: Store) -> None:
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.set_store(store, BERLIN)


def _load_everything(qtbot: QtBot, model: InboxModel) -> None:
    while model.is_loading or model.canFetchMore(ROOT):
        with qtbot.waitSignal(model.page_loaded, timeout=10_000):
            model.fetchMore(ROOT)  # a no-op while a page (asked for by anyone) is in flight


def _text(model: InboxModel, row: int, column: Column) -> str:
    value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
    assert isinstance(value, str)
    return value


def test_the_model_passes_the_model_tester_across_pages(
    qtbot: QtBot, qtmodeltester: ModelTester, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(450, page_size=200, replied=(0, 4))
    _load_first_page(qtbot, model, store)
    # The tester stays attached: every later insert and the reset are checked too.
    qtmodeltester.check(model)
    _load_everything(qtbot, model)
    assert model.rowCount() == 450
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == 200


def test_fetch_more_loads_page_after_page_until_everything_is_there(
    qtbot: QtBot, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(450, page_size=200)
    assert model.rowCount() == 0
    assert not model.canFetchMore(ROOT)  # no store yet

    _load_first_page(qtbot, model, store)
    assert model.rowCount() == 200
    assert model.canFetchMore(ROOT)

    with qtbot.waitSignal(model.page_loaded, timeout=10_000) as second:
        model.fetchMore(ROOT)
        # While a page is in flight the view must not ask for another one.
        assert model.is_loading
        assert not model.canFetchMore(ROOT)
        model.fetchMore(ROOT)  # ignored, not a second request
    assert second.args == [200]
    assert model.rowCount() == 400

    with qtbot.waitSignal(model.page_loaded, timeout=10_000) as last:
        model.fetchMore(ROOT)
    assert last.args == [50]  # a short page: that was the last one
    assert model.rowCount() == 450
    assert not model.canFetchMore(ROOT)
    assert model.all_loaded


def test_rows_are_newest_first_without_gaps_or_repeats_across_pages(
    qtbot: QtBot, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(450, page_size=100)
    _load_first_page(qtbot, model, store)
    _load_everything(qtbot, model)

    received = [model.data(model.index(row, 0), ItemRole.ReceivedAtRole) for row in range(450)]
    assert all(isinstance(instant, datetime) for instant in received)
    assert received == sorted(received, reverse=True)
    assert len(set(received)) == 450
    ids = {model.data(model.index(row, 0), ItemRole.MessageIdRole) for row in range(450)}
    assert len(ids) == 450
    assert _text(model, 0, Column.SUBJECT).endswith("#0")
    assert _text(model, 449, Column.SUBJECT).endswith("#449")


def test_columns_show_what_a_person_needs(
    qtbot: QtBot, clock: FixedClock, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(300, replied=(1,))
    _load_first_page(qtbot, model, store)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in Column] == [
        "From",
        "Subject",
        "Account",
        "Received",
        "Reply by",
    ]

    # Row 0: Ada, 7 minutes ago (13:23 UTC = 14:23 in Berlin), due in 48 hours.
    assert _text(model, 0, Column.FROM) == "Ada Lovelace"
    assert _text(model, 0, Column.ACCOUNT) == "work"
    assert _text(model, 0, Column.RECEIVED) == "14:23"
    assert _text(model, 0, Column.REPLY_BY) == "Wed 14:23"  # within a week: the weekday
    assert model.data(model.index(0, Column.REPLY_BY), Qt.ItemDataRole.ToolTipRole) == (
        "Reply by Wednesday 25 November 2026 14:23 CET"
    )
    font = model.data(model.index(0, Column.SUBJECT), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()  # waiting for a reply
    assert model.data(model.index(0, 0), ItemRole.NeedsReplyRole) is True
    assert model.data(model.index(0, 0), ItemRole.StateRole) == "open"
    received = model.data(model.index(0, 0), ItemRole.ReceivedAtRole)
    assert received == clock.now() - timedelta(minutes=7)
    assert received.tzinfo is UTC

    # Row 1 was answered: "Replied", not bold any more.
    assert _text(model, 1, Column.REPLY_BY) == "Replied"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.FontRole) is None

    # Row 2 is a monitoring alert: no reply needed, no deadline; an address, no name.
    assert _text(model, 2, Column.REPLY_BY) == ""
    assert _text(model, 2, Column.FROM) == "alerts@monitoring.example"
    assert model.data(model.index(2, 0), ItemRole.StateRole) is None

    # Row 200 (second page) arrived 1407 minutes ago: yesterday, so the day is shown.
    _load_everything(qtbot, model)
    assert _text(model, 200, Column.RECEIVED) == "Sun 22 Nov 15:03"


def test_overdue_deadlines_are_marked(
    qtbot: QtBot, clock: FixedClock, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(3)
    clock.advance(timedelta(days=3))
    _load_first_page(qtbot, model, store)
    index = model.index(0, Column.REPLY_BY)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole) is not None
    tooltip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Overdue since ")
    # A date of an earlier year carries the year instead of the weekday.
    clock.advance(timedelta(days=400))
    assert _text(model, 0, Column.RECEIVED) == "23 Nov 2026"


def test_reload_drops_a_page_still_in_flight(
    qtbot: QtBot, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(450, page_size=200)
    pages: list[int] = []
    model.page_loaded.connect(pages.append)
    model.set_store(store, BERLIN)  # first page requested...
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.reload()  # ...and superseded before it arrived
    assert pages == [200]
    assert model.rowCount() == 200
    assert len({model.data(model.index(r, 0), ItemRole.MessageIdRole) for r in range(200)}) == 200


def test_an_empty_profile_has_no_rows_and_nothing_to_fetch(
    qtbot: QtBot, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(0)
    with qtbot.waitSignal(model.page_loaded, timeout=10_000) as loaded:
        model.set_store(store, BERLIN)
    assert loaded.args == [0]
    assert model.rowCount() == 0
    assert not model.canFetchMore(ROOT)
    assert model.all_loaded


def test_loading_changed_brackets_each_request(
    qtbot: QtBot, model_for: Callable[..., tuple[InboxModel, Store]]
) -> None:
    model, store = model_for(10)
    states: list[bool] = []
    model.loading_changed.connect(states.append)
    _load_first_page(qtbot, model, store)
    assert states == [True, False]
    assert not model.is_loading


def test_custom_roles_have_names(model_for: Callable[..., tuple[InboxModel, Store]]) -> None:
    model, _store = model_for(0)
    names = {bytes(name.data()) for name in model.roleNames().values()}
    assert {b"display", b"messageId", b"receivedAt", b"needsReply", b"state"} <= names
