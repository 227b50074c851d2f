"""Fixtures for the GUI tests: real temporary profiles on real SQLite, a pinned clock.

Profiles are filled through the store's own functions (no mocks), the way Anki's tests
build real collections. Every instant is UTC; the profile's time zone is set to
Europe/Berlin so "today" and local formatting do not depend on the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock, FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.garbage import GuiThreadCollector
from asyncdesk.ui.main_window import MainWindow

# Monday 23 November 2026, 14:30 in Berlin.
NOW = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)
ME = "me@example.org"
STEP = timedelta(minutes=7)

_PEOPLE = [
    ("Ada Lovelace", "ada@analytical.example"),
    ("Grace Hopper", "grace@navy.example"),
    ("", "alerts@monitoring.example"),
    ("Linus Pauling", "linus@chem.example"),
    ("Katherine Johnson", "kj@nasa.example"),
    ("Newsletter", "no-reply@news.example"),
]
_SUBJECTS = [
    "Quarterly report draft — can you review by Thursday?",
    "Lunch on Friday?",
    "Disk usage above 90% on db-2",
    "Re: Conference travel booking",
    "Trajectory numbers for the launch window",
    "This week in batched communication",
]


def inbound(index: int, *, now: datetime = NOW) -> tuple[Message, Triage]:
    """The ``index``-th newest inbound message (received ``index * STEP`` before now)."""
    name, address = _PEOPLE[index % len(_PEOPLE)]
    received = now - STEP * (index + 1)
    needs = index % 3 != 2 and not address.startswith(("no-reply", "alerts"))
    message = Message(
        remote_id=f"in-{index}",
        direction=Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=f"thread-{index}",
        sender=Sender(address, name),
        subject=f"{_SUBJECTS[index % len(_SUBJECTS)]} #{index}",
        received_at=received,
        body_text=f"Hello, this is message number {index}.",
        to=(ME,),
        message_id=f"in-{index}@example.org",
    )
    return message, Triage(
        needs_reply=needs, due_at=received + timedelta(hours=48) if needs else None
    )


def reply_to(index: int, *, now: datetime = NOW) -> tuple[Message, Triage]:
    """An outbound reply to message ``index``, a minute after it arrived."""
    original, _ = inbound(index, now=now)
    message = Message(
        remote_id=f"out-{index}",
        direction=Direction.OUTBOUND,
        medium=Medium.EMAIL,
        conversation=original.conversation,
        sender=Sender(ME, "Me"),
        subject=f"Re: {original.subject}",
        received_at=original.received_at + timedelta(minutes=1),
        to=(original.sender.address,),
        in_reply_to=original.message_id,
    )
    return message, Triage(needs_reply=False)


def fill_profile(root: Path, count: int, *, replied: tuple[int, ...] = ()) -> ProfilePaths:
    """Create the profile at ``root`` with ``count`` inbound messages, newest = index 0."""
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(
            session,
            Account(name="work", kind=AccountKind.EMAIL, identities=(ME,)),
            created_at=NOW - timedelta(days=30),
        )
        assert account.id is not None
        batch = [inbound(index) for index in range(count)]
        batch += [reply_to(index) for index in replied]
        add_batch(session, account.id, batch, stream="INBOX", cursor=str(count), now=NOW)
    return ProfilePaths(root)


def open_subject(qtbot: QtBot, window: MainWindow, subject: str) -> None:
    """Select the inbox row with this subject and press Enter, as a user opens it."""
    from PySide6.QtCore import Qt

    row = next(
        r for r in range(window.model.rowCount()) if window.model.message_at(r).subject == subject
    )
    window.view.setCurrentIndex(window.model.index(row, 0))
    window.view.setFocus()
    with qtbot.waitSignal(window.message_view.shown, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)


@pytest.fixture(autouse=True)
def _english_dates() -> Iterator[None]:
    """Day and month names in English whatever the machine's locale, then restore."""
    from PySide6.QtCore import QLocale

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield
    QLocale.setDefault(before)


@pytest.fixture(autouse=True)
def _real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's ``ASYNCDESK_AT`` (ui.app) must not move the tests' clocks."""
    monkeypatch.delenv("ASYNCDESK_AT", raising=False)


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: object) -> Iterator[None]:
    """Garbage-collect only on this (the GUI) thread, as the app does (ui.garbage):
    a window collected on a task runner's worker crashes Qt."""
    collector = GuiThreadCollector()
    collector.start()
    yield
    collector.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def make_profile(tmp_path: Path) -> Callable[..., ProfilePaths]:
    """``make_profile(count, replied=(...))`` → paths of a filled profile under tmp_path."""

    def make(count: int, *, replied: tuple[int, ...] = ()) -> ProfilePaths:
        return fill_profile(tmp_path / "profile", count, replied=replied)

    return make


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[Callable[..., MainWindow]]:
    """``make_window(paths, clock, **options)`` → a :class:`MainWindow`, closed at teardown.

    The fixture keeps each window alive until then. qtbot holds only weak references:
    a window that dies with the test's locals is never closed, so its task runner is
    never shut down, and a worker finishing a task then signals a deleted runner (a
    segfault, seen about once in 30 runs).
    """
    windows: list[MainWindow] = []

    def make(paths: ProfilePaths, clock: Clock, **options: Any) -> MainWindow:
        window = MainWindow(paths, clock=clock, **options)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()  # pytest-qt closed it already, normally; closing twice is a no-op
        assert window.tasks.is_shut_down


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator[Callable[[Path], Store]]:
    """Open stores that are closed at teardown (for tests that drive the model alone)."""
    stores: list[Store] = []

    def opener(root: Path) -> Store:
        store = Store.open(root)
        stores.append(store)
        return store

    yield opener
    for store in stores:
        store.close()


@pytest.fixture
def inbox_window(
    qtbot: QtBot,
    make_profile: Callable[..., ProfilePaths],
    make_window: Callable[..., MainWindow],
    clock: FixedClock,
) -> MainWindow:
    """A window on a 12-message profile, shown, its inbox loaded (inside a window)."""
    from asyncdesk.ui.main_window import Page

    made = make_window(make_profile(12), clock)
    with qtbot.waitSignal(made.model.page_loaded, timeout=10_000):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=10_000)
    return made


@pytest.fixture
def tasks(qapp: object) -> Iterator[Any]:
    """A task runner of the GUI's own (database and network workers), shut down after."""
    from asyncdesk.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def open_settings(
    qtbot: QtBot, tasks: Any, clock: FixedClock, store: Store
) -> Iterator[Callable[..., Any]]:
    """``open_settings(section=None)`` → a Settings dialog on the test's ``store``
    fixture, loaded; with ``section``, that section shown first."""
    from asyncdesk.ui.settings_dialog import SettingsDialog

    dialogs: list[SettingsDialog] = []

    def opener(section: str | None = None) -> SettingsDialog:
        dialog = SettingsDialog(tasks, clock, store)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        with qtbot.waitSignal(dialog.ready, timeout=10_000):
            pass
        if section is not None:
            dialog.show_section(section)
        return dialog

    yield opener
    for dialog in dialogs:
        dialog.close()


@pytest.fixture
def demo_reply(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow], clock: FixedClock
) -> Callable[[], Any]:
    """Opens a reply window (``ComposeWindow``) to the one message of a demo account, in
    a window on a fresh profile; the demo sends nothing, so what the window does before
    sending is seen alone."""
    from asyncdesk.ui.main_window import Page

    def open_reply() -> Any:
        root = tmp_path / "demo-reply"
        with Store.open(root) as store, store.writing() as session:
            set_setting(session, declared.TIMEZONE, "Europe/Berlin")
            demo = add_account(
                session,
                Account(name="demo-mail", kind=AccountKind.DEMO, identities=("alex@example.org",)),
                created_at=NOW - timedelta(days=1),
            )
            assert demo.id is not None
            add_batch(session, demo.id, [inbound(0)], stream="INBOX", cursor="1", now=NOW)
        window = make_window(ProfilePaths(root), clock)
        with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
            window.show()
            window.open_profile()
        qtbot.waitUntil(lambda: window.page is Page.INBOX, timeout=10_000)
        window.view.setCurrentIndex(window.model.index(0, 0))
        reply = window.reply_to_current(reply_all=False)
        assert reply is not None
        return reply

    return open_reply


@pytest.fixture
def every_surface(
    qtbot: QtBot, inbox_window: MainWindow, clock: FixedClock
) -> Iterator[list[QWidget]]:
    """Everything a user reaches from the main window, opened and filled as they would
    see it: the inbox with a message open, the deadlines, Settings (all its pages),
    a reply in a compose window with its saved-answer picker, Save as Answer, the
    Stats view, the "?" sheet and the welcome. For
    the audits that must see every control (test_ui_audit, test_translations)."""
    from PySide6.QtCore import Qt

    from asyncdesk.ui.first_run import WelcomeDialog

    window = inbox_window
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.message_view.isVisible(), timeout=10_000)
    settings = window.open_settings()
    assert settings is not None
    with qtbot.waitSignal(settings.ready, timeout=10_000):
        pass
    compose = window.reply_to_current(reply_all=False)
    assert compose is not None
    qtbot.waitUntil(compose.body.isEnabled, timeout=10_000)
    picker = compose.open_answer_picker()
    assert picker is not None
    save_answer = window.save_current_as_answer()
    assert save_answer is not None
    stats = window.show_stats()
    sheet = window.show_shortcuts()
    assert window.store is not None
    welcome = WelcomeDialog(window.tasks, clock, window.store, window)
    qtbot.wait(200)  # let the views fill in what they load
    yield [window, settings, compose, picker, save_answer, stats, sheet, welcome]
    for surface in (welcome, sheet, stats, save_answer, picker, compose, settings):
        surface.close()
